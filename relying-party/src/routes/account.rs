//! Accounts: sign-up and password sign-in (a first factor; `amr=pwd`, no acr: rule R10).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::extract::{ClientAddress, CurrentSession};
use super::{AppState, CEREMONY_TTL, session};
use crate::error::AppError;
use crate::evidence::Evidence;
use crate::oidc::flow::Session;
use crate::policy::auth_context;
use crate::store::{StoreError, User};

pub mod username;

/// Username and password.
#[derive(Debug, Deserialize)]
pub struct Credentials {
    /// The account name.
    pub username: String,
    /// The password (optional at sign-up: a passkey-only account).
    pub password: Option<String>,
}

/// `POST /account/signup`: creates the account and signs the user in with the password, if any.
pub async fn signup(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Result<impl IntoResponse, AppError> {
    let username = username::canonical(&body.username)?;
    let username = username.as_str();
    let hash = match body.password.as_deref() {
        Some(password) if password.len() < 8 => {
            return Err(AppError::bad_request("weak_password", "a password is at least 8 characters"));
        }
        Some(password) => {
            Some(crate::password::hash(password, state.password_cost).map_err(AppError::internal)?)
        }
        None => None,
    };
    let now = state.now();
    let mut store = state.store()?;
    // A password-less account has the ceremony's lifetime to register its first passkey; after
    // that it is removed, so sign-ups without a password leave nothing behind.
    let cutoff = i64::try_from(now.saturating_sub(CEREMONY_TTL)).unwrap_or(i64::MAX);
    store.remove_abandoned_accounts(cutoff)?;
    let user = store.create_user(username, hash.as_deref()).map_err(|e| match e {
        StoreError::UsernameTaken(_) => AppError::bad_request("username_taken", "that username is taken"),
        other => AppError::internal(other),
    })?;
    drop(store);
    // A new account is signed in: with its password (R10), or for a passkey-only account,
    // just long enough to register its first passkey (no amr yet).
    let evidence = Evidence { assertion: None, password: body.password.is_some() };
    let context = auth_context(&evidence, state.policy)
        .unwrap_or(crate::policy::AuthContext { amr: Vec::new(), acr: None });
    let (name, cookie) =
        session::start(&state, Session { user_id: user.id.clone(), auth_time: now, context }, now)?;
    Ok(([(name, cookie)], Json(json!({ "user_id": user.id, "username": user.username }))))
}

/// `POST /account/password`: password sign-in (R10: `amr=["pwd"]`, no acr). An unknown user, a
/// user without a password and a wrong password get the same answer after the same work; failures
/// are throttled per username and per client address (429 with `Retry-After`).
pub async fn password_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Json(body): Json<Credentials>,
) -> Result<Response, Response> {
    let now = state.now();
    let throttle = &state.password_throttle;
    // RFC 8265 §3.3: the name as stored; an invalid one is throttled and refused like an unknown
    // user (its raw form is the throttle key).
    let name = username::canonical(&body.username).unwrap_or_else(|_| body.username.clone());
    let body = Credentials { username: name, password: body.password };
    // NIST SP 800-63B §5.2.2: a key that failed too often waits; RFC 6585 §4: 429 and
    // Retry-After. Nothing is verified meanwhile, so waiting attempts teach nothing.
    if let Some(wait) = throttle.retry_after(&body.username, address, now) {
        let error = AppError::BadRequest {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too_many_attempts",
            message: format!("too many failed sign-ins; try again in {wait} s"),
        };
        return Err(([(header::RETRY_AFTER, wait.to_string())], error).into_response());
    }
    let Some(user) = verified_user(&state, &body).map_err(IntoResponse::into_response)? else {
        throttle.record_failure(&body.username, address, now);
        return Err(refused().into_response());
    };
    throttle.succeeded(&body.username);
    let context = auth_context(&Evidence { assertion: None, password: true }, state.policy)
        .map_err(|_| refused().into_response())?;
    let (name, cookie) =
        session::start(&state, Session { user_id: user.id.clone(), auth_time: now, context }, now)
            .map_err(|full| AppError::from(full).into_response())?;
    Ok(([(name, cookie)], Json(json!({ "user_id": user.id }))).into_response())
}

/// The one answer to every failed password sign-in: it does not tell which part was wrong.
fn refused() -> AppError {
    AppError::BadRequest {
        status: StatusCode::UNAUTHORIZED,
        code: "invalid_credentials",
        message: "unknown user or wrong password".into(),
    }
}

/// The user whose password `body` gives, if any. Every path verifies one Argon2 hash: an unknown
/// user and a user without a password are checked against a dummy hash of the same cost.
fn verified_user(state: &AppState, body: &Credentials) -> Result<Option<User>, AppError> {
    let password = body.password.as_deref().unwrap_or_default();
    let user = match username::canonical(&body.username) {
        Ok(name) => state.store()?.user_by_name(&name)?,
        Err(_) => None,
    };
    let verified = match user.as_ref().and_then(|user| user.password_hash.as_deref()) {
        Some(hash) => crate::password::verify(password, hash),
        None => crate::password::verify_for_unknown_user(password, state.password_cost),
    };
    Ok(user.filter(|_| verified && body.password.is_some()))
}

/// `GET /account/session`: the signed-in user's session as the IdP sees it.
pub async fn current_session(CurrentSession(session): CurrentSession) -> Result<impl IntoResponse, AppError> {
    let session = session.ok_or_else(|| AppError::bad_request("not_signed_in", "no session"))?;
    Ok(Json(json!({
        "user_id": session.user_id,
        "auth_time": session.auth_time,
        "amr": session.context.amr_strings(),
        "acr": session.context.acr.map(|a| a.as_str()),
    })))
}

/// `POST /account/signout`: ends the session, server side (its id no longer signs in) and in the
/// browser (the cookie is cleared). Signing out without a session is not an error.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, AppError> {
    let (name, cookie) = session::end(&state, &headers, state.now());
    Ok(([(name, cookie)], Json(json!({ "signed_out": true }))))
}

#[cfg(test)]
mod tests;
