// softfido's own pages (`softfido serve`) in headless Chromium with softfido authenticators
// inside the browser: @softfido/playwright (packages/playwright) and `softfido bridge`.
//
// Each scenario signs up, adds a passkey on the account page, signs out, signs in with the
// passkey and reads amr/acr on /me, or the page's error for a refusal. What is expected comes
// from the project's oracle, `softfido expect --profile P --rp-uv UV`, not from this file.
//
// Environment: SOFTFIDO_BIN (default target/debug/softfido), CHROMIUM_BIN (default /usr/bin/chromium).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { install, stopBridges } from "../../packages/playwright/index.mjs";
import {
  CHROMIUM, CHROMIUM_ARGS, SOFTFIDO, killServers, landOnMe, listedPasskeys, message, readLog, readMe,
  startServer, stopServer,
} from "./support.mjs";

/** The whole file: past this the browser and servers are killed and the run fails. */
const WATCHDOG_MS = 120_000;
const TEST_MS = 30_000;
const ACTION_MS = 10_000;
const PROFILES = ["security-key", "platform", "synced-passkey", "software-token"];
/** What the pages say for a NotAllowedError (relying-party/web/passkeys.js, describeError). */
const NOT_ALLOWED = "The passkey request was cancelled, timed out, or no matching passkey was available.";
const PASSWORD = "correct horse battery";

const scratch = mkdtempSync(join(tmpdir(), "softfido-bridge-"));
const servers = [];
let failed = false;
process.on("exit", () => {
  killServers(servers);
  rmSync(scratch, { recursive: true, force: true });
});
const watchdog = setTimeout(() => {
  console.error(`bridge tests: still running after ${WATCHDOG_MS} ms; killing the servers and the browser`);
  killServers(servers);
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();

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

/**
 * The oracle's verdict for a sign-in with `profile` (or `--config JSON`) against `softfido serve
 * --trust-softfido-test-root`, with more of `softfido expect`'s options in `extra`: {amr, acr}
 * as /me shows them, or {error}.
 */
function expected(profile, extra = []) {
  const args = ["expect", ...(typeof profile === "string" ? ["--profile", profile] : ["--config", JSON.stringify(profile)]),
    // softfido's pages ask for the uvm extension (the IdP reads it), so the bridge passes it on.
    "--trusted-attestation", "--uvm-requested", ...extra];
  const run = spawnSync(SOFTFIDO, args, { encoding: "utf8", timeout: ACTION_MS });
  assert.equal(run.status, 0, `softfido ${args.join(" ")} failed: ${run.stderr}${run.error ? run.error.message : ""}`);
  const verdict = JSON.parse(run.stdout);
  if (verdict.error != null) return { error: verdict.error };
  return { amr: [...verdict.amr].sort(), acr: verdict.acr ?? "none" };
}

/** What /me shows, with amr sorted as the oracle's. */
async function claims(page, base) {
  const me = await readMe(page, base);
  return { amr: [...me.amr].sort(), acr: me.acr };
}

let browser;
let usernames = 0;

/**
 * A new browser context with softfido installed (`install` options), one tab, and the page's
 * WebAuthn API calls recorded in order.
 */
async function newUser(options) {
  const context = await browser.newContext();
  context.setDefaultTimeout(ACTION_MS);
  context.setDefaultNavigationTimeout(ACTION_MS);
  const softfido = await install(context, { binary: SOFTFIDO, onError: () => {}, ...options });
  const page = await context.newPage();
  const calls = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith("/webauthn/") && request.method() === "POST") calls.push(path);
  });
  usernames += 1;
  return { context, page, softfido, calls, username: `user${usernames}` };
}

/** A named profile's configuration, as the bridge answers it. */
async function profileConfig(profile) {
  const { context, softfido } = await newUser({ profile });
  const { config } = softfido;
  await context.close();
  return config;
}

/** Signs up with a password on /signup. */
async function signUp({ page, username }, base) {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("#add-passkey").waitFor({ state: "visible" });
}

