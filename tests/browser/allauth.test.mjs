// A relying party written elsewhere: django-allauth's passkeys (allauth.mfa, python-fido2 on the
// server, allauth's own webauthn.js in the page) with softfido authenticators in headless
// Chromium, through @softfido/playwright (packages/playwright) and `softfido bridge`.
//
// The site is tests/allauth/project, served by `manage.py runserver` on http://localhost:PORT
// with a fresh SQLite database per run; two sites: one where a signup is a username and a
// password, one with allauth's passkey-only signup (which needs an email address verified by a
// code: the code is read from the mail the site writes to its directory, as a user reads it).
// Everything happens through allauth's pages: clicking, filling, reading the DOM. Its endpoints are
// only *observed* (the requests its JavaScript makes), never called.
//
// Setup: scripts/allauth-setup.sh (django-allauth into .venv), scripts/browser-setup.sh.
// Environment: SOFTFIDO_BIN (default target/debug/softfido), CHROMIUM_BIN (default
// /usr/bin/chromium), ALLAUTH_PYTHON (default .venv/bin/python).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { install, stopBridges } from "../../packages/playwright/index.mjs";
import { CHROMIUM, CHROMIUM_ARGS, REPO, SOFTFIDO } from "./support.mjs";

const PYTHON = process.env.ALLAUTH_PYTHON || join(REPO, ".venv/bin/python");
const MANAGE = join(REPO, "tests/allauth/project/manage.py");
/** The whole file: past this the browser, the bridge and the sites are killed and the run fails. */
const WATCHDOG_MS = 60_000;
/** One test. */
const TEST_MS = 25_000;
/** One Playwright action or wait. */
const ACTION_MS = 10_000;
const PASSWORD = "correct horse battery";

/** allauth's paths (allauth/urls.py, allauth/account/urls.py, allauth/mfa/urls.py). */
const SIGNUP = "/accounts/signup/";
const LOGIN = "/accounts/login/";
const MFA_INDEX = "/accounts/2fa/"; // LOGIN_REDIRECT_URL of the site
const PASSKEY_LOGIN = "/accounts/2fa/webauthn/login/";
const WEBAUTHN_ADD = "/accounts/2fa/webauthn/add/";
const WEBAUTHN_SIGNUP = "/accounts/2fa/webauthn/signup/";

// ---------------------------------------------------------------------------------------------
// Processes: the Django sites, the browser and the bridge, killed whatever happens
// ---------------------------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), "softfido-allauth-"));
const sites = [];
let browser = null;
let failed = false;

function killSites() {
  for (const site of sites) {
    if (site.child && site.child.exitCode === null && site.child.signalCode === null) site.child.kill("SIGKILL");
  }
}
process.on("exit", () => {
  killSites();
  rmSync(scratch, { recursive: true, force: true });
});

const watchdog = setTimeout(() => {
  console.error(`allauth tests: still running after ${WATCHDOG_MS} ms; killing the sites, the bridge and the browser`);
  killSites();
  // playwright-core kills the browsers it launched, the package the bridge it started, at exit.
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

/** A free TCP port on 127.0.0.1 (the site binds it a moment later). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Runs `manage.py ARGS` for a site to its end; rejects on a failure, with the output. */
function manage(site, args, logPath) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(PYTHON, [MANAGE, ...args], { stdio: ["ignore", "pipe", "pipe"], env: site.env });
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("error", (error) => { clearTimeout(timer); reject(error); });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      createWriteStream(logPath).end(output);
      if (code === 0) resolveRun(output);
      else reject(new Error(`manage.py ${args.join(" ")}: ${signal || `exit ${code}`}\n${output}`));
    });
  });
}

/**
 * A django-allauth site (tests/allauth/project) in a directory of its own: migrated, then served
 * by `manage.py runserver --noreload` on http://localhost:PORT; resolves once its sign-in page
 * answers. `env` are the site's switches (allauthsite/settings.py).
 */
