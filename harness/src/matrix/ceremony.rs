//! One ceremony end to end, as the matrix and the benchmark run it: an account signed up and
//! its authenticator registered, then a fresh browser signing in through the OIDC
//! authorization code flow over loopback HTTP; the code is redeemed and the ID token verified
//! by `openidconnect` (an independent client library). The verdict comes from the decoded token
//! or the error the IdP gave, never from the IdP's state.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use openidconnect::core::{CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthType, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, TokenResponse,
};
use serde_json::{Value, json};
use softfido_authenticator::config::{
    CounterMode, ExtensionSupport, Generation, PinHashCost, UvCapability as DeviceUv, VerifyOutcome,
};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile};
use softfido_rp::clock::ManualClock;
use url::Url;

use super::oracle::{Outcome, Verdict};
use super::scenario::Scenario;
use crate::axes::{
    AcrRequest, Attestation, Backup, FirstFactor, KeyKind, KeyProtection, MaxAge, PinProtocol, Prompt,
    Session, Up, UvCapability, UvPerformed,
};
use crate::client::u2f::SW_CONDITIONS_NOT_SATISFIED;
use crate::client::webauthn::{ClientError, WebAuthnClient};
use crate::http::{Http, Reply};
use crate::idp::{MATRIX_CLIENT_ID, MATRIX_CLIENT_SECRET, MATRIX_REDIRECT_URI};

/// The client the matrix signs in to, built from the IdP's discovery document.
pub type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The PIN set on authenticators whose PIN is configured.
pub(crate) const PIN: &str = "246810";
/// What the user types when UV is to fail.
pub(crate) const WRONG_PIN: &str = "135799";
/// Every account's password (first factor `password` and `password_and_key`).
pub(crate) const PASSWORD: &str = "matrix password 1";
/// The essential acr request of OIDC Core §5.5.1.1.
const ESSENTIAL_PHRH: &str = r#"{"id_token":{"acr":{"essential":true,"value":"phrh"}}}"#;
/// An acr no IdP knows.
const UNKNOWN_ACR: &str = "urn:softfido:matrix:unknown-acr";
/// An essential acr request (OIDC Core §5.5.1.1) of [`UNKNOWN_ACR`].
const ESSENTIAL_UNKNOWN: &str =
    r#"{"id_token":{"acr":{"essential":true,"value":"urn:softfido:matrix:unknown-acr"}}}"#;
/// The `max_age` of `max_age=elapsed`, in seconds.
const ELAPSED_MAX_AGE: u64 = 60;
/// How far an `elapsed` scenario moves the IdP's clock after the session's sign-in: past
/// [`ELAPSED_MAX_AGE`], within the second-factor window (R9).
const ELAPSED_SECONDS: u64 = ELAPSED_MAX_AGE + 1;

/// The client the matrix is at an IdP.
#[derive(Clone, Debug)]
pub struct ClientRegistration {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: String,
    /// The registered redirect URI.
    pub redirect_uri: String,
    /// How it authenticates at the token endpoint.
    pub auth: AuthType,
}

/// An IdP the matrix signs in to.
#[derive(Clone, Debug)]
pub struct Target {
    /// The issuer (also the WebAuthn origin of its pages).
    pub issuer: String,
    /// The OIDC client, configured from discovery (with the JWKS it verifies tokens against).
    pub client: OidcClient,
    /// HTTP connections to it (the browser gets a fresh cookie jar per sign-in).
    pub http: Http,
    /// Prefix of usernames, unique per run, so a shared IdP never sees a name twice.
    pub run: String,
    /// The IdP's clock, when the harness can move it (`max_age=elapsed`).
    pub clock: Option<ManualClock>,
}

impl Target {
    /// Discovers the IdP at `issuer` (its metadata and JWKS) and sets up the matrix's client.
    pub async fn discover(issuer: &str) -> anyhow::Result<Self> {
        let client = ClientRegistration {
            id: MATRIX_CLIENT_ID.into(),
            secret: MATRIX_CLIENT_SECRET.into(),
            redirect_uri: MATRIX_REDIRECT_URI.into(),
            auth: AuthType::BasicAuth,
        };
        Self::discover_with(issuer, &client).await
    }

