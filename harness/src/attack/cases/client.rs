//! The browser cheats (WebAuthn L3 §5.1.3/§5.1.4 are the client's duties): clientDataJSON with
//! another origin, type or challenge, a frame's crossOrigin/topOrigin, an RP ID the origin may
//! not claim, and ceremonies answered out of turn.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::Value;

use super::super::case::{Case, Group, Outcome};
use super::super::trial::Trial;
use super::security_key;
use crate::client::webauthn::{Cheat, WebAuthnClient};
use crate::http::Http;

/// The client group's cases.
pub const CASES: &[Case] = &[
    Case::refused(
        Group::Client,
        "client.foreign_origin_sign_in",
        "clientDataJSON.origin of another site at sign-in",
        "WebAuthn L3 §7.2: verify C.origin",
        "webauthn:wrong_origin",
        |t| Box::pin(cheat_at_sign_in(t, Cheat::default(), Some("https://evil.example"))),
    ),
    Case::refused(
        Group::Client,
        "client.look_alike_origin",
        "a look-alike host (the RP's host as a subdomain of the attacker's)",
        "WebAuthn L3 §7.2: verify C.origin",
        "webauthn:wrong_origin",
        |t| Box::pin(look_alike_origin(t)),
    ),
    Case::refused(
        Group::Client,
        "client.foreign_origin_registration",
        "clientDataJSON.origin of another site at registration",
        "WebAuthn L3 §7.1: verify C.origin",
        "webauthn:wrong_origin",
        |t| Box::pin(cheat_at_registration(t, Cheat::default(), Some("https://evil.example"))),
    ),
    Case::refused(
        Group::Client,
        "client.rp_id_public_suffix",
        "a registration for an RP ID that is a public suffix (github.io)",
        "WebAuthn L3 §5.1.3 (the RP ID must be a registrable suffix of the origin); §7.1: verify rpIdHash",
        "webauthn:wrong_rp_id",
        |t| Box::pin(cheat_at_registration(t, rp_id("github.io"), None)),
    ),
    Case::refused(
        Group::Client,
        "client.rp_id_not_a_suffix_of_origin",
        "a registration for an RP ID that is not a registrable suffix of the origin (example.com)",
        "WebAuthn L3 §5.1.3 (the RP ID must be a registrable suffix of the origin); §7.1: verify rpIdHash",
        "webauthn:wrong_rp_id",
        |t| Box::pin(cheat_at_registration(t, rp_id("example.com"), None)),
    ),
    Case::refused(
        Group::Client,
        "client.cross_origin",
        "crossOrigin true: the ceremony ran in a cross-origin frame the pages forbid",
        "WebAuthn L3 §7.2: verify C.crossOrigin (the pages forbid framing)",
        "webauthn:cross_origin",
        |t| Box::pin(cheat_at_sign_in(t, Cheat { cross_origin: true, ..Cheat::default() }, None)),
    ),
    Case::refused(
        Group::Client,
        "client.top_origin",
        "topOrigin of another site with crossOrigin false: embedded under the attacker's page",
        "WebAuthn L3 §7.2: verify C.topOrigin",
        "webauthn:top_origin",
        |t| Box::pin(cheat_at_sign_in(t, top_origin(), None)),
    ),
    Case::refused(
        Group::Client,
        "client.create_type_at_sign_in",
        "clientDataJSON.type webauthn.create in a sign-in",
        "WebAuthn L3 §7.2: verify C.type",
        "webauthn:wrong_ceremony_type",
        |t| Box::pin(cheat_at_sign_in(t, client_data_type("webauthn.create"), None)),
    ),
    Case::refused(
        Group::Client,
        "client.get_type_at_registration",
        "clientDataJSON.type webauthn.get in a registration",
        "WebAuthn L3 §7.1: verify C.type",
        "webauthn:wrong_ceremony_type",
        |t| Box::pin(cheat_at_registration(t, client_data_type("webauthn.get"), None)),
    ),
    Case::refused(
        Group::Client,
        "client.payment_type",
        "clientDataJSON.type payment.get (a payment assertion) in a sign-in",
        "WebAuthn L3 §7.2: verify C.type",
        "webauthn:wrong_ceremony_type",
        |t| Box::pin(cheat_at_sign_in(t, client_data_type("payment.get"), None)),
    ),
    Case::refused(
        Group::Client,
        "client.reused_challenge",
        "a fresh signature over the challenge of the account's previous sign-in",
        "WebAuthn L3 §7.2: verify C.challenge; §13.4.3",
        "webauthn:challenge_mismatch",
        |t| Box::pin(reused_challenge(t)),
    ),
    Case::refused(
        Group::Client,
        "client.challenge_of_another_session",
        "answering one's ceremony with the challenge another browser was given",
        "WebAuthn L3 §7.2: verify C.challenge",
        "webauthn:challenge_mismatch",
        |t| Box::pin(challenge_of_another_session(t)),
    ),
    Case::refused(
        Group::Client,
        "client.registration_finished_by_another_session",
        "a registration started by the victim's session, finished by the attacker's",
        "WebAuthn L3 §13.4.3; the ceremony is bound to its session",
        "webauthn:wrong_session",
        |t| Box::pin(registration_finished_by_another_session(t)),
    ),
    Case::refused(
        Group::Client,
        "client.replayed_assertion",
        "a whole assertion sent again to a new sign-in ceremony",
        "WebAuthn L3 §7.2: verify C.challenge; §13.4.3",
        "webauthn:challenge_mismatch",
        |t| Box::pin(replayed_assertion(t, Replay::NewCeremony)),
    ),
    Case::refused(
        Group::Client,
        "client.replayed_finish",
        "the same finished sign-in posted twice (its ceremony already spent)",
        "WebAuthn L3 §13.4.3: a challenge is used once",
        "webauthn:unknown_ceremony",
        |t| Box::pin(replayed_assertion(t, Replay::SameCeremony)),
    ),
    Case::refused(
        Group::Client,
        "client.silent_assertion",
        "an assertion made without the presence test (up=false), the only kind an absent user leaves",
        "WebAuthn L3 §7.2: verify UP",
        "webauthn:user_not_present",
        |t| Box::pin(silent_assertion(t)),
    ),
    Case::refused(
        Group::Client,
        "client.credential_of_another_user",
        "signing in as the victim with the attacker's own credential and valid signature",
        "WebAuthn L3 §7.2: the credential must be in allowCredentials",
        "webauthn:credential_not_allowed",
        |t| Box::pin(credential_of_another_user(t, false)),
    ),
    Case::refused(
        Group::Client,
        "client.user_handle_of_another_user",
        "a discoverable sign-in with the attacker's credential and the victim's userHandle",
        "WebAuthn L3 §7.2: identify the user; userHandle must be the credential's",
        "webauthn:wrong_user",
        |t| Box::pin(credential_of_another_user(t, true)),
    ),
    Case::refused(
        Group::Client,
        "client.unknown_credential",
        "a discoverable sign-in with a credential ID the RP never registered",
        "WebAuthn L3 §7.2: identify the user; userHandle must be the credential's",
        "webauthn:unknown_credential",
        |t| Box::pin(unknown_credential(t)),
    ),
];

