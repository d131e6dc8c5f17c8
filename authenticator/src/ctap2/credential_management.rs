//! authenticatorCredentialManagement (CTAP 2.1 §6.8): metadata, enumeration of RPs and
//! credentials, deletion, and user information updates, under a token with the cm permission.

use std::collections::VecDeque;

use ciborium::Value;
use sha2::{Digest, Sha256};

use super::{Authenticator, rp_id_hash};
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::cbor::{MapBuilder, MapReader, ValueExt};
use crate::proto::request::{SubcommandRequest, UserEntity};
use crate::proto::response::Response;
use crate::store::ResidentCredential;

/// Subcommands (CTAP 2.1 §6.8).
mod sub_command {
    pub const GET_CREDS_METADATA: i64 = 0x01;
    pub const ENUMERATE_RPS_BEGIN: i64 = 0x02;
    pub const ENUMERATE_RPS_NEXT: i64 = 0x03;
    pub const ENUMERATE_CREDENTIALS_BEGIN: i64 = 0x04;
    pub const ENUMERATE_CREDENTIALS_NEXT: i64 = 0x05;
    pub const DELETE_CREDENTIAL: i64 = 0x06;
    pub const UPDATE_USER_INFORMATION: i64 = 0x07;
}

/// An enumeration in progress, continued by the *GetNext* subcommands.
#[derive(Clone, Debug)]
pub enum Enumeration {
    /// Remaining RP entries.
    Rps(VecDeque<Value>),
    /// Remaining credential entries.
    Credentials(VecDeque<Value>),
}

