use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt as _;
use sha2::Digest as _;
use tower::ServiceExt as _;

use super::*;

async fn call(router: &Router, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let request =
        Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = router.clone().oneshot(request.body(body).expect("request")).await.expect("response");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn router() -> Router {
    super::router(Arc::new(Registry::default()))
}

#[tokio::test]
async fn a_profile_is_hosted_and_runs_a_ceremony() {
    let router = router();
    let (status, added) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "software-token" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(added["attachment"], "cross-platform");
    let model = Profile::SoftwareToken.config().model();
    assert_eq!(added["aaguid"], hex::encode(softfido_authenticator::attestation::aaguid(model)));
    let id = added["id"].as_str().expect("id");
    let options = json!({
        "rp": { "id": "localhost" },
        "user": { "id": "dTE", "name": "u1" },
        "challenge": "Y2hhbGxlbmdl",
        "authenticatorSelection": { "residentKey": "required" },
    });
    let body = json!({ "options": options, "origin": "http://localhost:8080" });
    let (status, answer) = call(&router, "POST", &format!("/authenticators/{id}/create"), Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let credential_id = answer["credential"]["id"].as_str().expect("credential").to_owned();
    let (_, listed) = call(&router, "GET", &format!("/authenticators/{id}/credentials"), None).await;
    assert_eq!(listed[0]["id"], credential_id.as_str());
    let path = format!("/authenticators/{id}/credentials/{credential_id}");
    assert_eq!(call(&router, "DELETE", &path, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&router, "DELETE", &path, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&router, "DELETE", &format!("/authenticators/{id}"), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&router, "POST", &format!("/authenticators/{id}/reset"), None).await.0,
        StatusCode::NOT_FOUND
    );
}

/// A ceremony a browser would fail is a normal answer for the page, not an API error.
#[tokio::test]
async fn a_refused_ceremony_is_a_dom_exception() {
    let router = router();
    let (_, added) = call(&router, "POST", "/authenticators", Some(json!({ "profile": "platform" }))).await;
    assert_eq!(added["attachment"], "platform");
    let id = added["id"].as_str().expect("id");
    let next = json!({ "presence": "deny" });
    assert_eq!(
        call(&router, "POST", &format!("/authenticators/{id}/next"), Some(next)).await.0,
        StatusCode::NO_CONTENT
    );
    let body = json!({ "options": { "challenge": "Y2hhbGxlbmdl" }, "origin": "https://example.com" });
    let (status, answer) = call(&router, "POST", &format!("/authenticators/{id}/get"), Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["domException"]["name"], "NotAllowedError");
}

#[tokio::test]
async fn misuse_gets_a_specific_client_error() {
    let router = router();
    let (status, body) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "yubikey" }))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unknown_profile");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("security-key")));
    let both = json!({ "profile": "platform", "config": Profile::Platform.config() });
    assert_eq!(call(&router, "POST", "/authenticators", Some(both)).await.0, StatusCode::BAD_REQUEST);
    let (status, body) = call(&router, "POST", "/authenticators/nope/cancel", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "unknown_authenticator");
    let (_, added) = call(&router, "POST", "/authenticators", Some(json!({}))).await;
    let id = added["id"].as_str().expect("id");
    assert_eq!(added["config"]["uv"]["kind"], "client_pin", "the default is the security-key profile");
    let typo = json!({ "presense": "deny" });
    assert!(
        call(&router, "POST", &format!("/authenticators/{id}/next"), Some(typo)).await.0.is_client_error()
    );
}

/// `softfido bridge --config FILE`: an authenticator added without a configuration gets the file's.
#[tokio::test]
async fn the_bridge_default_configuration_applies_when_none_is_given() {
    let default = Profile::SyncedPasskey.config();
    let router = super::router(Arc::new(Registry::new(
        default.clone(),
        super::super::hosted::Unscripted::Configuration,
    )));
    let (status, added) = call(&router, "POST", "/authenticators", Some(json!({}))).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(added["config"], serde_json::to_value(&default).expect("JSON"));
    let (_, named) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "software-token" }))).await;
    assert_eq!(named["config"], serde_json::to_value(Profile::SoftwareToken.config()).expect("JSON"));
}

