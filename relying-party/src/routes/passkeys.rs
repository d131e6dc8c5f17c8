//! Passkeys: registration, sign-in (username-first, discoverable, or as a second factor after a
//! password), and management (list, rename, delete).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use webauthn_rs_core::proto::{PublicKeyCredential, RegisterPublicKeyCredential};

use super::extract::{CurrentSession, SignedIn};
use super::{AppState, session};
use crate::error::AppError;
use crate::evidence::{ClientAttachment, Evidence};
use crate::oidc::flow::Session;
use crate::policy::{EarlierSignIn, auth_context, password_is_second_factor};
use crate::store::NewCredential;
use crate::webauthn::{Discoverability, RegisteredCredential, RegistrationState, UserIdentity};

fn stored_credentials(state: &AppState, user_id: &str) -> Result<Vec<RegisteredCredential>, AppError> {
    Ok(state.store()?.credentials_of(user_id)?.into_iter().map(|stored| stored.credential).collect())
}

/// The longest passkey name, in characters, at registration and at rename.
pub const MAX_PASSKEY_NAME_CHARS: usize = 64;

/// A passkey name, trimmed: 1 to [`MAX_PASSKEY_NAME_CHARS`] characters, else 400 `invalid_name`.
fn passkey_name(name: &str) -> Result<&str, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_PASSKEY_NAME_CHARS {
        return Err(AppError::bad_request(
            "invalid_name",
            format!("a passkey name is 1 to {MAX_PASSKEY_NAME_CHARS} characters"),
        ));
    }
    Ok(name)
}

/// A registration in progress: whose, the ceremony state, whether discoverable, and the session
/// that started it (only that session may finish it).
#[derive(Debug)]
pub struct PendingRegistration {
    user_id: String,
    ceremony: RegistrationState,
    discoverable: bool,
    session_id: String,
}

/// Options of a registration.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterStart {
    /// Make a discoverable credential (a passkey); otherwise a second-factor key.
    #[serde(default = "yes")]
    pub discoverable: bool,
}

fn yes() -> bool {
    true
}

/// `POST /webauthn/register/start`: creation options for the signed-in user.
pub async fn register_start(
    State(state): State<AppState>,
    headers: HeaderMap,
    SignedIn(session): SignedIn,
    body: Option<Json<RegisterStart>>,
) -> Result<Json<Value>, AppError> {
    let user = state
        .store()?
        .user_by_id(&session.user_id)?
        .ok_or_else(|| AppError::bad_request("unknown_user", "the session's user no longer exists"))?;
    let exclude: Vec<_> =
        stored_credentials(&state, &user.id)?.iter().map(|c| c.credential.cred_id.clone()).collect();
    let discoverable = body.is_none_or(|b| b.discoverable);
    let discoverability = if discoverable { Discoverability::Required } else { Discoverability::Discouraged };
    let identity =
        UserIdentity { id: user.id.as_bytes(), name: &user.username, display_name: &user.username };
    let (options, ceremony) = state.ceremonies.start_registration(identity, &exclude, discoverability)?;
    let session_id = session::session_id(&state, &headers).unwrap_or_default();
    let pending = PendingRegistration { user_id: user.id, ceremony, discoverable, session_id };
    let ceremony_id = state.registrations.insert(pending, state.now())?;
    Ok(Json(json!({ "ceremony": ceremony_id, "options": options })))
}

/// A finished ceremony.
#[derive(Debug, Deserialize)]
pub struct Finish<T> {
    /// The ceremony id from the start call.
    pub ceremony: String,
    /// The credential JSON from the browser.
    pub credential: T,
    /// A label for a new passkey.
    pub name: Option<String>,
}

/// A `get()` credential JSON with the `authenticatorAttachment` the client reported beside it
/// (WebAuthn L3 §5.1): `webauthn-rs` reads the rest and drops that member.
#[derive(Debug)]
pub struct AssertionJson {
    /// The credential.
    pub credential: PublicKeyCredential,
    /// `authenticatorAttachment`, when the client named a known one. Unverified.
    pub attachment: Option<ClientAttachment>,
}

impl<'de> Deserialize<'de> for AssertionJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Value::deserialize(deserializer)?;
        let attachment = json
            .get("authenticatorAttachment")
            .and_then(Value::as_str)
            .and_then(ClientAttachment::from_json_name);
        let credential = PublicKeyCredential::deserialize(json).map_err(serde::de::Error::custom)?;
        Ok(Self { credential, attachment })
    }
}

/// `POST /webauthn/register/finish`: verifies and stores the new passkey.
pub async fn register_finish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<Finish<RegisterPublicKeyCredential>>,
) -> Result<Json<Value>, AppError> {
    let name = passkey_name(body.name.as_deref().unwrap_or("passkey"))?.to_owned();
    let PendingRegistration { user_id, ceremony, discoverable, session_id } =
        state.registrations.take(&body.ceremony, state.now()).ok_or_else(|| {
            AppError::bad_request("unknown_ceremony", "no registration in progress with that id")
        })?;
    // The ceremony belongs to the session that started it (WebAuthn L3 §13.4.3: the RP binds
    // the challenge to the user's session); another session cannot finish it, and the attempt
    // spends the ceremony.
    let same_session = session::session_id(&state, &headers)
        .is_some_and(|id| bool::from(id.as_bytes().ct_eq(session_id.as_bytes())));
    if !same_session {
        return Err(AppError::BadRequest {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "wrong_session",
            message: "this registration was started by another session".into(),
        });
    }
    let registered = state.ceremonies.finish_registration(&body.credential, ceremony)?;
    let attestation = format!("{:?}", registered.attestation);
    state
        .store()?
        .add_credential(NewCredential {
            credential_id: registered.id(),
            user_id: &user_id,
            name: &name,
            credential: &registered,
            attestation: &attestation,
            discoverable,
        })
        .map_err(|e| match e {
            crate::store::StoreError::CredentialExists => {
                AppError::bad_request("credential_exists", "this credential is already registered")
            }
            other => AppError::internal(other),
        })?;
    Ok(Json(json!({
        "credential_id": Base64UrlUnpadded::encode_string(registered.id()),
        "attestation": attestation,
    })))
}

