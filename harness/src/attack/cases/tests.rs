//! Every case, run against a fresh in-process IdP: each must end as its catalogue entry says.

use super::super::case::Status;
use super::super::run_cases;
use super::all;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_ends_as_expected_against_softfido() {
    let records = run_cases(None, all()).await.unwrap();
    let failures: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.status {
            Status::Failed(reason) => Some(format!("{}: {reason}", r.case.id)),
            _ => None,
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(records.iter().all(|r| matches!(r.status, Status::Passed | Status::Undetectable)));
}

/// An honest sign-in posing as an attack: the runner must call it a success and see what it
/// changed (the session it created, the credential's counter).
async fn honest_sign_in(trial: super::super::trial::Trial) -> anyhow::Result<super::super::case::Outcome> {
    let mut victim = super::client::victim(&trial, false).await?;
    let browser = trial.browser();
    trial.checkpoint(&[&browser]).await?;
    trial.sign_in(&browser, &mut victim.client, Some(&victim.username)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attack_that_succeeds_fails_and_so_does_one_that_changes_state() {
    use super::super::case::{Case, Expected, Group, Needs};
    let posing = |expected| Case {
        id: "client.honest_sign_in",
        group: Group::Client,
        attack: "an honest sign-in",
        spec: "-",
        expected,
        needs: Needs::AnyIdp,
        run: |t| Box::pin(honest_sign_in(t)),
    };
    let records = run_cases(None, vec![posing(Expected::Refused("webauthn:bad_signature"))]).await.unwrap();
    assert!(
        matches!(&records[0].status, Status::Failed(reason) if reason.contains("succeeded")),
        "{:?}",
        records[0].status
    );
    assert_eq!(records[0].outcome, Some(super::super::case::Outcome::Accepted("a signed-in session".into())));
    // What it changed is seen after the checkpoint.
    let changes = {
        let idp = crate::idp::LocalIdp::start(
            softfido_rp::webauthn::UserVerificationRequirement::Preferred,
            softfido_rp::policy::Policy::Rfc8176,
            None,
        )
        .await
        .unwrap();
        let target =
            std::sync::Arc::new(crate::matrix::ceremony::Target::discover(&idp.issuer).await.unwrap());
        let trial = super::super::trial::Trial::new(target, Some(idp.state.clone()), None);
        honest_sign_in(trial.clone()).await.unwrap();
        trial.changes().await.unwrap()
    };
    assert!(changes.iter().any(|c| c.contains("session")), "{changes:?}");
    assert!(changes.iter().any(|c| c.contains("stored credential changed")), "{changes:?}");
}
