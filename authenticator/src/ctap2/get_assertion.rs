//! authenticatorGetAssertion (CTAP 2.1 §6.2) and authenticatorGetNextAssertion (§6.3).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::credential::{CredProtect, CredentialSecret};
use super::get_info::MAX_CREDENTIAL_COUNT_IN_LIST;
use super::large_blobs::large_blob_key;
use super::verification::Verification;
use super::{Authenticator, ctap20, rp_id_hash};
use crate::config::CounterMode;
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::auth_data::AuthenticatorData;
use crate::proto::request::{ExtensionInputs, GetAssertionRequest, UserEntity};
use crate::proto::response::GetAssertionResponse;
use crate::signals::Signals;

/// How long getNextAssertion may follow getAssertion (CTAP 2.1 §6.2.2: 30 seconds).
const NEXT_ASSERTION_WINDOW: Duration = Duration::from_secs(30);

/// A credential that can answer this getAssertion.
#[derive(Clone, Debug)]
struct Candidate {
    credential_id: Vec<u8>,
    secret: CredentialSecret,
    /// The stored user entity, for discoverable credentials.
    user: Option<UserEntity>,
}

/// What getAssertion established, reused by getNextAssertion.
#[derive(Clone, Debug)]
struct AssertionContext {
    rp_id_hash: [u8; 32],
    client_data_hash: Vec<u8>,
    extensions: ExtensionInputs,
    verification: Verification,
    /// The credentials were found without an allowList (a discoverable sign-in).
    discoverable: bool,
}

/// The remaining credentials of a discoverable getAssertion, for getNextAssertion.
#[derive(Clone, Debug)]
pub struct PendingAssertions {
    context: AssertionContext,
    remaining: VecDeque<Candidate>,
    deadline: Instant,
}

impl Authenticator {
    pub(super) fn get_assertion(
        &mut self,
        request: GetAssertionRequest,
        signals: &Signals,
    ) -> Result<GetAssertionResponse, StatusCode> {
        // Steps 1-2: pinUvAuthParam (the zero-length probe, the protocol, the token).
        let token = match &request.pin_uv_auth {
            Some(auth) => Some(self.check_pin_uv_auth(
                auth,
                &request.client_data_hash,
                Permissions::GET_ASSERTION,
                &request.rp_id,
                signals,
            )?),
            None => None,
        };
        // Step 5: options. "rk" is not an option of getAssertion; "uv" needs built-in UV and
        // is ignored when a pinUvAuthParam is present.
        if request.options.rk.is_some() {
            return Err(ctap20::get_assertion_rk_option(self.config.generation));
        }
        // CTAP 2.1 §12.3: largeBlobKey only as `true`.
        self.wants_large_blob_key(request.extensions.large_blob_key, true)?;
        let up = request.options.up.unwrap_or(true);
        let uv = token.is_none() && request.options.uv.unwrap_or(false);
        if token.is_none() {
            self.check_uv_option(uv)?;
        }
        self.check_always_uv(token.is_some(), uv)?;
        if request.allow_list.as_ref().is_some_and(|list| list.len() > MAX_CREDENTIAL_COUNT_IN_LIST) {
            return Err(StatusCode::LimitExceeded);
        }
        // Step 6: user verification: the token's, or built-in.
        let mut verification = match token {
            Some(verification) => verification,
            None if uv => self.verify_builtin(signals)?,
            None => Verification::default(),
        };
        // Step 7: locate the applicable credentials.
        let rp_id_hash = rp_id_hash(&request.rp_id);
        let discoverable = request.allow_list.is_none();
        let mut candidates = match &request.allow_list {
            Some(list) => list
                .iter()
                .filter_map(|descriptor| self.candidate(&descriptor.id, &rp_id_hash))
                .filter(|c| c.secret.cred_protect != CredProtect::UvRequired || verification.verified())
                .take(1)
                .collect::<VecDeque<_>>(),
            None => self.discoverable_candidates(&request.rp_id, &rp_id_hash, verification.verified()),
        };
        let Some(first) = candidates.pop_front() else {
            return Err(StatusCode::NoCredentials);
        };
        // Step 8: user presence, unless the platform asked for a silent assertion, which
        // never reports UP (even when a token or a biometric touch could vouch for it).
        if up {
            self.test_presence(&mut verification, signals)?;
        } else {
            verification.presence = false;
        }
        let context = AssertionContext {
            rp_id_hash,
            client_data_hash: request.client_data_hash,
            extensions: request.extensions,
            verification,
            discoverable,
        };
        let number_of_credentials = u32::try_from(candidates.len() + 1).unwrap_or(u32::MAX);
        let mut response = self.sign_assertion(&context, &first)?;
        // §6.2.2: an assertion with user presence spends the token (a silent pre-flight with
        // up=false does not, so the platform can filter its allowList first).
        if token.is_some() && up {
            self.spend_token();
        }
        if !candidates.is_empty() {
            response.number_of_credentials = Some(number_of_credentials);
            self.volatile.pending_assertions = Some(PendingAssertions {
                context,
                remaining: candidates,
                deadline: self.clock.now() + NEXT_ASSERTION_WINDOW,
            });
        }
        Ok(response)
    }

