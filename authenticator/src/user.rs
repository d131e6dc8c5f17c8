//! The (simulated) person in front of the authenticator: presence and built-in verification.
//!
//! The authenticator asks through the [`User`] trait; [`ScriptedUser`] answers from the
//! configuration, so a test or the matrix decides what the user does.

use std::time::{Duration, Instant};

use crate::config::{Modality, PresenceOutcome, VerifyOutcome};
use crate::proto::StatusCode;
use crate::signals::{KeepaliveStatus, Signals};

/// How often a waiting presence check looks at the cancel flag.
const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// The person in front of the authenticator.
pub trait User: Send {
    /// Asks for a test of user presence (a touch). `Ok(())` when the user is present;
    /// `OperationDenied`, `UserActionTimeout` or `KeepaliveCancel` otherwise.
    fn presence(&mut self, signals: &Signals) -> Result<(), StatusCode>;

    /// Asks the user to present `modality` to the built-in sensor, after presence.
    fn biometric(&mut self, modality: Modality) -> VerifyOutcome;
}

/// A user whose answers are fixed in advance.
#[derive(Clone, Debug)]
pub struct ScriptedUser {
    /// What the user does when presence is requested.
    pub presence: PresenceOutcome,
    /// How long [`PresenceOutcome::Timeout`] makes the authenticator wait.
    pub timeout: Duration,
    /// What the built-in sensor concludes.
    pub biometric: VerifyOutcome,
}

impl User for ScriptedUser {
    fn presence(&mut self, signals: &Signals) -> Result<(), StatusCode> {
        signals.set_status(KeepaliveStatus::UpNeeded);
        let result = match self.presence {
            PresenceOutcome::Approve => Ok(()),
            PresenceOutcome::Deny => Err(StatusCode::OperationDenied),
            PresenceOutcome::Timeout => wait_for_nobody(self.timeout, signals),
        };
        signals.set_status(KeepaliveStatus::Processing);
        if signals.is_cancelled() { Err(StatusCode::KeepaliveCancel) } else { result }
    }

    fn biometric(&mut self, _modality: Modality) -> VerifyOutcome {
        self.biometric
    }
}

/// Nobody touches the key: wait out the timeout unless the platform cancels first.
fn wait_for_nobody(timeout: Duration, signals: &Signals) -> Result<(), StatusCode> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if signals.is_cancelled() {
            return Err(StatusCode::KeepaliveCancel);
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline.saturating_duration_since(Instant::now())));
    }
    Err(StatusCode::UserActionTimeout)
}

#[cfg(test)]
mod tests;
