//! CTAP1 / U2F (FIDO U2F Raw Message Formats v1.2): command APDUs in, response APDUs out.
//!
//! Clauses of FIDO U2F Raw Message Formats v1.2 are cited by their headings, quoted.
//!
//! The protocol is pure: [`process`] parses an APDU, checks it in the order below and asks a
//! [`U2fToken`] for what only the device knows (the user's touch, keys, counters, the batch
//! attestation identity). The authenticator implements the token on the same credential IDs
//! and counters as CTAP2, so a U2F key handle is a CTAP2 credential and the reverse (CTAP 2.1
//! §10, "Interoperating with CTAP1/U2F authenticators").
//!
//! The order of the checks: a header of four bytes and lengths consistent with the body
//! ([`StatusWord::WrongLength`]), the class byte ([`StatusWord::ClaNotSupported`]), the
//! instruction ([`StatusWord::InsNotSupported`]), then the instruction's own data.

pub mod apdu;

#[cfg(test)]
mod tests;

use self::apdu::{CLA_U2F, CommandApdu};
use crate::attestation::AttestationIdentity;
use crate::keys::PrivateKey;
use crate::signals::Signals;

/// The version string U2F_VERSION answers ("GetVersion Request and Response - U2F_VERSION").
pub const U2F_VERSION: &[u8] = b"U2F_V2";

/// The first byte of a registration response ("Registration Response Message: Success": reserved, 0x05).
pub const REGISTER_RESERVED_BYTE: u8 = 0x05;

/// The byte that opens the data the batch key signs at registration
/// ("Registration Response Message: Success": a reserved byte, 0x00).
pub const REGISTER_SIGNED_RESERVED_BYTE: u8 = 0x00;

/// Bit 0 of the user-presence byte of an authentication response: the user touched the key
/// ("Authentication Response Message: Success").
pub const USER_PRESENT: u8 = 0x01;

/// Length of the challenge and application parameters (SHA-256 digests).
pub const PARAMETER_LEN: usize = 32;

/// Length of an uncompressed P-256 point ("Registration Response Message: Success": 0x04 ‖ X ‖ Y).
pub const PUBLIC_KEY_LEN: usize = 65;

/// The status words U2F uses ("Status Codes", after ISO 7816-4 §5.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusWord {
    /// SW_NO_ERROR: the command completed.
    NoError = 0x9000,
    /// SW_CONDITIONS_NOT_SATISFIED: a test of user presence is required (or, for check-only,
    /// the key handle is valid).
    ConditionsNotSatisfied = 0x6985,
    /// SW_WRONG_DATA: an invalid key handle, or a request this token cannot take.
    WrongData = 0x6A80,
    /// SW_WRONG_LENGTH: the request's length is wrong.
    WrongLength = 0x6700,
    /// SW_CLA_NOT_SUPPORTED: the class byte is not 0x00.
    ClaNotSupported = 0x6E00,
    /// SW_INS_NOT_SUPPORTED: an unknown instruction.
    InsNotSupported = 0x6D00,
    /// ISO 7816-4 §5.1.3 "no precise diagnosis": the device failed (a state it could not write).
    NoPreciseDiagnosis = 0x6F00,
}

impl StatusWord {
    /// The two bytes SW1 SW2 that end every response APDU.
    pub fn bytes(self) -> [u8; 2] {
        (self as u16).to_be_bytes()
    }

    /// The status word for two bytes, if U2F uses it.
    pub fn from_bytes(bytes: [u8; 2]) -> Option<Self> {
        let all = [
            Self::NoError,
            Self::ConditionsNotSatisfied,
            Self::WrongData,
            Self::WrongLength,
            Self::ClaNotSupported,
            Self::InsNotSupported,
            Self::NoPreciseDiagnosis,
        ];
        all.into_iter().find(|status| status.bytes() == bytes)
    }
}

/// The instructions U2F defines ("Request Message Framing").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instruction {
    /// U2F_REGISTER ("Registration Request Message - U2F_REGISTER").
    Register = 0x01,
    /// U2F_AUTHENTICATE ("Authentication Request Message - U2F_AUTHENTICATE").
    Authenticate = 0x02,
    /// U2F_VERSION ("GetVersion Request and Response - U2F_VERSION").
    Version = 0x03,
}

impl Instruction {
    /// The instruction for an INS byte, if U2F defines it ("Status Codes": others are
    /// SW_INS_NOT_SUPPORTED).
    pub fn from_byte(ins: u8) -> Option<Self> {
        [Self::Register, Self::Authenticate, Self::Version].into_iter().find(|i| *i as u8 == ins)
    }

    /// The name the specification gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Register => "U2F_REGISTER",
            Self::Authenticate => "U2F_AUTHENTICATE",
            Self::Version => "U2F_VERSION",
        }
    }
}

