//! Passkey registration through the HTTP surface: its name limit and its session binding.

use axum::http::StatusCode;
use serde_json::{Value, json};
use softfido_authenticator::Profile;
use webauthn_rs_core::proto::CreationChallengeResponse;

use super::MAX_PASSKEY_NAME_CHARS;
use crate::routes::tests::{cookie_of, get, post_json, send, state};
use crate::routes::{AppState, app};
use crate::webauthn::test_client::Browser;

/// Signs `alice` up and returns her session cookie.
async fn sign_up(state: &AppState) -> String {
    let signup = json!({ "username": "alice", "password": "correct horse battery" });
    let (status, headers, _) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
    assert_eq!(status, StatusCode::OK);
    cookie_of(&headers)
}

/// Starts a registration under `cookie`; returns the ceremony id and the browser's response.
async fn start_and_create(state: &AppState, cookie: &str, browser: &mut Browser) -> (Value, Value) {
    let (status, _, start) =
        send(app(state.clone()), post_json("/webauthn/register/start", Some(cookie), &json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let options: CreationChallengeResponse =
        serde_json::from_value(start["options"].clone()).expect("options");
    let credential = browser.create(&options).expect("the authenticator registers");
    (start["ceremony"].clone(), serde_json::to_value(credential).expect("json"))
}

async fn passkey_count(state: &AppState, cookie: &str) -> usize {
    let (status, _, list) = send(app(state.clone()), get("/passkeys", Some(cookie))).await;
    assert_eq!(status, StatusCode::OK);
    list["passkeys"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn passkey_name_over_the_limit_is_refused_at_registration_and_rename() {
    let state = state();
    let cookie = sign_up(&state).await;
    let mut browser = Browser::profile(Profile::Platform);
    let (ceremony, credential) = start_and_create(&state, &cookie, &mut browser).await;
    let too_long = "k".repeat(MAX_PASSKEY_NAME_CHARS + 1);
    let finish = json!({ "ceremony": ceremony, "credential": credential, "name": too_long });
    let (status, _, body) =
        send(app(state.clone()), post_json("/webauthn/register/finish", Some(&cookie), &finish)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_name");
    assert_eq!(passkey_count(&state, &cookie).await, 0);

    // The refusal spent nothing: the same ceremony finishes with a name at the limit.
    let at_limit = "é".repeat(MAX_PASSKEY_NAME_CHARS);
    let finish = json!({ "ceremony": ceremony, "credential": credential, "name": at_limit });
    let (status, _, body) =
        send(app(state.clone()), post_json("/webauthn/register/finish", Some(&cookie), &finish)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["credential_id"].as_str().expect("id").to_owned();
    let rename = json!({ "name": "k".repeat(MAX_PASSKEY_NAME_CHARS + 1) });
    let (status, _, body) =
        send(app(state.clone()), post_json(&format!("/passkeys/{id}"), Some(&cookie), &rename)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_name");
}

#[tokio::test]
async fn registration_finished_from_another_session_is_refused() {
    let state = state();
    let cookie = sign_up(&state).await;
    let mut browser = Browser::profile(Profile::Platform);
    let (ceremony, credential) = start_and_create(&state, &cookie, &mut browser).await;
    let password = json!({ "username": "alice", "password": "correct horse battery" });
    let (status, headers, _) =
        send(app(state.clone()), post_json("/account/password", None, &password)).await;
    assert_eq!(status, StatusCode::OK);
    let other = cookie_of(&headers);
    assert_ne!(other, cookie);

    let finish = json!({ "ceremony": ceremony, "credential": credential, "name": "stolen" });
    for attacker in [Some(other.as_str()), None] {
        let (status, _, body) =
            send(app(state.clone()), post_json("/webauthn/register/finish", attacker, &finish)).await;
        assert_ne!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(passkey_count(&state, &cookie).await, 0);
}
