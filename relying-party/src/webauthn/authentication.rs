//! Authentication (WebAuthn L3 §7.2): username-first or discoverable, and the evidence of the
//! verified assertion.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::{Deserialize, Serialize};
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    CredentialID, PublicKeyCredential, RequestAuthenticationExtensions, RequestChallengeResponse,
};

use super::{Ceremonies, CeremonyError, RegisteredCredential, client_data};
use crate::authenticator_data::assertion_evidence;
use crate::evidence::AssertionEvidence;

/// A sign-in in progress. Keep it server side and hand it to
/// [`Ceremonies::finish_authentication`] once.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuthenticationState {
    /// The user of a username-first sign-in; `None` for a discoverable one.
    user_id: Option<Vec<u8>>,
    /// allowCredentials (empty for a discoverable sign-in).
    allowed: Vec<CredentialID>,
    inner: webauthn_rs_core::proto::AuthenticationState,
}

/// A verified assertion: who signed in, with which credential, and what the RP may conclude.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// The user handle of the credential's owner.
    pub user_id: Vec<u8>,
    /// The credential used.
    pub credential_id: CredentialID,
    /// The signature counter of this assertion.
    pub counter: u32,
    /// UP, UV, BE, BS, `uvm` from the signed authenticator data, and the attestation judged at
    /// registration: the input of [`crate::policy::auth_context`].
    pub evidence: AssertionEvidence,
}

impl VerifiedAssertion {
    /// Brings the stored credential up to date (counter, backup state); returns whether it
    /// changed, i.e. whether to write it back.
    pub fn update(&self, stored: &mut RegisteredCredential) -> bool {
        let mut changed = false;
        if self.counter > stored.credential.counter {
            stored.credential.counter = self.counter;
            changed = true;
        }
        if self.evidence.backup_state != stored.credential.backup_state {
            stored.credential.backup_state = self.evidence.backup_state;
            changed = true;
        }
        changed
    }
}

impl Ceremonies {
    /// Starts a username-first sign-in with the user's credentials (allowCredentials).
    pub fn start_authentication(
        &self,
        credentials: &[RegisteredCredential],
    ) -> Result<(RequestChallengeResponse, AuthenticationState), CeremonyError> {
        let first = credentials.first().ok_or(CeremonyError::NoCredentials)?;
        if credentials.iter().any(|c| c.user_id != first.user_id) {
            return Err(CeremonyError::MixedUsers);
        }
        let allowed = credentials.iter().map(|c| c.credential.cred_id.clone()).collect();
        let creds = credentials.iter().map(|c| c.credential.clone()).collect();
        self.start(Some(first.user_id.clone()), allowed, creds)
    }

    /// Starts a discoverable sign-in (no username; empty allowCredentials, conditional UI).
    pub fn start_discoverable_authentication(
        &self,
    ) -> Result<(RequestChallengeResponse, AuthenticationState), CeremonyError> {
        self.start(None, Vec::new(), Vec::new())
    }

    fn start(
        &self,
        user_id: Option<Vec<u8>>,
        allowed: Vec<CredentialID>,
        creds: Vec<webauthn_rs_core::proto::Credential>,
    ) -> Result<(RequestChallengeResponse, AuthenticationState), CeremonyError> {
        let policy = self.user_verification.policy();
        // The policy reads the `uvm` output (WebAuthn L2 §10.3), so the RP asks for it.
        let uvm = RequestAuthenticationExtensions { appid: None, uvm: Some(true), hmac_get_secret: None };
        let builder =
            self.core.new_challenge_authenticate_builder(creds, Some(policy))?.extensions(Some(uvm));
        let (options, mut inner) = self.core.generate_challenge_authenticate(builder)?;
        // The credential is looked up afresh at finish (current counter); the state keeps IDs
        // only, which keeps it small.
        inner.set_allowed_credentials(Vec::new());
        Ok((options, AuthenticationState { user_id, allowed, inner }))
    }

