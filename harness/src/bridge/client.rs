//! The browser's WebAuthn client in front of one softfido authenticator: `create()` (WebAuthn L3
//! §5.1.3) and `get()` (§5.1.4) from the options JSON a page passes, answering the credential JSON
//! a browser hands the page, or the `DOMException` it raises.
//!
//! It builds on the harness's CTAP client ([`crate::client`]): the same request builders, PIN
//! exchange and user-verification plan as the matrix's browser, plus what a real browser adds:
//! the origin and RP ID checks, algorithms and excludeCredentials, allowCredentials in batches,
//! attestation conveyance, extensions, and DOMException names.

use ciborium::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::pin::protocol::{KeyAgreementKey, PinUvAuthProtocol, SharedSecret};
use softfido_authenticator::pin::token::Permissions;
use softfido_authenticator::{Authenticator, Signals};

use super::auth_data;
use super::dom::{DomException, DomExceptionName};
use super::extensions::{CreateExtensions, GetExtensions};
use super::origin::CallerOrigin;
use super::prf::Salts;
use super::u2f::U2fCreate;
use crate::client::assertion_user_handle;
use crate::client::pin::{key_agreement, token_with_pin};
use crate::client::uv::{self, UserVerification, UvPlan, UvSupport};
use crate::client::webauthn::client_data_json;
use crate::client::{
    Registration, Reply, SignIn, base64url, base64url_bytes, field, get_assertion, make_credential,
    parse_reply, text_field,
};

/// authenticatorGetInfo.
const GET_INFO: u8 = 0x04;
/// The algorithms a client asks for when `pubKeyCredParams` is empty (§5.1.3 step 10): ES256, RS256.
const DEFAULT_ALGORITHMS: [i64; 2] = [-7, -257];

/// How the authenticator is attached, as `authenticatorAttachment` reports it (§5.4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attachment {
    /// A roaming key (USB).
    CrossPlatform,
    /// Built into the device.
    Platform,
}

impl Attachment {
    /// The JSON name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CrossPlatform => "cross-platform",
            Self::Platform => "platform",
        }
    }

    fn transports(self) -> Value {
        match self {
            Self::CrossPlatform => json!(["usb"]),
            Self::Platform => json!(["internal"]),
        }
    }
}

/// Who calls: the frame's origin and, from a frame of another origin, the top-level origin.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The calling frame's origin.
    pub origin: CallerOrigin,
    /// The top-level page's origin, when it differs (the call comes from an iframe).
    pub top_origin: Option<String>,
}

impl Caller {
    /// Checks the origins the bridge was given.
    pub fn parse(origin: &str, top_origin: Option<&str>) -> Result<Self, DomException> {
        let origin = CallerOrigin::parse(origin)?;
        let top_origin = match top_origin {
            Some(top) => Some(CallerOrigin::parse(top)?.serialized),
            None => None,
        };
        let top_origin = top_origin.filter(|top| *top != origin.serialized);
        Ok(Self { origin, top_origin })
    }

    pub(super) fn client_data(&self, type_: &str, challenge: &[u8]) -> Vec<u8> {
        client_data_json(type_, challenge, &self.origin.serialized, self.top_origin.as_deref())
    }
}

/// One authenticator plugged into the browser for one ceremony.
pub struct Device<'a> {
    /// The authenticator.
    pub authenticator: &'a mut Authenticator,
    /// Cancellation (the page's AbortSignal).
    pub signals: Signals,
    /// The PIN the user types when asked.
    pub pin: Option<String>,
    /// How the authenticator is attached.
    pub attachment: Attachment,
}

/// What getInfo says that the client uses.
struct Info {
    uv: UvSupport,
    resident_keys: bool,
    extensions: Vec<String>,
    max_credentials_in_list: usize,
}

fn unb64(value: &Value, what: &str) -> Result<Vec<u8>, DomException> {
    base64url_bytes(value).ok_or_else(|| DomException::type_error(what))
}

fn malformed_answer(what: &str) -> DomException {
    DomException::new(
        DomExceptionName::NotAllowedError,
        format!("the authenticator's answer has no valid {what}"),
    )
}

