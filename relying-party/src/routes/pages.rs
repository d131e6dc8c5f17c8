//! The browser pages: sign-in, sign-up, passkey management and the session's amr/acr, with their
//! stylesheet and script, compiled into the binary from `relying-party/web/`.
//!
//! Every answer carries a strict Content-Security-Policy (`default-src 'self'`, so no inline script
//! or style: the pages load `/static/passkeys.js` and `/static/style.css`). HTML is `no-store`: a
//! sign-in page may carry a sealed pending authorization request.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;

const SIGNIN_HTML: &str = include_str!("../../web/signin.html");
const SIGNUP_HTML: &str = include_str!("../../web/signup.html");
const PASSKEYS_HTML: &str = include_str!("../../web/passkeys.html");
const ME_HTML: &str = include_str!("../../web/me.html");
const STYLE_CSS: &str = include_str!("../../web/style.css");
const PASSKEYS_JS: &str = include_str!("../../web/passkeys.js");

/// Only this origin's files; no plugins, no framing, no `<base>` rewriting, forms post here only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// The notice the sign-in page shows while softfido's test attestation root is trusted.
const TEST_ROOT_NOTICE: &str = r#"<p id="test-root-notice" class="message error" role="note">
      Test server: this sign-in trusts softfido's <strong>test attestation root</strong>, whose
      private keys are public. Any "hardware" passkey it accepts may be forged; do not use it for
      real accounts.
    </p>
"#;

/// A file with its content type, caching rule and the security headers.
fn page(content_type: &'static str, cache_control: &'static str, body: impl IntoResponse) -> Response {
    let headers: [(HeaderName, HeaderValue); 6] = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache_control)),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        // The sign-in URL holds the sealed pending request: do not hand it to other sites.
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    ];
    (headers, body).into_response()
}

fn html(body: impl IntoResponse) -> Response {
    page(HTML, "no-store", body)
}

/// `GET /signin`: passkey (autofill, discoverable, username-first), password, password + key;
/// with a visible notice while softfido's test root is trusted.
pub async fn signin(State(state): State<AppState>) -> Response {
    if state.trusts_softfido_test_root {
        html(SIGNIN_HTML.replacen("<main>\n", &format!("<main>\n    {TEST_ROOT_NOTICE}"), 1))
    } else {
        html(SIGNIN_HTML)
    }
}

/// `GET /signup`: creates an account, then offers to add a passkey.
pub async fn signup() -> Response {
    html(SIGNUP_HTML)
}

/// `GET /passkeys/manage`: lists, renames, deletes and adds passkeys.
pub async fn manage_passkeys() -> Response {
    html(PASSKEYS_HTML)
}

/// `GET /me`: the session's amr and acr with their meanings.
pub async fn me() -> Response {
    html(ME_HTML)
}

/// `GET /static/style.css`.
pub async fn style() -> Response {
    page(CSS, "no-cache", STYLE_CSS)
}

/// `GET /static/passkeys.js`.
pub async fn script() -> Response {
    page(JAVASCRIPT, "no-cache", PASSKEYS_JS)
}

/// `GET /`: the session page.
pub async fn root() -> Redirect {
    Redirect::to("/me")
}

#[cfg(test)]
mod tests;
