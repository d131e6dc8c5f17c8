#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn es256_signature_verifies_and_key_round_trips() {
    let key = PrivateKey::generate(Algorithm::Es256);
    let signature = key.sign(b"message");
    let PrivateKey::Es256(scalar) = &key else { unreachable!() };
    let der = p256::ecdsa::DerSignature::from_bytes(&signature).unwrap();
    let verifying = p256::ecdsa::VerifyingKey::from(p256::PublicKey::from_secret_scalar(scalar));
    p256::ecdsa::signature::Verifier::verify(&verifying, b"message", &der).unwrap();
    // The same bytes a SigningKey produces: RFC 6979 is deterministic.
    let reference: p256::ecdsa::DerSignature =
        p256::ecdsa::signature::Signer::sign(&p256::ecdsa::SigningKey::from(*scalar), b"message");
    assert_eq!(reference.to_bytes().to_vec(), signature);
    let restored = PrivateKey::from_bytes(Algorithm::Es256, &key.to_bytes()).unwrap();
    assert_eq!(restored.cose_public_key(), key.cose_public_key());
}

#[test]
fn eddsa_signature_verifies() {
    let key = PrivateKey::generate(Algorithm::EdDsa);
    let signature = key.sign(b"message");
    let PrivateKey::EdDsa(signing) = &key else { unreachable!() };
    let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
    ed25519_dalek::Verifier::verify(&signing.verifying_key(), b"message", &signature).unwrap();
}

#[test]
fn malformed_key_bytes_are_an_invalid_credential() {
    assert_eq!(
        PrivateKey::from_bytes(Algorithm::Es256, &[0; 32]).unwrap_err(),
        StatusCode::InvalidCredential
    );
    assert_eq!(
        PrivateKey::from_bytes(Algorithm::EdDsa, &[1; 31]).unwrap_err(),
        StatusCode::InvalidCredential
    );
}
