//! What each generation of key offers a platform, read from the specifications: the device
//! matrix's knowledge of [`KeyGeneration`], which its scenarios, its client and its oracle use.

use crate::axes::{KeyGeneration, PinProtocol};

/// Whether the key speaks CTAP2 at all (a U2F key speaks CTAP1 only: CTAP 2.1 §11.2.9.1.3, no
/// CBOR capability).
pub fn speaks_ctap2(generation: KeyGeneration) -> bool {
    generation != KeyGeneration::U2f
}

/// The PIN/UV auth protocols its getInfo offers (CTAP 2.1 §6.4 pinUvAuthProtocols): both on a
/// 2.1 key, protocol 1 on the 2.0 and 2.1-PRE ones (CTAP 2.0 §5.5.2 defines no other), none on
/// a U2F key.
pub fn pin_protocols(generation: KeyGeneration) -> &'static [PinProtocol] {
    match generation {
        KeyGeneration::Ctap21 => PinProtocol::ALL,
        KeyGeneration::Ctap21Pre | KeyGeneration::Ctap20 => &[PinProtocol::One],
        KeyGeneration::U2f => &[],
    }
}

/// Whether getInfo reports the `pinUvAuthToken` option (CTAP 2.1 §6.4), so that a platform
/// asks for a token with permissions (§6.5.5.7.2) rather than with getPinToken (§6.5.5.7.1,
/// all a 2.0 or 2.1-PRE key has).
pub fn has_tokens_with_permissions(generation: KeyGeneration) -> bool {
    generation == KeyGeneration::Ctap21
}

#[cfg(test)]
mod tests;
