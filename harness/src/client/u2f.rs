//! A WebAuthn client in front of a U2F-only security key, as browsers drive one (CTAP 2.1 §10
//! "Interoperating with CTAP1/U2F authenticators"): the WebAuthn options become U2F_REGISTER and
//! U2F_AUTHENTICATE command APDUs (FIDO U2F Raw Message Formats v1.2), built here by hand, and
//! their answers become the attestation object and the authenticator data a page receives.
//!
//! A U2F key can neither verify the user nor keep discoverable credentials: a ceremony that
//! needs either fails before the key is asked, with the NotAllowedError a browser gives.

use ciborium::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::{Authenticator, Signals};

use super::webauthn::{ClientError, WebAuthnClient, client_data_json};
use super::{base64url, base64url_bytes};

/// U2F_REGISTER ("Registration Request Message - U2F_REGISTER").
const REGISTER: u8 = 0x01;
/// U2F_AUTHENTICATE ("Authentication Request Message - U2F_AUTHENTICATE").
const AUTHENTICATE: u8 = 0x02;
/// U2F_AUTHENTICATE control byte "check-only".
const CHECK_ONLY: u8 = 0x07;
/// U2F_AUTHENTICATE control byte "enforce-user-presence-and-sign".
const ENFORCE_USER_PRESENCE: u8 = 0x03;
/// U2F_AUTHENTICATE control byte "dont-enforce-user-presence-and-sign".
const DONT_ENFORCE_USER_PRESENCE: u8 = 0x08;
/// SW_NO_ERROR.
const SW_NO_ERROR: u16 = 0x9000;
/// SW_CONDITIONS_NOT_SATISFIED: no touch yet (or, for check-only, the key handle is the key's).
pub const SW_CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
/// SW_WRONG_DATA: a key handle this key did not issue for the application.
const SW_WRONG_DATA: u16 = 0x6A80;
/// Length of an uncompressed P-256 point (0x04 ‖ X ‖ Y).
const POINT_LEN: usize = 65;
/// authenticatorData flags: UP (bit 0) and AT (bit 6) (WebAuthn L3 §6.1).
const FLAGS_UP_AT: u8 = 0x41;

/// The name of a U2F status word ("Status Codes").
pub fn status_word_name(status: u16) -> String {
    match status {
        SW_CONDITIONS_NOT_SATISFIED => "SW_CONDITIONS_NOT_SATISFIED".into(),
        SW_WRONG_DATA => "SW_WRONG_DATA".into(),
        0x6700 => "SW_WRONG_LENGTH".into(),
        0x6E00 => "SW_CLA_NOT_SUPPORTED".into(),
        0x6D00 => "SW_INS_NOT_SUPPORTED".into(),
        other => format!("SW_{other:04X}"),
    }
}

fn malformed(what: &str) -> U2fRefusal {
    U2fRefusal::Malformed(what.to_owned())
}

fn unb64(value: &Value, what: &str) -> Result<Vec<u8>, ClientError> {
    base64url_bytes(value).ok_or_else(|| ClientError::Malformed(what.to_owned()))
}

/// A command APDU in extended length encoding (U2F Raw Message Formats "Request Message
/// Framing"): CLA 0 ‖ INS ‖ P1 ‖ P2 0 ‖ Lc (3 bytes) ‖ data ‖ Le (2 bytes, 0: up to 65,536).
fn command(ins: u8, p1: u8, data: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x00, ins, p1, 0x00, 0x00];
    apdu.extend_from_slice(&u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes());
    apdu.extend_from_slice(data);
    apdu.extend_from_slice(&[0x00, 0x00]);
    apdu
}

/// Why a U2F key did not answer a ceremony.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum U2fRefusal {
    /// The key holds a credential of the exclude list (check-only answered
    /// SW_CONDITIONS_NOT_SATISFIED).
    Excluded,
    /// The key refused with this status word.
    Status(u16),
    /// The key's answer could not be read.
    Malformed(String),
}

/// A U2F_REGISTER answer turned into WebAuthn's terms (CTAP 2.1 §10.2).
#[derive(Clone, Debug)]
pub struct U2fRegistration {
    /// The key handle: the credential ID.
    pub key_handle: Vec<u8>,
    /// rpIdHash ‖ flags (UP, AT) ‖ signCount 0 ‖ AAGUID zero ‖ L ‖ key handle ‖ COSE key.
    pub auth_data: Vec<u8>,
    certificate: Vec<u8>,
    signature: Vec<u8>,
}

