// @softfido/playwright: softfido authenticators inside Playwright browser contexts.
//
// `install(context)` creates one authenticator on a `softfido bridge` (docs/bridge.md), exposes a
// binding that forwards the page's WebAuthn calls to it with the calling frame's origin as
// Playwright reports it, and adds the init script (page-client.mjs) that routes
// `navigator.credentials.create/get` to that binding.

import { BridgeClient, BridgeError, sharedBridgeUrl, softfidoBinary, stopBridges } from "./bridge.mjs";
import { softfidoPageClient } from "./page-client.mjs";

export { BridgeError, stopBridges };

/** The binding's name in every frame. */
export const BINDING_NAME = "__softfidoWebAuthn";
const DEFAULT_AUTOFILL_TIMEOUT_MS = 10_000;

/**
 * Installs a softfido authenticator into a Playwright BrowserContext.
 *
 * @param {import("./index.d.ts").BrowserContextLike} context the context whose pages get softfido
 * @param {import("./index.d.ts").InstallOptions} [options]
 * @returns {Promise<Softfido>} the controller of the context's authenticator
 */
export async function install(context, options = {}) {
  if (options.profile !== undefined && options.config !== undefined) {
    throw new TypeError("softfido install: give either profile or config, not both");
  }
  const url = options.bridge || await sharedBridgeUrl(softfidoBinary(options.binary));
  const client = new BridgeClient(url);
  const body = authenticatorRequest(options);
  const created = await client.call("POST", "/authenticators", body);
  const softfido = new Softfido(client, created, options.onError);
  try {
    await context.exposeBinding(BINDING_NAME, async (source, message) =>
      JSON.stringify(await softfido._handle(source, parseRequest(message))));
    await context.addInitScript(softfidoPageClient, {
      bindingName: BINDING_NAME,
      userVerifyingPlatform: verifiesUsersOnThePlatform(created),
    });
  } catch (error) {
    await softfido.close().catch(() => {});
    throw error;
  }
  context.once("close", () => { softfido.close().catch(() => {}); });
  return softfido;
}

/** The page client's request, sent as JSON text; anything else is malformed (undefined). */
function parseRequest(message) {
  if (typeof message !== "string") return undefined;
  try {
    return JSON.parse(message);
  } catch {
    return undefined;
  }
}

/** A platform authenticator with an enrolled built-in sensor (what a page's UVPAA asks about). */
function verifiesUsersOnThePlatform(created) {
  const uv = created.config?.uv;
  return created.attachment === "platform" && uv?.kind === "builtin" && uv?.enrolled === true;
}

/** The body of `POST /authenticators`: the profile or configuration, and the attachment. */
function authenticatorRequest({ profile, config, attachment, state }) {
  const body = {};
  if (state !== undefined) body.state = state;
  if (profile !== undefined) body.profile = profile;
  if (config !== undefined) body.config = config;
  if (attachment !== undefined) body.attachment = attachment;
  return body;
}

/** The origin of a frame's URL as Playwright reports it ("null" for opaque origins). */
function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return "null";
  }
}

function domException(name, message) {
  return { domException: { name, message } };
}

/** Whether the bridge's ceremony answer has one of its two documented shapes. */
function isCeremonyAnswer(answer) {
  if (!answer || typeof answer !== "object") return false;
  if (answer.credential && typeof answer.credential === "object") return true;
  const exception = answer.domException;
  return !!exception && typeof exception.name === "string" && typeof exception.message === "string";
}

function reportToConsole(error) {
  console.error(`@softfido/playwright: ${error.message}`);
}

/** The controller of one context's authenticator: thin calls of the bridge API. */
export class Softfido {
  #client;
  #path;
  #created;
  #onError;
  #errors = [];
  #closing = null;
  /** Conditional requests waiting for an autofill pick: [{ callId, pick(choice) }]. */
  #waiting = [];
  #waitingListeners = new Set();
  /** The page's call ids of the ceremonies on the bridge, with the ceremony id sent for each. */
  #inFlight = new Map();
  #ceremonies = 0;
  /** The refusals the pages got, with the detail they did not. */
  #refusals = [];

  /** @internal use install() */
  constructor(client, created, onError = reportToConsole) {
    this.#client = client;
    this.#created = created;
    this.#path = `/authenticators/${encodeURIComponent(created.id)}`;
    this.#onError = onError;
  }

