//! The profiles of other IdPs (`--rp-policy NAME`, docs/amr-acr.md "Profiles of other IdPs")
//! keep producing the mismatches their sources predict, so a profile cannot silently become
//! correct or break: each runs on a small slice and its findings by rule are checked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use softfido_harness::args::{Selection, Threads};
use softfido_harness::axes::RpUv;
use softfido_harness::matrix::findings::{Findings, NOT_RFC_8176, findings};
use softfido_harness::matrix::report::Record;
use softfido_harness::matrix::{MatrixArgs, run_all, select};
use softfido_rp::policy::Policy;

/// A hardware security key with trusted attestation and a PIN, signing in alone: the rule table
/// gives `hwk mfa pin pop user` and `phrh`. The browser reports it as `cross-platform`.
const HARDWARE_KEY: &str = "first_factor=passkey,up=approve,uv_capability=client_pin,uv_performed=yes,\
    pin_protocol=2,key_protection=hardware,attestation=basic_trusted,backup=be0_bs0,uvm=no,discoverable=yes,\
    rp_uv=preferred,acr_request=none,session=none,kind=fido2";
/// The same key, synced (BE = 1, BS = 1): `mfa pin pop swk user` and `phr`.
const SYNCED_KEY: &str = "first_factor=passkey,up=approve,uv_capability=client_pin,uv_performed=yes,\
    pin_protocol=2,key_protection=hardware,attestation=basic_trusted,backup=be1_bs1,uvm=no,discoverable=yes,\
    rp_uv=preferred,acr_request=none,session=none,kind=fido2";

fn run(filter: &str, policy: Policy) -> (Vec<Record>, Findings) {
    let args = MatrixArgs {
        selection: Selection { filter: Some(filter.to_owned()), threads: Threads { jobs: Some(2) } },
        quick: false,
        report: None,
        rp_url: None,
        target: None,
        shard: None,
        rp_uv: RpUv::Preferred,
        rp_policy: policy,
        print_client_config: None,
    };
    let scenarios = select(&args).expect("selection");
    assert!(!scenarios.is_empty(), "{filter}");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let records = runtime.block_on(run_all(&args, scenarios, 2)).expect("the matrix runs");
    let found = findings(&records);
    (records, found)
}

fn violated(findings: &Findings, rule: &str) -> usize {
    findings.rules.iter().find(|f| f.rule == rule).map_or(0, |f| f.violated)
}

fn said(findings: &Findings, statement: &str) -> bool {
    findings.statements.iter().any(|s| s.contains(statement))
}

#[test]
fn the_rule_table_has_no_findings() {
    let (records, found) = run(HARDWARE_KEY, Policy::Rfc8176);
    assert!(records.iter().all(Record::pass));
    assert_eq!(found.violated().count(), 0, "{found:?}");
}

#[test]
fn zitadel_drops_pop_and_the_key_storage() {
    let (records, found) = run(HARDWARE_KEY, Policy::Zitadel);
    assert!(records.iter().all(|r| r.actual.amr == ["mfa", "user"]), "{records:?}");
    for rule in ["R1", "R3", "R6"] {
        assert_eq!(violated(&found, rule), records.len(), "{rule}: {found:?}");
    }
    assert!(said(&found, "R1 pop: never emitted") && said(&found, "R6 hwk: never emitted"), "{found:?}");
}

#[test]
fn authelia_believes_the_client_attachment() {
    // A synced key the browser reports as cross-platform earns hwk: R6 broken.
    let (records, found) = run(SYNCED_KEY, Policy::Authelia);
    assert!(records.iter().all(|r| r.actual.amr == ["hwk", "pin", "pop", "user"]), "{records:?}");
    assert_eq!(violated(&found, "R6"), records.len(), "{found:?}");
    assert_eq!(violated(&found, "R7"), records.len(), "swk missing: {found:?}");
    assert_eq!(violated(&found, "R5"), records.len(), "mfa missing: {found:?}");
}

#[test]
fn hanko_and_authgear_emit_values_of_no_registry() {
    for (policy, value) in [(Policy::Hanko, "passkey"), (Policy::Authgear, "x_passkey")] {
        let (records, found) = run(HARDWARE_KEY, policy);
        assert!(records.iter().all(|r| r.actual.amr == [value]), "{policy:?}: {records:?}");
        assert_eq!(violated(&found, NOT_RFC_8176), records.len(), "{policy:?}: {found:?}");
        assert!(said(&found, &format!("non-RFC 8176 amr value `{value}`")), "{policy:?}: {found:?}");
    }
}

#[test]
fn keycloak_default_emits_no_amr_and_acr_1() {
    let (records, found) = run(HARDWARE_KEY, Policy::KeycloakDefault);
    assert!(
        records.iter().all(|r| r.actual.amr.is_empty() && r.actual.acr.as_deref() == Some("1")),
        "{records:?}"
    );
    assert!(said(&found, "amr absent in 100% of tokens"), "{found:?}");
    assert!(said(&found, "acr value `1` (not an EAP ACR value)"), "{found:?}");
    assert_eq!(violated(&found, "R6"), records.len(), "{found:?}");
}

#[test]
fn aspnetcore_net10_says_pwd_without_a_password() {
    let (records, found) = run(HARDWARE_KEY, Policy::AspNetCoreNet10);
    assert!(records.iter().all(|r| r.actual.amr == ["pwd"]), "{records:?}");
    assert_eq!(violated(&found, "R9"), records.len(), "{found:?}");
}
