//! The account and session surface: a sign-up that authenticated nothing asking for a code,
//! password guessing, answers that tell an unknown user from a wrong password, cross-site
//! requests, look-alike usernames, over-long passkey names and sessions reused after sign-out.

use hyper::Request;
use hyper::header;
use serde_json::{Value, json};

use super::super::case::{Case, Group, Needs, Outcome};
use super::super::census::in_memory_entries;
use super::super::oauth::{Answer, AuthRequest, authorize, resume};
use super::super::trial::{PASSWORD, Trial, outcome};
use super::client::victim;
use super::security_key;
use crate::http::{Http, Reply};

/// A page of another site, as a browser names it in `Origin`.
const FOREIGN_ORIGIN: &str = "https://evil.example";
/// Wrong guesses allowed per username before the IdP makes the guesser wait.
const FREE_GUESSES: usize = 5;

/// The account group's cases.
pub const CASES: &[Case] = &[
    Case::refused(
        Group::Account,
        "account.passwordless_sign_up_gets_no_code",
        "a password-less sign-up's session (it authenticated nothing) resumes an authorization request",
        "OIDC Core §3.1.2.3",
        "redirect:login_required",
        |t| Box::pin(passwordless_sign_up(t)),
    ),
    Case::refused(
        Group::Account,
        "account.password_guessing",
        "the right password as the sixth guess, after five wrong ones",
        "NIST SP 800-63B §5.2.2; RFC 6585 §4",
        "account:too_many_attempts",
        |t| Box::pin(password_guessing(t)),
    ),
    Case::refused(
        Group::Account,
        "account.unknown_username_told_apart",
        "a password sign-in for a name nobody has, compared with a wrong password for a real account",
        "NIST SP 800-63B §5.2.2; OWASP ASVS V2.2 (no account enumeration)",
        "account:invalid_credentials",
        |t| Box::pin(unknown_username(t)),
    ),
    Case::refused(
        Group::Account,
        "account.foreign_origin_passkey_delete",
        "another site's page deletes the victim's passkey with the victim's cookie",
        "Fetch §3.1 (Origin); RFC 6454 §7.3",
        "account:foreign_origin",
        |t| Box::pin(foreign_origin_delete(t)),
    ),
    Case::refused(
        Group::Account,
        "account.foreign_origin_sign_in",
        "another site's page signs the victim's browser in to the attacker's account (login CSRF)",
        "Fetch §3.1 (Origin); RFC 6454 §7.3",
        "account:foreign_origin",
        |t| Box::pin(foreign_origin_sign_in(t)),
    ),
    Case::refused(
        Group::Account,
        "account.username_kelvin_sign",
        "a sign-up as an existing k-name spelled with the Kelvin sign (U+212A)",
        "RFC 8265 §3.3, RFC 8264 §9.17 (HasCompat)",
        "account:invalid_username",
        |t| Box::pin(look_alike(t, "k", "\u{212A}")),
    ),
    Case::refused(
        Group::Account,
        "account.username_nfd",
        "a sign-up as an existing name with é decomposed (NFD), taken in NFC",
        "RFC 8265 §3.3.3 (NFC)",
        "account:username_taken",
        |t| Box::pin(look_alike(t, "jos\u{e9}", "jose\u{301}")),
    ),
    Case::refused(
        Group::Account,
        "account.username_zero_width_joiner",
        "a sign-up as an existing name with a zero-width joiner inside",
        "RFC 8265 §3.3, RFC 8264 §9.13 (ZWJ outside its context)",
        "account:invalid_username",
        |t| Box::pin(look_alike(t, "alice", "ali\u{200D}ce")),
    ),
    Case::refused(
        Group::Account,
        "account.username_case",
        "a sign-up as an existing name in upper case",
        "RFC 8265 §3.3.3 (case mapping)",
        "account:username_taken",
        |t| Box::pin(look_alike(t, "carol", "CAROL")),
    ),
    Case::refused(
        Group::Account,
        "account.passkey_name_too_long",
        "a registration naming its passkey with 65 characters (the limit is 64)",
        "input bound of the passkey list (softfido's MAX_PASSKEY_NAME_CHARS)",
        "webauthn:invalid_name",
        |t| Box::pin(long_passkey_name(t)),
    ),
    Case::refused(
        Group::Account,
        "account.session_reused_after_sign_out",
        "the session cookie, kept from before a sign-out, asks for a code with prompt=none",
        "OWASP ASVS V3.3.1; OIDC Core §3.1.2.6",
        "redirect:login_required",
        |t| Box::pin(session_after_sign_out(t)),
    ),
    Case::discounted(
        Group::Account,
        "account.authorize_flood_keeps_nothing",
        "200 unauthenticated authorization requests, each a valid one the IdP must send to sign in",
        "RFC 6749 §10.4 (resource exhaustion); a pending request waits in the browser",
        FLOOD_KEPT_NOTHING,
        |t| Box::pin(authorize_flood(t)),
    )
    .needing(Needs::InProcess),
];

