// softfido relying party: the browser side of sign-up, sign-in and passkey management.
//
// The project's own code, no libraries. One script serves every page: <body data-page="...">
// says which page runs. The pages talk to the server's JSON API (see routes/*.rs); binary WebAuthn
// fields travel as base64url strings, as webauthn-rs serialises them.
"use strict";

// ---------------------------------------------------------------------------------------------
// base64url <-> ArrayBuffer
// ---------------------------------------------------------------------------------------------

/** Decodes base64url (padded or not) to an ArrayBuffer. */
function base64urlToBuffer(text) {
  const base64 = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  // Pad to a multiple of 4: length % 4 of 2 needs "==", of 3 needs "=" (1 is invalid: atob throws).
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** Encodes an ArrayBuffer or a typed array view as unpadded base64url. */
function bufferToBase64url(buffer) {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// ---------------------------------------------------------------------------------------------
// Server options -> navigator.credentials arguments
// ---------------------------------------------------------------------------------------------

/** A credential descriptor with its id decoded. */
function decodeDescriptor(descriptor) {
  return { ...descriptor, id: base64urlToBuffer(descriptor.id) };
}

/** A browser's parse*FromJSON, or null when it is missing or refuses the options. */
function parseWithBrowser(name, json) {
  if (typeof PublicKeyCredential === "undefined" || typeof PublicKeyCredential[name] !== "function") {
    return null;
  }
  try {
    return PublicKeyCredential[name](json);
  } catch (error) {
    console.warn(`PublicKeyCredential.${name} refused the options; decoding them by hand`, error);
    return null;
  }
}

/** `{publicKey: {...}}` from /webauthn/register/start -> PublicKeyCredentialCreationOptions. */
function creationOptions(serverOptions) {
  const json = serverOptions.publicKey;
  const parsed = parseWithBrowser("parseCreationOptionsFromJSON", json);
  if (parsed) return parsed;
  const options = {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    user: { ...json.user, id: base64urlToBuffer(json.user.id) },
  };
  if (json.excludeCredentials) options.excludeCredentials = json.excludeCredentials.map(decodeDescriptor);
  return options;
}

/** `{publicKey: {...}}` from /webauthn/login/start -> PublicKeyCredentialRequestOptions. */
function requestOptions(serverOptions) {
  const json = serverOptions.publicKey;
  const parsed = parseWithBrowser("parseRequestOptionsFromJSON", json);
  if (parsed) return parsed;
  const options = { ...json, challenge: base64urlToBuffer(json.challenge) };
  if (json.allowCredentials) options.allowCredentials = json.allowCredentials.map(decodeDescriptor);
  return options;
}

// ---------------------------------------------------------------------------------------------
// PublicKeyCredential -> the JSON the server reads
// ---------------------------------------------------------------------------------------------

/** The credential as JSON by hand, for browsers without PublicKeyCredential.toJSON. */
function manualCredentialJSON(credential) {
  const response = credential.response;
  const json = {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    response: { clientDataJSON: bufferToBase64url(response.clientDataJSON) },
    clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
  };
  if (response.attestationObject) {
    // Registration (AuthenticatorAttestationResponse).
    json.response.attestationObject = bufferToBase64url(response.attestationObject);
    if (typeof response.getTransports === "function") json.response.transports = response.getTransports();
  } else {
    // Sign-in (AuthenticatorAssertionResponse).
    json.response.authenticatorData = bufferToBase64url(response.authenticatorData);
    json.response.signature = bufferToBase64url(response.signature);
    json.response.userHandle = response.userHandle ? bufferToBase64url(response.userHandle) : null;
  }
  return json;
}

/** Whether toJSON() gave base64url strings (some extensions' polyfills return buffers). */
function looksSerialised(json) {
  return !!json && typeof json.rawId === "string" && !!json.response &&
    typeof json.response.clientDataJSON === "string";
}

/**
 * The credential as the server's JSON: id, rawId, type, response (base64url fields), extensions.
 * Uses the browser's toJSON() when it is there and sane, else encodes by hand.
 */
function credentialToJSON(credential) {
  let json = null;
  if (typeof credential.toJSON === "function") {
    try {
      json = credential.toJSON();
    } catch (error) {
      console.warn("PublicKeyCredential.toJSON failed; encoding by hand", error);
    }
  }
  if (!looksSerialised(json)) json = manualCredentialJSON(credential);
  // Client extension outputs are unsigned and the server reads only the signed authenticator data,
  // so pass on credProps alone (an informative hint) under the name the server expects.
  const outputs = json.clientExtensionResults || json.extensions || {};
  const extensions = outputs.credProps ? { credProps: outputs.credProps } : {};
  return {
    id: json.id,
    rawId: json.rawId,
    type: json.type,
    response: json.response,
    extensions,
  };
}

// ---------------------------------------------------------------------------------------------
// The JSON API
// ---------------------------------------------------------------------------------------------

/** An error the server answered: `code` is its `error`, the message its `message`. */
class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

/** Calls the API; resolves to the JSON body, or rejects with an ApiError carrying its message. */
async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError("network", "The server could not be reached. Check your connection.", 0);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null; // Not JSON, e.g. axum's plain-text rejection of a malformed body.
  }
  if (!response.ok) {
    const message = (data && (data.message || data.error_description || data.error)) ||
      text.trim() || `The server answered ${response.status} ${response.statusText}.`;
    throw new ApiError((data && data.error) || `http_${response.status}`, message, response.status);
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// Ceremonies
// ---------------------------------------------------------------------------------------------

/** Whether this browser can do WebAuthn at all. */
function webauthnSupported() {
  return typeof PublicKeyCredential !== "undefined" && !!navigator.credentials;
}

/** Whether passkeys can be offered in the username field's autofill (conditional mediation). */
async function conditionalMediationAvailable() {
  if (!webauthnSupported() || typeof PublicKeyCredential.isConditionalMediationAvailable !== "function") {
    return false;
  }
  try {
    return await PublicKeyCredential.isConditionalMediationAvailable();
  } catch (error) {
    return false;
  }
}

/** A readable sentence for what navigator.credentials threw. */
function describeError(error) {
  if (error instanceof ApiError) return error.message;
  switch (error && error.name) {
    case "NotAllowedError":
      return "The passkey request was cancelled, timed out, or no matching passkey was available.";
    case "InvalidStateError":
      return "This authenticator already holds a passkey for this account.";
    case "SecurityError":
      return "The browser refused: this page's address does not match the relying party's.";
    case "NotSupportedError":
      return "This authenticator does not support what the server asked for.";
    case "AbortError":
      return "The passkey request was cancelled.";
    default:
      return (error && error.message) || String(error);
  }
}

/** Registers a passkey for the signed-in user. Resolves to the server's answer. */
async function registerPasskey({ discoverable, name }) {
  if (!webauthnSupported()) throw new Error("This browser does not support passkeys.");
  const { ceremony, options } = await api("POST", "/webauthn/register/start", { discoverable });
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  if (!credential) throw new Error("The browser returned no credential.");
  const body = { ceremony, credential: credentialToJSON(credential) };
  if (name) body.name = name;
  return api("POST", "/webauthn/register/finish", body);
}

/**
 * Signs in with a passkey: `username` for username-first (an allowCredentials list), none for a
 * discoverable one. `mediation: "conditional"` with an abort `signal` serves the autofill.
 * Resolves to {user_id, amr, acr}; the server sets the session cookie.
 */
async function signInWithPasskey({ username, mediation, signal } = {}) {
  if (!webauthnSupported()) throw new Error("This browser does not support passkeys.");
  const { ceremony, options } = await api("POST", "/webauthn/login/start", username ? { username } : {});
  const request = { publicKey: requestOptions(options) };
  if (mediation) request.mediation = mediation;
  if (signal) request.signal = signal;
  const credential = await navigator.credentials.get(request);
  if (!credential) throw new Error("The browser returned no credential.");
  return api("POST", "/webauthn/login/finish", { ceremony, credential: credentialToJSON(credential) });
}

// ---------------------------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

/** Shows a message in the page's #message box: kind is "error", "ok" or "info". */
function showMessage(text, kind = "error") {
  const box = $("message");
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
}

function clearMessage() {
  $("message").hidden = true;
}

/** The pending OIDC authorization request of this page's URL, if any. */
function pendingRequest() {
  return new URLSearchParams(location.search).get("request");
}

/** Where to go after a sign-in: back into the OIDC flow, or to the session page. */
function afterSignIn() {
  const request = pendingRequest();
  location.assign(request ? `/authorize/continue?request=${encodeURIComponent(request)}` : "/me");
}

/** Carries ?request=… over to the links marked data-keep-request (sign-in <-> sign-up). */
function keepRequestInLinks() {
  const request = pendingRequest();
  if (!request) return;
  for (const link of document.querySelectorAll("a[data-keep-request]")) {
    const url = new URL(link.href, location.href);
    url.searchParams.set("request", request);
    link.href = url.pathname + url.search;
  }
}

/** Runs an async action with the buttons of `container` disabled; shows its error. */
async function busy(container, action) {
  const buttons = container.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    return await action();
  } catch (error) {
    showMessage(describeError(error));
    return undefined;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

/** Seconds since the epoch as a local date and time. */
function formatTime(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "never";
}

// ---------------------------------------------------------------------------------------------
// Sign-in page
// ---------------------------------------------------------------------------------------------

/** The conditional (autofill) request in progress, so a button press can cancel it. */
let conditionalRequest = null;

/** Offers passkeys in the username field's autofill, when the browser can. */
async function startConditionalSignIn() {
  if (!(await conditionalMediationAvailable())) return;
  const controller = new AbortController();
  conditionalRequest = controller;
  try {
    await signInWithPasskey({ mediation: "conditional", signal: controller.signal });
    afterSignIn();
  } catch (error) {
    // Cancelled by us to start another ceremony: not an error.
    if (controller.signal.aborted) return;
    showMessage(describeError(error));
  } finally {
    if (conditionalRequest === controller) conditionalRequest = null;
  }
}

/** Cancels the autofill request: a browser runs one WebAuthn request at a time. */
function cancelConditionalSignIn() {
  if (conditionalRequest) {
    conditionalRequest.abort();
    conditionalRequest = null;
  }
}

/** Runs one sign-in method from a button; restarts the autofill if it fails. */
async function runSignIn(container, method) {
  clearMessage();
  cancelConditionalSignIn();
  const ok = await busy(container, async () => {
    await method();
    return true;
  });
  if (ok) {
    afterSignIn();
  } else {
    startConditionalSignIn();
  }
}

function signinPage() {
  keepRequestInLinks();
  if (new URLSearchParams(location.search).get("step_up") === "1") $("step-up").hidden = false;
  if (!webauthnSupported()) {
    showMessage("This browser does not support passkeys: only the password sign-in works here.", "info");
  }

  // Discoverable: the browser lists the passkeys it has for this site; no username needed.
  const discoverable = $("passkey-discoverable");
  discoverable.addEventListener("click", () =>
    runSignIn(discoverable.parentElement, () => signInWithPasskey()));

  // The form's three buttons: username-first passkey, password, password + security key.
  const form = $("signin-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const method = (event.submitter && event.submitter.dataset.method) || "passkey";
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username) {
      showMessage("Enter your username first.");
      $("username").focus();
      return;
    }
    if (method !== "passkey" && !password) {
      showMessage("Enter your password.");
      $("password").focus();
      return;
    }
    if (method === "passkey") {
      runSignIn(form, () => signInWithPasskey({ username }));
    } else if (method === "password") {
      runSignIn(form, () => api("POST", "/account/password", { username, password }));
    } else {
      // Password, then a key registered to this user; the server counts both (amr pwd + mfa).
      runSignIn(form, async () => {
        await api("POST", "/account/password", { username, password });
        try {
          await signInWithPasskey({ username });
        } catch (error) {
          throw new Error(`Your password was accepted, but the security key step failed: ${describeError(error)}`);
        }
      });
    }
  });

  startConditionalSignIn();
}

// ---------------------------------------------------------------------------------------------
// Sign-up page
// ---------------------------------------------------------------------------------------------

function signupPage() {
  keepRequestInLinks();
  const request = pendingRequest();
  // Back to an application: sign in (with the new passkey or password) so that the sign-in
  // the application receives is a real one.
  if (request) {
    $("continue").href = `/signin?request=${encodeURIComponent(request)}`;
    $("continue").textContent = "Continue to sign in";
    $("done-text").textContent = "Your account is ready. Sign in with it to go back to the application.";
  }

  const form = $("signup-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearMessage();
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username) return showMessage("Choose a username.");
    if (password && password.length < 8) return showMessage("A password is at least 8 characters.");
    busy(form, async () => {
      await api("POST", "/account/signup", password ? { username, password } : { username });
      form.hidden = true;
      showMessage(`Account “${username}” created.`, "ok");
      $("add-passkey").hidden = false;
      $("passkey-only-warning").hidden = !!password;
      // With a password the passkey is optional: offer to go on without one.
      if (password) $("done").hidden = false;
      if (!webauthnSupported()) showMessage("Account created, but this browser cannot add a passkey.", "info");
    });
  });

  const addForm = $("add-passkey-form");
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearMessage();
    busy(addForm, async () => {
      await registerPasskey({ discoverable: $("passkey-discoverable").checked, name: $("passkey-name").value.trim() });
      $("add-passkey").hidden = true;
      $("done-text").textContent = request
        ? "Your passkey is saved. Sign in with it to go back to the application."
        : "Your passkey is saved.";
      $("done").hidden = false;
      showMessage("Passkey added.", "ok");
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Passkey management page
// ---------------------------------------------------------------------------------------------

/** A short reading of the server's attestation record (Debug text of evidence::Attestation). */
function attestationSummary(text) {
  if (!text || text === "None") return "no attestation";
  if (text === "SelfAttested") return "self attestation";
  if (text === "Untrusted") return "attestation not trusted";
  if (text.startsWith("Trusted")) return "trusted attestation (known model)";
  return text;
}

/** One passkey as a list item with rename and delete. */
function passkeyItem(passkey) {
  const item = document.createElement("li");
  const name = document.createElement("div");
  name.className = "name";
  name.textContent = passkey.name;
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = `Added ${formatTime(passkey.created_at)} · last used ${formatTime(passkey.last_used_at)}` +
    ` · ${attestationSummary(passkey.attestation)}`;
  const details = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Details";
  const raw = document.createElement("code");
  raw.textContent = `id ${passkey.id}\nattestation ${passkey.attestation}`;
  details.append(summary, raw);

  // Rename: an inline form.
  const rename = document.createElement("form");
  rename.className = "rename";
  const input = document.createElement("input");
  input.type = "text";
  input.maxLength = 64;
  input.value = passkey.name;
  input.setAttribute("aria-label", `New name for ${passkey.name}`);
  const save = document.createElement("button");
  save.type = "submit";
  save.textContent = "Rename";
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "danger";
  remove.textContent = "Delete";
  rename.append(input, save, remove);

  rename.addEventListener("submit", (event) => {
    event.preventDefault();
    clearMessage();
    busy(rename, async () => {
      await api("POST", `/passkeys/${encodeURIComponent(passkey.id)}`, { name: input.value.trim() });
      showMessage("Passkey renamed.", "ok");
      await loadPasskeys();
    });
  });
  remove.addEventListener("click", () => {
    if (!confirm(`Delete the passkey “${passkey.name}”? You cannot sign in with it afterwards.`)) return;
    clearMessage();
    busy(rename, async () => {
      await api("DELETE", `/passkeys/${encodeURIComponent(passkey.id)}`);
      showMessage("Passkey deleted.", "ok");
      await loadPasskeys();
    });
  });

  item.append(name, meta, rename, details);
  return item;
}

/** Fetches and shows the list; shows the signed-out notice when there is no session. */
async function loadPasskeys() {
  let answer;
  try {
    answer = await api("GET", "/passkeys");
  } catch (error) {
    if (error.code === "not_signed_in") {
      $("signed-out").hidden = false;
      $("list-section").hidden = true;
      $("add-section").hidden = true;
      return;
    }
    throw error;
  }
  const list = $("passkey-list");
  list.replaceChildren(...answer.passkeys.map(passkeyItem));
  $("empty").hidden = answer.passkeys.length > 0;
  $("list-section").hidden = false;
  $("add-section").hidden = false;
}

function passkeysPage() {
  offerSignOut();
  loadPasskeys().catch((error) => showMessage(describeError(error)));
  const addForm = $("add-passkey-form");
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearMessage();
    busy(addForm, async () => {
      await registerPasskey({ discoverable: $("passkey-discoverable").checked, name: $("passkey-name").value.trim() });
      $("passkey-name").value = "";
      showMessage("Passkey added.", "ok");
      await loadPasskeys();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Session page: amr and acr, legibly
// ---------------------------------------------------------------------------------------------

const RFC8176 = "RFC 8176";
const EAP = "OpenID Connect EAP ACR Values 1.0";

/** What each amr value means, and where it is defined. */
const AMR_MEANINGS = {
  face: ["Biometric authentication using facial recognition", RFC8176],
  fpt: ["Biometric authentication using a fingerprint", RFC8176],
  geo: ["Use of geolocation information", RFC8176],
  hwk: ["Proof of possession of a hardware-secured key", RFC8176],
  iris: ["Biometric authentication using an iris scan", RFC8176],
  kba: ["Knowledge-based authentication", RFC8176],
  mca: ["Multiple-channel authentication", RFC8176],
  mfa: ["Multiple-factor authentication: more than one kind of factor was verified", RFC8176],
  otp: ["One-time password", RFC8176],
  pin: ["Personal identification number or pattern, entered to unlock a key on the device", RFC8176],
  pop: ["Proof of possession of a key, whether hardware- or software-secured is not known", EAP],
  pwd: ["Password-based authentication", RFC8176],
  rba: ["Risk-based authentication", RFC8176],
  retina: ["Biometric authentication using a retina scan", RFC8176],
  sc: ["Smart card", RFC8176],
  sms: ["Confirmation by an SMS text message to a registered number", RFC8176],
  swk: ["Proof of possession of a software-secured key", RFC8176],
  tel: ["Confirmation by a telephone call to a registered number", RFC8176],
  user: ["User presence test", RFC8176],
  vbm: ["Biometric authentication using a voiceprint", RFC8176],
  wia: ["Windows integrated authentication", RFC8176],
};

/** What each acr value means. */
const ACR_MEANINGS = {
  phr: ["Phishing-resistant: a site impersonating this one could not obtain anything that signs you in here (e.g. a WebAuthn passkey)", EAP],
  phrh: ["Phishing-resistant and hardware-protected: phishing-resistant, and the key is protected by hardware (not synced, not exportable)", EAP],
};

/** A row: the value in code, its meaning and source. */
function meaningRow(tag, value, [meaning, source]) {
  const row = document.createElement(tag);
  const code = document.createElement("code");
  code.textContent = value;
  const text = document.createElement("span");
  text.textContent = meaning;
  const from = document.createElement("span");
  from.className = "source";
  from.textContent = source;
  text.append(from);
  row.append(code, text);
  return row;
}

/** The page's sign-out button: ends the session (server side too), then goes to the sign-in page. */
function offerSignOut() {
  const button = $("signout");
  if (!button) return;
  button.addEventListener("click", () => {
    clearMessage();
    busy(button.parentElement, async () => {
      await api("POST", "/account/signout");
      window.location.assign("/signin");
    });
  });
}

async function mePage() {
  offerSignOut();
  let session;
  try {
    session = await api("GET", "/account/session");
  } catch (error) {
    if (error.code === "not_signed_in") {
      $("signed-out").hidden = false;
      return;
    }
    showMessage(describeError(error));
    return;
  }
  $("user-id").textContent = session.user_id;
  $("auth-time").textContent = formatTime(session.auth_time);

  const [meaning, source] = session.acr
    ? ACR_MEANINGS[session.acr] || ["Not a value this page knows", "unknown"]
    : ["No acr: nothing phishing-resistant was verified (e.g. a password alone), so the ID token carries no acr claim",
      "acr is optional: OpenID Connect Core 1.0 §2"];
  const acrRow = meaningRow("div", session.acr || "none", [meaning, source]);
  acrRow.className = "acr";
  $("acr").replaceChildren(acrRow);

  const amr = $("amr");
  const values = session.amr || [];
  if (values.length === 0) {
    const empty = document.createElement("li");
    empty.textContent = "No method verified yet: this session began at sign-up, before a password or passkey was checked.";
    amr.replaceChildren(empty);
  } else {
    amr.replaceChildren(...values.map((value) =>
      meaningRow("li", value, AMR_MEANINGS[value] || ["Not a registered value", "unknown"])));
  }
  $("session").hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Start the page's code (the script is loaded with `defer`, so the DOM is ready).
// ---------------------------------------------------------------------------------------------

const PAGES = { signin: signinPage, signup: signupPage, passkeys: passkeysPage, me: mePage };

if (typeof document !== "undefined") {
  const page = PAGES[document.body.dataset.page];
  if (page) {
    Promise.resolve()
      .then(page)
      .catch((error) => showMessage(describeError(error)));
  }
}
