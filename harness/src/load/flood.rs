//! The attackers of the flooded phase, running beside the browsers: one client sending
//! unauthenticated authorization requests, each of which asks the IdP to hold a pending
//! request, and one guessing a real account's password. Each keeps `--flood-concurrency`
//! requests in flight, sending the next as soon as an answer comes. Every answer is counted by status: a bounded IdP answers 429 or
//! 503 (RFC 6585 §4; RFC 9110 §15.6.4), which is the expected answer to a flood, not an error.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{CsrfToken, Nonce, PkceCodeChallenge};
use serde_json::json;

use crate::http::{Http, HttpError, Reply};
use crate::matrix::ceremony::Target;

/// The answers one flooding client got, by status code (`transport error` for none).
pub type StatusCounts = BTreeMap<String, u64>;

/// What the two flooding clients got.
#[derive(Debug, Default, Clone)]
pub struct FloodTally {
    /// Answers to unauthenticated `GET /authorize`.
    pub authorize: StatusCounts,
    /// Answers to wrong passwords at `POST /account/password`.
    pub password_guesses: StatusCounts,
}

type Shared = Arc<Mutex<StatusCounts>>;

fn count(counts: &Shared, answer: &Result<Reply, HttpError>) {
    let label = match answer {
        Ok(reply) => reply.status.as_u16().to_string(),
        Err(_) => "transport error".to_owned(),
    };
    if let Ok(mut counts) = counts.lock() {
        *counts.entry(label).or_default() += 1;
    }
}

/// A running flood; [`Flood::stop`] ends it and returns what it got.
pub struct Flood {
    tasks: tokio::task::JoinSet<()>,
    authorize: Shared,
    password_guesses: Shared,
}

impl Flood {
    /// Starts both flooding clients against `target` until `deadline`, each with `concurrency`
    /// requests in flight. The password guesser
    /// first signs up the account it attacks (with a password hashed at the IdP's own cost).
    pub async fn start(target: &Arc<Target>, concurrency: usize, deadline: Instant) -> anyhow::Result<Self> {
        let victim = format!("{}-victim", target.run);
        let signup = target
            .http
            .fresh_browser()
            .post_json(
                &format!("{}/account/signup", target.issuer),
                &json!({
                    "username": victim,
                    "password": "the victim's password 1",
                }),
            )
            .await?;
        anyhow::ensure!(signup.status.is_success(), "signing up the attacked account: {}", signup.summary());
        let mut flood = Self {
            tasks: tokio::task::JoinSet::new(),
            authorize: Shared::default(),
            password_guesses: Shared::default(),
        };
        for _ in 0..concurrency {
            let (flooder, counts) = (Arc::clone(target), Arc::clone(&flood.authorize));
            flood.tasks.spawn(async move { authorize_flood(&flooder, &counts, deadline).await });
            let (guesser, counts) = (Arc::clone(target), Arc::clone(&flood.password_guesses));
            let victim = victim.clone();
            flood.tasks.spawn(async move { password_guesses(&guesser, &victim, &counts, deadline).await });
        }
        Ok(flood)
    }

    /// Stops the clients (a request still in flight is dropped) and returns their counts.
    pub fn stop(mut self) -> FloodTally {
        self.tasks.abort_all();
        let read = |counts: &Shared| counts.lock().map(|c| c.clone()).unwrap_or_default();
        FloodTally { authorize: read(&self.authorize), password_guesses: read(&self.password_guesses) }
    }
}

/// Unauthenticated authorization requests, valid ones (OIDC Core §3.1.2.1 with PKCE, RFC 7636
/// §4.3), from a client without cookies: each asks the IdP to keep a pending request and send
/// the user to its sign-in page.
async fn authorize_flood(target: &Target, counts: &Shared, deadline: Instant) {
    let http = Http::backend();
    while Instant::now() < deadline {
        let (challenge, _verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, _) = target
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .url();
        count(counts, &http.get(url.as_str()).await);
    }
}

/// Wrong passwords for one real account, one after another.
async fn password_guesses(target: &Target, victim: &str, counts: &Shared, deadline: Instant) {
    let http = Http::backend();
    let url = format!("{}/account/password", target.issuer);
    let mut guess = 0_u64;
    while Instant::now() < deadline {
        guess += 1;
        let body = json!({ "username": victim, "password": format!("guess {guess}") });
        count(counts, &http.post_json(&url, &body).await);
    }
}