  /** The authenticator's id on the bridge. */
  get id() { return this.#created.id; }

  /** "platform" or "cross-platform": the credentials' authenticatorAttachment, as the bridge answered. */
  get attachment() { return this.#created.attachment; }

  /** The authenticator's configuration as the bridge answered it (a copy). */
  get config() { return structuredClone(this.#created.config); }

  /** The bridge's base URL. */
  get bridgeUrl() { return this.#client.url; }

  /** Bridge failures met while serving the page's ceremonies (the page saw an UnknownError). */
  get errors() { return [...this.#errors]; }

  /** The ceremonies refused so far, oldest first: `{op, name, detail}`, the detail naming the CTAP status. */
  get refusals() { return this.#refusals.map((refusal) => ({ ...refusal })); }

  /**
   * The user's answers for the next ceremony only (queued, one set per ceremony).
   * @param {import("./index.d.ts").UserAnswers} answers
   */
  async next({ presence, biometric, pin } = {}) {
    await this.#call("POST", "/next", JSON.parse(JSON.stringify({ presence, biometric, pin })));
  }

  /**
   * The discoverable credentials on the authenticator, optionally of one RP ID.
   * @param {{rpId?: string}} [filter]
   */
  async credentials({ rpId } = {}) {
    const list = await this.#call("GET", "/credentials");
    return rpId === undefined ? list : list.filter((credential) => credential.rpId === rpId);
  }

  /** Alias of credentials(), as Playwright's `context.credentials.get`. */
  get(filter) { return this.credentials(filter); }

  /** Deletes one credential (base64url id); rejects with a BridgeError (404) if there is none. */
  async deleteCredential(credentialId) {
    await this.#call("DELETE", `/credentials/${encodeURIComponent(credentialId)}`);
  }

  /** Alias of deleteCredential(), as Playwright's `context.credentials.delete`. */
  delete(credentialId) { return this.deleteCredential(credentialId); }

  /**
   * Seeds a discoverable credential, as Playwright's `context.credentials.create(rpId, options)`:
   * `userHandle` (base64url) and optionally `privateKey` (base64url PKCS#8, ES256; a new key when
   * absent), `userName`, `userDisplayName`. The credential ID wraps the key, so `id` cannot be chosen.
   * @returns {Promise<{id: string, rpId: string, userHandle: string, publicKey: string}>}
   */
  async create(rpId, { id, userHandle, privateKey, userName, userDisplayName } = {}) {
    if (id !== undefined) {
      throw new TypeError("softfido create: a softfido credential ID wraps its key, so it cannot be chosen; leave id out");
    }
    const body = JSON.parse(JSON.stringify({ rpId, userHandle, privateKey, userName, userDisplayName }));
    return this.#call("POST", "/credentials", body);
  }

  /** A factory reset: every credential and the PIN go. */
  async reset() { await this.#call("POST", "/reset"); }

  /** A power cycle: volatile state (PIN tokens, retries per power-up) goes. */
  async powerCycle() { await this.#call("POST", "/power-cycle"); }

  /**
   * The authenticator's persistent state (its master key, discoverable credentials, counters and
   * PIN): `install(context, {state})` in a later test holds the same passkeys again.
   * @returns {Promise<object>}
   */
  async exportState() { return this.#call("GET", "/state"); }

  /**
   * The user picks a passkey from the autofill: the page's waiting conditional request
   * (`mediation: "conditional"`) goes to the authenticator. With a credential id, that one is
   * picked. Waits up to `timeout` ms for the page to make such a request. Resolves to the
   * bridge's answer, `{credential}` or `{domException}`, once the page has it.
   *
   * @param {string} [credentialId] base64url id of the passkey picked
   * @param {{timeout?: number}} [options]
   */
  async autofill(credentialId, { timeout = DEFAULT_AUTOFILL_TIMEOUT_MS } = {}) {
    const waiting = await this.#nextWaiting(timeout);
    return new Promise((resolve) => waiting.pick({ credentialId, deliver: resolve }));
  }

  /** Deletes the authenticator and ends the page's waiting requests. Idempotent. */
  close() {
    if (!this.#closing) {
      for (const waiting of this.#waiting.splice(0)) waiting.pick({ closed: true });
      this.#closing = this.#call("DELETE", "").catch((error) => {
        if (error.status !== 404) throw error;
      });
    }
    return this.#closing;
  }

  async #call(method, suffix, body) {
    return this.#client.call(method, `${this.#path}${suffix}`, body);
  }

  #report(error) {
    this.#errors.push(error);
    try {
      this.#onError(error);
    } catch {
      // a failing reporter must not break the page's ceremony
    }
  }

  /** @internal The binding: one request of the init script. Never throws into the page. */
  async _handle(source, request) {
    if (!request || typeof request !== "object") return domException("TypeError", "Malformed request.");
    if (request.op === "cancel") return this.#cancel(String(request.callId));
    if (request.op !== "create" && request.op !== "get") return domException("NotSupportedError", "Unknown operation.");
    if (this.#closing) return domException("NotAllowedError", "No authenticator is available.");
    // The origins come from Playwright's view of the frames, never from the page (docs/bridge.md).
    const origin = originOf(source.frame.url());
    const topOrigin = originOf(source.page.mainFrame().url());
    const body = {
      options: request.options,
      origin,
      topOrigin: topOrigin === origin ? null : topOrigin,
      mediation: request.op === "get" ? String(request.mediation || "optional") : "optional",
    };
    const callId = String(request.callId);
    if (body.mediation === "conditional") return this.#conditional(callId, body);
    return this.#ceremony(request.op, callId, body);
  }

  /**
   * The answer as the page may see it: a refusal's detail (the CTAP status) stays with the test,
   * since browsers give every NotAllowedError the same message (WebAuthn L3 §14.5.2).
   */
  #forThePage(op, answer) {
    if (!answer.domException) return answer;
    const { detail, ...exception } = answer.domException;
    this.#refusals.push({ op, name: exception.name, detail: String(detail ?? exception.message) });
    return { domException: exception };
  }

  async #ceremony(op, callId, body) {
    // The bridge learns a name for the ceremony, so that a cancel ends this one and no other.
    const ceremony = `${this.id}-${++this.#ceremonies}`;
    this.#inFlight.set(callId, ceremony);
    try {
      const answer = await this.#call("POST", `/${op}`, { ...body, ceremony });
      if (isCeremonyAnswer(answer)) return this.#forThePage(op, answer);
      throw new BridgeError(`softfido bridge: POST ${this.#path}/${op} answered neither credential nor domException`);
    } catch (error) {
      this.#report(error);
      return domException("UnknownError", "The authenticator failed; the test's output says why.");
    } finally {
      this.#inFlight.delete(callId);
    }
  }

  /**
   * WebAuthn L3 §5.1.4 with mediation "conditional": the request waits, with nothing sent to the
   * authenticator, until the user picks a passkey in the autofill (autofill()), or it is aborted.
   */
  async #conditional(callId, body) {
    const choice = await new Promise((pick) => {
      this.#waiting.push({ callId, pick });
      for (const listener of this.#waitingListeners) listener();
    });
    if (choice.aborted) return domException("AbortError", "The operation was aborted.");
    if (choice.closed) return domException("NotAllowedError", "No authenticator is available.");
    if (choice.credentialId !== undefined) {
      body.options = { ...body.options, allowCredentials: [{ type: "public-key", id: choice.credentialId }] };
    }
    const answer = await this.#ceremony("get", callId, body);
    choice.deliver(answer);
    return answer;
  }

  /** The most recent waiting conditional request, waiting up to timeout ms for one. */
  async #nextWaiting(timeout) {
    if (this.#waiting.length === 0) {
      await new Promise((resolve, reject) => {
        const listener = () => { clearTimeout(timer); this.#waitingListeners.delete(listener); resolve(); };
        const timer = setTimeout(() => {
          this.#waitingListeners.delete(listener);
          reject(new Error(`softfido autofill: no page made a conditional mediation request within ${timeout} ms`));
        }, timeout);
        this.#waitingListeners.add(listener);
      });
    }
    return this.#waiting.pop();
  }

  /** The page aborted a call: drop it if it waits for the autofill, else end it on the bridge. */
  async #cancel(callId) {
    const index = this.#waiting.findIndex((waiting) => waiting.callId === callId);
    if (index >= 0) {
      this.#waiting.splice(index, 1)[0].pick({ aborted: true });
    } else if (this.#inFlight.has(callId)) {
      const ceremony = this.#inFlight.get(callId);
      await this.#call("POST", "/cancel", { ceremony }).catch((error) => this.#report(error));
    }
    return null;
  }
}