/// Unauthenticated authorization requests of the flood case.
const FLOOD: usize = 200;
/// What the flood case must end in: every request sent to sign in, nothing kept for any.
const FLOOD_KEPT_NOTHING: &str = "200 requests sent to sign in; the IdP kept nothing";

/// The requests are valid, so each is answered with the sign-in page; the IdP must keep no
/// state for them (no session, code or row), else a flood fills its memory.
async fn authorize_flood(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.checkpoint(&[&browser]).await?;
    let held = in_memory_entries(&trial);
    let mut sent_to_sign_in = 0;
    for _ in 0..FLOOD {
        if matches!(authorize(&trial, &browser, &AuthRequest::matrix()).await?, Answer::SignIn(_)) {
            sent_to_sign_in += 1;
        }
    }
    let mut changes = trial.changes().await?;
    if let (Some(before), Some(after)) = (held, in_memory_entries(&trial))
        && after > before
    {
        changes.push(format!("{} entries in memory", after - before));
    }
    // The runner's own checkpoint: this case judged its changes itself.
    trial.checkpoint(&[&browser]).await?;
    Ok(Outcome::Accepted(if changes.is_empty() {
        format!("{sent_to_sign_in} requests sent to sign in; the IdP kept nothing")
    } else {
        format!("{sent_to_sign_in} requests sent to sign in; the IdP kept: {}", changes.join("; "))
    }))
}

async fn passwordless_sign_up(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.sign_up(&browser, false).await?;
    // Without a session the resumed request is refused alike: the case would prove nothing.
    anyhow::ensure!(
        trial.session(&browser).await? != Value::Null,
        "the password-less sign-up left no session"
    );
    let Answer::SignIn(query) = authorize(&trial, &browser, &AuthRequest::matrix()).await? else {
        anyhow::bail!("the password-less session was not sent to sign in");
    };
    trial.checkpoint(&[&browser]).await?;
    Ok(resume(&trial, &browser, &query).await?.outcome())
}

/// The IdP's per-address password throttle outlives a run: against the same IdP within its
/// window, earlier runs' failures leave this address throttled, and its 429 must not be taken
/// for the answer a case judges.
const ADDRESS_THROTTLED: &str =
    "the IdP's per-address password throttle is engaged; restart it or wait an hour";

/// Whether a password sign-in's answer is the throttle's (RFC 6585 §4: 429, `too_many_attempts`).
fn throttled(status: u16, error: &str) -> bool {
    status == 429 || error == "too_many_attempts"
}

/// [`throttled`] for a refusal as [`outcome`] names it (`account:…`).
fn throttled_refusal(refusal: &str) -> bool {
    refusal == "account:too_many_attempts" || refusal == "account:http_429"
}

async fn password_guessing(trial: Trial) -> anyhow::Result<Outcome> {
    let owner = trial.browser();
    let username = trial.sign_up(&owner, true).await?;
    let attacker = trial.browser();
    for guess in 0..FREE_GUESSES {
        let refused =
            trial.password_sign_in(&attacker, &username, &format!("guess {guess} is wrong")).await?;
        // A free guess of a new account is throttled only by the address.
        anyhow::ensure!(
            !matches!(&refused, Outcome::Refused(error) if throttled_refusal(error)),
            ADDRESS_THROTTLED
        );
        anyhow::ensure!(refused == Outcome::Refused("account:invalid_credentials".into()), "{refused:?}");
    }
    trial.checkpoint(&[&attacker, &owner]).await?;
    trial.password_sign_in(&attacker, &username, PASSWORD).await
}

/// A password sign-in's whole answer: status and body.
async fn password_answer(trial: &Trial, username: &str, password: &str) -> anyhow::Result<(u16, Value)> {
    let body = json!({ "username": username, "password": password });
    let reply = trial.browser().post_json(&trial.url("/account/password"), &body).await?;
    Ok((reply.status.as_u16(), reply.json()))
}

async fn unknown_username(trial: Trial) -> anyhow::Result<Outcome> {
    let owner = trial.browser();
    let username = trial.sign_up(&owner, true).await?;
    let wrong_password = password_answer(&trial, &username, "not the password").await?;
    trial.checkpoint(&[&owner]).await?;
    let unknown = password_answer(&trial, &format!("{username}-nobody"), "not the password").await?;
    // Either name is new, so only the address can be throttled: a 429 compared with a 401 would
    // be a false enumeration.
    for (status, body) in [&wrong_password, &unknown] {
        anyhow::ensure!(!throttled(*status, body["error"].as_str().unwrap_or_default()), ADDRESS_THROTTLED);
    }
    if unknown != wrong_password {
        return Ok(Outcome::Accepted(format!("told apart: {unknown:?} vs {wrong_password:?}")));
    }
    let error = unknown.1["error"].as_str().unwrap_or_default();
    Ok(Outcome::Refused(format!("account:{error}")))
}

