//! Router tests: the whole sign-in through the HTTP surface (`tower::ServiceExt::oneshot`),
//! with the softfido authenticator behind a browser-like client, ending in a decoded ID token.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::Profile;
use tower::ServiceExt;
use url::Url;
use webauthn_rs_core::proto::{CreationChallengeResponse, RequestChallengeResponse};

use super::{AppState, app};
use crate::metadata::tests::softfido_metadata;
use crate::oidc::clients::ProviderConfig;
use crate::policy::Policy;
use crate::webauthn::test_client::Browser;

const CLIENT_ID: &str = "app";
const CLIENT_SECRET: &str = "s3cret-value";
const REDIRECT_URI: &str = "https://app.example/cb";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// An IdP at http://localhost:8080 trusting softfido's metadata, with one client.
pub fn state() -> AppState {
    state_with(Policy::Rfc8176)
}

pub fn state_with(policy: Policy) -> AppState {
    let config = ProviderConfig::from_json(&format!(
        r#"{{"issuer":"http://localhost:8080","clients":[{{"client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}",
        "redirect_uris":["{REDIRECT_URI}"]}}]}}"#
    ))
    .expect("config");
    AppState::builder(config).metadata(softfido_metadata()).policy(policy).build().expect("state")
}

/// Sends a request; returns status, headers and JSON body (Null when not JSON).
pub async fn send(router: Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = router.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

pub async fn json_body(router: Router, request: Request<Body>) -> (StatusCode, Value) {
    let (status, _, body) = send(router, request).await;
    (status, body)
}

pub(crate) fn post_json(uri: &str, cookie: Option<&str>, body: &Value) -> Request<Body> {
    let mut builder = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body.to_string())).expect("request")
}

pub(crate) fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(uri);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).expect("request")
}

pub(crate) fn cookie_of(headers: &axum::http::HeaderMap) -> String {
    let set = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a session cookie");
    set.split(';').next().expect("name=value").to_owned()
}

fn location(headers: &axum::http::HeaderMap) -> String {
    headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("a redirect").to_owned()
}

