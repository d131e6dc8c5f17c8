//! End to end over real loopback HTTP: softfido's relying party / OpenID provider on an
//! ephemeral port, the softfido authenticator behind a browser-like WebAuthn client, and the
//! relying party's side played by an independent OIDC client library (`openidconnect`):
//! discovery, JWKS, the authorization code flow with PKCE S256, the ID token verified (signature,
//! iss, aud, exp, nonce) and its `amr` / `acr` read through the library, never from server state.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use std::borrow::Cow;
use std::collections::HashMap;

use hyper::StatusCode;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreProviderMetadata, CoreTokenResponse,
    CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError,
    StandardErrorResponse, TokenResponse,
};
use serde_json::json;
use softfido_authenticator::Profile;
use softfido_harness::matrix::ceremony::OidcClient;
use softfido_rp::webauthn::UserVerificationRequirement;
use support::http::{Http, HttpError, Redirect, Reply};
use support::idp::{BACKEND, BACKEND_REDIRECT, Idp, WEB, WEB_REDIRECT, WEB_REDIRECT_OTHER, WEB_SECRET};
use support::jwt::{ClientKey, JWT_BEARER, fresh_jti};
use support::webauthn::PasskeyClient;
use url::Url;
use webauthn_rs_core::proto::{CreationChallengeResponse, RequestChallengeResponse};

type TokenResult =
    Result<CoreTokenResponse, RequestTokenError<HttpError, StandardErrorResponse<CoreErrorResponseType>>>;

const PASSWORD: &str = "correct horse battery staple";
const ESSENTIAL_PHRH: &str = r#"{"id_token":{"acr":{"essential":true,"value":"phrh"}}}"#;

/// The IdP and what the relying party learnt from its discovery document.
struct World {
    idp: Idp,
    /// The relying party's server-side HTTP client (no cookies).
    backend: Http,
    metadata: CoreProviderMetadata,
    /// The `backend` client's private_key_jwt key.
    key: ClientKey,
}

impl World {
    async fn start(uv: UserVerificationRequirement) -> Self {
        let key = ClientKey::generate("backend-2025");
        let idp = Idp::start(uv, &key).await;
        let backend = Http::backend();
        let issuer = IssuerUrl::new(idp.issuer.clone()).expect("issuer URL");
        // Discovery fetches the provider metadata and then its jwks_uri.
        let metadata =
            CoreProviderMetadata::discover_async(issuer, backend.client()).await.expect("discovery and JWKS");
        assert_eq!(metadata.jwks().keys().len(), 1, "one signing key");
        Self { idp, backend, metadata, key }
    }

