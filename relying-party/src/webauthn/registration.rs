//! Registration (WebAuthn L3 §7.1) and the judgement of its attestation.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use webauthn_rs_core::attestation::verify_attestation_ca_chain;
use webauthn_rs_core::proto::{
    AttestationCaList, AttestationCaListBuilder, AttestationConveyancePreference, AttestationFormat,
    AttestationMetadata, CreationChallengeResponse, Credential, CredentialID, ParsedAttestationData,
    PublicKeyCredentialDescriptor, RegisterPublicKeyCredential, RequestRegistrationExtensions,
};

use super::{Ceremonies, CeremonyError, client_data, fido_u2f};
use crate::evidence::{Attestation, MetadataFacts};
use crate::metadata::Statement;

/// WebAuthn L3 §5.4.3: a user handle is at most 64 bytes.
const MAX_USER_ID_LEN: usize = 64;
/// WebAuthn L3 §7.1: "Verify that the credentialId is ≤ 1023 bytes."
const MAX_CREDENTIAL_ID_LEN: usize = 1023;

/// The account a credential is created for (WebAuthn L3 §5.4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserIdentity<'a> {
    /// The user handle: opaque, 1 to 64 bytes, no personal data.
    pub id: &'a [u8],
    /// The account name (e.g. the username).
    pub name: &'a str,
    /// The name shown to the user.
    pub display_name: &'a str,
}

/// Whether the credential must be discoverable (a passkey for username-less sign-in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Discoverability {
    /// `residentKey: "required"`.
    Required,
    /// `residentKey: "discouraged"` (a server-side credential, e.g. a second factor).
    Discouraged,
}

/// A registration in progress. Keep it server side and hand it to
/// [`Ceremonies::finish_registration`] once.
#[derive(Debug, Serialize, Deserialize)]
pub struct RegistrationState {
    user_id: Vec<u8>,
    exclude: Vec<CredentialID>,
    pub(super) inner: webauthn_rs_core::proto::RegistrationState,
}

/// A verified new credential: what the RP stores for the user (serde-serialisable).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RegisteredCredential {
    /// The user handle it was created for.
    pub user_id: Vec<u8>,
    /// The `webauthn-rs` credential: ID, public key, counter, UV at registration, BE and BS at
    /// registration, the attestation chain.
    pub credential: Credential,
    /// The attestation as judged at registration (with the trusted model's metadata facts).
    #[serde(with = "super::record")]
    pub attestation: Attestation,
}

/// Credentials compare by their serialised form: webauthn-rs's `Credential` has no `PartialEq`.
impl PartialEq for RegisteredCredential {
    fn eq(&self, other: &Self) -> bool {
        self.user_id == other.user_id
            && self.attestation == other.attestation
            && serde_json::to_value(&self.credential).ok() == serde_json::to_value(&other.credential).ok()
    }
}

impl Eq for RegisteredCredential {}

impl RegisteredCredential {
    /// The credential ID.
    pub fn id(&self) -> &[u8] {
        &self.credential.cred_id
    }

    /// BE as signed at registration: the credential may be synced.
    pub fn backup_eligible(&self) -> bool {
        self.credential.backup_eligible
    }

    /// BS as last seen: the credential is backed up.
    pub fn backup_state(&self) -> bool {
        self.credential.backup_state
    }

    /// The stored signature counter.
    pub fn counter(&self) -> u32 {
        self.credential.counter
    }
}

impl Ceremonies {
    /// Starts a registration for `user`; `exclude` lists the user's existing credential IDs so
    /// that an authenticator holding one of them declines (and the RP refuses it).
    pub fn start_registration(
        &self,
        user: UserIdentity<'_>,
        exclude: &[CredentialID],
        discoverability: Discoverability,
    ) -> Result<(CreationChallengeResponse, RegistrationState), CeremonyError> {
        if user.id.is_empty() || user.id.len() > MAX_USER_ID_LEN {
            return Err(CeremonyError::InvalidUser("the user id must be 1 to 64 bytes"));
        }
        let builder = self
            .core
            .new_challenge_register_builder(user.id, user.name, user.display_name)?
            .attestation(AttestationConveyancePreference::Direct)
            .user_verification_policy(self.user_verification.policy())
            .require_resident_key(discoverability == Discoverability::Required)
            // The policy reads the `uvm` output (WebAuthn L2 §10.3), so the RP asks for it; a
            // client or authenticator without it simply returns none.
            .extensions(Some(RequestRegistrationExtensions {
                uvm: Some(true),
                cred_props: Some(true),
                ..RequestRegistrationExtensions::default()
            }));
        let (mut options, inner) = self.core.generate_challenge_register(builder)?;
        // The exclusion list goes to the client only: `webauthn-rs-core` reports an excluded
        // credential as `CredentialAlteredAlgFromRequest`, so the RP checks it itself.
        if !exclude.is_empty() {
            options.public_key.exclude_credentials = Some(
                exclude
                    .iter()
                    .map(|id| PublicKeyCredentialDescriptor {
                        type_: "public-key".into(),
                        id: id.clone(),
                        transports: None,
                    })
                    .collect(),
            );
        }
        Ok((options, RegistrationState { user_id: user.id.to_vec(), exclude: exclude.to_vec(), inner }))
    }

