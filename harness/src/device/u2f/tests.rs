use softfido_authenticator::config::{AttestationKind, CounterMode, KeyProtection as DeviceKeyProtection};

use super::*;
use crate::axes::{Attestation, KeyGeneration, KeyProtection, Up};
use crate::device::scenario::scenarios;

fn u2f_scenario(up: Up, attestation: Attestation) -> DeviceScenario {
    scenarios()
        .into_iter()
        .find(|s| {
            s.generation == KeyGeneration::U2f
                && s.up == up
                && s.attestation == attestation
                && s.key_protection == KeyProtection::Hardware
        })
        .expect("scenario exists")
}

#[test]
fn every_u2f_scenario_passes_against_the_honest_authenticator() {
    for s in scenarios().iter().filter(|s| s.generation == KeyGeneration::U2f) {
        assert_eq!(check_u2f(s, s.config()), Ok(()), "{s:?}");
    }
}

#[test]
fn a_lying_u2f_key_is_caught() {
    let honest = u2f_scenario(Up::Approve, Attestation::BasicTrusted);
    let untrusted = Config { attestation: AttestationKind::PackedBasicUntrusted, ..honest.config() };
    assert!(check_u2f(&honest, untrusted).unwrap_err().contains("trusted"));
    let other_model = Config { key_protection: DeviceKeyProtection::SecureElement, ..honest.config() };
    assert!(check_u2f(&honest, other_model).unwrap_err().contains("AAGUID"));
    let frozen_counter = Config { counter: CounterMode::Zero, ..honest.config() };
    assert!(check_u2f(&honest, frozen_counter).unwrap_err().contains("counters"));
}

#[test]
fn der_lengths_read_short_and_long_forms() {
    assert_eq!(der_element_len(&[0x30, 0x03, 1, 2, 3]), Ok(5));
    assert_eq!(der_element_len(&[0x30, 0x82, 0x01, 0x00]), Ok(4 + 256));
    assert!(der_element_len(&[0x30]).is_err());
}
