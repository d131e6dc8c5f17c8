// The page side of @softfido/playwright: the init script that stands in for the browser's
// WebAuthn client API (WebAuthn L3 §5.1) in every frame of a Playwright BrowserContext.
//
// `softfidoPageClient` is serialised into the page by `context.addInitScript`, so it must not use
// anything outside its own body: every helper is declared inside it.

/**
 * Replaces `navigator.credentials.create/get` for `publicKey` requests and the static methods of
 * `PublicKeyCredential` in the current frame. Ceremonies go to the Playwright binding
 * `bindingName`, whose Node side learns the frame's origin from Playwright, never from the page.
 *
 * @param {{bindingName: string, userVerifyingPlatform: boolean}} settings the name given to
 *   `context.exposeBinding`, and whether the authenticator is a platform one that verifies users
 */
export function softfidoPageClient({ bindingName, userVerifyingPlatform }) {
  if (typeof CredentialsContainer === "undefined" || typeof PublicKeyCredential === "undefined") {
    return; // not a secure context: browsers offer no WebAuthn here (WebAuthn L3 §5.1)
  }
  const originalCreate = CredentialsContainer.prototype.create;
  const originalGet = CredentialsContainer.prototype.get;
  const boundBinding = globalThis[bindingName];
  // The page may replace JSON's methods later; the messages keep the originals.
  const { stringify, parse } = JSON;

  /**
   * The binding as Playwright installed it, even if the page later replaces the global. Requests
   * and answers cross it as JSON text: Playwright passes a string through untouched, where an
   * object would be walked and rebuilt on each side.
   */
  function callBinding(request) {
    const binding = boundBinding || globalThis[bindingName];
    return binding(stringify(request)).then((answer) => parse(answer));
  }

  // --- base64url (the JSON encoding of WebAuthn L3 §5.1.10) -----------------------------------

  function bytesOf(source) {
    if (source instanceof ArrayBuffer) return new Uint8Array(source);
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  }

  function isBufferSource(value) {
    return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
  }

  function toBase64url(source) {
    let binary = "";
    for (const byte of bytesOf(source)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  /** The page's options in their JSON form: every BufferSource becomes base64url. */
  function toJSONValue(value) {
    if (isBufferSource(value)) return toBase64url(value);
    if (Array.isArray(value)) return value.map(toJSONValue);
    if (value && typeof value === "object") {
      const out = {};
      for (const [key, member] of Object.entries(value)) {
        if (member !== undefined && typeof member !== "function") out[key] = toJSONValue(member);
      }
      return out;
    }
    return value;
  }

  // --- Options from JSON (WebAuthn L3 §5.1.11, §5.1.12) -----------------------------------------

  function credentialDescriptorsFromJSON(list) {
    return list === undefined ? undefined : list.map((d) => ({ ...d, id: fromBase64url(d.id) }));
  }

  function prfValuesFromJSON(values) {
    const out = { first: fromBase64url(values.first) };
    if (values.second !== undefined) out.second = fromBase64url(values.second);
    return out;
  }

  function extensionInputsFromJSON(extensions) {
    if (!extensions) return extensions;
    const out = { ...extensions };
    if (extensions.prf) {
      out.prf = { ...extensions.prf };
      if (extensions.prf.eval) out.prf.eval = prfValuesFromJSON(extensions.prf.eval);
      if (extensions.prf.evalByCredential) {
        out.prf.evalByCredential = {};
        for (const [id, values] of Object.entries(extensions.prf.evalByCredential)) {
          out.prf.evalByCredential[id] = prfValuesFromJSON(values);
        }
      }
    }
    if (typeof extensions.credBlob === "string") out.credBlob = fromBase64url(extensions.credBlob);
    return out;
  }

  function dropUndefined(object) {
    for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
    return object;
  }

  function requireMembers(json, members, dictionary) {
    if (!json || typeof json !== "object") throw new TypeError(`${dictionary} must be an object`);
    for (const member of members) {
      if (json[member] === undefined) throw new TypeError(`${dictionary}: the member ${member} is required`);
    }
  }

  function parseCreationOptionsFromJSON(json) {
    requireMembers(json, ["rp", "user", "challenge", "pubKeyCredParams"], "PublicKeyCredentialCreationOptionsJSON");
    return dropUndefined({
      ...json,
      user: { ...json.user, id: fromBase64url(json.user.id) },
      challenge: fromBase64url(json.challenge),
      excludeCredentials: credentialDescriptorsFromJSON(json.excludeCredentials),
      extensions: extensionInputsFromJSON(json.extensions),
    });
  }

  function parseRequestOptionsFromJSON(json) {
    requireMembers(json, ["challenge"], "PublicKeyCredentialRequestOptionsJSON");
    return dropUndefined({
      ...json,
      challenge: fromBase64url(json.challenge),
      allowCredentials: credentialDescriptorsFromJSON(json.allowCredentials),
      extensions: extensionInputsFromJSON(json.extensions),
    });
  }

  // --- Credential objects (WebAuthn L3 §5.1, §5.2) ---------------------------------------------
  // The prototypes' getters are brand-checked and throw on objects the browser did not make, so
  // every member a page reads is an own property of the object made here.

  function readOnly(value) {
    return { value, enumerable: true };
  }

  function method(body) {
    return { value: body, enumerable: false };
  }

  function bufferOrNull(text) {
    return typeof text === "string" ? fromBase64url(text) : null;
  }

  /** getClientExtensionResults(): binary outputs as ArrayBuffers (WebAuthn L3 §10.1.4, §10.2). */
  function clientExtensionResultsFromJSON(results) {
    const out = JSON.parse(JSON.stringify(results || {}));
    const prfResults = out.prf && out.prf.results;
    if (prfResults) {
      prfResults.first = fromBase64url(prfResults.first);
      if (prfResults.second !== undefined) prfResults.second = fromBase64url(prfResults.second);
    }
    if (typeof out.getCredBlob === "string") out.getCredBlob = fromBase64url(out.getCredBlob);
    if (out.largeBlob && typeof out.largeBlob.blob === "string") out.largeBlob.blob = fromBase64url(out.largeBlob.blob);
    return out;
  }

  function attestationResponse(json) {
    const authenticatorData = fromBase64url(json.authenticatorData);
    const publicKey = bufferOrNull(json.publicKey);
    const transports = Array.isArray(json.transports) ? [...json.transports] : [];
    return Object.create(AuthenticatorAttestationResponse.prototype, {
      clientDataJSON: readOnly(fromBase64url(json.clientDataJSON)),
      attestationObject: readOnly(fromBase64url(json.attestationObject)),
      getAuthenticatorData: method(function getAuthenticatorData() { return authenticatorData.slice(0); }),
      getPublicKey: method(function getPublicKey() { return publicKey && publicKey.slice(0); }),
      getPublicKeyAlgorithm: method(function getPublicKeyAlgorithm() { return json.publicKeyAlgorithm; }),
      getTransports: method(function getTransports() { return [...transports]; }),
    });
  }

  function assertionResponse(json) {
    return Object.create(AuthenticatorAssertionResponse.prototype, {
      clientDataJSON: readOnly(fromBase64url(json.clientDataJSON)),
      authenticatorData: readOnly(fromBase64url(json.authenticatorData)),
      signature: readOnly(fromBase64url(json.signature)),
      userHandle: readOnly(bufferOrNull(json.userHandle)),
    });
  }

  /** A PublicKeyCredential from the bridge's RegistrationResponseJSON or AuthenticationResponseJSON. */
  function credentialFromJSON(json, ceremony) {
    const snapshot = JSON.stringify(json);
    const response = ceremony === "create" ? attestationResponse(json.response) : assertionResponse(json.response);
    return Object.create(PublicKeyCredential.prototype, {
      id: readOnly(json.id),
      rawId: readOnly(fromBase64url(json.rawId)),
      type: readOnly(json.type || "public-key"),
      authenticatorAttachment: readOnly(json.authenticatorAttachment ?? null),
      response: readOnly(response),
      getClientExtensionResults: method(function getClientExtensionResults() {
        return clientExtensionResultsFromJSON(json.clientExtensionResults);
      }),
      toJSON: method(function toJSON() { return JSON.parse(snapshot); }),
    });
  }

  // --- Ceremonies (WebAuthn L3 §5.1.3 create, §5.1.4 get) --------------------------------------

  function abortReason(signal) {
    return signal.reason !== undefined ? signal.reason : new DOMException("The operation was aborted.", "AbortError");
  }

  /** A DOMException of the bridge's name; TypeError for options the WebAuthn IDL refuses. */
  function exceptionFromAnswer({ name, message }) {
    return name === "TypeError" ? new TypeError(message) : new DOMException(message, name);
  }

  function newCallId() {
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  }

  function checkOptions(ceremony, publicKey, mediation) {
    if (ceremony === "create") {
      requireMembers(publicKey, ["rp", "user", "challenge", "pubKeyCredParams"], "PublicKeyCredentialCreationOptions");
    } else {
      requireMembers(publicKey, ["challenge"], "PublicKeyCredentialRequestOptions");
    }
    if (ceremony === "create" && mediation === "conditional") {
      // getClientCapabilities() says conditionalCreate: false.
      throw new DOMException("Conditional creation is not supported.", "NotSupportedError");
    }
  }

  /**
   * One ceremony through the binding. An aborted signal rejects at once with its reason; an abort
   * during the call rejects with the reason and tells the Node side, which ends the authenticator
   * operation (WebAuthn L3 §5.1.3 step 22 / §5.1.4.1, "If options.signal is aborted...").
   */
  function ceremony(kind, options) {
    const { publicKey, signal } = options;
    if (signal && signal.aborted) return Promise.reject(abortReason(signal));
    const mediation = kind === "get" ? options.mediation || "optional" : "optional";
    try {
      checkOptions(kind, publicKey, options.mediation);
    } catch (error) {
      return Promise.reject(error);
    }
    const request = { op: kind, callId: newCallId(), mediation, options: toJSONValue(publicKey) };
    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(abortReason(signal));
        callBinding({ op: "cancel", callId: request.callId }).catch(() => {});
      };
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      const settle = (body) => {
        if (settled) return;
        settled = true;
        if (signal) signal.removeEventListener("abort", onAbort);
        body();
      };
      callBinding(request).then(
        (answer) => settle(() => {
          if (answer && answer.domException) {
            reject(exceptionFromAnswer(answer.domException));
          } else {
            resolve(credentialFromJSON(answer.credential, kind));
          }
        }),
        () => settle(() => reject(new DOMException("The authenticator could not be reached.", "UnknownError"))),
      );
    });
  }

  function replaceMethod(target, name, body) {
    Object.defineProperty(target, name, { value: body, writable: true, configurable: true, enumerable: true });
  }

  replaceMethod(CredentialsContainer.prototype, "create", function create(options) {
    if (options && options.publicKey) return ceremony("create", options);
    return originalCreate.call(this, options);
  });
  replaceMethod(CredentialsContainer.prototype, "get", function get(options) {
    if (options && options.publicKey) return ceremony("get", options);
    return originalGet.call(this, options);
  });

  // --- PublicKeyCredential's static methods -----------------------------------------------------

  /** WebAuthn L3 §5.1.7: the capabilities of this client and its one roaming authenticator. */
  function clientCapabilities() {
    return {
      conditionalCreate: false,
      conditionalGet: true,
      hybridTransport: false,
      passkeyPlatformAuthenticator: false,
      userVerifyingPlatformAuthenticator: userVerifyingPlatform,
      relatedOrigins: false,
      signalAllAcceptedCredentials: false,
      signalCurrentUserDetails: false,
      signalUnknownCredential: false,
      "extension:credProps": true,
      "extension:credProtect": true,
      "extension:prf": true,
      "extension:credBlob": true,
      "extension:getCredBlob": true,
      "extension:minPinLength": true,
      "extension:uvm": true,
    };
  }

  const statics = {
    // §5.1.8: softfido is a roaming key, not a user-verifying platform authenticator.
    // §5.1.7: true for a platform authenticator with an enrolled built-in sensor.
    isUserVerifyingPlatformAuthenticatorAvailable() { return Promise.resolve(userVerifyingPlatform); },
    // §5.1.6: autofill requests wait for the test's autofill() pick.
    isConditionalMediationAvailable() { return Promise.resolve(true); },
    getClientCapabilities() { return Promise.resolve(clientCapabilities()); },
    // §5.1.11 and §5.1.12, the same in every browser.
    parseCreationOptionsFromJSON,
    parseRequestOptionsFromJSON,
  };
  for (const [name, body] of Object.entries(statics)) replaceMethod(PublicKeyCredential, name, body);
}
