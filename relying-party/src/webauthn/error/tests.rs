//! Every rejection, each with its own error: a lying or misused client, a replay, UP = 0, UV
//! missing, invalid backup flags, the wrong user or credential.

use softfido_authenticator::config::{Algorithm, AttestationKind, AuthDataFault, BackupFlags};
use softfido_authenticator::{Config, Profile};

use crate::webauthn::test_client::Browser;
use crate::webauthn::tests::*;
use crate::webauthn::*;

fn expect_error<T: std::fmt::Debug>(result: Result<T, CeremonyError>, code: &str) -> CeremonyError {
    match result {
        Err(error) => {
            assert_eq!(error.code(), code, "{error}");
            error
        }
        Ok(value) => panic!("expected {code}, got {value:?}"),
    }
}

#[test]
fn wrong_origin_is_rejected_in_both_ceremonies() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    browser.origin = "http://evil.example:8080".into();
    let (options, state) = rp.start_registration(BOB, &[], Discoverability::Discouraged).expect("options");
    expect_error(rp.finish_registration(&browser.create(&options).expect("creates"), state), "wrong_origin");
    expect_error(sign_in(&rp, &mut browser, &stored), "wrong_origin");
}

#[test]
fn ports_match_exactly_unless_any_port_is_configured() {
    let exact = ceremonies(UserVerificationRequirement::Preferred);
    let any = Ceremonies::new(
        RpConfig { ports: PortMatching::Any, ..config(UserVerificationRequirement::Preferred) },
        metadata(),
    )
    .expect("rp");
    let mut browser = Browser::profile(Profile::Platform);
    browser.origin = "http://localhost:43117".into();
    register(&any, &mut browser);
    let (options, state) =
        exact.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    expect_error(
        exact.finish_registration(&browser.create(&options).expect("creates"), state),
        "wrong_origin",
    );
}

#[test]
fn wrong_rp_id_is_rejected_in_registration() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    browser.rp_id_override = Some("evil.example".into());
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    expect_error(rp.finish_registration(&browser.create(&options).expect("creates"), state), "wrong_rp_id");
}

/// A genuine signature by a credential of RP `localhost`, presented to RP `app.localhost`
/// from its own origin by a client that asked the authenticator for the parent RP ID.
#[test]
fn wrong_rp_id_is_rejected_in_authentication() {
    let parent = ceremonies(UserVerificationRequirement::Preferred);
    let app_origin = Url::parse("http://app.localhost:8080").expect("origin");
    let app = Ceremonies::new(RpConfig::for_origin(app_origin), metadata()).expect("rp");
    assert_eq!(app.rp_id(), "app.localhost");
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&parent, &mut browser);
    browser.origin = "http://app.localhost:8080".into();
    browser.rp_id_override = Some("localhost".into());
    expect_error(sign_in(&app, &mut browser, &stored), "wrong_rp_id");
}

#[test]
fn replayed_responses_answer_the_wrong_challenge() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::SecurityKey);
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let registration = browser.create(&options).expect("creates");
    let stored = rp.finish_registration(&registration, state).expect("registers");
    let (_, fresh) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    expect_error(rp.finish_registration(&registration, fresh), "challenge_mismatch");

    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let assertion = browser.get(&options).expect("signs");
    rp.finish_authentication(&assertion, state, |_| Some(stored.clone())).expect("signs in");
    let (_, fresh) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    expect_error(rp.finish_authentication(&assertion, fresh, |_| Some(stored.clone())), "challenge_mismatch");
}

/// A kept copy of a state (a store that does not take states on read) lets the same response
/// be replayed; only the signature counter catches it, and only when the authenticator counts.
#[test]
fn a_reused_state_is_caught_by_the_counter_only() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    for (profile, caught) in [(Profile::SecurityKey, true), (Profile::SyncedPasskey, false)] {
        let mut browser = Browser::profile(profile);
        let mut stored = register(&rp, &mut browser);
        let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
        let copy: AuthenticationState =
            serde_json::from_str(&serde_json::to_string(&state).expect("ser")).expect("de");
        let assertion = browser.get(&options).expect("signs");
        let verified = rp.finish_authentication(&assertion, state, |_| Some(stored.clone())).expect("first");
        verified.update(&mut stored);
        let replay = rp.finish_authentication(&assertion, copy, |_| Some(stored.clone()));
        if caught {
            let error = expect_error(replay, "counter_not_increased");
            assert!(
                matches!(error, CeremonyError::CounterNotIncreased { stored: 1, received: 1 }),
                "{error}"
            );
        } else {
            assert!(replay.is_ok(), "{profile:?}: a zero counter cannot show a replay");
        }
    }
}

