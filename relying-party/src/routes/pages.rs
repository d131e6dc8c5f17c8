//! The browser pages: sign-in, sign-up, passkey management and the session's amr/acr, with their
//! stylesheet and script, compiled into the binary from `relying-party/web/`.
//!
//! Every answer carries a strict Content-Security-Policy (`default-src 'self'`, so no inline script
//! or style: the pages load `/static/passkeys.js` and `/static/style.css`). HTML is `no-store`: a
//! sign-in page may carry a pending authorization request id.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

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

/// A file with its content type, caching rule and the security headers.
fn page(content_type: &'static str, cache_control: &'static str, body: &'static str) -> Response {
    let headers: [(HeaderName, HeaderValue); 6] = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache_control)),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        // The sign-in URL holds the pending request id: do not hand it to other sites.
        (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    ];
    (headers, body).into_response()
}

fn html(body: &'static str) -> Response {
    page(HTML, "no-store", body)
}

/// `GET /signin`: passkey (autofill, discoverable, username-first), password, password + key.
pub async fn signin() -> Response {
    html(SIGNIN_HTML)
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
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    /// The page routes exactly as `routes::app` mounts them.
    fn router() -> Router {
        Router::new()
            .route("/", get(root))
            .route("/signin", get(signin))
            .route("/signup", get(signup))
            .route("/passkeys/manage", get(manage_passkeys))
            .route("/me", get(me))
            .route("/static/style.css", get(style))
            .route("/static/passkeys.js", get(script))
    }

    async fn fetch(path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = router().oneshot(request).await.expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        (parts.status, parts.headers, String::from_utf8(bytes.to_vec()).expect("utf-8"))
    }

    fn value(headers: &axum::http::HeaderMap, name: header::HeaderName) -> &str {
        headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    #[tokio::test]
    async fn pages_are_html_uncached_under_a_strict_csp() {
        for path in ["/signin", "/signup", "/passkeys/manage", "/me"] {
            let (status, headers, body) = fetch(path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(value(&headers, header::CONTENT_TYPE), "text/html; charset=utf-8", "{path}");
            assert_eq!(value(&headers, header::CACHE_CONTROL), "no-store", "{path}");
            let csp = value(&headers, header::CONTENT_SECURITY_POLICY);
            assert!(csp.starts_with("default-src 'self'"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
            assert_eq!(value(&headers, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
            assert!(body.starts_with("<!doctype html>"), "{path}");
            assert!(body.contains(r#"<script src="/static/passkeys.js" defer></script>"#), "{path}");
            assert!(body.contains(r#"<link rel="stylesheet" href="/static/style.css">"#), "{path}");
        }
    }

    #[tokio::test]
    async fn pages_have_no_inline_script_or_style() {
        for path in ["/signin", "/signup", "/passkeys/manage", "/me"] {
            let (_, _, body) = fetch(path).await;
            // The only <script> element is the external one; no style attributes or elements.
            assert_eq!(body.matches("<script").count(), 1, "{path}");
            assert!(!body.contains("<style") && !body.contains(" style="), "{path}");
            let handler = body.split_whitespace().find(|word| {
                word.split_once('=').is_some_and(|(name, _)| {
                    name.len() > 2 && name.starts_with("on") && name.bytes().all(|b| b.is_ascii_lowercase())
                })
            });
            assert_eq!(handler, None, "{path}: an inline event handler");
            assert!(!body.contains("javascript:"), "{path}");
        }
    }

    #[tokio::test]
    async fn signin_offers_passkey_autofill() {
        let (_, _, body) = fetch("/signin").await;
        assert!(body.contains(r#"autocomplete="username webauthn""#));
        assert!(body.contains("/static/passkeys.js"));
        assert!(body.contains(r#"data-page="signin""#));
    }

    #[tokio::test]
    async fn assets_have_their_content_types() {
        let (status, headers, body) = fetch("/static/style.css").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(value(&headers, header::CONTENT_TYPE), "text/css; charset=utf-8");
        assert!(body.contains("[hidden]"));
        let (status, headers, body) = fetch("/static/passkeys.js").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(value(&headers, header::CONTENT_TYPE), "text/javascript; charset=utf-8");
        assert!(value(&headers, header::CONTENT_SECURITY_POLICY).starts_with("default-src 'self'"));
        assert!(body.contains("isConditionalMediationAvailable"));
    }

    #[tokio::test]
    async fn root_redirects_to_the_session_page() {
        let (status, headers, _) = fetch("/").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(value(&headers, header::LOCATION), "/me");
    }
}
