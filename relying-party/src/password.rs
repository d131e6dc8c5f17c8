//! Password hashing with Argon2id (RFC 9106), PHC string format.

pub mod throttle;

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// How much work a new password hash costs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cost {
    /// The argon2 crate's defaults (Argon2id, 19 MiB, 2 passes: the OWASP recommendation).
    #[default]
    Standard,
    /// The least Argon2id allows (8 KiB, 1 pass), for throwaway accounts in test rigs such as
    /// the matrix, which signs thousands of users in; never for real users.
    Minimal,
}

impl Cost {
    fn hasher(self) -> Argon2<'static> {
        match self {
            Self::Standard => Argon2::default(),
            Self::Minimal => match Params::new(Params::MIN_M_COST, Params::MIN_T_COST, 1, None) {
                Ok(params) => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
                Err(_) => Argon2::default(),
            },
        }
    }
}

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str, cost: Cost) -> Result<String, String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| e.to_string())?;
    cost.hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` matches a PHC hash (a malformed hash never matches). The hash's own
/// parameters decide the cost.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Verifies `password` against a hash of no one's password at `cost`, and answers `false`: the
/// work a sign-in does for an unknown user (or one without a password), so that its time does not
/// tell which usernames exist (OWASP Authentication Cheat Sheet, "Authentication Responses").
pub fn verify_for_unknown_user(password: &str, cost: Cost) -> bool {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static MINIMAL: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        Cost::Standard => &STANDARD,
        Cost::Minimal => &MINIMAL,
    };
    let dummy = cell.get_or_init(|| hash("no one's password", cost).unwrap_or_default());
    verify(password, dummy);
    false
}

#[cfg(test)]
mod tests;