    /// The client_secret_basic client.
    fn web(&self) -> OidcClient {
        CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(WEB.into()),
            Some(ClientSecret::new(WEB_SECRET.into())),
        )
        .set_redirect_uri(RedirectUrl::new(WEB_REDIRECT.into()).expect("url"))
    }

    /// The private_key_jwt client (no secret: openidconnect sends client_id in the form).
    fn backend_client(&self) -> OidcClient {
        CoreClient::from_provider_metadata(self.metadata.clone(), ClientId::new(BACKEND.into()), None)
            .set_redirect_uri(RedirectUrl::new(BACKEND_REDIRECT.into()).expect("url"))
    }

    fn token_url(&self) -> String {
        self.metadata.token_endpoint().expect("a token endpoint").to_string()
    }

    /// A user with an account and one passkey of `profile`, signed out (a fresh browser).
    async fn user(&self, profile: Profile, name: &str) -> User {
        let mut user =
            User { browser: Http::browser(), passkeys: PasskeyClient::new(profile, &self.idp.issuer) };
        let signup = user
            .browser
            .post_json(&self.idp.url("/account/signup"), &json!({ "username": name, "password": PASSWORD }))
            .await;
        assert_eq!(signup.status, StatusCode::OK, "{signup:?}");
        let finish = self.register_passkey(&mut user).await;
        assert_eq!(finish.status, StatusCode::OK, "{finish:?}");
        user.browser = Http::browser();
        user
    }

    /// `/webauthn/register/start`, navigator.credentials.create(), `/webauthn/register/finish`.
    async fn register_passkey(&self, user: &mut User) -> Reply {
        let start = user.browser.post_json(&self.idp.url("/webauthn/register/start"), &json!({})).await;
        assert_eq!(start.status, StatusCode::OK, "{start:?}");
        let start = start.json();
        let options: CreationChallengeResponse =
            serde_json::from_value(start["options"].clone()).expect("creation options");
        let credential = user.passkeys.create(&options).expect("the authenticator makes a credential");
        let finish = json!({ "ceremony": start["ceremony"], "credential": credential, "name": "key" });
        user.browser.post_json(&self.idp.url("/webauthn/register/finish"), &finish).await
    }

    /// A discoverable passkey sign-in; returns the `/webauthn/login/finish` answer.
    async fn passkey_sign_in(&self, user: &mut User) -> Reply {
        let start = user.browser.post_json(&self.idp.url("/webauthn/login/start"), &json!({})).await;
        assert_eq!(start.status, StatusCode::OK, "{start:?}");
        let start = start.json();
        let options: RequestChallengeResponse =
            serde_json::from_value(start["options"].clone()).expect("request options");
        let credential = user.passkeys.get(&options).expect("the authenticator signs");
        let finish = json!({ "ceremony": start["ceremony"], "credential": credential });
        user.browser.post_json(&self.idp.url("/webauthn/login/finish"), &finish).await
    }

    /// The browser goes to `authorize_url`; when the IdP asks for a sign-in, the user signs in
    /// with the passkey and the browser continues. Returns the query of the redirect to
    /// `redirect_uri` (a code or an error).
    async fn authorize(
        &self,
        user: &mut User,
        authorize_url: &str,
        redirect_uri: &str,
    ) -> HashMap<String, String> {
        let reply = user.browser.get(authorize_url).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{reply:?}");
        let mut location =
            Url::parse(&self.idp.issuer).expect("url").join(&reply.redirect()).expect("location");
        if location.as_str().starts_with(&self.idp.url("/signin?")) {
            let request = query(&location)["request"].clone();
            let signed_in = self.passkey_sign_in(user).await;
            assert_eq!(signed_in.status, StatusCode::OK, "{signed_in:?}");
            assert!(signed_in.sets_cookie(), "a session starts: {signed_in:?}");
            let reply =
                user.browser.get(&self.idp.url(&format!("/authorize/continue?request={request}"))).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{reply:?}");
            location = Url::parse(&reply.redirect()).expect("an absolute redirect");
        }
        let back =
            format!("{}://{}{}", location.scheme(), location.host_str().unwrap_or_default(), location.path());
        assert_eq!(back, redirect_uri, "back to the client's redirect URI: {location}");
        let params = query(&location);
        // RFC 9207: the answer names its issuer.
        assert_eq!(params.get("iss").map(String::as_str), Some(self.idp.issuer.as_str()), "{location}");
        params
    }
}

/// A person: their browser and their authenticator.
struct User {
    browser: Http,
    passkeys: PasskeyClient,
}

fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// An authorization request of the `web` client, as openidconnect builds it.
struct WebRequest {
    url: String,
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
}

fn web_request(client: &OidcClient, acr_values: &[&str], extra: &[(&str, &str)]) -> WebRequest {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    for acr in acr_values {
        request = request.add_auth_context_value(AuthenticationContextClass::new((*acr).to_owned()));
    }
    for (name, value) in extra {
        request = request.add_extra_param(*name, *value);
    }
    let (url, state, nonce) = request.url();
    WebRequest { url: url.to_string(), state, nonce, verifier }
}

/// The ID token of `tokens`, verified by openidconnect; its amr and acr.
fn amr_and_acr(
    client: &OidcClient,
    tokens: &CoreTokenResponse,
    nonce: &Nonce,
) -> (Vec<String>, Option<String>) {
    let id_token = tokens.id_token().expect("an ID token");
    let claims = id_token.claims(&client.id_token_verifier(), nonce).expect("the ID token verifies");
    assert!(claims.auth_time().is_some(), "auth_time is present");
    let amr =
        claims.auth_method_refs().expect("an amr claim").iter().map(|a| a.as_str().to_owned()).collect();
    let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
    (amr, acr)
}

/// The OAuth error code of a refused token request.
fn token_error(result: TokenResult) -> String {
    match result {
        Err(RequestTokenError::ServerResponse(response)) => response.error().to_string(),
        Err(other) => panic!("expected an OAuth error response, got {other:?}"),
        Ok(tokens) => panic!("expected a refusal, got tokens {:?}", tokens.access_token().secret()),
    }
}

