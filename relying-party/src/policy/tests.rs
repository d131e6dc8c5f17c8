//! The rule table, row by row (docs/amr-acr.md).

use super::*;
use crate::evidence::{ClientAttachment, MetadataFacts, UvmReport};

fn assertion() -> AssertionEvidence {
    AssertionEvidence {
        user_present: true,
        user_verified: false,
        backup_eligible: false,
        backup_state: false,
        uvm: None,
        attestation: Attestation::None,
        unverified_client_attachment: None,
    }
}

fn trusted(key_storage: KeyStorage, uv_methods: &[UvMethod]) -> Attestation {
    Attestation::Trusted(MetadataFacts { key_storage, uv_methods: uv_methods.to_vec() })
}

fn passkey(assertion: AssertionEvidence) -> Evidence {
    Evidence { assertion: Some(assertion), password: false }
}

fn decide(evidence: Evidence) -> (Vec<&'static str>, Option<&'static str>) {
    let context = auth_context(&evidence, Policy::Rfc8176).expect("a context");
    (context.amr_strings(), context.acr.map(Acr::as_str))
}

#[test]
fn r0_no_user_presence_is_refused() {
    let evidence = passkey(AssertionEvidence { user_present: false, ..assertion() });
    assert_eq!(auth_context(&evidence, Policy::Rfc8176), Err(Refusal::UserNotPresent));
    let with_password = Evidence { password: true, ..evidence };
    assert_eq!(auth_context(&with_password, Policy::Rfc8176), Err(Refusal::UserNotPresent));
}

#[test]
fn r1_r2_r8_an_unattested_key_gives_pop_user_and_phr() {
    assert_eq!(decide(passkey(assertion())), (vec!["pop", "user"], Some("phr")));
    let self_attested = AssertionEvidence { attestation: Attestation::SelfAttested, ..assertion() };
    assert_eq!(decide(passkey(self_attested)), (vec!["pop", "user"], Some("phr")));
}

#[test]
fn r3_r5_uv_with_a_pin_named_by_uvm() {
    let uvm = UvmReport { method: Some(UvMethod::Knowledge), key_storage: None };
    let evidence = passkey(AssertionEvidence { user_verified: true, uvm: Some(uvm), ..assertion() });
    assert_eq!(decide(evidence), (vec!["mfa", "pin", "pop", "user"], Some("phr")));
}

#[test]
fn r4_r5_each_biometric_has_its_value() {
    for (method, value) in [
        (UvMethod::Fingerprint, "fpt"),
        (UvMethod::Face, "face"),
        (UvMethod::Iris, "iris"),
        (UvMethod::Voice, "vbm"),
        (UvMethod::Retina, "retina"),
    ] {
        let uvm = UvmReport { method: Some(method), key_storage: None };
        let (amr, _) =
            decide(passkey(AssertionEvidence { user_verified: true, uvm: Some(uvm), ..assertion() }));
        assert!(amr.contains(&value) && amr.contains(&"mfa"), "{method:?}: {amr:?}");
    }
}

#[test]
fn r5_uv_with_an_unknown_method_adds_mfa_only() {
    let evidence = passkey(AssertionEvidence { user_verified: true, ..assertion() });
    assert_eq!(decide(evidence), (vec!["mfa", "pop", "user"], Some("phr")));
    // Metadata listing two methods does not say which one was used.
    let two = trusted(KeyStorage::Hardware, &[UvMethod::Knowledge, UvMethod::Fingerprint]);
    let (amr, _) =
        decide(passkey(AssertionEvidence { user_verified: true, attestation: two, ..assertion() }));
    assert_eq!(amr, vec!["hwk", "mfa", "pop", "user"]);
}

#[test]
fn r3_the_only_uv_method_of_trusted_metadata_is_known() {
    let attestation = trusted(KeyStorage::Hardware, &[UvMethod::Knowledge]);
    let evidence = passkey(AssertionEvidence { user_verified: true, attestation, ..assertion() });
    assert_eq!(decide(evidence), (vec!["hwk", "mfa", "pin", "pop", "user"], Some("phrh")));
}