/// Options of a sign-in.
#[derive(Debug, Default, Deserialize)]
pub struct LoginStart {
    /// Username-first sign-in; absent for a discoverable one.
    pub username: Option<String>,
}

/// `POST /webauthn/login/start`: request options (allowCredentials for a known username).
pub async fn login_start(
    State(state): State<AppState>,
    body: Option<Json<LoginStart>>,
) -> Result<Json<Value>, AppError> {
    let username = body.and_then(|Json(b)| b.username);
    let (options, ceremony) = match username {
        Some(name) => {
            // RFC 8265 §3.3: looked up in its canonical form; an invalid name has no passkey.
            let name = super::account::username::canonical(&name)
                .map_err(|_| AppError::bad_request("no_credentials", "no passkey for that user"))?;
            let user = state
                .store()?
                .user_by_name(&name)?
                .ok_or_else(|| AppError::bad_request("no_credentials", "no passkey for that user"))?;
            let credentials = stored_credentials(&state, &user.id)?;
            state.ceremonies.start_authentication(&credentials)?
        }
        None => state.ceremonies.start_discoverable_authentication()?,
    };
    let ceremony_id = state.authentications.insert(ceremony, state.now())?;
    Ok(Json(json!({ "ceremony": ceremony_id, "options": options })))
}

/// `POST /webauthn/login/finish`: verifies the assertion, decides amr/acr, starts a session.
pub async fn login_finish(
    State(state): State<AppState>,
    CurrentSession(earlier): CurrentSession,
    Json(body): Json<Finish<AssertionJson>>,
) -> Result<impl IntoResponse, AppError> {
    let Finish { ceremony, credential: AssertionJson { credential, attachment }, .. } = body;
    let now = state.now();
    let ceremony = state
        .authentications
        .take(&ceremony, now)
        .ok_or_else(|| AppError::bad_request("unknown_ceremony", "no sign-in in progress with that id"))?;
    let raw_id: Vec<u8> = credential.raw_id.to_vec();
    let mut registered = state.store()?.credential(&raw_id)?.map(|stored| stored.credential);
    let mut verified =
        state.ceremonies.finish_authentication(&credential, ceremony, |_| registered.clone())?;
    // Only a profile that reproduces another IdP reads it (see `ClientAttachment`).
    verified.evidence.unverified_client_attachment = attachment;
    let user_id = String::from_utf8(verified.user_id.clone())
        .map_err(|_| AppError::bad_request("invalid_user", "the user handle is not one of ours"))?;
    if let Some(credential) = registered.as_mut()
        && verified.update(credential)
    {
        state.store()?.update_credential(&raw_id, credential, now as i64)?;
    }
    // R9: a password verified moments ago for the same user makes this its second factor.
    let earlier = earlier.as_ref().map(|s| EarlierSignIn {
        user_id: &s.user_id,
        amr: &s.context.amr,
        auth_time: s.auth_time,
    });
    let password = password_is_second_factor(earlier, &user_id, now);
    let evidence = Evidence { assertion: Some(verified.evidence), password };
    let context = auth_context(&evidence, state.policy)?;
    let response = json!({
        "user_id": user_id,
        "amr": context.amr_strings(),
        "acr": context.acr.map(|a| a.as_str()),
    });
    let (name, cookie) = session::start(&state, Session { user_id, auth_time: now, context }, now)?;
    Ok(([(name, cookie)], Json(response)))
}

/// `GET /passkeys`: the signed-in user's passkeys.
pub async fn list(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> Result<Json<Value>, AppError> {
    let credentials = state.store()?.credentials_of(&session.user_id)?;
    let list: Vec<Value> = credentials
        .iter()
        .map(|c| {
            json!({
                "id": Base64UrlUnpadded::encode_string(&c.credential_id),
                "name": c.name,
                "attestation": c.attestation,
                "created_at": c.created_at,
                "last_used_at": c.last_used_at,
            })
        })
        .collect();
    Ok(Json(json!({ "passkeys": list })))
}

/// A new label.
#[derive(Debug, Deserialize)]
pub struct Rename {
    /// The label.
    pub name: String,
}

fn credential_id(id: &str) -> Result<Vec<u8>, AppError> {
    Base64UrlUnpadded::decode_vec(id)
        .map_err(|_| AppError::bad_request("invalid_id", "not a base64url credential id"))
}

fn not_found(error: crate::store::StoreError) -> AppError {
    match error {
        crate::store::StoreError::NotFound => AppError::BadRequest {
            status: axum::http::StatusCode::NOT_FOUND,
            code: "not_found",
            message: "no such passkey for this user".into(),
        },
        other => AppError::internal(other),
    }
}

/// `POST /passkeys/{id}`: renames a passkey of the signed-in user.
pub async fn rename(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
    Json(body): Json<Rename>,
) -> Result<Json<Value>, AppError> {
    let name = passkey_name(&body.name)?;
    state.store()?.rename_credential(&session.user_id, &credential_id(&id)?, name).map_err(not_found)?;
    Ok(Json(json!({ "id": id, "name": name })))
}

/// `DELETE /passkeys/{id}`: deletes a passkey of the signed-in user.
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    state.store()?.delete_credential(&session.user_id, &credential_id(&id)?).map_err(not_found)?;
    Ok(Json(json!({ "deleted": id })))
}

#[cfg(test)]
mod tests;