/// A passkey captured once serves again: the state exported from one authenticator, given to a
/// new one, signs in with the same credential (and the same signature counter's continuation).
#[tokio::test]
async fn an_exported_state_signs_in_on_another_authenticator() {
    let router = router();
    let (_, first) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "software-token" }))).await;
    let first = first["id"].as_str().expect("id").to_owned();
    let options = json!({
        "rp": { "id": "localhost" },
        "user": { "id": "dTE", "name": "u1" },
        "challenge": "Y2hhbGxlbmdl",
        "authenticatorSelection": { "residentKey": "required" },
    });
    let body = json!({ "options": options, "origin": "http://localhost:8080" });
    let (_, created) = call(&router, "POST", &format!("/authenticators/{first}/create"), Some(body)).await;
    let (status, state) = call(&router, "GET", &format!("/authenticators/{first}/state"), None).await;
    assert_eq!(status, StatusCode::OK);
    let again = json!({ "profile": "software-token", "state": state });
    let (status, second) = call(&router, "POST", "/authenticators", Some(again)).await;
    assert_eq!(status, StatusCode::CREATED);
    let second = second["id"].as_str().expect("id");
    let sign_in = json!({ "options": { "challenge": "Y2hhbGxlbmdl" }, "origin": "http://localhost:8080" });
    let (_, assertion) = call(&router, "POST", &format!("/authenticators/{second}/get"), Some(sign_in)).await;
    assert_eq!(assertion["credential"]["id"], created["credential"]["id"]);
    let (_, fresh) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "software-token" }))).await;
    let fresh = fresh["id"].as_str().expect("id");
    let sign_in = json!({ "options": { "challenge": "Y2hhbGxlbmdl" }, "origin": "http://localhost:8080" });
    let (_, refused) = call(&router, "POST", &format!("/authenticators/{fresh}/get"), Some(sign_in)).await;
    assert_eq!(refused["domException"]["name"], "NotAllowedError", "a new authenticator holds nothing");
}

/// A credential seeded with a PKCS#8 key (as Playwright's `credentials.create` does) signs in:
/// its assertion verifies under that key.
#[tokio::test]
async fn a_seeded_credential_signs_in_with_the_given_key() {
    use p256::ecdsa::signature::Verifier as _;
    use p256::pkcs8::EncodePrivateKey as _;
    let router = router();
    let (_, added) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "software-token" }))).await;
    let id = added["id"].as_str().expect("id");
    let secret = p256::SecretKey::from_slice(&[5; 32]).expect("scalar");
    let pkcs8 = Base64UrlUnpadded::encode_string(secret.to_pkcs8_der().expect("PKCS#8").as_bytes());
    let seed = json!({ "rpId": "localhost", "userHandle": "dTE", "userName": "alice", "privateKey": pkcs8 });
    let path = format!("/authenticators/{id}/credentials");
    let (status, seeded) = call(&router, "POST", &path, Some(seed)).await;
    assert_eq!(status, StatusCode::CREATED);
    let sign_in = json!({ "options": { "challenge": "Y2hhbGxlbmdl" }, "origin": "http://localhost:8080" });
    let (_, answer) = call(&router, "POST", &format!("/authenticators/{id}/get"), Some(sign_in)).await;
    let credential = &answer["credential"];
    assert_eq!(credential["id"], seeded["id"]);
    assert_eq!(credential["response"]["userHandle"], "dTE");
    let decode = |v: &Value| Base64UrlUnpadded::decode_vec(v.as_str().expect("string")).expect("base64url");
    let mut signed = decode(&credential["response"]["authenticatorData"]);
    signed.extend(sha2::Sha256::digest(decode(&credential["response"]["clientDataJSON"])));
    let signature =
        p256::ecdsa::DerSignature::try_from(decode(&credential["response"]["signature"]).as_slice())
            .expect("DER");
    let key = p256::ecdsa::VerifyingKey::from(secret.public_key());
    key.verify(&signed, &signature).expect("signed with the seeded key");
}