/// A full sign-in of `user` with the `web` client; the code, the request and the token result.
async fn web_sign_in(
    world: &World,
    user: &mut User,
    acr_values: &[&str],
) -> (String, WebRequest, CoreTokenResponse) {
    let client = world.web();
    let request = web_request(&client, acr_values, &[]);
    let back = world.authorize(user, &request.url, WEB_REDIRECT).await;
    assert_eq!(back.get("state"), Some(request.state.secret()), "state comes back: {back:?}");
    let code = back.get("code").unwrap_or_else(|| panic!("a code: {back:?}")).clone();
    let verifier = PkceCodeVerifier::new(request.verifier.secret().clone());
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .request_async(world.backend.client())
        .await
        .expect("tokens");
    (code, request, tokens)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[tokio::test]
async fn each_profile_gets_the_amr_and_acr_of_the_rule_table() {
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let cases = [
        // Trusted basic attestation, secure element, clientPIN (R3, R5, R6).
        (Profile::SecurityKey, &["hwk", "mfa", "pin", "pop", "user"][..], "phrh"),
        // Trusted basic attestation, TEE, built-in fingerprint (R4, R5, R6).
        (Profile::Platform, &["fpt", "hwk", "mfa", "pop", "user"][..], "phrh"),
        // No attestation; the signed uvm names the face and software keys; BE = 1 (R4, R7).
        (Profile::SyncedPasskey, &["face", "mfa", "pop", "swk", "user"][..], "phr"),
        // Self attestation, no UV; uvm says software (R7).
        (Profile::SoftwareToken, &["pop", "swk", "user"][..], "phr"),
    ];
    for (profile, amr, acr) in cases {
        let mut user = world.user(profile, profile.name()).await;
        let (_, request, tokens) = web_sign_in(&world, &mut user, &[]).await;
        let got = amr_and_acr(&world.web(), &tokens, &request.nonce);
        assert_eq!(got, (strings(amr), Some(acr.to_owned())), "{profile:?}");
    }
}

#[tokio::test]
async fn par_with_private_key_jwt_and_acr_values() {
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let mut user = world.user(Profile::SyncedPasskey, "pat").await;
    let client = world.backend_client();
    let par_url = world.idp.url("/par");
    let token_url = world.token_url();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (state, nonce) = (CsrfToken::new_random(), Nonce::new_random());
    let par_assertion = world.key.assertion(BACKEND, &world.idp.issuer, &fresh_jti());
    let push = |assertion: String| {
        let form = [
            ("client_id", BACKEND.to_owned()),
            ("response_type", "code".to_owned()),
            ("scope", "openid".to_owned()),
            ("redirect_uri", BACKEND_REDIRECT.to_owned()),
            ("state", state.secret().clone()),
            ("nonce", nonce.secret().clone()),
            ("code_challenge", challenge.as_str().to_owned()),
            ("code_challenge_method", "S256".to_owned()),
            ("acr_values", "phr".to_owned()),
            ("client_assertion_type", JWT_BEARER.to_owned()),
            ("client_assertion", assertion),
        ];
        let (backend, par_url) = (&world.backend, &par_url);
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            backend.post_form(par_url, &form).await
        }
    };
    let pushed = push(par_assertion.clone()).await;
    assert_eq!(pushed.status, StatusCode::CREATED, "{pushed:?}");
    let request_uri = pushed.json()["request_uri"].as_str().expect("request_uri").to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"), "{request_uri}");
    assert!(pushed.json()["expires_in"].as_u64().is_some_and(|s| s > 0), "{pushed:?}");

    // The request_uri is bound to the client that pushed it, and another client's try does not
    // spend it.
    let mut stolen = Url::parse(client.auth_uri().as_str()).expect("url");
    stolen.query_pairs_mut().append_pair("client_id", WEB).append_pair("request_uri", &request_uri);
    let stolen = user.browser.get(stolen.as_str()).await;
    assert_invalid_request_uri(&stolen);

    // The authorization request carries only client_id and request_uri (RFC 9126 §4).
    let mut authorize = Url::parse(client.auth_uri().as_str()).expect("url");
    authorize.query_pairs_mut().append_pair("client_id", BACKEND).append_pair("request_uri", &request_uri);
    let back = world.authorize(&mut user, authorize.as_str(), BACKEND_REDIRECT).await;
    assert_eq!(back.get("state"), Some(state.secret()), "{back:?}");
    let code = back["code"].clone();

    // A request_uri is used once (RFC 9126 §4).
    let again = user.browser.get(authorize.as_str()).await;
    assert_invalid_request_uri(&again);

    // The token request authenticates with a client assertion whose aud is the issuer
    // (draft-ietf-oauth-rfc7523bis: the issuer alone, never an endpoint URL).
    let token_assertion = world.key.assertion(BACKEND, &world.idp.issuer, &fresh_jti());
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.clone()))
        .expect("a token endpoint")
        .set_pkce_verifier(verifier)
        .add_extra_param("client_assertion_type", JWT_BEARER)
        .add_extra_param("client_assertion", token_assertion.clone())
        .request_async(world.backend.client())
        .await
        .expect("tokens for the private_key_jwt client");
    let got = amr_and_acr(&client, &tokens, &nonce);
    assert_eq!(got, (strings(&["face", "mfa", "pop", "swk", "user"]), Some("phr".to_owned())));

    // A replayed assertion (same jti) is refused, at the token endpoint and at PAR; the jti of
    // the PAR assertion (aud = issuer, as at both) is spent at the token endpoint too. The code
    // is spent already, so a client authentication that wrongly passed would say invalid_grant.
    let token_request = |assertion: String| {
        let (backend, token_url, code) = (&world.backend, &token_url, &code);
        async move {
            let form = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", BACKEND_REDIRECT),
                ("code_verifier", "irrelevant-because-client-authentication-comes-first"),
                ("client_id", BACKEND),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion.as_str()),
            ];
            backend.post_form(token_url, &form).await
        }
    };
    assert_invalid_client(&token_request(token_assertion).await);
    assert_invalid_client(&token_request(par_assertion.clone()).await);
    assert_invalid_client(&push(par_assertion).await);

    // An assertion for another audience is refused, at PAR and at the token endpoint.
    let elsewhere = world.key.assertion(BACKEND, "https://other-idp.example", &fresh_jti());
    assert_invalid_client(&push(elsewhere).await);
    let elsewhere = world.key.assertion(BACKEND, "https://other-idp.example/token", &fresh_jti());
    assert_invalid_client(&token_request(elsewhere).await);

    // An endpoint URL is not an audience (draft-ietf-oauth-rfc7523bis): not even the PAR's own.
    assert_invalid_client(&push(world.key.assertion(BACKEND, &par_url, &fresh_jti())).await);
}

