//! PIN rules (CTAP 2.1 §6.5.1 "PIN Composition Requirements", §6.5.5.5 setPIN steps).

use sha2::{Digest, Sha256};

use crate::proto::StatusCode;

/// A new PIN arrives padded with zero bytes to this length.
pub const PADDED_PIN_LENGTH: usize = 64;
/// The longest PIN, in bytes (so at least one padding byte remains).
pub const MAX_PIN_BYTES: usize = 63;

/// LEFT(SHA-256(pin), 16): all the authenticator keeps of a PIN, and what platforms send in
/// pinHashEnc.
pub fn pin_hash(pin: &[u8]) -> [u8; 16] {
    let digest = Sha256::digest(pin);
    let mut left = [0u8; 16];
    left.copy_from_slice(&digest[..16]);
    left
}

/// A PIN accepted by the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPin {
    /// LEFT(SHA-256(pin), 16).
    pub hash: [u8; 16],
    /// Its length in Unicode code points.
    pub code_points: usize,
}

/// Unpads a decrypted paddedNewPin and checks it against the policy: exactly 64 bytes, the PIN
/// being what precedes the zero padding, valid UTF-8, at most 63 bytes, at least
/// `min_code_points` code points. Anything else is CTAP2_ERR_PIN_POLICY_VIOLATION.
pub fn check_new_pin(padded: &[u8], min_code_points: u8) -> Result<NewPin, StatusCode> {
    if padded.len() != PADDED_PIN_LENGTH {
        return Err(StatusCode::PinPolicyViolation);
    }
    let end = padded.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    let pin = &padded[..end];
    if pin.len() > MAX_PIN_BYTES {
        return Err(StatusCode::PinPolicyViolation);
    }
    let text = std::str::from_utf8(pin).map_err(|_| StatusCode::PinPolicyViolation)?;
    let code_points = text.chars().count();
    if code_points < usize::from(min_code_points) {
        return Err(StatusCode::PinPolicyViolation);
    }
    Ok(NewPin { hash: pin_hash(pin), code_points })
}

#[cfg(test)]
mod tests;
