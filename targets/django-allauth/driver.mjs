// The driver of django-allauth's pages (targets/django-allauth/target.toml): signing up, adding
// the authenticator, signing in, each through allauth's own forms and its webauthn.js, as a
// user clicks them. The contract is targets/README.md "The driver".
//
// allauth's paths: allauth/account/urls.py, allauth/mfa/urls.py (under /accounts/ in
// tests/allauth/project/allauthsite/urls.py). What it shows when something fails:
// - a form error: Django's `ul.errorlist` (a wrong password, a refused credential on the add or
//   the two-factor page: "Incorrect code.");
// - a message at the top of the page (allauth/layouts/base.html "Messages:") after a redirect
//   back to the sign-in page (a passkey sign-in the server refused: "Incorrect code.");
// - a ceremony the browser refused: its webauthn.js dispatches `allauth.error` and, unhandled,
//   logs the exception with console.error (allauth/mfa/static/mfa/js/webauthn.js dispatchError);
// - the provider's error page (allauth/templates/idp/oidc/error.html, heading "Error").

const SIGNUP = "/accounts/signup/";
const LOGIN = "/accounts/login/";
const MFA_INDEX = "/accounts/2fa/"; // LOGIN_REDIRECT_URL of the site
const MFA_AUTHENTICATE = "/accounts/2fa/authenticate/";
const WEBAUTHN_ADD = "/accounts/2fa/webauthn/add/";
const WEBAUTHN_SCRIPT = "/static/mfa/js/webauthn";
/** One step: below the runner's per-action timeout would be pointless, above it too long. */
const STEP_MS = 10_000;
const POLL_MS = 50;

/**
 * Creates the account on allauth's signup page (a username and a password, no email: the
 * site's ACCOUNT_SIGNUP_FIELDS); allauth signs the new account in and lands on the two-factor
 * page.
 */
export async function signUp(ctx) {
  const { page, base, user } = ctx;
  await page.goto(`${base}${SIGNUP}`);
  await step(page, "sign up", async () => {
    await page.locator('input[name="username"]').fill(user.username);
    await page.locator('input[name="password1"]').fill(user.password);
    await page.locator('input[name="password2"]').fill(user.password);
    await page.getByRole("button", { name: "Sign Up", exact: true }).click();
  }, async () => pathOf(page) === MFA_INDEX && (await menu(page)).includes("Sign Out"));
}

/**
 * Registers the authenticator on allauth's "Add Security Key" page, the account signed in:
 * allauth asks for the password again first ("Confirm Access", MFA_REAUTHENTICATION_REQUIRED).
 * "Passwordless" ticked makes a passkey (residentKey and userVerification required,
 * allauth/mfa/webauthn/internal/auth.py begin_registration); unticked, a second-factor key
 * (residentKey discouraged, MFA_WEBAUTHN_USER_VERIFICATION). A passkey of allauth is always
 * discoverable: `discoverable` false is refused for it.
 */
export async function addPasskey(ctx, { discoverable, secondFactor }) {
  const { page, base, user } = ctx;
  if (!secondFactor && discoverable === false) {
    throw new Error("allauth's passkeys are always discoverable (residentKey required)");
  }
  await page.goto(`${base}${WEBAUTHN_ADD}`);
  const addHeading = page.getByRole("heading", { name: "Add Security Key" });
  if (await heading(page) === "Confirm Access") {
    await step(page, "confirm access", async () => {
      await page.locator('input[name="password"]').fill(user.password);
      await page.getByRole("button", { name: "Confirm", exact: true }).click();
    }, () => addHeading.isVisible());
  }
  await step(page, "add the security key", async () => {
    await addHeading.waitFor();
    await scriptsReady(page);
    await page.locator('input[name="name"]').fill(secondFactor ? "softfido key" : "softfido passkey");
    await page.locator('input[name="passwordless"]').setChecked(!secondFactor);
    await page.locator("#mfa_webauthn_add").click();
  }, async () => pathOf(page) === MFA_INDEX && (await messages(page)).includes("Security key added."));
}