/// RFC 9126 §4: a request_uri that is spent, expired or another client's.
fn assert_invalid_request_uri(reply: &Reply) {
    assert_eq!(
        (reply.status, reply.error().as_deref()),
        (StatusCode::BAD_REQUEST, Some("invalid_request_uri")),
        "{reply:?}"
    );
}

/// RFC 6749 §5.2: invalid_client, with 401 or 400 (401 is required only when the client used
/// the Authorization header, which a private_key_jwt client does not).
fn assert_invalid_client(reply: &Reply) {
    assert_eq!(reply.error().as_deref(), Some("invalid_client"), "{reply:?}");
    assert!(matches!(reply.status, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED), "{reply:?}");
}

#[tokio::test]
async fn private_key_jwt_audience_other_than_the_issuer_is_refused_at_par() {
    // draft-ietf-oauth-rfc7523bis and the OpenID Foundation's 2025 advisory on client-assertion
    // audiences replace RFC 9126 §2's list (issuer, token endpoint URL, PAR endpoint URL): the
    // audience is the issuer identifier alone, so the token endpoint's URL is refused at PAR.
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
    let assertion = world.key.assertion(BACKEND, &world.token_url(), &fresh_jti());
    let pushed = world
        .backend
        .post_form(
            &world.idp.url("/par"),
            &[
                ("client_id", BACKEND),
                ("response_type", "code"),
                ("scope", "openid"),
                ("redirect_uri", BACKEND_REDIRECT),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "S256"),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", &assertion),
            ],
        )
        .await;
    assert_invalid_client(&pushed);
}