fn rp_id(rp_id: &str) -> Cheat {
    Cheat { rp_id: Some(rp_id.to_owned()), ..Cheat::default() }
}

fn client_data_type(type_: &str) -> Cheat {
    Cheat { client_data_type: Some(type_.to_owned()), ..Cheat::default() }
}

fn top_origin() -> Cheat {
    Cheat { top_origin: Some("https://evil.example".to_owned()), ..Cheat::default() }
}

/// An account with an honest security key registered: its browser (signed in), the key's
/// browser-side client, its username and credential.
pub struct Victim {
    /// The account's signed-in browser.
    pub browser: Http,
    /// The browser's authenticator.
    pub client: WebAuthnClient,
    /// The account.
    pub username: String,
    /// The registered credential (as the page handed it to the RP).
    pub credential: Value,
}

/// Signs up an account and registers an honest security key on it (discoverable or not).
pub async fn victim(trial: &Trial, discoverable: bool) -> anyhow::Result<Victim> {
    let browser = trial.browser();
    let username = trial.sign_up(&browser, true).await?;
    let mut client = trial.client(security_key())?;
    let credential = trial.register(&browser, &mut client, discoverable).await?;
    Ok(Victim { browser, client, username, credential })
}

/// A username-first sign-in on a new browser whose client cheats as `cheat` says (and, with
/// `origin`, claims that origin).
async fn cheat_at_sign_in(trial: Trial, cheat: Cheat, origin: Option<&str>) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, false).await?;
    let browser = trial.browser();
    trial.checkpoint(&[&browser, &victim.browser]).await?;
    victim.client.cheat = cheat;
    if let Some(origin) = origin {
        victim.client.origin = origin.to_owned();
    }
    trial.sign_in(&browser, &mut victim.client, Some(&victim.username)).await
}

