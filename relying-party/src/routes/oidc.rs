//! The OpenID Connect endpoints: authorize (and its resumption after a sign-in), PAR
//! (RFC 9126), token and userinfo. Each extracts, calls the decision in [`crate::oidc`] and
//! answers it.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::json;

use super::AppState;
use super::extract::{AuthenticatedClient, CurrentSession, OAuthParams};
use super::session::session_id;
use crate::error::AppError;
use crate::oidc::OAuthError;
use crate::oidc::authorize::{AuthorizeError, ValidRequest, validate};
use crate::oidc::flow::{
    Decision, PendingRequest, Session, after_sign_in, decide, is_the_session_it_found, session_digest,
};
use crate::oidc::grant::Grant;
use crate::oidc::params::with_query;
use crate::oidc::token::{StoredCode, TOKEN_TTL, TokenRequest, redeem};
use crate::policy::potential_acr;
use crate::store::{NewAccessToken, RedeemOutcome};

/// Lifetime of an authorization code.
const CODE_TTL: u64 = 60;
/// Lifetime of a pushed authorization request (RFC 9126 §2.2: short-lived).
const PAR_TTL: u64 = 60;
/// The request_uri prefix of RFC 9126 §2.2.
const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";
/// The client credentials of a pushed request, which are not authorization parameters.
const CLIENT_CREDENTIAL_PARAMS: [&str; 3] = ["client_assertion", "client_assertion_type", "client_secret"];

fn random_token() -> String {
    Base64UrlUnpadded::encode_string(&rand::random::<[u8; 32]>())
}

/// An authorization error: displayed (400) or redirected to the client (303).
fn authorize_error(issuer: &str, error: AuthorizeError) -> Response {
    match error {
        AuthorizeError::Display { error, description } => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": error.as_str(), "error_description": description })),
        )
            .into_response(),
        AuthorizeError::Redirect { redirect_uri, error, description, state } => {
            redirect_error(issuer, &redirect_uri, error, &description, state.as_deref())
        }
    }
}

