//! The authorization request (OIDC Core §3.1.2.1), checked one rule at a time in a declared
//! order. Errors about the client or its redirect URI are shown to the user, never redirected
//! (§3.1.2.6: the redirect URI cannot be trusted yet); every later error is redirected to the
//! client with `error`, `error_description` and `state`.

use std::collections::HashMap;

use super::OAuthError;
use super::acr_request::AcrRequest;
use super::pkce::CodeChallenge;

/// A registered client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// client_id.
    pub id: String,
    /// Registered redirect URIs, compared by exact string match (RFC 9700 §4.1.3).
    pub redirect_uris: Vec<String>,
}

/// A checked authorization request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ValidRequest {
    /// The client.
    pub client_id: String,
    /// The redirect URI the code goes to.
    pub redirect_uri: String,
    /// `state`, echoed back.
    pub state: Option<String>,
    /// `nonce`, put in the ID token.
    pub nonce: Option<String>,
    /// The S256 PKCE challenge.
    pub code_challenge: CodeChallenge,
    /// What the client asked of the authentication context.
    pub acr: AcrRequest,
    /// `max_age` in seconds: a session older than this must authenticate again.
    pub max_age: Option<u64>,
    /// `prompt=login`: authenticate again whatever the session.
    pub prompt_login: bool,
    /// `prompt=none`: no user interaction is allowed.
    pub prompt_none: bool,
}

/// Why an authorization request is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Shown to the user: the client or its redirect URI is unknown or unusable.
    Display {
        /// OAuth error code.
        error: OAuthError,
        /// Human-readable detail.
        description: String,
    },
    /// Redirected to the client (RFC 6749 §4.1.2.1).
    Redirect {
        /// Where to send it.
        redirect_uri: String,
        /// OAuth error code.
        error: OAuthError,
        /// Human-readable detail.
        description: String,
        /// The request's state.
        state: Option<String>,
    },
}

/// Checks the parameters of an authorization request against the registered clients.
pub fn validate(
    params: &HashMap<String, String>,
    clients: &[Client],
) -> Result<ValidRequest, AuthorizeError> {
    let get = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let display =
        |error, description: &str| AuthorizeError::Display { error, description: description.to_owned() };

    // 1. The client must be registered.
    let client_id =
        get("client_id").ok_or_else(|| display(OAuthError::InvalidRequest, "client_id is required"))?;
    let client = clients
        .iter()
        .find(|c| c.id == client_id)
        .ok_or_else(|| display(OAuthError::InvalidClient, "client_id is not a registered client"))?;
    // 2. The redirect URI must be one of the client's, exactly.
    let redirect_uri =
        get("redirect_uri").ok_or_else(|| display(OAuthError::InvalidRequest, "redirect_uri is required"))?;
    if !client.redirect_uris.iter().any(|registered| registered == redirect_uri) {
        return Err(display(OAuthError::InvalidRequest, "redirect_uri is not registered for this client"));
    }
    let state = get("state").map(str::to_owned);
    let redirect = |error, description: String| AuthorizeError::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        error,
        description,
        state: state.clone(),
    };
    // 3. Authorization code flow only.
    match get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(redirect(
                OAuthError::UnsupportedResponseType,
                "only response_type=code is supported".into(),
            ));
        }
        None => return Err(redirect(OAuthError::InvalidRequest, "response_type is required".into())),
    }
    // 4. Request objects are not supported (OIDC Core §6.1; §3.1.2.6 names the errors); a
    //    request_uri reaches here only when it is not a pushed request's (RFC 9126 §4).
    if params.contains_key("request") {
        return Err(redirect(OAuthError::RequestNotSupported, "request objects are not supported".into()));
    }
    if params.contains_key("request_uri") {
        return Err(redirect(
            OAuthError::RequestUriNotSupported,
            "request_uri is supported only for pushed authorization requests".into(),
        ));
    }
    // 5. Only the query response mode (OAuth 2.0 Multiple Response Type Encoding Practices §2.1;
    //    `response_modes_supported` in discovery).
    if get("response_mode").is_some_and(|mode| mode != "query") {
        return Err(redirect(OAuthError::InvalidRequest, "only response_mode=query is supported".into()));
    }
    // 6. An OpenID Connect request has the openid scope (OIDC Core §3.1.2.1).
    if !get("scope").is_some_and(|scope| scope.split(' ').any(|s| s == "openid")) {
        return Err(redirect(OAuthError::InvalidScope, "scope must include openid".into()));
    }
    // 7. PKCE with S256 is required.
    let code_challenge = CodeChallenge::from_request(get("code_challenge"), get("code_challenge_method"))
        .map_err(|e| redirect(OAuthError::InvalidRequest, e.to_string()))?;
    // 8. max_age is a non-negative integer.
    let max_age = get("max_age")
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                redirect(OAuthError::InvalidRequest, "max_age must be a non-negative integer".into())
            })
        })
        .transpose()?;
    // 9. prompt: login and none are understood, and cannot be combined (OIDC Core §3.1.2.1).
    let prompts: Vec<&str> = get("prompt").map(|p| p.split(' ').collect()).unwrap_or_default();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return Err(redirect(
            OAuthError::InvalidRequest,
            "prompt=none cannot be combined with other values".into(),
        ));
    }
    // 10. The acr demands.
    let acr = AcrRequest::parse(get("acr_values"), get("claims"))
        .map_err(|e| redirect(OAuthError::InvalidRequest, e.to_string()))?;
    Ok(ValidRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state,
        nonce: get("nonce").map(str::to_owned),
        code_challenge,
        acr,
        max_age,
        prompt_login: prompts.contains(&"login"),
        prompt_none,
    })
}

#[cfg(test)]
mod tests;
