use softfido_authenticator::config::{self as device, AttestationKind, BackupFlags};

use super::*;

#[test]
fn every_value_reads_back_from_its_name_and_serialises_as_it() {
    fn round_trip<T>(all: &[T])
    where
        T: Copy + fmt::Debug + fmt::Display + FromStr<Err = UnknownValue> + PartialEq + Serialize,
    {
        for &value in all {
            let name = value.to_string();
            assert_eq!(name.parse::<T>().expect("parses"), value);
            assert_eq!(serde_json::to_value(value).expect("serialises"), serde_json::Value::from(name));
        }
    }
    round_trip(Up::ALL);
    round_trip(UvCapability::ALL);
    round_trip(Biometric::ALL);
    round_trip(UvPerformed::ALL);
    round_trip(PinProtocol::ALL);
    round_trip(KeyProtection::ALL);
    round_trip(Attestation::ALL);
    round_trip(Backup::ALL);
    round_trip(FirstFactor::ALL);
    round_trip(RpUv::ALL);
    round_trip(AcrRequest::ALL);
    round_trip(KeyGeneration::ALL);
    let deserialised: Backup = serde_json::from_str("\"be1_bs0\"").expect("deserialises");
    assert_eq!(deserialised, Backup::Be1Bs0);
}

#[test]
fn an_unknown_name_lists_the_axis_values() {
    let error = "sometimes".parse::<RpUv>().expect_err("unknown");
    assert_eq!(
        error.to_string(),
        "unknown rp_uv \"sometimes\"; expected one of required, preferred, discouraged"
    );
}

#[test]
fn the_biometrics_are_the_sensor_capabilities() {
    for &capability in UvCapability::ALL {
        assert_eq!(
            capability.biometric().map(UvCapability::from),
            (!matches!(capability, UvCapability::None | UvCapability::ClientPin)).then_some(capability)
        );
    }
    for &biometric in Biometric::ALL {
        assert_eq!(UvCapability::from(biometric).name(), biometric.name());
    }
}

#[test]
fn axis_values_become_the_authenticator_settings_they_name() {
    assert_eq!(
        device::KeyProtection::from(KeyProtection::SecureElement),
        device::KeyProtection::SecureElement
    );
    assert_eq!(AttestationKind::from(Attestation::BasicUntrusted), AttestationKind::PackedBasicUntrusted);
    let flags = BackupFlags::from(Backup::Be1Bs1);
    assert!(flags.eligible && flags.state);
    let flags = BackupFlags::from(Backup::Be0Bs1);
    assert!(!flags.eligible && flags.state);
}