impl Authenticator {
    pub(super) fn credential_management(
        &mut self,
        request: SubcommandRequest,
    ) -> Result<Response, StatusCode> {
        if !self.supports_pin_uv_auth_token() {
            return Err(StatusCode::InvalidCommand);
        }
        let continuing = self.volatile.pending_enumeration.take();
        match request.sub_command {
            sub_command::ENUMERATE_RPS_NEXT => next(continuing, |e| matches!(e, Enumeration::Rps(_)), self),
            sub_command::ENUMERATE_CREDENTIALS_NEXT => {
                next(continuing, |e| matches!(e, Enumeration::Credentials(_)), self)
            }
            sub_command::GET_CREDS_METADATA => {
                self.authorize_cm(&request, None)?;
                let remaining =
                    self.config.max_resident_credentials.saturating_sub(self.state.resident.len());
                Ok(map(MapBuilder::new()
                    .insert(0x01, self.state.resident.len() as u64)
                    .insert(0x02, remaining as u64)))
            }
            sub_command::ENUMERATE_RPS_BEGIN => {
                self.authorize_cm(&request, None)?;
                self.enumerate_rps()
            }
            sub_command::ENUMERATE_CREDENTIALS_BEGIN => {
                let mut params = params(&request)?;
                let rp_hash = rp_hash_param(&mut params)?;
                self.authorize_cm(&request, Some(&rp_hash))?;
                self.enumerate_credentials(&rp_hash)
            }
            sub_command::DELETE_CREDENTIAL => {
                let mut params = params(&request)?;
                let id = credential_id_param(&mut params)?;
                let credential = self.resident_by_id(&id)?;
                self.authorize_cm(&request, Some(&rp_id_hash(&credential.rp_id)))?;
                self.commit(|state| state.resident.retain(|c| c.credential_id != id))?;
                tracing::info!(rp = credential.rp_id, "credential deleted");
                Ok(Response::Empty)
            }
            sub_command::UPDATE_USER_INFORMATION => {
                let mut params = params(&request)?;
                let id = credential_id_param(&mut params)?;
                let user = user_param(&mut params)?;
                let credential = self.resident_by_id(&id)?;
                self.authorize_cm(&request, Some(&rp_id_hash(&credential.rp_id)))?;
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
            _ => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// §6.8.2: pinUvAuthParam = authenticate(token, subCommand || subCommandParams), a token
    /// with the cm permission; a token bound to an RP only reaches that RP's credentials.
    fn authorize_cm(
        &mut self,
        request: &SubcommandRequest,
        rp_hash: Option<&[u8; 32]>,
    ) -> Result<(), StatusCode> {
        let message = request.authenticated_message();
        let param = request.pin_uv_auth_param.as_deref();
        let usage = self.authorize(param, request.protocol, &message, Permissions::CREDENTIAL_MANAGEMENT)?;
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
        let mut rps: Vec<(&str, Option<&str>)> = Vec::new();
        for credential in &self.state.resident {
            if !rps.iter().any(|(id, _)| *id == credential.rp_id) {
                rps.push((&credential.rp_id, credential.rp_name.as_deref()));
            }
        }
        let mut entries: VecDeque<Value> = rps
            .iter()
            .map(|(id, name)| {
                let rp = MapBuilder::new().insert("id", *id).insert_opt("name", *name).build();
                MapBuilder::new()
                    .insert(0x03, rp)
                    .insert(0x04, Value::Bytes(Sha256::digest(id).to_vec()))
                    .build()
            })
            .collect();
        self.begin(entries.len(), &mut entries, 0x05, Enumeration::Rps)
    }

    /// §6.8.4: one entry per credential of the RP, the first with the total.
    fn enumerate_credentials(&mut self, rp_hash: &[u8; 32]) -> Result<Response, StatusCode> {
        let mut entries = VecDeque::new();
        for credential in self.state.resident.iter().filter(|c| rp_id_hash(&c.rp_id) == *rp_hash) {
            let Some((secret, _)) = self.live_credential(&credential.credential_id, rp_hash) else {
                continue;
            };
            let user = MapBuilder::new()
                .insert("id", Value::Bytes(credential.user.id.clone()))
                .insert_opt("name", credential.user.name.clone())
                .insert_opt("displayName", credential.user.display_name.clone())
                .build();
            let descriptor = MapBuilder::new()
                .insert("id", Value::Bytes(credential.credential_id.clone()))
                .insert("type", "public-key")
                .build();
            entries.push_back(
                MapBuilder::new()
                    .insert(0x06, user)
                    .insert(0x07, descriptor)
                    .insert(0x08, secret.key.cose_public_key())
                    .insert(0x0A, secret.cred_protect as i64)
                    .build(),
            );
        }
        self.begin(entries.len(), &mut entries, 0x09, Enumeration::Credentials)
    }

    /// The first entry with its total under `total_key`; the rest kept for the GetNext calls.
    fn begin(
        &mut self,
        total: usize,
        entries: &mut VecDeque<Value>,
        total_key: i64,
        kind: fn(VecDeque<Value>) -> Enumeration,
    ) -> Result<Response, StatusCode> {
        let Some(Value::Map(mut first)) = entries.pop_front() else {
            return Err(StatusCode::NoCredentials);
        };
        first.push((Value::from(total_key), Value::from(total as u64)));
        if !entries.is_empty() {
            self.volatile.pending_enumeration = Some(kind(std::mem::take(entries)));
        }
        Ok(Response::Map(Value::Map(first)))
    }
}

/// A *GetNext* subcommand: the next entry of the matching enumeration, or NOT_ALLOWED.
fn next(
    continuing: Option<Enumeration>,
    matches: fn(&Enumeration) -> bool,
    authenticator: &mut Authenticator,
) -> Result<Response, StatusCode> {
    let mut enumeration = continuing.filter(matches).ok_or(StatusCode::NotAllowed)?;
    let (Enumeration::Rps(entries) | Enumeration::Credentials(entries)) = &mut enumeration;
    let entry = entries.pop_front().ok_or(StatusCode::NotAllowed)?;
    if !entries.is_empty() {
        authenticator.volatile.pending_enumeration = Some(enumeration);
    }
    Ok(Response::Map(entry))
}

fn params(request: &SubcommandRequest) -> Result<MapReader, StatusCode> {
    request.params.clone().ok_or(StatusCode::MissingParameter)?.map_value()
}

fn rp_hash_param(params: &mut MapReader) -> Result<[u8; 32], StatusCode> {
    params.required(0x01)?.bytes_value()?.try_into().map_err(|_| StatusCode::InvalidLength)
}

fn credential_id_param(params: &mut MapReader) -> Result<Vec<u8>, StatusCode> {
    let mut descriptor = params.required(0x02)?.map_value()?;
    descriptor.take_text_key("id").ok_or(StatusCode::MissingParameter)?.bytes_value()
}

fn user_param(params: &mut MapReader) -> Result<UserEntity, StatusCode> {
    let mut user = params.required(0x03)?.map_value()?;
    Ok(UserEntity {
        id: user.take_text_key("id").ok_or(StatusCode::MissingParameter)?.bytes_value()?,
        name: user.take_text_key("name").map(ValueExt::text_value).transpose()?,
        display_name: user.take_text_key("displayName").map(ValueExt::text_value).transpose()?,
    })
}

fn map(builder: MapBuilder) -> Response {
    Response::Map(builder.build())
}

#[cfg(test)]
mod tests;
