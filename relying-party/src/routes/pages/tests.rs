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
        .with_state(crate::routes::tests::state())
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

#[tokio::test]
async fn the_sign_in_page_warns_while_the_softfido_test_root_is_trusted() {
    let (_, _, plain) = fetch("/signin").await;
    assert!(!plain.contains("test-root-notice"), "no notice by default");
    let config =
        crate::oidc::clients::ProviderConfig::from_json(r#"{"issuer":"http://localhost:8080","clients":[]}"#)
            .expect("config");
    let state =
        crate::routes::AppState::builder(config).trusts_softfido_test_root(true).build().expect("state");
    let request = Request::get("/signin").body(Body::empty()).expect("request");
    let response = crate::routes::app(state).oneshot(request).await.expect("infallible");
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let body = String::from_utf8(bytes.to_vec()).expect("utf-8");
    assert!(body.contains(r#"id="test-root-notice""#), "{body}");
    assert!(body.contains("test attestation root"));
}
