//! One attack: what it tries, the clause that forbids it, and the rejection a correct relying
//! party gives; and how its result is judged.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use super::trial::Trial;

/// What running a case yields (an error is the harness failing, not the attack).
pub type CaseFuture = Pin<Box<dyn Future<Output = anyhow::Result<Outcome>> + Send>>;

/// Who cheats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The authenticator lies in what it signs (a `danger_*` fault of its configuration).
    Authenticator,
    /// The browser cheats: its clientDataJSON, the RP ID it asks for, the ceremony it answers.
    Client,
    /// The OAuth client or a stranger forges requests to the OpenID provider.
    Oidc,
    /// The account and session surface: sign-up, password sign-in, re-authentication.
    Account,
    /// A stranger against the authenticator daemon: its UDP surface and its state file.
    Device,
}

impl Group {
    /// Every group, in report order.
    pub const ALL: [Group; 5] = [Self::Authenticator, Self::Client, Self::Oidc, Self::Account, Self::Device];

    /// The group's name in reports and filters.
    pub fn name(self) -> &'static str {
        match self {
            Self::Authenticator => "authenticator",
            Self::Client => "client",
            Self::Oidc => "oidc",
            Self::Account => "account",
            Self::Device => "device",
        }
    }
}

/// What a correct relying party does with the attack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// It refuses with this error (`stage:code`, see [`Outcome`]) and changes nothing.
    Refused(&'static str),
    /// It accepts, but does not believe the false claim: what it grants is exactly this (an ID
    /// token's `amr`/`acr`, as [`Outcome::Accepted`] describes it). Counted as passed when equal.
    Discounted(&'static str),
    /// No relying party can tell: the attack is accepted by design, and earns exactly
    /// `granted` (so a regression that grants more is still caught). `why` says what that
    /// means. Such a case is never counted as passed.
    Undetectable {
        /// Why no relying party can detect it.
        why: &'static str,
        /// What the lie earns, as [`Outcome::Accepted`] describes it.
        granted: &'static str,
    },
}

/// What the relying party did.
///
/// A refusal reads `stage:code`: `webauthn:` and `account:` for the JSON API's `error`,
/// `redirect:` for an OAuth error sent back to the client's redirect URI, `page:` for one shown
/// to the user instead (not redirected), `token:` and `par:` and `userinfo:` for those
/// endpoints' OAuth errors, and `http_NNN` where the body names no error.
/// Against the daemon: `hid:` a CTAPHID error or property, `ctap:` a CTAP2 status, `fs:` a state-file check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Outcome {
    /// Refused with this error.
    Refused(String),
    /// Accepted: what the attacker obtained.
    Accepted(String),
}

impl Outcome {
    /// The outcome in one line.
    pub fn describe(&self) -> String {
        match self {
            Self::Refused(error) => format!("refused {error}"),
            Self::Accepted(what) => format!("accepted: {what}"),
        }
    }
}

/// Where a case can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Any IdP speaking softfido's sign-in API (`--rp-url` included).
    AnyIdp,
    /// The shared in-process IdP: the case judges what it holds in memory, which an IdP
    /// elsewhere does not show.
    InProcess,
    /// The in-process IdP: the case moves its clock.
    OwnClock,
    /// An in-process IdP of its own that does not trust softfido's test attestation root (nor
    /// softfido's metadata statements), as `softfido serve` runs by default.
    UntrustingIdp,
}

/// One attack.
#[derive(Clone, Copy)]
pub struct Case {
    /// A stable identifier, `group.name`.
    pub id: &'static str,
    /// Who cheats.
    pub group: Group,
    /// What the attack does, in one line.
    pub attack: &'static str,
    /// The specification step that forbids it.
    pub spec: &'static str,
    /// What a correct relying party does.
    pub expected: Expected,
    /// Where it can run.
    pub needs: Needs,
    /// Sets up, takes the checkpoint ([`Trial::checkpoint`]) and attacks.
    pub run: fn(Trial) -> CaseFuture,
}

impl Case {
    /// A case of `group` that a correct relying party refuses with `error`.
    pub const fn refused(
        group: Group,
        id: &'static str,
        attack: &'static str,
        spec: &'static str,
        error: &'static str,
        run: fn(Trial) -> CaseFuture,
    ) -> Self {
        Self { id, group, attack, spec, expected: Expected::Refused(error), needs: Needs::AnyIdp, run }
    }

    /// A case of `group` whose false claim a correct relying party does not believe: it grants
    /// exactly `granted`.
    pub const fn discounted(
        group: Group,
        id: &'static str,
        attack: &'static str,
        spec: &'static str,
        granted: &'static str,
        run: fn(Trial) -> CaseFuture,
    ) -> Self {
        Self { id, group, attack, spec, expected: Expected::Discounted(granted), needs: Needs::AnyIdp, run }
    }

    /// A case of `group` no relying party can detect (`why`), earning exactly `granted`.
    pub const fn undetectable(
        group: Group,
        id: &'static str,
        attack: &'static str,
        spec: &'static str,
        (why, granted): (&'static str, &'static str),
        run: fn(Trial) -> CaseFuture,
    ) -> Self {
        Self {
            id,
            group,
            attack,
            spec,
            expected: Expected::Undetectable { why, granted },
            needs: Needs::AnyIdp,
            run,
        }
    }

    /// The case, run only where `needs` holds.
    pub const fn needing(self, needs: Needs) -> Self {
        Self { needs, ..self }
    }
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case").field("id", &self.id).finish_non_exhaustive()
    }
}

/// How a case ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "reason")]
pub enum Status {
    /// Refused with the expected error, nothing changed.
    Passed,
    /// The attack succeeded, got another error, or changed something; or the harness failed.
    Failed(String),
    /// Accepted, as no relying party can avoid: shown, never counted as passed.
    Undetectable,
    /// Not run against this IdP (it needs the in-process IdP's clock).
    Skipped(String),
}

/// Judges a case from its outcome and what changed after its checkpoint.
pub fn judge(expected: Expected, outcome: &Outcome, changes: &[String]) -> Status {
    match (expected, outcome) {
        (Expected::Refused(error), Outcome::Refused(actual)) if actual == error => {
            if changes.is_empty() {
                Status::Passed
            } else {
                Status::Failed(format!("refused, but changed: {}", changes.join("; ")))
            }
        }
        (Expected::Refused(error), Outcome::Refused(actual)) => {
            Status::Failed(format!("refused with {actual}, expected {error}"))
        }
        (Expected::Refused(_), Outcome::Accepted(what)) => {
            Status::Failed(format!("the attack succeeded: {what}"))
        }
        (Expected::Discounted(granted), Outcome::Accepted(what)) if what == granted => Status::Passed,
        (Expected::Discounted(granted), Outcome::Accepted(what)) => {
            Status::Failed(format!("granted {what}, expected only {granted}"))
        }
        (Expected::Discounted(granted), Outcome::Refused(actual)) => {
            Status::Failed(format!("refused with {actual}, expected a grant of only {granted}"))
        }
        (Expected::Undetectable { granted, .. }, Outcome::Accepted(what)) if what == granted => {
            Status::Undetectable
        }
        (Expected::Undetectable { granted, .. }, Outcome::Accepted(what)) => {
            Status::Failed(format!("granted {what}, the lie earns only {granted}"))
        }
        (Expected::Undetectable { .. }, Outcome::Refused(actual)) => {
            Status::Failed(format!("marked undetectable, yet refused with {actual}: the case is wrong"))
        }
    }
}

#[cfg(test)]
mod tests;