/// The ids of a list of PublicKeyCredentialDescriptorJSON (other types are skipped, §5.8.3).
fn descriptor_ids(list: &Value, what: &str) -> Result<Vec<Vec<u8>>, DomException> {
    let Some(list) = list.as_array() else { return Ok(Vec::new()) };
    list.iter()
        .filter(|d| d["type"].as_str().is_none_or(|t| t == "public-key"))
        .map(|d| unb64(&d["id"], what))
        .collect()
}

/// `pubKeyCredParams`, public-key entries only (§5.1.3 step 10).
fn requested_algorithms(params: &Value) -> Result<Vec<i64>, DomException> {
    let Some(params) = params.as_array() else { return Ok(DEFAULT_ALGORITHMS.to_vec()) };
    if params.is_empty() {
        return Ok(DEFAULT_ALGORITHMS.to_vec());
    }
    let algorithms: Vec<i64> = params
        .iter()
        .filter(|p| p["type"].as_str() == Some("public-key"))
        .filter_map(|p| p["alg"].as_i64())
        .collect();
    if algorithms.is_empty() {
        return Err(DomException::new(
            DomExceptionName::NotSupportedError,
            "no public-key algorithm requested",
        ));
    }
    Ok(algorithms)
}

impl Device<'_> {
    fn call(&mut self, request: &[u8]) -> Result<Cbor, DomException> {
        let response = self.authenticator.process(request, &self.signals);
        match parse_reply(&response) {
            Ok(Reply::Ok(body)) => Ok(body),
            Ok(Reply::Error(status)) => Err(DomException::from_ctap(status)),
            Err(message) => Err(DomException::new(DomExceptionName::NotAllowedError, message)),
        }
    }

    fn info(&mut self) -> Result<Info, DomException> {
        let info = self.call(&[GET_INFO])?;
        let option = |name: &str| field(&info, 4).and_then(|o| text_field(o, name)).and_then(Cbor::as_bool);
        let extensions = field(&info, 2)
            .and_then(Cbor::as_array)
            .map(|list| list.iter().filter_map(|e| e.as_text().map(str::to_owned)).collect())
            .unwrap_or_default();
        let max = field(&info, 7).and_then(Cbor::as_integer).and_then(|n| usize::try_from(n).ok());
        Ok(Info {
            uv: UvSupport::from_info(&info),
            resident_keys: option("rk") == Some(true),
            extensions,
            max_credentials_in_list: max.unwrap_or(1).max(1),
        })
    }

    /// The key agreement for `prf` salts (CTAP 2.1 §12.5 through §6.5.5.4).
    fn prf_exchange(&mut self, salts: Salts) -> Result<(Salts, KeyAgreementKey, SharedSecret), DomException> {
        let (authenticator, signals) = (&mut *self.authenticator, &self.signals);
        let (platform, shared) =
            key_agreement(|request| authenticator.process(request, signals), PinUvAuthProtocol::Two)
                .map_err(DomException::from_ctap)?;
        Ok((salts, platform, shared))
    }

    /// pinUvAuthParam for `plan` (CTAP 2.1 §6.5.5.7.2); a wrong PIN fails the call, as the
    /// user giving up after the browser's PIN prompt would.
    fn pin_uv_auth(
        &mut self,
        plan: UvPlan,
        permission: Permissions,
        rp_id: &str,
        client_data_hash: &[u8; 32],
    ) -> Result<Option<(Vec<u8>, i64)>, DomException> {
        if plan != UvPlan::Pin {
            return Ok(None);
        }
        let pin = self
            .pin
            .clone()
            .ok_or_else(|| DomException::new(DomExceptionName::NotAllowedError, "the user typed no PIN"))?;
        let (authenticator, signals) = (&mut *self.authenticator, &self.signals);
        let token = token_with_pin(
            |request| authenticator.process(request, signals),
            PinUvAuthProtocol::Two,
            &pin,
            permission,
            rp_id,
        )
        .map_err(DomException::from_ctap)?;
        Ok(Some((token.param(client_data_hash), token.protocol_id())))
    }
}

