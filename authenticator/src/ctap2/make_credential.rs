//! authenticatorMakeCredential (CTAP 2.1 §6.1.2).

use super::credential::{CredProtect, CredentialSecret};
use super::get_info::MAX_CREDENTIAL_COUNT_IN_LIST;
use super::large_blobs::large_blob_key;
use super::verification::Verification;
use super::{Authenticator, ctap20, rp_id_hash};
use crate::config::Algorithm;
use crate::keys::PrivateKey;
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::auth_data::{AttestedCredentialData, AuthenticatorData, ExtensionOutputs, flags};
use crate::proto::request::{MakeCredentialRequest, RpEntity, UserEntity};
use crate::proto::response::MakeCredentialResponse;
use crate::signals::Signals;
use crate::store::ResidentCredential;

impl Authenticator {
    pub(super) fn make_credential(
        &mut self,
        request: MakeCredentialRequest,
        signals: &Signals,
    ) -> Result<MakeCredentialResponse, StatusCode> {
        // Steps 1-2 and 11: pinUvAuthParam (the zero-length probe, the protocol, the token).
        let token = match &request.pin_uv_auth {
            Some(auth) => Some(self.check_pin_uv_auth(
                auth,
                &request.client_data_hash,
                Permissions::MAKE_CREDENTIAL,
                &request.rp.id,
                signals,
            )?),
            None => None,
        };
        // Step 3: the first public-key algorithm in the RP's order that this device supports.
        let algorithm = request
            .algorithms
            .iter()
            .filter_map(|&id| Algorithm::from_cose_id(id))
            .find(|alg| self.config.algorithms.contains(alg))
            .ok_or(StatusCode::UnsupportedAlgorithm)?;
        // Steps 4-5: options. "up" may not be false (nor present on a 2.0 key); "uv" needs
        // built-in UV, enrolled, and is ignored when a pinUvAuthParam is present.
        let rk = request.options.rk.unwrap_or(false);
        ctap20::check_make_credential_up(self.config.generation, request.options.up)?;
        // CTAP 2.1 §12.3: largeBlobKey only as `true`, for a discoverable credential.
        let wants_large_blob_key = self.wants_large_blob_key(request.extensions.large_blob_key, rk)?;
        let uv = token.is_none() && request.options.uv.unwrap_or(false);
        if token.is_none() {
            self.check_uv_option(uv)?;
        }
        // Step 6: alwaysUv.
        self.check_always_uv(token.is_some(), uv)?;
        // Step 7 (makeCredUvNotRqd): a UV-protected device makes discoverable credentials only
        // with user verification; a 2.0 key any credential, when a PIN is set (CTAP 2.0 §5.1).
        let needs_uv = ctap20::make_credential_needs_uv(self.config.generation, rk, self.client_pin_set());
        if self.uv_configured() && needs_uv && token.is_none() && !uv {
            return Err(StatusCode::PuatRequired);
        }
        // Step 8: enterprise attestation is not offered.
        if request.enterprise_attestation.is_some() {
            return Err(StatusCode::InvalidParameter);
        }
        if request.exclude_list.len() > MAX_CREDENTIAL_COUNT_IN_LIST {
            return Err(StatusCode::LimitExceeded);
        }
        // Step 11: user verification: the token's, or built-in (which includes the user's touch).
        let mut verification = match token {
            Some(verification) => verification,
            None if uv => self.verify_builtin(signals)?,
            None => Verification::default(),
        };
        let rp_id_hash = rp_id_hash(&request.rp.id);
        // Step 12: an excluded credential that this device holds for this RP ends the operation,
        // after a touch so that a silent probe cannot learn which credentials exist; "regardless
        // of whether user presence is obtained or the authenticator times out" the answer is
        // CTAP2_ERR_CREDENTIAL_EXCLUDED. Only the platform's cancel ends it otherwise.
        let excluded = request.exclude_list.iter().any(|descriptor| {
            self.live_credential(&descriptor.id, &rp_id_hash).is_some_and(|(secret, _)| {
                secret.cred_protect != CredProtect::UvRequired || verification.verified()
            })
        });
        if excluded {
            return match self.ensure_presence(&mut verification, signals) {
                Err(StatusCode::KeepaliveCancel) => Err(StatusCode::KeepaliveCancel),
                _ => Err(StatusCode::CredentialExcluded),
            };
        }
        if rk && self.resident_count_after_insert(&request) > self.config.max_resident_credentials {
            return Err(StatusCode::KeyStoreFull);
        }
        // Step 14: user presence (always required to create a credential).
        self.test_presence(&mut verification, signals)?;
        // Step 13: extensions (after presence, so that `uvm` reports what really happened).
        let extensions = self.make_credential_extensions(&request.extensions, &request.rp.id, &verification);
        // Step 15: the key pair, its credential ID, authenticator data and attestation.
        let secret = CredentialSecret {
            key: PrivateKey::generate(algorithm),
            cred_protect: extensions.cred_protect,
            discoverable: rk,
            hmac_secret: extensions.hmac_secret,
            cred_blob: extensions.cred_blob.clone(),
        };
        let (credential_id, mut response) =
            self.attested_credential(&secret, &rp_id_hash, &verification, extensions.outputs, &request);
        // §12.3: the credential's largeBlobKey in response member 0x05.
        response.large_blob_key =
            wants_large_blob_key.then(|| large_blob_key(&self.state.master_key, &credential_id));
        // Steps 16-17: a discoverable credential replaces any older one for the same RP and user.
        if rk {
            self.store_resident(credential_id, request.rp, request.user)?;
        }
        if token.is_some() {
            self.spend_token();
        }
        Ok(response)
    }

