//! Unit tests: every fault is off by default, named `danger_…` when serialised, listed by
//! `active`, and the claimed model is never the device's own.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::config::{Config, Profile};

#[test]
fn every_fault_is_off_by_default_and_in_every_profile() {
    assert!(Faults::default().is_empty());
    assert_eq!(Faults::default(), Faults::NONE);
    assert!(Faults::default().active().is_empty());
    assert_eq!(Faults::default().warning(), None);
    assert!(Config::default().danger.is_empty());
    for profile in Profile::ALL {
        assert!(profile.config().danger.is_empty(), "{}", profile.name());
    }
}

#[test]
fn each_fault_alone_is_listed_by_its_own_name() {
    let each = Faults::each();
    assert_eq!(each.len(), 15);
    let mut names: Vec<&str> = Vec::new();
    for faults in &each {
        assert!(!faults.is_empty());
        let active = faults.active();
        assert_eq!(active.len(), 1, "{faults:?}");
        assert!(active[0].starts_with("danger_"), "{}", active[0]);
        names.push(active[0]);
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 15, "every fault has a distinct name");
    assert!(names.contains(&"danger_auth_data=trailing_bytes"));
    assert!(names.contains(&"danger_attestation=self_signed_batch_claiming_hardware"));
}

#[test]
fn the_warning_names_every_fault_on() {
    let faults = Faults {
        danger_corrupt_signature: true,
        danger_auth_data: Some(AuthDataFault::TruncatedByOne),
        ..Faults::NONE
    };
    assert_eq!(faults.active(), ["danger_corrupt_signature", "danger_auth_data=truncated_by_one"]);
    assert_eq!(
        faults.warning().as_deref(),
        Some(
            "WARNING: deliberate faults are on: danger_corrupt_signature, danger_auth_data=truncated_by_one"
        )
    );
}

/// The faults are flattened into the configuration under their own names, and a configuration
/// without faults serialises as it did before they existed.
#[test]
fn serialised_faults_appear_under_their_danger_names_and_only_when_on() {
    let clean = serde_json::to_value(Config::default()).unwrap();
    assert!(clean.as_object().unwrap().keys().all(|key| !key.starts_with("danger")), "{clean}");
    let faulty = Config {
        danger: Faults {
            danger_wrong_rp_id_hash: true,
            danger_attestation: Some(AttestationFault::CertificateAaguidMismatch),
            ..Faults::NONE
        },
        ..Config::default()
    };
    let json = serde_json::to_value(&faulty).unwrap();
    assert_eq!(json["danger_wrong_rp_id_hash"], true);
    assert_eq!(json["danger_attestation"], "certificate_aaguid_mismatch");
    assert!(json.get("danger_corrupt_signature").is_none());
    let back: Config = serde_json::from_value(json).unwrap();
    assert_eq!(back, faulty);
    let without: Config = serde_json::from_value(clean).unwrap();
    assert!(without.danger.is_empty());
}

#[test]
fn variant_names_match_their_serialised_form() {
    for fault in AttestationFault::ALL {
        assert_eq!(serde_json::to_value(fault).unwrap(), fault.name());
    }
    for fault in AuthDataFault::ALL {
        assert_eq!(serde_json::to_value(fault).unwrap(), fault.name());
    }
}

#[test]
fn the_claimed_model_is_hardware_and_never_the_devices_own() {
    for model in Model::all() {
        let claimed = claimed_hardware_model(model);
        assert_ne!(claimed, model);
        assert_ne!(claimed.key_protection, KeyProtection::Software);
    }
}
