use super::*;

/// The documented example is the security-key profile spelled out key by key.
#[test]
fn the_example_file_is_the_security_key_profile() {
    let example = include_str!("../../../../examples/authenticator.toml");
    assert_eq!(parse(example).expect("the example parses"), Profile::SecurityKey.config());
}

#[test]
fn an_empty_file_is_the_security_key_and_a_profile_alone_is_that_profile() {
    assert_eq!(parse("").expect("empty"), Profile::SecurityKey.config());
    for profile in Profile::ALL {
        let text = format!("profile = \"{}\"", profile.name());
        assert_eq!(parse(&text).expect("profile"), profile.config(), "{text}");
    }
}

#[test]
fn keys_override_the_profile() {
    let config = parse(
        "profile = \"platform\"\nuv = \"face\"\nbiometric_outcome = \"no_match\"\npresence = \"deny\"\n\
         backup_eligible = true\npresence_timeout_ms = 250\n[extensions]\nuvm = false\n",
    )
    .expect("parses");
    assert_eq!(
        config.uv,
        UvCapability::Builtin { modality: Modality::Face, enrolled: true, outcome: VerifyOutcome::NoMatch }
    );
    assert_eq!(config.presence, PresenceOutcome::Deny);
    assert!(config.backup.eligible && !config.backup.state);
    assert_eq!(config.presence_timeout, Duration::from_millis(250));
    assert!(!config.extensions.uvm && config.extensions.hmac_secret);
    assert_eq!(config.key_protection, Profile::Platform.config().key_protection);
}

/// Leaving clientPIN drops the profile's PIN; a PIN without clientPIN is refused.
#[test]
fn the_pin_follows_client_pin() {
    assert_eq!(parse("uv = \"none\"").expect("parses").pin, None);
    assert_eq!(parse("no_pin = true").expect("parses").pin, None);
    assert_eq!(parse("pin = \"4321\"").expect("parses").pin.as_deref(), Some("4321"));
    let refused = parse("uv = \"fingerprint\"\npin = \"1234\"").expect_err("refused").to_string();
    assert!(refused.contains("client_pin"), "{refused}");
}

/// A bad file names the key and the values allowed.
#[test]
fn errors_name_the_key_and_the_allowed_values() {
    let unknown_value = parse("presence = \"maybe\"").expect_err("refused").to_string();
    assert!(unknown_value.contains("presence") && unknown_value.contains("approve"), "{unknown_value}");
    let unknown_key = parse("presense = \"deny\"").expect_err("refused").to_string();
    assert!(unknown_key.contains("presense") && unknown_key.contains("presence"), "{unknown_key}");
    let unknown_profile = parse("profile = \"yubikey\"").expect_err("refused").to_string();
    assert!(unknown_profile.contains("security-key"), "{unknown_profile}");
    let nested = parse("[extensions]\nprf = true").expect_err("refused").to_string();
    assert!(nested.contains("prf") && nested.contains("hmac_secret"), "{nested}");
    assert!(parse("algorithms = []").is_err());
}

/// Every fault is off unless a `danger_…` key names it; each key switches its own fault on.
#[test]
fn danger_keys_switch_faults_on() {
    assert!(parse("").expect("empty").danger.is_empty());
    assert!(parse("profile = \"software-token\"").expect("profile").danger.is_empty());
    let config = parse(
        "profile = \"platform\"\ndanger_uv_without_verification = true\ndanger_presence_not_tested = true\n\
         danger_wrong_rp_id_hash = true\ndanger_corrupt_signature = true\n\
         danger_sign_with_foreign_key = true\ndanger_counter_regression = true\n\
         danger_backup_state_without_eligibility = true\n\
         danger_attestation = \"self_signed_batch_claiming_hardware\"\n\
         danger_auth_data = \"extensions_without_flag\"\n\
         danger_credential_key_algorithm_mismatch = true\n",
    )
    .expect("parses");
    assert_eq!(config.danger.active().len(), 10, "{:?}", config.danger.active());
    assert_eq!(config.danger.danger_attestation, Some(AttestationFault::SelfSignedBatchClaimingHardware));
    assert_eq!(config.danger.danger_auth_data, Some(AuthDataFault::ExtensionsWithoutFlag));
    assert_eq!(Config { danger: Faults::NONE, ..config }, Profile::Platform.config());
    let one = parse("danger_counter_regression = true\ndanger_wrong_rp_id_hash = false").expect("parses");
    assert_eq!(one.danger.active(), ["danger_counter_regression"]);
    assert_eq!(
        one.danger.warning().as_deref(),
        Some("WARNING: deliberate faults are on: danger_counter_regression")
    );
}

#[test]
fn unknown_fault_values_name_the_allowed_ones() {
    let refused = parse("danger_auth_data = \"shorter\"").expect_err("refused").to_string();
    assert!(refused.contains("truncated_by_one") && refused.contains("trailing_bytes"), "{refused}");
    let refused = parse("danger_attestation = \"forged\"").expect_err("refused").to_string();
    assert!(refused.contains("certificate_aaguid_mismatch"), "{refused}");
    assert!(parse("danger_everything = true").is_err());
}
