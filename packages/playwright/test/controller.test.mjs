// The Softfido controller and the bridge process, against the fake bridge (no browser needed
// except where the page's side of a bridge failure is checked).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BridgeError, install, stopBridges } from "../index.mjs";
import { CONFIG, launchChromium, startFakeBridge, startPageServers } from "./fixtures.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const FAKE_SOFTFIDO = join(HERE, "fake-softfido.mjs");
const INDEX = join(HERE, "../index.mjs");

/** Enough of a BrowserContext for install(): records what it was given, closes on demand. */
function stubContext() {
  const listeners = [];
  return {
    bindings: {},
    initScripts: [],
    async exposeBinding(name, handler) { this.bindings[name] = handler; },
    async addInitScript(script, arg) { this.initScripts.push({ script, arg }); },
    once(event, listener) { if (event === "close") listeners.push(listener); },
    close() { for (const listener of listeners) listener(); },
  };
}

/** Whether a process runs (a zombie waiting for its reaper does not count). */
function isRunning(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Whether the process is gone within ms (a SIGKILL lands asynchronously). */
async function isGone(pid, ms = 3000) {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe("the Softfido controller", () => {
  let bridge;
  before(async () => { bridge = await startFakeBridge(); });
  after(() => bridge.close());

  async function installed(options = {}) {
    bridge.answer = bridge.canned;
    bridge.requests.length = 0;
    const context = stubContext();
    const softfido = await install(context, { bridge: bridge.url, ...options });
    return { context, softfido };
  }

  test("install creates one authenticator with the profile or the config", async () => {
    let { softfido } = await installed({ profile: "platform" });
    assert.deepEqual(bridge.requests[0], { method: "POST", path: "/authenticators", body: { profile: "platform" } });
    assert.equal(softfido.id, "auth-1");
    assert.deepEqual(softfido.config, CONFIG);
    assert.equal(softfido.bridgeUrl, bridge.url);
    ({ softfido } = await installed({ config: { presence: "deny" } }));
    assert.deepEqual(bridge.requests[0].body, { config: { presence: "deny" } });
    ({ softfido } = await installed({ profile: "platform", attachment: "cross-platform" }));
    assert.deepEqual(bridge.requests[0].body, { profile: "platform", attachment: "cross-platform" });
    assert.equal(softfido.attachment, "cross-platform");
    ({ softfido } = await installed());
    assert.deepEqual(bridge.requests[0].body, {}, "the bridge's default configuration");
    await assert.rejects(installed({ profile: "platform", config: {} }), TypeError);
  });

  test("config is read-only: a copy of what the bridge answered", async () => {
    const { softfido } = await installed();
    softfido.config.presence = "deny";
    assert.deepEqual(softfido.config, CONFIG);
    assert.throws(() => { softfido.config = {}; }, TypeError);
  });

  test("each method is one call of the API", async () => {
    const { softfido } = await installed();
    bridge.requests.length = 0;
    await softfido.next({ presence: "deny", pin: "1234" });
    await softfido.next();
    await softfido.reset();
    await softfido.powerCycle();
    assert.deepEqual(bridge.requests.map((r) => [r.method, r.path, r.body]), [
      ["POST", "/authenticators/auth-1/next", { presence: "deny", pin: "1234" }],
      ["POST", "/authenticators/auth-1/next", {}],
      ["POST", "/authenticators/auth-1/reset", undefined],
      ["POST", "/authenticators/auth-1/power-cycle", undefined],
    ]);
    assert.equal((await softfido.credentials()).length, 2);
    assert.deepEqual((await softfido.credentials({ rpId: "localhost" })).map((c) => c.userName), ["alice"]);
    assert.deepEqual((await softfido.get({ rpId: "example.com" })).map((c) => c.userName), ["bob"], "get() is credentials()");
    bridge.answer = (request) => (request.method === "DELETE" ? { status: 204 } : bridge.canned(request));
    await softfido.deleteCredential("AQ-_");
    await softfido.delete("BQY");
    assert.deepEqual(bridge.calls("AQ-_").map((r) => r.method), ["DELETE"]);
    assert.deepEqual(bridge.calls("/credentials/BQY").map((r) => r.method), ["DELETE"], "delete() is deleteCredential()");
  });

  test("a 4xx of the API rejects with a BridgeError that says what and why", async () => {
    const { softfido } = await installed();
    const error = await softfido.deleteCredential("nothing").catch((e) => e);
    assert.ok(error instanceof BridgeError);
    assert.equal(error.status, 404);
    assert.equal(error.code, "not_found");
    assert.match(error.message, /DELETE \/authenticators\/auth-1\/credentials\/nothing \(HTTP 404\): not_found: no such credential/);
    bridge.answer = () => ({ status: 400, body: { error: "bad_request", message: "unknown presence \"maybe\"" } });
    await assert.rejects(softfido.next({ presence: "maybe" }), /HTTP 400\): bad_request: unknown presence "maybe"/);
    bridge.answer = () => ({ status: 422, text: "Failed to deserialize the JSON body: presence: unknown variant `maybe`" });
    await assert.rejects(softfido.next({ presence: "maybe" }), /HTTP 422\): Failed to deserialize the JSON body: presence: unknown variant `maybe`/,
      "a plain-text refusal is quoted");
    bridge.answer = () => ({ status: 400, body: { error: "unknown_profile", message: "no profile nope" } });
    await assert.rejects(install(stubContext(), { bridge: bridge.url, profile: "nope" }), /POST \/authenticators \(HTTP 400\): unknown_profile/);
    await assert.rejects(install(stubContext(), { bridge: "http://127.0.0.1:9" }), /could not be reached/);
  });

  test("closing the context deletes the authenticator, once", async () => {
    const { context, softfido } = await installed();
    context.close();
    await softfido.close();
    await softfido.close();
    assert.deepEqual(bridge.calls("/auth-1").map((r) => r.method), ["DELETE"]);
  });

  test("the binding takes the origins from Playwright's frames, not from the request", async () => {
    const { context } = await installed();
    const handler = context.bindings.__softfidoWebAuthn;
    const source = (frameUrl, topUrl) => ({ frame: { url: () => frameUrl }, page: { mainFrame: () => ({ url: () => topUrl }) } });
    await handler(source("https://a.example:8443/x", "https://a.example:8443/y"),
      JSON.stringify({ op: "create", callId: "1", options: { challenge: "AA" }, origin: "https://evil.example", topOrigin: "https://evil.example" }));
    await handler(source("https://b.example/frame", "https://a.example/"), JSON.stringify({ op: "get", callId: "2", options: {}, mediation: "silent" }));
    assert.deepEqual(bridge.calls("/create")[0].body, { options: { challenge: "AA" }, origin: "https://a.example:8443", topOrigin: null, mediation: "optional", ceremony: "auth-1-1" });
    assert.deepEqual(bridge.calls("/get")[0].body, { options: {}, origin: "https://b.example", topOrigin: "https://a.example", mediation: "silent", ceremony: "auth-1-2" });
  });

  test("the binding answers a message that is not the page client's JSON with a TypeError, and calls nothing", async () => {
    const { context } = await installed();
    const handler = context.bindings.__softfidoWebAuthn;
    const source = { frame: { url: () => "https://a.example/" }, page: { mainFrame: () => ({ url: () => "https://a.example/" }) } };
    for (const message of [{ op: "create", callId: "1", options: {} }, "{not json", "42", undefined]) {
      const answer = JSON.parse(await handler(source, message));
      assert.equal(answer.domException.name, "TypeError", String(message));
    }
    assert.equal(bridge.calls("/create").length, 0);
  });
});

