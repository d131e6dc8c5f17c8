//! The OpenID Connect endpoints: authorize (and its resumption after a sign-in), PAR
//! (RFC 9126), token and userinfo.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Value, json};

use super::{AppState, now, session};
use crate::error::AppError;
use crate::oidc::authorize::{AuthorizeError, ValidRequest, validate};
use crate::oidc::client_auth::{ClientAuthError, ClientCredentials, ClientId, authenticate};
use crate::oidc::flow::{Decision, Session, after_sign_in, decide};
use crate::oidc::grant::{Grant, check_redemption};
use crate::oidc::id_token::IdTokenClaims;
use crate::policy::potential_acr;
use crate::store::{NewAccessToken, RedeemOutcome};
use crate::webauthn::RegisteredCredential;

/// Lifetime of an authorization code.
const CODE_TTL: u64 = 60;
/// Lifetime of a pushed authorization request (RFC 9126 §2.2: short-lived).
const PAR_TTL: u64 = 60;
/// Lifetime of ID and access tokens.
const TOKEN_TTL: u64 = 300;
/// The request_uri prefix of RFC 9126 §2.2.
const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

fn random_token() -> String {
    Base64UrlUnpadded::encode_string(&rand::random::<[u8; 32]>())
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = uri.to_owned();
    for (i, (name, value)) in pairs.iter().enumerate() {
        let separator = if i == 0 && !uri.contains('?') { '?' } else { '&' };
        out.push(separator);
        out.push_str(name);
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An authorization error: displayed (400) or redirected to the client (303).
fn authorize_error(issuer: &str, error: AuthorizeError) -> Response {
    match error {
        AuthorizeError::Display { error, description } => {
            (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": description })))
                .into_response()
        }
        AuthorizeError::Redirect { redirect_uri, error, description, state } => {
            redirect_error(issuer, &redirect_uri, error, &description, state.as_deref())
        }
    }
}

fn redirect_error(
    issuer: &str,
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    // RFC 9207: the issuer identifies who answered.
    pairs.push(("iss", issuer));
    Redirect::to(&with_query(redirect_uri, &pairs)).into_response()
}

fn client_error(error: ClientAuthError) -> AppError {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let basic_challenge = error.www_authenticate().is_some();
    AppError::OAuth { status, error: error.error, description: error.description, basic_challenge }
}

/// `GET /authorize`: checks the request (or the pushed one it names) and issues a code, asks for
/// a sign-in, or redirects an error.
pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let now = now();
    // RFC 9126 §4: a request_uri stands for the parameters pushed by that client.
    if let Some(request_uri) = params.get("request_uri").cloned() {
        let client_id = params.get("client_id").cloned().unwrap_or_default();
        let pushed =
            state.store()?.take_par(&request_uri, &client_id, now as i64).map_err(AppError::internal)?;
        let Some(pushed) = pushed else {
            return Ok((
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "invalid_request_uri", "error_description": "unknown, used or expired request_uri" })),
            )
                .into_response());
        };
        params = serde_json::from_str(&pushed).map_err(AppError::internal)?;
    }
    let request = match validate(&params, &state.clients.authorize_clients()) {
        Ok(request) => request,
        Err(error) => return Ok(authorize_error(&state.issuer, error)),
    };
    let session = session::current(&state, &headers, now);
    let best = match &session {
        Some(session) => best_possible_acr(&state, &session.user_id)?,
        None => None,
    };
    match decide(&request, session.as_ref(), now, best) {
        Decision::IssueCode => match session {
            Some(session) => issue_code(&state, &request, &session, now),
            None => Err(AppError::internal("a code without a session")),
        },
        Decision::SignIn { step_up } => {
            let id = state.pending.insert(request, now);
            let mut location = format!("/signin?request={id}");
            if step_up {
                location.push_str("&step_up=1");
            }
            Ok(Redirect::to(&location).into_response())
        }
        Decision::Error(error) => Ok(redirect_error(
            &state.issuer,
            &request.redirect_uri,
            error,
            "the request cannot be met by this sign-in",
            request.state.as_deref(),
        )),
    }
}

