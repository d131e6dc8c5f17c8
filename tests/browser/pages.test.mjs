// Headless Chromium against the relying party's own web pages (`softfido serve`).
//
// Runs with the built-in test runner: `node --test tests/browser/` (after `npm ci` here, see
// scripts/browser-setup.sh). playwright-core drives Debian's /usr/bin/chromium; each tab gets
// Chromium's virtual authenticator through the CDP `WebAuthn` domain. Everything happens through
// the pages: clicking, filling, reading the DOM. The JSON API is only *observed* (the requests the
// pages make), never called.
//
// Environment: SOFTFIDO_BIN (default target/debug/softfido), CHROMIUM_BIN (default /usr/bin/chromium).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import {
  CHROMIUM, CHROMIUM_ARGS, killServers as killServersIn, landOnMe, listedPasskeys, message, readLog, readMe,
  startServer as startServerIn, stopServer,
} from "./support.mjs";

/** The whole file: past this the browser and servers are killed and the run fails. */
const WATCHDOG_MS = 100_000;
/** One test. */
const TEST_MS = 30_000;
/** One Playwright action or wait. */
const ACTION_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Processes: the server and the browser, killed whatever happens
// ---------------------------------------------------------------------------------------------

const scratch = mkdtempSync(join(tmpdir(), "softfido-browser-"));
const servers = [];
let context = null;
let failed = false;

function killServers() {
  killServersIn(servers);
}
process.on("exit", () => {
  killServers();
  rmSync(scratch, { recursive: true, force: true });
});

const watchdog = setTimeout(() => {
  console.error(`browser tests: still running after ${WATCHDOG_MS} ms; killing the servers and the browser`);
  killServers();
  // playwright-core kills the browsers it launched when the process exits.
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

/** Starts `softfido serve` (see support.mjs), killed whatever happens. */
function startServer(name, extraArgs = []) {
  return startServerIn(servers, scratch, name, extraArgs);
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
// Tabs with a virtual authenticator; what the pages say and do
// ---------------------------------------------------------------------------------------------

/** Console errors and uncaught exceptions of every page, and the CSP header of every document. */
const consoleErrors = [];
const documentPolicies = [];

/**
 * A new tab with its own virtual authenticator (Chromium keeps one set per tab).
 * `options` are WebAuthn.VirtualAuthenticatorOptions beyond the defaults here.
 */
async function openTab(options) {
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`${page.url()}: uncaught ${error.message}`));
  page.on("response", (response) => {
    if (response.request().resourceType() === "document") {
      documentPolicies.push({ url: response.url(), csp: response.headers()["content-security-policy"] });
    }
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const authenticatorOptions = {
    protocol: "ctap2",
    transport: "internal",
    hasResidentKey: true,
    automaticPresenceSimulation: true,
    ...options,
  };
  const tab = {
    page,
    cdp,
    calls: [],
    holding: false,
    held: [],
    authenticatorOptions,
    authenticatorId: null,
    async addAuthenticator() {
      const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: authenticatorOptions });
      return authenticatorId;
    },
    async credentials(id = tab.authenticatorId) {
      return (await cdp.send("WebAuthn.getCredentials", { authenticatorId: id })).credentials;
    },
  };
  // The WebAuthn API calls the page makes, in order, with their JSON bodies. The answers of
  // /webauthn/login/start (the ceremony each opened) are read on the way through the network:
  // the page often navigates away before a response body could be fetched afterwards. The same
  // hook can hold the autofill's request in flight (see openSigninWithAutofillHeld).
  const { calls } = tab;
  const answers = new Map();
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (!path.startsWith("/webauthn/") || request.method() !== "POST") return;
    let body = null;
    try {
      body = request.postDataJSON();
    } catch {
      // not JSON
    }
    calls.push({ path, body, request, get answer() { return answers.get(request) ?? null; } });
  });
  await page.route("**/webauthn/login/start", async (route) => {
    if (tab.holding) {
      tab.held.push(route);
      return;
    }
    try {
      const response = await route.fetch();
      const text = await response.text();
      try {
        answers.set(route.request(), JSON.parse(text));
      } catch {
        // not JSON: the page shows the error
      }
      await route.fulfill({ response, body: text });
    } catch {
      // the page went away meanwhile
    }
  });
  tab.authenticatorId = await tab.addAuthenticator();
  return tab;
}

