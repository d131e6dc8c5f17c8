// The django-allauth target (targets/django-allauth) on its own, as `softfido matrix --target`
// uses it: serve.sh starts the provider, the driver signs up, adds the authenticator and signs
// in through allauth's pages, and the code the provider sends to the client is redeemed at its
// token endpoint. Pins what allauth's ID token holds after each sign-in method (no amr, no acr)
// and that the driver reports the page's error when a ceremony fails.
//
// Setup: scripts/allauth-setup.sh, scripts/browser-setup.sh, cargo build -p softfido-harness.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { install, stopBridges } from "../../packages/playwright/index.mjs";
import * as driver from "../../targets/django-allauth/driver.mjs";
import { CHROMIUM, CHROMIUM_ARGS, REPO, SOFTFIDO, freePort } from "./support.mjs";

const TARGET = join(REPO, "targets/django-allauth");
const WATCHDOG_MS = 90_000;
const TEST_MS = 20_000;
const PASSWORD = "correct horse battery";
/** The claims allauth's ID token has after any sign-in with scope openid (see the README). */
const CLAIMS = ["at_hash", "aud", "exp", "iat", "iss", "jti", "nonce", "sub"];

/** target.toml's values this test needs (a line-based read of the flat keys it uses). */
function targetValue(section, key) {
  const text = readFileSync(join(TARGET, "target.toml"), "utf8");
  const body = section ? text.split(`[${section}]`)[1].split(/^\[/m)[0] : text.split(/^\[/m)[0];
  const match = new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m").exec(body);
  assert.ok(match, `target.toml: no ${section}.${key}`);
  return match[1];
}

const b64url = (bytes) => Buffer.from(bytes).toString("base64url");

describe("the django-allauth target: serve.sh and driver.mjs", { timeout: WATCHDOG_MS }, () => {
  let server;
  let browser;
  let port;
  let log = "";
  const clientId = targetValue("client", "id");
  const secret = targetValue("client", "secret");
  let issuer;
  let redirectUri;
  let accounts = 0;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: run scripts/browser-setup.sh`);
    assert.ok(existsSync(SOFTFIDO), `no softfido binary at ${SOFTFIDO}: cargo build -p softfido-harness`);
    port = await freePort();
    issuer = targetValue("", "issuer").replace("{port}", port);
    redirectUri = targetValue("client", "redirect_uri").replace("{port}", port);
    server = spawn("./serve.sh", [String(port)], { cwd: TARGET, stdio: ["ignore", "pipe", "pipe"] });
    // serve.sh execs the server: this is its process, killed whatever ends the run.
    process.on("exit", () => { if (server.exitCode === null) server.kill("SIGKILL"); });
    server.stdout.on("data", (d) => { log += d; });
    server.stderr.on("data", (d) => { log += d; });
    const launched = chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      assert.equal(server.exitCode, null, `serve.sh ended:\n${log}`);
      assert.ok(Date.now() < deadline, `the provider did not answer:\n${log}`);
      try {
        const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launched;
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopBridges();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
  });

  /**
   * One scenario as the runner plays it: a fresh context, signUp, addPasskey (when `add`),
   * cookies cleared, the authorization request (code flow, S256 PKCE), signIn. Resolves to the
   * redeemed ID token's header and claims, with the request's nonce. `before(ctx)` runs just
   * before signIn; `extra` are more parameters of the authorization request.
   */
  async function scenario({ profile, method, add, before: beforeSignIn, extra = {} }) {
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    try {
      const softfido = await install(context, { profile, binary: SOFTFIDO, onError: () => {} });
      const page = await context.newPage();
      let answer = null;
      // The redirect is an HTTP redirect on the provider's origin: the request is what is seen.
      page.on("request", (r) => { if (r.url().startsWith(`${redirectUri}?`)) answer = r.url(); });
      const ctx = { page, base: issuer, user: { username: `user${++accounts}`, password: PASSWORD }, softfido };
      await driver.signUp(ctx);
      if (add) await driver.addPasskey(ctx, add);
      await context.clearCookies();
      const verifier = b64url(randomBytes(32));
      const nonce = b64url(randomBytes(16));
      const state = b64url(randomBytes(16));
      const query = new URLSearchParams({
        response_type: "code", client_id: clientId, redirect_uri: redirectUri, scope: "openid", state, nonce,
        code_challenge: b64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256", ...extra,
      });
      await page.goto(`${issuer}/identity/o/authorize?${query}`);
      if (beforeSignIn) await beforeSignIn(ctx);
      await driver.signIn(ctx, { method, discoverable: true });
      assert.ok(answer, "the driver resolved before the redirect to the client");
      const params = new URL(answer).searchParams;
      assert.equal(params.get("state"), state);
      const response = await fetch(`${issuer}/identity/o/api/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri, code_verifier: verifier }),
      });
      const body = await response.json();
      assert.equal(response.status, 200, JSON.stringify(body));
      const [header, claims] = body.id_token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url")));
      return { header, claims, nonce, refusals: softfido.refusals };
    } finally {
      await context.close();
    }
  }

  test("the discovery's issuer is target.toml's", { timeout: TEST_MS }, async () => {
    const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, issuer);
    assert.ok(discovery.token_endpoint_auth_methods_supported.includes(targetValue("client", "auth_method")));
    assert.equal(discovery.acr_values_supported, undefined, "allauth announces no acr values");
    assert.equal(discovery.claims_parameter_supported, undefined, "nor the claims parameter");
  });

  for (const [method, profile, add] of [
    ["passkey", "platform", { discoverable: true, secondFactor: false }],
    ["passkey", "security-key", { discoverable: true, secondFactor: false }],
    ["password_and_key", "security-key", { discoverable: false, secondFactor: true }],
    ["password", "platform", null],
  ]) {
    test(`${method} (${profile}): an ID token without amr or acr`, { timeout: TEST_MS }, async (t) => {
      const { header, claims, nonce, refusals } = await scenario({ profile, method, add });
      t.diagnostic(`claims: ${JSON.stringify(claims)}`);
      assert.equal(header.alg, "RS256");
      assert.deepEqual(Object.keys(claims).sort(), CLAIMS);
      assert.equal(claims.iss, issuer);
      assert.equal(claims.aud, clientId);
      assert.equal(claims.nonce, nonce);
      assert.deepEqual(refusals, []);
    });
  }

  test("a refused touch: signIn throws what allauth's page reported", { timeout: TEST_MS }, async () => {
    await assert.rejects(
      scenario({
        profile: "platform", method: "passkey", add: { discoverable: true, secondFactor: false },
        before: (ctx) => ctx.softfido.next({ presence: "deny" }),
      }),
      /^Error: sign in with a passkey: the browser's ceremony failed \(allauth's webauthn\.js\): NotAllowedError/,
    );
  });

  test("a claims parameter (OIDC Core §5.5): allauth answers login_required after the sign-in", { timeout: TEST_MS }, async () => {
    // allauth's validate_user_match compares the parameter's top-level "sub" with the session's
    // user: absent from a claims request of §5.5 (its claims sit under id_token / userinfo).
    await assert.rejects(
      scenario({
        profile: "platform", method: "password", add: null,
        extra: { claims: JSON.stringify({ id_token: { acr: { essential: true, values: ["phrh"] } } }) },
      }),
      /^Error: sign in with the password: allauth answered the client with error=login_required: Session user does not match client supplied user\.$/,
    );
  });

  test("a wrong password: signIn throws allauth's form error", { timeout: TEST_MS }, async () => {
    await assert.rejects(
      scenario({
        profile: "platform", method: "password", add: null,
        before: (ctx) => { ctx.user.password = "not the password"; },
      }),
      /^Error: sign in with the password: The username and\/or password you specified are not correct\.$/,
    );
  });
});
