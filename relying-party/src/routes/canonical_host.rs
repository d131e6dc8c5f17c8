//! Requests for another host name than the WebAuthn origin's are sent to the origin.
//!
//! WebAuthn binds credentials to the RP ID and checks the origin of every ceremony (WebAuthn L3
//! §7.1 step 9, §7.2 step 13), so pages opened under another name of the same server (e.g.
//! `http://127.0.0.1:8080` for the origin `http://localhost:8080`) would fail in the browser
//! with an origin mismatch. Redirecting them to the same path and query on the origin lets the
//! ceremony happen where it can succeed.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use url::Url;

/// `router`, with requests whose `Host` is not `origin`'s host and port redirected to `origin`.
/// A request without a `Host` header passes through.
pub fn redirect_to_origin(router: Router, origin: &Url) -> Router {
    let origin = origin.clone();
    router.layer(middleware::from_fn(move |request: Request, next: Next| {
        let origin = origin.clone();
        async move {
            match redirect_target(&origin, &request) {
                Some(location) => redirect(&location),
                None => next.run(request).await,
            }
        }
    }))
}

/// Where a request under a foreign host goes: the origin with the request's path and query.
pub fn redirect_target(origin: &Url, request: &Request) -> Option<String> {
    let host = request.headers().get(header::HOST)?.to_str().ok()?;
    if same_authority(origin, host) {
        return None;
    }
    let path_and_query = request.uri().path_and_query().map_or("/", |p| p.as_str());
    Some(format!("{}{path_and_query}", origin.as_str().trim_end_matches('/')))
}

/// Whether a `Host` header value (RFC 9110 §7.2: host and optional port) names the origin's
/// host and port; host names compare case-insensitively, an absent port is the scheme's.
fn same_authority(origin: &Url, host_header: &str) -> bool {
    let Ok(requested) = Url::parse(&format!("{}://{host_header}/", origin.scheme())) else {
        return false;
    };
    requested.host_str().map(str::to_ascii_lowercase) == origin.host_str().map(str::to_ascii_lowercase)
        && requested.port_or_known_default() == origin.port_or_known_default()
}

/// 307 Temporary Redirect, whatever the method: unlike 302 it keeps a POST a POST with its body
/// (RFC 9110 §15.4.8), and unlike 308 it is not remembered by the browser, which would keep
/// redirecting after the server's origin changes.
fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, value)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

#[cfg(test)]
mod tests;