impl U2fRegistration {
    /// The attestation object (WebAuthn L3 §6.5, keys in canonical order): `fido-u2f` (§8.6)
    /// with the batch certificate, or `none` (§8.7) where the client withholds it.
    pub fn attestation_object(&self, withhold_attestation: bool) -> Vec<u8> {
        let (format, statement) = if withhold_attestation {
            ("none", Cbor::Map(Vec::new()))
        } else {
            let certificate = Cbor::Array(vec![Cbor::Bytes(self.certificate.clone())]);
            let statement = Cbor::Map(vec![
                (Cbor::Text("sig".into()), Cbor::Bytes(self.signature.clone())),
                (Cbor::Text("x5c".into()), certificate),
            ]);
            ("fido-u2f", statement)
        };
        let object = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text(format.into())),
            (Cbor::Text("attStmt".into()), statement),
            (Cbor::Text("authData".into()), Cbor::Bytes(self.auth_data.clone())),
        ]);
        let mut out = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = ciborium::ser::into_writer(&object, &mut out);
        out
    }
}

/// A U2F_AUTHENTICATE answer turned into WebAuthn's terms (CTAP 2.1 §10.3).
#[derive(Clone, Debug)]
pub struct U2fAssertion {
    /// The key handle that signed.
    pub key_handle: Vec<u8>,
    /// rpIdHash ‖ the user-presence byte's flags ‖ the counter.
    pub auth_data: Vec<u8>,
    /// U2F's signature, over exactly those bytes and the clientDataHash.
    pub signature: Vec<u8>,
}

/// A U2F security key driven over its command APDUs, as a browser drives one.
pub struct U2fKey<'a> {
    /// The key.
    pub authenticator: &'a mut Authenticator,
    /// Cancellation.
    pub signals: &'a Signals,
}

impl U2fKey<'_> {
    /// Sends one command APDU; the response data, or the status word that refused it.
    fn apdu(&mut self, ins: u8, p1: u8, data: &[u8]) -> Result<Vec<u8>, U2fRefusal> {
        let mut response = self.authenticator.process_apdu(&command(ins, p1, data), self.signals);
        let Some(split) = response.len().checked_sub(2) else {
            return Err(U2fRefusal::Status(0));
        };
        let status = u16::from_be_bytes([response[split], response[split + 1]]);
        response.truncate(split);
        if status == SW_NO_ERROR { Ok(response) } else { Err(U2fRefusal::Status(status)) }
    }

    /// §10.2: each excluded key handle is tried with check-only first; then U2F_REGISTER with
    /// the clientDataHash as challenge parameter and the rpIdHash as application parameter.
    pub fn register(
        &mut self,
        client_data_hash: &[u8; 32],
        rp_id_hash: &[u8; 32],
        exclude: &[Vec<u8>],
    ) -> Result<U2fRegistration, U2fRefusal> {
        for key_handle in exclude {
            let data = authenticate_data(&[0; 32], rp_id_hash, key_handle)?;
            if self.apdu(AUTHENTICATE, CHECK_ONLY, &data)
                == Err(U2fRefusal::Status(SW_CONDITIONS_NOT_SATISFIED))
            {
                return Err(U2fRefusal::Excluded);
            }
        }
        let response = self.apdu(REGISTER, 0x00, &[*client_data_hash, *rp_id_hash].concat())?;
        let registration =
            RegisterResponse::parse(&response).ok_or_else(|| malformed("U2F_REGISTER response"))?;
        Ok(U2fRegistration {
            key_handle: registration.key_handle.to_vec(),
            auth_data: registration.authenticator_data(rp_id_hash)?,
            certificate: registration.certificate.to_vec(),
            signature: registration.signature.to_vec(),
        })
    }

    /// §10.3: U2F_AUTHENTICATE with each allowed key handle in turn until one is this key's;
    /// `up` false asks for dont-enforce-user-presence-and-sign, the silent assertion an absent
    /// user leaves. No handle of the list being the key's is SW_WRONG_DATA.
    pub fn authenticate(
        &mut self,
        client_data_hash: &[u8; 32],
        rp_id_hash: &[u8; 32],
        allow: &[Vec<u8>],
        up: bool,
    ) -> Result<U2fAssertion, U2fRefusal> {
        let control = if up { ENFORCE_USER_PRESENCE } else { DONT_ENFORCE_USER_PRESENCE };
        for key_handle in allow {
            let data = authenticate_data(client_data_hash, rp_id_hash, key_handle)?;
            match self.apdu(AUTHENTICATE, control, &data) {
                Ok(response) => {
                    let (presence_and_counter, signature) =
                        response.split_at_checked(5).ok_or_else(|| malformed("U2F_AUTHENTICATE response"))?;
                    return Ok(U2fAssertion {
                        key_handle: key_handle.clone(),
                        auth_data: [&rp_id_hash[..], presence_and_counter].concat(),
                        signature: signature.to_vec(),
                    });
                }
                // SW_WRONG_DATA: not this key's handle; the next one may be.
                Err(U2fRefusal::Status(SW_WRONG_DATA)) => {}
                Err(refusal) => return Err(refusal),
            }
        }
        Err(U2fRefusal::Status(SW_WRONG_DATA))
    }
}

