//! Deterministic keys and X.509 certificates for the softfido attestation PKI.

use std::str::FromStr;

use der::asn1::{OctetString, UtcTime};
use der::{DateTime, Encode};
use p256::NistP256;
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{self, Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::ext::{Extension, ToExtension};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{ObjectIdentifier, SubjectPublicKeyInfo, SubjectPublicKeyInfoRef};
use x509_cert::time::{Time, Validity};

use super::{AttestationIdentity, AttestationRoot, FIDO_AAGUID_EXTENSION_OID, aaguid};
use crate::config::Model;

/// Subject organisation of every softfido certificate.
pub(super) const ORGANIZATION: &str = "softfido";
/// Subject country (WebAuthn §8.2.1 asks for an ISO 3166 code, as a PrintableString).
pub(super) const COUNTRY: &str = "US";
/// The literal subject OU WebAuthn §8.2.1 requires of an attestation certificate.
pub(super) const ATTESTATION_OU: &str = "Authenticator Attestation";

/// First instant of validity (roots and batch certificates alike): 2024-01-01T00:00:00Z.
const NOT_BEFORE: (u16, u8, u8, u8, u8, u8) = (2024, 1, 1, 0, 0, 0);
/// Last instant of validity: 2049-12-31T23:59:59Z, the last UTCTime (RFC 5280 §4.1.2.5).
const NOT_AFTER: (u16, u8, u8, u8, u8, u8) = (2049, 12, 31, 23, 59, 59);

/// [`FIDO_AAGUID_EXTENSION_OID`] as an OID (parsed at compile time).
const AAGUID_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap(FIDO_AAGUID_EXTENSION_OID);

fn root_key_label(root: AttestationRoot) -> &'static str {
    match root {
        AttestationRoot::Trusted => "softfido test root CA key v1",
        AttestationRoot::Untrusted => "softfido untrusted root CA key v1",
    }
}

fn batch_key_label(model: Model, root: AttestationRoot) -> String {
    format!(
        "softfido batch attestation key v1/{}/{}/{}",
        root_key_label(root),
        model.key_protection.name(),
        model.uv.name()
    )
}

/// The subject common name of a model's batch certificate.
pub(super) fn batch_common_name(model: Model) -> String {
    format!("softfido batch {} {}", model.key_protection.name(), model.uv.name())
}

/// A P-256 private key from a label: SHA-256(domain ‖ label ‖ counter) for the first counter that
/// yields a valid scalar (in [1, n-1]). The first counter succeeds except with probability
/// about 2^-32, so the loop is only a guarantee of correctness.
pub(super) fn derive_signing_key(label: &str) -> SigningKey {
    let mut counter: u32 = 0;
    loop {
        let digest = Sha256::new()
            .chain_update(b"softfido key derivation v1\0")
            .chain_update(label.as_bytes())
            .chain_update(counter.to_be_bytes())
            .finalize();
        if let Ok(key) = SigningKey::from_slice(&digest) {
            return key;
        }
        counter = counter.wrapping_add(1);
    }
}

/// A positive 16-byte serial number derived from a label.
fn derive_serial(label: &str) -> builder::Result<SerialNumber> {
    let digest =
        Sha256::new().chain_update(b"softfido serial v1\0").chain_update(label.as_bytes()).finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Clear the sign bit and set the next one: positive, and always exactly 16 octets.
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    Ok(SerialNumber::new(&bytes)?)
}

fn root_name(root: AttestationRoot) -> der::Result<Name> {
    // RFC 4514 order is reversed: this encodes as C, O, CN.
    Name::from_str(&format!("CN={},O={ORGANIZATION},C={COUNTRY}", root.common_name()))
}

fn batch_name(model: Model) -> der::Result<Name> {
    // Encodes as C, O, OU, CN; C becomes a PrintableString, the others UTF8String.
    Name::from_str(&format!(
        "CN={},OU={ATTESTATION_OU},O={ORGANIZATION},C={COUNTRY}",
        batch_common_name(model)
    ))
}

fn utc(at: (u16, u8, u8, u8, u8, u8)) -> der::Result<Time> {
    let (year, month, day, hour, minute, second) = at;
    Ok(Time::UtcTime(UtcTime::from_date_time(DateTime::new(year, month, day, hour, minute, second)?)?))
}

/// What kind of certificate a [`Profile`] describes.
enum Kind {
    /// A self-signed root CA.
    Root,
    /// A batch attestation certificate for a model with this AAGUID.
    Batch { aaguid: [u8; 16] },
}

