// The WebAuthn surface the init script gives pages, against a fake bridge in headless Chromium.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { install } from "../index.mjs";
import { ASSERTION, REGISTRATION, b64, eventually, launchChromium, startFakeBridge, startPageServers } from "./fixtures.mjs";

const TEST_MS = 30_000;

describe("the page's WebAuthn surface", { timeout: 120_000 }, () => {
  let browser;
  let bridge;
  let sites;

  before(async () => {
    [browser, bridge, sites] = await Promise.all([launchChromium(), startFakeBridge(), startPageServers()]);
  });

  after(async () => {
    await browser?.close();
    await bridge?.close();
    await sites?.close();
  });

  /** A new context with softfido installed and a page on the top origin. */
  async function open(path = "/page", options = {}) {
    bridge.answer = bridge.canned;
    bridge.requests.length = 0;
    const context = await browser.newContext();
    const errors = [];
    const softfido = await install(context, { bridge: bridge.url, onError: (e) => errors.push(e), ...options });
    const page = await context.newPage();
    await page.goto(sites.top.url(path));
    return { context, page, softfido, errors };
  }

  test("create: BufferSources reach the bridge as base64url with the frame's origin", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    const result = await page.evaluate(async () => {
      const credential = await navigator.credentials.create({
        publicKey: {
          rp: { id: "localhost", name: "Local" },
          user: { id: new Uint8Array([1, 2, 255]), name: "alice", displayName: "Alice" },
          challenge: new Uint8Array([3, 4, 5]).buffer,
          pubKeyCredParams: [{ type: "public-key", alg: -7 }],
          excludeCredentials: [{ type: "public-key", id: new DataView(new Uint8Array([0, 6, 250]).buffer, 1, 2) }],
          extensions: { credProps: true, prf: { eval: { first: new Uint8Array([1]), second: new Uint8Array([2]).buffer } } },
        },
      });
      const { response } = credential;
      const bytes = (buffer) => Array.from(new Uint8Array(buffer));
      return {
        isCredential: credential instanceof PublicKeyCredential && credential instanceof Credential,
        isAttestation: response instanceof AuthenticatorAttestationResponse && response instanceof AuthenticatorResponse,
        tag: Object.prototype.toString.call(credential),
        id: credential.id,
        rawIdIsBuffer: credential.rawId instanceof ArrayBuffer,
        rawId: bytes(credential.rawId),
        type: credential.type,
        attachment: credential.authenticatorAttachment,
        clientData: new TextDecoder().decode(response.clientDataJSON),
        attestationObject: bytes(response.attestationObject),
        authenticatorData: bytes(response.getAuthenticatorData()),
        publicKey: bytes(response.getPublicKey()),
        algorithm: response.getPublicKeyAlgorithm(),
        transports: response.getTransports(),
        extensions: credential.getClientExtensionResults(),
        prfFirst: bytes(credential.getClientExtensionResults().prf.results.first),
        json: credential.toJSON(),
        stringified: JSON.parse(JSON.stringify(credential)),
      };
    });
    const [call] = bridge.calls("/create");
    assert.equal(call.path, "/authenticators/auth-1/create");
    assert.deepEqual(call.body, {
      origin: sites.top.origin,
      topOrigin: null,
      mediation: "optional",
      ceremony: "auth-1-1",
      options: {
        rp: { id: "localhost", name: "Local" },
        user: { id: b64([1, 2, 255]), name: "alice", displayName: "Alice" },
        challenge: b64([3, 4, 5]),
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        excludeCredentials: [{ type: "public-key", id: b64([6, 250]) }],
        extensions: { credProps: true, prf: { eval: { first: b64([1]), second: b64([2]) } } },
      },
    });
    assert.equal(result.isCredential, true, "instanceof PublicKeyCredential and Credential");
    assert.equal(result.isAttestation, true, "instanceof AuthenticatorAttestationResponse");
    assert.equal(result.tag, "[object PublicKeyCredential]");
    assert.equal(result.id, REGISTRATION.id);
    assert.equal(result.rawIdIsBuffer, true);
    assert.deepEqual(result.rawId, [1, 2, 3, 4]);
    assert.equal(result.type, "public-key");
    assert.equal(result.attachment, "cross-platform");
    assert.equal(result.clientData, '{"type":"webauthn.create"}');
    assert.deepEqual(result.attestationObject, [0xa3, 1, 2]);
    assert.deepEqual(result.authenticatorData, [5, 6, 7, 8]);
    assert.deepEqual(result.publicKey, [0x30, 0x59]);
    assert.equal(result.algorithm, -7);
    assert.deepEqual(result.transports, ["usb", "nfc"]);
    assert.deepEqual(result.extensions.credProps, { rk: true });
    assert.deepEqual(result.prfFirst, [9, 9, 9], "prf results are ArrayBuffers");
    assert.deepEqual(result.json, REGISTRATION, "toJSON() is the bridge's JSON");
    assert.deepEqual(result.stringified, REGISTRATION, "JSON.stringify uses toJSON()");
    await context.close();
  });

  test("get: an assertion with ArrayBuffers, and toJSON through parseRequestOptionsFromJSON", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    const result = await page.evaluate(async () => {
      const options = PublicKeyCredential.parseRequestOptionsFromJSON({
        challenge: "AQID",
        rpId: "localhost",
        allowCredentials: [{ type: "public-key", id: "AQIDBA", transports: ["usb"] }],
        userVerification: "required",
        extensions: { prf: { evalByCredential: { AQIDBA: { first: "CQ" } } } },
      });
      const parsed = {
        challengeIsBuffer: options.challenge instanceof ArrayBuffer,
        allowIdIsBuffer: options.allowCredentials[0].id instanceof ArrayBuffer,
        saltIsBuffer: options.extensions.prf.evalByCredential.AQIDBA.first instanceof ArrayBuffer,
      };
      const credential = await navigator.credentials.get({ publicKey: options });
      const { response } = credential;
      const bytes = (buffer) => Array.from(new Uint8Array(buffer));
      return {
        parsed,
        isCredential: credential instanceof PublicKeyCredential,
        isAssertion: response instanceof AuthenticatorAssertionResponse,
        notAttestation: !(response instanceof AuthenticatorAttestationResponse),
        authenticatorData: bytes(response.authenticatorData),
        signature: bytes(response.signature),
        userHandle: bytes(response.userHandle),
        json: credential.toJSON(),
      };
    });
    assert.deepEqual(result.parsed, { challengeIsBuffer: true, allowIdIsBuffer: true, saltIsBuffer: true });
    const [call] = bridge.calls("/get");
    assert.deepEqual(call.body.options, {
      challenge: "AQID",
      rpId: "localhost",
      allowCredentials: [{ type: "public-key", id: "AQIDBA", transports: ["usb"] }],
      userVerification: "required",
      extensions: { prf: { evalByCredential: { AQIDBA: { first: "CQ" } } } },
    }, "parse...FromJSON then the page's call gives back the same JSON");
    assert.equal(call.body.mediation, "optional");
    assert.equal(result.isCredential, true);
    assert.equal(result.isAssertion, true);
    assert.equal(result.notAttestation, true);
    assert.deepEqual(result.authenticatorData, [5, 6, 7, 8, 1]);
    assert.deepEqual(result.signature, [0x30, 0x45, 0x02]);
    assert.deepEqual(result.userHandle, [7, 7]);
    assert.deepEqual(result.json, ASSERTION);
    await context.close();
  });

  test("PublicKeyCredential's static methods", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    const result = await page.evaluate(async () => {
      const creation = PublicKeyCredential.parseCreationOptionsFromJSON({
        rp: { name: "x" },
        user: { id: "AQI", name: "a", displayName: "A" },
        challenge: "AwQ",
        pubKeyCredParams: [{ type: "public-key", alg: -8 }],
        excludeCredentials: [{ type: "public-key", id: "Bg" }],
      });
      let missing = null;
      try {
        PublicKeyCredential.parseRequestOptionsFromJSON({});
      } catch (error) {
        missing = error.constructor.name;
      }
      return {
        uvpaa: await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable(),
        conditional: await PublicKeyCredential.isConditionalMediationAvailable(),
        capabilities: await PublicKeyCredential.getClientCapabilities(),
        userId: Array.from(new Uint8Array(creation.user.id)),
        challenge: Array.from(new Uint8Array(creation.challenge)),
        excluded: Array.from(new Uint8Array(creation.excludeCredentials[0].id)),
        missing,
      };
    });
    assert.equal(result.uvpaa, false, "a roaming key is no user-verifying platform authenticator");
    assert.equal(result.conditional, true);
    for (const name of ["conditionalCreate", "conditionalGet", "hybridTransport", "passkeyPlatformAuthenticator",
      "userVerifyingPlatformAuthenticator", "relatedOrigins", "signalAllAcceptedCredentials",
      "signalCurrentUserDetails", "signalUnknownCredential"]) {
      assert.equal(typeof result.capabilities[name], "boolean", `capability ${name}`);
    }
    assert.equal(result.capabilities.conditionalGet, true);
    assert.equal(result.capabilities["extension:prf"], true);
    assert.deepEqual(result.userId, [1, 2]);
    assert.deepEqual(result.challenge, [3, 4]);
    assert.deepEqual(result.excluded, [6]);
    assert.equal(result.missing, "TypeError", "a missing challenge is a TypeError");
    assert.equal(bridge.calls("/get").length + bridge.calls("/create").length, 0);
    await context.close();
  });

  test("a domException answer rejects with a DOMException of that name and message", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    for (const name of ["NotAllowedError", "InvalidStateError", "SecurityError", "NotSupportedError"]) {
      bridge.answer = () => ({ body: { domException: { name, message: `said ${name}` } } });
      const error = await page.evaluate(async () => {
        try {
          await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) } });
          return null;
        } catch (e) {
          return { isDOMException: e instanceof DOMException, name: e.name, message: e.message };
        }
      });
      assert.deepEqual(error, { isDOMException: true, name, message: `said ${name}` });
    }
    // Options the WebAuthn IDL refuses: a TypeError, as the browser's bindings throw.
    bridge.answer = () => ({ body: { domException: { name: "TypeError", message: "user.id must be 1 to 64 bytes" } } });
    const typeError = await page.evaluate(() => navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) } })
      .catch((e) => ({ isTypeError: e instanceof TypeError, isDOMException: e instanceof DOMException, message: e.message })));
    assert.deepEqual(typeError, { isTypeError: true, isDOMException: false, message: "user.id must be 1 to 64 bytes" });
    await context.close();
  });

  test("an aborted signal rejects at once with its reason; nothing reaches the bridge", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    const result = await page.evaluate(async () => {
      const outcomes = [];
      for (const reason of [undefined, new DOMException("custom", "TimeoutError")]) {
        const controller = new AbortController();
        controller.abort(reason);
        try {
          await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) }, signal: controller.signal });
          outcomes.push("resolved");
        } catch (e) {
          outcomes.push({ name: e.name, same: e === controller.signal.reason });
        }
      }
      return outcomes;
    });
    assert.deepEqual(result, [{ name: "AbortError", same: true }, { name: "TimeoutError", same: true }]);
    assert.equal(bridge.calls("/get").length, 0);
    await context.close();
  });

  test("an abort during the call rejects with AbortError and cancels the ceremony on the bridge", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    let releaseGet;
    bridge.answer = (request) => {
      if (!request.path.endsWith("/get")) return bridge.canned(request);
      return new Promise((resolveAnswer) => {
        releaseGet = () => resolveAnswer({ body: { domException: { name: "AbortError", message: "cancelled" } } });
      });
    };
    const outcome = page.evaluate(async () => {
      window.controller = new AbortController();
      try {
        await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) }, signal: window.controller.signal });
        return "resolved";
      } catch (e) {
        return { isDOMException: e instanceof DOMException, name: e.name };
      }
    });
    await eventually(() => bridge.calls("/get").length === 1, 5000, "the get on the bridge");
    assert.equal(bridge.calls("/cancel").length, 0);
    await page.evaluate(() => window.controller.abort());
    assert.deepEqual(await outcome, { isDOMException: true, name: "AbortError" });
    await eventually(() => bridge.calls("/cancel").length === 1, 5000, "the cancel on the bridge");
    assert.equal(bridge.calls("/cancel")[0].path, "/authenticators/auth-1/cancel");
    const [sent] = bridge.calls("/create").concat(bridge.calls("/get"));
    assert.ok(sent.body.ceremony, "the ceremony was named");
    assert.deepEqual(bridge.calls("/cancel")[0].body, { ceremony: sent.body.ceremony }, "the cancel names it");
    releaseGet();
    await context.close();
  });

  test("an iframe's calls carry its own origin and the top origin", { timeout: TEST_MS }, async () => {
    const { context, page } = await open("/framed");
    const frame = page.frames().find((f) => f.url().startsWith(sites.other.origin));
    await frame.waitForLoadState();
    const id = await frame.evaluate(async () => {
      const credential = await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) } });
      return credential.id;
    });
    assert.equal(id, ASSERTION.id);
    const [call] = bridge.calls("/get");
    assert.equal(call.body.origin, sites.other.origin, "the frame's origin");
    assert.equal(call.body.topOrigin, sites.top.origin, "the top-level origin");
    await context.close();
  });

  test("a page cannot forge its origin", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    await page.evaluate(async () => {
      history.pushState(null, "", "/elsewhere?origin=https://bank.example");
      const forged = { op: "get", callId: "x", mediation: "optional", origin: "https://bank.example",
        topOrigin: "https://bank.example", options: { challenge: "AAAA", rpId: "bank.example" } };
      await window.__softfidoWebAuthn(JSON.stringify(forged));
      await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16), rpId: "bank.example" } });
    });
    const calls = bridge.calls("/get");
    assert.equal(calls.length, 2);
    for (const call of calls) {
      assert.equal(call.body.origin, sites.top.origin);
      assert.equal(call.body.topOrigin, null);
    }
    await context.close();
  });

  test("conditional mediation waits for autofill(); nothing reaches the bridge before", { timeout: TEST_MS }, async () => {
    const { context, page, softfido } = await open();
    const outcome = page.evaluate(async () => {
      const credential = await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) }, mediation: "conditional" });
      return credential.id;
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(bridge.calls("/get").length, 0, "no request before the pick");
    const answer = await softfido.autofill();
    assert.deepEqual(answer, { credential: ASSERTION });
    assert.equal(await outcome, ASSERTION.id);
    const [call] = bridge.calls("/get");
    assert.equal(call.body.mediation, "conditional");
    assert.equal(call.body.options.allowCredentials, undefined, "no pick of a credential: the authenticator chooses");

    // A pick of one credential narrows the request to it.
    const second = page.evaluate(() => navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) }, mediation: "conditional" }).then((c) => c.id));
    await softfido.autofill("AQIDBA");
    assert.equal(await second, ASSERTION.id);
    assert.deepEqual(bridge.calls("/get")[1].body.options.allowCredentials, [{ type: "public-key", id: "AQIDBA" }]);
    await context.close();
  });

  test("an abort ends the conditional wait; autofill() then finds nothing", { timeout: TEST_MS }, async () => {
    const { context, page, softfido } = await open();
    const outcome = page.evaluate(async () => {
      window.controller = new AbortController();
      try {
        await navigator.credentials.get({ publicKey: { challenge: new Uint8Array(16) }, mediation: "conditional", signal: window.controller.signal });
        return "resolved";
      } catch (e) {
        return e.name;
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    await page.evaluate(() => window.controller.abort());
    assert.equal(await outcome, "AbortError");
    await assert.rejects(softfido.autofill(undefined, { timeout: 500 }), /no page made a conditional mediation request/);
    assert.equal(bridge.calls("/get").length, 0, "the aborted request never reached the bridge");
    assert.equal(bridge.calls("/cancel").length, 0, "nothing was in flight to cancel");
    await context.close();
  });

  test("requests without publicKey go to the browser's own methods", { timeout: TEST_MS }, async () => {
    const { context, page } = await open();
    const result = await page.evaluate(async () => {
      try {
        return { value: await navigator.credentials.get({ mediation: "silent" }) };
      } catch (e) {
        return { name: e.name };
      }
    });
    assert.ok(result.value === null || typeof result.name === "string", JSON.stringify(result));
    assert.equal(bridge.requests.filter((r) => r.path.includes("/authenticators/auth-1/")).length, 0);
    await context.close();
    await eventually(() => bridge.requests.some((r) => r.method === "DELETE" && r.path === "/authenticators/auth-1"),
      5000, "the authenticator deleted when the context closed");
  });
});
