//! Cross-site request forgery: the state-changing browser routes (POST and DELETE under
//! `/account`, `/webauthn` and `/passkeys`) refuse a request whose `Origin` is not the pages'
//! origin. A browser sends `Origin` with every POST and DELETE (Fetch standard §3.1, "`Origin`
//! header"; a cross-site form post, which is CORS-safelisted and so needs no preflight, carries
//! the attacker's origin), so a foreign one is refused with 403. A request without `Origin` comes
//! from no browser (the matrix, scripts): it is let through, as it cannot ride on a victim's
//! cookie. The token and PAR endpoints are for OAuth clients, not browsers, and are not checked.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::AppError;

/// Whether a request with this method and `Origin` may reach a state-changing route of pages
/// served from `origin`.
pub fn allowed(method: &Method, request_origin: Option<&[u8]>, origin: &str) -> bool {
    let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    match request_origin {
        Some(value) if changes_state => value == origin.as_bytes(),
        _ => true,
    }
}

/// The middleware: 403 `foreign_origin` for a state-changing request from another origin.
pub async fn require_same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let request_origin = request.headers().get(header::ORIGIN).map(|value| value.as_bytes());
    if allowed(request.method(), request_origin, &state.web_origin) {
        return next.run(request).await;
    }
    AppError::BadRequest {
        status: StatusCode::FORBIDDEN,
        code: "foreign_origin",
        message: "this request comes from another site's page".into(),
    }
    .into_response()
}

#[cfg(test)]
mod tests;
