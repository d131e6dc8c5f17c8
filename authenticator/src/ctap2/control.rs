//! What a test rig may do to the device besides speaking CTAP: remove one discoverable
//! credential, as a person would with the vendor's management tool, without the PIN that
//! authenticatorCredentialManagement (CTAP 2.1 §6.8) demands; or seed one with a key made
//! elsewhere, as a passkey provider imports a passkey.

use super::credential::{CredProtect, CredentialSecret};
use super::{Authenticator, rp_id_hash};
use crate::keys::PrivateKey;
use crate::proto::StatusCode;
use crate::proto::request::{RpEntity, UserEntity};

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

    /// Seeds a discoverable credential for `rp_id` and `user` with `key`; answers its credential
    /// ID, which wraps the key as every credential ID of this device does (so an ID cannot be
    /// chosen). Like makeCredential (CTAP 2.1 §6.1.2 step 18), it replaces the same user's older
    /// credential for the RP; a full store answers CTAP2_ERR_KEY_STORE_FULL.
    pub fn import_discoverable(
        &mut self,
        rp_id: &str,
        user: UserEntity,
        key: PrivateKey,
    ) -> Result<Vec<u8>, StatusCode> {
        let replaced = self.state.resident.iter().any(|c| c.rp_id == rp_id && c.user.id == user.id);
        if !replaced && self.state.resident.len() >= self.config.max_resident_credentials {
            return Err(StatusCode::KeyStoreFull);
        }
        let secret = CredentialSecret {
            key,
            cred_protect: CredProtect::UvOptional,
            discoverable: true,
            hmac_secret: false,
            cred_blob: None,
        };
        let credential_id = secret.seal(&self.state.master_key, &rp_id_hash(rp_id));
        let rp = RpEntity { id: rp_id.to_owned(), name: None };
        self.store_resident(credential_id.clone(), rp, user)?;
        Ok(credential_id)
    }
}

#[cfg(test)]
mod tests;
