//! Usernames in one canonical form, so that look-alike strings cannot name distinct accounts:
//! RFC 8265 §3.3 (PRECIS UsernameCaseMapped profile) via the `precis-profiles` crate — width
//! mapping, lower-casing, NFC, and the IdentifierClass of RFC 8264 §4.2, which refuses spaces,
//! controls, zero-width and bidi characters, compatibility characters such as the Kelvin sign,
//! and other code points outside letters, digits and ASCII punctuation.

use precis_profiles::UsernameCaseMapped;
use precis_profiles::precis_core::profile::PrecisFastInvocation;

use crate::error::AppError;

/// The longest username, in characters, after enforcement.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Why a username is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UsernameError {
    /// The PRECIS profile refuses it (a disallowed code point, an empty string, a bidi rule).
    #[error("not a valid username: letters, digits and ASCII punctuation, no spaces")]
    Disallowed,
    /// Longer than [`MAX_USERNAME_CHARS`].
    #[error("a username is at most {MAX_USERNAME_CHARS} characters")]
    TooLong,
}

impl From<UsernameError> for AppError {
    fn from(error: UsernameError) -> Self {
        Self::bad_request("invalid_username", error.to_string())
    }
}

/// The canonical form of `input` (surrounding whitespace ignored): RFC 8265 §3.3.3 enforcement.
pub fn canonical(input: &str) -> Result<String, UsernameError> {
    let enforced = UsernameCaseMapped::enforce(input.trim()).map_err(|_| UsernameError::Disallowed)?;
    if enforced.chars().count() > MAX_USERNAME_CHARS {
        return Err(UsernameError::TooLong);
    }
    Ok(enforced.into_owned())
}

#[cfg(test)]
mod tests;
