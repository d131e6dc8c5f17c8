//! authenticatorCredentialManagement (CTAP 2.1 §6.8): metadata, enumeration of RPs and
//! credentials, deletion, and user information updates, under a token with the cm permission.

use std::collections::VecDeque;

use sha2::{Digest, Sha256};

use super::{Authenticator, rp_id_hash};
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::credential_management::CredentialManagementRequest;
use crate::proto::pin_uv_auth::SubcommandAuth;
use crate::proto::request::{RpEntity, UserEntity};
use crate::proto::response::{CredentialEntry, CredentialManagementResponse, Response, RpEntry};
use crate::store::ResidentCredential;

/// An enumeration in progress, continued by the *GetNext* subcommands.
#[derive(Clone, Debug)]
pub enum Enumeration {
    /// Remaining RP entries.
    Rps(VecDeque<RpEntry>),
    /// Remaining credential entries.
    Credentials(VecDeque<CredentialEntry>),
}

impl Authenticator {
    /// authenticatorCredentialManagement (CTAP 2.1 §6.8): any subcommand ends an enumeration
    /// in progress, except the *GetNext* one that continues it.
    pub(super) fn credential_management(
        &mut self,
        request: CredentialManagementRequest,
    ) -> Result<Response, StatusCode> {
        if !self.supports_pin_uv_auth_token() {
            return Err(StatusCode::InvalidCommand);
        }
        let continuing = self.volatile.pending_enumeration.take();
        match request {
            CredentialManagementRequest::EnumerateRpsGetNextRp => next(continuing, true, self),
            CredentialManagementRequest::EnumerateCredentialsGetNextCredential => {
                next(continuing, false, self)
            }
            CredentialManagementRequest::GetCredsMetadata { auth } => {
                self.authorize_cm(&auth, None)?;
                let remaining =
                    self.config.max_resident_credentials.saturating_sub(self.state.resident.len());
                Ok(CredentialManagementResponse::CredsMetadata {
                    existing_count: self.state.resident.len() as u64,
                    remaining_count: remaining as u64,
                }
                .into())
            }
            CredentialManagementRequest::EnumerateRpsBegin { auth } => {
                self.authorize_cm(&auth, None)?;
                self.enumerate_rps()
            }
            CredentialManagementRequest::EnumerateCredentialsBegin { rp_id_hash, auth } => {
                let rp_hash = rp_id_hash?;
                self.authorize_cm(&auth, Some(&rp_hash))?;
                self.enumerate_credentials(&rp_hash)
            }
            CredentialManagementRequest::DeleteCredential { credential_id, auth } => {
                let id = credential_id?;
                let credential = self.resident_by_id(&id)?;
                self.authorize_cm(&auth, Some(&rp_id_hash(&credential.rp_id)))?;
                self.commit(|state| state.resident.retain(|c| c.credential_id != id))?;
                tracing::info!(rp = credential.rp_id, "credential deleted");
                Ok(Response::Empty)
            }
            // CTAP 2.1 §6.8.6 updateUserInformation came with the final standard.
            CredentialManagementRequest::UpdateUserInformation { .. }
                if self.config.generation == crate::config::Generation::Ctap21Pre =>
            {
                Err(StatusCode::InvalidSubcommand)
            }
            CredentialManagementRequest::UpdateUserInformation { params, auth } => {
                let (id, user) = params?;
                self.update_user_information(&id, user, &auth)
            }
            CredentialManagementRequest::Unsupported(_) => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// §6.8.6 updateUserInformation: new name and displayName for a stored credential's user.
    fn update_user_information(
        &mut self,
        id: &[u8],
        user: UserEntity,
        auth: &SubcommandAuth,
    ) -> Result<Response, StatusCode> {
        let credential = self.resident_by_id(id)?;
        self.authorize_cm(auth, Some(&rp_id_hash(&credential.rp_id)))?;
        // §6.8.7: the user handle cannot change.
        if user.id != credential.user.id {
            return Err(StatusCode::InvalidParameter);
        }
        self.commit(|state| {
            if let Some(stored) = state.resident.iter_mut().find(|c| c.credential_id == id) {
                stored.user = user;
            }
        })?;
        Ok(Response::Empty)
    }

    /// §6.8.2: pinUvAuthParam = authenticate(token, subCommand || subCommandParams), a token
    /// with the cm permission; a token bound to an RP only reaches that RP's credentials.
    fn authorize_cm(&mut self, auth: &SubcommandAuth, rp_hash: Option<&[u8; 32]>) -> Result<(), StatusCode> {
        let usage = self.authorize(auth, &[], Permissions::CREDENTIAL_MANAGEMENT)?;
        match (&usage.rp_id, rp_hash) {
            (None, _) => Ok(()),
            (Some(bound), Some(hash)) if rp_id_hash(bound) == *hash => Ok(()),
            (Some(_), _) => Err(StatusCode::PinAuthInvalid),
        }
    }

    fn resident_by_id(&self, id: &[u8]) -> Result<ResidentCredential, StatusCode> {
        self.state.resident.iter().find(|c| c.credential_id == id).cloned().ok_or(StatusCode::NoCredentials)
    }

    /// §6.8.3: one entry per RP with discoverable credentials, the first with the total.
    fn enumerate_rps(&mut self) -> Result<Response, StatusCode> {
        let mut entries: VecDeque<RpEntry> = VecDeque::new();
        for credential in &self.state.resident {
            if !entries.iter().any(|entry| entry.rp.id == credential.rp_id) {
                entries.push_back(RpEntry {
                    rp: RpEntity { id: credential.rp_id.clone(), name: credential.rp_name.clone() },
                    rp_id_hash: Sha256::digest(&credential.rp_id).into(),
                    total_rps: None,
                });
            }
        }
        let mut first = entries.pop_front().ok_or(StatusCode::NoCredentials)?;
        first.total_rps = Some(entries.len() as u64 + 1);
        if !entries.is_empty() {
            self.volatile.pending_enumeration = Some(Enumeration::Rps(entries));
        }
        Ok(CredentialManagementResponse::Rp(first).into())
    }

    /// §6.8.4: one entry per credential of the RP, the first with the total.
    fn enumerate_credentials(&mut self, rp_hash: &[u8; 32]) -> Result<Response, StatusCode> {
        let mut entries = VecDeque::new();
        for credential in self.state.resident.iter().filter(|c| rp_id_hash(&c.rp_id) == *rp_hash) {
            let Some((secret, _)) = self.live_credential(&credential.credential_id, rp_hash) else {
                continue;
            };
            entries.push_back(CredentialEntry {
                user: credential.user.clone(),
                credential_id: credential.credential_id.clone(),
                public_key: secret.key.cose_public_key(),
                total_credentials: None,
                cred_protect: secret.cred_protect as u8,
            });
        }
        let mut first = entries.pop_front().ok_or(StatusCode::NoCredentials)?;
        first.total_credentials = Some(entries.len() as u64 + 1);
        if !entries.is_empty() {
            self.volatile.pending_enumeration = Some(Enumeration::Credentials(entries));
        }
        Ok(CredentialManagementResponse::Credential(first).into())
    }
}

/// A *GetNext* subcommand: the next entry of the matching enumeration, or NOT_ALLOWED.
fn next(
    continuing: Option<Enumeration>,
    rps: bool,
    authenticator: &mut Authenticator,
) -> Result<Response, StatusCode> {
    let response = match continuing {
        Some(Enumeration::Rps(mut entries)) if rps => {
            let entry = entries.pop_front().ok_or(StatusCode::NotAllowed)?;
            if !entries.is_empty() {
                authenticator.volatile.pending_enumeration = Some(Enumeration::Rps(entries));
            }
            CredentialManagementResponse::Rp(entry)
        }
        Some(Enumeration::Credentials(mut entries)) if !rps => {
            let entry = entries.pop_front().ok_or(StatusCode::NotAllowed)?;
            if !entries.is_empty() {
                authenticator.volatile.pending_enumeration = Some(Enumeration::Credentials(entries));
            }
            CredentialManagementResponse::Credential(entry)
        }
        _ => return Err(StatusCode::NotAllowed),
    };
    Ok(response.into())
}

#[cfg(test)]
mod tests;