#[tokio::test]
async fn an_essential_phrh_with_a_software_key_is_unmet() {
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let client = world.web();
    let mut synced = world.user(Profile::SyncedPasskey, "sam").await;
    let request = web_request(&client, &[], &[("claims", ESSENTIAL_PHRH)]);
    let back = world.authorize(&mut synced, &request.url, WEB_REDIRECT).await;
    assert_eq!(back.get("error").map(String::as_str), Some("unmet_authentication_requirements"), "{back:?}");
    assert_eq!(back.get("state"), Some(request.state.secret()), "{back:?}");
    assert!(!back.contains_key("code"), "{back:?}");

    // The same request is met by a hardware key.
    let mut hardware = world.user(Profile::SecurityKey, "hal").await;
    let request = web_request(&client, &[], &[("claims", ESSENTIAL_PHRH)]);
    let back = world.authorize(&mut hardware, &request.url, WEB_REDIRECT).await;
    let code = back.get("code").unwrap_or_else(|| panic!("a code: {back:?}")).clone();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("a token endpoint")
        .set_pkce_verifier(request.verifier)
        .request_async(world.backend.client())
        .await
        .expect("tokens");
    assert_eq!(amr_and_acr(&client, &tokens, &request.nonce).1.as_deref(), Some("phrh"));
}

#[tokio::test]
async fn a_replayed_code_is_refused_and_revokes_its_access_token() {
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let client = world.web();
    let mut user = world.user(Profile::SoftwareToken, "rita").await;
    let (code, request, tokens) = web_sign_in(&world, &mut user, &["phr"]).await;
    let subject = tokens
        .id_token()
        .expect("an ID token")
        .claims(&client.id_token_verifier(), &request.nonce)
        .expect("verifies")
        .subject()
        .clone();
    // The access token works at userinfo, for the ID token's subject (openidconnect checks it).
    let _: CoreUserInfoClaims = client
        .user_info(tokens.access_token().clone(), Some(subject))
        .expect("a userinfo endpoint")
        .request_async(world.backend.client())
        .await
        .expect("userinfo for the ID token's subject");

    let replay = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("a token endpoint")
        .set_pkce_verifier(request.verifier)
        .request_async(world.backend.client())
        .await;
    assert_eq!(token_error(replay), "invalid_grant");
    // RFC 6749 §4.1.2: the replay revokes what the code issued.
    let userinfo = world.idp.url("/userinfo");
    let revoked = world.backend.get_bearer(&userinfo, tokens.access_token().secret()).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED, "{revoked:?}");
    assert!(
        revoked.header(hyper::header::WWW_AUTHENTICATE).is_some_and(|v| v.contains("invalid_token")),
        "{revoked:?}"
    );
    let unknown = world.backend.get_bearer(&userinfo, AccessToken::new("made-up".into()).secret()).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED, "{unknown:?}");
}

#[tokio::test]
async fn the_code_is_bound_to_its_pkce_verifier_and_redirect_uri() {
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let client = world.web();
    let mut user = world.user(Profile::Platform, "pia").await;
    let signed_in = world.passkey_sign_in(&mut user).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{signed_in:?}");
    // With a session, each authorization request comes straight back with a code.
    let mut fresh_code = async |client: &OidcClient| {
        let request = web_request(client, &[], &[]);
        let back = world.authorize(&mut user, &request.url, WEB_REDIRECT).await;
        (back.get("code").unwrap_or_else(|| panic!("a code: {back:?}")).clone(), request)
    };

    // The wrong verifier (RFC 7636 §4.6).
    let (code, _) = fresh_code(&client).await;
    let wrong = PkceCodeChallenge::new_random_sha256().1;
    let result = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("endpoint")
        .set_pkce_verifier(wrong)
        .request_async(world.backend.client())
        .await;
    assert_eq!(token_error(result), "invalid_grant");

    // No verifier at all.
    let (code, _) = fresh_code(&client).await;
    let result = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("endpoint")
        .request_async(world.backend.client())
        .await;
    assert_eq!(token_error(result), "invalid_request");

    // Another registered redirect URI than the authorization request's (RFC 6749 §4.1.3).
    let (code, request) = fresh_code(&client).await;
    let other = RedirectUrl::new(WEB_REDIRECT_OTHER.into()).expect("url");
    let result = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("endpoint")
        .set_pkce_verifier(request.verifier)
        .set_redirect_uri(Cow::Owned(other))
        .request_async(world.backend.client())
        .await;
    assert_eq!(token_error(result), "invalid_grant");

    // The control: the right verifier and redirect URI get tokens.
    let (code, request) = fresh_code(&client).await;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .expect("endpoint")
        .set_pkce_verifier(request.verifier)
        .request_async(world.backend.client())
        .await
        .expect("tokens");
    let got = amr_and_acr(&client, &tokens, &request.nonce);
    assert_eq!(got, (strings(&["fpt", "hwk", "mfa", "pop", "user"]), Some("phrh".to_owned())));
}

