//! The pinUvAuthToken and its lifetime (CTAP 2.1 §6.5.2.1 "pinUvAuthToken state", §6.5.5.7).
//!
//! Pure: time is passed in. The token is a 32-byte random secret; once handed to the platform
//! it is "in use" with a set of permissions, an optional RP ID, and user-present /
//! user-verified flags, until its timers run out or a command consumes it.

use std::time::{Duration, Instant};

use super::protocol::{PinUvAuthProtocol, verify_with_token};
pub use crate::proto::pin_uv_auth::Permissions;

/// A token not used within this time after issue expires (CTAP 2.1 §6.5.2.1: "initial usage
/// time limit", 30 seconds suggested).
pub const INITIAL_USAGE_TIME_LIMIT: Duration = Duration::from_secs(30);
/// A token expires this long after issue however it is used (§6.5.2.1: at most 10 minutes).
pub const MAX_USAGE_TIME_PERIOD: Duration = Duration::from_secs(600);

/// What an in-use token carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Granted permissions.
    pub permissions: Permissions,
    /// The permissions RP ID, once bound.
    pub rp_id: Option<String>,
    /// The user was present when the token was obtained (built-in UV) and no command has
    /// consumed that presence yet.
    pub user_present: bool,
    /// The user was verified to obtain the token, and no command has consumed it yet.
    pub user_verified: bool,
    issued_at: Instant,
    used: bool,
}

/// Why a pinUvAuthParam was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// No token in use, or it expired (→ CTAP2_ERR_PIN_AUTH_INVALID).
    NotInUse,
    /// The MAC does not verify (→ CTAP2_ERR_PIN_AUTH_INVALID).
    BadMac,
}

/// The authenticator's pinUvAuthToken.
#[derive(Clone, Debug)]
pub struct PinUvAuthToken {
    secret: [u8; 32],
    usage: Option<Usage>,
}

impl Default for PinUvAuthToken {
    fn default() -> Self {
        Self::new()
    }
}

impl PinUvAuthToken {
    /// A fresh random token, not in use (power-up: "resetPinUvAuthToken").
    pub fn new() -> Self {
        Self { secret: rand::random(), usage: None }
    }

    /// resetPinUvAuthToken: a new random value; every token handed out before is void.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The token value, to be encrypted for the platform.
    pub fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// beginUsingPinUvAuthToken: the token is in use with these permissions from `now`.
    pub fn begin_using(
        &mut self,
        permissions: Permissions,
        rp_id: Option<String>,
        user_present: bool,
        now: Instant,
    ) {
        self.usage = Some(Usage {
            permissions,
            rp_id,
            user_present,
            user_verified: true,
            issued_at: now,
            used: false,
        });
    }

    /// The in-use state, after applying the timers at `now` (pinUvAuthTokenUsageTimerObserver).
    pub fn usage(&mut self, now: Instant) -> Option<&mut Usage> {
        let expired = self.usage.as_ref().is_some_and(|usage| {
            let age = now.saturating_duration_since(usage.issued_at);
            age > MAX_USAGE_TIME_PERIOD || (!usage.used && age > INITIAL_USAGE_TIME_LIMIT)
        });
        if expired {
            self.usage = None;
        }
        self.usage.as_mut()
    }

    /// Verifies `param` = authenticate(token, message) and returns the in-use state, marked used.
    pub fn verify(
        &mut self,
        protocol: PinUvAuthProtocol,
        message: &[u8],
        param: &[u8],
        now: Instant,
    ) -> Result<&mut Usage, TokenError> {
        let secret = self.secret;
        let usage = self.usage(now).ok_or(TokenError::NotInUse)?;
        verify_with_token(protocol, &secret, message, param).map_err(|_| TokenError::BadMac)?;
        usage.used = true;
        Ok(usage)
    }
}

#[cfg(test)]
mod tests;
