//! authenticatorReset (CTAP 2.1 §6.6).

use super::Authenticator;
use crate::proto::StatusCode;
use crate::signals::Signals;
use crate::store::PersistentState;

impl Authenticator {
    /// Erases every credential, the master key, the fingerprint templates and the large-blob
    /// array (back to the empty array of CTAP 2.1 §6.10.3), after checks the spec requires.
    pub(super) fn reset(&mut self, signals: &Signals) -> Result<(), StatusCode> {
        // §6.6: "the authenticator MAY restrict reset to the first 10 seconds after power-up";
        // outside the window it answers CTAP2_ERR_NOT_ALLOWED.
        if let Some(window) = self.config.reset_window
            && self.clock.now().saturating_duration_since(self.volatile.powered_up_at) > window
        {
            return Err(StatusCode::NotAllowed);
        }
        // §6.6: reset requires user presence (denied → OPERATION_DENIED, none → USER_ACTION_TIMEOUT).
        self.user.presence(signals)?;
        self.commit(|state| *state = PersistentState::new())?;
        self.volatile.pin_token.reset();
        self.volatile.token_method = None;
        self.volatile.consecutive_pin_failures = 0;
        // The array went back to empty (§6.10.3): a write in progress would replace it.
        self.volatile.large_blob_write = None;
        self.volatile.pending_enrollment = None;
        tracing::info!("reset: credentials and master key erased");
        Ok(())
    }
}
