use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use super::allowed;
use crate::routes::app;
use crate::routes::tests::{send, state};

const ORIGIN: &str = "http://localhost:8080";

#[test]
fn only_a_state_change_from_a_foreign_origin_is_refused() {
    assert!(allowed(&Method::POST, Some(ORIGIN.as_bytes()), ORIGIN));
    assert!(allowed(&Method::POST, None, ORIGIN));
    assert!(allowed(&Method::GET, Some(b"https://evil.example"), ORIGIN));
    assert!(!allowed(&Method::POST, Some(b"https://evil.example"), ORIGIN));
    assert!(!allowed(&Method::DELETE, Some(b"null"), ORIGIN));
    assert!(!allowed(&Method::POST, Some(b"http://localhost:8081"), ORIGIN));
}

fn signup(origin: Option<&str>, username: &str) -> Request<Body> {
    let mut builder = Request::post("/account/signup").header(header::CONTENT_TYPE, "application/json");
    if let Some(origin) = origin {
        builder = builder.header(header::ORIGIN, origin);
    }
    let body = json!({ "username": username, "password": "correct horse battery" });
    builder.body(Body::from(body.to_string())).expect("request")
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_is_refused_with_403() {
    let state = state();
    let (status, headers, body) =
        send(app(state.clone()), signup(Some("https://evil.example"), "alice")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "foreign_origin");
    assert!(!headers.contains_key(header::SET_COOKIE));
    for (origin, username) in [(Some(ORIGIN), "alice"), (None, "bob")] {
        let (status, _, body) = send(app(state.clone()), signup(origin, username)).await;
        assert_eq!(status, StatusCode::OK, "{origin:?}: {body}");
    }
    let request = Request::delete("/passkeys/AAAA")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(app(state.clone()), request).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
