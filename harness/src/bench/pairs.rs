//! `softfido bench --pairs`: create()+get() pairs per second on one thread, with no browser and
//! no HTTP: the harness's WebAuthn client, softfido's authenticator and the relying party's
//! verification, all in process. A pair is what `ceremoniesInPage` of
//! `tests/browser/bench-authenticators.mjs` does in a page: register a fresh non-discoverable
//! credential (a software token, attestation `none`, userVerification discouraged), then sign
//! in with it.
//!
//! Two figures, measured in interleaved rounds so that a drifting machine weighs on both alike:
//! - the whole ceremony: the RP's options, the client and the authenticator, and the RP's
//!   verification of both responses (WebAuthn L3 §7.1 and §7.2), each result checked;
//! - the same loop without the RP (options built as the page builds them): what a browser with
//!   its authenticator does.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::{Value, json};
use softfido_authenticator::config::AttestationKind;
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile};
use softfido_rp::evidence::Attestation;
use softfido_rp::webauthn::{
    AuthenticationState, Ceremonies, Discoverability, PublicKeyCredential, RegisterPublicKeyCredential,
    RegisteredCredential, RpConfig, UserIdentity, UserVerificationRequirement, VerifiedAssertion,
};

use crate::client::base64url;
use crate::client::webauthn::WebAuthnClient;
use crate::idp::softfido_metadata;

/// The page's origin, as in the browser benchmark (an RP ID of `localhost`).
pub const ORIGIN: &str = "http://localhost";
/// The RP ID.
const RP_ID: &str = "localhost";

/// Pairs completed in a measured time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figure {
    /// create()+get() pairs completed.
    pub pairs: u64,
    /// Wall time they took, in seconds.
    pub seconds: f64,
}

impl Figure {
    /// Pairs per second.
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.pairs as f64 / self.seconds } else { 0.0 }
    }

    fn add(&mut self, other: Figure) {
        self.pairs += other.pairs;
        self.seconds += other.seconds;
    }

    fn to_json(self) -> Value {
        json!({ "pairs_per_second": self.per_second(), "pairs": self.pairs, "seconds": self.seconds })
    }
}

/// What `softfido bench --pairs` measures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    /// Client, authenticator and the RP's verification.
    pub verified: Figure,
    /// Client and authenticator only.
    pub without_rp: Figure,
}

impl Figures {
    /// The `--json` line: the whole ceremony's figure at the top level, the loop without the
    /// RP under `without_rp`.
    pub fn json_line(&self) -> String {
        let mut line = self.verified.to_json();
        line["without_rp"] = self.without_rp.to_json();
        line.to_string()
    }
}

/// One create()+get() pair after another.
pub trait PairLoop {
    /// Registers a fresh credential and signs in with it; an error if anything fails or is
    /// refused.
    fn pair(&mut self) -> anyhow::Result<()>;
}

/// A browser with softfido's authenticator: a software token (software keys, no UV) whose
/// attestation is `none`.
pub fn software_token_client() -> anyhow::Result<WebAuthnClient> {
    let config = Config { attestation: AttestationKind::None, ..Profile::SoftwareToken.config() };
    let authenticator =
        Authenticator::new(config, MemoryStore::new()).context("the software token authenticator")?;
    Ok(WebAuthnClient::new(authenticator, ORIGIN))
}

/// The user of the next pair: a fresh 16-byte handle, as the page draws one.
fn next_user(users: &mut u64) -> ([u8; 16], String) {
    *users += 1;
    (rand::random(), format!("user{users}"))
}

/// Pairs against the relying party: its options, its verification of both responses.
pub struct VerifiedPairs {
    rp: Ceremonies,
    client: WebAuthnClient,
    users: u64,
}

impl VerifiedPairs {
    /// An RP at [`ORIGIN`] with UV discouraged, and [`software_token_client`].
    pub fn new() -> anyhow::Result<Self> {
        let origin = url::Url::parse(ORIGIN).context("the origin")?;
        let config = RpConfig {
            name: "bench".to_owned(),
            user_verification: UserVerificationRequirement::Discouraged,
            ..RpConfig::for_origin(origin)
        };
        let rp = Ceremonies::new(config, softfido_metadata()?).context("the relying party")?;
        Ok(Self { rp, client: software_token_client()?, users: 0 })
    }

    /// WebAuthn L3 §7.1: a fresh user, a non-discoverable credential, the response verified.
    pub fn register(&mut self) -> anyhow::Result<RegisteredCredential> {
        let (user_id, name) = next_user(&mut self.users);
        let user = UserIdentity { id: &user_id, name: &name, display_name: "bench" };
        let (options, state) = self.rp.start_registration(user, &[], Discoverability::Discouraged)?;
        let created = self.client.create(&serde_json::to_value(&options)?)?;
        let created: RegisterPublicKeyCredential =
            serde_json::from_value(created).context("the client's create() response")?;
        let stored =
            self.rp.finish_registration(&created, state).context("the RP refused the registration")?;
        anyhow::ensure!(stored.user_id == user_id, "the credential was registered for another user");
        anyhow::ensure!(
            stored.attestation == Attestation::None,
            "attestation {:?}, not none",
            stored.attestation
        );
        Ok(stored)
    }