    /// Verifies the browser's `create()` response against `state`, and judges its attestation.
    pub fn finish_registration(
        &self,
        response: &RegisterPublicKeyCredential,
        state: RegistrationState,
    ) -> Result<RegisteredCredential, CeremonyError> {
        let RegistrationState { user_id, exclude, inner } = state;
        // §7.1: client data (type, challenge, origin, crossOrigin), rpIdHash, UP, UV when
        // required, the algorithm, the attestation statement. No CA list: trust is judged
        // below, so that self, none and untrusted chains register and are recorded as such.
        // §7.1 step 11: not in a cross-origin frame, no topOrigin.
        client_data::check_not_embedded(response.response.client_data_json.as_ref())?;
        // §8.6: what the library leaves out of the fido-u2f verification procedure.
        fido_u2f::check_statement(response.response.attestation_object.as_ref())?;
        let credential = self.core.register_credential(response, &inner, None)?;
        crate::authenticator_data::check_registration_layout(response.response.attestation_object.as_ref())?;
        // §7.1: "If the BE bit of the flags in authData is not set, verify that the BS bit is
        // not set." (`webauthn-rs-core` checks it too; this is the rule's home here.)
        if credential.backup_state && !credential.backup_eligible {
            return Err(CeremonyError::BackupStateWithoutEligibility);
        }
        // §7.1: "Verify that the credentialId is ≤ 1023 bytes."
        if credential.cred_id.len() > MAX_CREDENTIAL_ID_LEN {
            return Err(CeremonyError::Malformed(format!(
                "credential ID of {} bytes (at most {MAX_CREDENTIAL_ID_LEN})",
                credential.cred_id.len()
            )));
        }
        if exclude.contains(&credential.cred_id) {
            return Err(CeremonyError::CredentialExcluded);
        }
        let attestation = self.judge_attestation(&credential);
        Ok(RegisteredCredential { user_id, credential, attestation })
    }

    /// §7.1 "Assess the attestation trustworthiness": a certificate chain is trusted when it
    /// verifies to a root of the metadata statement of the AAGUID it attests (for `fido-u2f`,
    /// which attests no AAGUID, of the statement listing its certificate's key identifier); a
    /// chain that does not, or a model no statement describes, is untrusted.
    pub fn judge_attestation(&self, credential: &Credential) -> Attestation {
        match &credential.attestation.data {
            ParsedAttestationData::None => Attestation::None,
            ParsedAttestationData::Self_ => Attestation::SelfAttested,
            ParsedAttestationData::Basic(_)
            | ParsedAttestationData::AttCa(_)
            | ParsedAttestationData::AnonCa(_) => {
                self.trusted_facts(credential).map_or(Attestation::Untrusted, Attestation::Trusted)
            }
            ParsedAttestationData::ECDAA | ParsedAttestationData::Uncertain => Attestation::Untrusted,
        }
    }

    fn trusted_facts(&self, credential: &Credential) -> Option<MetadataFacts> {
        if credential.attestation_format == AttestationFormat::FIDOU2F {
            return self.trusted_u2f_facts(credential);
        }
        let aaguid = match &credential.attestation.metadata {
            AttestationMetadata::Packed { aaguid } | AttestationMetadata::Tpm { aaguid, .. } => aaguid,
            _ => return None,
        };
        let statement = self.metadata.get(aaguid.as_bytes())?;
        let cas = self.trust_lists.get(aaguid.as_bytes())?;
        let anchor =
            verify_attestation_ca_chain(&credential.attestation.data, cas, SystemTime::now()).ok()??;
        // The list holds this AAGUID only; the check mirrors `register_credential`'s.
        (anchor.blanket_allow() || anchor.aaguids().contains_key(aaguid)).then(|| statement.facts.clone())
    }

    /// A U2F model is found by its attestation certificate's key identifier (FIDO MDS3 §3.1.1
    /// `attestationCertificateKeyIdentifiers`), then the certificate must chain to a root of that
    /// statement: the identifier alone is public, the chain shows the certificate was issued
    /// under the model's root.
    fn trusted_u2f_facts(&self, credential: &Credential) -> Option<MetadataFacts> {
        let ParsedAttestationData::Basic(chain) = &credential.attestation.data else {
            return None;
        };
        let key = fido_u2f::key_identifier(chain.first()?)?;
        let statement = self.metadata.by_key_identifier(&key)?;
        let cas = self.u2f_trust_lists.get(&key)?;
        verify_attestation_ca_chain(&credential.attestation.data, cas, SystemTime::now())
            .ok()
            .flatten()
            .map(|_| statement.facts.clone())
    }
}

/// The roots of one statement, each bound to the statement's AAGUID (the nil UUID for a U2F
/// statement, which has none).
pub(super) fn trust_list(statement: &Statement) -> AttestationCaList {
    let aaguid = statement.aaguid.map_or(uuid::Uuid::nil(), uuid::Uuid::from_bytes);
    let mut builder = AttestationCaListBuilder::new();
    for root in &statement.roots {
        // A root that is not a DER certificate is left out: it anchors nothing.
        let _ = builder.insert_device_der(root, aaguid, statement.description.clone(), BTreeMap::new());
    }
    builder.build()
}
