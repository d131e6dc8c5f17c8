//! The hmac-secret extension at getAssertion (CTAP 2.1 §12.5).

use ciborium::Value;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::credential::cred_random;
use super::{Authenticator, ctap20};
use crate::proto::StatusCode;
use crate::proto::pin_uv_auth::PinProtocol;

impl Authenticator {
    /// hmac-secret (CTAP 2.1 §12.5): decrypt the salts with the shared secret, HMAC them with
    /// the credential's random (one per UV state), and return the outputs encrypted.
    pub(super) fn hmac_secret_output(
        &self,
        credential_id: &[u8],
        user_verified: bool,
        key_agreement: &Value,
        salt_enc: &[u8],
        salt_auth: &[u8],
        protocol: PinProtocol,
    ) -> Result<Vec<u8>, StatusCode> {
        let protocol = self.known_protocol(protocol.supported()?)?;
        let shared = self
            .volatile
            .key_agreement()
            .shared_secret(protocol, key_agreement)
            .map_err(|_| StatusCode::InvalidParameter)?;
        // Step: verify(shared secret, saltEnc, saltAuth).
        shared.verify(salt_enc, salt_auth).map_err(|_| ctap20::invalid_salt_auth(self.config.generation))?;
        let salts = shared.decrypt(salt_enc).map_err(|_| StatusCode::InvalidLength)?;
        if salts.len() != 32 && salts.len() != 64 {
            return Err(StatusCode::InvalidLength);
        }
        let key = cred_random(&self.state.master_key, credential_id, user_verified);
        let mut outputs = Vec::with_capacity(salts.len());
        for salt in salts.chunks(32) {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).map_err(|_| StatusCode::Other)?;
            mac.update(salt);
            outputs.extend_from_slice(&mac.finalize().into_bytes());
        }
        shared.encrypt(&outputs).map_err(|_| StatusCode::Other)
    }
}

#[cfg(test)]
mod tests;