    /// Step 15: seals `secret` into a credential ID and builds the authenticator data (UP as
    /// tested, UV as verified, the backup flags) and its attestation statement.
    fn attested_credential(
        &self,
        secret: &CredentialSecret,
        rp_id_hash: &[u8; 32],
        verification: &Verification,
        extension_outputs: ExtensionOutputs,
        request: &MakeCredentialRequest,
    ) -> (Vec<u8>, MakeCredentialResponse) {
        let credential_id = secret.seal(&self.state.master_key, rp_id_hash);
        let sign_count = self.initial_counter();
        let flag_bits = self.presence_and_verification_flags(verification) | self.backup_flags();
        let auth_data = self.encode_auth_data(AuthenticatorData {
            rp_id_hash: self.announced_rp_id_hash(*rp_id_hash),
            flags: flag_bits,
            sign_count,
            attested_credential: Some(AttestedCredentialData {
                aaguid: self.announced_aaguid(),
                credential_id: credential_id.clone(),
                public_key: self.announced_public_key(&secret.key),
            }),
            extensions: extension_outputs,
        });
        let statement = self.attestation_statement(&secret.key, &auth_data, &request.client_data_hash);
        (credential_id, MakeCredentialResponse { auth_data, statement, large_blob_key: None })
    }

    /// Steps 16-17: stores a discoverable credential, replacing any older one for the same RP
    /// and user.
    /// Keeps a discoverable credential, replacing the same user's older one for the RP
    /// (CTAP 2.1 §6.1.2 step 18).
    pub(super) fn store_resident(
        &mut self,
        credential_id: Vec<u8>,
        rp: RpEntity,
        user: UserEntity,
    ) -> Result<(), StatusCode> {
        let resident = ResidentCredential {
            credential_id,
            rp_id: rp.id,
            rp_name: rp.name,
            user,
            sequence: self.state.next_sequence,
        };
        self.commit(|state| {
            state.resident.retain(|c| !(c.rp_id == resident.rp_id && c.user.id == resident.user.id));
            state.resident.push(resident);
            state.next_sequence += 1;
        })
    }

    fn resident_count_after_insert(&self, request: &MakeCredentialRequest) -> usize {
        let replaced =
            self.state.resident.iter().any(|c| c.rp_id == request.rp.id && c.user.id == request.user.id);
        self.state.resident.len() + usize::from(!replaced)
    }

    /// BE and BS as configured (WebAuthn L3 §6.1); BS without BE under
    /// `danger_backup_state_without_eligibility`.
    pub(super) fn backup_flags(&self) -> u8 {
        if self.config.danger.danger_backup_state_without_eligibility {
            return flags::BS;
        }
        let backup = self.config.backup;
        (if backup.eligible { flags::BE } else { 0 }) | (if backup.state { flags::BS } else { 0 })
    }

    /// The counter a new credential starts at: its own counters start at zero; the global one
    /// is shown as it stands.
    fn initial_counter(&self) -> u32 {
        if let Some(counter) = self.regressing_initial_counter() {
            return counter;
        }
        match self.config.counter {
            crate::config::CounterMode::Global => self.state.global_counter,
            crate::config::CounterMode::PerCredential | crate::config::CounterMode::Zero => 0,
        }
    }
}

#[cfg(test)]
mod tests;
