//! Errors as HTTP responses: OAuth errors as the specs name them (RFC 6749 §5.2 JSON for the
//! token endpoint, redirects for the authorization endpoint), WebAuthn failures as specific
//! JSON errors, never a bare 500.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::oidc::OAuthError;
use crate::oidc::client_auth::ClientAuthError;
use crate::oidc::token::TokenError;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// An OAuth / OIDC error answered as JSON (RFC 6749 §5.2).
    #[error("{error}: {description}")]
    OAuth {
        /// HTTP status (400, or 401 for invalid_client).
        status: StatusCode,
        /// The error code.
        error: OAuthError,
        /// Detail for the developer.
        description: String,
        /// Ask for HTTP Basic credentials (RFC 6749 §5.2 for client_secret_basic).
        basic_challenge: bool,
    },
    /// A request the application refuses, with a readable reason.
    #[error("{message}")]
    BadRequest {
        /// HTTP status.
        status: StatusCode,
        /// A short machine-readable code.
        code: &'static str,
        /// Detail.
        message: String,
    },
    /// Something on the server side failed (storage, signing); logged, answered 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// An OAuth error with its status ([`OAuthError::status`]).
    pub fn oauth(error: OAuthError, description: impl Into<String>) -> Self {
        Self::OAuth { status: error.status(), error, description: description.into(), basic_challenge: false }
    }

    /// A refused request.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }

    /// A server-side failure.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<ClientAuthError> for AppError {
    fn from(error: ClientAuthError) -> Self {
        let status = error.status();
        let basic_challenge = error.www_authenticate().is_some();
        Self::OAuth { status, error: error.error, description: error.description, basic_challenge }
    }
}

impl From<TokenError> for AppError {
    fn from(error: TokenError) -> Self {
        Self::oauth(error.error, error.description)
    }
}

impl From<crate::webauthn::CeremonyError> for AppError {
    fn from(error: crate::webauthn::CeremonyError) -> Self {
        Self::bad_request(error.code(), error.to_string())
    }
}

impl From<crate::policy::Refusal> for AppError {
    fn from(refusal: crate::policy::Refusal) -> Self {
        match refusal {
            crate::policy::Refusal::UserNotPresent => {
                Self::bad_request("user_not_present", "the authenticator did not show user presence")
            }
            crate::policy::Refusal::NothingVerified => {
                Self::bad_request("nothing_verified", "no factor was verified")
            }
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::internal(error)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::OAuth { status, error, description, basic_challenge } => {
                let mut response =
                    (status, Json(json!({ "error": error.as_str(), "error_description": description })))
                        .into_response();
                let headers = response.headers_mut();
                // RFC 6749 §5.1: token responses are not cached.
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                if basic_challenge {
                    headers.insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Basic realm=\"softfido\""),
                    );
                }
                response
            }
            Self::BadRequest { status, code, message } => {
                (status, Json(json!({ "error": code, "message": message }))).into_response()
            }
            Self::Internal(message) => {
                tracing::error!(%message, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "server_error" }))).into_response()
            }
        }
    }
}