#[test]
fn r3_uv_flag_off_means_no_method_even_when_metadata_has_one() {
    let attestation = trusted(KeyStorage::Hardware, &[UvMethod::Knowledge]);
    assert_eq!(
        decide(passkey(AssertionEvidence { attestation, ..assertion() })),
        (vec!["hwk", "pop", "user"], Some("phrh"))
    );
}

#[test]
fn r6_trusted_hardware_without_backup_is_hwk_and_phrh() {
    let evidence =
        passkey(AssertionEvidence { attestation: trusted(KeyStorage::Hardware, &[]), ..assertion() });
    assert_eq!(decide(evidence), (vec!["hwk", "pop", "user"], Some("phrh")));
    // Attested uvm saying hardware counts too, when the attestation is trusted.
    let uvm = UvmReport { method: None, key_storage: Some(KeyStorage::Hardware) };
    let evidence = passkey(AssertionEvidence {
        uvm: Some(uvm),
        attestation: trusted(KeyStorage::Hardware, &[]),
        ..assertion()
    });
    assert_eq!(decide(evidence), (vec!["hwk", "pop", "user"], Some("phrh")));
}

#[test]
fn r6_hardware_claims_without_trusted_attestation_are_not_believed() {
    let uvm = UvmReport { method: None, key_storage: Some(KeyStorage::Hardware) };
    for attestation in [Attestation::None, Attestation::SelfAttested, Attestation::Untrusted] {
        let evidence =
            passkey(AssertionEvidence { uvm: Some(uvm), attestation: attestation.clone(), ..assertion() });
        assert_eq!(decide(evidence), (vec!["pop", "user"], Some("phr")), "{attestation:?}");
    }
}

#[test]
fn r7_a_backup_eligible_key_is_swk_even_with_trusted_hardware_metadata() {
    for backup_state in [false, true] {
        let evidence = passkey(AssertionEvidence {
            backup_eligible: true,
            backup_state,
            attestation: trusted(KeyStorage::Hardware, &[]),
            ..assertion()
        });
        assert_eq!(decide(evidence), (vec!["pop", "swk", "user"], Some("phr")));
    }
}

#[test]
fn r7_software_is_believed_from_any_source() {
    let uvm = UvmReport { method: None, key_storage: Some(KeyStorage::Software) };
    let evidence = passkey(AssertionEvidence { uvm: Some(uvm), ..assertion() });
    assert_eq!(decide(evidence), (vec!["pop", "swk", "user"], Some("phr")));
    let metadata =
        passkey(AssertionEvidence { attestation: trusted(KeyStorage::Software, &[]), ..assertion() });
    assert_eq!(decide(metadata), (vec!["pop", "swk", "user"], Some("phr")));
    // A software report beats hardware metadata: lowering claims win.
    let mixed = passkey(AssertionEvidence {
        uvm: Some(uvm),
        attestation: trusted(KeyStorage::Hardware, &[]),
        ..assertion()
    });
    assert_eq!(decide(mixed), (vec!["pop", "swk", "user"], Some("phr")));
}

#[test]
fn r9_password_and_key_add_pwd_and_mfa() {
    let evidence = Evidence {
        assertion: Some(AssertionEvidence { attestation: trusted(KeyStorage::Hardware, &[]), ..assertion() }),
        password: true,
    };
    assert_eq!(decide(evidence), (vec!["hwk", "mfa", "pop", "pwd", "user"], Some("phrh")));
}

#[test]
fn r10_password_only_is_pwd_without_acr() {
    assert_eq!(decide(Evidence { assertion: None, password: true }), (vec!["pwd"], None));
}