/// The strongest acr any passkey of the user could earn (for step-up decisions, R11).
fn best_possible_acr(state: &AppState, user_id: &str) -> Result<Option<crate::policy::Acr>, AppError> {
    let credentials = state.store()?.credentials_of(user_id).map_err(AppError::internal)?;
    Ok(credentials
        .iter()
        .filter_map(|c| serde_json::from_str::<RegisteredCredential>(&c.credential_json).ok())
        .map(|c| potential_acr(&c.attestation, c.backup_eligible()))
        .max())
}

/// `GET /authorize/continue?request=…`: after the sign-in page, finish the pending request.
pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let now = now();
    let id = params.get("request").map(String::as_str).unwrap_or_default();
    let request = state.pending.take(id, now).ok_or_else(|| {
        AppError::bad_request("unknown_request", "no authorization request is waiting under that id")
    })?;
    let Some(session) = session::current(&state, &headers, now) else {
        return Ok(redirect_error(
            &state.issuer,
            &request.redirect_uri,
            "login_required",
            "no sign-in",
            request.state.as_deref(),
        ));
    };
    match after_sign_in(&request, &session.context) {
        Decision::IssueCode => issue_code(&state, &request, &session, now),
        Decision::Error(error) => Ok(redirect_error(
            &state.issuer,
            &request.redirect_uri,
            error,
            "the authentication does not meet the essential acr",
            request.state.as_deref(),
        )),
        Decision::SignIn { .. } => Err(AppError::internal("a sign-in after a sign-in")),
    }
}

fn issue_code(
    state: &AppState,
    request: &ValidRequest,
    session: &Session,
    now: u64,
) -> Result<Response, AppError> {
    let grant = Grant::new(
        &request.client_id,
        &request.redirect_uri,
        &request.code_challenge,
        &session.user_id,
        session.auth_time,
        request.nonce.clone(),
        &session.context,
    );
    let code = random_token();
    let grant_json = serde_json::to_string(&grant).map_err(AppError::internal)?;
    state
        .store()?
        .insert_code(&code, &request.client_id, &grant_json, (now + CODE_TTL) as i64)
        .map_err(AppError::internal)?;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state_param) = &request.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", &state.issuer));
    Ok(Redirect::to(&with_query(&request.redirect_uri, &pairs)).into_response())
}

/// Authenticates the client of a token or PAR request. A client assertion's `aud` may name the
/// issuer or one of `endpoints` (RFC 7523 §3: the token endpoint; RFC 9126 §2: at the PAR
/// endpoint, the issuer, the token endpoint or the PAR endpoint).
fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    endpoints: &[&str],
    now: u64,
) -> Result<ClientId, AppError> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let credentials = ClientCredentials::from_request(authorization, form);
    let urls: Vec<String> = endpoints.iter().map(|endpoint| format!("{}{endpoint}", state.issuer)).collect();
    let audience: Vec<&str> =
        std::iter::once(state.issuer.as_str()).chain(urls.iter().map(String::as_str)).collect();
    let mut store = state.store()?;
    authenticate(&state.clients, &credentials, &audience, now, |client, jti, exp| {
        store.remember_jti(client, jti, exp as i64 + 60, now as i64).unwrap_or(false)
    })
    .map_err(client_error)
}

