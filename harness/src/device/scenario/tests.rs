use std::collections::BTreeSet;

use super::*;
use crate::filter::Filter;

#[test]
fn the_product_has_no_duplicates() {
    let all = scenarios();
    let unique: BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), unique.len());
    assert_eq!(all.len(), 3 * 18 * 4 * 4 * 4 * 2 * 2);
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
    assert_eq!(DeviceScenario::AXES, &AXIS_NAMES[..9]);
}
