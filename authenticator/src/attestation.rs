//! Attestation key material: softfido's reproducible test root CAs and one batch attestation
//! certificate per authenticator [`Model`].
//!
//! Everything here is derived from fixed labels: private keys are SHA-256 of a label reduced to a
//! P-256 scalar, and certificates are signed with deterministic ECDSA (RFC 6979), so every build
//! of softfido produces byte-identical certificates. A relying party can therefore ship the test
//! root once (in the metadata directory, see [`crate::metadata`]) and trust it across runs.
//!
//! Two roots exist:
//! - [`AttestationRoot::Trusted`], "softfido test root CA", listed in every metadata statement;
//! - [`AttestationRoot::Untrusted`], "softfido untrusted root CA", a real CA certificate built the
//!   same way that no metadata statement lists: attestation chaining to it must be reported as
//!   untrusted by a relying party.
//!
//! The private keys are public knowledge (anyone can re-derive them from the labels in
//! `pki.rs`). This is test material: it proves that a relying party's attestation checks work,
//! never that a device is genuine.

mod pki;

#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};

use crate::config::{KeyProtection, Modality, Model, UvKind};

/// The FIDO AAGUID certificate extension, `id-fido-gen-ce-aaguid` (WebAuthn L3 §8.2.1).
pub const FIDO_AAGUID_EXTENSION_OID: &str = "1.3.6.1.4.1.45724.1.1.4";

/// Which root CA issues a batch attestation certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttestationRoot {
    /// "softfido test root CA": listed in every softfido metadata statement.
    Trusted,
    /// "softfido untrusted root CA": a valid CA that no metadata statement lists.
    Untrusted,
}

impl AttestationRoot {
    /// Both roots, trusted first.
    pub const ALL: [AttestationRoot; 2] = [Self::Trusted, Self::Untrusted];

    /// The subject common name of the root certificate.
    pub fn common_name(self) -> &'static str {
        match self {
            Self::Trusted => "softfido test root CA",
            Self::Untrusted => "softfido untrusted root CA",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Trusted => 0,
            Self::Untrusted => 1,
        }
    }
}

/// A signing key and the X.509 certificate (DER) that certifies its public key.
#[derive(Debug)]
pub struct AttestationIdentity {
    /// The P-256 private key.
    pub signing_key: SigningKey,
    /// The DER-encoded X.509 v3 certificate of `signing_key`'s public key.
    pub certificate_der: Vec<u8>,
}

impl AttestationIdentity {
    /// Signs `message` with ECDSA P-256 / SHA-256 (RFC 6979) and returns the ASN.1 DER signature,
    /// the encoding a `packed` attestation statement's `sig` carries for alg -7.
    pub fn sign_der(&self, message: &[u8]) -> Vec<u8> {
        use p256::ecdsa::signature::Signer;
        let signature: p256::ecdsa::DerSignature = self.signing_key.sign(message);
        signature.as_bytes().to_vec()
    }
}

/// The AAGUID of an authenticator model.
///
/// The first 16 bytes of SHA-256 over a fixed label and the model's names, with the UUID version
/// set to 8 (custom) and the RFC 9562 variant bits set, so it is a well-formed UUID that no
/// vendor registry assigns.
pub fn aaguid(model: Model) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"softfido aaguid v1\0")
        .chain_update(model.key_protection.name().as_bytes())
        .chain_update(b"\0")
        .chain_update(model.uv.name().as_bytes())
        .finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out[6] = (out[6] & 0x0f) | 0x80; // version 8
    out[8] = (out[8] & 0x3f) | 0x80; // variant 0b10
    out
}

/// An AAGUID in the hyphenated lower-case UUID form metadata statements use
/// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
pub fn aaguid_string(aaguid: &[u8; 16]) -> String {
    let hex = hex::encode(aaguid);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The DER-encoded certificate of a root CA.
pub fn root_certificate_der(root: AttestationRoot) -> &'static [u8] {
    &root_identity(root).certificate_der
}

/// The PEM-encoded certificate of a root CA.
pub fn root_certificate_pem(root: AttestationRoot) -> String {
    certificate_pem(root_certificate_der(root))
}

/// Wraps a DER certificate in PEM armour (`-----BEGIN CERTIFICATE-----`, 64-column base64, LF).
pub fn certificate_pem(der: &[u8]) -> String {
    use base64ct::{Base64, Encoding};
    let body = Base64::encode_string(der);
    let mut pem = String::with_capacity(body.len() + body.len() / 64 + 64);
    pem.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        // `body` is base64, hence ASCII: every 64-byte chunk is valid UTF-8.
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// The batch attestation key and certificate of `model`, issued by `root`.
///
/// The certificate meets WebAuthn L3 §8.2.1 (subject C, O, OU = "Authenticator Attestation",
/// CN; basicConstraints CA=false; the AAGUID extension, non-critical). Built on first use, then
/// cached for the life of the process.
pub fn batch_identity(model: Model, root: AttestationRoot) -> &'static AttestationIdentity {
    BATCHES[root.index()][model_index(model)].get_or_init(|| pki::build_batch(model, root))
}

/// A batch attestation key of `model` with a single self-signed certificate (issuer = subject,
/// the model's AAGUID in the AAGUID extension) that no root vouches for: the attestation of the
/// deliberate fault [`AttestationFault::SelfSignedBatchClaimingHardware`](crate::config::AttestationFault).
/// Built on first use, then cached.
pub fn self_signed_batch_identity(model: Model) -> &'static AttestationIdentity {
    SELF_SIGNED_BATCHES[model_index(model)].get_or_init(|| pki::build_self_signed_batch(model))
}

/// The key and self-signed certificate of a root CA.
///
/// Exposed so tests and the negative matrix can issue certificates of their own under a root;
/// an authenticator only ever needs [`batch_identity`].
pub fn root_identity(root: AttestationRoot) -> &'static AttestationIdentity {
    ROOTS[root.index()].get_or_init(|| pki::build_root(root))
}

const MODEL_COUNT: usize = KeyProtection::ALL.len() * UvKind::ALL.len();

static ROOTS: [OnceLock<AttestationIdentity>; 2] = [const { OnceLock::new() }; 2];
static BATCHES: [[OnceLock<AttestationIdentity>; MODEL_COUNT]; 2] =
    [const { [const { OnceLock::new() }; MODEL_COUNT] }; 2];
static SELF_SIGNED_BATCHES: [OnceLock<AttestationIdentity>; MODEL_COUNT] =
    [const { OnceLock::new() }; MODEL_COUNT];

/// A dense index for the batch cache. Exhaustive matches, so a new variant fails to compile here
/// rather than silently sharing a slot.
fn model_index(model: Model) -> usize {
    let key_protection = match model.key_protection {
        KeyProtection::Software => 0,
        KeyProtection::Hardware => 1,
        KeyProtection::Tee => 2,
        KeyProtection::SecureElement => 3,
    };
    let uv = match model.uv {
        UvKind::None => 0,
        UvKind::ClientPin => 1,
        UvKind::Builtin(Modality::Fingerprint) => 2,
        UvKind::Builtin(Modality::Face) => 3,
        UvKind::Builtin(Modality::Iris) => 4,
        UvKind::Builtin(Modality::Voice) => 5,
    };
    key_protection * UvKind::ALL.len() + uv
}
