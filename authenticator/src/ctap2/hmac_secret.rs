//! The hmac-secret extension at getAssertion (CTAP 2.1 §12.5) and the clientPIN subcommands it
//! needs to agree on a shared secret (§6.5.5: getPINRetries, getKeyAgreement).

use ciborium::Value;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::Authenticator;
use super::credential::cred_random;
use crate::config::UvCapability;
use crate::pin::protocol::PinUvAuthProtocol;
use crate::proto::StatusCode;
use crate::proto::cbor::MapBuilder;
use crate::proto::request::ClientPinRequest;
use crate::proto::response::Response;

/// PIN retries a device with no PIN reports (CTAP 2.1 §6.5.2.2: maximum 8).
const PIN_RETRIES: i64 = 8;

/// clientPIN subcommand numbers (CTAP 2.1 §6.5.5).
mod sub_command {
    pub const GET_PIN_RETRIES: i64 = 0x01;
    pub const GET_KEY_AGREEMENT: i64 = 0x02;
}

impl Authenticator {
    /// The PIN/UV auth protocols offered: both, whenever clientPIN or hmac-secret needs them.
    pub(super) fn pin_uv_auth_protocols(&self) -> Vec<u8> {
        if self.config.uv == UvCapability::ClientPin || self.config.extensions.hmac_secret {
            vec![2, 1]
        } else {
            Vec::new()
        }
    }

    /// authenticatorClientPIN, the subcommands a device without a PIN answers.
    pub(super) fn client_pin(&mut self, request: ClientPinRequest) -> Result<Response, StatusCode> {
        let protocols = self.pin_uv_auth_protocols();
        if protocols.is_empty() {
            return Err(StatusCode::InvalidCommand);
        }
        if PinUvAuthProtocol::from_id(request.protocol).is_none() {
            return Err(StatusCode::InvalidParameter);
        }
        match request.sub_command {
            sub_command::GET_PIN_RETRIES if self.config.uv == UvCapability::ClientPin => {
                Ok(Response::Map(MapBuilder::new().insert(0x03, PIN_RETRIES).build()))
            }
            sub_command::GET_KEY_AGREEMENT => Ok(Response::Map(
                MapBuilder::new().insert(0x01, self.key_agreement.cose_public_key()).build(),
            )),
            _ => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// hmac-secret (CTAP 2.1 §12.5): decrypt the salts with the shared secret, HMAC them with
    /// the credential's random (one per UV state), and return the outputs encrypted.
    pub(super) fn hmac_secret_output(
        &self,
        credential_id: &[u8],
        user_verified: bool,
        key_agreement: &Value,
        salt_enc: &[u8],
        salt_auth: &[u8],
        protocol: i64,
    ) -> Result<Vec<u8>, StatusCode> {
        let protocol = PinUvAuthProtocol::from_id(protocol).ok_or(StatusCode::InvalidParameter)?;
        let shared = self
            .key_agreement
            .shared_secret(protocol, key_agreement)
            .map_err(|_| StatusCode::InvalidParameter)?;
        // Step: verify(shared secret, saltEnc, saltAuth).
        shared.verify(salt_enc, salt_auth).map_err(|_| StatusCode::PinAuthInvalid)?;
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