/** Waits for the page's next call to `path` made after `from` calls were recorded. */
async function nextCall(tab, path, from) {
  const deadline = Date.now() + ACTION_MS;
  for (;;) {
    const call = tab.calls.slice(from).find((c) => c.path === path);
    if (call && call.answer) return call;
    if (Date.now() > deadline) throw new Error(`the page made no ${path} call (calls: ${tab.calls.map((c) => c.path).join(", ")})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The signed flags of an assertion the page sent to /webauthn/login/finish. */
function assertionFlags(finishCall) {
  const data = Buffer.from(finishCall.body.credential.response.authenticatorData, "base64url");
  const flags = data[32];
  return { up: !!(flags & 0x01), uv: !!(flags & 0x04), be: !!(flags & 0x08), bs: !!(flags & 0x10) };
}

/**
 * What the rule table demands (relying-party/src/policy.rs), from what was actually signed and
 * what the management page says of the attestation.
 */
function ruleTable({ password = false, assertion = null, trustedHardware = false }) {
  const amr = new Set();
  let acr = null;
  if (assertion) {
    assert.ok(assertion.up, "R0: a sign-in without user presence is refused, not scored");
    amr.add("pop"); // R1: a verified assertion
    acr = "phr"; // R1: phishing-resistant
    amr.add("user"); // R2: UP
    if (assertion.uv) amr.add("mfa"); // R5: UV. R3/R4 (pin, fpt...) need a known method: no uvm
    // output from Chromium, and no trusted metadata to name one.
    if (assertion.be) {
      amr.add("swk"); // R7: a backup-eligible key is a software key
    } else if (trustedHardware) {
      amr.add("hwk"); // R6
      acr = "phrh";
    } // R8: otherwise only pop for the key, and phr.
  }
  if (password) {
    amr.add("pwd"); // R10 (R9 with a key: + mfa)
    if (assertion) amr.add("mfa");
  }
  return { amr: [...amr].sort(), acr: acr || "none" };
}

/** Whether the management page calls an attestation trusted (R6 needs it). */
function isTrustedSummary(text) {
  return /trusted attestation \(known model\)/.test(text);
}

/** Signs out: the session is a cookie (HttpOnly), so drop the cookies. */
async function signOut() {
  await context.clearCookies();
}

/**
 * Opens /signin with the page's autofill (conditional mediation) request held in flight.
 *
 * The page starts a conditional request on load, and Chromium's virtual authenticator answers
 * conditional requests at once (a real browser waits until the user picks a passkey in the
 * autofill), which would sign in before any button is pressed. So the autofill ceremony's
 * `/webauthn/login/start` is held on the network, as on a slow connection, until the test is
 * done with the page: the button then has to cancel the autofill request, as it must in a real
 * browser. With `holdAll`, later autofill requests are held too. Resolves to `{ held, release }`;
 * call release once the page has gone on.
 */
async function openSigninWithAutofillHeld(tab, base, { holdAll = false } = {}) {
  const { page } = tab;
  tab.held = [];
  tab.holding = true;
  await page.goto(`${base}/signin`);
  // Chromium offers the autofill only with a user-verifying platform authenticator.
  if (await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable())) {
    const deadline = Date.now() + ACTION_MS;
    while (tab.held.length === 0) {
      if (Date.now() > deadline) throw new Error("the sign-in page started no autofill request");
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(tab.held.length, 1);
    assert.deepEqual(tab.held[0].request().postDataJSON(), {}, "the autofill request names no user");
  }
  tab.holding = holdAll;
  return {
    held: tab.held,
    async release() {
      tab.holding = false;
      const held = tab.held.splice(0);
      for (const route of held) await route.abort().catch(() => {});
    },
  };
}

/**
 * Signs in with a passkey on /signin (after signing out): the "Sign in with a passkey" button, or
 * with `username` the username field and "Continue with a passkey". Checks that the ceremony the
 * page finished is the one the button started. Resolves to the signed flags of the assertion.
 */
async function signInWithPasskey(tab, base, { username } = {}) {
  const { page } = tab;
  await signOut();
  const signin = await openSigninWithAutofillHeld(tab, base);
  try {
    assert.equal(await message(page), null, "no message on the sign-in page before anything is done");
    const clicked = tab.calls.length;
    if (username) {
      await page.getByLabel("Username", { exact: true }).fill(username);
      await page.getByRole("button", { name: "Continue with a passkey" }).click();
    } else {
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    }
    const start = await nextCall(tab, "/webauthn/login/start", clicked);
    assert.deepEqual(start.body, username ? { username } : {},
      username ? "username-first" : "the passkey button asks for a discoverable credential (no username)");
    await landOnMe(page, base);
    const finishes = tab.calls.slice(clicked).filter((c) => c.path === "/webauthn/login/finish");
    assert.equal(finishes.length, 1, "one sign-in finished");
    assert.equal(finishes[0].body.ceremony, start.answer.ceremony, "the button's ceremony signed in");
    return assertionFlags(finishes[0]);
  } finally {
    await signin.release();
  }
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

describe("softfido web pages in headless Chromium", { timeout: WATCHDOG_MS }, () => {
  let server;
  let base;
  /** alice: password + a passkey on a UV-capable platform authenticator. */
  let alice;
  const alicePassword = "correct horse battery";
  /** Whether the management page called alice's passkey attestation trusted (R6). */
  let aliceTrusted = false;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/browser-setup.sh`);
    server = await startServer("rp");
    base = server.base;
    context = await chromium.launchPersistentContext(join(scratch, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    context.setDefaultTimeout(ACTION_MS);
    context.setDefaultNavigationTimeout(ACTION_MS);
    // The persistent context opens with a blank tab; every test opens its own.
  });

  after(async () => {
    if (context) {
      let timer;
      const giveUp = new Promise((r) => { timer = setTimeout(r, 10_000); });
      await Promise.race([context.close().catch(() => {}), giveUp]);
      clearTimeout(timer);
    }
    for (const s of servers) await stopServer(s);
    killServers();
    if (failed) {
      for (const s of servers) console.error(`--- ${s.name} log (${s.base}) ---\n${readLog(s).slice(-4000)}`);
    }
    rmSync(scratch, { recursive: true, force: true });
    clearTimeout(watchdog);
  });

  test("sign-up, add/rename a passkey, sign in with the passkey button: pop user mfa, phr", { timeout: TEST_MS }, step(async () => {
    alice = await openTab({ hasUserVerification: true, isUserVerified: true });
    const { page } = alice;

    // Sign up with a password: the account is created and signed in with it.
    await page.goto(`${base}/signup`);
    await page.getByLabel("Username", { exact: true }).fill("alice");
    await page.getByLabel(/^Password/).fill(alicePassword);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#add-passkey").waitFor({ state: "visible" });
    assert.deepEqual(await message(page), { text: "Account “alice” created.", kind: "ok" });
    assert.equal(await page.locator("#passkey-only-warning").isVisible(), false, "no passkey-only warning with a password");
    assert.equal(await page.locator("#done").isVisible(), true, "with a password, the passkey is optional");

    // Add a passkey on the management page.
    await page.goto(`${base}/passkeys/manage`);
    await page.locator("#add-section").waitFor({ state: "visible" });
    assert.equal(await page.locator("#empty").isVisible(), true, "no passkeys yet");
    await page.getByLabel("Name", { exact: true }).fill("laptop");
    assert.equal(await page.getByRole("checkbox", { name: /Discoverable/ }).isChecked(), true, "a passkey is discoverable by default");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.locator("#passkey-list > li").first().waitFor();
    assert.deepEqual(await message(page), { text: "Passkey added.", kind: "ok" });
    let listed = await listedPasskeys(page);
    assert.deepEqual(listed.map((p) => p.name), ["laptop"]);
    assert.match(listed[0].meta, /last used never/);
    // Chromium's virtual authenticator attests with its own certificate, which no metadata here
    // vouches for: not a trusted attestation, so no R6.
    assert.match(listed[0].meta, /no attestation|self attestation|attestation not trusted/);
    const trustedHardware = isTrustedSummary(listed[0].meta);
    aliceTrusted = trustedHardware;
    const [credential] = await alice.credentials();
    assert.equal(credential.isResidentCredential, true, "a resident (discoverable) credential");
    assert.equal(credential.rpId, "localhost");

    // Rename it.
    await listed[0].item.getByRole("textbox").fill("work laptop");
    await listed[0].item.getByRole("button", { name: "Rename" }).click();
    await page.locator("#passkey-list > li .name", { hasText: "work laptop" }).waitFor();
    assert.deepEqual(await message(page), { text: "Passkey renamed.", kind: "ok" });
    listed = await listedPasskeys(page);
    assert.deepEqual(listed.map((p) => p.name), ["work laptop"]);

    // Sign out, sign in with the passkey button.
    const flags = await signInWithPasskey(alice, base);
    assert.deepEqual(flags, { up: true, uv: true, be: false, bs: false }, "what the authenticator signed");
    const me = await readMe(page, base);
    const expected = ruleTable({ assertion: flags, trustedHardware });
    assert.deepEqual(me, expected, "amr/acr as the rule table demands");
    for (const value of ["pop", "user", "mfa"]) assert.ok(me.amr.includes(value), `amr has ${value}: ${me.amr}`);
    assert.ok(!me.amr.includes("hwk"), "no hwk without trusted hardware attestation");
    assert.ok(!me.amr.includes("pwd"), "a passkey sign-in is not a password sign-in");
    assert.equal(me.acr, "phr");
    assert.notEqual(me.acr, "phrh");

    // The management page now shows it used.
    await page.goto(`${base}/passkeys/manage`);
    listed = await listedPasskeys(page);
    assert.doesNotMatch(listed[0].meta, /last used never/);
  }));

  test("an authenticator without user verification, username-first: pop user, no mfa", { timeout: TEST_MS }, step(async () => {
    await signOut();
    const bob = await openTab({ hasUserVerification: false });
    const { page } = bob;

    // A passkey-only account: sign up without a password, add the passkey on the sign-up page.
    await page.goto(`${base}/signup`);
    await page.getByLabel("Username", { exact: true }).fill("bob");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#add-passkey").waitFor({ state: "visible" });
    assert.equal(await page.locator("#passkey-only-warning").isVisible(), true, "passkey-only accounts are warned");
    assert.equal(await page.locator("#done").isVisible(), false, "no way on without a passkey");
    await page.getByLabel("Name for the passkey", { exact: true }).fill("old key");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.locator("#done").waitFor({ state: "visible" });
    assert.deepEqual(await message(page), { text: "Passkey added.", kind: "ok" });
    assert.equal((await page.locator("#done-text").textContent()).trim(), "Your passkey is saved.");
    await page.getByRole("link", { name: "Continue" }).click();
    await page.waitForURL(`${base}/me`);
    await page.locator("#session").waitFor({ state: "visible" });
    assert.equal((await bob.credentials()).length, 1);

    await page.goto(`${base}/passkeys/manage`);
    const listed = await listedPasskeys(page);
    assert.deepEqual(listed.map((p) => p.name), ["old key"]);
    const trustedHardware = isTrustedSummary(listed[0].meta);

    // Username-first ("Continue with a passkey"): Chromium answers a request for a discoverable
    // credential (the "Sign in with a passkey" button, no username) only from an authenticator
    // that can verify the user; with an allow list it uses this one.
    const flags = await signInWithPasskey(bob, base, { username: "bob" });
    assert.deepEqual(flags, { up: true, uv: false, be: false, bs: false }, "what the authenticator signed");
    const me = await readMe(page, base);
    assert.deepEqual(me, ruleTable({ assertion: flags, trustedHardware }), "amr/acr as the rule table demands");
    assert.ok(me.amr.includes("pop") && me.amr.includes("user"), `amr: ${me.amr}`);
    assert.ok(!me.amr.includes("mfa"), `no mfa without UV: ${me.amr}`);
    assert.equal(me.acr, "phr");
    await page.close();
  }));

  test("with --uv required, a key without user verification is refused, legibly", { timeout: TEST_MS }, step(async () => {
    await signOut();
    const strict = await startServer("rp-uv-required", ["--uv", "required"]);
    const carol = await openTab({ hasUserVerification: false });
    const { page } = carol;
    await page.goto(`${strict.base}/signup`);
    await page.getByLabel("Username", { exact: true }).fill("carol");
    await page.getByLabel(/^Password/).fill("carol's password");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.locator("#add-passkey").waitFor({ state: "visible" });
    const from = carol.calls.length;
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.locator("#message.error").waitFor({ state: "visible" });
    const shown = await message(page);
    assert.equal(shown.kind, "error");
    // A sentence for a person, not an exception dump.
    assert.match(shown.text, /^[A-Z][^\n]{10,200}\.$/, `a readable message: ${shown.text}`);
    assert.doesNotMatch(shown.text, /DOMException|undefined|\[object/);
    assert.equal(await page.locator("#add-passkey").isVisible(), true, "the form stays for another try");
    assert.equal(carol.calls.slice(from).filter((c) => c.path === "/webauthn/register/finish").length, 0,
      "nothing was registered");
    assert.equal((await carol.credentials()).length, 0);
    await page.goto(`${strict.base}/passkeys/manage`);
    await page.locator("#list-section").waitFor({ state: "visible" });
    assert.equal(await page.locator("#empty").isVisible(), true, "no passkey listed");
    await page.close();
    await stopServer(strict);
  }));

  test("password sign-in on /signin: amr pwd, no acr", { timeout: TEST_MS }, step(async () => {
    const { page } = alice;
    await signOut();
    const from = alice.calls.length;
    let signin = await openSigninWithAutofillHeld(alice, base, { holdAll: true });
    try {
      // Conditional mediation: the username field offers passkeys in its autofill.
      assert.equal(await page.locator("#username").getAttribute("autocomplete"), "username webauthn");
      assert.equal(signin.held.length, 1, "the autofill request is in flight");
      await page.getByLabel("Username", { exact: true }).fill("alice");
      await page.getByLabel("Password", { exact: true }).fill(alicePassword);
      await page.getByRole("button", { name: "Sign in with password" }).click();
      await landOnMe(page, base);
    } finally {
      await signin.release();
    }
    assert.equal(alice.calls.slice(from).filter((c) => c.path === "/webauthn/login/finish").length, 0,
      "no passkey was used");
    const me = await readMe(page, base);
    assert.deepEqual(me, ruleTable({ password: true }));
    assert.deepEqual(me.amr, ["pwd"]);
    assert.equal(me.acr, "none");
    assert.match(await page.locator("#acr").textContent(), /No acr/);

    // A wrong password is refused on the page, which then offers the autofill again.
    await signOut();
    signin = await openSigninWithAutofillHeld(alice, base, { holdAll: true });
    try {
      await page.getByLabel("Username", { exact: true }).fill("alice");
      await page.getByLabel("Password", { exact: true }).fill("not the password");
      await page.getByRole("button", { name: "Sign in with password" }).click();
      await page.locator("#message.error").waitFor({ state: "visible" });
      assert.equal((await message(page)).text, "unknown user or wrong password");
      assert.equal(page.url(), `${base}/signin`);
      const deadline = Date.now() + ACTION_MS;
      while (signin.held.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.equal(signin.held.length, 2, "the autofill request restarted after the failure");
    } finally {
      await signin.release();
    }
  }));

  test("conditional mediation signs in from the autofill; deleting the passkey removes it", { timeout: TEST_MS }, step(async () => {
    const { page } = alice;
    await signOut();
    const from = alice.calls.length;
    await page.goto(`${base}/signin`);
    // No click: Chromium's virtual authenticator answers the autofill request by itself.
    await landOnMe(page, base);
    assert.equal(await page.evaluate(() => PublicKeyCredential.isConditionalMediationAvailable()), true);
    const starts = alice.calls.slice(from).filter((c) => c.path === "/webauthn/login/start");
    assert.equal(starts.length, 1, "one request: the autofill's");
    assert.deepEqual(starts[0].body, {}, "the autofill request names no user");
    const finish = alice.calls.slice(from).find((c) => c.path === "/webauthn/login/finish");
    assert.ok(finish, "signed in with a passkey");
    assert.equal(finish.body.ceremony, starts[0].answer.ceremony);
    const flags = assertionFlags(finish);
    const me = await readMe(page, base);
    assert.deepEqual(me, ruleTable({ assertion: flags, trustedHardware: aliceTrusted }));
    assert.deepEqual(me, { amr: ["mfa", "pop", "user"], acr: "phr" });

    // Delete the passkey on the management page (confirming the dialog).
    await page.goto(`${base}/passkeys/manage`);
    const [passkey] = await listedPasskeys(page);
    assert.equal(passkey.name, "work laptop");
    const dialog = page.waitForEvent("dialog").then(async (d) => {
      const text = d.message();
      await d.accept();
      return text;
    });
    await passkey.item.getByRole("button", { name: "Delete" }).click();
    assert.match(await dialog, /Delete the passkey “work laptop”\?/);
    await page.locator("#empty").waitFor({ state: "visible" });
    assert.deepEqual(await message(page), { text: "Passkey deleted.", kind: "ok" });
    assert.equal(await page.locator("#passkey-list > li").count(), 0, "gone from the list");
    await page.reload();
    await page.locator("#empty").waitFor({ state: "visible" });
    assert.equal(await page.locator("#passkey-list > li").count(), 0, "gone after a reload");

    // The key still holds it, but the site no longer accepts it.
    await signOut();
    const retry = alice.calls.length;
    await page.goto(`${base}/signin`);
    await page.locator("#message.error").waitFor({ state: "visible" });
    assert.match((await message(page)).text, /credential|passkey/i, "the page says why");
    assert.ok(alice.calls.slice(retry).some((c) => c.path === "/webauthn/login/finish"), "the autofill tried it");
    assert.equal(page.url(), `${base}/signin`, "not signed in");
    await page.goto(`${base}/me`);
    await page.locator("#signed-out").waitFor({ state: "visible" });
  }));

  test("no Content Security Policy violations on any page", { timeout: TEST_MS }, step(async () => {
    // The pages were served under the strict policy...
    const pages = documentPolicies.filter((d) => /\/(signin|signup|me|passkeys\/manage)$/.test(new URL(d.url).pathname));
    assert.ok(pages.length >= 8, `documents seen: ${pages.length}`);
    for (const { url, csp } of pages) {
      assert.ok(csp && csp.startsWith("default-src 'self'"), `${url}: ${csp}`);
      assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${url}: ${csp}`);
    }
    // ...and nothing they did broke it, nor threw.
    const violations = consoleErrors.filter((e) => e.includes("Content Security Policy"));
    assert.deepEqual(violations, [], "CSP violations in the console");
    const uncaught = consoleErrors.filter((e) => e.includes(": uncaught "));
    assert.deepEqual(uncaught, [], "uncaught exceptions in the pages");
    const other = consoleErrors.filter((e) => !violations.includes(e) && !uncaught.includes(e));
    if (other.length) console.log(`other console errors (not failures):\n  ${other.join("\n  ")}`);
  }));
});