/**
 * Adds a passkey on /passkeys/manage (a discoverable credential unless `discoverable` is false).
 * Resolves to null, or the page's error message.
 */
async function addPasskey({ page }, base, { discoverable = true } = {}) {
  await page.goto(`${base}/passkeys/manage`);
  await page.locator("#add-section").waitFor({ state: "visible" });
  await page.getByLabel("Name", { exact: true }).fill("softfido");
  await page.locator("#passkey-discoverable").setChecked(discoverable);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  const error = page.locator("#message.error");
  const added = page.locator("#passkey-list > li").first();
  await Promise.race([error.waitFor({ state: "visible" }), added.waitFor()]);
  if (await error.isVisible()) return (await error.textContent()).trim();
  assert.deepEqual(await message(page), { text: "Passkey added.", kind: "ok" });
  return null;
}

/**
 * Signs out and presses "Sign in with a passkey" on /signin. Resolves to {me} once on /me, or
 * {error} with the page's message.
 */
async function signInWithPasskey(user, base) {
  const { context, page } = user;
  await context.clearCookies();
  await page.goto(`${base}/signin`);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  try {
    await landOnMe(page, base);
  } catch (error) {
    const shown = await message(page);
    if (shown && shown.kind === "error") return { error: shown.text };
    throw error;
  }
  return { me: await claims(page, base) };
}

/** Whether /me shows no session. */
async function signedOut(page, base) {
  await page.goto(`${base}/me`);
  await page.locator("#signed-out, #session").first().waitFor({ state: "visible" });
  return page.locator("#signed-out").isVisible();
}

/** The whole round: sign up, add a passkey, sign in with it. Returns the outcome and the user. */
async function passkeyRound(options, base, beforeSignIn = async () => {}) {
  const user = await newUser(options);
  await signUp(user, base);
  const refused = await addPasskey(user, base);
  if (refused) return { user, outcome: { error: refused } };
  await beforeSignIn(user);
  return { user, outcome: await signInWithPasskey(user, base) };
}

