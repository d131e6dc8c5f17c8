//! The WebAuthn client a browser is, in front of one softfido authenticator in process: it
//! reads the options JSON an RP sends, builds clientDataJSON (WebAuthn L3 §5.8.1), maps the
//! options to CTAP 2.1 parameters as browsers do (userVerification → the `uv` option or a
//! pinUvAuthToken; residentKey → `rk`; the `uvm` extension always requested), runs the PIN client
//! side, and returns the credential JSON a page posts back (base64url fields). A U2F-only key is
//! driven over U2F messages instead ([`super::u2f`]), as browsers do.
//!
//! It works on JSON values, not on the RP's library types, so it is a second, independent
//! reading of the WebAuthn JSON encoding.

use ciborium::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::config::UvCapability;
use softfido_authenticator::pin::protocol::PinUvAuthProtocol;
use softfido_authenticator::pin::token::Permissions;
use softfido_authenticator::{Authenticator, Signals};

use super::pin::token_with_pin;
use super::status::status_name;
use super::uv::{self, UserVerification, UvPlan, UvSupport, UvUnavailable};
use super::{
    Registration, Reply, SignIn, assertion_user_handle, base64url, base64url_bytes, field, get_assertion,
    make_credential, parse_reply, text_field,
};

/// authenticatorGetInfo.
const GET_INFO: u8 = 0x04;

/// Why `create()` or `get()` failed, as the page would learn it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The authenticator answered this CTAP status.
    #[error("ctap:{}", status_name(*.0))]
    Ctap(u8),
    /// The RP requires user verification and the authenticator cannot perform it: a browser
    /// does not offer it (WebAuthn L3 §6.3.2), and the page gets NotAllowedError.
    #[error("client:uv_unavailable")]
    UvUnavailable,
    /// The RP requires a discoverable credential (at registration) or names no credential (at
    /// sign-in) and the authenticator keeps none, as a U2F key: the page gets NotAllowedError.
    #[error("client:discoverable_unavailable")]
    DiscoverableUnavailable,
    /// The authenticator already holds a credential of the excludeList (InvalidStateError).
    #[error("client:credential_excluded")]
    CredentialExcluded,
    /// A U2F key answered this status word (FIDO U2F Raw Message Formats "Status Codes").
    #[error("u2f:{}", super::u2f::status_word_name(*.0))]
    U2f(u16),
    /// The options or the authenticator's answer could not be read.
    #[error("client:malformed ({0})")]
    Malformed(String),
}

/// A browser with one authenticator plugged in.
pub struct WebAuthnClient {
    /// The authenticator.
    pub authenticator: Authenticator,
    /// clientDataJSON.origin: the page's origin.
    pub origin: String,
    /// What the user types when the platform asks for the PIN.
    pub pin: Option<String>,
    /// The PIN/UV auth protocol the platform speaks.
    pub pin_protocol: PinUvAuthProtocol,
    /// Ignore `userVerification` and never verify the user, as a non-browser or hostile client
    /// may: the RP, not the client, must then refuse where it requires UV.
    pub skip_user_verification: bool,
    /// Replace a U2F key's `fido-u2f` attestation with `none` (WebAuthn L3 §5.4.7: a client may
    /// withhold attestation, as where the user declines to share it).
    pub replace_u2f_attestation_with_none: bool,
    /// What a cheating client puts in place of what WebAuthn L3 §5.1.3/§5.1.4 prescribe; all
    /// off by default.
    pub cheat: Cheat,
}

/// A cheating client's departures from WebAuthn L3 §5.1.3/§5.1.4, for the negative matrix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cheat {
    /// clientDataJSON.type instead of the ceremony's.
    pub client_data_type: Option<String>,
    /// clientDataJSON.crossOrigin set to true.
    pub cross_origin: bool,
    /// clientDataJSON.topOrigin, whatever crossOrigin says.
    pub top_origin: Option<String>,
    /// The RP ID asked of the authenticator instead of the options' (whose hash it signs).
    pub rp_id: Option<String>,
    /// clientDataJSON.challenge instead of the options'.
    pub challenge: Option<Vec<u8>>,
}

impl std::fmt::Debug for WebAuthnClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebAuthnClient").field("origin", &self.origin).finish_non_exhaustive()
    }
}

fn malformed(what: &str) -> ClientError {
    ClientError::Malformed(what.to_owned())
}

fn unb64(value: &Value, what: &str) -> Result<Vec<u8>, ClientError> {
    base64url_bytes(value).ok_or_else(|| malformed(what))
}

fn bytes(value: Option<&Cbor>, what: &str) -> Result<Vec<u8>, ClientError> {
    value.and_then(Cbor::as_bytes).cloned().ok_or_else(|| malformed(what))
}