/// RFC 6749 §4.1.2.1: the error goes back to the client's redirect URI.
fn redirect_error(
    issuer: &str,
    redirect_uri: &str,
    error: OAuthError,
    description: &str,
    state: Option<&str>,
) -> Response {
    let mut pairs = vec![("error", error.as_str()), ("error_description", description)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    // RFC 9207: the issuer identifies who answered.
    pairs.push(("iss", issuer));
    Redirect::to(&with_query(redirect_uri, &pairs)).into_response()
}

/// `GET /authorize`: checks the request (or the pushed one it names) and issues a code, asks for
/// a sign-in, or redirects an error.
pub async fn authorize(
    State(state): State<AppState>,
    headers: HeaderMap,
    CurrentSession(session): CurrentSession,
    OAuthParams(mut params): OAuthParams,
) -> Result<Response, AppError> {
    let now = state.now();
    // RFC 9126 §4: a request_uri of ours stands for the parameters pushed by that client; any
    // other is refused by `validate` (request_uri_not_supported, OIDC Core §3.1.2.6).
    if let Some(request_uri) = params.get("request_uri").filter(|uri| uri.starts_with(REQUEST_URI_PREFIX)) {
        let client_id = params.get("client_id").map(String::as_str).unwrap_or_default();
        let pushed = state.store()?.take_par(request_uri, client_id, now as i64)?;
        let Some(pushed) = pushed else {
            let error = OAuthError::InvalidRequestUri;
            let description = "unknown, used or expired request_uri";
            return Ok(authorize_error(
                &state.issuer,
                AuthorizeError::Display { error, description: description.into() },
            ));
        };
        params = pushed;
    }
    let request = match validate(&params, state.clients.authorize_clients()) {
        Ok(request) => request,
        Err(error) => return Ok(authorize_error(&state.issuer, error)),
    };
    let best = match &session {
        Some(session) => best_possible_acr(&state, &session.user_id)?,
        None => None,
    };
    match decide(&request, session.as_ref(), now, best) {
        Decision::IssueCode => match session {
            Some(session) => issue_code(&state, &request, &session, now),
            None => Err(AppError::internal("a code without a session")),
        },
        Decision::SignIn { step_up, reauthenticate } => {
            // The request waits in the browser, sealed: the server keeps nothing for it.
            let id = Base64UrlUnpadded::encode_string(&rand::random::<[u8; 16]>());
            let found_session = session_id(&state, &headers).map(|id| session_digest(&state.sealer, &id));
            let pending = state.sealer.seal(&PendingRequest {
                id,
                request,
                requested_at: now,
                reauthenticate,
                found_session,
            });
            let mut location = format!("/signin?request={pending}");
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
    let credentials = state.store()?.credentials_of(user_id)?;
    Ok(credentials
        .iter()
        .map(|stored| potential_acr(&stored.credential.attestation, stored.credential.backup_eligible()))
        .max_by_key(|acr| acr.rank()))
}

/// `GET /authorize/continue?request=…`: after the sign-in page, finish the pending request.
pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    CurrentSession(session): CurrentSession,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let now = state.now();
    let sealed = params.get("request").map(String::as_str).unwrap_or_default();
    // A request waits as long as a ceremony may take; one this provider did not seal, or sealed
    // too long ago, is unknown.
    let pending = state
        .sealer
        .open::<PendingRequest>(sealed)
        .filter(|pending| now < pending.requested_at.saturating_add(super::CEREMONY_TTL))
        .ok_or_else(|| {
            AppError::bad_request("unknown_request", "no authorization request is waiting under that id")
        })?;
    let request = &pending.request;
    let Some(session) = session else {
        return Ok(redirect_error(
            &state.issuer,
            &request.redirect_uri,
            OAuthError::LoginRequired,
            "no sign-in",
            request.state.as_deref(),
        ));
    };
    let current = session_id(&state, &headers).map(|id| session_digest(&state.sealer, &id));
    let decision = if is_the_session_it_found(&pending, current.as_deref()) {
        Decision::Error(OAuthError::LoginRequired)
    } else {
        after_sign_in(&pending, &session, now)
    };
    match decision {
        Decision::IssueCode => {
            // The sealed request is answered with a code once: a reload of this URL (or a second
            // use of a pushed request, RFC 9126 §4) finds it spent. Only authenticated sessions
            // get this far, so an unauthenticated flood records nothing.
            if !state.answered_requests.insert_if_absent(&pending.id, (), now)? {
                return Err(AppError::bad_request(
                    "unknown_request",
                    "no authorization request is waiting under that id",
                ));
            }
            issue_code(&state, request, &session, now)
        }
        Decision::Error(error) => {
            let description = match error {
                OAuthError::LoginRequired => "the request needs a sign-in made after it",
                _ => "the authentication does not meet the essential acr",
            };
            Ok(redirect_error(
                &state.issuer,
                &request.redirect_uri,
                error,
                description,
                request.state.as_deref(),
            ))
        }
        Decision::SignIn { .. } => Err(AppError::internal("a sign-in after a sign-in")),
    }
}

/// RFC 6749 §4.1.2: a code for the grant, redirected with `state` and (RFC 9207) `iss`.
fn issue_code(
    state: &AppState,
    request: &ValidRequest,
    session: &Session,
    now: u64,
) -> Result<Response, AppError> {
    // OIDC Core §3.1.2.3: never a code for a session that authenticated nothing.
    if !session.authenticated() {
        return Err(AppError::internal("a code for a session that authenticated nothing"));
    }
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
    let mut store = state.store()?;
    // Expired codes are purged on the way, a bounded batch per insert.
    store.purge_expired_grants(now as i64)?;
    store.insert_code(&code, &grant, (now + CODE_TTL) as i64)?;
    drop(store);
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state_param) = &request.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", &state.issuer));
    Ok(Redirect::to(&with_query(&request.redirect_uri, &pairs)).into_response())
}

/// `POST /par` (RFC 9126 §2): an authenticated client pushes its authorization request.
pub async fn par(
    State(state): State<AppState>,
    AuthenticatedClient { client, params: mut form }: AuthenticatedClient,
) -> Result<Response, AppError> {
    let now = state.now();
    for credential in CLIENT_CREDENTIAL_PARAMS {
        form.remove(credential);
    }
    // §2.1: request_uri cannot itself be pushed.
    if form.contains_key("request_uri") {
        return Err(AppError::oauth(
            OAuthError::InvalidRequest,
            "request_uri is not allowed in a pushed request",
        ));
    }
    form.insert("client_id".into(), client.as_str().to_owned());
    // §2.3: an invalid request is answered here, as JSON, not redirected.
    if let Err(error) = validate(&form, state.clients.authorize_clients()) {
        let (error, description) = match error {
            AuthorizeError::Display { error, description } => (error, description),
            AuthorizeError::Redirect { error, description, .. } => (error, description),
        };
        return Err(AppError::oauth(error, description));
    }
    let request_uri = format!("{REQUEST_URI_PREFIX}{}", random_token());
    let mut store = state.store()?;
    // Expired pushed requests are purged on the way, a bounded batch per insert.
    store.purge_expired_grants(now as i64)?;
    store.insert_par(&request_uri, client.as_str(), &form, (now + PAR_TTL) as i64)?;
    drop(store);
    Ok((StatusCode::CREATED, Json(json!({ "request_uri": request_uri, "expires_in": PAR_TTL })))
        .into_response())
}

/// `POST /token` (RFC 6749 §4.1.3): a code for tokens.
pub async fn token(
    State(state): State<AppState>,
    AuthenticatedClient { client, params }: AuthenticatedClient,
) -> Result<Response, AppError> {
    let now = state.now();
    let request = TokenRequest::parse(&params)?;
    // RFC 6749 §4.1.3, RFC 7636 §4.6: the store spends the code only if the redemption succeeds.
    let redemption = state.store()?.redeem_code_with(&request.code, now as i64, |outcome| {
        let stored = match outcome {
            RedeemOutcome::Fresh { grant, .. } => StoredCode::Fresh(grant),
            RedeemOutcome::Replayed { client_id, .. } => StoredCode::Replayed { client_id },
            RedeemOutcome::Expired => StoredCode::Expired,
            RedeemOutcome::Unknown => StoredCode::Unknown,
        };
        redeem(&request, &client, stored, &state.issuer, now)
    })?;
    let issued = match redemption {
        Ok(issued) => issued,
        Err(refusal) => {
            if refusal.revoke_tokens_of_code {
                let revoked = state.store()?.revoke_tokens_of_code(&request.code)?;
                tracing::warn!(revoked, "authorization code replayed; its tokens are revoked");
            }
            return Err(refusal.into());
        }
    };
    let id_token = state.keys.sign(&issued.id_token).map_err(AppError::internal)?;
    let access_token = random_token();
    state.store()?.insert_access_token(NewAccessToken {
        token: &access_token,
        code: Some(&request.code),
        subject: &issued.userinfo.sub,
        client_id: &issued.client_id,
        claims: &issued.userinfo,
        expires_at: issued.expires_at as i64,
    })?;
    let body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL,
        "id_token": id_token,
        "scope": "openid",
    });
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1). The scheme name is
/// case-insensitive (RFC 9110 §11.1).
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    scheme.eq_ignore_ascii_case("Bearer").then_some(token)
}

/// `GET /userinfo` (OIDC Core §5.3) with a bearer access token.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .unwrap_or_default();
    match state.store()?.access_token(token, state.now() as i64)? {
        Some(token) => Ok(Json(token.claims).into_response()),
        // RFC 6750 §3.1.
        None => Ok((
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
            Json(json!({ "error": "invalid_token" })),
        )
            .into_response()),
    }
}

#[cfg(test)]
mod tests;