/// A registration on a signed-in account whose client cheats as `cheat` says.
async fn cheat_at_registration(trial: Trial, cheat: Cheat, origin: Option<&str>) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.sign_up(&browser, true).await?;
    let mut client = trial.client(security_key())?;
    client.cheat = cheat;
    if let Some(origin) = origin {
        client.origin = origin.to_owned();
    }
    trial.checkpoint(&[&browser]).await?;
    let start = trial.register_start(&browser, false).await?;
    let credential = client.create(&start["options"])?;
    trial.register_finish(&browser, &start, &credential).await
}

async fn look_alike_origin(trial: Trial) -> anyhow::Result<Outcome> {
    let host = url::Url::parse(trial.issuer())?;
    let look_alike = format!(
        "http://{}.evil.example:{}",
        host.host_str().unwrap_or("localhost"),
        host.port().unwrap_or(80)
    );
    cheat_at_sign_in(trial, Cheat::default(), Some(&look_alike)).await
}

/// The challenge of a sign-in ceremony, decoded.
fn challenge_of(start: &Value) -> anyhow::Result<Vec<u8>> {
    let mut options = start["options"].clone();
    let challenge = public_key(&mut options)["challenge"].as_str().map(str::to_owned);
    let challenge = challenge.ok_or_else(|| anyhow::anyhow!("no challenge in {start}"))?;
    Base64UrlUnpadded::decode_vec(&challenge).map_err(|e| anyhow::anyhow!("challenge: {e}"))
}

/// A victim who signed in once on a browser of its own: the victim, that browser, the finished
/// ceremony's start (`{ceremony, options}`) and the assertion that finished it.
async fn signed_in_once(trial: &Trial) -> anyhow::Result<(Victim, Http, Value, Value)> {
    let mut victim = victim(trial, false).await?;
    let browser = trial.browser();
    let first = trial.sign_in_start(&browser, Some(&victim.username)).await?;
    let credential = victim.client.get(&first["options"])?;
    let finished = trial.sign_in_finish(&browser, &first, &credential).await?;
    anyhow::ensure!(matches!(finished, Outcome::Accepted(_)), "the honest sign-in was refused: {finished:?}");
    Ok((victim, browser, first, credential))
}

async fn reused_challenge(trial: Trial) -> anyhow::Result<Outcome> {
    let (mut victim, browser, first, _) = signed_in_once(&trial).await?;
    let attacker = trial.browser();
    trial.checkpoint(&[&attacker, &browser]).await?;
    let second = trial.sign_in_start(&attacker, Some(&victim.username)).await?;
    victim.client.cheat.challenge = Some(challenge_of(&first)?);
    let credential = victim.client.get(&second["options"])?;
    trial.sign_in_finish(&attacker, &second, &credential).await
}

async fn challenge_of_another_session(trial: Trial) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, false).await?;
    let other = trial.browser();
    let attacker = trial.browser();
    let others = trial.sign_in_start(&other, Some(&victim.username)).await?;
    trial.checkpoint(&[&attacker, &other]).await?;
    let own = trial.sign_in_start(&attacker, Some(&victim.username)).await?;
    victim.client.cheat.challenge = Some(challenge_of(&others)?);
    let credential = victim.client.get(&own["options"])?;
    trial.sign_in_finish(&attacker, &own, &credential).await
}

