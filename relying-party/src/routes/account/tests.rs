//! Sign-up, password sign-in and sign-out through the HTTP surface.

use axum::http::{StatusCode, header};
use serde_json::json;

use crate::routes::app;
use crate::routes::tests::{cookie_of, get, post_json, send, state};

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let state = state();
    let signup = json!({ "username": "alice", "password": "correct horse battery" });
    let (status, headers, _) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie_of(&headers);
    let (status, _, _) = send(app(state.clone()), get("/account/session", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);

    let (status, headers, _) =
        send(app(state.clone()), post_json("/account/signout", Some(&cookie), &json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    let cleared = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a cookie");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // The old cookie, replayed, no longer signs in.
    let (status, _, body) = send(app(state.clone()), get("/account/session", Some(&cookie))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "not_signed_in");
}
