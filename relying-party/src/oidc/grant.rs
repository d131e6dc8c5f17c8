//! What an authorization code stands for, and the checks of its redemption at the token
//! endpoint (RFC 6749 §4.1.3, RFC 7636 §4.6): the code is bound to the client, the redirect URI
//! and the PKCE verifier. Single use is the store's business (a replay revokes what the code
//! issued, RFC 6749 §4.1.2).

use serde::{Deserialize, Serialize};

use super::OAuthError;
use super::pkce::CodeChallenge;
use crate::policy::{Acr, Amr, AuthContext};

/// Everything a code grants, stored with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// The S256 code challenge.
    pub code_challenge: String,
    /// The user (`sub`).
    pub subject: String,
    /// When the user authenticated.
    pub auth_time: u64,
    /// The request's nonce.
    pub nonce: Option<String>,
    /// amr values, sorted by name (serialised as their RFC 8176 strings).
    pub amr: Vec<Amr>,
    /// The achieved acr.
    pub acr: Option<Acr>,
}

impl Grant {
    /// A grant for an authenticated user.
    pub fn new(
        client_id: &str,
        redirect_uri: &str,
        code_challenge: &CodeChallenge,
        subject: &str,
        auth_time: u64,
        nonce: Option<String>,
        context: &AuthContext,
    ) -> Self {
        Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: code_challenge.as_str().to_owned(),
            subject: subject.to_owned(),
            auth_time,
            nonce,
            amr: context.amr.clone(),
            acr: context.acr,
        }
    }
}

/// Why a redemption is refused: an OAuth error of the token endpoint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct RedemptionError {
    /// `invalid_request` or `invalid_grant`.
    pub error: OAuthError,
    /// Detail.
    pub description: &'static str,
}

fn invalid_grant(description: &'static str) -> RedemptionError {
    RedemptionError { error: OAuthError::InvalidGrant, description }
}

/// RFC 6749 §4.1.3 and RFC 7636 §4.6, for an authenticated client redeeming a fresh code.
pub fn check_redemption(
    grant: &Grant,
    client_id: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
) -> Result<(), RedemptionError> {
    let redirect_uri = redirect_uri.ok_or(RedemptionError {
        error: OAuthError::InvalidRequest,
        description: "redirect_uri is required",
    })?;
    let code_verifier = code_verifier.ok_or(RedemptionError {
        error: OAuthError::InvalidRequest,
        description: "code_verifier is required",
    })?;
    if grant.client_id != client_id {
        return Err(invalid_grant("the code was issued to another client"));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(invalid_grant("redirect_uri differs from the authorization request"));
    }
    let challenge = CodeChallenge::from_request(Some(&grant.code_challenge), Some("S256"))
        .map_err(|_| invalid_grant("the stored code challenge is unusable"))?;
    challenge
        .verify(code_verifier)
        .map_err(|_| invalid_grant("code_verifier does not match the code_challenge"))
}

#[cfg(test)]
mod tests;
