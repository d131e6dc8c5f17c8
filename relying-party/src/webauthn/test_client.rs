//! A WebAuthn client as a browser is one, driving the real softfido authenticator in process:
//! clientDataJSON, the CTAP2 request, the PIN protocol when UV is wanted and a PIN is set, and
//! the response JSON a browser posts back (base64url fields, attestationObject re-encoded).

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value;
use serde_json::json;
use softfido_authenticator::pin::policy::pin_hash;
use softfido_authenticator::pin::protocol::{KeyAgreementKey, PinUvAuthProtocol, authenticate_with_token};
use softfido_authenticator::pin::token::Permissions;
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile, Signals};
use webauthn_rs_core::crypto::compute_sha256;
use webauthn_rs_core::proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse,
    UserVerificationPolicy,
};

pub const ORIGIN: &str = "http://localhost:8080";

const MAKE_CREDENTIAL: u8 = 0x01;
const GET_ASSERTION: u8 = 0x02;
const GET_INFO: u8 = 0x04;
const CLIENT_PIN: u8 = 0x06;

/// The browser, its behaviour (honest by default), and the authenticator plugged into it.
pub struct Browser {
    pub authenticator: Authenticator,
    /// The PIN the user types when the platform needs one.
    pub pin: Option<String>,
    /// clientDataJSON.origin.
    pub origin: String,
    /// A lying client: asks the authenticator for this RP ID instead of the options' one.
    pub rp_id_override: Option<String>,
    /// A client that never asks for user verification.
    pub skip_uv: bool,
    /// getAssertion with `up: false` (a silent assertion, UP = 0).
    pub silent: bool,
    /// A client that drops the excludeList.
    pub drop_exclude_list: bool,
    /// Members set in clientDataJSON over the honest ones (e.g. `crossOrigin`, `topOrigin`).
    pub client_data_extra: serde_json::Map<String, serde_json::Value>,
}

impl Browser {
    pub fn new(config: Config) -> Self {
        let pin = config.pin.clone();
        Self {
            authenticator: Authenticator::new(config, MemoryStore::new()).expect("authenticator starts"),
            pin,
            origin: ORIGIN.into(),
            rp_id_override: None,
            skip_uv: false,
            silent: false,
            drop_exclude_list: false,
            client_data_extra: serde_json::Map::new(),
        }
    }

    pub fn profile(profile: Profile) -> Self {
        Self::new(profile.config())
    }