/// The softfido certificate profile: names plus the extensions of a root or a batch certificate.
struct Profile {
    subject: Name,
    issuer: Name,
    kind: Kind,
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        tbs: &TbsCertificate,
    ) -> builder::Result<Vec<Extension>> {
        let subject = tbs.subject();
        let mut extensions: Vec<Extension> = Vec::new();
        match self.kind {
            Kind::Root => {
                // A CA certificate: webauthn-rs (crypto-glue's X509Store) refuses a root without
                // basicConstraints CA=true (CaNotMarkedAsSuch) or without keyCertSign.
                let basic = BasicConstraints { ca: true, path_len_constraint: None };
                extensions.push((true, &basic).to_extension(subject, &extensions)?);
                let usage = KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign);
                extensions.push((true, &usage).to_extension(subject, &extensions)?);
                let ski = SubjectKeyIdentifier::try_from(spk)?;
                extensions.push(ski.to_extension(subject, &extensions)?);
            }
            Kind::Batch { aaguid } => {
                // WebAuthn L3 §8.2.1: "The Basic Constraints extension MUST have the CA component
                // set to false."
                let basic = BasicConstraints { ca: false, path_len_constraint: None };
                extensions.push((true, &basic).to_extension(subject, &extensions)?);
                let usage = KeyUsage(KeyUsages::DigitalSignature.into());
                extensions.push((true, &usage).to_extension(subject, &extensions)?);
                let ski = SubjectKeyIdentifier::try_from(spk)?;
                extensions.push(ski.to_extension(subject, &extensions)?);
                let aki = AuthorityKeyIdentifier::try_from(issuer_spk)?;
                extensions.push(aki.to_extension(subject, &extensions)?);
                // WebAuthn L3 §8.2.1: id-fido-gen-ce-aaguid "containing the AAGUID as a 16-byte
                // OCTET STRING. The extension MUST NOT be marked as critical." extnValue is itself
                // an OCTET STRING, so the AAGUID is an OCTET STRING inside an OCTET STRING.
                extensions.push(Extension {
                    extn_id: AAGUID_OID,
                    critical: false,
                    extn_value: OctetString::new(OctetString::new(aaguid)?.to_der()?)?,
                });
            }
        }
        Ok(extensions)
    }
}

/// Builds and signs a certificate for `subject_key` under `issuer_key`; returns its DER.
fn issue(
    profile: Profile,
    serial_number: SerialNumber,
    subject_key: &p256::ecdsa::VerifyingKey,
    issuer_key: &SigningKey,
) -> builder::Result<Vec<u8>> {
    let validity = Validity::new(utc(NOT_BEFORE)?, utc(NOT_AFTER)?);
    let spki = SubjectPublicKeyInfo::from_key(subject_key)?;
    let builder = CertificateBuilder::new(profile, serial_number, validity, spki)?;
    let certificate = builder.build::<_, ecdsa::der::Signature<NistP256>>(issuer_key)?;
    Ok(certificate.to_der()?)
}

fn try_build_root(root: AttestationRoot) -> builder::Result<AttestationIdentity> {
    let signing_key = derive_signing_key(root_key_label(root));
    let name = root_name(root)?;
    let profile = Profile { subject: name.clone(), issuer: name, kind: Kind::Root };
    let serial = derive_serial(root_key_label(root))?;
    let certificate_der = issue(profile, serial, signing_key.verifying_key(), &signing_key)?;
    Ok(AttestationIdentity { signing_key, certificate_der })
}

fn try_build_batch(model: Model, root: AttestationRoot) -> builder::Result<AttestationIdentity> {
    let issuer = super::root_identity(root);
    let label = batch_key_label(model, root);
    let signing_key = derive_signing_key(&label);
    let profile = Profile {
        subject: batch_name(model)?,
        issuer: root_name(root)?,
        kind: Kind::Batch { aaguid: aaguid(model) },
    };
    let serial = derive_serial(&label)?;
    let certificate_der = issue(profile, serial, signing_key.verifying_key(), &issuer.signing_key)?;
    Ok(AttestationIdentity { signing_key, certificate_der })
}

fn try_build_self_signed_batch(model: Model) -> builder::Result<AttestationIdentity> {
    let label =
        format!("softfido self-signed batch key v1/{}/{}", model.key_protection.name(), model.uv.name());
    let signing_key = derive_signing_key(&label);
    let name = batch_name(model)?;
    let profile =
        Profile { subject: name.clone(), issuer: name, kind: Kind::Batch { aaguid: aaguid(model) } };
    let serial = derive_serial(&label)?;
    let certificate_der = issue(profile, serial, signing_key.verifying_key(), &signing_key)?;
    Ok(AttestationIdentity { signing_key, certificate_der })
}

/// The root CA identity. Its inputs are compile-time constants, so building cannot fail at run
/// time unless it fails always; the tests build every certificate.
#[allow(clippy::expect_used)]
pub(super) fn build_root(root: AttestationRoot) -> AttestationIdentity {
    try_build_root(root).expect("softfido root CA certificate from constant inputs")
}

/// A batch identity. Its inputs are constants (labels, names, the model's AAGUID), so building
/// cannot fail at run time unless it fails always; the tests build all of them.
#[allow(clippy::expect_used)]
pub(super) fn build_batch(model: Model, root: AttestationRoot) -> AttestationIdentity {
    try_build_batch(model, root).expect("softfido batch certificate from constant inputs")
}

/// A self-signed batch identity. Its inputs are constants, so building cannot fail at run time
/// unless it fails always; the tests build one.
#[allow(clippy::expect_used)]
pub(super) fn build_self_signed_batch(model: Model) -> AttestationIdentity {
    try_build_self_signed_batch(model).expect("softfido self-signed batch certificate from constant inputs")
}

#[cfg(test)]
mod tests;
