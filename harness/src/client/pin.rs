//! The platform side of clientPIN (CTAP 2.1 §6.5.5.7.2): agree on a shared secret with the
//! authenticator, send the PIN hash, receive a pinUvAuthToken, and compute pinUvAuthParam.
//!
//! The PIN/UV auth protocol cryptography is the authenticator crate's `pin::protocol` (its
//! interoperability with python-fido2 is proven in `tests/python`); the request and response
//! maps are built and read here.

use ciborium::Value;
use sha2::{Digest, Sha256};
use softfido_authenticator::pin::protocol::{
    KeyAgreementKey, PinUvAuthProtocol, SharedSecret, authenticate_with_token,
};
use softfido_authenticator::pin::token::Permissions;

use super::{Reply, field, parse_reply};

/// authenticatorClientPIN.
const CLIENT_PIN: u8 = 0x06;

/// A pinUvAuthToken held by the platform.
#[derive(Clone, Debug)]
pub struct Token {
    protocol: PinUvAuthProtocol,
    secret: [u8; 32],
}

impl Token {
    /// pinUvAuthParam for a makeCredential or getAssertion: authenticate(token, clientDataHash).
    pub fn param(&self, client_data_hash: &[u8]) -> Vec<u8> {
        authenticate_with_token(self.protocol, &self.secret, client_data_hash)
    }

    /// The protocol number to send with the param.
    pub fn protocol_id(&self) -> i64 {
        self.protocol.id()
    }
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn request(entries: Vec<(Value, Value)>) -> Vec<u8> {
    let mut out = vec![CLIENT_PIN];
    // Writing to a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&Value::Map(entries), &mut out);
    out
}

/// getKeyAgreement (CTAP 2.1 §6.5.5.4) and the platform's half of the exchange: a fresh
/// platform key and the secret it shares with the authenticator. A CTAP error comes back as
/// `Err(status)`.
pub fn key_agreement(
    mut exchange: impl FnMut(&[u8]) -> Vec<u8>,
    protocol: PinUvAuthProtocol,
) -> Result<(KeyAgreementKey, SharedSecret), u8> {
    let reply = exchange(&request(vec![(int(1), int(protocol.id())), (int(2), int(2))]));
    let Ok(Reply::Ok(body)) = parse_reply(&reply) else { return Err(reply.first().copied().unwrap_or(0x7F)) };
    let authenticator_key = field(&body, 1).ok_or(0x7F_u8)?;
    let platform = KeyAgreementKey::generate();
    let shared = platform.shared_secret(protocol, authenticator_key).map_err(|_| 0x7F_u8)?;
    Ok((platform, shared))
}

/// getPinUvAuthTokenUsingPinWithPermissions through `exchange` (which sends one request and
/// returns the raw response). A CTAP error comes back as `Err(status)`.
pub fn token_with_pin(
    mut exchange: impl FnMut(&[u8]) -> Vec<u8>,
    protocol: PinUvAuthProtocol,
    pin: &str,
    permissions: Permissions,
    rp_id: &str,
) -> Result<Token, u8> {
    let (platform, shared) = key_agreement(&mut exchange, protocol)?;
    let pin_hash = &Sha256::digest(pin.as_bytes())[..16];
    let pin_hash_enc = shared.encrypt(pin_hash).map_err(|_| 0x7F_u8)?;
    let reply = exchange(&request(vec![
        (int(1), int(protocol.id())),
        (int(2), int(9)),
        (int(3), platform.cose_public_key()),
        (int(6), Value::Bytes(pin_hash_enc)),
        (int(9), int(i64::from(permissions.bits()))),
        (int(10), Value::Text(rp_id.to_owned())),
    ]));
    decrypted_token(&reply, &shared, protocol)
}

/// getPinToken (CTAP 2.1 §6.5.5.7.1, the only token of a CTAP 2.0 or 2.1-PRE key) through
/// `exchange`. A CTAP error comes back as `Err(status)`.
pub fn pin_token(
    mut exchange: impl FnMut(&[u8]) -> Vec<u8>,
    protocol: PinUvAuthProtocol,
    pin: &str,
) -> Result<Token, u8> {
    let (platform, shared) = key_agreement(&mut exchange, protocol)?;
    let pin_hash = &Sha256::digest(pin.as_bytes())[..16];
    let pin_hash_enc = shared.encrypt(pin_hash).map_err(|_| 0x7F_u8)?;
    let reply = exchange(&request(vec![
        (int(1), int(protocol.id())),
        (int(2), int(5)),
        (int(3), platform.cose_public_key()),
        (int(6), Value::Bytes(pin_hash_enc)),
    ]));
    decrypted_token(&reply, &shared, protocol)
}

/// The token in a clientPIN answer (member 0x02, encrypted with the shared secret).
fn decrypted_token(reply: &[u8], shared: &SharedSecret, protocol: PinUvAuthProtocol) -> Result<Token, u8> {
    match parse_reply(reply) {
        Ok(Reply::Ok(body)) => {
            let encrypted = field(&body, 2).and_then(Value::as_bytes).ok_or(0x7F_u8)?;
            let secret = shared.decrypt(encrypted).map_err(|_| 0x7F_u8)?;
            Ok(Token { protocol, secret: secret.try_into().map_err(|_| 0x7F_u8)? })
        }
        Ok(Reply::Error(status)) => Err(status),
        Err(_) => Err(0x7F),
    }
}
