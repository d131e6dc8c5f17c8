//! Reading what the authenticator returned, as a browser does to fill in the JSON it hands the
//! page (WebAuthn L3 §6.1 authenticator data, §6.5.1 attested credential data) and to make a
//! `none` attestation anonymous (§5.1.3 step 20.3).

use ciborium::Value as Cbor;
use p256::pkcs8::EncodePublicKey as _;

/// Flag AT: attested credential data follows the counter.
const ATTESTED: u8 = 0x40;
/// Flag ED: an extensions map ends authenticator data.
const EXTENSIONS: u8 = 0x80;
/// rpIdHash (32), flags (1), signCount (4).
const FIXED_PART: usize = 37;
/// Where the AAGUID starts (attested credential data).
const AAGUID_AT: usize = FIXED_PART;

/// The parts of authenticator data a client reads.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthData {
    /// The credential ID of attested credential data.
    pub credential_id: Option<Vec<u8>>,
    /// The credential public key (COSE_Key) of attested credential data.
    pub public_key: Option<Cbor>,
    /// The authenticator extension outputs.
    pub extensions: Option<Cbor>,
}

/// Splits authenticator data; `None` when it is malformed.
pub fn parse(bytes: &[u8]) -> Option<AuthData> {
    let flags = *bytes.get(32)?;
    let mut rest = bytes.get(FIXED_PART..)?;
    let (mut credential_id, mut public_key) = (None, None);
    if flags & ATTESTED != 0 {
        let length = usize::from(u16::from_be_bytes(rest.get(16..18)?.try_into().ok()?));
        credential_id = Some(rest.get(18..18 + length)?.to_vec());
        rest = rest.get(18 + length..)?;
        public_key = Some(ciborium::de::from_reader::<Cbor, _>(&mut rest).ok()?);
    }
    let extensions = if flags & EXTENSIONS != 0 {
        Some(ciborium::de::from_reader::<Cbor, _>(&mut rest).ok()?)
    } else {
        None
    };
    rest.is_empty().then_some(AuthData { credential_id, public_key, extensions })
}

/// Authenticator data with its AAGUID set to zeros (§5.1.3 step 20.3, attestation `none`).
pub fn with_zero_aaguid(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    if let Some(aaguid) = bytes.get_mut(AAGUID_AT..AAGUID_AT + 16) {
        aaguid.fill(0);
    }
    bytes
}

/// Whether the AAGUID of attested credential data is all zeros.
pub fn has_zero_aaguid(bytes: &[u8]) -> bool {
    bytes.get(AAGUID_AT..AAGUID_AT + 16).is_some_and(|aaguid| aaguid.iter().all(|b| *b == 0))
}

fn label(key: &Cbor, label: i64) -> Option<&Cbor> {
    key.as_map()?.iter().find(|(k, _)| k.as_integer() == Some(label.into())).map(|(_, v)| v)
}

/// The COSE algorithm of a credential public key (label 3).
pub fn algorithm(key: &Cbor) -> Option<i64> {
    label(key, 3)?.as_integer().and_then(|a| i64::try_from(a).ok())
}

/// The DER SubjectPublicKeyInfo of a COSE public key, as `getPublicKey()` returns it
/// (WebAuthn L3 §5.2.1.1): EC2 P-256 (RFC 9053 §7.1) or OKP Ed25519 (RFC 8410 §4).
pub fn subject_public_key_info(key: &Cbor) -> Option<Vec<u8>> {
    let kty = label(key, 1)?.as_integer()?;
    let curve = label(key, -1)?.as_integer()?;
    let x = label(key, -2)?.as_bytes()?;
    match (i128::from(kty), i128::from(curve)) {
        (2, 1) => {
            let y = label(key, -3)?.as_bytes()?;
            let sec1 = [&[0x04][..], x, y].concat();
            let key = p256::PublicKey::from_sec1_bytes(&sec1).ok()?;
            Some(key.to_public_key_der().ok()?.as_bytes().to_vec())
        }
        (1, 6) if x.len() == 32 => {
            // SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (32 bytes) } (RFC 8410 §4).
            const ED25519_SPKI_PREFIX: [u8; 12] =
                [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
            Some([&ED25519_SPKI_PREFIX[..], x].concat())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
