//! authenticatorGetInfo (CTAP 2.1 §6.4).

use super::Authenticator;
use super::credential::MAX_CREDENTIAL_ID_LENGTH;
use crate::attestation;
use crate::config::UvCapability;
use crate::proto::response::GetInfoResponse;

/// Largest request accepted (the CTAPHID maximum message, CTAP 2.1 §11.2.4).
pub const MAX_MSG_SIZE: u32 = 7609;
/// Most credentials accepted in an allowList or excludeList.
pub const MAX_CREDENTIAL_COUNT_IN_LIST: usize = 16;
/// Longest credBlob stored (CTAP 2.1 §12.2 requires at least 32).
pub const MAX_CRED_BLOB_LENGTH: usize = 32;

impl Authenticator {
    pub(super) fn get_info(&self) -> GetInfoResponse {
        let extensions = self.config.extensions;
        let mut extension_ids = Vec::new();
        if extensions.cred_protect {
            extension_ids.push("credProtect");
        }
        if extensions.hmac_secret {
            extension_ids.push("hmac-secret");
        }
        if extensions.cred_blob {
            extension_ids.push("credBlob");
        }
        if extensions.uvm {
            extension_ids.push("uvm");
        }
        // Options (CTAP 2.1 §6.4 "options"): absent means unsupported.
        let mut options = vec![("rk", true), ("up", true), ("plat", false)];
        match self.config.uv {
            UvCapability::None => {}
            // clientPin present and false: supported, no PIN set yet.
            UvCapability::ClientPin => options.push(("clientPin", false)),
            UvCapability::Builtin { enrolled, .. } => options.push(("uv", enrolled)),
        }
        if self.config.uv != UvCapability::None {
            // Non-discoverable credentials without UV stay possible on a protected device.
            options.push(("makeCredUvNotRqd", true));
        }
        let remaining = self.config.max_resident_credentials.saturating_sub(self.state.resident.len());
        GetInfoResponse {
            versions: vec!["FIDO_2_0", "FIDO_2_1"],
            extensions: extension_ids,
            aaguid: attestation::aaguid(self.config.model()),
            options,
            max_msg_size: MAX_MSG_SIZE,
            pin_uv_auth_protocols: self.pin_uv_auth_protocols(),
            max_credential_count_in_list: MAX_CREDENTIAL_COUNT_IN_LIST as u32,
            max_credential_id_length: MAX_CREDENTIAL_ID_LENGTH as u32,
            transports: vec!["usb"],
            algorithms: self.config.algorithms.iter().map(|a| a.cose_id()).collect(),
            firmware_version: 1,
            max_cred_blob_length: extensions.cred_blob.then_some(MAX_CRED_BLOB_LENGTH as u32),
            remaining_discoverable_credentials: u32::try_from(remaining).unwrap_or(u32::MAX),
        }
    }
}
