//! One U2F scenario through U2F's APDUs (FIDO U2F Raw Message Formats v1.2), as a U2F-only key
//! is used: U2F_REGISTER with the user's touch, then U2F_AUTHENTICATE with the scenario's
//! presence, each answer read here from the message formats and checked against
//! [`super::oracle`].

use der::Decode;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use sha2::{Digest, Sha256};
use softfido_authenticator::attestation::{self, AttestationRoot};
use softfido_authenticator::config::PresenceOutcome;
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Signals};
use x509_cert::Certificate;

use super::check::RP_ID;
use super::oracle::U2fExpected;
use super::scenario::DeviceScenario;
use super::verify;

/// U2F_REGISTER's instruction byte ("Registration Request Message - U2F_REGISTER").
const U2F_REGISTER: u8 = 0x01;
/// U2F_AUTHENTICATE's instruction byte ("Authentication Request Message - U2F_AUTHENTICATE").
const U2F_AUTHENTICATE: u8 = 0x02;
/// P1 "enforce-user-presence-and-sign".
const ENFORCE_USER_PRESENCE_AND_SIGN: u8 = 0x03;
/// SW_NO_ERROR.
const SW_NO_ERROR: [u8; 2] = [0x90, 0x00];
/// "Registration Response Message: Success": the reserved first byte.
const REGISTRATION_RESERVED: u8 = 0x05;
/// An uncompressed P-256 point: 0x04 ‖ X ‖ Y.
const PUBLIC_KEY_LEN: usize = 65;

/// A command APDU in the extended length encoding (ISO 7816-4, as U2F's "Request Message
/// Framing" uses it): CLA 0, INS, P1, P2 0, Lc on three bytes, the data, Le 0x0000.
fn apdu(instruction: u8, p1: u8, data: &[u8]) -> Vec<u8> {
    let length = u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes();
    let mut out = vec![0x00, instruction, p1, 0x00, 0x00, length[0], length[1]];
    out.extend_from_slice(data);
    out.extend_from_slice(&[0x00, 0x00]);
    out
}

/// Splits a response APDU into its data and status word.
fn split_status(response: &[u8]) -> Result<(&[u8], [u8; 2]), String> {
    let at = response.len().checked_sub(2).ok_or("response APDU without a status word")?;
    Ok((&response[..at], [response[at], response[at + 1]]))
}