#[test]
fn user_not_present_is_rejected() {
    let rp = ceremonies(UserVerificationRequirement::Discouraged);
    let mut browser = Browser::profile(Profile::SoftwareToken);
    let stored = register(&rp, &mut browser);
    browser.silent = true;
    expect_error(sign_in(&rp, &mut browser, &stored), "user_not_present");
}

#[test]
fn required_uv_is_enforced_in_both_ceremonies() {
    let rp = ceremonies(UserVerificationRequirement::Required);
    // No UV capability: the registration itself fails.
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let response = Browser::profile(Profile::SoftwareToken).create(&options).expect("creates");
    expect_error(rp.finish_registration(&response, state), "user_not_verified");
    // A verified registration, then a client that skips UV at sign-in.
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    browser.skip_uv = true;
    expect_error(sign_in(&rp, &mut browser, &stored), "user_not_verified");
}

/// `webauthn-rs-core`: a credential registered *with* UV under `preferred` must keep UV.
#[test]
fn preferred_uv_holds_a_verified_credential_to_uv() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    assert!(stored.credential.user_verified);
    browser.skip_uv = true;
    expect_error(sign_in(&rp, &mut browser, &stored), "user_not_verified");
}

#[test]
fn backup_state_without_eligibility_is_rejected() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let config =
        Config { backup: BackupFlags { eligible: false, state: true }, ..Profile::Platform.config() };
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let response = Browser::new(config).create(&options).expect("creates");
    expect_error(rp.finish_registration(&response, state), "backup_state_without_eligibility");
}

#[test]
fn the_wrong_credential_or_user_is_rejected() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::SecurityKey);
    let alice = register_as(&rp, &mut browser, ALICE, Discoverability::Required).expect("alice");
    let bob = register_as(&rp, &mut browser, BOB, Discoverability::Discouraged).expect("bob");

    // Bob's sign-in answered with Alice's credential (a discoverable get on the client side).
    let (_, bob_state) = rp.start_authentication(std::slice::from_ref(&bob)).expect("options");
    let (discoverable, state) = rp.start_discoverable_authentication().expect("options");
    let mut alice_response = browser.get(&discoverable).expect("signs");
    expect_error(
        rp.finish_authentication(&alice_response, bob_state, |_| Some(alice.clone())),
        "credential_not_allowed",
    );
    // Nothing stored under that ID.
    expect_error(rp.finish_authentication(&alice_response.clone(), state, |_| None), "unknown_credential");
    // A lookup that returns another credential than the one asked for.
    let (_, state) = rp.start_discoverable_authentication().expect("options");
    expect_error(
        rp.finish_authentication(&alice_response, state, |_| Some(bob.clone())),
        "unknown_credential",
    );
    // userHandle naming Bob on Alice's credential.
    let (_, state) = rp.start_discoverable_authentication().expect("options");
    alice_response.response.user_handle = Some(BOB.id.to_vec());
    expect_error(rp.finish_authentication(&alice_response, state, |_| Some(alice.clone())), "wrong_user");
    // No userHandle in a discoverable sign-in.
    let (_, state) = rp.start_discoverable_authentication().expect("options");
    alice_response.response.user_handle = None;
    expect_error(
        rp.finish_authentication(&alice_response, state, |_| Some(alice.clone())),
        "missing_user_handle",
    );
    // Credentials of two users in one username-first sign-in.
    expect_error(rp.start_authentication(&[alice, bob]), "mixed_users");
    expect_error(rp.start_authentication(&[]), "no_credentials");
}

#[test]
fn malformed_responses_are_named() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let mut response = browser.create(&options).expect("creates");
    response.response.attestation_object.truncate(20);
    expect_error(rp.finish_registration(&response, state), "malformed");

    let stored = register(&rp, &mut browser);
    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let mut response = browser.get(&options).expect("signs");
    response.id = "not-the-raw-id".into();
    expect_error(rp.finish_authentication(&response, state, |_| Some(stored.clone())), "malformed");

    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let mut response = browser.get(&options).expect("signs");
    response.response.authenticator_data.truncate(10);
    expect_error(rp.finish_authentication(&response, state, |_| Some(stored.clone())), "malformed");

    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let mut response = browser.get(&options).expect("signs");
    let last = response.response.signature.len() - 1;
    response.response.signature[last] ^= 1;
    expect_error(rp.finish_authentication(&response, state, |_| Some(stored.clone())), "bad_signature");
}

