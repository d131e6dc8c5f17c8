use softfido_authenticator::config::Generation;

use super::*;

/// Every generation of the authenticator is a value of the axis, and the axis names them as the
/// authenticator does (`--generation`).
#[test]
fn the_axis_has_every_generation_of_the_authenticator() {
    assert_eq!(KeyGeneration::ALL.len(), Generation::ALL.len());
    for &generation in KeyGeneration::ALL {
        assert_eq!(Generation::from(generation).name(), generation.name());
        assert_eq!(Generation::from(generation).speaks_ctap2(), speaks_ctap2(generation));
    }
    assert!(pin_protocols(KeyGeneration::Ctap21).contains(&PinProtocol::Two));
    assert!(!has_tokens_with_permissions(KeyGeneration::Ctap20));
}
