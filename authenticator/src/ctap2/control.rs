//! What a test rig may do to the device besides speaking CTAP: remove one discoverable
//! credential, as a person would with the vendor's management tool, without the PIN that
//! authenticatorCredentialManagement (CTAP 2.1 §6.8) demands.

use super::Authenticator;
use crate::proto::StatusCode;

impl Authenticator {
    /// Removes the discoverable credential `credential_id`; `Ok(false)` when there is none.
    /// The state is committed first, so a failed write removes nothing.
    pub fn remove_discoverable(&mut self, credential_id: &[u8]) -> Result<bool, StatusCode> {
        if !self.state.resident.iter().any(|c| c.credential_id == credential_id) {
            return Ok(false);
        }
        self.commit(|state| state.resident.retain(|c| c.credential_id != credential_id))?;
        Ok(true)
    }
}