/// `POST /par` (RFC 9126 §2): an authenticated client pushes its authorization request.
pub async fn par(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(mut form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let now = now();
    let client = authenticate_client(&state, &headers, &form, &["/token", "/par"], now)?;
    for credential in ["client_assertion", "client_assertion_type", "client_secret"] {
        form.remove(credential);
    }
    // §2.1: request_uri cannot itself be pushed.
    if form.contains_key("request_uri") {
        return Err(AppError::oauth("invalid_request", "request_uri is not allowed in a pushed request"));
    }
    form.insert("client_id".into(), client.as_str().to_owned());
    // §2.3: an invalid request is answered here, as JSON, not redirected.
    if let Err(error) = validate(&form, &state.clients.authorize_clients()) {
        let (error, description) = match error {
            AuthorizeError::Display { error, description } => (error, description),
            AuthorizeError::Redirect { error, description, .. } => (error, description),
        };
        return Err(AppError::oauth(error, description));
    }
    let request_uri = format!("{REQUEST_URI_PREFIX}{}", random_token());
    let params_json = serde_json::to_string(&form).map_err(AppError::internal)?;
    state
        .store()?
        .insert_par(&request_uri, client.as_str(), &params_json, (now + PAR_TTL) as i64)
        .map_err(AppError::internal)?;
    Ok((StatusCode::CREATED, Json(json!({ "request_uri": request_uri, "expires_in": PAR_TTL })))
        .into_response())
}

/// `POST /token` (RFC 6749 §4.1.3): a code for tokens.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let now = now();
    let client = authenticate_client(&state, &headers, &form, &["/token"], now)?;
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {}
        Some(_) => {
            return Err(AppError::oauth("unsupported_grant_type", "only authorization_code is supported"));
        }
        None => return Err(AppError::oauth("invalid_request", "grant_type is required")),
    }
    let code = form.get("code").ok_or_else(|| AppError::oauth("invalid_request", "code is required"))?;
    let outcome = state.store()?.redeem_code(code, now as i64).map_err(AppError::internal)?;
    let grant_json = match outcome {
        RedeemOutcome::Fresh { grant_json, .. } => grant_json,
        RedeemOutcome::Replayed { .. } => {
            // RFC 6749 §4.1.2: a replayed code revokes what it issued.
            let revoked = state.store()?.revoke_tokens_of_code(code).map_err(AppError::internal)?;
            tracing::warn!(revoked, "authorization code replayed; its tokens are revoked");
            return Err(AppError::oauth("invalid_grant", "the code was already used"));
        }
        RedeemOutcome::Expired => return Err(AppError::oauth("invalid_grant", "the code expired")),
        RedeemOutcome::Unknown => return Err(AppError::oauth("invalid_grant", "unknown code")),
    };
    let grant: Grant = serde_json::from_str(&grant_json).map_err(AppError::internal)?;
    check_redemption(
        &grant,
        client.as_str(),
        form.get("redirect_uri").map(String::as_str),
        form.get("code_verifier").map(String::as_str),
    )
    .map_err(|e| AppError::oauth(e.error, e.description))?;
    let claims = IdTokenClaims {
        iss: state.issuer.clone(),
        sub: grant.subject.clone(),
        aud: grant.client_id.clone(),
        exp: now + TOKEN_TTL,
        iat: now,
        auth_time: grant.auth_time,
        nonce: grant.nonce.clone(),
        acr: grant.acr.clone(),
        amr: grant.amr.clone(),
    };
    let id_token = state.keys.sign(&claims).map_err(AppError::internal)?;
    let access_token = random_token();
    let userinfo = json!({ "sub": grant.subject, "amr": grant.amr, "acr": grant.acr }).to_string();
    state
        .store()?
        .insert_access_token(NewAccessToken {
            token: &access_token,
            code: Some(code),
            subject: &grant.subject,
            client_id: &grant.client_id,
            claims_json: &userinfo,
            expires_at: (now + TOKEN_TTL) as i64,
        })
        .map_err(AppError::internal)?;
    let body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL,
        "id_token": id_token,
        "scope": "openid",
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// `GET /userinfo` (OIDC Core §5.3) with a bearer access token.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let found = state.store()?.access_token(token, now() as i64).map_err(AppError::internal)?;
    match found {
        Some(token) => {
            let claims: Value = serde_json::from_str(&token.claims_json).map_err(AppError::internal)?;
            Ok(Json(claims).into_response())
        }
        // RFC 6750 §3.1.
        None => Ok((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
            Json(json!({ "error": "invalid_token" })),
        )
            .into_response()),
    }
}