    /// Discovers the IdP at `issuer` and sets up `registration` as the client.
    pub async fn discover_with(issuer: &str, registration: &ClientRegistration) -> anyhow::Result<Self> {
        let http = Http::backend();
        let issuer_url = IssuerUrl::new(issuer.to_owned()).context("issuer URL")?;
        let metadata = CoreProviderMetadata::discover_async(issuer_url, &http)
            .await
            .map_err(|e| anyhow::anyhow!("discovery of {issuer}: {e}"))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(registration.id.clone()),
            Some(ClientSecret::new(registration.secret.clone())),
        )
        .set_auth_type(registration.auth.clone())
        .set_redirect_uri(RedirectUrl::new(registration.redirect_uri.clone()).context("redirect URI")?);
        let run = format!("m{:08x}", rand::random::<u32>());
        Ok(Self { issuer: issuer.trim_end_matches('/').to_owned(), client, http, run, clock: None })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

pub(crate) fn refused(error: impl Into<String>) -> Verdict {
    Verdict { outcome: Outcome::Rejected, amr: Vec::new(), acr: None, error: Some(error.into()) }
}

/// The authenticator a scenario describes, with the user answering `up` to the presence test;
/// built-in UV fails to match when `uv_fails` (at sign-in of a `failed` scenario only). Where
/// key protection is n/a the authenticator is a hardware model: the claim an RP must not believe
/// unproven. A U2F key is of the `u2f` generation: its batch certificate signs every
/// registration (under the untrusted root for `basic_untrusted`).
pub(crate) fn device_config(s: &Scenario, up: Up, uv_fails: bool) -> Config {
    let configured = matches!(s.uv_performed, Some(UvPerformed::Yes | UvPerformed::Failed));
    let uv = match s.uv_capability {
        Some(UvCapability::ClientPin) => DeviceUv::ClientPin,
        capability => match capability.and_then(UvCapability::biometric) {
            Some(biometric) => DeviceUv::Builtin {
                modality: biometric.into(),
                enrolled: configured,
                outcome: if uv_fails { VerifyOutcome::NoMatch } else { VerifyOutcome::Match },
            },
            None => DeviceUv::None,
        },
    };
    Config {
        presence: up.into(),
        // A timeout is the user never touching; the matrix does not wait 30 s for it.
        presence_timeout: Duration::ZERO,
        uv,
        key_protection: s.key_protection.unwrap_or(KeyProtection::Hardware).into(),
        attestation: s.attestation.unwrap_or(Attestation::None).into(),
        backup: s.backup.unwrap_or(Backup::Be0Bs0).into(),
        counter: CounterMode::PerCredential,
        extensions: ExtensionSupport { uvm: s.uvm == Some(true), ..ExtensionSupport::ALL },
        pin: (s.uv_capability == Some(UvCapability::ClientPin) && configured).then(|| PIN.to_owned()),
        reset_window: None,
        // Throwaway in-memory devices: a slow PIN verifier would only slow the matrix.
        pin_hash_cost: PinHashCost::Minimal,
        generation: if s.kind == KeyKind::U2f { Generation::U2f } else { Generation::Ctap21 },
        ..Profile::SecurityKey.config()
    }
}

static ACCOUNTS: AtomicU64 = AtomicU64::new(0);

/// A registered user: the account name and, unless password-only, the browser's authenticator;
/// with a passkey session, the authenticator that session signs in with.
pub struct Registered {
    username: String,
    client: Option<Passkey>,
    session_client: Option<Passkey>,
}

/// A browser's authenticator and the credential it registered.
pub struct Passkey {
    client: WebAuthnClient,
    credential_id: Value,
}

/// Sign-in options with the allowList cut to `credential_id`, as a browser's silent pre-flight
/// (CTAP 2.1 §6.2.2, `up=false`) finds the authenticator's credential among the account's.
fn only_credential(options: &Value, credential_id: &Value) -> Value {
    let mut options = options.clone();
    let public_key =
        if options.get("publicKey").is_some() { &mut options["publicKey"] } else { &mut options };
    if let Some(list) = public_key.get_mut("allowCredentials").and_then(Value::as_array_mut) {
        list.retain(|c| c["id"] == *credential_id);
    }
    options
}

/// Signs up an account for `key` and, unless password-only, registers its authenticator; a
/// refusal is the verdict every scenario of the key ends with.
pub async fn register(target: &Target, key: &Scenario) -> Result<Registered, Verdict> {
    let username = format!("{}-{}", target.run, ACCOUNTS.fetch_add(1, Ordering::Relaxed));
    let browser = target.http.fresh_browser();
    let password =
        (key.first_factor != FirstFactor::Passkey || key.session == Session::Password).then_some(PASSWORD);
    let signup = post(
        &browser,
        &target.url("/account/signup"),
        &json!({ "username": username, "password": password }),
    )
    .await?;
    expect_ok(&signup, "account")?;
    let session_client = match key.session_passkey() {
        Some(passkey) => Some(register_passkey(target, &browser, &passkey).await?),
        None => None,
    };
    let client = match key.first_factor {
        FirstFactor::Password => None,
        _ => Some(register_passkey(target, &browser, key).await?),
    };
    Ok(Registered { username, client, session_client })
}

/// Registers the authenticator `key` describes on the account `browser` is signed in to.
async fn register_passkey(target: &Target, browser: &Http, key: &Scenario) -> Result<Passkey, Verdict> {
    let authenticator = Authenticator::new(device_config(key, Up::Approve, false), MemoryStore::new())
        .map_err(|e| refused(format!("harness:authenticator does not start ({e:?})")))?;
    let mut client = WebAuthnClient::new(authenticator, &target.issuer);
    client.pin = Some(PIN.to_owned());
    // Where the protocol is n/a (no PIN is set), the client speaks protocol Two.
    client.pin_protocol = key.pin_protocol.unwrap_or(PinProtocol::Two).into();
    // A U2F key always attests with its batch certificate; `none` is the browser replacing it.
    client.replace_u2f_attestation_with_none =
        key.kind == KeyKind::U2f && key.attestation == Some(Attestation::None);
    let discoverable = key.discoverable == Some(true);
    let start =
        post(browser, &target.url("/webauthn/register/start"), &json!({ "discoverable": discoverable }))
            .await?;
    expect_ok(&start, "webauthn")?;
    let start = start.json();
    let credential = client.create(&start["options"]).map_err(|e| refused(e.to_string()))?;
    let finish = json!({ "ceremony": start["ceremony"], "credential": credential, "name": "matrix key" });
    let finish = post(browser, &target.url("/webauthn/register/finish"), &finish).await?;
    expect_ok(&finish, "webauthn")?;
    Ok(Passkey { client, credential_id: credential["id"].clone() })
}

async fn post(browser: &Http, url: &str, body: &Value) -> Result<Reply, Verdict> {
    browser.post_json(url, body).await.map_err(|e| refused(format!("harness:http ({e})")))
}

async fn get(browser: &Http, url: &str) -> Result<Reply, Verdict> {
    browser.get(url).await.map_err(|e| refused(format!("harness:http ({e})")))
}

/// A 200 answer, or the refusal `stage:error` it carries.
fn expect_ok(reply: &Reply, stage: &str) -> Result<(), Verdict> {
    if reply.status.is_success() {
        return Ok(());
    }
    let error = reply.error().unwrap_or_else(|| format!("http_{}", reply.status.as_u16()));
    Err(refused(format!("{stage}:{error}")))
}

/// An authorization request as openidconnect builds it.
pub(crate) struct AuthorizationRequest {
    pub(crate) url: Url,
    pub(crate) state: CsrfToken,
    pub(crate) nonce: Nonce,
    pub(crate) verifier: PkceCodeVerifier,
}

pub(crate) fn authorization_request(client: &OidcClient, s: &Scenario) -> AuthorizationRequest {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    request = match s.acr_request {
        Some(AcrRequest::AcrValuesPhr) => {
            request.add_auth_context_value(AuthenticationContextClass::new("phr".into()))
        }
        Some(AcrRequest::AcrValuesPhrh) => {
            request.add_auth_context_value(AuthenticationContextClass::new("phrh".into()))
        }
        Some(AcrRequest::EssentialPhrh) => request.add_extra_param("claims", ESSENTIAL_PHRH),
        Some(AcrRequest::EssentialUnknown) => request.add_extra_param("claims", ESSENTIAL_UNKNOWN),
        Some(AcrRequest::VoluntaryUnknown) => {
            request.add_auth_context_value(AuthenticationContextClass::new(UNKNOWN_ACR.into()))
        }
        Some(AcrRequest::None) | None => request,
    };
    request = match s.prompt {
        Prompt::Absent => request,
        Prompt::None => request.add_prompt(CoreAuthPrompt::None),
        Prompt::Login => request.add_prompt(CoreAuthPrompt::Login),
    };
    request = match s.max_age {
        MaxAge::Absent => request,
        MaxAge::Zero => request.set_max_age(Duration::ZERO),
        MaxAge::Elapsed => request.set_max_age(Duration::from_secs(ELAPSED_MAX_AGE)),
    };
    let (url, state, nonce) = request.url();
    AuthorizationRequest { url, state, nonce, verifier }
}

/// One sign-in through the authorization code flow; the verdict read from what came back.
pub async fn sign_in(target: &Target, s: &Scenario, registered: &mut Registered) -> Verdict {
    match sign_in_steps(target, s, registered).await {
        Ok(verdict) | Err(verdict) => verdict,
    }
}

async fn sign_in_steps(
    target: &Target,
    s: &Scenario,
    registered: &mut Registered,
) -> Result<Verdict, Verdict> {
    let browser = target.http.fresh_browser();
    establish_session(target, s, registered, &browser).await?;
    if s.max_age == MaxAge::Elapsed {
        let clock = target.clock.as_ref().ok_or_else(|| refused("harness:max_age=elapsed needs a clock"))?;
        clock.advance(ELAPSED_SECONDS);
    }
    let request = authorization_request(&target.client, s);
    let reply = get(&browser, request.url.as_str()).await?;
    let mut answer = redirect(target, &reply)?;
    if !answer.as_str().starts_with(MATRIX_REDIRECT_URI) {
        // The sign-in page: the user signs in with the scenario's key, then the IdP continues.
        let pending =
            answer.query_pairs().find(|(k, _)| k == "request").map(|(_, v)| v.into_owned()).ok_or_else(
                || refused(format!("harness:expected the sign-in page, got {}", reply.summary())),
            )?;
        if s.first_factor != FirstFactor::Passkey {
            let body = json!({ "username": registered.username, "password": PASSWORD });
            expect_ok(&post(&browser, &target.url("/account/password"), &body).await?, "account")?;
        }
        if let Some(passkey) = registered.client.as_mut() {
            passkey_step(target, s, &registered.username, passkey, &browser).await?;
        }
        let reply = get(&browser, &target.url(&format!("/authorize/continue?request={pending}"))).await?;
        answer = redirect(target, &reply)?;
    }
    let params: std::collections::HashMap<String, String> =
        answer.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    if params.get("state") != Some(request.state.secret()) {
        return Err(refused(format!("harness:state did not come back: {answer}")));
    }
    if let Some(error) = params.get("error") {
        let outcome = match error.as_str() {
            "unmet_authentication_requirements" => Outcome::UnmetAuthenticationRequirements,
            "login_required" => Outcome::LoginRequired,
            _ => Outcome::Rejected,
        };
        return Ok(Verdict { outcome, amr: Vec::new(), acr: None, error: Some(format!("oauth:{error}")) });
    }
    let code =
        params.get("code").ok_or_else(|| refused(format!("harness:neither code nor error: {answer}")))?;
    redeem(target, code, request.verifier, &request.nonce).await
}

/// Signs `browser` in as the scenario's session says, before the client's request arrives: a
/// password, or the session's passkey.
async fn establish_session(
    target: &Target,
    s: &Scenario,
    registered: &mut Registered,
    browser: &Http,
) -> Result<(), Verdict> {
    if s.session == Session::Password {
        let body = json!({ "username": registered.username, "password": PASSWORD });
        return expect_ok(&post(browser, &target.url("/account/password"), &body).await?, "session");
    }
    let Some(Passkey { client, credential_id }) = registered.session_client.as_mut() else {
        return Ok(());
    };
    client.authenticator.power_cycle();
    client.pin = Some(PIN.to_owned());
    let start =
        post(browser, &target.url("/webauthn/login/start"), &json!({ "username": registered.username }))
            .await?;
    expect_ok(&start, "session")?;
    let start = start.json();
    let options = only_credential(&start["options"], credential_id);
    let credential = client.get(&options).map_err(|e| refused(format!("session:{e}")))?;
    let finish = json!({ "ceremony": start["ceremony"], "credential": credential });
    expect_ok(&post(browser, &target.url("/webauthn/login/finish"), &finish).await?, "session")
}

/// The passkey part of the sign-in: username-first or discoverable options, the authenticator,
/// and the IdP's verdict on the assertion. An absent user leaves only a silent assertion, which
/// is what the IdP is then given (rule R0).
async fn passkey_step(
    target: &Target,
    s: &Scenario,
    username: &str,
    Passkey { client, credential_id }: &mut Passkey,
    browser: &Http,
) -> Result<(), Verdict> {
    if s.uv_capability == Some(UvCapability::ClientPin) {
        // A new PIN session: wrong PINs of earlier sign-ins do not add up to PIN_AUTH_BLOCKED.
        client.authenticator.power_cycle();
    }
    let uv_fails = s.uv_performed == Some(UvPerformed::Failed);
    client.authenticator.reconfigure(device_config(s, s.up.unwrap_or(Up::Approve), uv_fails));
    client.pin = Some(if uv_fails { WRONG_PIN } else { PIN }.to_owned());
    let body = if s.discoverable == Some(true) { json!({}) } else { json!({ "username": username }) };
    let start = post(browser, &target.url("/webauthn/login/start"), &body).await?;
    expect_ok(&start, "webauthn")?;
    let start = start.json();
    let options = only_credential(&start["options"], credential_id);
    let (credential, absent) = match client.get(&options) {
        Ok(credential) => (credential, None),
        Err(error @ (ClientError::Ctap(0x27 | 0x2F) | ClientError::U2f(SW_CONDITIONS_NOT_SATISFIED))) => {
            let silent =
                client.get_without_presence(&options).map_err(|e| refused(format!("{error} {e}")))?;
            (silent, Some(error))
        }
        Err(error) => return Err(refused(error.to_string())),
    };
    let finish = json!({ "ceremony": start["ceremony"], "credential": credential });
    let finish = post(browser, &target.url("/webauthn/login/finish"), &finish).await?;
    match (expect_ok(&finish, "webauthn"), absent) {
        (Ok(()), _) => Ok(()),
        (Err(verdict), None) => Err(verdict),
        (Err(verdict), Some(status)) => {
            Err(refused(format!("{status} {}", verdict.error.unwrap_or_default())))
        }
    }
}

/// The `Location` of a 303, resolved against the issuer.
fn redirect(target: &Target, reply: &Reply) -> Result<Url, Verdict> {
    if !reply.status.is_redirection() {
        let error = reply.error().unwrap_or_else(|| format!("http_{}", reply.status.as_u16()));
        return Err(refused(format!("oauth:{error}")));
    }
    let location = reply
        .location()
        .ok_or_else(|| refused(format!("harness:a redirect without Location: {}", reply.summary())))?;
    Url::parse(&target.issuer)
        .and_then(|base| base.join(location))
        .map_err(|e| refused(format!("harness:bad Location {location:?}: {e}")))
}

/// Redeems `code` and reads amr and acr from the ID token openidconnect verified (signature
/// against the JWKS, iss, aud, exp, nonce).
pub async fn redeem(
    target: &Target,
    code: &str,
    verifier: PkceCodeVerifier,
    nonce: &Nonce,
) -> Result<Verdict, Verdict> {
    let exchange = target
        .client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|e| refused(format!("harness:no token endpoint ({e})")))?
        .set_pkce_verifier(verifier)
        .request_async(&target.http)
        .await;
    let tokens = match exchange {
        Ok(tokens) => tokens,
        Err(RequestTokenError::ServerResponse(response)) => {
            return Err(refused(format!("oauth:{}", response.error())));
        }
        Err(other) => return Err(refused(format!("harness:token request ({other})"))),
    };
    let id_token = tokens.id_token().ok_or_else(|| refused("harness:no ID token"))?;
    let claims = id_token
        .claims(&target.client.id_token_verifier(), nonce)
        .map_err(|e| refused(format!("harness:the ID token does not verify ({e})")))?;
    let mut amr: Vec<String> = claims
        .auth_method_refs()
        .map(|refs| refs.iter().map(|a| a.as_str().to_owned()).collect())
        .unwrap_or_default();
    amr.sort();
    let acr = claims.auth_context_ref().map(|a| a.as_str().to_owned());
    Ok(Verdict { outcome: Outcome::Token, amr, acr, error: None })
}