impl From<U2fRefusal> for ClientError {
    fn from(refusal: U2fRefusal) -> Self {
        match refusal {
            U2fRefusal::Excluded => ClientError::CredentialExcluded,
            U2fRefusal::Status(status) => ClientError::U2f(status),
            U2fRefusal::Malformed(what) => ClientError::Malformed(what),
        }
    }
}

impl WebAuthnClient {
    fn u2f_key<'a>(&'a mut self, signals: &'a Signals) -> U2fKey<'a> {
        U2fKey { authenticator: &mut self.authenticator, signals }
    }

    /// navigator.credentials.create() on a U2F key (CTAP 2.1 §10.2).
    pub(super) fn create_with_u2f(&mut self, options: &Value) -> Result<Value, ClientError> {
        let options = options.get("publicKey").unwrap_or(options);
        let challenge = unb64(&options["challenge"], "challenge")?;
        let rp_id = options["rp"]["id"].as_str().ok_or_else(|| malformed("rp.id"))?.to_owned();
        let selection = &options["authenticatorSelection"];
        // A U2F key keeps no discoverable credential and cannot verify the user.
        if selection["residentKey"].as_str() == Some("required") || selection["requireResidentKey"] == true {
            return Err(ClientError::DiscoverableUnavailable);
        }
        if selection["userVerification"].as_str() == Some("required") {
            return Err(ClientError::UvUnavailable);
        }
        let exclude: Vec<Vec<u8>> = descriptor_ids(&options["excludeCredentials"], "excludeCredentials.id")?;
        let client_data = client_data_json("webauthn.create", &challenge, &self.origin, None);
        let client_data_hash: [u8; 32] = Sha256::digest(&client_data).into();
        let rp_id_hash: [u8; 32] = Sha256::digest(rp_id.as_bytes()).into();
        let withhold = self.replace_u2f_attestation_with_none;
        let signals = Signals::new();
        let registration = self.u2f_key(&signals).register(&client_data_hash, &rp_id_hash, &exclude)?;
        Ok(json!({
            "id": base64url(&registration.key_handle),
            "rawId": base64url(&registration.key_handle),
            "type": "public-key",
            "response": {
                "clientDataJSON": base64url(&client_data),
                "attestationObject": base64url(&registration.attestation_object(withhold)),
                "transports": ["usb"],
            },
            // A U2F key is always a roaming key (WebAuthn L3 §5.4.5).
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
        }))
    }

    /// navigator.credentials.get() on a U2F key (CTAP 2.1 §10.3); `up` false asks for
    /// dont-enforce-user-presence-and-sign, the silent assertion an absent user leaves.
    pub(super) fn assert_with_u2f(&mut self, options: &Value, up: bool) -> Result<Value, ClientError> {
        let options = options.get("publicKey").unwrap_or(options);
        let challenge = unb64(&options["challenge"], "challenge")?;
        let rp_id = options["rpId"].as_str().ok_or_else(|| malformed("rpId"))?.to_owned();
        if up && options["userVerification"].as_str() == Some("required") {
            return Err(ClientError::UvUnavailable);
        }
        let allow = descriptor_ids(&options["allowCredentials"], "allowCredentials.id")?;
        // A U2F key cannot find a credential by itself: an empty allowList has nothing to sign.
        if allow.is_empty() {
            return Err(ClientError::DiscoverableUnavailable);
        }
        let client_data = client_data_json("webauthn.get", &challenge, &self.origin, None);
        let client_data_hash: [u8; 32] = Sha256::digest(&client_data).into();
        let rp_id_hash: [u8; 32] = Sha256::digest(rp_id.as_bytes()).into();
        let signals = Signals::new();
        let assertion = self.u2f_key(&signals).authenticate(&client_data_hash, &rp_id_hash, &allow, up)?;
        Ok(json!({
            "id": base64url(&assertion.key_handle),
            "rawId": base64url(&assertion.key_handle),
            "type": "public-key",
            "response": {
                "authenticatorData": base64url(&assertion.auth_data),
                "clientDataJSON": base64url(&client_data),
                "signature": base64url(&assertion.signature),
                "userHandle": null,
            },
            "authenticatorAttachment": "cross-platform",
            "clientExtensionResults": {},
        }))
    }
}