    /// navigator.credentials.create(); `Err` carries the CTAP status code.
    pub fn create(&mut self, options: &CreationChallengeResponse) -> Result<RegisterPublicKeyCredential, u8> {
        let options = &options.public_key;
        let client_data = self.client_data("webauthn.create", &options.challenge);
        let hash = compute_sha256(&client_data);
        let rp_id = self.rp_id_override.clone().unwrap_or_else(|| options.rp.id.clone());
        let selection = options.authenticator_selection.as_ref();
        let policy = selection.map_or(UserVerificationPolicy::Preferred, |s| s.user_verification);
        let rk = selection.is_some_and(|s| s.require_resident_key);
        let mut request = vec![
            (int(1), Value::Bytes(hash.to_vec())),
            (int(2), Value::Map(vec![(text("id"), text(&rp_id)), (text("name"), text(&options.rp.name))])),
            (
                int(3),
                Value::Map(vec![
                    (text("id"), Value::Bytes(options.user.id.clone())),
                    (text("name"), text(&options.user.name)),
                    (text("displayName"), text(&options.user.display_name)),
                ]),
            ),
            (
                int(4),
                Value::Array(
                    options
                        .pub_key_cred_params
                        .iter()
                        .map(|p| Value::Map(vec![(text("alg"), int(p.alg)), (text("type"), text(&p.type_))]))
                        .collect(),
                ),
            ),
        ];
        let exclude = options.exclude_credentials.clone().unwrap_or_default();
        if !exclude.is_empty() && !self.drop_exclude_list {
            request.push((int(5), Value::Array(exclude.iter().map(|d| descriptor(&d.id)).collect())));
        }
        let (uv_option, pin_auth) =
            self.user_verification(policy, &rp_id, &hash, Permissions::MAKE_CREDENTIAL.bits());
        let mut flags = vec![(text("rk"), Value::Bool(rk))];
        if uv_option {
            flags.push((text("uv"), Value::Bool(true)));
        }
        request.push((int(7), Value::Map(flags)));
        if let Some((param, protocol)) = pin_auth {
            request.push((int(8), Value::Bytes(param)));
            request.push((int(9), int(protocol)));
        }
        let body = self.call(MAKE_CREDENTIAL, Value::Map(request))?;
        let auth_data = field(&body, 2).as_bytes().expect("authData").clone();
        let attestation_object = cbor(&Value::Map(vec![
            (text("fmt"), field(&body, 1).clone()),
            (text("attStmt"), field(&body, 3).clone()),
            (text("authData"), Value::Bytes(auth_data.clone())),
        ]));
        // authData: rpIdHash(32) flags(1) signCount(4) aaguid(16) idLength(2) id …
        let id_len = usize::from(u16::from_be_bytes([auth_data[53], auth_data[54]]));
        let credential_id = &auth_data[55..55 + id_len];
        let json = json!({
            "id": b64(credential_id),
            "rawId": b64(credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&attestation_object),
                "transports": ["usb"],
            },
            "clientExtensionResults": {},
        });
        Ok(serde_json::from_value(json).expect("a browser's registration JSON"))
    }

    /// navigator.credentials.get(); `Err` carries the CTAP status code.
    pub fn get(&mut self, options: &RequestChallengeResponse) -> Result<PublicKeyCredential, u8> {
        let options = &options.public_key;
        let client_data = self.client_data("webauthn.get", &options.challenge);
        let hash = compute_sha256(&client_data);
        let rp_id = self.rp_id_override.clone().unwrap_or_else(|| options.rp_id.clone());
        let mut request = vec![(int(1), text(&rp_id)), (int(2), Value::Bytes(hash.to_vec()))];
        if !options.allow_credentials.is_empty() {
            request.push((
                int(3),
                Value::Array(options.allow_credentials.iter().map(|c| descriptor(&c.id)).collect()),
            ));
        }
        request.push((int(4), Value::Map(vec![(text("uvm"), Value::Bool(true))])));
        let (uv_option, pin_auth) = self.user_verification(
            options.user_verification,
            &rp_id,
            &hash,
            Permissions::GET_ASSERTION.bits(),
        );
        let mut flags = Vec::new();
        if self.silent {
            flags.push((text("up"), Value::Bool(false)));
        }
        if uv_option {
            flags.push((text("uv"), Value::Bool(true)));
        }
        if !flags.is_empty() {
            request.push((int(5), Value::Map(flags)));
        }
        if let Some((param, protocol)) = pin_auth {
            request.push((int(6), Value::Bytes(param)));
            request.push((int(7), int(protocol)));
        }
        let body = self.call(GET_ASSERTION, Value::Map(request))?;
        let credential_id = map_get(field(&body, 1), "id").as_bytes().expect("credential id").clone();
        let user_handle = lookup(&body, 4).map(|user| b64(map_get(user, "id").as_bytes().expect("user id")));
        let json = json!({
            "id": b64(&credential_id),
            "rawId": b64(&credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(field(&body, 2).as_bytes().expect("authData")),
                "clientDataJSON": b64(&client_data),
                "signature": b64(field(&body, 3).as_bytes().expect("signature")),
                "userHandle": user_handle,
            },
            "clientExtensionResults": {},
        });
        Ok(serde_json::from_value(json).expect("a browser's assertion JSON"))
    }

    fn client_data(&self, type_: &str, challenge: &[u8]) -> Vec<u8> {
        let mut data =
            json!({"type": type_, "challenge": b64(challenge), "origin": self.origin, "crossOrigin": false});
        if let Some(members) = data.as_object_mut() {
            members.extend(self.client_data_extra.clone());
        }
        data.to_string().into_bytes()
    }

    /// WebAuthn L3 §6.3.2/§6.3.3 as a client applies them: for `required` or `preferred`, the
    /// `uv` option on a device with built-in UV, or a pinUvAuthParam when a PIN is set.
    fn user_verification(
        &mut self,
        policy: UserVerificationPolicy,
        rp_id: &str,
        client_data_hash: &[u8; 32],
        permission: u8,
    ) -> (bool, Option<(Vec<u8>, i64)>) {
        if self.skip_uv || policy == UserVerificationPolicy::Discouraged_DO_NOT_USE {
            return (false, None);
        }
        let info = self.call(GET_INFO, Value::Null).expect("getInfo");
        let option = |name: &str| {
            lookup(&info, 4).and_then(|o| o.as_map()).and_then(|o| {
                o.iter().find(|(k, _)| k.as_text() == Some(name)).and_then(|(_, v)| v.as_bool())
            })
        };
        if option("uv") == Some(true) {
            return (true, None);
        }
        match (option("clientPin"), self.pin.clone()) {
            (Some(true), Some(pin)) => {
                let protocol = PinUvAuthProtocol::Two;
                let token = self.pin_token(protocol, &pin, permission, rp_id);
                (false, Some((authenticate_with_token(protocol, &token, client_data_hash), protocol.id())))
            }
            _ => (false, None),
        }
    }

    /// getPinUvAuthTokenUsingPinWithPermissions (CTAP 2.1 §6.5.5.7.2).
    fn pin_token(
        &mut self,
        protocol: PinUvAuthProtocol,
        pin: &str,
        permissions: u8,
        rp_id: &str,
    ) -> [u8; 32] {
        let agreement = Value::Map(vec![(int(1), int(protocol.id())), (int(2), int(2))]);
        let response = self.call(CLIENT_PIN, agreement).expect("getKeyAgreement");
        let key = KeyAgreementKey::generate();
        let shared = key.shared_secret(protocol, field(&response, 1)).expect("shared secret");
        let request = Value::Map(vec![
            (int(1), int(protocol.id())),
            (int(2), int(9)),
            (int(3), key.cose_public_key()),
            (int(6), Value::Bytes(shared.encrypt(&pin_hash(pin.as_bytes())).expect("encrypts"))),
            (int(9), int(i64::from(permissions))),
            (int(10), text(rp_id)),
        ]);
        let response = self.call(CLIENT_PIN, request).expect("pinUvAuthToken");
        let token = shared.decrypt(field(&response, 2).as_bytes().expect("token")).expect("decrypts");
        token.try_into().expect("32-byte token")
    }

    fn call(&mut self, command: u8, body: Value) -> Result<Value, u8> {
        let mut request = vec![command];
        if body != Value::Null {
            ciborium::into_writer(&body, &mut request).expect("encodes");
        }
        let response = self.authenticator.process(&request, &Signals::new());
        match response.split_first() {
            Some((0, rest)) => Ok(ciborium::from_reader(rest).expect("CBOR response")),
            Some((&status, _)) => Err(status),
            None => Err(0xFF),
        }
    }
}

pub fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn descriptor(id: &[u8]) -> Value {
    Value::Map(vec![(text("id"), Value::Bytes(id.to_vec())), (text("type"), text("public-key"))])
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("encodes");
    out
}

fn lookup(map: &Value, key: i64) -> Option<&Value> {
    map.as_map()?.iter().find(|(k, _)| *k == int(key)).map(|(_, v)| v)
}

fn field(map: &Value, key: i64) -> &Value {
    lookup(map, key).unwrap_or_else(|| panic!("response field {key}"))
}

fn map_get<'a>(map: &'a Value, key: &str) -> &'a Value {
    map.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("field {key}"))
}
