//! The token endpoint's decision (RFC 6749 §4.1.3, §5.1, §5.2; RFC 7636 §4.6; OIDC Core §3.1.3):
//! pure, from the parsed request, the authenticated client, what the store found under the code
//! and the time, to the tokens to issue and record, or the error to answer (and whether the
//! code's tokens are to be revoked).

use serde::{Deserialize, Serialize};

use super::OAuthError;
use super::client_auth::ClientId;
use super::grant::{Grant, check_redemption};
use super::id_token::IdTokenClaims;
use super::params::Params;
use crate::policy::{Acr, Amr};

/// Lifetime of ID and access tokens, in seconds.
pub const TOKEN_TTL: u64 = 300;

/// The one grant type supported (RFC 6749 §4.1.3).
const AUTHORIZATION_CODE: &str = "authorization_code";

/// A token request whose grant type and code are present (RFC 6749 §4.1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    /// The authorization code.
    pub code: String,
    /// `redirect_uri`, required because the authorization request had one.
    pub redirect_uri: Option<String>,
    /// The PKCE `code_verifier` (RFC 7636 §4.5).
    pub code_verifier: Option<String>,
}

/// A refused token request: the error to answer (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {description}")]
pub struct TokenError {
    /// The OAuth error code.
    pub error: OAuthError,
    /// The `error_description`.
    pub description: &'static str,
    /// RFC 6749 §4.1.2: a replayed code; the tokens issued for it are to be revoked.
    pub revoke_tokens_of_code: bool,
}

impl TokenError {
    fn new(error: OAuthError, description: &'static str) -> Self {
        Self { error, description, revoke_tokens_of_code: false }
    }
}

impl TokenRequest {
    /// Reads the grant type and the code from the request's parameters, in that order.
    pub fn parse(params: &Params) -> Result<Self, TokenError> {
        match params.get("grant_type").map(String::as_str) {
            Some(AUTHORIZATION_CODE) => {}
            Some(_) => {
                return Err(TokenError::new(
                    OAuthError::UnsupportedGrantType,
                    "only authorization_code is supported",
                ));
            }
            None => return Err(TokenError::new(OAuthError::InvalidRequest, "grant_type is required")),
        }
        let code = params
            .get("code")
            .ok_or_else(|| TokenError::new(OAuthError::InvalidRequest, "code is required"))?;
        Ok(Self {
            code: code.clone(),
            redirect_uri: params.get("redirect_uri").cloned(),
            code_verifier: params.get("code_verifier").cloned(),
        })
    }
}

/// What the store holds under a code at redemption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredCode {
    /// An unexpired code never redeemed; the store spends it only if the redemption succeeds.
    Fresh(Grant),
    /// The code was redeemed before.
    Replayed {
        /// The client the code was issued to.
        client_id: String,
    },
    /// The code was never redeemed and has expired.
    Expired,
    /// No such code.
    Unknown,
}

/// What userinfo answers for an access token (OIDC Core §5.3.2). The members are declared in
/// name order, the order in which they are serialised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The acr of the sign-in (`null` for a password-only sign-in).
    pub acr: Option<Acr>,
    /// The amr of the sign-in.
    pub amr: Vec<Amr>,
    /// The user.
    pub sub: String,
}

/// What a successful redemption issues: the ID token's claims, what userinfo answers for the
/// access token, and the subject and client the access token is recorded for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issuance {
    /// The claims of the ID token to sign.
    pub id_token: IdTokenClaims,
    /// What userinfo answers for the access token.
    pub userinfo: UserInfo,
    /// The client the tokens are issued to.
    pub client_id: String,
    /// When the tokens expire, in seconds since the epoch.
    pub expires_at: u64,
}

/// RFC 6749 §4.1.3 for an authenticated client: a fresh code issued to that client, with the
/// same redirect URI and a matching PKCE verifier, yields tokens; a replayed code is refused and,
/// when the client it was issued to replays it, revokes what it issued (§4.1.2). A refusal of a
/// fresh code leaves it unspent: only a successful redemption spends it.
pub fn redeem(
    request: &TokenRequest,
    client: &ClientId,
    stored: StoredCode,
    issuer: &str,
    now: u64,
) -> Result<Issuance, TokenError> {
    let grant = match stored {
        StoredCode::Fresh(grant) => grant,
        StoredCode::Replayed { client_id } => {
            // RFC 6749 §4.1.2: a replay revokes the code's tokens, but only when the client the
            // code was issued to replays it; another client (RFC 6749 §4.1.3: the code is bound
            // to its client) learns nothing and revokes nothing.
            return Err(TokenError {
                revoke_tokens_of_code: client_id == client.as_str(),
                ..TokenError::new(OAuthError::InvalidGrant, "the code was already used")
            });
        }
        StoredCode::Expired => return Err(TokenError::new(OAuthError::InvalidGrant, "the code expired")),
        StoredCode::Unknown => return Err(TokenError::new(OAuthError::InvalidGrant, "unknown code")),
    };
    check_redemption(
        &grant,
        client.as_str(),
        request.redirect_uri.as_deref(),
        request.code_verifier.as_deref(),
    )
    .map_err(|e| TokenError::new(e.error, e.description))?;
    let expires_at = now + TOKEN_TTL;
    let id_token = IdTokenClaims {
        iss: issuer.to_owned(),
        sub: grant.subject.clone(),
        aud: grant.client_id.clone(),
        exp: expires_at,
        iat: now,
        auth_time: grant.auth_time,
        nonce: grant.nonce,
        acr: grant.acr,
        amr: grant.amr.clone(),
    };
    let userinfo = UserInfo { acr: grant.acr, amr: grant.amr, sub: grant.subject };
    Ok(Issuance { id_token, userinfo, client_id: grant.client_id, expires_at })
}

#[cfg(test)]
mod tests;
