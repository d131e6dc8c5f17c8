//! The OAuth 2.0 and OpenID Connect error codes this provider answers with, each knowing its
//! wire string and its HTTP status.

use axum::http::StatusCode;

/// An `error` code of an OAuth error response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OAuthError {
    /// RFC 6749 §4.1.2.1 and §5.2: a missing, invalid or repeated parameter, or a malformed
    /// request.
    InvalidRequest,
    /// RFC 6749 §4.1.2.1 and §5.2: the client may not use this grant or response type.
    UnauthorizedClient,
    /// RFC 6749 §4.1.2.1: the resource owner or the server denied the request.
    AccessDenied,
    /// RFC 6749 §4.1.2.1: the response type is not supported.
    UnsupportedResponseType,
    /// RFC 6749 §4.1.2.1 and §5.2: the scope is invalid, unknown or malformed.
    InvalidScope,
    /// RFC 6749 §4.1.2.1: the server met an unexpected condition.
    ServerError,
    /// RFC 6749 §4.1.2.1: the server cannot handle the request now.
    TemporarilyUnavailable,
    /// RFC 6749 §5.2: client authentication failed.
    InvalidClient,
    /// RFC 6749 §5.2: the grant (authorization code) is invalid, expired, revoked, or was issued
    /// to another client or redirect URI.
    InvalidGrant,
    /// RFC 6749 §5.2: the grant type is not supported.
    UnsupportedGrantType,
    /// OIDC Core §3.1.2.6: user interaction is needed and `prompt=none` forbids it.
    InteractionRequired,
    /// OIDC Core §3.1.2.6: the user must authenticate and `prompt=none` forbids it.
    LoginRequired,
    /// OIDC Core §3.1.2.6: the user must choose an account.
    AccountSelectionRequired,
    /// OIDC Core §3.1.2.6: the user must consent.
    ConsentRequired,
    /// OIDC Core §3.1.2.6 and RFC 9126 §4: the `request_uri` is unknown, used or expired.
    InvalidRequestUri,
    /// OIDC Core §3.1.2.6: the request object is invalid.
    InvalidRequestObject,
    /// OIDC Core §3.1.2.6: the `request` parameter is not supported.
    RequestNotSupported,
    /// OIDC Core §3.1.2.6: the `request_uri` parameter is not supported.
    RequestUriNotSupported,
    /// OIDC Core §3.1.2.6: the `registration` parameter is not supported.
    RegistrationNotSupported,
    /// OpenID Connect Core Unmet Authentication Requirements 1.0 §3 (R11): the essential `acr`
    /// cannot be met.
    UnmetAuthenticationRequirements,
}

impl OAuthError {
    /// The `error` value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InteractionRequired => "interaction_required",
            Self::LoginRequired => "login_required",
            Self::AccountSelectionRequired => "account_selection_required",
            Self::ConsentRequired => "consent_required",
            Self::InvalidRequestUri => "invalid_request_uri",
            Self::InvalidRequestObject => "invalid_request_object",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::RegistrationNotSupported => "registration_not_supported",
            Self::UnmetAuthenticationRequirements => "unmet_authentication_requirements",
        }
    }

    /// The HTTP status of a JSON error response (RFC 6749 §5.2: 400, except a server failure).
    /// `invalid_client` is 400 here; the client authentication answers 401 with a
    /// `WWW-Authenticate` challenge when the client tried HTTP authentication (§5.2), which
    /// only it knows.
    pub fn status(self) -> StatusCode {
        match self {
            Self::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests;