    /// Verifies the browser's `get()` response against `state`. `lookup` finds the stored
    /// credential by ID (a caller that must look it up asynchronously can do so first, from
    /// [`PublicKeyCredential::get_credential_id`], and pass `|_| Some(found)`).
    pub fn finish_authentication(
        &self,
        response: &PublicKeyCredential,
        state: AuthenticationState,
        lookup: impl FnOnce(&[u8]) -> Option<RegisteredCredential>,
    ) -> Result<VerifiedAssertion, CeremonyError> {
        let AuthenticationState { user_id, allowed, inner } = state;
        check_credential_fields(&response.id, &response.raw_id, &response.type_)?;
        // §7.2: "If options.allowCredentials is not empty, verify that credential.id
        // identifies one of the public key credentials listed in options.allowCredentials."
        if !allowed.is_empty() && !allowed.contains(&response.raw_id) {
            return Err(CeremonyError::CredentialNotAllowed);
        }
        let stored = lookup(&response.raw_id)
            .filter(|stored| stored.id() == response.raw_id.as_slice())
            .ok_or(CeremonyError::UnknownCredential)?;
        check_owner(user_id.as_deref(), response.get_user_unique_id(), &stored.user_id)?;
        // §7.2 step 15: not in a cross-origin frame, no topOrigin.
        client_data::check_not_embedded(response.response.client_data_json.as_ref())?;
        // §7.2: client data (type, challenge, origin, crossOrigin), rpIdHash, UP, UV (by this
        // ceremony's policy and the credential's UV at registration), BE/BS consistency, the
        // signature, the signature counter.
        let result = self.core.authenticate_single_credential(response, &inner, &stored.credential).map_err(
            |error| match error {
                WebauthnError::CredentialPossibleCompromise => CeremonyError::CounterNotIncreased {
                    stored: stored.counter(),
                    received: signed_counter(&response.response.authenticator_data),
                },
                other => other.into(),
            },
        )?;
        let evidence = assertion_evidence(&response.response.authenticator_data, stored.attestation.clone())?;
        Ok(VerifiedAssertion {
            user_id: stored.user_id,
            credential_id: result.cred_id().clone(),
            counter: result.counter(),
            evidence,
        })
    }
}

/// WebAuthn L3 §5.1: `id` is the base64url encoding of `rawId`, `type` is "public-key".
fn check_credential_fields(id: &str, raw_id: &[u8], type_: &str) -> Result<(), CeremonyError> {
    if type_ != "public-key" {
        return Err(CeremonyError::Malformed(format!("credential type {type_:?}")));
    }
    if Base64UrlUnpadded::encode_string(raw_id) != id.trim_end_matches('=') {
        return Err(CeremonyError::Malformed("id is not the base64url encoding of rawId".into()));
    }
    Ok(())
}

/// §7.2: "If the user was identified before the authentication ceremony was initiated ...
/// verify that the identified user is the owner of credentialSource. If response.userHandle
/// is present ... verify that userHandle also maps to the same user." "If the user was not
/// identified ... verify that response.userHandle is present, and that the user identified by
/// this value is the owner of credentialSource."
fn check_owner(
    expected: Option<&[u8]>,
    user_handle: Option<&[u8]>,
    owner: &[u8],
) -> Result<(), CeremonyError> {
    match (expected, user_handle) {
        (Some(expected), _) if expected != owner => Err(CeremonyError::WrongUser),
        (None, None) => Err(CeremonyError::MissingUserHandle),
        (_, Some(handle)) if handle != owner => Err(CeremonyError::WrongUser),
        _ => Ok(()),
    }
}

/// signCount of authenticator data (bytes 33..37), 0 when too short (for an error message).
fn signed_counter(auth_data: &[u8]) -> u32 {
    auth_data.get(33..37).and_then(|b| <[u8; 4]>::try_from(b).ok()).map_or(0, u32::from_be_bytes)
}
