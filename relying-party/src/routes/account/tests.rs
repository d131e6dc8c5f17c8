//! Sign-up, password sign-in and sign-out through the HTTP surface.

use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use crate::clock::ManualClock;
use crate::oidc::clients::ProviderConfig;
use crate::password::Cost;
use crate::routes::tests::{cookie_of, get, post_json, send, state};
use crate::routes::{AppState, app};

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

/// An IdP with a hand-moved clock and cheap password hashes, and `alice` signed up.
async fn with_alice() -> (AppState, ManualClock) {
    let clock = ManualClock::starting_at(1_000_000);
    let config =
        ProviderConfig::from_json(r#"{"issuer":"http://localhost:8080","clients":[]}"#).expect("config");
    let state =
        AppState::builder(config).password_cost(Cost::Minimal).clock(clock.clone()).build().expect("state");
    let signup = json!({ "username": "alice", "password": "correct horse battery" });
    let (status, _, _) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
    assert_eq!(status, StatusCode::OK);
    (state, clock)
}

async fn password_sign_in(
    state: &AppState,
    username: &str,
    password: &str,
) -> (StatusCode, HeaderMap, Value) {
    let body = json!({ "username": username, "password": password });
    send(app(state.clone()), post_json("/account/password", None, &body)).await
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let (state, _) = with_alice().await;
    let (unknown_status, _, unknown) = password_sign_in(&state, "mallory", "correct horse battery").await;
    let (wrong_status, _, wrong) = password_sign_in(&state, "alice", "not her password").await;
    assert_eq!(unknown_status, StatusCode::UNAUTHORIZED);
    assert_eq!((unknown_status, &unknown), (wrong_status, &wrong));
    assert_eq!(unknown["error"], "invalid_credentials");
}

#[tokio::test]
async fn the_sixth_rapid_failure_is_429_and_the_password_works_after_the_backoff() {
    let (state, clock) = with_alice().await;
    for attempt in 1..=5 {
        let (status, _, body) = password_sign_in(&state, "alice", "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}: {body}");
    }
    let (status, headers, body) = password_sign_in(&state, "alice", "guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "too_many_attempts");
    let retry_after: u64 = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    // Even the right password waits: nothing is verified during the back-off.
    let (status, _, _) = password_sign_in(&state, "alice", "correct horse battery").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    clock.advance(retry_after);
    let (status, headers, body) = password_sign_in(&state, "alice", "correct horse battery").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.contains_key(header::SET_COOKIE));
    // The success forgets the failures.
    let (status, _, _) = password_sign_in(&state, "alice", "guess").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_session_cookie_is_secure_and_host_prefixed_on_an_https_origin() {
    for (issuer, name, secure) in [
        ("https://idp.example", "__Host-softfido_session=", true),
        ("http://localhost:8080", "softfido_session=", false),
    ] {
        let config =
            ProviderConfig::from_json(&format!(r#"{{"issuer":"{issuer}","clients":[]}}"#)).expect("config");
        let state = AppState::builder(config).password_cost(Cost::Minimal).build().expect("state");
        let signup = json!({ "username": "alice", "password": "correct horse battery" });
        let (status, headers, _) =
            send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
        assert_eq!(status, StatusCode::OK);
        let set = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a cookie").to_owned();
        assert!(set.starts_with(name), "{set}");
        assert_eq!(set.split("; ").any(|attribute| attribute == "Secure"), secure, "{set}");
        assert!(set.contains("Path=/") && !set.contains("Domain"), "{set}");
        let (status, _, _) =
            send(app(state.clone()), get("/account/session", Some(&cookie_of(&headers)))).await;
        assert_eq!(status, StatusCode::OK, "{issuer}: the cookie signs in");
    }
}

#[tokio::test]
async fn a_passwordless_account_without_a_passkey_is_removed_after_the_ceremony_ttl() {
    let clock = ManualClock::starting_now();
    let config =
        ProviderConfig::from_json(r#"{"issuer":"http://localhost:8080","clients":[]}"#).expect("config");
    let state = AppState::builder(config).clock(clock.clone()).build().expect("state");
    for username in ["squatter", "idler"] {
        let signup = json!({ "username": username });
        let (status, _, body) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let taken = json!({ "username": "squatter" });
    let (status, _, body) = send(app(state.clone()), post_json("/account/signup", None, &taken)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("username_taken")));

    clock.advance(crate::routes::CEREMONY_TTL + 1);
    let (status, _, body) = send(app(state.clone()), post_json("/account/signup", None, &taken)).await;
    assert_eq!(status, StatusCode::OK, "the abandoned name is free again: {body}");
    assert!(state.store().expect("store").user_by_name("idler").expect("query").is_none());
}

#[tokio::test]
async fn look_alike_usernames_cannot_make_distinct_accounts() {
    let (state, _) = with_alice().await;
    for (username, error) in [
        ("\u{FF21}LICE", "username_taken"),
        ("ali\u{200B}ce", "invalid_username"),
        ("ali\u{202E}ce", "invalid_username"),
        ("\u{212A}im", "invalid_username"),
    ] {
        let signup = json!({ "username": username, "password": "correct horse battery" });
        let (status, _, body) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some(error)), "{username:?}");
    }
    // The canonical form signs in whatever spelling is typed.
    let (status, _, body) = password_sign_in(&state, "ALICE", "correct horse battery").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