describe("softfido's pages with softfido authenticators in Chromium (the bridge)", { timeout: WATCHDOG_MS }, () => {
  let base;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/browser-setup.sh`);
    const [server, launched] = await Promise.all([
      startServer(servers, scratch, "rp", ["--trust-softfido-test-root"]),
      chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 }),
    ]);
    base = server.base;
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
    for (const s of servers) await stopServer(s);
    killServers(servers);
    if (failed) {
      for (const s of servers) console.error(`--- ${s.name} log (${s.base}) ---\n${readLog(s).slice(-4000)}`);
    }
    clearTimeout(watchdog);
  });

  for (const profile of PROFILES) {
    test(`${profile}: sign up, add a passkey, sign in with it: amr/acr as the oracle says`, { timeout: TEST_MS }, step(async () => {
      const want = expected(profile);
      const { user, outcome } = await passkeyRound({ profile }, base);
      if (want.error !== undefined) {
        assert.ok(outcome.error, `the oracle refuses (${want.error}); the page signed in: ${JSON.stringify(outcome)}`);
      } else {
        assert.deepEqual(outcome, { me: want }, `${profile}: what /me shows`);
        assert.ok(user.calls.includes("/webauthn/login/finish"), "signed in with the passkey");
      }
      await user.context.close();
    }));
  }

  test("u2f-security-key: a U2F-only key makes no passkey, is added as a key and signs in username-first", { timeout: TEST_MS }, step(async () => {
    const want = expected("u2f-security-key", ["--username-first"]);
    assert.deepEqual(want.amr, ["hwk", "pop", "user"], `the oracle's verdict: ${JSON.stringify(want)}`);
    const user = await newUser({ profile: "u2f-security-key" });
    await signUp(user, base);
    const refused = await addPasskey(user, base);
    assert.ok(refused, "a U2F key cannot make the discoverable credential the page asks for by default");
    assert.equal(await addPasskey(user, base, { discoverable: false }), null, "added as a non-discoverable key");
    await user.context.clearCookies();
    await user.page.goto(`${base}/signin`);
    await user.page.getByLabel("Username", { exact: true }).fill(user.username);
    await user.page.getByRole("button", { name: "Continue with a passkey" }).click();
    await landOnMe(user.page, base);
    assert.deepEqual(await claims(user.page, base), want, "what /me shows after the U2F key signed");
    assert.ok(user.calls.includes("/webauthn/login/finish"), "signed in with the key");
    await user.context.close();
  }));

  test("security-key: a wrong PIN is refused, then the right one signs in", { timeout: TEST_MS }, step(async () => {
    const refusal = expected("security-key", ["--wrong-pin"]);
    const want = expected("security-key");
    assert.ok(refusal.error, `the oracle refuses a wrong PIN: ${JSON.stringify(refusal)}`);
    const { user, outcome } = await passkeyRound({ profile: "security-key" }, base,
      (u) => u.softfido.next({ pin: "9999" }));
    assert.deepEqual(outcome, { error: NOT_ALLOWED }, "a wrong PIN is a NotAllowedError on the page");
    assert.ok(!user.calls.includes("/webauthn/login/finish"), "nothing was sent to sign in");
    // The queued answer was for that ceremony only: the next one types the configured PIN.
    await user.page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await landOnMe(user.page, base);
    assert.deepEqual(await claims(user.page, base), want);
    await user.context.close();
  }));

  // The timeout: a key that waits one second for the touch, not the profile's thirty.
  const quickTimeout = async (profile) => ({ config: { ...(await profileConfig(profile)), presence_timeout: { secs: 1, nanos: 0 } } });
  for (const [name, profile, answers, oracleOptions, install_ = async () => ({ profile })] of [
    ["a biometric no-match", "platform", { biometric: "no_match" }, ["--biometric", "no_match"]],
    ["a denied touch", "security-key", { presence: "deny" }, ["--presence", "deny"]],
    ["a touch that times out", "security-key", { presence: "timeout" }, ["--presence", "timeout"], quickTimeout],
  ]) {
    test(`${profile}: ${name} at sign-in is refused; the page says so and signs nobody in`, { timeout: TEST_MS }, step(async () => {
      const options = await install_(profile);
      const refusal = expected(options.config || profile, oracleOptions);
      assert.ok(refusal.error, `the oracle refuses: ${JSON.stringify(refusal)}`);
      const { user, outcome } = await passkeyRound(options, base, (u) => u.softfido.next(answers));
      assert.deepEqual(outcome, { error: NOT_ALLOWED });
      assert.ok(!user.calls.includes("/webauthn/login/finish"), "no assertion reached the server");
      assert.equal(await signedOut(user.page, base), true, "no session");
      await user.context.close();
    }));
  }

  test("a platform authenticator with a sensor is a user-verifying platform authenticator; a key is not", { timeout: TEST_MS }, step(async () => {
    for (const [profile, expected] of [["platform", true], ["security-key", false]]) {
      const { context, page } = await newUser({ profile });
      await page.goto(`${base}/signin`);
      const answers = await page.evaluate(async () => ({
        uvpaa: await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(),
        capability: (await PublicKeyCredential.getClientCapabilities()).userVerifyingPlatformAuthenticator,
      }));
      assert.deepEqual(answers, { uvpaa: expected, capability: expected }, profile);
      await context.close();
    }
  }));

  test("a passkey registered once signs in from a fresh context with the exported state", { timeout: TEST_MS }, step(async () => {
    const want = expected("platform");
    const first = await newUser({ profile: "platform" });
    await signUp(first, base);
    assert.equal(await addPasskey(first, base), null);
    const state = await first.softfido.exportState();
    await first.context.close();
    const later = await newUser({ profile: "platform", state });
    assert.equal((await later.softfido.credentials()).length, 1, "the same discoverable credential");
    const outcome = await signInWithPasskey(later, base);
    assert.deepEqual(outcome, { me: want });
    const fresh = await newUser({ profile: "platform" });
    assert.ok((await signInWithPasskey(fresh, base)).error, "a new authenticator holds no passkey");
    await later.context.close();
    await fresh.context.close();
  }));

  test("a credential seeded with a key the test made signs the page's get() with that key", { timeout: TEST_MS }, step(async () => {
    const user = await newUser({ profile: "software-token" });
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pkcs8 = privateKey.export({ type: "pkcs8", format: "der" }).toString("base64url");
    const seeded = await user.softfido.create("localhost", { userHandle: "dTE", userName: "seeded", privateKey: pkcs8 });
    await user.page.goto(`${base}/signin`);
    const credential = await user.page.evaluate(async () =>
      (await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(32), rpId: "localhost" } })).toJSON());
    assert.equal(credential.id, seeded.id);
    assert.equal(credential.response.userHandle, "dTE");
    const bytes = (value) => Buffer.from(value, "base64url");
    const signed = Buffer.concat([bytes(credential.response.authenticatorData),
      createHash("sha256").update(bytes(credential.response.clientDataJSON)).digest()]);
    assert.ok(verify("sha256", signed, publicKey, bytes(credential.response.signature)), "signed with the seeded key");
    await user.context.close();
  }));

  test("a denied touch when adding a passkey shows the page's error and registers nothing", { timeout: TEST_MS }, step(async () => {
    const user = await newUser({ profile: "security-key" });
    await signUp(user, base);
    await user.softfido.next({ presence: "deny" });
    assert.equal(await addPasskey(user, base), NOT_ALLOWED);
    assert.ok(!user.calls.includes("/webauthn/register/finish"), "no credential reached the server");
    assert.deepEqual(await user.softfido.credentials(), [], "the authenticator holds no credential");
    assert.deepEqual(user.softfido.refusals.map(({ op, name }) => ({ op, name })), [{ op: "create", name: "NotAllowedError" }]);
    assert.match(user.softfido.refusals[0].detail, /CTAP2_ERR_OPERATION_DENIED/, "the test learns why");
    // The page does not: a denied touch reads like every other NotAllowedError (WebAuthn L3 §14.5.2).
    const pageMessage = await user.page.evaluate(async () => {
      try {
        await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16), allowCredentials: [{ type: "public-key", id: new Uint8Array(8) }] } });
        return null;
      } catch (error) {
        return `${error.name}: ${error.message}`;
      }
    });
    assert.equal(pageMessage, "NotAllowedError: The operation either timed out or was not allowed.");
    assert.match(user.softfido.refusals[1].detail, /CTAP2_ERR_NO_CREDENTIALS/);
    await user.page.reload();
    await listedPasskeys(user.page);
    assert.equal(await user.page.locator("#empty").isVisible(), true, "the account lists no passkey");
    await user.context.close();
  }));

  test("a user verification the relying party requires and the key lacks: the oracle's refusal", { timeout: TEST_MS }, step(async () => {
    const want = expected("software-token", ["--rp-uv", "required"]);
    const strict = await startServer(servers, scratch, "rp-uv-required", ["--trust-softfido-test-root", "--uv", "required"]);
    const { user, outcome } = await passkeyRound({ profile: "software-token" }, strict.base);
    if (want.error !== undefined) {
      assert.ok(outcome.error, `the oracle refuses (${want.error}); the page: ${JSON.stringify(outcome)}`);
      assert.ok(!user.calls.includes("/webauthn/login/finish"));
    } else {
      assert.deepEqual(outcome, { me: want });
    }
    await user.context.close();
    await stopServer(strict);
  }));

  test("the autofill: a conditional request signs in once the user picks the passkey", { timeout: TEST_MS }, step(async () => {
    const want = expected("security-key");
    const user = await newUser({ profile: "security-key" });
    await signUp(user, base);
    assert.equal(await addPasskey(user, base), null);
    await user.context.clearCookies();
    const from = user.calls.length;
    await user.page.goto(`${base}/signin`);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(user.calls.slice(from), ["/webauthn/login/start"], "the autofill waits for the user");
    const [stored] = await user.softfido.credentials({ rpId: "localhost" });
    const answer = await user.softfido.autofill(stored.id);
    assert.ok(answer.credential, JSON.stringify(answer));
    await landOnMe(user.page, base);
    assert.deepEqual(await claims(user.page, base), want);
    await user.context.close();
  }));

  test("the page's credential objects carry the bridge's answers byte for byte", { timeout: TEST_MS }, step(async () => {
    const user = await newUser({ profile: "security-key" });
    await user.page.goto(`${base}/me`);
    const seen = await user.page.evaluate(async () => {
      const bytes = (buffer) => Array.from(new Uint8Array(buffer));
      const b64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      const userId = new Uint8Array([1, 2, 3, 250]);
      const created = await navigator.credentials.create({ publicKey: {
        rp: { id: "localhost", name: "localhost" },
        user: { id: userId, name: "surface", displayName: "Surface" },
        challenge: new Uint8Array(32).fill(7),
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        authenticatorSelection: { residentKey: "required" },
        extensions: { credProps: true, prf: {} },
      } });
      const getWith = (extensions) => navigator.credentials.get({ publicKey: {
        challenge: new Uint8Array(32).fill(9),
        allowCredentials: [{ type: "public-key", id: created.rawId }],
        extensions,
      } });
      const asserted = await getWith({ prf: { eval: { first: new Uint8Array([1, 2, 3]) } } });
      const prfOutput = (credential) => {
        const { first } = credential.getClientExtensionResults().prf.results;
        return first instanceof ArrayBuffer ? b64url(first) : `not an ArrayBuffer: ${first}`;
      };
      const prf = {
        enabled: created.getClientExtensionResults().prf.enabled,
        first: prfOutput(asserted),
        again: prfOutput(await getWith({ prf: { evalByCredential: { [created.id]: { first: new Uint8Array([1, 2, 3]).buffer } } } })),
        other: prfOutput(await getWith({ prf: { eval: { first: new Uint8Array([4]) } } })),
      };
      const refusal = async (publicKey) => navigator.credentials.create({ publicKey: {
        rp: { id: "localhost", name: "localhost" },
        user: { id: userId, name: "surface", displayName: "Surface" },
        challenge: new Uint8Array(32),
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        ...publicKey,
      } }).then(() => "created", (e) => `${e instanceof DOMException ? "DOMException" : "other"} ${e.name}`);
      return {
        createdIs: created instanceof PublicKeyCredential && created.response instanceof AuthenticatorAttestationResponse,
        assertedIs: asserted instanceof PublicKeyCredential && asserted.response instanceof AuthenticatorAssertionResponse,
        rawIdMatchesId: b64url(created.rawId) === created.id,
        createdClientData: JSON.parse(new TextDecoder().decode(created.response.clientDataJSON)),
        algorithm: created.response.getPublicKeyAlgorithm(),
        publicKey: b64url(created.response.getPublicKey()),
        transports: created.response.getTransports(),
        credProps: created.getClientExtensionResults().credProps,
        createdJSON: JSON.parse(JSON.stringify(created)),
        registeredData: bytes(created.response.getAuthenticatorData()),
        assertedId: asserted.id,
        userHandle: bytes(asserted.response.userHandle),
        assertedJSON: asserted.toJSON(),
        authenticatorData: b64url(asserted.response.authenticatorData),
        clientDataJSON: b64url(asserted.response.clientDataJSON),
        signature: b64url(asserted.response.signature),
        prf,
        excluded: await refusal({ excludeCredentials: [{ type: "public-key", id: created.rawId }] }),
        foreignRp: await refusal({ rp: { id: "example.com", name: "x" } }),
        unknownAlgorithm: await refusal({ pubKeyCredParams: [{ type: "public-key", alg: -257 }] }),
      };
    });
    assert.equal(seen.createdIs, true);
    assert.equal(seen.assertedIs, true);
    assert.equal(seen.rawIdMatchesId, true);
    assert.deepEqual([seen.createdClientData.type, seen.createdClientData.origin, seen.createdClientData.challenge],
      ["webauthn.create", base, Buffer.alloc(32, 7).toString("base64url")]);
    assert.equal(seen.algorithm, -7);
    assert.ok(seen.transports.length > 0, "the key names its transports");
    assert.deepEqual(seen.credProps, { rk: true });
    assert.equal(seen.createdJSON.response.publicKey, seen.publicKey, "toJSON() and getPublicKey() agree");
    const rpIdHash = createHash("sha256").update("localhost").digest();
    assert.deepEqual(Buffer.from(seen.registeredData.slice(0, 32)), rpIdHash, "authenticator data for rp.id localhost");
    assert.equal(seen.assertedId, seen.createdJSON.id);
    assert.deepEqual(seen.userHandle, [1, 2, 3, 250]);
    assert.deepEqual([seen.assertedJSON.response.authenticatorData, seen.assertedJSON.response.signature],
      [seen.authenticatorData, seen.signature]);
    // The signature the page holds verifies over the bytes the page holds (WebAuthn L3 §7.2 step 20).
    const signed = Buffer.concat([Buffer.from(seen.authenticatorData, "base64url"),
      createHash("sha256").update(Buffer.from(seen.clientDataJSON, "base64url")).digest()]);
    const key = createPublicKey({ key: Buffer.from(seen.publicKey, "base64url"), format: "der", type: "spki" });
    assert.equal(verify("sha256", signed, key, Buffer.from(seen.signature, "base64url")), true, "the ES256 signature verifies");
    assert.equal(seen.prf.enabled, true, "prf enabled at creation");
    assert.equal(Buffer.from(seen.prf.first, "base64url").length, 32, `a 32-byte prf output: ${seen.prf.first}`);
    assert.equal(seen.prf.again, seen.prf.first, "the same input gives the same output (eval or evalByCredential)");
    assert.notEqual(seen.prf.other, seen.prf.first, "another input gives another output");
    assert.equal(seen.excluded, "DOMException InvalidStateError");
    assert.equal(seen.foreignRp, "DOMException SecurityError");
    assert.equal(seen.unknownAlgorithm, "DOMException NotSupportedError");
    await user.context.close();
  }));

  test("a second opinion: the same round with Chromium's own virtual authenticator", { timeout: TEST_MS }, step(async () => {
    // One authenticator shape through two WebAuthn clients: a roaming key with built-in user
    // verification and self attestation (nothing trusted), no backup.
    const softwareToken = await profileConfig("software-token");
    // No uvm: Chromium's virtual authenticator has no such extension.
    const config = { ...softwareToken, uv: { kind: "builtin", modality: "fingerprint", enrolled: true, outcome: "match" },
      extensions: { ...softwareToken.extensions, uvm: false } };
    const viaBridge = await passkeyRound({ config }, base);

    const context = await browser.newContext();
    context.setDefaultTimeout(ACTION_MS);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable", { enableUI: false });
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "usb", hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true, automaticPresenceSimulation: true },
    });
    usernames += 1;
    const viaChromium = { context, page, username: `user${usernames}` };
    await signUp(viaChromium, base);
    assert.equal(await addPasskey(viaChromium, base), null);
    // A roaming virtual key: Chromium leaves the autofill to platform authenticators, so the
    // button signs in, as with the bridge.
    const { me: chromiumMe } = await signInWithPasskey(viaChromium, base);

    assert.deepEqual(viaBridge.outcome, { me: chromiumMe }, "the bridge and Chromium agree");
    assert.deepEqual(chromiumMe, expected(config), "both as the oracle says of that shape");
    await context.close();
    await viaBridge.user.context.close();
  }));
});