/// The control byte (P1) of U2F_AUTHENTICATE ("Authentication Request Message - U2F_AUTHENTICATE").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthenticateMode {
    /// 0x07 "check-only": is the key handle this token's, for this application? Never signs.
    CheckOnly = 0x07,
    /// 0x03 "enforce-user-presence-and-sign".
    EnforceUserPresenceAndSign = 0x03,
    /// 0x08 "dont-enforce-user-presence-and-sign".
    DontEnforceUserPresenceAndSign = 0x08,
}

impl AuthenticateMode {
    /// The mode for a P1 byte, if U2F defines it.
    pub fn from_byte(p1: u8) -> Option<Self> {
        [Self::CheckOnly, Self::EnforceUserPresenceAndSign, Self::DontEnforceUserPresenceAndSign]
            .into_iter()
            .find(|mode| *mode as u8 == p1)
    }
}

/// What the U2F protocol needs of the device behind it.
pub trait U2fToken {
    /// A test of user presence that never waits: whether the user has touched the key. U2F has no keepalive;
    /// a device without a touch answers SW_CONDITIONS_NOT_SATISFIED at once and the client asks again
    /// ("Registration Response Message: Error: Test-of-User-Presence Required"; "Authentication Response
    /// Message: Error: Test-of-User-Presence Required").
    fn user_present(&mut self, signals: &Signals) -> bool;

    /// A new ES256 key for `application` and its key handle (at most 255 bytes).
    fn create_key(&mut self, application: &[u8; PARAMETER_LEN]) -> Result<(PrivateKey, Vec<u8>), StatusWord>;

    /// The key a key handle carries, when this token issued it for `application` and it may
    /// sign through U2F; `None` otherwise.
    fn open_key(&self, key_handle: &[u8], application: &[u8; PARAMETER_LEN]) -> Option<PrivateKey>;

    /// Advances the signature counter of `key_handle` and returns its new value.
    fn next_counter(&mut self, key_handle: &[u8]) -> Result<u32, StatusWord>;

    /// The batch attestation key and certificate registrations are signed with.
    fn attestation_identity(&self) -> &'static AttestationIdentity;
}

/// Answers one command APDU: the response data followed by its status word. Never panics.
pub fn process(token: &mut dyn U2fToken, apdu: &[u8], signals: &Signals) -> Vec<u8> {
    let (mut data, status) = match respond(token, apdu, signals) {
        Ok(data) => (data, StatusWord::NoError),
        Err(status) => (Vec::new(), status),
    };
    tracing::debug!(status = format_args!("{:04x}", status as u16), "U2F answer");
    data.extend_from_slice(&status.bytes());
    data
}

/// The response data of a successful command, or the status word that refused it.
fn respond(token: &mut dyn U2fToken, bytes: &[u8], signals: &Signals) -> Result<Vec<u8>, StatusWord> {
    let apdu = CommandApdu::parse(bytes)?;
    // "Request Message Framing": CLA is 0x00; "Status Codes": SW_CLA_NOT_SUPPORTED otherwise.
    if apdu.cla != CLA_U2F {
        return Err(StatusWord::ClaNotSupported);
    }
    // "Status Codes": an instruction U2F does not define is SW_INS_NOT_SUPPORTED.
    let instruction = Instruction::from_byte(apdu.ins).ok_or(StatusWord::InsNotSupported)?;
    match instruction {
        Instruction::Version => version(&apdu),
        Instruction::Register => register(token, &apdu, signals),
        Instruction::Authenticate => authenticate(token, &apdu, signals),
    }
}

/// U2F_VERSION ("GetVersion Request and Response - U2F_VERSION"): no request data; the answer is "U2F_V2".
fn version(apdu: &CommandApdu<'_>) -> Result<Vec<u8>, StatusWord> {
    if !apdu.data.is_empty() {
        return Err(StatusWord::WrongLength);
    }
    Ok(U2F_VERSION.to_vec())
}

/// The challenge and application parameters that open a register or authenticate request.
fn parameters(data: &[u8]) -> Option<(&[u8; PARAMETER_LEN], &[u8; PARAMETER_LEN], &[u8])> {
    let (challenge, rest) = data.split_first_chunk::<PARAMETER_LEN>()?;
    let (application, rest) = rest.split_first_chunk::<PARAMETER_LEN>()?;
    Some((challenge, application, rest))
}