#[tokio::test]
async fn a_wrong_origin_in_client_data_starts_no_session() {
    let world = World::start(UserVerificationRequirement::Preferred).await;
    let client = world.web();
    let mut user = world.user(Profile::Platform, "otto").await;
    let request = web_request(&client, &[], &[]);
    let reply = user.browser.get(&request.url).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{reply:?}");
    let sign_in = Url::parse(&world.idp.issuer).expect("url").join(&reply.redirect()).expect("location");
    let pending = query(&sign_in)["request"].clone();

    // A phishing page on another origin relays the challenge.
    let port = Url::parse(&world.idp.issuer).expect("url").port().expect("a port");
    user.passkeys.origin = format!("http://localhost.evil.example:{port}");
    let finish = world.passkey_sign_in(&mut user).await;
    assert_eq!(
        (finish.status, finish.error().as_deref()),
        (StatusCode::BAD_REQUEST, Some("wrong_origin")),
        "{finish:?}"
    );
    assert!(!finish.sets_cookie(), "{finish:?}");
    assert!(user.browser.cookies().is_empty());
    let session = user.browser.get(&world.idp.url("/account/session")).await;
    assert_eq!(session.error().as_deref(), Some("not_signed_in"), "{session:?}");

    // The pending request ends in login_required, without a code.
    let resumed = user.browser.get(&world.idp.url(&format!("/authorize/continue?request={pending}"))).await;
    assert_eq!(resumed.status, StatusCode::SEE_OTHER, "{resumed:?}");
    let back = query(&Url::parse(&resumed.redirect()).expect("absolute"));
    assert_eq!(back.get("error").map(String::as_str), Some("login_required"), "{back:?}");
    assert!(!back.contains_key("code"), "{back:?}");
}

#[tokio::test]
async fn user_verification_required() {
    let world = World::start(UserVerificationRequirement::Required).await;
    // An authenticator that cannot verify the user cannot register (a browser would not even
    // offer it; this client ignores the requirement so the IdP's own refusal is tested).
    let mut token = User {
        browser: Http::browser(),
        passkeys: PasskeyClient::new(Profile::SoftwareToken, &world.idp.issuer),
    };
    token.passkeys.skip_user_verification = true;
    let signup = token
        .browser
        .post_json(&world.idp.url("/account/signup"), &json!({ "username": "tom", "password": PASSWORD }))
        .await;
    assert_eq!(signup.status, StatusCode::OK, "{signup:?}");
    let refused = world.register_passkey(&mut token).await;
    assert_eq!(
        (refused.status, refused.error().as_deref()),
        (StatusCode::BAD_REQUEST, Some("user_not_verified")),
        "{refused:?}"
    );

    // A security key registers with its PIN; a sign-in without UV is refused and starts no session.
    let mut user = world.user(Profile::SecurityKey, "uma").await;
    user.passkeys.skip_user_verification = true;
    let finish = world.passkey_sign_in(&mut user).await;
    assert_eq!(
        (finish.status, finish.error().as_deref()),
        (StatusCode::BAD_REQUEST, Some("user_not_verified")),
        "{finish:?}"
    );
    assert!(!finish.sets_cookie(), "{finish:?}");

    // With the PIN, the whole flow works.
    user.passkeys.skip_user_verification = false;
    let (_, request, tokens) = web_sign_in(&world, &mut user, &[]).await;
    let got = amr_and_acr(&world.web(), &tokens, &request.nonce);
    assert_eq!(got, (strings(&["hwk", "mfa", "pin", "pop", "user"]), Some("phrh".to_owned())));
}
