#![allow(clippy::unwrap_used)]

use super::*;

fn secret() -> CredentialSecret {
    CredentialSecret {
        key: PrivateKey::generate(Algorithm::Es256),
        cred_protect: CredProtect::UvOptionalWithCredentialIdList,
        discoverable: true,
        hmac_secret: true,
        cred_blob: Some(b"blob".to_vec()),
    }
}

#[test]
fn sealed_id_opens_for_its_rp_only() {
    let master = [7; 32];
    let secret = secret();
    let id = secret.seal(&master, &[1; 32]);
    assert!(id.len() <= MAX_CREDENTIAL_ID_LENGTH);
    let opened = CredentialSecret::open(&id, &master, &[1; 32]).unwrap();
    assert_eq!(opened.key.cose_public_key(), secret.key.cose_public_key());
    assert_eq!(opened.cred_protect, secret.cred_protect);
    assert_eq!(opened.cred_blob, secret.cred_blob);
    assert!(CredentialSecret::open(&id, &master, &[2; 32]).is_none());
    assert!(CredentialSecret::open(&id, &[8; 32], &[1; 32]).is_none());
}

#[test]
fn tampered_truncated_or_huge_ids_are_not_ours() {
    let master = [7; 32];
    let mut id = secret().seal(&master, &[1; 32]);
    assert!(CredentialSecret::open(&id[..id.len() - 1], &master, &[1; 32]).is_none());
    let last = id.len() - 1;
    id[last] ^= 1;
    assert!(CredentialSecret::open(&id, &master, &[1; 32]).is_none());
    assert!(CredentialSecret::open(&[], &master, &[1; 32]).is_none());
    assert!(CredentialSecret::open(&vec![1; 10_000], &master, &[1; 32]).is_none());
}

#[test]
fn cred_random_differs_with_and_without_uv() {
    assert_ne!(cred_random(&[1; 32], b"id", true), cred_random(&[1; 32], b"id", false));
    assert_eq!(cred_random(&[1; 32], b"id", true), cred_random(&[1; 32], b"id", true));
}