/// The ids of a list of credential descriptors.
fn descriptor_ids(list: &Value, what: &str) -> Result<Vec<Vec<u8>>, ClientError> {
    list.as_array()
        .map(|list| list.iter().map(|c| unb64(&c["id"], what)).collect())
        .transpose()
        .map(Option::unwrap_or_default)
}

/// The data of U2F_AUTHENTICATE: challenge ‖ application ‖ L ‖ key handle.
fn authenticate_data(
    challenge: &[u8; 32],
    application: &[u8; 32],
    key_handle: &[u8],
) -> Result<Vec<u8>, U2fRefusal> {
    let length = u8::try_from(key_handle.len()).map_err(|_| malformed("a key handle over 255 bytes"))?;
    Ok([&challenge[..], &application[..], &[length], key_handle].concat())
}

/// A U2F_REGISTER response ("Registration Response Message: Success"): 0x05 ‖ public key (65) ‖
/// L ‖ key handle ‖ attestation certificate (DER) ‖ signature.
struct RegisterResponse<'a> {
    public_key: &'a [u8],
    key_handle: &'a [u8],
    certificate: &'a [u8],
    signature: &'a [u8],
}

impl<'a> RegisterResponse<'a> {
    fn parse(response: &'a [u8]) -> Option<Self> {
        let (&reserved, rest) = response.split_first()?;
        let (public_key, rest) = rest.split_at_checked(POINT_LEN)?;
        let (&handle_len, rest) = rest.split_first()?;
        let (key_handle, rest) = rest.split_at_checked(usize::from(handle_len))?;
        let (certificate, signature) = rest.split_at_checked(der_length(rest)?)?;
        (reserved == 0x05 && public_key.first() == Some(&0x04)).then_some(Self {
            public_key,
            key_handle,
            certificate,
            signature,
        })
    }

    /// §10.2: authData = rpIdHash ‖ flags (UP, AT) ‖ signCount 0 ‖ AAGUID zero ‖ L ‖ key handle ‖
    /// the COSE key of the 65-byte point.
    fn authenticator_data(&self, rp_id_hash: &[u8; 32]) -> Result<Vec<u8>, U2fRefusal> {
        let handle_len = u16::try_from(self.key_handle.len()).map_err(|_| malformed("key handle"))?;
        let mut data = rp_id_hash.to_vec();
        data.push(FLAGS_UP_AT);
        data.extend_from_slice(&0u32.to_be_bytes());
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(&handle_len.to_be_bytes());
        data.extend_from_slice(self.key_handle);
        data.extend_from_slice(&cose_es256_key(self.public_key));
        Ok(data)
    }
}

/// The COSE_Key of an uncompressed P-256 point (RFC 9053 §7.1.1; kty EC2, alg ES256, crv P-256),
/// keys in CTAP2 canonical order (1, 3, -1, -2, -3).
fn cose_es256_key(point: &[u8]) -> Vec<u8> {
    let int = |value: i64| Cbor::Integer(value.into());
    let key = Cbor::Map(vec![
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), Cbor::Bytes(point[1..33].to_vec())),
        (int(-3), Cbor::Bytes(point[33..65].to_vec())),
    ]);
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&key, &mut out);
    out
}

/// The whole length of the DER element `bytes` opens with (tag, length, contents): how the
/// certificate is told apart from the signature after it.
fn der_length(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let count = usize::from(first & 0x7F);
    let length = bytes.get(2..2 + count)?.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    Some(2 + count + length)
}

#[cfg(test)]
mod tests;
