//! The account cases against an IdP whose per-address password throttle is already engaged, as
//! earlier runs against the same IdP leave it.

use std::sync::Arc;

use super::*;
use crate::idp::LocalIdp;
use crate::matrix::ceremony::Target;

/// A fresh in-process IdP (kept alive by the caller) and a trial against it.
async fn fresh_idp() -> (LocalIdp, Trial) {
    let idp = LocalIdp::start(
        softfido_rp::webauthn::UserVerificationRequirement::Preferred,
        softfido_rp::policy::Policy::Rfc8176,
        None,
    )
    .await
    .unwrap();
    let target = Arc::new(Target::discover(&idp.issuer).await.unwrap());
    let trial = Trial::new(target, Some(idp.state.clone()), None);
    (idp, trial)
}

/// Wrong passwords for names nobody has, from this address, until the IdP makes it wait.
async fn engage_the_address_throttle(trial: &Trial) {
    for attempt in 0..100 {
        let answer = trial.password_sign_in(&trial.browser(), &format!("nobody-{attempt}"), "wrong").await;
        if answer.unwrap() == Outcome::Refused("account:too_many_attempts".into()) {
            return;
        }
    }
    panic!("the address was never throttled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engaged_address_throttle_is_a_harness_error_not_a_verdict() {
    let (_idp, trial) = fresh_idp().await;
    engage_the_address_throttle(&trial).await;
    for (name, result) in [
        ("password_guessing", password_guessing(trial.clone()).await),
        ("unknown_username", unknown_username(trial.clone()).await),
    ] {
        let error = result.expect_err(name).to_string();
        assert!(error.contains("per-address password throttle is engaged"), "{name}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_throttle_the_cases_reach_their_verdict() {
    let (_idp, trial) = fresh_idp().await;
    let guessed = password_guessing(trial.clone()).await.unwrap();
    assert_eq!(guessed, Outcome::Refused("account:too_many_attempts".into()));
    let compared = unknown_username(trial).await.unwrap();
    assert_eq!(compared, Outcome::Refused("account:invalid_credentials".into()));
}
