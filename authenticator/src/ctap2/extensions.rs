//! Extension processing (CTAP 2.1 §12; `uvm`: WebAuthn L2 §10.3).

use super::credential::{CredProtect, CredentialSecret};
use super::get_info::MAX_CRED_BLOB_LENGTH;
use super::verification::{UvMethod, Verification};
use super::{Authenticator, ctap20};
use crate::config::{KeyProtection, UvCapability};
use crate::proto::StatusCode;
use crate::proto::auth_data::{CredBlobOutput, ExtensionOutputs, HmacSecretOutput, UvmEntry};
use crate::proto::request::{CredBlobInput, ExtensionInputs, HmacSecretInput};

/// FIDO Registry §3.1 `USER_VERIFY_PRESENCE_INTERNAL`.
const USER_VERIFY_PRESENCE_INTERNAL: u32 = 0x0000_0001;
/// FIDO Registry §3.1 `USER_VERIFY_PASSCODE_EXTERNAL` (a PIN typed on the platform).
const USER_VERIFY_PASSCODE_EXTERNAL: u32 = 0x0000_0800;
/// FIDO Registry §3.1 `USER_VERIFY_NONE`.
const USER_VERIFY_NONE: u32 = 0x0000_0200;
/// FIDO Registry §3.4 matcher protection types.
const MATCHER_PROTECTION_SOFTWARE: u16 = 0x0001;
const MATCHER_PROTECTION_TEE: u16 = 0x0002;
const MATCHER_PROTECTION_ON_CHIP: u16 = 0x0004;

/// What makeCredential's extensions decided.
#[derive(Debug)]
pub(super) struct CreationExtensions {
    /// credProtect policy of the new credential.
    pub cred_protect: CredProtect,
    /// hmac-secret was requested.
    pub hmac_secret: bool,
    /// credBlob to store.
    pub cred_blob: Option<Vec<u8>>,
    /// The extension outputs for authenticator data.
    pub outputs: ExtensionOutputs,
}

impl Authenticator {
    /// makeCredential extensions; unsupported or unrequested ones produce no output.
    pub(super) fn make_credential_extensions(
        &self,
        inputs: &ExtensionInputs,
        rp_id: &str,
        verification: &Verification,
    ) -> CreationExtensions {
        let supported = ctap20::known_extensions(self.config.generation, self.config.extensions);
        let mut outputs = ExtensionOutputs::default();
        // CTAP 2.1 §12.1: an unknown level is ignored like an unknown extension.
        let requested_protect =
            inputs.cred_protect.and_then(CredProtect::from_level).filter(|_| supported.cred_protect);
        outputs.cred_protect = requested_protect.map(|level| level as u8);
        let hmac_secret = supported.hmac_secret && inputs.hmac_secret == Some(HmacSecretInput::Create);
        if hmac_secret {
            outputs.hmac_secret = Some(HmacSecretOutput::Created);
        }
        // CTAP 2.1 §12.2: store the blob when it fits; say whether it was stored.
        let mut cred_blob = None;
        if let (true, Some(CredBlobInput::Store(blob))) = (supported.cred_blob, &inputs.cred_blob) {
            let fits = blob.len() <= MAX_CRED_BLOB_LENGTH;
            if fits {
                cred_blob = Some(blob.clone());
            }
            outputs.cred_blob = Some(CredBlobOutput::Stored(fits));
        }
        if supported.uvm && inputs.uvm {
            outputs.uvm = Some(self.uvm_output(verification));
        }
        // CTAP 2.1 §12.4: the minimum PIN length, only to RPs the owner allowed.
        if inputs.min_pin_length
            && self.supports_client_pin()
            && ctap20::knows_min_pin_length_extension(self.config.generation)
            && self.state.min_pin_length_rp_ids.iter().any(|allowed| allowed == rp_id)
        {
            outputs.min_pin_length = Some(self.state.min_pin_length);
        }
        CreationExtensions {
            cred_protect: requested_protect.unwrap_or(CredProtect::UvOptional),
            hmac_secret,
            cred_blob,
            outputs,
        }
    }

    /// getAssertion extensions for one credential.
    pub(super) fn assertion_extensions(
        &self,
        inputs: &ExtensionInputs,
        secret: &CredentialSecret,
        credential_id: &[u8],
        verification: &Verification,
    ) -> Result<ExtensionOutputs, StatusCode> {
        let supported = ctap20::known_extensions(self.config.generation, self.config.extensions);
        let mut outputs = ExtensionOutputs::default();
        if supported.cred_blob && inputs.cred_blob == Some(CredBlobInput::Retrieve) {
            outputs.cred_blob = Some(CredBlobOutput::Blob(secret.cred_blob.clone().unwrap_or_default()));
        }
        if let (true, true, Some(HmacSecretInput::Get { key_agreement, salt_enc, salt_auth, protocol })) =
            (supported.hmac_secret, secret.hmac_secret, &inputs.hmac_secret)
        {
            let output = self.hmac_secret_output(
                credential_id,
                verification.verified(),
                key_agreement,
                salt_enc,
                salt_auth,
                *protocol,
            )?;
            outputs.hmac_secret = Some(HmacSecretOutput::Output(output));
        }
        if supported.uvm && inputs.uvm {
            outputs.uvm = Some(self.uvm_output(verification));
        }
        Ok(outputs)
    }

    /// Under `danger_uv_without_verification`, the method the lie names when none was used: the
    /// model's own (its sensor, or the PIN).
    fn claimed_uv_method(&self) -> Option<UvMethod> {
        if !self.config.danger.danger_uv_without_verification {
            return None;
        }
        match self.config.uv {
            UvCapability::Builtin { modality, .. } => Some(UvMethod::Builtin(modality)),
            UvCapability::ClientPin => Some(UvMethod::Pin),
            UvCapability::None => None,
        }
    }

    /// The `uvm` output: one entry `[userVerificationMethod, keyProtectionType,
    /// matcherProtectionType]` for the method used in this ceremony (WebAuthn L2 §10.3).
    fn uvm_output(&self, verification: &Verification) -> UvmEntry {
        let method = verification.method.or_else(|| self.claimed_uv_method());
        let method = match (method, verification.presence) {
            (Some(UvMethod::Builtin(modality)), _) => modality.fido_uvm_bit(),
            (Some(UvMethod::Pin), _) => USER_VERIFY_PASSCODE_EXTERNAL,
            (None, true) => USER_VERIFY_PRESENCE_INTERNAL,
            (None, false) => USER_VERIFY_NONE,
        };
        let key_protection = self.config.key_protection;
        let matcher = match key_protection {
            KeyProtection::Software => MATCHER_PROTECTION_SOFTWARE,
            KeyProtection::Tee => MATCHER_PROTECTION_TEE,
            KeyProtection::Hardware | KeyProtection::SecureElement => MATCHER_PROTECTION_ON_CHIP,
        };
        UvmEntry {
            user_verification_method: method,
            key_protection_type: key_protection.fido_bits(),
            matcher_protection_type: matcher,
        }
    }
}
