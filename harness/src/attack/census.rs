//! The checkpoint of a case: what the IdP holds (its store's census and its live sessions, when
//! it runs in process) and what each browser of the case sees through the IdP's own API (its
//! session, its account's passkeys, which an IdP at `--rp-url` shows too). After the attack,
//! nothing may have been added or altered; removals (a purge of expired codes, tokens revoked
//! after a replayed code) are not grants and are allowed.

use serde_json::Value;
use softfido_rp::store::Census;

use super::trial::Trial;
use crate::http::Http;

/// What a case's checkpoint recorded.
pub struct Checkpoint {
    census: Option<Census>,
    sessions: Option<usize>,
    views: Vec<BrowserView>,
}

/// One browser's view of its account.
struct BrowserView {
    browser: Http,
    session: Value,
    passkeys: Value,
}

/// Entries the in-process IdP holds in memory: sessions, ceremonies in progress, answered
/// requests. `None` for an IdP elsewhere.
pub fn in_memory_entries(trial: &Trial) -> Option<usize> {
    trial.idp().map(|state| {
        state.sessions.len()
            + state.registrations.len()
            + state.authentications.len()
            + state.answered_requests.len()
    })
}

/// Observes the IdP and `browsers`.
pub async fn observe(trial: &Trial, browsers: Vec<Http>) -> anyhow::Result<Checkpoint> {
    let (census, sessions) = match trial.idp() {
        Some(state) => {
            let census = state.store().map_err(|e| anyhow::anyhow!("{e:?}"))?.census()?;
            (Some(census), Some(state.sessions.len()))
        }
        None => (None, None),
    };
    let mut views = Vec::with_capacity(browsers.len());
    for browser in browsers {
        let session = trial.session(&browser).await?;
        let reply = browser.get(&trial.url("/passkeys")).await?;
        let passkeys = if reply.status.is_success() { reply.json() } else { Value::Null };
        views.push(BrowserView { browser, session, passkeys });
    }
    Ok(Checkpoint { census, sessions, views })
}

impl Checkpoint {
    /// The browsers observed, to observe them again.
    pub fn browsers(&self) -> Vec<Http> {
        self.views.iter().map(|v| v.browser.clone()).collect()
    }

    /// What `after` holds that this checkpoint did not: one line per change.
    pub fn changes_to(&self, after: &Checkpoint) -> Vec<String> {
        let mut changes = Vec::new();
        if let (Some(before), Some(now)) = (&self.census, &after.census) {
            census_changes(before, now, &mut changes);
        }
        if let (Some(before), Some(now)) = (self.sessions, after.sessions)
            && now > before
        {
            changes.push(format!("live sessions {before} -> {now}"));
        }
        for (index, (before, now)) in self.views.iter().zip(&after.views).enumerate() {
            if before.session != now.session {
                changes.push(format!("browser {index}'s session {} -> {}", before.session, now.session));
            }
            if before.passkeys != now.passkeys {
                changes.push(format!("browser {index}'s passkeys {} -> {}", before.passkeys, now.passkeys));
            }
        }
        changes
    }
}

/// Grants added; any account changed; any credential added, altered (counter, flags, owner),
/// used or removed.
fn census_changes(before: &Census, now: &Census, changes: &mut Vec<String>) {
    let grew = [
        ("accounts", before.users, now.users),
        ("authorization codes", before.authorization_codes, now.authorization_codes),
        ("redeemed codes", before.redeemed_codes, now.redeemed_codes),
        ("access tokens", before.access_tokens, now.access_tokens),
        ("pushed requests", before.pushed_requests, now.pushed_requests),
        ("used pushed requests", before.used_pushed_requests, now.used_pushed_requests),
    ];
    for (what, before, now) in grew {
        if now > before {
            changes.push(format!("{what} {before} -> {now}"));
        }
    }
    if before.users == now.users && before.users_digest != now.users_digest {
        changes.push("an account changed (its name or password), or one replaced another".to_owned());
    }
    if before.credentials != now.credentials {
        changes.push(format!("credentials {} -> {}", before.credentials, now.credentials));
    } else if before.credentials_digest != now.credentials_digest {
        changes.push("a stored credential changed (its counter, flags or last use)".to_owned());
    }
}

#[cfg(test)]
mod tests;