/// `navigator.credentials.create({publicKey})` (WebAuthn L3 §5.1.3).
pub fn create(device: &mut Device<'_>, caller: &Caller, options: &Value) -> Result<Value, DomException> {
    let options = options.get("publicKey").unwrap_or(options);
    let rp_id = caller.origin.rp_id(options["rp"]["id"].as_str())?;
    let challenge = unb64(&options["challenge"], "challenge")?;
    let user_id = unb64(&options["user"]["id"], "user.id")?;
    if !(1..=64).contains(&user_id.len()) {
        return Err(DomException::type_error("user.id must be 1 to 64 bytes"));
    }
    let algorithms = requested_algorithms(&options["pubKeyCredParams"])?;
    let exclude = descriptor_ids(&options["excludeCredentials"], "excludeCredentials.id")?;
    let selection = &options["authenticatorSelection"];
    // §5.1.3 step 20: an authenticator of another attachment modality is not used; with no
    // other, the call ends as a refusal.
    if let Some(wanted) = selection["authenticatorAttachment"].as_str()
        && wanted != device.attachment.name()
    {
        return Err(DomException::new(
            DomExceptionName::NotAllowedError,
            format!("the RP asks for a {wanted} authenticator and this one is {}", device.attachment.name()),
        ));
    }
    if !device.authenticator.config().generation.speaks_ctap2() {
        let request = U2fCreate {
            rp_id: &rp_id,
            challenge: &challenge,
            algorithms: &algorithms,
            exclude: &exclude,
            options,
        };
        return super::u2f::create(device, caller, &request);
    }
    let extensions = CreateExtensions::read(&options["extensions"])?;
    let info = device.info()?;
    let exclude = exclude_to_send(device, &rp_id, &exclude, info.max_credentials_in_list)?;
    // §5.1.3 step 20 / §6.3.2: `preferred` makes a discoverable credential where the key can.
    let rk = match selection["residentKey"].as_str() {
        Some("required") => true,
        Some("preferred") => info.resident_keys,
        Some(_) => false,
        None => selection["requireResidentKey"].as_bool() == Some(true),
    };
    let requirement = UserVerification::from_json(selection["userVerification"].as_str());
    let plan = uv::plan(requirement, info.uv, Some(rk)).map_err(|_| {
        DomException::new(DomExceptionName::NotAllowedError, "user verification is required and unavailable")
    })?;
    let client_data = caller.client_data("webauthn.create", &challenge);
    let hash: [u8; 32] = Sha256::digest(&client_data).into();
    let pin_uv_auth = device.pin_uv_auth(plan, Permissions::MAKE_CREDENTIAL, &rp_id, &hash)?;
    let request = make_credential(&Registration {
        rp_id: &rp_id,
        rp_name: options["rp"]["name"].as_str(),
        user_id: &user_id,
        user_name: options["user"]["name"].as_str().unwrap_or_default(),
        user_display_name: options["user"]["displayName"].as_str(),
        client_data_hash: hash,
        algorithms: &algorithms,
        exclude: &exclude,
        rk,
        uv: plan == UvPlan::Builtin,
        uvm: extensions.uvm && info.extensions.iter().any(|e| e == "uvm"),
        extensions: extensions.authenticator_inputs(&info.extensions)?,
        pin_uv_auth,
    });
    let body = device.call(&request)?;
    registration_response(
        &body,
        &client_data,
        options["attestation"].as_str(),
        &extensions,
        rk,
        device.attachment,
    )
}

