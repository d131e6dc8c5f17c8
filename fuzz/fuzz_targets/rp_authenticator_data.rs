//! The relying party's readers of what an authenticator and a browser send: the authenticator
//! data of an assertion (WebAuthn L3 §6.1, with the `uvm` extension output), the layout of a
//! registration's attestation object (§6.5) and the embedding members of clientDataJSON
//! (§5.8.1). The first byte picks the reader (0 mod 3: authenticator data; 1: the attestation
//! object; 2: clientDataJSON, read both by the RP's check and by the `webauthn-rs-core` type the
//! ceremonies deserialize); the rest is its input. Every reader must answer a value or an
//! error, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use softfido_rp::authenticator_data::{assertion_evidence, check_registration_layout};
use softfido_rp::evidence::Attestation;
use softfido_rp::webauthn::check_not_embedded;

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else { return };
    match selector % 3 {
        0 => {
            if let Ok(evidence) = assertion_evidence(data, Attestation::None) {
                assert_eq!(evidence.user_present, data[32] & 0x01 != 0, "UP is bit 0 of the flags");
            }
        }
        1 => {
            let _ = check_registration_layout(data);
        }
        _ => {
            let _ = check_not_embedded(data);
            let _ = serde_json::from_slice::<webauthn_rs_core::proto::CollectedClientData>(data);
        }
    }
});
