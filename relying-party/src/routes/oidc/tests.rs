//! The OpenID endpoints through the router: re-authentication at `/authorize/continue`, acr
//! requests the provider does not know, code redemption, the bearer scheme and repeated
//! parameters.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::Profile;

use crate::clock::ManualClock;
use crate::metadata::tests::softfido_metadata;
use crate::oidc::clients::ProviderConfig;
use crate::routes::tests::{
    CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, VERIFIER, authorize_uri, cookie_of, get, location,
    passkey_sign_in, post_json, query_of, register, send, token_request,
};
use crate::routes::{AppState, app};
use crate::webauthn::test_client::Browser;

/// A second client, registered with the same redirect URI.
const OTHER_CLIENT: &str = "other";
const OTHER_SECRET: &str = "other-s3cret";
const WRONG_VERIFIER: &str = "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The provider of the router tests with a second client and a clock the test moves.
fn provider() -> (AppState, ManualClock) {
    let config = ProviderConfig::from_json(&format!(
        r#"{{"issuer":"http://localhost:8080","clients":[
        {{"client_id":"{CLIENT_ID}","client_secret":"{CLIENT_SECRET}","redirect_uris":["{REDIRECT_URI}"]}},
        {{"client_id":"{OTHER_CLIENT}","client_secret":"{OTHER_SECRET}","redirect_uris":["{REDIRECT_URI}"]}}]}}"#
    ))
    .expect("config");
    let clock = ManualClock::starting_at(1_800_000_000);
    let state =
        AppState::builder(config).metadata(softfido_metadata()).clock(clock.clone()).build().expect("state");
    (state, clock)
}

/// A user with a passkey, signed in: the session cookie.
async fn signed_in(state: &AppState) -> String {
    let mut browser = Browser::profile(Profile::SoftwareToken);
    register(state, &mut browser).await;
    passkey_sign_in(state, &mut browser, None).await.expect("signed in")
}

