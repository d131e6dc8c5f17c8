//! The scenario products, selected without running anything: the end-to-end matrix's 57,136
//! scenarios (its `n/a` collapse rules), its `--quick` and `--filter` selections, and the device
//! matrix's 13,824 combinations, each counted and fingerprinted (SHA-256 of the scenario
//! identifiers in order), so that no change to the axes or the selection goes unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use sha2::{Digest, Sha256};
use softfido_harness::args::{Selection, Threads};
use softfido_harness::axes::RpUv;
use softfido_harness::device::scenario::{DeviceScenario, scenarios};
use softfido_harness::matrix::scenario::{Scenario, all_scenarios};
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
        report: None,
        rp_url: None,
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
fn the_end_to_end_matrix_has_57136_scenarios() {
    assert_eq!(
        end_to_end(&all_scenarios()),
        (57_136, "2631b9099c96047445c596ccfbf1a688639ff745eba4e405a4aff822c965b875".to_owned())
    );
    assert_eq!(end_to_end(&selected(None, false)), end_to_end(&all_scenarios()));
}

#[test]
fn the_quick_subset_and_a_filter_select_the_same_scenarios_as_ever() {
    assert_eq!(
        end_to_end(&selected(None, true)),
        (99, "7b35d9ae603c0f0bd2f9c342f0250870ca8199f4e67f5e3cf83e9e55a091c0e6".to_owned())
    );
    assert_eq!(
        end_to_end(&selected(Some("uv_capability=none"), false)),
        (2898, "85df5177f48d4fbf852ff62bd6a8dd43762bff98d82d698c62ce76e9d79d182d".to_owned())
    );
}

#[test]
fn the_device_matrix_has_13824_combinations() {
    let all = scenarios();
    assert_eq!(all.len(), 13_824);
    assert_eq!(
        fingerprint(all.iter().map(device_id)),
        "66ffbe627f8cc0689f6f1c1a2d7c7a46f54ed32e6605641108cc38ae00f4fb61"
    );
}
