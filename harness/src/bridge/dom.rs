//! The `DOMException` a page gets when `create()` or `get()` fails, named as WebAuthn L3 §5.1.3
//! and §5.1.4 name them, with a message that says what happened underneath.

use serde::Serialize;

use crate::client::status::status_name;

/// CTAP2_ERR_CREDENTIAL_EXCLUDED.
const CREDENTIAL_EXCLUDED: u8 = 0x19;
/// CTAP2_ERR_UNSUPPORTED_ALGORITHM.
const UNSUPPORTED_ALGORITHM: u8 = 0x26;
/// CTAP2_ERR_KEEPALIVE_CANCEL.
const KEEPALIVE_CANCEL: u8 = 0x2D;

/// A `DOMException` name used by WebAuthn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DomExceptionName {
    /// The user refused, timed out, could not be verified, or has no credential: browsers do
    /// not tell the page which (WebAuthn L3 §5.1.4.1, privacy).
    NotAllowedError,
    /// The authenticator already holds a credential of `excludeCredentials` (§5.1.3 step 20).
    InvalidStateError,
    /// The origin may not use the RP ID, or is not a secure context (§5.1.3 steps 2 and 7).
    SecurityError,
    /// No requested algorithm is supported (§5.1.3 step 20, CTAP2_ERR_UNSUPPORTED_ALGORITHM).
    NotSupportedError,
    /// The page aborted the call (§5.1.3 step 20, AbortSignal).
    AbortError,
    /// The options are not what the IDL demands (a missing challenge, a user.id over 64 bytes).
    TypeError,
}

/// A failed `create()` or `get()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DomException {
    /// The exception's name.
    pub name: DomExceptionName,
    /// The message the page gets. For NotAllowedError it is the same whatever happened, as in
    /// browsers: a page must not tell a refused touch from a missing credential (WebAuthn L3
    /// §14.5.2, privacy of registered credentials).
    pub message: String,
    /// What happened, for the test's author (the CTAP status, the failed check); never for the page.
    pub detail: String,
}

/// NotAllowedError's one message.
pub const NOT_ALLOWED_MESSAGE: &str = "The operation either timed out or was not allowed.";

impl DomException {
    /// An exception named `name`; `detail` says what happened.
    pub fn new(name: DomExceptionName, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let message = match name {
            DomExceptionName::NotAllowedError => NOT_ALLOWED_MESSAGE.to_owned(),
            _ => detail.clone(),
        };
        Self { name, message, detail }
    }

    /// What a browser raises when the authenticator answers `status`.
    pub fn from_ctap(status: u8) -> Self {
        let name = match status {
            CREDENTIAL_EXCLUDED => DomExceptionName::InvalidStateError,
            UNSUPPORTED_ALGORITHM => DomExceptionName::NotSupportedError,
            KEEPALIVE_CANCEL => DomExceptionName::AbortError,
            _ => DomExceptionName::NotAllowedError,
        };
        Self::new(name, format!("the authenticator answered {}", status_name(status)))
    }

    /// A malformed option.
    pub fn type_error(what: &str) -> Self {
        Self::new(DomExceptionName::TypeError, format!("invalid options: {what}"))
    }
}

#[cfg(test)]
mod tests;