/// `method url` with `Origin: https://evil.example` and `body` from `browser`.
async fn from_foreign_page(browser: &Http, method: &str, url: &str, body: &Value) -> anyhow::Result<Reply> {
    let request = Request::builder()
        .method(method)
        .uri(url)
        .header(header::ORIGIN, FOREIGN_ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string().into_bytes())?;
    Ok(browser.send(request).await?)
}

async fn foreign_origin_delete(trial: Trial) -> anyhow::Result<Outcome> {
    let victim = victim(&trial, false).await?;
    let list = victim.browser.get(&trial.url("/passkeys")).await?.json();
    let id = list["passkeys"][0]["id"].as_str().map(str::to_owned);
    let id = id.ok_or_else(|| anyhow::anyhow!("no passkey listed: {list}"))?;
    trial.checkpoint(&[&victim.browser]).await?;
    let reply =
        from_foreign_page(&victim.browser, "DELETE", &trial.url(&format!("/passkeys/{id}")), &json!({}))
            .await?;
    Ok(outcome(&reply, "account", "the passkey deleted"))
}

async fn foreign_origin_sign_in(trial: Trial) -> anyhow::Result<Outcome> {
    let attackers = trial.sign_up(&trial.browser(), true).await?;
    let victims = trial.browser();
    trial.checkpoint(&[&victims]).await?;
    let body = json!({ "username": attackers, "password": PASSWORD });
    let reply = from_foreign_page(&victims, "POST", &trial.url("/account/password"), &body).await?;
    Ok(outcome(&reply, "account", "the victim's browser signed in to the attacker's account"))
}

/// Signs up `{existing}-{tag}`, then, on another browser, `{look_alike}-{tag}`.
async fn look_alike(trial: Trial, existing: &str, look_alike: &str) -> anyhow::Result<Outcome> {
    let tag = format!("{:08x}", rand::random::<u32>());
    let body = |name: &str| json!({ "username": format!("{name}-{tag}"), "password": PASSWORD });
    let owner = trial.browser();
    let first = owner.post_json(&trial.url("/account/signup"), &body(existing)).await?;
    anyhow::ensure!(first.status.is_success(), "the set-up sign-up failed: {}", first.summary());
    let attacker = trial.browser();
    trial.checkpoint(&[&owner, &attacker]).await?;
    let reply = attacker.post_json(&trial.url("/account/signup"), &body(look_alike)).await?;
    Ok(outcome(&reply, "account", "a second account under a look-alike name"))
}

async fn long_passkey_name(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.sign_up(&browser, true).await?;
    let mut client = trial.client(security_key())?;
    let start = trial.register_start(&browser, false).await?;
    let credential = client.create(&start["options"])?;
    trial.checkpoint(&[&browser]).await?;
    let body = json!({ "ceremony": start["ceremony"], "credential": credential, "name": "n".repeat(65) });
    let reply = browser.post_json(&trial.url("/webauthn/register/finish"), &body).await?;
    Ok(outcome(&reply, "webauthn", "a passkey stored under the long name"))
}

/// The cookies of `browser`, as one `Cookie` header.
fn cookie_header(browser: &Http) -> String {
    browser.cookies().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
}

/// The session that `cookie`, sent alone, stands for at the IdP (`Null` when none).
async fn session_of_cookie(trial: &Trial, cookie: &str) -> anyhow::Result<Value> {
    let request =
        Request::get(trial.url("/account/session")).header(header::COOKIE, cookie).body(Vec::new())?;
    let reply = trial.backend().send(request).await?;
    Ok(if reply.status.is_success() { reply.json() } else { Value::Null })
}

/// The cookie replayed must be the one that carried the session: a browser without a session,
/// or a cookie that never named it, gets `login_required` with `prompt=none` too.
async fn session_after_sign_out(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.sign_up(&browser, true).await?;
    anyhow::ensure!(trial.session(&browser).await? != Value::Null, "the set-up sign-up left no session");
    let kept = cookie_header(&browser);
    anyhow::ensure!(
        session_of_cookie(&trial, &kept).await? != Value::Null,
        "the captured cookies do not carry the session"
    );
    let signed_out = browser.post_json(&trial.url("/account/signout"), &json!({})).await?;
    anyhow::ensure!(signed_out.status.is_success(), "sign-out failed: {}", signed_out.summary());
    trial.checkpoint(&[&browser]).await?;
    let url = AuthRequest::matrix().set("prompt", "none").url(&trial);
    let request = Request::get(url).header(header::COOKIE, kept).body(Vec::new())?;
    let reply = trial.backend().send(request).await?;
    Answer::of(&trial, &reply).map(|answer| answer.outcome())
}

#[cfg(test)]
mod tests;