/// `/authorize` with the session; the query of where it redirects.
async fn authorize(
    state: &AppState,
    cookie: &str,
    extra: &str,
) -> (String, std::collections::HashMap<String, String>) {
    let (status, headers, _) = send(app(state.clone()), get(&authorize_uri(extra), Some(cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = location(&headers);
    let query = query_of(&to);
    (to, query)
}

/// A code for the signed-in session.
async fn code(state: &AppState, cookie: &str) -> String {
    let (_, query) = authorize(state, cookie, "").await;
    query.get("code").cloned().expect("a code")
}

/// `/authorize/continue` for the pending request `id`: the query of where it redirects.
async fn resume(state: &AppState, cookie: &str, id: &str) -> std::collections::HashMap<String, String> {
    let uri = format!("/authorize/continue?request={id}");
    let (status, headers, _) = send(app(state.clone()), get(&uri, Some(cookie))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    query_of(&location(&headers))
}

/// A token request from `client` with the given form.
fn token_form(client: &str, secret: &str, form: &str) -> Request<Body> {
    let basic = Base64::encode_string(format!("{client}:{secret}").as_bytes());
    Request::post("/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::AUTHORIZATION, format!("Basic {basic}"))
        .body(Body::from(form.to_owned()))
        .expect("request")
}

fn redemption(code: &str, redirect_uri: &str, verifier: Option<&str>) -> String {
    let redirect_uri = url::form_urlencoded::byte_serialize(redirect_uri.as_bytes()).collect::<String>();
    let mut form = format!("grant_type=authorization_code&code={code}&redirect_uri={redirect_uri}");
    if let Some(verifier) = verifier {
        form.push_str(&format!("&code_verifier={verifier}"));
    }
    form
}

fn userinfo(authorization: &str) -> Request<Body> {
    Request::get("/userinfo")
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .expect("request")
}

fn error_of((status, _, body): (StatusCode, axum::http::HeaderMap, Value)) -> (StatusCode, Option<String>) {
    (status, body["error"].as_str().map(str::to_owned))
}

fn bad_request(error: &str) -> (StatusCode, Option<String>) {
    (StatusCode::BAD_REQUEST, Some(error.to_owned()))
}

/// OIDC Core §3.1.2.1: after `prompt=login` (or an exceeded `max_age`) sends the user to sign in,
/// continuing without signing in is `login_required`, with no code.
#[tokio::test]
async fn continue_without_signing_in_after_prompt_login_is_refused() {
    for extra in ["&prompt=login", "&max_age=5"] {
        let (state, clock) = provider();
        let cookie = signed_in(&state).await;
        clock.advance(30);
        let (to, _) = authorize(&state, &cookie, extra).await;
        assert!(to.starts_with("/signin?request="), "{extra}: {to}");
        let back = resume(&state, &cookie, &query_of(&to)["request"]).await;
        assert_eq!(back.get("error").map(String::as_str), Some("login_required"), "{extra}");
        assert!(!back.contains_key("code"), "{extra}");
        assert_eq!(back["state"], "st");
    }
}

/// OIDC Core §3.1.2.1: the session `prompt=login` (or `max_age=0`) found cannot stand for the
/// new authentication, even when it signed in within the request's own second (`auth_time` is
/// in whole seconds).
#[tokio::test]
async fn continue_in_the_same_second_without_signing_in_is_refused() {
    for extra in ["&prompt=login", "&max_age=0"] {
        let (state, _clock) = provider();
        let cookie = signed_in(&state).await;
        let (to, _) = authorize(&state, &cookie, extra).await;
        assert!(to.starts_with("/signin?request="), "{extra}: {to}");
        let back = resume(&state, &cookie, &query_of(&to)["request"]).await;
        assert_eq!(back.get("error").map(String::as_str), Some("login_required"), "{extra}");
        assert!(!back.contains_key("code"), "{extra}");
    }
}

/// A sign-in made after the request answers it.
#[tokio::test]
async fn continue_after_signing_in_again_issues_a_code() {
    let (state, clock) = provider();
    let mut browser = Browser::profile(Profile::SoftwareToken);
    register(&state, &mut browser).await;
    let cookie = passkey_sign_in(&state, &mut browser, None).await.expect("signed in");
    clock.advance(30);
    let (to, _) = authorize(&state, &cookie, "&prompt=login").await;
    clock.advance(5);
    let fresh = passkey_sign_in(&state, &mut browser, None).await.expect("signed in again");
    let back = resume(&state, &fresh, &query_of(&to)["request"]).await;
    assert!(back.contains_key("code"), "{back:?}");
}

/// OIDC Core §3.1.2.3: a sign-up without a password, before any passkey, authenticated nothing:
/// neither `/authorize` nor `/authorize/continue` issues a code for it.
#[tokio::test]
async fn a_session_that_authenticated_nothing_gets_no_code() {
    let (state, _) = provider();
    let signup = json!({ "username": "bob" });
    let (status, headers, _) = send(app(state.clone()), post_json("/account/signup", None, &signup)).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie_of(&headers);
    let (to, query) = authorize(&state, &cookie, "").await;
    assert!(!query.contains_key("code"));
    assert!(to.starts_with("/signin?request="), "{to}");
    let back = resume(&state, &cookie, &query_of(&to)["request"]).await;
    assert_eq!(back.get("error").map(String::as_str), Some("login_required"));
    assert!(!back.contains_key("code"));
}

/// OIDC Core §5.5.1.1: an essential acr this provider does not know is unmet.
#[tokio::test]
async fn an_essential_unknown_acr_is_unmet_authentication_requirements() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    let claims = r#"{"id_token":{"acr":{"essential":true,"values":["urn:example:unknown"]}}}"#;
    let claims = url::form_urlencoded::byte_serialize(claims.as_bytes()).collect::<String>();
    let (_, back) = authorize(&state, &cookie, &format!("&claims={claims}")).await;
    assert_eq!(back.get("error").map(String::as_str), Some("unmet_authentication_requirements"));
    assert!(!back.contains_key("code"));
}

/// OIDC Core §3.1.2.1 (R12): a voluntary unknown acr is ignored; the achieved acr is returned.
#[tokio::test]
async fn a_voluntary_unknown_acr_is_ignored() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    let (_, back) = authorize(&state, &cookie, "&acr_values=urn%3Aexample%3Aunknown").await;
    let (status, _, tokens) = send(app(state.clone()), token_request(&back["code"], VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().expect("token"));
    let (_, _, claims) = send(app(state.clone()), userinfo(&bearer)).await;
    assert_eq!(claims["acr"], "phr");
}

/// RFC 6749 §4.1.3, RFC 7636 §4.6: a redemption that fails its checks does not spend the code.
#[tokio::test]
async fn a_failed_redemption_does_not_spend_the_code() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    let code = code(&state, &cookie).await;
    let failures = [
        (CLIENT_ID, CLIENT_SECRET, redemption(&code, REDIRECT_URI, None), "invalid_request"),
        (CLIENT_ID, CLIENT_SECRET, redemption(&code, REDIRECT_URI, Some(WRONG_VERIFIER)), "invalid_grant"),
        (OTHER_CLIENT, OTHER_SECRET, redemption(&code, REDIRECT_URI, Some(VERIFIER)), "invalid_grant"),
        (
            CLIENT_ID,
            CLIENT_SECRET,
            redemption(&code, "https://app.example/other", Some(VERIFIER)),
            "invalid_grant",
        ),
    ];
    for (client, secret, form, error) in failures {
        let refused = send(app(state.clone()), token_form(client, secret, &form)).await;
        assert_eq!(error_of(refused), bad_request(error), "{client} {form}");
    }
    let (status, _, tokens) = send(app(state.clone()), token_request(&code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
}

/// RFC 6749 §4.1.2: only the client the code was issued to revokes its tokens by replaying it.
#[tokio::test]
async fn a_replay_by_another_client_revokes_nothing() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    let code = code(&state, &cookie).await;
    let (status, _, tokens) = send(app(state.clone()), token_request(&code, VERIFIER)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().expect("token"));
    let replay = token_form(OTHER_CLIENT, OTHER_SECRET, &redemption(&code, REDIRECT_URI, Some(VERIFIER)));
    assert_eq!(error_of(send(app(state.clone()), replay).await), bad_request("invalid_grant"));
    assert_eq!(send(app(state.clone()), userinfo(&bearer)).await.0, StatusCode::OK);
    // The client it was issued to replaying it revokes them.
    let replay = token_request(&code, VERIFIER);
    assert_eq!(error_of(send(app(state.clone()), replay).await), bad_request("invalid_grant"));
    assert_eq!(send(app(state.clone()), userinfo(&bearer)).await.0, StatusCode::UNAUTHORIZED);
}

/// RFC 6750 §2.1 with RFC 9110 §11.1: the auth scheme is case-insensitive.
#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    let code = code(&state, &cookie).await;
    let (_, _, tokens) = send(app(state.clone()), token_request(&code, VERIFIER)).await;
    let token = tokens["access_token"].as_str().expect("token");
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let (status, _, claims) = send(app(state.clone()), userinfo(&format!("{scheme} {token}"))).await;
        assert_eq!((status, claims["sub"].is_string()), (StatusCode::OK, true), "{scheme}");
    }
    let (status, _, _) = send(app(state.clone()), userinfo(&format!("Basic {token}"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// OIDC Core §6.1, §3.1.2.6: request objects are refused, not ignored; OAuth 2.0 Multiple
/// Response Type Encoding Practices: only `response_mode=query`.
#[tokio::test]
async fn request_and_response_mode_are_refused_not_ignored() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    for (extra, error) in [
        ("&request=eyJhbGciOiJub25lIn0.e30.", "request_not_supported"),
        ("&request_uri=https%3A%2F%2Fapp.example%2Fr.jwt", "request_uri_not_supported"),
        ("&response_mode=fragment", "invalid_request"),
        ("&response_mode=form_post", "invalid_request"),
    ] {
        let (_, back) = authorize(&state, &cookie, extra).await;
        assert_eq!(back.get("error").map(String::as_str), Some(error), "{extra}");
        assert!(!back.contains_key("code"), "{extra}");
    }
}

/// RFC 6749 §3.1: `redirect_uri` and `state` sent twice at authorize are `invalid_request`.
#[tokio::test]
async fn parameters_sent_twice_are_refused_at_authorize() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    for twice in ["&state=other", "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"] {
        let request = get(&format!("{}{twice}", authorize_uri("")), Some(&cookie));
        assert_eq!(
            error_of(send(app(state.clone()), request).await),
            bad_request("invalid_request"),
            "{twice}"
        );
    }
}

/// RFC 6749 §3.1 at the PAR endpoint: `redirect_uri`, `state` sent twice.
#[tokio::test]
async fn parameters_sent_twice_are_refused_at_par() {
    let (state, _) = provider();
    let basic = Base64::encode_string(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes());
    let challenge = Base64UrlUnpadded::encode_string(&Sha256::digest(VERIFIER.as_bytes()));
    let pushed = |extra: &str| {
        Request::post("/par")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .body(Body::from(format!(
                "response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&state=st\
                 &code_challenge={challenge}&code_challenge_method=S256{extra}"
            )))
            .expect("request")
    };
    assert_eq!(send(app(state.clone()), pushed("")).await.0, StatusCode::CREATED);
    for twice in ["&state=other", "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"] {
        assert_eq!(error_of(send(app(state.clone()), pushed(twice)).await), bad_request("invalid_request"));
    }
}

/// RFC 6749 §3.1 at the token endpoint: `redirect_uri`, `code_verifier` sent twice; the code is
/// not spent by the refusal.
#[tokio::test]
async fn parameters_sent_twice_are_refused_at_token() {
    let (state, _) = provider();
    let cookie = signed_in(&state).await;
    let code = code(&state, &cookie).await;
    let base = redemption(&code, REDIRECT_URI, Some(VERIFIER));
    for twice in [format!("&code_verifier={VERIFIER}"), "&redirect_uri=https%3A%2F%2Fapp.example%2Fcb".into()]
    {
        let request = token_form(CLIENT_ID, CLIENT_SECRET, &format!("{base}{twice}"));
        assert_eq!(
            error_of(send(app(state.clone()), request).await),
            bad_request("invalid_request"),
            "{twice}"
        );
    }
    assert_eq!(send(app(state.clone()), token_request(&code, VERIFIER)).await.0, StatusCode::OK);
}

/// Expired codes are purged when a new one is issued: the old one is then unknown.
#[tokio::test]
async fn an_expired_code_row_is_gone_after_the_purge() {
    let (state, clock) = provider();
    let cookie = signed_in(&state).await;
    let old = code(&state, &cookie).await;
    clock.advance(61);
    let (_, _, body) = send(app(state.clone()), token_request(&old, VERIFIER)).await;
    assert_eq!(body["error_description"], "the code expired");
    let _new = code(&state, &cookie).await;
    let (_, _, body) = send(app(state.clone()), token_request(&old, VERIFIER)).await;
    assert_eq!(
        (body["error"].as_str(), body["error_description"].as_str()),
        (Some("invalid_grant"), Some("unknown code"))
    );
}

/// A flood of unauthenticated authorization requests keeps nothing on the server (each waits
/// in the browser, sealed), so it cannot crowd out a legitimate request that follows it.
#[tokio::test]
async fn unauthenticated_authorize_requests_keep_no_state_on_the_server() {
    let (state, _clock) = provider();
    for _ in 0..3_000 {
        let (status, headers, _) = send(app(state.clone()), get(&authorize_uri(""), None)).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location(&headers).starts_with("/signin?request="));
    }
    let cookie = signed_in(&state).await;
    let (_, query) = authorize(&state, &cookie, "").await;
    assert!(query.contains_key("code"), "{query:?}");
}

/// The sealed request cannot be altered in the browser, is answered with a code once, and
/// expires with the ceremony lifetime.
#[tokio::test]
async fn a_tampered_replayed_or_expired_pending_request_is_unknown() {
    let (state, clock) = provider();
    let sealed_request = |state: AppState| async move {
        let (_, headers, _) = send(app(state), get(&authorize_uri("&prompt=login"), None)).await;
        query_of(&location(&headers))["request"].clone()
    };
    let (first, second, third) = (
        sealed_request(state.clone()).await,
        sealed_request(state.clone()).await,
        sealed_request(state.clone()).await,
    );
    let cookie = signed_in(&state).await;
    let continue_with = |sealed: String| {
        let (state, cookie) = (state.clone(), cookie.clone());
        async move {
            let uri = format!("/authorize/continue?request={sealed}");
            send(app(state), get(&uri, Some(&cookie))).await
        }
    };
    let (payload, tag) = first.split_once('.').expect("sealed");
    let text = String::from_utf8(Base64UrlUnpadded::decode_vec(payload).expect("payload")).expect("json");
    let altered = text.replace("\"prompt_login\":true", "\"prompt_login\":false");
    assert_ne!(altered, text);
    let forged = format!("{}.{tag}", Base64UrlUnpadded::encode_string(altered.as_bytes()));
    let (status, _, _) = continue_with(forged).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an altered request is refused");

    let (status, headers, _) = continue_with(first.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(query_of(&location(&headers)).contains_key("code"), "the untouched request is answered");
    let (status, _, _) = continue_with(first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reload of the continue URL gets no second code");

    clock.advance(crate::routes::CEREMONY_TTL - 1);
    let (status, headers, _) = continue_with(second).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(query_of(&location(&headers)).contains_key("code"), "still waiting just before expiry");
    clock.advance(1);
    let (status, _, _) = continue_with(third).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an expired request is refused");
}

/// The sealed request in the sign-in URL names the session it found only by a digest keyed with
/// the provider's secret: neither the cookie nor its plain SHA-256, which anyone holding the
/// cookie could match against the URL.
#[tokio::test]
async fn the_sign_in_url_names_the_session_by_a_keyed_digest_only() {
    let (state, _clock) = provider();
    let cookie = signed_in(&state).await;
    let (to, _) = authorize(&state, &cookie, "&prompt=login").await;
    let sealed = query_of(&to)["request"].clone();
    let (payload, _) = sealed.split_once('.').expect("sealed");
    let pending: Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).expect("payload")).expect("json");
    let found = pending["found_session"].as_str().expect("the session it found is named");
    let (_, session_id) = cookie.split_once('=').expect("name=value");
    assert!(!sealed.contains(session_id), "the cookie's value is in the URL");
    assert_ne!(found, Base64UrlUnpadded::encode_string(&Sha256::digest(session_id.as_bytes())));
    assert_ne!(found, Base64UrlUnpadded::encode_string(&Sha256::digest(cookie.as_bytes())));
    assert_eq!(found, crate::oidc::flow::session_digest(&state.sealer, session_id));
}
