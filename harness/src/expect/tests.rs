use std::collections::HashSet;

use super::*;

fn facts() -> SignInFacts {
    SignInFacts {
        rp_uv: RpUv::Preferred,
        presence: Up::Approve,
        biometric: VerifyOutcome::Match,
        wrong_pin: false,
        discoverable: true,
        trusted_attestation: true,
        uvm_requested: false,
    }
}

/// Every profile under every answer the bridge can script lands on a scenario of the matrix:
/// the collapse to n/a is the matrix's own.
#[test]
fn every_profile_and_answer_is_a_matrix_scenario() {
    let known: HashSet<Scenario> = all_scenarios().into_iter().collect();
    for profile in Profile::ALL {
        for rp_uv in RpUv::ALL {
            for presence in Up::ALL {
                for (biometric, wrong_pin) in [(VerifyOutcome::Match, false), (VerifyOutcome::NoMatch, true)]
                {
                    for trusted_attestation in [false, true] {
                        let facts = SignInFacts {
                            rp_uv: *rp_uv,
                            presence: *presence,
                            biometric,
                            wrong_pin,
                            trusted_attestation,
                            ..facts()
                        };
                        let scenario = scenario_for(&profile.config(), &facts);
                        assert!(known.contains(&scenario), "{profile:?} {facts:?}: {}", scenario.id());
                    }
                }
            }
        }
    }
}

/// The security key proven by its trusted attestation, PIN verified: hwk, pin, phrh (R6, R3).
#[test]
fn a_trusted_security_key_with_its_pin_earns_hwk_and_phrh() {
    let verdict = oracle::expect(&scenario_for(&Profile::SecurityKey.config(), &facts())).verdict;
    assert_eq!(verdict.amr, ["hwk", "mfa", "pin", "pop", "user"]);
    assert_eq!(verdict.acr.as_deref(), Some("phrh"));
}

#[test]
fn a_denied_touch_or_a_wrong_pin_is_refused() {
    let denied = SignInFacts { presence: Up::Deny, ..facts() };
    let verdict = oracle::expect(&scenario_for(&Profile::SoftwareToken.config(), &denied)).verdict;
    assert_eq!(verdict.outcome, oracle::Outcome::Rejected);
    let wrong_pin = SignInFacts { wrong_pin: true, ..facts() };
    let verdict = oracle::expect(&scenario_for(&Profile::SecurityKey.config(), &wrong_pin)).verdict;
    assert_eq!(verdict.outcome, oracle::Outcome::Rejected);
}