#[test]
fn nothing_verified_is_refused() {
    let evidence = Evidence { assertion: None, password: false };
    assert_eq!(auth_context(&evidence, Policy::Rfc8176), Err(Refusal::NothingVerified));
}

#[test]
fn r11_r12_phrh_satisfies_phr_but_not_the_reverse() {
    assert!(Acr::Phrh.satisfies(Acr::Phr));
    assert!(Acr::Phrh.satisfies(Acr::Phrh));
    assert!(Acr::Phr.satisfies(Acr::Phr));
    assert!(!Acr::Phr.satisfies(Acr::Phrh));
    assert_eq!(Acr::parse("phrh"), Some(Acr::Phrh));
    assert_eq!(Acr::parse("gold"), None);
}

#[test]
fn the_aspnetcore_net10_profile_reproduces_pwd_after_a_passkey() {
    let evidence = passkey(AssertionEvidence {
        user_verified: true,
        attestation: trusted(KeyStorage::Hardware, &[]),
        ..assertion()
    });
    let context = auth_context(&evidence, Policy::AspNetCoreNet10).expect("a context");
    assert_eq!(context.amr_strings(), vec!["pwd"]);
    assert_eq!(context.acr, None);
}

#[test]
fn amr_is_sorted_and_has_no_duplicates() {
    let uvm = UvmReport { method: Some(UvMethod::Knowledge), key_storage: Some(KeyStorage::Hardware) };
    let evidence = Evidence {
        assertion: Some(AssertionEvidence {
            user_verified: true,
            uvm: Some(uvm),
            attestation: trusted(KeyStorage::Hardware, &[UvMethod::Knowledge]),
            ..assertion()
        }),
        password: true,
    };
    let (amr, _) = decide(evidence);
    let mut sorted = amr.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(amr, sorted);
    assert_eq!(amr, vec!["hwk", "mfa", "pin", "pop", "pwd", "user"]);
}

#[test]
fn r11_only_a_trusted_hardware_key_without_backup_could_earn_phrh() {
    assert_eq!(potential_acr(&trusted(KeyStorage::Hardware, &[]), false), Acr::Phrh);
    assert_eq!(potential_acr(&trusted(KeyStorage::Hardware, &[]), true), Acr::Phr);
    assert_eq!(potential_acr(&trusted(KeyStorage::Software, &[]), false), Acr::Phr);
    assert_eq!(potential_acr(&Attestation::Untrusted, false), Acr::Phr);
}

