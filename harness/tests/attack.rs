//! `softfido attack --rp-url`: the cases against a `softfido serve` process, as a user points
//! them at an IdP started elsewhere. Only the browsers' view of the IdP can be checked there, and
//! the cases that move the IdP's clock are skipped, not passed.

use softfido_harness::attack::case::{Needs, Status};
use softfido_harness::attack::clients::attack_provider_config;
use softfido_harness::attack::{cases, run_cases};
use softfido_harness::load::server::ServeProcess;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_ends_as_expected_against_a_softfido_serve_process() {
    let executable = std::path::Path::new(env!("CARGO_BIN_EXE_softfido"));
    let (server, _) =
        ServeProcess::start_with(executable, attack_provider_config).await.expect("softfido serve");
    let all = cases::all();
    let records = run_cases(Some(&server.issuer), all.clone()).await.expect("the run");
    assert_eq!(records.len(), all.len());
    for record in &records {
        match (&record.status, record.case.needs) {
            (Status::Skipped(_), Needs::AnyIdp) => panic!("{} was skipped", record.case.id),
            (Status::Skipped(_), _) | (Status::Passed | Status::Undetectable, _) => {}
            (Status::Failed(reason), _) => panic!("{}: {reason}", record.case.id),
        }
    }
    assert!(records.iter().any(|r| r.status == Status::Passed));
}