async function startSite(name, env = {}) {
  assert.ok(existsSync(PYTHON), `no Python at ${PYTHON}: run scripts/allauth-setup.sh`);
  const dir = join(scratch, name);
  mkdirSync(dir);
  const site = {
    name, dir, child: null, base: null, logPath: null,
    // No __pycache__ in the repository's tree.
    env: { ...process.env, ALLAUTH_SITE_DIR: dir, PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1", ...env },
  };
  sites.push(site);
  await manage(site, ["migrate", "--no-input", "-v", "0"], join(dir, "migrate.log"));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    site.base = `http://localhost:${port}`;
    site.logPath = join(dir, `runserver-${attempt}.log`);
    const log = createWriteStream(site.logPath);
    site.child = spawn(PYTHON, [MANAGE, "runserver", "--noreload", `127.0.0.1:${port}`],
      { stdio: ["ignore", "pipe", "pipe"], env: site.env });
    site.child.stdout.pipe(log);
    site.child.stderr.pipe(log);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && site.child.exitCode === null) {
      try {
        const response = await fetch(`${site.base}${LOGIN}`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return site;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const log_ = readLog(site);
    site.child.kill("SIGKILL");
    // Someone else took the port between the probe and the bind: try another.
    if (attempt < 3 && /already in use/i.test(log_)) continue;
    throw new Error(`the allauth site ${name} did not come up on ${site.base}:\n${log_}`);
  }
}

function readLog(site) {
  try {
    return site.logPath ? readFileSync(site.logPath, "utf8") : "";
  } catch {
    return "";
  }
}

async function stopSite(site) {
  const { child } = site;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}

/** A test body that marks the run failed (for the logs printed at the end). */
function step(body) {
  return async (t) => {
    try {
      await body(t);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// A browser context with a softfido authenticator; what allauth's pages say and do
// ---------------------------------------------------------------------------------------------

/**
 * A new context with a softfido authenticator of `profile` and one page. Records the page's
 * console errors and uncaught exceptions, the `allauth.error` events allauth's webauthn.js
 * dispatches when a ceremony fails (its only report of a browser-side failure), and the form
 * posts its JavaScript makes.
 */
async function openUser(profile) {
  const context = await browser.newContext();
  context.setDefaultTimeout(ACTION_MS);
  context.setDefaultNavigationTimeout(ACTION_MS);
  const bridgeErrors = [];
  const softfido = await install(context, { profile, binary: SOFTFIDO, onError: (e) => bridgeErrors.push(e) });
  // Observation only: a listener that records, and lets allauth's own handling (console.error)
  // run. The record is kept in the tab's sessionStorage: it outlives the page's navigations.
  await context.addInitScript(() => {
    document.addEventListener("allauth.error", (event) => {
      const { exception, tags } = event.detail || {};
      const record = { tags, name: exception && exception.name, message: exception && exception.message };
      try {
        const kept = JSON.parse(sessionStorage.getItem("allauth-errors-seen") || "[]");
        kept.push(record);
        sessionStorage.setItem("allauth-errors-seen", JSON.stringify(kept));
      } catch {
        // no storage: nothing kept
      }
    });
  });
  const page = await context.newPage();
  const user = { context, softfido, page, bridgeErrors, consoleErrors: [], posts: [], gets: [] };
  page.on("console", (message) => {
    if (message.type() === "error") user.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => user.consoleErrors.push(`uncaught ${error.message}`));
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === "POST") {
      user.posts.push({ path, form: new URLSearchParams(request.postData() || "") });
    } else if (request.resourceType() === "fetch" || request.resourceType() === "xhr") {
      user.gets.push({ path, accept: request.headers().accept });
    }
  });
  return user;
}

/** The `allauth.error` events of this tab so far: [{tags, name, message}]. */
async function allauthErrors(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("allauth-errors-seen") || "[]"));
}

/** What allauth's pages said to each tab, for the test's report: ["PATH: message", ...]. */
const said = new WeakMap();

/** allauth's messages at the top of the page (allauth/layouts/base.html). */
async function messages(page) {
  const list = (await page.locator("div:has(> strong:text-is('Messages:')) li").allTextContents()).map((t) => t.trim());
  const log = said.get(page) || [];
  said.set(page, log);
  for (const text of list) {
    const line = `${new URL(page.url()).pathname}: ${text}`;
    if (log.at(-1) !== line) log.push(line);
  }
  return list;
}

/** Reports what allauth's pages said to the tab (node --test diagnostics). */
function report(t, user) {
  for (const line of said.get(user.page) || []) t.diagnostic(`allauth said at ${line}`);
}

/** The menu of allauth's base layout: its link texts. */
async function menu(page) {
  return (await page.locator("div:has(> strong:text-is('Menu:')) li a").allTextContents()).map((t) => t.trim());
}

/**
 * Asserts the page is allauth's signed-in landing (the two-factor page) with the menu's "Sign Out"
 * and allauth's messages `expected` (by default its greeting of `who`).
 */
async function assertSignedIn(page, base, who, expected = [`Successfully signed in as ${who}.`]) {
  assert.equal(new URL(page.url()).href, `${base}${MFA_INDEX}`);
  assert.deepEqual(await messages(page), expected);
  assert.ok((await menu(page)).includes("Sign Out"), "the menu offers to sign out");
  await page.getByRole("heading", { name: "Two-Factor Authentication" }).waitFor();
}

/** The last form post of the page to `path`, with its `credential` field parsed. */
function lastCredentialPost(user, path) {
  const post = user.posts.filter((p) => p.path === path).at(-1);
  assert.ok(post, `no post to ${path} (posts: ${user.posts.map((p) => p.path).join(", ")})`);
  return JSON.parse(post.form.get("credential"));
}

/** The flags of authenticator data (base64url): UP, UV, BE, BS. */
function flagsOf(authenticatorDataB64) {
  const flags = Buffer.from(authenticatorDataB64, "base64url")[32];
  return { up: !!(flags & 0x01), uv: !!(flags & 0x04), be: !!(flags & 0x08), bs: !!(flags & 0x10) };
}

/** The signed flags of a registration's attestationObject (CBOR): its authData's flags byte. */
function attestationFlags(attestationObjectB64) {
  const bytes = Buffer.from(attestationObjectB64, "base64url");
  // authData is a CBOR byte string under the text key "authData": find the key, read the length.
  const key = Buffer.from([0x68, ...Buffer.from("authData")]);
  let i = bytes.indexOf(key);
  assert.ok(i >= 0, "attestationObject without authData");
  i += key.length;
  const head = bytes[i];
  assert.equal(head >> 5, 2, "authData is a byte string");
  const info = head & 0x1f;
  const start = i + 1 + (info < 24 ? 0 : info === 24 ? 1 : info === 25 ? 2 : 4);
  return flagsOf(bytes.subarray(start).toString("base64url"));
}

/** Signs up with a username and a password on allauth's signup page; lands signed in. */
async function signUp(user, base, username) {
  const { page } = user;
  await page.goto(`${base}${SIGNUP}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password:", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Password (again):").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign Up" }).click();
  await page.waitForURL(`${base}${MFA_INDEX}`);
  await assertSignedIn(page, base, username);
  assert.match(await page.locator("body").textContent(), /No security keys have been added\./);
}

/**
 * Adds a passkey on allauth's pages: the two-factor page's "Add" under Security Keys, the
 * password again on allauth's "Confirm Access" page (allauth.mfa asks to reauthenticate before
 * adding a key, MFA_REAUTHENTICATION_REQUIRED), a name, "Passwordless" ticked (a discoverable
 * credential with UV, which "Sign in with a passkey" needs), allauth's "Add" button. Resolves to
 * the registration the page posted.
 */
async function addPasskey(user, base, name) {
  const { page } = user;
  await page.goto(`${base}${MFA_INDEX}`);
  await page.getByRole("link", { name: "Add" }).click();
  await page.getByRole("heading", { name: "Confirm Access" }).waitFor();
  await page.getByPlaceholder("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.waitForURL(`${base}${WEBAUTHN_ADD}`);
  await page.getByRole("heading", { name: "Add Security Key" }).waitFor();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Passwordless").check();
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await landOrFail(user, `${base}${MFA_INDEX}`);
  assert.deepEqual(await messages(page), ["Security key added."]);
  assert.match(await page.locator("body").textContent(), /You have added 1 security key\./);
  return lastCredentialPost(user, WEBAUTHN_ADD);
}

/**
 * Waits for `url`; fails early with what allauth reported when its JavaScript dispatches an
 * `allauth.error` (the ceremony failed in the browser) beyond the `seen` ones of the tab.
 */
async function landOrFail(user, url, seen = 0) {
  const { page } = user;
  const deadline = Date.now() + ACTION_MS;
  for (;;) {
    if (page.url() === url) {
      await page.waitForLoadState();
      return;
    }
    const errors = (await allauthErrors(page).catch(() => [])).slice(seen);
    if (errors.length) {
      throw new Error(`allauth's JavaScript reported ${JSON.stringify(errors)} at ${page.url()}; ` +
        `console: ${JSON.stringify(user.consoleErrors)}; bridge: ${user.bridgeErrors.map((e) => e.message).join("; ")}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`not at ${url} but ${page.url()}; messages: ${JSON.stringify(await messages(page).catch(() => []))}; ` +
        `console: ${JSON.stringify(user.consoleErrors)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signs out: the menu's "Sign Out", then allauth's confirmation button. */
async function signOut(user, base) {
  const { page } = user;
  await page.getByRole("link", { name: "Sign Out" }).click();
  await page.getByRole("heading", { name: "Sign Out" }).waitFor();
  await page.getByRole("button", { name: "Sign Out" }).click();
  await page.waitForURL(`${base}${LOGIN}`);
  assert.deepEqual(await messages(page), ["You have signed out."]);
  assert.ok((await menu(page)).includes("Sign In"), "signed out: the menu offers to sign in");
}

/**
 * "Sign in with a passkey" on allauth's sign-in page (after signing out). Resolves to the
 * assertion the page posted to allauth's passkey login.
 */
async function signInWithPasskey(user, base, who) {
  const { page } = user;
  const before_ = user.posts.length;
  const seen = (await allauthErrors(page)).length;
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await landOrFail(user, `${base}${MFA_INDEX}`, seen);
  await assertSignedIn(page, base, who);
  const logins = user.posts.slice(before_).filter((p) => p.path === PASSKEY_LOGIN);
  assert.equal(logins.length, 1, "one passkey sign-in posted");
  return JSON.parse(logins[0].form.get("credential"));
}

/** The checks every registration through allauth's add page must pass. */
async function checkRegistration(user, registration, userName) {
  assert.equal(registration.type, "public-key");
  assert.equal(registration.authenticatorAttachment, user.softfido.attachment);
  const flags = attestationFlags(registration.response.attestationObject);
  assert.ok(flags.up && flags.uv, `"Passwordless" asks for UV: ${JSON.stringify(flags)}`);
  assert.deepEqual(registration.clientExtensionResults, { credProps: { rk: true } },
    "allauth asks credProps; passwordless makes the credential discoverable");
  const stored = await user.softfido.credentials({ rpId: "localhost" });
  assert.deepEqual(stored.map((c) => [c.id, c.userName]), [[registration.id, userName]],
    "the authenticator holds the one discoverable credential allauth registered");
  return stored[0];
}

/** The checks every passkey sign-in through allauth's login page must pass. */
function checkAssertion(user, assertion, stored) {
  assert.equal(assertion.id, stored.id, "signed with the registered credential");
  assert.equal(assertion.response.userHandle, stored.userHandle);
  const flags = flagsOf(assertion.response.authenticatorData);
  assert.ok(flags.up && flags.uv, `allauth's passkey login requires UV: ${JSON.stringify(flags)}`);
  // allauth's JavaScript fetched the request options as JSON from the login URL first.
  assert.ok(user.gets.some((g) => g.path === PASSKEY_LOGIN && g.accept === "application/json"));
  return flags;
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

describe("django-allauth's passkeys with softfido authenticators (bridge)", { timeout: WATCHDOG_MS }, () => {
  let site;
  let passkeySignupSite;
  const users = [];

  async function user(profile) {
    const u = await openUser(profile);
    users.push(u);
    return u;
  }

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/browser-setup.sh`);
    assert.ok(existsSync(SOFTFIDO), `no softfido binary at ${SOFTFIDO}: cargo build -p softfido-harness`);
    const [a, b, launched] = await Promise.all([
      startSite("site"),
      startSite("passkey-signup", { ALLAUTH_PASSKEY_SIGNUP: "1" }),
      chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);
    site = a;
    passkeySignupSite = b;
    browser = launched;
  });

  after(async () => {
    if (browser) {
      let timer;
      const giveUp = new Promise((r) => { timer = setTimeout(r, 10_000); });
      await Promise.race([browser.close().catch(() => {}), giveUp]);
      clearTimeout(timer);
    }
    await stopBridges();
    for (const s of sites) await stopSite(s);
    killSites();
    if (failed) {
      for (const s of sites) console.error(`--- ${s.name} log (${s.base}) ---\n${readLog(s).slice(-4000)}`);
      for (const u of users) {
        if (u.consoleErrors.length) console.error(`--- console errors ---\n${u.consoleErrors.join("\n")}`);
      }
    }
    clearTimeout(watchdog);
  });

  test("security-key (PIN 1234): sign up, add a passkey on allauth's pages, sign out, sign in with it", { timeout: TEST_MS }, step(async (t) => {
    const alice = await user("security-key");
    const base = site.base;
    await signUp(alice, base, "alice");
    const registration = await addPasskey(alice, base, "security key");
    assert.equal(registration.authenticatorAttachment, "cross-platform");
    const stored = await checkRegistration(alice, registration, "alice");
    await signOut(alice, base);
    const assertion = await signInWithPasskey(alice, base, "alice");
    checkAssertion(alice, assertion, stored);
    assert.deepEqual(await allauthErrors(alice.page), []);
    assert.deepEqual(alice.bridgeErrors, []);
    report(t, alice);
  }));

  test("platform: sign up, add a passkey, sign out, sign in with it; allauth lists the passkey", { timeout: TEST_MS }, step(async (t) => {
    const bob = await user("platform");
    const base = site.base;
    await signUp(bob, base, "bob");
    const registration = await addPasskey(bob, base, "laptop");
    assert.equal(registration.authenticatorAttachment, "platform");
    const stored = await checkRegistration(bob, registration, "bob");
    await signOut(bob, base);
    const assertion = await signInWithPasskey(bob, base, "bob");
    checkAssertion(bob, assertion, stored);

    // allauth's list of the account's keys: the one added, a passkey, used just now.
    const { page } = bob;
    await page.getByRole("link", { name: "Manage" }).click();
    await page.getByRole("heading", { name: "Security Keys" }).waitFor();
    const rows = page.locator("table tbody tr");
    assert.equal(await rows.count(), 1);
    const cells = (await rows.first().locator("td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.match(cells[0], /^laptop\b/, "the name given on the add page");
    assert.match(cells[0], /\bPasskey$/, "allauth's badge for a passwordless key");
    assert.match(cells[1], /^Added on .+\. Last used /, "the sign-in used it");
    t.diagnostic(`allauth's list of keys: ${cells.filter(Boolean).join(" | ")}`);
    assert.deepEqual(await allauthErrors(page), []);
    assert.deepEqual(bob.bridgeErrors, []);
    report(t, bob);
  }));

  test("a refused touch at sign-in: allauth reports the NotAllowedError and does not sign in", { timeout: TEST_MS }, step(async (t) => {
    const carol = await user("platform");
    const base = site.base;
    await signUp(carol, base, "carol");
    const stored = await checkRegistration(carol, await addPasskey(carol, base, "phone"), "carol");
    await signOut(carol, base);
    const { page, softfido } = carol;

    await softfido.next({ presence: "deny" });
    const posts = carol.posts.length;
    const consoleBefore = carol.consoleErrors.length;
    const signinUrl = page.url();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    const deadline = Date.now() + ACTION_MS;
    for (;;) {
      assert.equal(page.url(), signinUrl, "the page went on after a refused touch");
      if ((await allauthErrors(page).catch(() => [])).length > 0) break;
      assert.ok(Date.now() < deadline, "allauth's JavaScript reported no error for the refused touch");
      await new Promise((r) => setTimeout(r, 50));
    }
    // What allauth's webauthn.js does with a failed ceremony: an `allauth.error` event carrying
    // the exception, logged to the console when no one handles it; its pages show no message.
    const errors = await allauthErrors(page);
    assert.equal(errors.length, 1);
    assert.deepEqual(errors[0].tags, ["mfa", "webauthn"]);
    t.diagnostic(`allauth.error: ${JSON.stringify(errors[0])}; console: ${JSON.stringify(carol.consoleErrors.slice(consoleBefore))}`);
    t.diagnostic(`allauth's sign-in page after the refusal: messages ${JSON.stringify(await messages(page))}`);
    assert.equal(errors[0].name, "NotAllowedError");
    assert.ok(carol.consoleErrors.slice(consoleBefore).some((e) => /NotAllowedError/.test(e)),
      `allauth logs the exception: ${JSON.stringify(carol.consoleErrors.slice(consoleBefore))}`);
    // Not signed in: no credential posted, still on the sign-in page, signed out.
    assert.deepEqual(carol.posts.slice(posts).map((p) => p.path), [], "nothing posted");
    assert.equal(page.url(), `${base}${LOGIN}`);
    assert.equal(await page.locator("#mfa_credential").inputValue(), "", "no credential in allauth's form");
    assert.ok((await menu(page)).includes("Sign In"), "still signed out");
    assert.deepEqual(carol.bridgeErrors, [], "the refusal is the user's, not a bridge failure");
    await page.goto(`${base}${MFA_INDEX}`);
    assert.equal(new URL(page.url()).pathname, LOGIN, "the two-factor page sends a signed-out user to sign in");

    // The next touch is approved: the same button signs in.
    const assertion = await signInWithPasskey(carol, base, "carol");
    checkAssertion(carol, assertion, stored);
    report(t, carol);
  }));

  test("a passkey removed on allauth's pages: the key still signs, allauth refuses it and says so", { timeout: TEST_MS }, step(async (t) => {
    const erin = await user("platform");
    const base = site.base;
    await signUp(erin, base, "erin");
    const stored = await checkRegistration(erin, await addPasskey(erin, base, "old phone"), "erin");
    const { page } = erin;

    // allauth's list, "Remove", its confirmation (the access was confirmed moments ago).
    await page.getByRole("link", { name: "Manage" }).click();
    await page.getByRole("heading", { name: "Security Keys" }).waitFor();
    await page.locator("table tbody tr").first().getByRole("link", { name: "Remove" }).click();
    await page.getByRole("heading", { name: "Remove Security Key" }).waitFor();
    await page.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("heading", { name: "Security Keys" }).waitFor();
    assert.deepEqual(await messages(page), ["Security key removed."]);
    assert.match(await page.locator("body").textContent(), /No security keys have been added\./);
    assert.equal((await erin.softfido.credentials({ rpId: "localhost" })).length, 1, "the key still holds the passkey");

    // The key signs (the user approves), allauth's server refuses the unknown credential.
    await page.goto(`${base}${MFA_INDEX}`);
    await signOut(erin, base);
    const posts = erin.posts.length;
    // The next document the tab loads is the one allauth answers the posted credential with.
    const loaded = page.waitForEvent("load");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await loaded;
    assert.deepEqual(erin.posts.slice(posts).map((p) => p.path), [PASSKEY_LOGIN], "allauth's page posted the credential");
    assert.equal(page.url(), `${base}${LOGIN}`, "allauth sends the refused sign-in back to the sign-in page");
    const shown = await messages(page);
    t.diagnostic(`allauth's sign-in page after the refused credential: messages ${JSON.stringify(shown)}`);
    assert.deepEqual(shown, ["Incorrect code."], "allauth's message for a credential it does not accept");
    assert.equal(JSON.parse(erin.posts.filter((p) => p.path === PASSKEY_LOGIN).at(-1).form.get("credential")).id, stored.id,
      "the key signed with the removed passkey");
    assert.ok((await menu(page)).includes("Sign In"), "not signed in");
    assert.deepEqual(await allauthErrors(page), [], "the browser side went through");
    report(t, erin);
  }));

  test("passkey-only signup (MFA_PASSKEY_SIGNUP_ENABLED): email code, passkey, sign out, sign in with it", { timeout: TEST_MS }, step(async (t) => {
    const dave = await user("platform");
    const base = passkeySignupSite.base;
    const { page } = dave;
    const email = "dave@example.com";
    await page.goto(`${base}${SIGNUP}`);
    await page.getByRole("link", { name: "Sign up using a passkey" }).click();
    await page.getByRole("heading", { name: "Passkey Sign Up" }).waitFor();
    assert.equal(await page.getByLabel("Password", { exact: false }).count(), 0, "no password asked");
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Sign Up" }).click();

    // allauth mails a verification code; the user reads it and types it.
    await page.getByLabel("Code").waitFor();
    const code = verificationCode(passkeySignupSite, email);
    await page.getByLabel("Code").fill(code);
    await page.getByRole("button", { name: "Confirm" }).click();

    // allauth's passkey creation page: the passkey is the account's only credential.
    await page.waitForURL(`${base}${WEBAUTHN_SIGNUP}`);
    await page.getByRole("heading", { name: "Create Passkey" }).waitFor();
    await page.getByLabel("Name").fill("only key");
    await page.getByRole("button", { name: "Create" }).click();
    await landOrFail(dave, `${base}${MFA_INDEX}`);
    await assertSignedIn(page, base, "dave", ["Security key added.", "Successfully signed in as dave."]);
    const registration = lastCredentialPost(dave, WEBAUTHN_SIGNUP);
    const stored = await checkRegistration(dave, registration, email);
    assert.match(await page.locator("body").textContent(), /You have added 1 security key\./);

    await signOut(dave, base);
    const assertion = await signInWithPasskey(dave, base, "dave");
    checkAssertion(dave, assertion, stored);
    assert.deepEqual(await allauthErrors(page), []);
    assert.deepEqual(dave.bridgeErrors, []);
    report(t, dave);
  }));
});

/**
 * The verification code in the last mail the site wrote to `email` (Django's file backend). The
 * mail is written before the page that asks for the code is answered.
 */
function verificationCode(site, email) {
  const dir = join(site.dir, "mails");
  const mails = existsSync(dir) ? readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), "utf8")) : [];
  const mail = mails.filter((m) => m.includes(`To: ${email}`)).at(-1);
  assert.ok(mail, `no mail to ${email} in ${dir}`);
  const match = /Please enter it in your open browser window\.\s+(\S+)/.exec(mail);
  assert.ok(match, `no code in the mail:\n${mail}`);
  return match[1];
}
