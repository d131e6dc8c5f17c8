//! The browser session cookie.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName};

use super::AppState;
use crate::expiring::MapFull;
use crate::oidc::flow::Session;

/// The session cookie's name on an http origin (local testing).
pub const SESSION_COOKIE: &str = "softfido_session";
/// Its name on an https origin: RFC 6265bis §4.1.3.2, a `__Host-` cookie must be `Secure`, have
/// `Path=/` and no `Domain`, so no sibling host or insecure page can set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-softfido_session";

/// How the session cookie is named and flagged: by the scheme of the pages' origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieSecurity {
    /// An http origin (http://localhost): a plain cookie, which the browser would not keep if it
    /// were `Secure`.
    Plain,
    /// An https origin: `__Host-` prefix and `Secure` (RFC 6265bis §4.1.3.2).
    HostOnlySecure,
}

impl CookieSecurity {
    /// The policy for pages served from an origin of `scheme`.
    pub fn for_scheme(scheme: &str) -> Self {
        if scheme.eq_ignore_ascii_case("https") { Self::HostOnlySecure } else { Self::Plain }
    }

    /// The cookie's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => SESSION_COOKIE,
            Self::HostOnlySecure => SECURE_SESSION_COOKIE,
        }
    }

    fn attributes(self) -> &'static str {
        match self {
            Self::Plain => "HttpOnly; SameSite=Lax; Path=/",
            Self::HostOnlySecure => "Secure; HttpOnly; SameSite=Lax; Path=/",
        }
    }
}

/// The session of the request's cookie, if live.
pub fn current(state: &AppState, headers: &HeaderMap, now: u64) -> Option<Session> {
    let id = session_id(state, headers)?;
    state.sessions.get(&id, now)
}

/// The session id the request's cookie carries, live or not.
pub fn session_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = state.cookie_security.name();
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_owned())
}

/// Starts a session and returns the header that sets its cookie; refused while the sessions are
/// at their capacity.
pub fn start(state: &AppState, session: Session, now: u64) -> Result<(HeaderName, String), MapFull> {
    let id = state.sessions.insert(session, now)?;
    let security = state.cookie_security;
    Ok((SET_COOKIE, format!("{}={id}; {}", security.name(), security.attributes())))
}

/// Ends the session of the request's cookie on the server and returns the header that clears
/// the cookie (RFC 6265 §5.3: an expiry in the past removes it).
pub fn end(state: &AppState, headers: &HeaderMap, now: u64) -> (HeaderName, String) {
    if let Some(id) = session_id(state, headers) {
        state.sessions.take(&id, now);
    }
    let security = state.cookie_security;
    (SET_COOKIE, format!("{}=; {}; Max-Age=0", security.name(), security.attributes()))
}
