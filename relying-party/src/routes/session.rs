//! The browser session cookie.

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, SET_COOKIE};

use super::AppState;
use crate::oidc::flow::Session;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "softfido_session";

/// The session of the request's cookie, if live.
pub fn current(state: &AppState, headers: &HeaderMap, now: u64) -> Option<Session> {
    let id = session_id(headers)?;
    state.sessions.get(&id, now)
}

/// The session id the request's cookie carries, live or not.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Starts a session and returns the header that sets its cookie.
pub fn start(state: &AppState, session: Session, now: u64) -> (axum::http::HeaderName, String) {
    let id = state.sessions.insert(session, now);
    (SET_COOKIE, format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Lax; Path=/"))
}

/// Ends the session of the request's cookie on the server and returns the header that clears
/// the cookie (RFC 6265 §5.3: an expiry in the past removes it).
pub fn end(state: &AppState, headers: &HeaderMap, now: u64) -> (axum::http::HeaderName, String) {
    if let Some(id) = session_id(headers) {
        state.sessions.take(&id, now);
    }
    (SET_COOKIE, format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"))
}