/// clientDataJSON (WebAuthn L3 §5.8.1.1: type, challenge, origin, crossOrigin, then topOrigin
/// for a call from a frame of another origin than the top-level page's, in that order).
pub fn client_data_json(type_: &str, challenge: &[u8], origin: &str, top_origin: Option<&str>) -> Vec<u8> {
    let mut json = format!(
        r#"{{"type":"{type_}","challenge":"{}","origin":{},"crossOrigin":{}"#,
        base64url(challenge),
        Value::String(origin.to_owned()),
        top_origin.is_some()
    );
    if let Some(top_origin) = top_origin {
        json.push_str(&format!(r#","topOrigin":{}"#, Value::String(top_origin.to_owned())));
    }
    json.push('}');
    json.into_bytes()
}

impl WebAuthnClient {
    /// A client for pages of `origin`.
    pub fn new(authenticator: Authenticator, origin: &str) -> Self {
        Self {
            authenticator,
            origin: origin.to_owned(),
            pin: None,
            pin_protocol: PinUvAuthProtocol::Two,
            skip_user_verification: false,
            replace_u2f_attestation_with_none: false,
            cheat: Cheat::default(),
        }
    }

    /// navigator.credentials.create() with `options` (`{"publicKey": …}` or the inner object).
    pub fn create(&mut self, options: &Value) -> Result<Value, ClientError> {
        if !self.authenticator.config().generation.speaks_ctap2() {
            return self.create_with_u2f(options);
        }
        let options = options.get("publicKey").unwrap_or(options);
        let challenge = unb64(&options["challenge"], "challenge")?;
        let rp_id = options["rp"]["id"].as_str().ok_or_else(|| malformed("rp.id"))?;
        let rp_id = self.cheat.rp_id.clone().unwrap_or_else(|| rp_id.to_owned());
        let user_id = unb64(&options["user"]["id"], "user.id")?;
        let user_name = options["user"]["name"].as_str().unwrap_or_default().to_owned();
        let selection = &options["authenticatorSelection"];
        let rk = selection["residentKey"].as_str() == Some("required")
            || selection["requireResidentKey"].as_bool() == Some(true);
        let requirement = selection["userVerification"].as_str().unwrap_or("preferred").to_owned();
        let client_data = self.client_data("webauthn.create", &challenge);
        let hash: [u8; 32] = Sha256::digest(&client_data).into();
        let plan = self.plan_uv(&requirement, Some(rk))?;
        let pin_uv_auth = self.pin_uv_auth(&plan, Permissions::MAKE_CREDENTIAL, &rp_id, &hash)?;
        let request = make_credential(&Registration {
            rp_id: &rp_id,
            user_id: &user_id,
            user_name: &user_name,
            client_data_hash: hash,
            rk,
            uv: matches!(plan, UvPlan::Builtin),
            uvm: true,
            pin_uv_auth,
            ..Registration::default()
        });
        let body = self.call(&request)?;
        let auth_data = bytes(field(&body, 2), "authData")?;
        let format = field(&body, 1).cloned().ok_or_else(|| malformed("fmt"))?;
        let statement = field(&body, 3).cloned().ok_or_else(|| malformed("attStmt"))?;
        // The attestation object (WebAuthn L3 §6.5), keys in canonical order.
        let object = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), format),
            (Cbor::Text("attStmt".into()), statement),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data.clone())),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::ser::into_writer(&object, &mut attestation_object)
            .map_err(|e| malformed(&e.to_string()))?;
        // authData: rpIdHash(32) flags(1) signCount(4) aaguid(16) idLength(2) id …
        let id_length = auth_data.get(53..55).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])));
        let credential_id = id_length
            .and_then(|length| auth_data.get(55..55 + length))
            .ok_or_else(|| malformed("attested credential data"))?;
        Ok(json!({
            "id": base64url(credential_id),
            "rawId": base64url(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": base64url(&client_data),
                "attestationObject": base64url(&attestation_object),
                "transports": ["usb"],
            },
            "authenticatorAttachment": self.attachment(),
            "clientExtensionResults": {},
        }))
    }

    /// navigator.credentials.get() with `options` (`{"publicKey": …}` or the inner object).
    pub fn get(&mut self, options: &Value) -> Result<Value, ClientError> {
        self.assert(options, true)
    }

    /// What a client that skips the presence test obtains: a silent assertion (`up` false, no
    /// UV), the only kind an absent user leaves behind. An RP must refuse it (WebAuthn L3 §7.2
    /// step 16).
    pub fn get_without_presence(&mut self, options: &Value) -> Result<Value, ClientError> {
        self.assert(options, false)
    }

    fn assert(&mut self, options: &Value, up: bool) -> Result<Value, ClientError> {
        if !self.authenticator.config().generation.speaks_ctap2() {
            return self.assert_with_u2f(options, up);
        }
        let options = options.get("publicKey").unwrap_or(options);
        let challenge = unb64(&options["challenge"], "challenge")?;
        let rp_id = options["rpId"].as_str().ok_or_else(|| malformed("rpId"))?;
        let rp_id = self.cheat.rp_id.clone().unwrap_or_else(|| rp_id.to_owned());
        let requirement = options["userVerification"].as_str().unwrap_or("preferred").to_owned();
        let allow: Vec<Vec<u8>> = options["allowCredentials"]
            .as_array()
            .map(|list| list.iter().map(|c| unb64(&c["id"], "allowCredentials.id")).collect())
            .transpose()?
            .unwrap_or_default();
        let client_data = self.client_data("webauthn.get", &challenge);
        let hash: [u8; 32] = Sha256::digest(&client_data).into();
        let plan = if up { self.plan_uv(&requirement, None)? } else { UvPlan::None };
        let pin_uv_auth = self.pin_uv_auth(&plan, Permissions::GET_ASSERTION, &rp_id, &hash)?;
        // The client's allowList filtering is out of scope: the matrix registers one credential.
        let request = get_assertion(&SignIn {
            rp_id: &rp_id,
            client_data_hash: hash,
            allow: &allow[..allow.len().min(1)],
            up,
            uv: matches!(plan, UvPlan::Builtin),
            uvm: true,
            pin_uv_auth,
            ..SignIn::default()
        });
        let body = self.call(&request)?;
        let credential = field(&body, 1).ok_or_else(|| malformed("credential"))?;
        let credential_id = bytes(text_field(credential, "id"), "credential.id")?;
        let user_handle = assertion_user_handle(&body);
        Ok(json!({
            "id": base64url(&credential_id),
            "rawId": base64url(&credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": base64url(&bytes(field(&body, 2), "authData")?),
                "clientDataJSON": base64url(&client_data),
                "signature": base64url(&bytes(field(&body, 3), "signature")?),
                "userHandle": user_handle,
            },
            "authenticatorAttachment": self.attachment(),
            "clientExtensionResults": {},
        }))
    }

    /// `authenticatorAttachment` as a browser reports it (WebAuthn L3 §5.4.5): `platform` for an
    /// authenticator with built-in user verification (a laptop's or phone's sensor),
    /// `cross-platform` for a roaming key (none, or a PIN the platform collects).
    pub fn attachment(&self) -> &'static str {
        match self.authenticator.config().uv {
            UvCapability::Builtin { .. } => "platform",
            UvCapability::None | UvCapability::ClientPin => "cross-platform",
        }
    }

    fn client_data(&self, type_: &str, challenge: &[u8]) -> Vec<u8> {
        let cheat = &self.cheat;
        let type_ = cheat.client_data_type.as_deref().unwrap_or(type_);
        let challenge = cheat.challenge.as_deref().unwrap_or(challenge);
        let honest = client_data_json(type_, challenge, &self.origin, None);
        if !cheat.cross_origin && cheat.top_origin.is_none() {
            return honest;
        }
        // The members a cheating client sets as it likes, crossOrigin and topOrigin apart.
        let mut json = String::from_utf8_lossy(&honest).into_owned();
        if cheat.cross_origin {
            json = json.replace(r#""crossOrigin":false"#, r#""crossOrigin":true"#);
        }
        if let Some(top_origin) = &cheat.top_origin {
            json.pop();
            json.push_str(&format!(r#","topOrigin":{}}}"#, Value::String(top_origin.clone())));
        }
        json.into_bytes()
    }

    /// The user verification plan for `requirement` (see [`super::uv::plan`]). `registration_rk`
    /// is `Some(rk)` for a makeCredential.
    fn plan_uv(&mut self, requirement: &str, registration_rk: Option<bool>) -> Result<UvPlan, ClientError> {
        if self.skip_user_verification {
            return Ok(UvPlan::None);
        }
        let support = UvSupport::from_info(&self.call(&[GET_INFO])?);
        uv::plan(UserVerification::from_json(Some(requirement)), support, registration_rk)
            .map_err(|UvUnavailable| ClientError::UvUnavailable)
    }

    /// pinUvAuthParam and protocol for `plan` (the PIN exchange of CTAP 2.1 §6.5.5.7.2).
    fn pin_uv_auth(
        &mut self,
        plan: &UvPlan,
        permission: Permissions,
        rp_id: &str,
        client_data_hash: &[u8; 32],
    ) -> Result<Option<(Vec<u8>, i64)>, ClientError> {
        if !matches!(plan, UvPlan::Pin) {
            return Ok(None);
        }
        let pin = self.pin.clone().ok_or(ClientError::UvUnavailable)?;
        let authenticator = &mut self.authenticator;
        let signals = Signals::new();
        let token = token_with_pin(
            |request| authenticator.process(request, &signals),
            self.pin_protocol,
            &pin,
            permission,
            rp_id,
        )
        .map_err(ClientError::Ctap)?;
        Ok(Some((token.param(client_data_hash), token.protocol_id())))
    }

    fn call(&mut self, request: &[u8]) -> Result<Cbor, ClientError> {
        let response = self.authenticator.process(request, &Signals::new());
        match parse_reply(&response) {
            Ok(Reply::Ok(body)) => Ok(body),
            Ok(Reply::Error(status)) => Err(ClientError::Ctap(status)),
            Err(message) => Err(ClientError::Malformed(message)),
        }
    }
}