#[test]
fn r9_a_recent_password_of_the_same_user_is_the_second_factor() {
    let password = [Amr::Pwd];
    let passkey_only = [Amr::Pop, Amr::User];
    let earlier = |user_id, amr, auth_time| Some(EarlierSignIn { user_id, amr, auth_time });
    let cases: [(Option<EarlierSignIn<'_>>, bool, &str); 7] = [
        (None, false, "no earlier sign-in"),
        (earlier("alice", &password[..], 1000), true, "a password just now"),
        (earlier("alice", &password[..], 1000 - SECOND_FACTOR_WINDOW), true, "at the window's edge"),
        (earlier("alice", &password[..], 999 - SECOND_FACTOR_WINDOW), false, "a second too old"),
        (earlier("bob", &password[..], 1000), false, "another user's password"),
        (earlier("alice", &passkey_only[..], 1000), false, "an earlier passkey is no password"),
        (earlier("alice", &password[..], 2000), true, "a clock that went backwards"),
    ];
    for (earlier, expected, case) in cases {
        assert_eq!(password_is_second_factor(earlier, "alice", 1000), expected, "{case}");
    }
}

#[test]
fn the_rule_table_ignores_the_unverified_client_attachment() {
    for attestation in
        [Attestation::None, trusted(KeyStorage::Software, &[]), trusted(KeyStorage::Hardware, &[])]
    {
        let reported = |attachment| {
            decide(passkey(AssertionEvidence {
                unverified_client_attachment: attachment,
                attestation: attestation.clone(),
                ..assertion()
            }))
        };
        let unreported = reported(None);
        assert_eq!(reported(Some(ClientAttachment::CrossPlatform)), unreported, "{attestation:?}");
        assert_eq!(reported(Some(ClientAttachment::Platform)), unreported, "{attestation:?}");
    }
    // An unattested key whose client claims a roaming key still earns only `pop` (R8).
    let claimed = AssertionEvidence {
        unverified_client_attachment: Some(ClientAttachment::CrossPlatform),
        ..assertion()
    };
    assert_eq!(decide(passkey(claimed)), (vec!["pop", "user"], Some("phr")));
}

/// The profiles of other IdPs (docs/amr-acr.md "Profiles of other IdPs"), by evidence class.
fn profile(policy: Policy, evidence: Evidence) -> (Vec<&'static str>, Option<&'static str>) {
    let context = auth_context(&evidence, policy).expect("a context");
    (context.amr_strings(), context.acr.map(Acr::as_str))
}

/// A trusted hardware key with a PIN: the strongest evidence a passkey gives.
fn verified_hardware_key() -> AssertionEvidence {
    AssertionEvidence {
        user_verified: true,
        uvm: Some(UvmReport { method: Some(UvMethod::Knowledge), key_storage: None }),
        attestation: trusted(KeyStorage::Hardware, &[UvMethod::Knowledge]),
        ..assertion()
    }
}

fn password_only() -> Evidence {
    Evidence { assertion: None, password: true }
}

fn password_and_key() -> Evidence {
    Evidence { assertion: Some(assertion()), password: true }
}

fn attached(attachment: ClientAttachment, assertion: AssertionEvidence) -> AssertionEvidence {
    AssertionEvidence { unverified_client_attachment: Some(attachment), ..assertion }
}

#[test]
fn authelia_passkey_hwk_or_swk_from_the_client_and_pin_for_any_uv() {
    let cross = attached(ClientAttachment::CrossPlatform, verified_hardware_key());
    assert_eq!(profile(Policy::Authelia, passkey(cross)), (vec!["hwk", "pin", "pop", "user"], None));
    // The same claim from a synced software key still earns hwk: nothing checks it.
    let synced =
        attached(ClientAttachment::CrossPlatform, AssertionEvidence { backup_eligible: true, ..assertion() });
    assert_eq!(profile(Policy::Authelia, passkey(synced)), (vec!["hwk", "pop", "user"], None));
    let platform = attached(ClientAttachment::Platform, verified_hardware_key());
    assert_eq!(profile(Policy::Authelia, passkey(platform)), (vec!["pin", "pop", "swk", "user"], None));
}

#[test]
fn authelia_passkey_without_uv_or_attachment_is_swk_without_pin() {
    assert_eq!(profile(Policy::Authelia, passkey(assertion())), (vec!["pop", "swk", "user"], None));
}

#[test]
fn authelia_password_is_pwd_and_kba() {
    assert_eq!(profile(Policy::Authelia, password_only()), (vec!["kba", "pwd"], None));
}

#[test]
fn authelia_password_and_key_add_mfa() {
    let evidence =
        Evidence { assertion: Some(attached(ClientAttachment::CrossPlatform, assertion())), password: true };
    assert_eq!(profile(Policy::Authelia, evidence), (vec!["hwk", "kba", "mfa", "pop", "pwd", "user"], None));
}

#[test]
fn zitadel_passkey_is_mfa_and_user_whatever_the_evidence() {
    assert_eq!(profile(Policy::Zitadel, passkey(verified_hardware_key())), (vec!["mfa", "user"], None));
    assert_eq!(profile(Policy::Zitadel, passkey(assertion())), (vec!["mfa", "user"], None));
}

#[test]
fn zitadel_password_is_pwd() {
    assert_eq!(profile(Policy::Zitadel, password_only()), (vec!["pwd"], None));
}

#[test]
fn zitadel_password_and_key_are_pwd_user_mfa() {
    assert_eq!(profile(Policy::Zitadel, password_and_key()), (vec!["mfa", "pwd", "user"], None));
}

#[test]
fn hanko_passkey_is_passkey_with_or_without_uv() {
    assert_eq!(profile(Policy::Hanko, passkey(verified_hardware_key())), (vec!["passkey"], None));
    assert_eq!(profile(Policy::Hanko, passkey(assertion())), (vec!["passkey"], None));
}

#[test]
fn hanko_password_is_pwd() {
    assert_eq!(profile(Policy::Hanko, password_only()), (vec!["pwd"], None));
}

#[test]
fn hanko_password_and_key_are_pwd_and_security_key_without_mfa() {
    assert_eq!(profile(Policy::Hanko, password_and_key()), (vec!["pwd", "security_key"], None));
}

#[test]
fn authgear_passkey_is_x_passkey_with_or_without_uv() {
    assert_eq!(profile(Policy::Authgear, passkey(verified_hardware_key())), (vec!["x_passkey"], None));
    assert_eq!(profile(Policy::Authgear, passkey(assertion())), (vec!["x_passkey"], None));
}

#[test]
fn authgear_password_is_pwd() {
    assert_eq!(profile(Policy::Authgear, password_only()), (vec!["pwd"], None));
}

#[test]
fn authgear_two_authenticators_add_mfa() {
    assert_eq!(profile(Policy::Authgear, password_and_key()), (vec!["mfa", "pwd", "x_passkey"], None));
}

#[test]
fn keycloak_default_passkey_has_no_amr_and_acr_1() {
    assert_eq!(profile(Policy::KeycloakDefault, passkey(verified_hardware_key())), (vec![], Some("1")));
    assert_eq!(profile(Policy::KeycloakDefault, passkey(assertion())), (vec![], Some("1")));
}

#[test]
fn keycloak_default_password_has_no_amr_and_acr_1() {
    assert_eq!(profile(Policy::KeycloakDefault, password_only()), (vec![], Some("1")));
}

#[test]
fn keycloak_default_password_and_key_have_no_amr_and_acr_1() {
    assert_eq!(profile(Policy::KeycloakDefault, password_and_key()), (vec![], Some("1")));
}

#[test]
fn every_profile_still_refuses_what_the_rule_table_refuses() {
    for policy in Policy::ALL {
        let absent = passkey(AssertionEvidence { user_present: false, ..assertion() });
        assert_eq!(auth_context(&absent, policy), Err(Refusal::UserNotPresent), "{policy:?}");
        let nothing = Evidence { assertion: None, password: false };
        assert_eq!(auth_context(&nothing, policy), Err(Refusal::NothingVerified), "{policy:?}");
    }
}

#[test]
fn an_unregistered_acr_meets_no_request_of_the_table() {
    let keycloak = Acr::Unregistered(UnregisteredAcr::KeycloakLoa1);
    assert!(!keycloak.satisfies(Acr::Phr));
    assert!(!keycloak.satisfies(Acr::Phrh));
    assert!(!Acr::Phr.satisfies(keycloak));
    assert_eq!(Acr::parse("1"), None, "a request for `1` is not one softfido weighs");
}

#[test]
fn amr_and_acr_values_round_trip_through_json() {
    for amr in Amr::ALL {
        let json = serde_json::to_string(&amr).expect("json");
        assert_eq!(json, format!("\"{}\"", amr.as_str()));
        assert_eq!(serde_json::from_str::<Amr>(&json).expect("back"), amr);
    }
    for acr in [Acr::Phr, Acr::Phrh, Acr::Unregistered(UnregisteredAcr::KeycloakLoa1)] {
        let json = serde_json::to_string(&acr).expect("json");
        assert_eq!(serde_json::from_str::<Acr>(&json).expect("back"), acr);
    }
    assert!(serde_json::from_str::<Amr>("\"sms\"").is_err());
}