    /// The options of a sign-in with `stored` and the client's `get()` response to them, as
    /// JSON, before the RP sees it.
    pub fn assertion(
        &mut self,
        stored: &RegisteredCredential,
    ) -> anyhow::Result<(Value, AuthenticationState)> {
        let (options, state) = self.rp.start_authentication(std::slice::from_ref(stored))?;
        Ok((self.client.get(&serde_json::to_value(&options)?)?, state))
    }

    /// WebAuthn L3 §7.2: the RP verifies `response` against `state` and `stored`.
    pub fn verify(
        &self,
        response: Value,
        state: AuthenticationState,
        stored: &RegisteredCredential,
    ) -> anyhow::Result<VerifiedAssertion> {
        let response: PublicKeyCredential =
            serde_json::from_value(response).context("the client's get() response")?;
        let verified = self
            .rp
            .finish_authentication(&response, state, |id| (id == stored.id()).then(|| stored.clone()))
            .context("the RP refused the assertion")?;
        anyhow::ensure!(
            verified.credential_id.as_slice() == stored.id(),
            "signed in with another credential"
        );
        anyhow::ensure!(verified.evidence.user_present, "the assertion has no user presence");
        Ok(verified)
    }
}

impl PairLoop for VerifiedPairs {
    fn pair(&mut self) -> anyhow::Result<()> {
        let stored = self.register()?;
        let (response, state) = self.assertion(&stored)?;
        self.verify(response, state, &stored).map(drop)
    }
}

/// Pairs without a relying party: the options the page passes, the client and the authenticator.
pub struct ClientPairs {
    client: WebAuthnClient,
    users: u64,
}

impl ClientPairs {
    /// [`software_token_client`] alone.
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self { client: software_token_client()?, users: 0 })
    }
}

impl PairLoop for ClientPairs {
    fn pair(&mut self) -> anyhow::Result<()> {
        let (user_id, name) = next_user(&mut self.users);
        let created = self.client.create(&json!({
            "rp": { "id": RP_ID, "name": "bench" },
            "user": { "id": base64url(&user_id), "name": name, "displayName": "bench" },
            "challenge": base64url(&rand::random::<[u8; 32]>()),
            "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
            "authenticatorSelection": { "residentKey": "discouraged", "userVerification": "discouraged" },
            "attestation": "none",
        }))?;
        let asserted = self.client.get(&json!({
            "rpId": RP_ID,
            "challenge": base64url(&rand::random::<[u8; 32]>()),
            "allowCredentials": [{ "type": "public-key", "id": created["rawId"] }],
            "userVerification": "discouraged",
        }))?;
        anyhow::ensure!(asserted["rawId"] == created["rawId"], "signed in with another credential");
        Ok(())
    }
}

/// Runs `pairs` until `seconds` pass (finishing the pair under way).
pub fn run_for(pairs: &mut impl PairLoop, seconds: f64) -> anyhow::Result<Figure> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut done = 0;
    while Instant::now() < deadline {
        pairs.pair()?;
        done += 1;
    }
    Ok(Figure { pairs: done, seconds: started.elapsed().as_secs_f64() })
}

/// Both figures, `seconds` each, in interleaved rounds of about a second (at least one round).
pub fn measure(seconds: f64) -> anyhow::Result<Figures> {
    anyhow::ensure!(seconds > 0.0, "--seconds must be positive");
    let rounds = seconds.round().max(1.0);
    let slice = seconds / rounds;
    let mut verified = VerifiedPairs::new()?;
    let mut without_rp = ClientPairs::new()?;
    // One untimed pair each: the first call of a loop pays for lazy initialisation.
    verified.pair()?;
    without_rp.pair()?;
    let mut figures = Figures::default();
    for _ in 0..rounds as u32 {
        figures.verified.add(run_for(&mut verified, slice)?);
        figures.without_rp.add(run_for(&mut without_rp, slice)?);
    }
    Ok(figures)
}

/// `softfido bench --pairs [--json]`: measures and prints the figures.
pub fn run(seconds: f64, json: bool) -> anyhow::Result<()> {
    let figures = measure(seconds)?;
    if json {
        println!("{}", figures.json_line());
        return Ok(());
    }
    println!("softfido bench --pairs: one thread, {seconds} s per figure in interleaved rounds");
    println!(
        "create()+get() pairs, client + authenticator + RP verification: {:.1}/s ({} pairs in {:.2} s)",
        figures.verified.per_second(),
        figures.verified.pairs,
        figures.verified.seconds
    );
    println!(
        "create()+get() pairs, client + authenticator only:              {:.1}/s ({} pairs in {:.2} s)",
        figures.without_rp.per_second(),
        figures.without_rp.pairs,
        figures.without_rp.seconds
    );
    Ok(())
}

#[cfg(test)]
mod tests;