/// The RegistrationResponseJSON (§5.1) of a makeCredential answer, with the attestation made
/// anonymous unless the RP asked for it (§5.1.3 step 20.3).
fn registration_response(
    body: &Cbor,
    client_data: &[u8],
    conveyance: Option<&str>,
    extensions: &CreateExtensions,
    discoverable: bool,
    attachment: Attachment,
) -> Result<Value, DomException> {
    let mut auth_data =
        field(body, 2).and_then(Cbor::as_bytes).cloned().ok_or_else(|| malformed_answer("authData"))?;
    let mut format = field(body, 1).cloned().ok_or_else(|| malformed_answer("fmt"))?;
    let mut statement = field(body, 3).cloned().ok_or_else(|| malformed_answer("attStmt"))?;
    let wants_attestation = matches!(conveyance, Some("direct" | "enterprise" | "indirect"));
    let self_attestation = auth_data::has_zero_aaguid(&auth_data)
        && format.as_text() == Some("packed")
        && text_field(&statement, "x5c").is_none();
    if !wants_attestation && !self_attestation {
        auth_data = auth_data::with_zero_aaguid(&auth_data);
        format = Cbor::Text("none".into());
        statement = Cbor::Map(Vec::new());
    }
    let parsed = auth_data::parse(&auth_data).ok_or_else(|| malformed_answer("authData"))?;
    let credential_id = parsed.credential_id.ok_or_else(|| malformed_answer("credential ID"))?;
    let public_key = parsed.public_key.ok_or_else(|| malformed_answer("credential public key"))?;
    // The attestation object (§6.5), keys in canonical order.
    let object = Cbor::Map(vec![
        (Cbor::Text("fmt".into()), format),
        (Cbor::Text("attStmt".into()), statement),
        (Cbor::Text("authData".into()), Cbor::Bytes(auth_data.clone())),
    ]);
    let mut attestation_object = Vec::new();
    ciborium::ser::into_writer(&object, &mut attestation_object)
        .map_err(|_| malformed_answer("attestation"))?;
    Ok(json!({
        "id": base64url(&credential_id),
        "rawId": base64url(&credential_id),
        "type": "public-key",
        "authenticatorAttachment": attachment.name(),
        "response": {
            "clientDataJSON": base64url(client_data),
            "attestationObject": base64url(&attestation_object),
            "authenticatorData": base64url(&auth_data),
            "transports": attachment.transports(),
            "publicKey": auth_data::subject_public_key_info(&public_key).map(|spki| base64url(&spki)),
            "publicKeyAlgorithm": auth_data::algorithm(&public_key),
        },
        "clientExtensionResults": extensions.results(discoverable, parsed.extensions.as_ref()),
    }))
}

/// `navigator.credentials.get({publicKey})` (WebAuthn L3 §5.1.4).
pub fn get(device: &mut Device<'_>, caller: &Caller, options: &Value) -> Result<Value, DomException> {
    let options = options.get("publicKey").unwrap_or(options);
    let rp_id = caller.origin.rp_id(options["rpId"].as_str())?;
    let challenge = unb64(&options["challenge"], "challenge")?;
    let allow = descriptor_ids(&options["allowCredentials"], "allowCredentials.id")?;
    if !device.authenticator.config().generation.speaks_ctap2() {
        return super::u2f::get(device, caller, &rp_id, &challenge, &allow, options);
    }
    let requirement = UserVerification::from_json(options["userVerification"].as_str());
    let extensions = GetExtensions::read(&options["extensions"]);
    let info = device.info()?;
    let plan = uv::plan(requirement, info.uv, None).map_err(|_| {
        DomException::new(DomExceptionName::NotAllowedError, "user verification is required and unavailable")
    })?;
    let client_data = caller.client_data("webauthn.get", &challenge);
    let hash: [u8; 32] = Sha256::digest(&client_data).into();
    let allow = batch_holding_a_credential(device, &rp_id, &allow, info.max_credentials_in_list)?;
    let pin_uv_auth = device.pin_uv_auth(plan, Permissions::GET_ASSERTION, &rp_id, &hash)?;
    let mut authenticator_extensions = extensions.authenticator_inputs(&info.extensions);
    let only_credential = if allow.len() == 1 { Some(allow[0].as_slice()) } else { None };
    let prf = match Salts::read(&options["extensions"]["prf"], only_credential)? {
        Some(salts) if info.extensions.iter().any(|e| e == "hmac-secret") => {
            Some(device.prf_exchange(salts)?)
        }
        _ => None,
    };
    if let Some((salts, platform, shared)) = &prf {
        let input =
            salts.hmac_secret_input(platform, shared).ok_or_else(|| malformed_answer("key agreement"))?;
        authenticator_extensions.push(("hmac-secret".to_owned(), input));
    }
    let request = get_assertion(&SignIn {
        rp_id: &rp_id,
        client_data_hash: hash,
        allow: &allow,
        up: true,
        uv: plan == UvPlan::Builtin,
        uvm: extensions.uvm && info.extensions.iter().any(|e| e == "uvm"),
        extensions: authenticator_extensions,
        pin_uv_auth,
    });
    let body = device.call(&request)?;
    // CTAP 2.1 §6.2.2: the credential may be left out when the allowList had one entry.
    let credential_id = match field(&body, 1).and_then(|c| text_field(c, "id")).and_then(Cbor::as_bytes) {
        Some(id) => id.clone(),
        None if allow.len() == 1 => allow[0].clone(),
        None => return Err(malformed_answer("credential")),
    };
    let auth_data = field(&body, 2).and_then(Cbor::as_bytes).ok_or_else(|| malformed_answer("authData"))?;
    let parsed = auth_data::parse(auth_data).ok_or_else(|| malformed_answer("authData"))?;
    let signature = field(&body, 3).and_then(Cbor::as_bytes).ok_or_else(|| malformed_answer("signature"))?;
    let user_handle = assertion_user_handle(&body);
    Ok(json!({
        "id": base64url(&credential_id),
        "rawId": base64url(&credential_id),
        "type": "public-key",
        "authenticatorAttachment": device.attachment.name(),
        "response": {
            "clientDataJSON": base64url(&client_data),
            "authenticatorData": base64url(auth_data),
            "signature": base64url(signature),
            "userHandle": user_handle,
        },
        "clientExtensionResults": assertion_results(&extensions, prf.as_ref(), parsed.extensions.as_ref()),
    }))
}