/**
 * Signs in on allauth's sign-in page, where the provider's authorization endpoint sent the
 * browser (login_required, its `next` the authorization request): "passkey" is allauth's "Sign
 * in with a passkey" (an empty allowCredentials); "password" the username and password;
 * "password_and_key" the same, then "Use a security key" on allauth's two-factor page. Resolves
 * once allauth sends the browser on to the client with a code (it redirects to `next`, which
 * answers at once: the client is registered without a consent page).
 */
export async function signIn(ctx, { method, discoverable }) {
  const { page, user } = ctx;
  const answer = clientResponse(page);
  const answered = async () => {
    if (answer.error) throw new Error(answer.error);
    return answer.done;
  };
  try {
    // The provider may answer the request itself instead: its error page, or the client.
    const login = page.locator('input[name="login"]');
    await step(page, "the sign-in page", async () => {}, async () => (await answered()) || login.isVisible());
    if (answer.done) throw new Error("allauth answered the client without a sign-in");
    if (method === "passkey") {
      if (discoverable === false) throw new Error("allauth has no username-first passkey sign-in");
      await step(page, "sign in with a passkey", async () => {
        await scriptsReady(page);
        await page.locator("#passkey_login").click();
      }, answered, { back: [LOGIN] });
      return;
    }
    if (method !== "password" && method !== "password_and_key") throw new Error(`unknown method ${method}`);
    await step(page, "sign in with the password", async () => {
      await page.locator('input[name="login"]').fill(user.username);
      await page.locator('input[name="password"]').fill(user.password);
      await page.getByRole("button", { name: "Sign In", exact: true }).click();
    }, async () => (await answered()) || pathOf(page) === MFA_AUTHENTICATE);
    if (method === "password") {
      if (!answer.done) throw new Error("allauth asks for the account's second factor after the password");
      return;
    }
    if (answer.done) throw new Error("allauth signed in with the password alone: it asked for no second factor");
    await step(page, "the security key as second factor", async () => {
      await page.getByRole("heading", { name: "Two-Factor Authentication" }).waitFor();
      await scriptsReady(page);
      await page.locator("#mfa_webauthn_authenticate").click();
    }, answered, { back: [LOGIN] });
  } finally {
    answer.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting for a step: its success, or what allauth shows when it fails
// ---------------------------------------------------------------------------------------------

/**
 * Runs `action`, then waits up to STEP_MS for `done()` and throws, named after `what`, as soon
 * as allauth shows an error instead (or `done()` throws one). `back`: paths whose fresh load after the action means
 * allauth refused the step and sent the browser back there (with a message, usually).
 */
async function step(page, what, action, done, { back = [] } = {}) {
  const seen = watch(page);
  try {
    await action();
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      let finished;
      try {
        finished = await done();
      } catch (error) {
        // Keep the name: a TimeoutError or BrokenRunError is no verdict (targets/README.md).
        throw named(error?.name === "TimeoutError" || error?.name === "BrokenRunError" ? error.name : "Error",
          `${what}: ${error.message}`);
      }
      if (finished) return;
      const shown = await shownError(page, seen, back);
      if (shown) {
        // A server error says the site broke (a locked database), not what it decided.
        throw named(seen.serverErrors ? "BrokenRunError" : "Error", `${what}: ${shown}`);
      }
      if (Date.now() > deadline) {
        throw named("TimeoutError", `${what}: allauth showed neither success nor an error in ${STEP_MS} ms (at ${page.url()})`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    seen.stop();
  }
}

/**
 * An Error with `name`: the runner reads `TimeoutError` (nothing happened in time) and
 * `BrokenRunError` (the site or the run broke) as no verdict on the IdP (targets/README.md).
 */
function named(name, message) {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * What happens on the page from now on: allauth's logged ceremony failures, documents loaded,
 * documents answered with an HTTP error (allauth's rate limits answer 429, ACCOUNT_RATE_LIMITS).
 */
function watch(page) {
  const seen = { ceremonyErrors: [], loads: [], httpErrors: [], serverErrors: false };
  const onConsole = (message) => {
    if (message.type() === "error" && (message.location().url || "").includes(WEBAUTHN_SCRIPT)) {
      seen.ceremonyErrors.push(message.text());
    }
  };
  const onLoad = () => seen.loads.push(pathOf(page));
  const onResponse = (response) => {
    const request = response.request();
    if (response.status() >= 400 && request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      seen.httpErrors.push(`HTTP ${response.status()} ${response.statusText()} at ${new URL(response.url()).pathname}`);
      if (response.status() >= 500) seen.serverErrors = true;
    }
  };
  page.on("console", onConsole);
  page.on("load", onLoad);
  page.on("response", onResponse);
  seen.stop = () => {
    page.off("console", onConsole);
    page.off("load", onLoad);
    page.off("response", onResponse);
  };
  return seen;
}

/** The error allauth shows, or null. The page may be navigating: a failed read is no error. */
async function shownError(page, seen, back) {
  if (seen.ceremonyErrors.length > 0) {
    return `the browser's ceremony failed (allauth's webauthn.js): ${seen.ceremonyErrors.join("; ")}`;
  }
  if (seen.httpErrors.length > 0) {
    const title = await page.title().catch(() => "");
    return `${seen.httpErrors.join("; ")}${title ? ` (${title})` : ""}`;
  }
  try {
    const formErrors = await texts(page.locator(".errorlist li"));
    if (formErrors.length > 0) return formErrors.join(" ");
    if (await heading(page) === "Error") {
      return `the provider's error page: ${(await texts(page.locator("body p"))).join(" ")}`;
    }
    const returned = seen.loads.find((path) => back.includes(path));
    if (returned && pathOf(page) === returned) {
      const said = await messages(page);
      return `allauth sent the browser back to ${returned}${said.length ? `: ${said.join(" ")}` : ""}`;
    }
  } catch {
    // a navigation replaced the document between two reads
  }
  return null;
}

/**
 * Records the authorization response (RFC 6749 §4.1.2, §4.1.2.1): the main frame navigating to
 * a URL with `state` and a `code` or an `error`, which is allauth sending the browser to the
 * client's redirect URI. The redirect URI is on allauth's own origin and comes as an HTTP
 * redirect, so the request is what can be seen of it. `error` is the provider's refusal.
 */
function clientResponse(page) {
  const state = { done: false, error: null };
  const onRequest = (request) => {
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    const params = new URL(request.url()).searchParams;
    if (!params.has("state") || !(params.has("code") || params.has("error"))) return;
    state.done = true;
    if (params.has("error")) {
      const description = params.get("error_description");
      state.error = `allauth answered the client with error=${params.get("error")}${description ? `: ${description}` : ""}`;
    }
  };
  page.on("request", onRequest);
  state.stop = () => page.off("request", onRequest);
  return state;
}

/**
 * Waits until allauth's buttons do something: its onload.js binds the WebAuthn buttons (plain
 * `type="button"`) on DOMContentLoaded, after its scripts at the end of the page have loaded. A
 * click before that does nothing (allauth/account/static/account/js/onload.js).
 */
async function scriptsReady(page) {
  await page.waitForLoadState("load");
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function texts(locator) {
  return (await locator.allTextContents()).map((t) => t.replace(/\s+/g, " ").trim()).filter(Boolean);
}

/** The page's first heading. */
async function heading(page) {
  return (await texts(page.locator("h1").first()))[0] || "";
}

/** allauth's messages at the top of the page (allauth/layouts/base.html). */
async function messages(page) {
  return texts(page.locator("div:has(> strong:text-is('Messages:')) li"));
}

/** The link texts of the menu of allauth's base layout. */
async function menu(page) {
  return texts(page.locator("div:has(> strong:text-is('Menu:')) li a"));
}