async fn registration_finished_by_another_session(trial: Trial) -> anyhow::Result<Outcome> {
    let victim_browser = trial.browser();
    trial.sign_up(&victim_browser, true).await?;
    let attacker = trial.browser();
    trial.sign_up(&attacker, true).await?;
    let start = trial.register_start(&victim_browser, false).await?;
    let mut client = trial.client(security_key())?;
    let credential = client.create(&start["options"])?;
    trial.checkpoint(&[&victim_browser, &attacker]).await?;
    trial.register_finish(&attacker, &start, &credential).await
}

/// Where a replayed assertion is sent.
enum Replay {
    /// To a new sign-in ceremony.
    NewCeremony,
    /// To the ceremony it answered, once more.
    SameCeremony,
}

async fn replayed_assertion(trial: Trial, replay: Replay) -> anyhow::Result<Outcome> {
    let (victim, browser, first, credential) = signed_in_once(&trial).await?;
    let attacker = trial.browser();
    trial.checkpoint(&[&attacker, &browser]).await?;
    match replay {
        Replay::NewCeremony => {
            let second = trial.sign_in_start(&attacker, Some(&victim.username)).await?;
            trial.sign_in_finish(&attacker, &second, &credential).await
        }
        Replay::SameCeremony => trial.sign_in_finish(&attacker, &first, &credential).await,
    }
}

async fn silent_assertion(trial: Trial) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, false).await?;
    let attacker = trial.browser();
    trial.checkpoint(&[&attacker]).await?;
    let start = trial.sign_in_start(&attacker, Some(&victim.username)).await?;
    let credential = victim.client.get_without_presence(&start["options"])?;
    trial.sign_in_finish(&attacker, &start, &credential).await
}

/// The attacker registers its own key on its own account, then answers the victim's sign-in
/// with it: username-first (`discoverable` false) or discoverable, naming the victim's
/// userHandle.
async fn credential_of_another_user(trial: Trial, discoverable: bool) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, true).await?;
    let mut attacker = self::victim(&trial, true).await?;
    // The victim's userHandle, as its key answers a discoverable sign-in that is never finished.
    let peek = trial.sign_in_start(&trial.browser(), None).await?;
    let victim_handle = victim.client.get(&peek["options"])?["response"]["userHandle"].clone();
    let browser = trial.browser();
    trial.checkpoint(&[&browser, &victim.browser, &attacker.browser]).await?;
    let start = trial.sign_in_start(&browser, (!discoverable).then_some(victim.username.as_str())).await?;
    let mut options = start["options"].clone();
    public_key(&mut options)["allowCredentials"] =
        serde_json::json!([{ "type": "public-key", "id": attacker.credential["id"] }]);
    let mut credential = attacker.client.get(&options)?;
    credential["response"]["userHandle"] = victim_handle;
    trial.sign_in_finish(&browser, &start, &credential).await
}

/// The `publicKey` member of credential options, or the options themselves.
pub fn public_key(options: &mut Value) -> &mut Value {
    if options.get("publicKey").is_some() { &mut options["publicKey"] } else { options }
}

async fn unknown_credential(trial: Trial) -> anyhow::Result<Outcome> {
    // A key the RP never saw: its credential is registered nowhere.
    let mut stranger = trial.client(security_key())?;
    let browser = trial.browser();
    let elsewhere = victim(&trial, true).await?;
    trial.checkpoint(&[&browser, &elsewhere.browser]).await?;
    let start = trial.sign_in_start(&browser, None).await?;
    let mut options = start["options"].clone();
    let sign_in = public_key(&mut options).clone();
    // The stranger makes a discoverable credential for the same RP ID on the spot.
    let registration = serde_json::json!({
        "challenge": sign_in["challenge"],
        "rp": { "id": sign_in["rpId"], "name": "stranger's" },
        "user": { "id": "c3RyYW5nZXI", "name": "stranger" },
        "authenticatorSelection": { "residentKey": "required" },
    });
    stranger.create(&registration)?;
    let credential = stranger.get(&sign_in)?;
    trial.sign_in_finish(&browser, &start, &credential).await
}