#[test]
fn ceremony_type_is_checked() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let mut response = browser.get(&options).expect("signs");
    let client_data = String::from_utf8(response.response.client_data_json.clone()).expect("utf-8");
    response.response.client_data_json = client_data.replace("webauthn.get", "webauthn.create").into_bytes();
    expect_error(rp.finish_authentication(&response, state, |_| Some(stored.clone())), "wrong_ceremony_type");
}

#[test]
fn bad_users_and_configurations_are_refused() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let long = [7u8; 65];
    for user in [
        UserIdentity { id: b"", ..ALICE },
        UserIdentity { id: &long, ..ALICE },
        UserIdentity { name: "", ..ALICE },
        UserIdentity { display_name: "", ..ALICE },
    ] {
        expect_error(rp.start_registration(user, &[], Discoverability::Discouraged), "invalid_user");
    }
    let base = config(UserVerificationRequirement::Preferred);
    let outside = RpConfig { id: "example.com".into(), ..base.clone() };
    assert!(matches!(Ceremonies::new(outside, metadata()), Err(ConfigError::OriginOutsideRpId { .. })));
    let suffix_only =
        RpConfig { origins: vec![Url::parse("http://notlocalhost:8080").expect("url")], ..base.clone() };
    assert!(matches!(Ceremonies::new(suffix_only, metadata()), Err(ConfigError::OriginOutsideRpId { .. })));
    let none = RpConfig { origins: vec![], ..base.clone() };
    assert!(matches!(Ceremonies::new(none, metadata()), Err(ConfigError::NoOrigin)));
    let forever = RpConfig { timeout: std::time::Duration::from_secs(u64::MAX / 4), ..base };
    assert!(matches!(Ceremonies::new(forever, metadata()), Err(ConfigError::TimeoutTooLong(_))));
}

/// `webauthn-rs-core` 0.6.2 offers ES256, ES384 and RS256 and cannot verify EdDSA: an
/// EdDSA-only authenticator finds no algorithm it shares with the RP.
#[test]
fn an_eddsa_only_authenticator_cannot_register() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let (options, _) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    assert!(options.public_key.pub_key_cred_params.iter().all(|p| p.alg != -8));
    let mut browser =
        Browser::new(Config { algorithms: vec![Algorithm::EdDsa], ..Profile::Platform.config() });
    // CTAP2_ERR_UNSUPPORTED_ALGORITHM.
    assert_eq!(browser.create(&options).err(), Some(0x26));
}

/// An authenticator that ignores pubKeyCredParams and announces an Ed25519 credential key: an
/// algorithm the options never offered, named as such rather than as a library failure.
#[test]
fn a_credential_key_in_an_algorithm_not_offered_is_named() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let mut lying = Config { attestation: AttestationKind::None, ..Profile::Platform.config() };
    lying.danger.danger_credential_key_algorithm_mismatch = true;
    let mut browser = Browser::new(lying);
    expect_error(
        rp.finish_registration(&browser.create(&options).expect("creates"), state),
        "algorithm_not_allowed",
    );
}

/// Signed bytes after the attested credential data, or an extension map without ED: nothing the
/// flags announce may follow (WebAuthn L3 §6.1).
#[test]
fn registration_data_the_flags_do_not_announce_is_refused() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    for fault in [AuthDataFault::TrailingBytes, AuthDataFault::ExtensionsWithoutFlag] {
        let (options, state) =
            rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
        let mut lying = Profile::Platform.config();
        lying.danger.danger_auth_data = Some(fault);
        let mut browser = Browser::new(lying);
        let response = browser.create(&options).expect("creates");
        expect_error(rp.finish_registration(&response, state), "malformed_authenticator_data");
    }
}

#[test]
fn cross_origin_and_foreign_top_origin_are_refused_in_both_ceremonies() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    for (member, value, code) in [
        ("crossOrigin", serde_json::json!(true), "cross_origin"),
        ("topOrigin", serde_json::json!("https://evil.example"), "top_origin"),
    ] {
        browser.client_data_extra = serde_json::Map::from_iter([(member.to_owned(), value)]);
        let (options, state) =
            rp.start_registration(BOB, &[], Discoverability::Discouraged).expect("options");
        expect_error(rp.finish_registration(&browser.create(&options).expect("creates"), state), code);
        expect_error(sign_in(&rp, &mut browser, &stored), code);
    }
}