/// U2F_REGISTER ("Registration Request Message - U2F_REGISTER"; "Registration Response Message: Success"):
/// after a touch, a new key and its key handle, attested by the batch key.
fn register(
    token: &mut dyn U2fToken,
    apdu: &CommandApdu<'_>,
    signals: &Signals,
) -> Result<Vec<u8>, StatusWord> {
    // "Registration Request Message - U2F_REGISTER": exactly the challenge and application parameters.
    let Some((challenge, application, [])) = parameters(apdu.data) else {
        return Err(StatusWord::WrongLength);
    };
    // "Registration Response Message: Error: Test-of-User-Presence Required": SW_CONDITIONS_NOT_SATISFIED.
    if !token.user_present(signals) {
        return Err(StatusWord::ConditionsNotSatisfied);
    }
    let (key, key_handle) = token.create_key(application)?;
    let public_key = uncompressed_point(&key).ok_or(StatusWord::NoPreciseDiagnosis)?;
    let handle_len = u8::try_from(key_handle.len()).map_err(|_| StatusWord::NoPreciseDiagnosis)?;
    // "Registration Response Message: Success": the batch key signs 0x00 ‖ application ‖ challenge ‖ key
    // handle ‖ public key.
    let mut signed = Vec::with_capacity(1 + 2 * PARAMETER_LEN + key_handle.len() + PUBLIC_KEY_LEN);
    signed.push(REGISTER_SIGNED_RESERVED_BYTE);
    signed.extend_from_slice(application);
    signed.extend_from_slice(challenge);
    signed.extend_from_slice(&key_handle);
    signed.extend_from_slice(&public_key);
    let identity = token.attestation_identity();
    let signature = identity.sign_der(&signed);
    // "Registration Response Message: Success": 0x05 ‖ public key ‖ L ‖ key handle ‖ attestation certificate
    // ‖ signature.
    let mut response = Vec::with_capacity(
        2 + PUBLIC_KEY_LEN + key_handle.len() + identity.certificate_der.len() + signature.len(),
    );
    response.push(REGISTER_RESERVED_BYTE);
    response.extend_from_slice(&public_key);
    response.push(handle_len);
    response.extend_from_slice(&key_handle);
    response.extend_from_slice(&identity.certificate_der);
    response.extend_from_slice(&signature);
    Ok(response)
}

/// U2F_AUTHENTICATE ("Authentication Request Message - U2F_AUTHENTICATE"; "Authentication Response Message:
/// Success"): with a key handle this token issued for the application, the user-presence byte, the counter
/// and a signature.
fn authenticate(
    token: &mut dyn U2fToken,
    apdu: &CommandApdu<'_>,
    signals: &Signals,
) -> Result<Vec<u8>, StatusWord> {
    // "Authentication Request Message - U2F_AUTHENTICATE": challenge ‖ application ‖ L ‖ key handle, L
    // covering the rest exactly.
    let Some((challenge, application, [handle_len, key_handle @ ..])) = parameters(apdu.data) else {
        return Err(StatusWord::WrongLength);
    };
    if usize::from(*handle_len) != key_handle.len() {
        return Err(StatusWord::WrongLength);
    }
    // "Authentication Request Message - U2F_AUTHENTICATE" defines three control bytes; this token takes no
    // other.
    let mode = AuthenticateMode::from_byte(apdu.p1).ok_or(StatusWord::WrongData)?;
    // "Authentication Response Message: Error: Bad Key Handle": a key handle that is not this token's, or not
    // for this application, is SW_WRONG_DATA (whatever the mode, check-only included).
    let key = token.open_key(key_handle, application).ok_or(StatusWord::WrongData)?;
    let presence = match mode {
        // "Authentication Request Message - U2F_AUTHENTICATE": check-only answers SW_CONDITIONS_NOT_SATISFIED
        // for a valid key handle.
        AuthenticateMode::CheckOnly => return Err(StatusWord::ConditionsNotSatisfied),
        // "Authentication Response Message: Error: Test-of-User-Presence Required".
        AuthenticateMode::EnforceUserPresenceAndSign if !token.user_present(signals) => {
            return Err(StatusWord::ConditionsNotSatisfied);
        }
        AuthenticateMode::EnforceUserPresenceAndSign => USER_PRESENT,
        // "Authentication Request Message - U2F_AUTHENTICATE": sign without asking the user; the byte says no
        // presence was tested.
        AuthenticateMode::DontEnforceUserPresenceAndSign => 0,
    };
    let counter = token.next_counter(key_handle)?.to_be_bytes();
    // "Authentication Response Message: Success": the key signs application ‖ user presence ‖ counter ‖
    // challenge.
    let mut signed = Vec::with_capacity(2 * PARAMETER_LEN + 5);
    signed.extend_from_slice(application);
    signed.push(presence);
    signed.extend_from_slice(&counter);
    signed.extend_from_slice(challenge);
    let signature = key.sign(&signed);
    let mut response = Vec::with_capacity(5 + signature.len());
    response.push(presence);
    response.extend_from_slice(&counter);
    response.extend_from_slice(&signature);
    Ok(response)
}

/// The uncompressed SEC1 point of an ES256 key; `None` for any other algorithm.
pub fn uncompressed_point(key: &PrivateKey) -> Option<[u8; PUBLIC_KEY_LEN]> {
    let PrivateKey::Es256(scalar) = key else { return None };
    let point =
        p256::ecdsa::VerifyingKey::from(p256::PublicKey::from_secret_scalar(scalar)).to_sec1_point(false);
    point.as_bytes().try_into().ok()
}