#[tokio::test]
async fn a_seed_with_a_chosen_id_or_a_bad_key_is_refused() {
    let router = router();
    let (_, added) = call(&router, "POST", "/authenticators", Some(json!({}))).await;
    let path = format!("/authenticators/{}/credentials", added["id"].as_str().expect("id"));
    let chosen = json!({ "rpId": "localhost", "userHandle": "dTE", "id": "AAAA" });
    let (status, body) = call(&router, "POST", &path, Some(chosen)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_credential")));
    let bad_key = json!({ "rpId": "localhost", "userHandle": "dTE", "privateKey": "AAAA" });
    assert_eq!(call(&router, "POST", &path, Some(bad_key)).await.0, StatusCode::BAD_REQUEST);
    let generated = json!({ "rpId": "localhost", "userHandle": "dTE" });
    let (status, seeded) = call(&router, "POST", &path, Some(generated)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(seeded["publicKey"].as_str().is_some_and(|k| !k.is_empty()));
}

/// A ceremony waiting for a touch holds its request, not the server: a cancel sent meanwhile is
/// served and ends it (WebAuthn L3 §5.1.3 step 22: the page's AbortSignal).
async fn a_cancel_is_served_while_a_ceremony_waits_for_the_touch() {
    let router = router();
    let (_, added) =
        call(&router, "POST", "/authenticators", Some(json!({ "profile": "software-token" }))).await;
    let id = added["id"].as_str().expect("id").to_owned();
    let (status, _) =
        call(&router, "POST", &format!("/authenticators/{id}/next"), Some(json!({ "presence": "timeout" })))
            .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let options = json!({
        "rp": { "id": "localhost" },
        "user": { "id": "dTE", "name": "u1" },
        "challenge": "Y2hhbGxlbmdl",
        "timeout": 60_000,
    });
    let body = json!({ "options": options, "origin": "http://localhost:8080", "ceremony": "c1" });
    let waiting = tokio::spawn({
        let (router, path) = (router.clone(), format!("/authenticators/{id}/create"));
        async move { call(&router, "POST", &path, Some(body)).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let cancel = Some(json!({ "ceremony": "c1" }));
    assert_eq!(
        call(&router, "POST", &format!("/authenticators/{id}/cancel"), cancel).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, answer) = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the cancel ends the ceremony")
        .expect("task");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["domException"]["name"], "AbortError", "{answer}");
}

/// One worker: a ceremony that held it while waiting would leave nobody to serve the cancel.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_cancel_is_served_while_a_ceremony_waits_on_a_multi_threaded_runtime() {
    a_cancel_is_served_while_a_ceremony_waits_for_the_touch().await;
}

#[tokio::test]
async fn a_cancel_is_served_while_a_ceremony_waits_on_a_single_threaded_runtime() {
    a_cancel_is_served_while_a_ceremony_waits_for_the_touch().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_panic_in_a_ceremony_is_an_error_to_answer_on_a_multi_threaded_runtime() {
    let outcome = blocking(|| -> u8 { panic!("a broken ceremony") }).await;
    assert!(outcome.expect_err("an error, not an unwinding task").contains("a broken ceremony"));
    assert_eq!(blocking(|| 7).await, Ok(7));
}

#[tokio::test]
async fn a_panic_in_a_ceremony_is_an_error_to_answer_on_a_single_threaded_runtime() {
    let outcome = blocking(|| -> u8 { panic!("a broken ceremony") }).await;
    assert!(outcome.expect_err("an error, not an unwinding task").contains("a broken ceremony"));
}
