use std::collections::BTreeSet;

use super::*;
use crate::filter::Filter;

#[test]
fn the_product_has_no_duplicates() {
    let all = scenarios();
    let unique: BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), unique.len());
    let per_generation = |generation| all.iter().filter(|s| s.generation == generation).count();
    assert_eq!(per_generation(KeyGeneration::Ctap21), 3 * 18 * 4 * 4 * 4 * 2 * 2);
    // PIN protocol 2 collapses: two of the eighteen UV values are not there.
    assert_eq!(per_generation(KeyGeneration::Ctap21Pre), 3 * 16 * 4 * 4 * 4 * 2 * 2);
    assert_eq!(per_generation(KeyGeneration::Ctap20), 3 * 16 * 4 * 4 * 4 * 2 * 2);
    assert_eq!(per_generation(KeyGeneration::U2f), 3 * 4 * 2);
    assert_eq!(all.len(), 38_424);
}

/// A U2F key writes `n/a` for what it does not have, and only its batch attestations.
#[test]
fn a_u2f_scenario_collapses_what_u2f_lacks() {
    let all = scenarios();
    let u2f = all.iter().find(|s| s.generation == KeyGeneration::U2f).expect("a U2F scenario");
    let values = u2f.values();
    for axis in ["uv_capability", "uv_performed", "pin_protocol", "backup", "uvm", "discoverable"] {
        assert!(values.contains(&(axis, "n/a")), "{axis}: {values:?}");
    }
    assert!(
        all.iter()
            .filter(|s| s.generation == KeyGeneration::U2f)
            .all(|s| matches!(s.attestation, Attestation::BasicTrusted | Attestation::BasicUntrusted))
    );
    assert!(
        all.iter()
            .filter(|s| s.generation != KeyGeneration::Ctap21)
            .all(|s| !matches!(s.uv, Uv::ClientPin(PinProtocol::Two, _)))
    );
}

#[test]
fn a_filter_names_known_axes_only() {
    let all = scenarios();
    assert!(Filter::parse("up=deny,key_protection=tee", &all).is_ok());
    assert!(Filter::parse("colour=red", &all).is_err());
    assert!(Filter::parse("up", &all).is_err());
}

#[test]
fn the_uv_axes_read_as_the_end_to_end_matrix_writes_them() {
    let values = |uv| DeviceScenario { uv, ..scenarios()[0] }.values();
    assert_eq!(
        values(Uv::None)[1..4],
        [("uv_capability", "none"), ("uv_performed", "no"), ("pin_protocol", "n/a")]
    );
    assert_eq!(
        values(Uv::ClientPinUnset)[1..4],
        [("uv_capability", "client_pin"), ("uv_performed", "no"), ("pin_protocol", "n/a")]
    );
    assert_eq!(
        values(Uv::ClientPin(PinProtocol::Two, UvPerformed::Failed))[1..4],
        [("uv_capability", "client_pin"), ("uv_performed", "failed"), ("pin_protocol", "2")]
    );
    assert_eq!(
        values(Uv::Builtin(Biometric::Iris, UvPerformed::Yes))[1..4],
        [("uv_capability", "iris"), ("uv_performed", "yes"), ("pin_protocol", "n/a")]
    );
    assert_eq!(DeviceScenario::AXES[..9], crate::axes::AXIS_NAMES[..9]);
    assert_eq!(DeviceScenario::AXES[9], "generation");
}