fn query_of(location: &str) -> HashMap<String, String> {
    let url = Url::parse(&format!("http://x{location}")).or_else(|_| Url::parse(location)).expect("url");
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

fn authorize_uri(extra: &str) -> String {
    let challenge = Base64UrlUnpadded::encode_string(&Sha256::digest(VERIFIER.as_bytes()));
    format!(
        "/authorize?client_id={CLIENT_ID}&redirect_uri={}&response_type=code&scope=openid&state=st&nonce=nn\
         &code_challenge={challenge}&code_challenge_method=S256{extra}",
        "https%3A%2F%2Fapp.example%2Fcb"
    )
}

/// Signs up `alice` and registers a passkey from `browser`.
async fn register(state: &AppState, browser: &mut Browser) {
    let signup = json!({ "username": "alice", "password": "correct horse battery" });
    let (status, headers, _) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie_of(&headers);
    let (status, _, start) =
        send(app(state.clone()), post_json("/webauthn/register/start", Some(&cookie), &json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let options: CreationChallengeResponse =
        serde_json::from_value(start["options"].clone()).expect("options");
    let credential = browser.create(&options).expect("the authenticator registers");
    let finish = json!({ "ceremony": start["ceremony"], "credential": credential, "name": "my key" });
    let (status, _, body) =
        send(app(state.clone()), post_json("/webauthn/register/finish", Some(&cookie), &finish)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Signs in with the passkey (discoverable) and returns the session cookie.
async fn passkey_sign_in(
    state: &AppState,
    browser: &mut Browser,
    cookie: Option<&str>,
) -> Result<String, Value> {
    let (status, _, start) =
        send(app(state.clone()), post_json("/webauthn/login/start", None, &json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let options: RequestChallengeResponse =
        serde_json::from_value(start["options"].clone()).expect("options");
    let credential = browser.get(&options).expect("the authenticator signs");
    let finish = json!({ "ceremony": start["ceremony"], "credential": credential });
    let (status, headers, body) =
        send(app(state.clone()), post_json("/webauthn/login/finish", cookie, &finish)).await;
    if status == StatusCode::OK { Ok(cookie_of(&headers)) } else { Err(body) }
}

/// The token request with client_secret_basic.
fn token_request(code: &str, verifier: &str) -> Request<Body> {
    let basic = Base64::encode_string(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes());
    let form = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_verifier={verifier}"
    );
    Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::from(form))
        .expect("request")
}

/// Verifies the ID token with the JWKS and returns its claims.
fn verified_claims(state: &AppState, id_token: &str) -> Value {
    let jwks = state.keys.jwks();
    let jwk = &jwks["keys"][0];
    let key = jsonwebtoken::DecodingKey::from_ec_components(
        jwk["x"].as_str().expect("x"),
        jwk["y"].as_str().expect("y"),
    )
    .expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[CLIENT_ID]);
    validation.set_issuer(&["http://localhost:8080"]);
    jsonwebtoken::decode::<Value>(id_token, &key, &validation).expect("the ID token verifies").claims
}

/// The whole flow for one profile: register, authorize (sign-in page), passkey, code, token.
async fn flow(profile: Profile, extra: &str) -> Result<Value, String> {
    let state = state();
    let mut browser = Browser::profile(profile);
    register(&state, &mut browser).await;
    let (status, headers, _) = send(app(state.clone()), get(&authorize_uri(extra), None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let sign_in = location(&headers);
    assert!(sign_in.starts_with("/signin?request="), "{sign_in}");
    let request_id = query_of(&sign_in)["request"].clone();
    let cookie = passkey_sign_in(&state, &mut browser, None).await.map_err(|e| e.to_string())?;
    let (status, headers, _) =
        send(app(state.clone()), get(&format!("/authorize/continue?request={request_id}"), Some(&cookie)))
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = query_of(&location(&headers));
    if let Some(error) = back.get("error") {
        return Err(error.clone());
    }
    assert_eq!(back["state"], "st");
    assert_eq!(back["iss"], "http://localhost:8080");
    let (status, _, tokens) = send(app(state.clone()), token_request(&back["code"], VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let claims = verified_claims(&state, tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(claims["nonce"], "nn");
    // A replayed code is refused, and revokes the access token it issued.
    let (status, _, replay) = send(app(state.clone()), token_request(&back["code"], VERIFIER)).await;
    assert_eq!((status, replay["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let bearer = Request::get("/userinfo")
        .header(header::AUTHORIZATION, format!("Bearer {}", tokens["access_token"].as_str().expect("token")))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(app(state.clone()), bearer).await.0, StatusCode::UNAUTHORIZED);
    Ok(claims)
}

#[tokio::test]
async fn each_profile_gets_the_amr_and_acr_of_the_rule_table() {
    let cases = [
        (Profile::SecurityKey, json!(["hwk", "mfa", "pin", "pop", "user"]), json!("phrh")),
        (Profile::Platform, json!(["fpt", "hwk", "mfa", "pop", "user"]), json!("phrh")),
        // The signed uvm output names the face (R4) and software keys (R7).
        (Profile::SyncedPasskey, json!(["face", "mfa", "pop", "swk", "user"]), json!("phr")),
        // Self attestation proves nothing, but uvm's "software" lowers assurance from any source (R7).
        (Profile::SoftwareToken, json!(["pop", "swk", "user"]), json!("phr")),
    ];
    for (profile, amr, acr) in cases {
        let claims = flow(profile, "&acr_values=phr").await.expect("a token");
        assert_eq!((&claims["amr"], &claims["acr"]), (&amr, &acr), "{profile:?}");
    }
}

#[tokio::test]
async fn r11_an_essential_phrh_with_a_software_key_is_unmet() {
    let essential = "&claims=%7B%22id_token%22%3A%7B%22acr%22%3A%7B%22essential%22%3Atrue%2C%22value%22%3A%22phrh%22%7D%7D%7D";
    assert_eq!(
        flow(Profile::SyncedPasskey, essential).await.expect_err("unmet"),
        "unmet_authentication_requirements"
    );
    let claims = flow(Profile::SecurityKey, essential).await.expect("hardware meets it");
    assert_eq!(claims["acr"], "phrh");
}

#[tokio::test]
async fn a_wrong_verifier_or_client_gets_no_token() {
    let state = state();
    let mut browser = Browser::profile(Profile::SoftwareToken);
    register(&state, &mut browser).await;
    let cookie = passkey_sign_in(&state, &mut browser, None).await.expect("signed in");
    let (status, headers, _) = send(app(state.clone()), get(&authorize_uri(""), Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code = query_of(&location(&headers))["code"].clone();
    let wrong = "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let (status, _, body) = send(app(state.clone()), token_request(&code, wrong)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let bad_client = Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, format!("Basic {}", Base64::encode_string(b"app:wrong")))
        .body(Body::from(format!("grant_type=authorization_code&code={code}")))
        .expect("request");
    let (status, headers, body) = send(app(state.clone()), bad_client).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    assert!(headers.get(header::WWW_AUTHENTICATE).is_some());
}

#[tokio::test]
async fn r0_a_silent_assertion_is_refused_and_starts_no_session() {
    let state = state();
    let mut browser = Browser::profile(Profile::SoftwareToken);
    register(&state, &mut browser).await;
    browser.silent = true;
    let error = passkey_sign_in(&state, &mut browser, None).await.expect_err("refused");
    assert_eq!(error["error"], "user_not_present");
}

#[tokio::test]
async fn r9_password_then_key_adds_pwd_and_mfa() {
    let state = state();
    let mut browser = Browser::profile(Profile::SoftwareToken);
    register(&state, &mut browser).await;
    let password = json!({ "username": "alice", "password": "correct horse battery" });
    let (status, headers, _) =
        send(app(state.clone()), post_json("/account/password", None, &password)).await;
    assert_eq!(status, StatusCode::OK);
    let password_cookie = cookie_of(&headers);
    let cookie = passkey_sign_in(&state, &mut browser, Some(&password_cookie)).await.expect("second factor");
    let (status, headers, _) = send(app(state.clone()), get(&authorize_uri(""), Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code = query_of(&location(&headers))["code"].clone();
    let (_, _, tokens) = send(app(state.clone()), token_request(&code, VERIFIER)).await;
    let claims = verified_claims(&state, tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(claims["amr"], json!(["mfa", "pop", "pwd", "swk", "user"]));
}

#[tokio::test]
async fn r10_password_only_has_pwd_and_no_acr() {
    let state = state();
    let signup = json!({ "username": "bob", "password": "correct horse battery" });
    let (_, headers, _) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
    let cookie = cookie_of(&headers);
    let (status, headers, _) = send(app(state.clone()), get(&authorize_uri(""), Some(&cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let code = query_of(&location(&headers))["code"].clone();
    let (_, _, tokens) = send(app(state.clone()), token_request(&code, VERIFIER)).await;
    let claims = verified_claims(&state, tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(claims["amr"], json!(["pwd"]));
    assert!(claims.get("acr").is_none());
}

#[tokio::test]
async fn authorize_errors_are_displayed_or_redirected() {
    let state = state();
    let (status, _, body) =
        send(app(state.clone()), get("/authorize?client_id=evil&redirect_uri=x", None)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_client")));
    let no_pkce = authorize_uri("").replace("&code_challenge_method=S256", "&code_challenge_method=plain");
    let (status, headers, _) = send(app(state.clone()), get(&no_pkce, None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back = query_of(&location(&headers));
    assert_eq!((back["error"].as_str(), back["state"].as_str()), ("invalid_request", "st"));
    let (status, headers, _) = send(app(state.clone()), get(&authorize_uri("&prompt=none"), None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(query_of(&location(&headers))["error"], "login_required");
}

#[tokio::test]
async fn the_aspnetcore_net10_policy_emits_pwd_after_a_passkey() {
    let state = state_with(Policy::AspNetCoreNet10);
    let mut browser = Browser::profile(Profile::Platform);
    register(&state, &mut browser).await;
    let cookie = passkey_sign_in(&state, &mut browser, None).await.expect("signed in");
    let (_, headers, _) = send(app(state.clone()), get(&authorize_uri(""), Some(&cookie))).await;
    let code = query_of(&location(&headers))["code"].clone();
    let (_, _, tokens) = send(app(state.clone()), token_request(&code, VERIFIER)).await;
    let claims = verified_claims(&state, tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(claims["amr"], json!(["pwd"]));
}

/// RFC 6749 §3.1: a parameter sent twice is `invalid_request` at authorize, PAR and token.
#[tokio::test]
async fn a_repeated_parameter_is_invalid_request_at_every_endpoint() {
    let state = state();
    let refused = |(status, _, body): (StatusCode, axum::http::HeaderMap, Value)| {
        (status, body["error"].as_str().map(str::to_owned))
    };
    let expected = (StatusCode::BAD_REQUEST, Some("invalid_request".to_owned()));
    // Authorize: a second state, which the client could not tell from its own.
    let twice = format!("{}&state=other", authorize_uri(""));
    assert_eq!(refused(send(app(state.clone()), get(&twice, None)).await), expected);
    // PAR: a valid pushed request but for its repeated scope.
    let basic = Base64::encode_string(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes());
    let pushed = |extra: &str| {
        let challenge = Base64UrlUnpadded::encode_string(&Sha256::digest(VERIFIER.as_bytes()));
        Request::post("/par")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .body(Body::from(format!(
                "response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
                 &code_challenge={challenge}&code_challenge_method=S256{extra}"
            )))
            .expect("request")
    };
    assert_eq!(send(app(state.clone()), pushed("")).await.0, StatusCode::CREATED);
    assert_eq!(refused(send(app(state.clone()), pushed("&scope=openid")).await), expected);
    // Token: a repeated code (before the code is looked up or spent).
    let (status, _, body) = send(app(state.clone()), token_request("abc&code=abc", VERIFIER)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    assert!(body["error_description"].as_str().is_some_and(|d| d.contains("code")), "{body}");
}