    pub(super) fn get_next_assertion(&mut self) -> Result<GetAssertionResponse, StatusCode> {
        let mut pending = self.volatile.pending_assertions.take().ok_or(StatusCode::NotAllowed)?;
        if self.clock.now() > pending.deadline {
            return Err(StatusCode::NotAllowed);
        }
        let candidate = pending.remaining.pop_front().ok_or(StatusCode::NotAllowed)?;
        let response = self.sign_assertion(&pending.context, &candidate)?;
        if !pending.remaining.is_empty() {
            self.volatile.pending_assertions = Some(pending);
        }
        Ok(response)
    }

    /// A live credential of this device for this RP, with its stored user if discoverable.
    fn candidate(&self, credential_id: &[u8], rp_id_hash: &[u8; 32]) -> Option<Candidate> {
        let (secret, user) = self.live_credential(credential_id, rp_id_hash)?;
        Some(Candidate { credential_id: credential_id.to_vec(), secret, user })
    }

    /// Discoverable credentials for `rp_id`, newest first (step 9), without those whose
    /// credProtect policy hides them when the user was not verified (CTAP 2.1 §12.1).
    fn discoverable_candidates(
        &self,
        rp_id: &str,
        rp_id_hash: &[u8; 32],
        verified: bool,
    ) -> VecDeque<Candidate> {
        let mut resident: Vec<_> = self.state.resident.iter().filter(|c| c.rp_id == rp_id).collect();
        resident.sort_by_key(|c| std::cmp::Reverse(c.sequence));
        resident
            .into_iter()
            .filter_map(|c| self.candidate(&c.credential_id, rp_id_hash))
            .filter(|c| c.secret.cred_protect == CredProtect::UvOptional || verified)
            .collect()
    }

    /// Step 11-12: authenticator data, extension outputs, counter, signature.
    fn sign_assertion(
        &mut self,
        context: &AssertionContext,
        candidate: &Candidate,
    ) -> Result<GetAssertionResponse, StatusCode> {
        let extensions = self.assertion_extensions(
            &context.extensions,
            &candidate.secret,
            &candidate.credential_id,
            &context.verification,
        )?;
        let sign_count = self.advance_counter(&candidate.credential_id)?;
        let flag_bits = self.backup_flags() | self.presence_and_verification_flags(&context.verification);
        let auth_data = self.encode_auth_data(AuthenticatorData {
            rp_id_hash: self.announced_rp_id_hash(context.rp_id_hash),
            flags: flag_bits,
            sign_count,
            attested_credential: None,
            extensions,
        });
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&context.client_data_hash);
        let signature = self.assertion_signature(&candidate.secret.key, &signed);
        // Step 12: user-identifiable information only after user verification in a
        // discoverable sign-in; the user handle of a discoverable credential always.
        let user = candidate.user.clone().map(|user| {
            if context.discoverable && context.verification.verified() {
                user
            } else {
                UserEntity { id: user.id, name: None, display_name: None }
            }
        });
        Ok(GetAssertionResponse {
            credential_id: candidate.credential_id.clone(),
            auth_data,
            signature,
            user,
            number_of_credentials: None,
            large_blob_key: self.assertion_large_blob_key(context, candidate),
        })
    }

    /// CTAP 2.1 §12.3: the largeBlobKey of a discoverable credential (response member 0x07)
    /// when the extension asked for it; a non-discoverable credential has none.
    fn assertion_large_blob_key(
        &self,
        context: &AssertionContext,
        candidate: &Candidate,
    ) -> Option<[u8; 32]> {
        (context.extensions.large_blob_key == Some(true)
            && self.supports_large_blobs()
            && candidate.secret.discoverable)
            .then(|| large_blob_key(&self.state.master_key, &candidate.credential_id))
    }

    /// Advances and persists the signature counter of `credential_id` per the counter mode.
    /// Under `danger_counter_regression` the credential's counter goes down instead, whatever
    /// the mode.
    pub(super) fn advance_counter(&mut self, credential_id: &[u8]) -> Result<u32, StatusCode> {
        let key = counter_key(credential_id);
        if let Some(next) = self.regressing_counter(self.state.credential_counters.get(&key).copied()) {
            self.commit(|state| {
                state.credential_counters.insert(key, next);
            })?;
            return Ok(next);
        }
        match self.config.counter {
            CounterMode::Zero => Ok(0),
            CounterMode::Global => {
                let next = self.state.global_counter.wrapping_add(1);
                self.commit(|state| state.global_counter = next)?;
                Ok(next)
            }
            CounterMode::PerCredential => {
                let next = self.state.credential_counters.get(&key).copied().unwrap_or(0).wrapping_add(1);
                self.commit(|state| {
                    state.credential_counters.insert(key, next);
                })?;
                Ok(next)
            }
        }
    }
}

/// The per-credential counter key: a digest, so the state file holds no credential IDs twice.
fn counter_key(credential_id: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(credential_id)[..16])
}

#[cfg(test)]
mod tests;