describe("a bridge failure seen from the page", { timeout: 60_000 }, () => {
  test("the page gets an UnknownError; the test gets the BridgeError", { timeout: 30_000 }, async () => {
    const [browser, bridge, sites] = await Promise.all([launchChromium(), startFakeBridge(), startPageServers()]);
    try {
      const context = await browser.newContext();
      const reported = [];
      const softfido = await install(context, { bridge: bridge.url, onError: (e) => reported.push(e) });
      const page = await context.newPage();
      await page.goto(sites.top.url("/page"));
      bridge.answer = () => ({ status: 422, body: { error: "invalid_options", message: "challenge too short" } });
      const seen = await page.evaluate(async () => {
        try {
          await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(1) } });
          return "resolved";
        } catch (e) {
          return { isDOMException: e instanceof DOMException, name: e.name, message: e.message };
        }
      });
      assert.deepEqual(seen, { isDOMException: true, name: "UnknownError", message: "The authenticator failed; the test's output says why." });
      assert.equal(reported.length, 1);
      assert.match(reported[0].message, /HTTP 422\): invalid_options: challenge too short/);
      assert.deepEqual(softfido.errors.map((e) => e.status), [422]);
      await context.close();
    } finally {
      await browser.close();
      await bridge.close();
      await sites.close();
    }
  });
});