/// The client extension results of an assertion, `prf.results` decrypted (WebAuthn L3 §10.1.4).
fn assertion_results(
    extensions: &GetExtensions,
    prf: Option<&(Salts, KeyAgreementKey, SharedSecret)>,
    outputs: Option<&Cbor>,
) -> Value {
    let mut results = extensions.results(outputs);
    if let (Some((salts, _, shared)), Some(results)) = (prf, results.as_object_mut()) {
        let output = outputs.and_then(|o| text_field(o, "hmac-secret"));
        results.insert("prf".into(), salts.results(shared, output).unwrap_or_else(|| json!({})));
    }
    results
}

/// The first batch of at most `max` credential IDs that holds a credential of this
/// authenticator, found with silent probes (`up: false`, CTAP 2.1 §6.2.2), as browsers split
/// lists longer than maxCredentialCountInList.
fn first_batch_held(
    device: &mut Device<'_>,
    rp_id: &str,
    ids: &[Vec<u8>],
    max: usize,
) -> Option<Vec<Vec<u8>>> {
    ids.chunks(max).find_map(|batch| {
        let probe = get_assertion(&SignIn { rp_id, allow: batch, up: false, ..SignIn::default() });
        device.call(&probe).is_ok().then(|| batch.to_vec())
    })
}

/// The allowList to send: all of it when it fits in one request; otherwise the batch holding
/// a credential of this authenticator, or (none does) the first batch, to be refused.
fn batch_holding_a_credential(
    device: &mut Device<'_>,
    rp_id: &str,
    allow: &[Vec<u8>],
    max: usize,
) -> Result<Vec<Vec<u8>>, DomException> {
    if allow.len() <= max {
        return Ok(allow.to_vec());
    }
    Ok(first_batch_held(device, rp_id, allow, max).unwrap_or_else(|| allow[..max].to_vec()))
}

/// The excludeList to send (WebAuthn L3 §6.3.2 step 3 over every descriptor): all of it when it
/// fits; otherwise the batch holding a credential of this authenticator, or none.
fn exclude_to_send(
    device: &mut Device<'_>,
    rp_id: &str,
    exclude: &[Vec<u8>],
    max: usize,
) -> Result<Vec<Vec<u8>>, DomException> {
    if exclude.len() <= max {
        return Ok(exclude.to_vec());
    }
    Ok(first_batch_held(device, rp_id, exclude, max).unwrap_or_default())
}

#[cfg(test)]
mod tests;