/// The length of the DER element at the start of `bytes` (tag, length, contents).
fn der_element_len(bytes: &[u8]) -> Result<usize, String> {
    let first = *bytes.get(1).ok_or("DER element truncated")?;
    if first < 0x80 {
        return Ok(2 + usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    let length = bytes.get(2..2 + count).ok_or("DER length truncated")?;
    let contents = length.iter().fold(0usize, |acc, &byte| (acc << 8) | usize::from(byte));
    Ok(2 + count + contents)
}

/// What a successful registration gave: the key handle and the credential's public key.
struct Registered {
    key_handle: Vec<u8>,
    key: VerifyingKey,
}

/// Runs U2F scenario `s` against an authenticator configured with `config`.
pub fn check_u2f(s: &DeviceScenario, mut config: Config) -> Result<(), String> {
    let mut auth = Authenticator::new(config.clone(), MemoryStore::new()).map_err(|e| e.to_string())?;
    let application: [u8; 32] = Sha256::digest(RP_ID).into();
    let registered = register(&mut auth, s, &application)?;
    config.presence = PresenceOutcome::from(s.up);
    auth.reconfigure(config);
    let first = authenticate(&mut auth, &registered, &application, b"first sign-in")?;
    match (first, s.expected_u2f_authentication()) {
        (Err(status), U2fExpected::Refused(want)) if status == want => Ok(()),
        (Err(status), want) => Err(format!("U2F_AUTHENTICATE status {status:02x?}, expected {want:?}")),
        (Ok(_), U2fExpected::Refused(want)) => Err(format!("U2F_AUTHENTICATE signed, expected {want:02x?}")),
        (Ok((presence, counter)), U2fExpected::Signed { user_presence }) => {
            if presence != user_presence {
                return Err(format!("user presence byte {presence:#04x}, expected {user_presence:#04x}"));
            }
            // The counter only grows ("Authentication Response Message: Success").
            let second = authenticate(&mut auth, &registered, &application, b"second sign-in")?
                .map_err(|status| format!("second U2F_AUTHENTICATE status {status:02x?}"))?;
            if counter == 0 || second.1 <= counter {
                return Err(format!("counters {counter} then {}: not increasing from 1", second.1));
            }
            Ok(())
        }
    }
}

/// U2F_REGISTER with the user's touch; checks the registration signature with the attestation
/// certificate, that certificate's model AAGUID, and its root.
fn register(
    auth: &mut Authenticator,
    s: &DeviceScenario,
    application: &[u8; 32],
) -> Result<Registered, String> {
    let challenge: [u8; 32] = Sha256::digest(b"registration client data").into();
    let request = apdu(U2F_REGISTER, 0x00, &[&challenge[..], application].concat());
    let response = auth.process_apdu(&request, &Signals::new());
    let (body, status) = split_status(&response)?;
    if status != SW_NO_ERROR {
        return Err(format!("U2F_REGISTER status {status:02x?}"));
    }
    if body.first() != Some(&REGISTRATION_RESERVED) {
        return Err("U2F_REGISTER: the reserved byte is not 0x05".into());
    }
    let public_key = body.get(1..1 + PUBLIC_KEY_LEN).ok_or("U2F_REGISTER: public key truncated")?;
    let key = VerifyingKey::from_sec1_bytes(public_key).map_err(|e| format!("user public key: {e}"))?;
    let handle_len = usize::from(*body.get(1 + PUBLIC_KEY_LEN).ok_or("U2F_REGISTER: no key handle length")?);
    let handle_start = 2 + PUBLIC_KEY_LEN;
    let key_handle =
        body.get(handle_start..handle_start + handle_len).ok_or("key handle truncated")?.to_vec();
    let rest = &body[handle_start + handle_len..];
    let certificate_len = der_element_len(rest)?;
    let certificate_der = rest.get(..certificate_len).ok_or("attestation certificate truncated")?;
    let certificate = Certificate::from_der(certificate_der).map_err(|e| format!("certificate: {e}"))?;
    let signature =
        DerSignature::from_bytes(&rest[certificate_len..]).map_err(|e| format!("signature: {e}"))?;
    let signed = [&[0x00][..], application, &challenge, &key_handle, public_key].concat();
    verify::certificate_key(&certificate)?
        .verify(&signed, &signature)
        .map_err(|_| "the registration signature does not verify with the certificate")?;
    verify::check_aaguid_extension(&certificate, &attestation::aaguid(s.config().model()))?;
    let root = attestation::root_certificate_der(AttestationRoot::Trusted);
    let trusted = verify::issued_by(&certificate, root)?;
    if trusted != s.expected_u2f_trusted() {
        return Err(format!("batch certificate trusted: {trusted}, expected {}", s.expected_u2f_trusted()));
    }
    Ok(Registered { key_handle, key })
}

/// U2F_AUTHENTICATE (enforce-user-presence-and-sign): the user presence byte and counter of a
/// signature that verifies, or the status word of a refusal.
fn authenticate(
    auth: &mut Authenticator,
    registered: &Registered,
    application: &[u8; 32],
    client_data: &[u8],
) -> Result<Result<(u8, u32), [u8; 2]>, String> {
    let challenge: [u8; 32] = Sha256::digest(client_data).into();
    let handle_len = u8::try_from(registered.key_handle.len()).map_err(|_| "key handle too long")?;
    let data = [&challenge[..], application, &[handle_len], &registered.key_handle].concat();
    let request = apdu(U2F_AUTHENTICATE, ENFORCE_USER_PRESENCE_AND_SIGN, &data);
    let response = auth.process_apdu(&request, &Signals::new());
    let (body, status) = split_status(&response)?;
    if status != SW_NO_ERROR {
        return Ok(Err(status));
    }
    let (&presence, rest) = body.split_first().ok_or("U2F_AUTHENTICATE: empty answer")?;
    let counter_bytes: [u8; 4] = rest.get(..4).and_then(|c| c.try_into().ok()).ok_or("counter truncated")?;
    let signature = DerSignature::from_bytes(&rest[4..]).map_err(|e| format!("signature: {e}"))?;
    // "Authentication Response Message: Success": the signature covers application ‖ user
    // presence ‖ counter ‖ challenge.
    let signed = [&application[..], &[presence], &counter_bytes, &challenge].concat();
    registered.key.verify(&signed, &signature).map_err(|_| "the authentication signature does not verify")?;
    Ok(Ok((presence, u32::from_be_bytes(counter_bytes))))
}

#[cfg(test)]
mod tests;