describe("the bridge process", () => {
  const scratch = mkdtempSync(join(tmpdir(), "softfido-playwright-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** Runs `script` in a new Node process that has `install` and a stub context; returns its pids file. */
  function runNode(name, script, env = {}) {
    const pids = join(scratch, `${name}.pids`);
    const program = `
      import { install, stopBridges } from ${JSON.stringify(INDEX)};
      const stub = () => ({ exposeBinding: async () => {}, addInitScript: async () => {}, once: () => {} });
      ${script}`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      env: { ...process.env, SOFTFIDO_BIN: FAKE_SOFTFIDO, FAKE_SOFTFIDO_PIDS: pids, ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(result.status, 0, `node exited ${result.status}: ${result.stderr}`);
    return { pids: readFileSync(pids, "utf8").trim().split("\n").map(Number), stdout: result.stdout };
  }

  test("one bridge per Node process, from SOFTFIDO_BIN, killed when the process exits", async () => {
    const { pids, stdout } = runNode("shared", `
      const a = await install(stub());
      const b = await install(stub());
      console.log(a.bridgeUrl === b.bridgeUrl, a.bridgeUrl);`);
    assert.match(stdout, /^true http:\/\/127\.0\.0\.1:\d+/, "both installs use one bridge");
    assert.equal(pids.length, 1, "one bridge process started");
    assert.equal(await isGone(pids[0]), true, "the bridge died with the Node process");
  });

  test("the binary option wins over SOFTFIDO_BIN; a bridge without --stop-on-stdin-eof still starts", async () => {
    const { pids } = runNode("option", `
      const softfido = await install(stub(), { binary: ${JSON.stringify(FAKE_SOFTFIDO)} });
      console.log(softfido.id);`, { SOFTFIDO_BIN: "/nonexistent/softfido", FAKE_SOFTFIDO_NO_STDIN_FLAG: "1" });
    assert.equal(pids.length, 1, "started once, without the flag");
    assert.equal(await isGone(pids[0]), true);
  });

  test("stopBridges() kills the started bridge; a missing binary is a clear error", async () => {
    const { pids } = runNode("stop", `
      await install(stub());
      await stopBridges();
      setTimeout(() => {}, 200);`);
    assert.equal(await isGone(pids[0]), true);
    await assert.rejects(install(stubContext(), { binary: "/nonexistent/softfido" }),
      /could not be started \(spawn \/nonexistent\/softfido ENOENT\); set SOFTFIDO_BIN or the binary option/);
    await stopBridges();
  });

  test("the bridge's own binary answers the same way when SOFTFIDO_BIN names it", { skip: !process.env.SOFTFIDO_BIN }, async () => {
    const softfido = await install(stubContext());
    assert.match(softfido.bridgeUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(typeof softfido.config, "object");
    await softfido.close();
    await stopBridges();
  });
});
