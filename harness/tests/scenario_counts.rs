//! The scenario products, selected without running anything: the end-to-end matrix's 57,783
//! scenarios (its `n/a` collapse rules: 57,136 of the authenticator product, 560 of the session
//! product, 87 of the U2F key), its `--quick` and `--filter` selections, and the device
//! matrix's 38,424 combinations (13,824 for each of the 2.1 key, 12,288 each for the 2.1-PRE
//! and 2.0 keys, 24 for the U2F key), each counted and fingerprinted (SHA-256 of the scenario
//! identifiers in order), so that no change to the axes or the selection goes unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use sha2::{Digest, Sha256};
use softfido_harness::args::{Selection, Threads};
use softfido_harness::axes::{AcrRequest, KeyGeneration, KeyKind, MaxAge, Prompt, RpUv, Session};
use softfido_harness::device::scenario::{DeviceScenario, scenarios};
use softfido_harness::matrix::scenario::{Scenario, all_scenarios, session_scenarios, u2f_scenarios};
use softfido_harness::matrix::{MatrixArgs, select};
use softfido_rp::policy::Policy;

/// SHA-256 of the identifiers, one a line.
fn fingerprint(ids: impl Iterator<Item = String>) -> String {
    let mut hash = Sha256::new();
    for id in ids {
        hash.update(id.as_bytes());
        hash.update(b"\n");
    }
    hex::encode(hash.finalize())
}

fn end_to_end(scenarios: &[Scenario]) -> (usize, String) {
    (scenarios.len(), fingerprint(scenarios.iter().map(Scenario::id)))
}

fn selected(filter: Option<&str>, quick: bool) -> Vec<Scenario> {
    select(&MatrixArgs {
        selection: Selection { filter: filter.map(str::to_owned), threads: Threads::default() },
        quick,
        shard: None,
        report: None,
        rp_url: None,
        target: None,
        rp_uv: RpUv::Preferred,
        rp_policy: Policy::Rfc8176,
        print_client_config: None,
    })
    .expect("selection")
}

/// A device scenario as `axis=value,…`.
fn device_id(scenario: &DeviceScenario) -> String {
    scenario.values().iter().map(|(axis, value)| format!("{axis}={value}")).collect::<Vec<_>>().join(",")
}

#[test]
fn the_end_to_end_matrix_has_57783_scenarios() {
    assert_eq!(
        end_to_end(&all_scenarios()),
        (57_783, "6568c7091f8f5580979c8530a2c0059367a93e8e1f9e8edd450796d19b91b5c0".to_owned())
    );
    // The FIDO2 scenarios are those of the matrix before the U2F key joined, ids and order.
    let fido2: Vec<Scenario> = all_scenarios().into_iter().filter(|s| s.kind == KeyKind::Fido2).collect();
    assert_eq!(
        end_to_end(&fido2),
        (57_696, "23dc6a109f2d6ca3bef5b76db95a6d8c1d6f12be961b51f2efe278a65e829767".to_owned())
    );
    let fresh_browser = |s: &&Scenario| {
        (s.session, s.prompt, s.max_age) == (Session::None, Prompt::Absent, MaxAge::Absent)
            && !matches!(s.acr_request, Some(AcrRequest::EssentialUnknown | AcrRequest::VoluntaryUnknown))
    };
    assert_eq!(fido2.iter().filter(fresh_browser).count(), 57_136);
    assert_eq!(session_scenarios().len(), 576);
    assert_eq!(u2f_scenarios().len(), 87);
    assert_eq!(end_to_end(&selected(None, false)), end_to_end(&all_scenarios()));
}

#[test]
fn the_quick_subset_and_a_filter_are_pinned() {
    let quick = selected(None, true);
    assert_eq!(
        end_to_end(&quick),
        (192, "443c5730700035ff53e457c583e537f35e81b2e9f6cb1336402a361df07f06fe".to_owned())
    );
    let quick_fido2: Vec<Scenario> = quick.into_iter().filter(|s| s.kind == KeyKind::Fido2).collect();
    assert_eq!(
        end_to_end(&quick_fido2),
        (159, "3cdcdc6316a3141ca1dee924378f09fb8b7c4498256caa34be859497107bfe18".to_owned())
    );
    assert_eq!(
        end_to_end(&selected(Some("uv_capability=none,kind=fido2"), false)),
        (3038, "e2617c8a06ca483755bc8229f3af9c5c298b895df81cff21d90651b89a7d6af4".to_owned())
    );
    assert_eq!(selected(Some("uv_capability=none"), false).len(), 3038 + 87);
    assert_eq!(selected(Some("kind=u2f"), false), u2f_scenarios());
}

/// The id of a device scenario without its generation: the authenticator axes alone.
fn authenticator_id(scenario: &DeviceScenario) -> String {
    let values = scenario.values();
    let (generation, axes) = values.split_last().expect("axes");
    assert_eq!(generation.0, "generation");
    axes.iter().map(|(axis, value)| format!("{axis}={value}")).collect::<Vec<_>>().join(",")
}

#[test]
fn the_device_matrix_has_38424_combinations() {
    let all = scenarios();
    assert_eq!(all.len(), 38_424);
    // The 2.1 slice is the product the matrix ran before it had generations, in the same order.
    let ctap21: Vec<_> = all.iter().filter(|s| s.generation == KeyGeneration::Ctap21).collect();
    assert_eq!(ctap21.len(), 13_824);
    assert_eq!(
        fingerprint(ctap21.into_iter().map(authenticator_id)),
        "66ffbe627f8cc0689f6f1c1a2d7c7a46f54ed32e6605641108cc38ae00f4fb61"
    );
    assert_eq!(
        fingerprint(all.iter().map(device_id)),
        "60b664eabade13657d91e590fb07f3437f42b91a7e1bc5eb2dc8c756f96517d1"
    );
}

#[test]
fn another_idp_runs_no_scenario_that_moves_the_clock() {
    let mut args = MatrixArgs {
        selection: Selection { filter: Some("max_age=elapsed|0".into()), threads: Threads::default() },
        quick: false,
        shard: None,
        report: None,
        rp_url: None,
        target: None,
        rp_uv: RpUv::Preferred,
        rp_policy: Policy::Rfc8176,
        print_client_config: None,
    };
    let local = select(&args).expect("selection");
    assert!(local.iter().any(Scenario::moves_the_clock));
    args.rp_url = Some("http://localhost:8080".into());
    let remote = select(&args).expect("selection");
    assert!(!remote.is_empty() && !remote.iter().any(Scenario::moves_the_clock));
}
