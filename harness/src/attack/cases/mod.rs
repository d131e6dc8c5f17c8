//! The catalogue: every case, by group. Each group's module lists its cases in report order.

pub mod account;
pub mod authenticator;
pub mod client;
pub mod device;
pub mod oidc;

use std::time::Duration;

use softfido_authenticator::config::PinHashCost;
use softfido_authenticator::{Config, Profile};

use super::case::Case;
use super::trial::PIN;

/// Every case, in report order.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();
    cases.extend_from_slice(authenticator::CASES);
    cases.extend_from_slice(client::CASES);
    cases.extend(oidc::cases());
    cases.extend_from_slice(account::CASES);
    cases.extend_from_slice(device::CASES);
    cases
}

/// An honest security key: secure-element keys, clientPIN [`PIN`], basic attestation to
/// softfido's test root, one counter per credential.
pub fn security_key() -> Config {
    Config {
        pin: Some(PIN.to_owned()),
        // Throwaway in-memory devices, as the matrix's.
        pin_hash_cost: PinHashCost::Minimal,
        presence_timeout: Duration::ZERO,
        ..Profile::SecurityKey.config()
    }
}

#[cfg(test)]
mod tests;
