use p256::elliptic_curve::sec1::ToSec1Point as _;

use super::*;

fn ec2_key() -> Cbor {
    let secret = p256::SecretKey::from_slice(&[7; 32]).expect("scalar");
    let point = secret.public_key().to_sec1_point(false);
    let int = |i: i64| Cbor::Integer(i.into());
    Cbor::Map(vec![
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), Cbor::Bytes(point.x().expect("x").to_vec())),
        (int(-3), Cbor::Bytes(point.y().expect("y").to_vec())),
    ])
}

fn attested(extensions: Option<Cbor>) -> Vec<u8> {
    let mut bytes = vec![0xAA; 32];
    bytes.push(ATTESTED | if extensions.is_some() { EXTENSIONS } else { 0 });
    bytes.extend([0, 0, 0, 1]);
    bytes.extend([0x11; 16]);
    bytes.extend([0, 3, 9, 8, 7]);
    ciborium::ser::into_writer(&ec2_key(), &mut bytes).expect("CBOR");
    if let Some(extensions) = extensions {
        ciborium::ser::into_writer(&extensions, &mut bytes).expect("CBOR");
    }
    bytes
}

#[test]
fn attested_credential_data_and_extensions_are_split() {
    let extensions = Cbor::Map(vec![(Cbor::Text("credProtect".into()), Cbor::Integer(2.into()))]);
    let parsed = parse(&attested(Some(extensions.clone()))).expect("parsed");
    assert_eq!(parsed.credential_id, Some(vec![9, 8, 7]));
    assert_eq!(parsed.public_key.as_ref().and_then(algorithm), Some(-7));
    assert_eq!(parsed.extensions, Some(extensions));
}

#[test]
fn trailing_or_missing_bytes_are_malformed() {
    let mut trailing = attested(None);
    trailing.push(0);
    assert_eq!(parse(&trailing), None);
    let bytes = attested(None);
    assert_eq!(parse(&bytes[..bytes.len() - 1]), None);
    assert_eq!(parse(&bytes[..20]), None);
}

#[test]
fn the_aaguid_is_zeroed_and_nothing_else() {
    let bytes = attested(None);
    let zeroed = with_zero_aaguid(&bytes);
    assert!(!has_zero_aaguid(&bytes));
    assert!(has_zero_aaguid(&zeroed));
    assert_eq!(zeroed[..37], bytes[..37]);
    assert_eq!(zeroed[53..], bytes[53..]);
}

#[test]
fn the_public_key_becomes_a_subject_public_key_info() {
    use p256::pkcs8::DecodePublicKey as _;
    let spki = subject_public_key_info(&ec2_key()).expect("SPKI");
    let key = p256::PublicKey::from_public_key_der(&spki).expect("DER");
    assert_eq!(key, p256::SecretKey::from_slice(&[7; 32]).expect("scalar").public_key());
    let int = |i: i64| Cbor::Integer(i.into());
    let ed25519 = Cbor::Map(vec![
        (int(1), int(1)),
        (int(3), int(-8)),
        (int(-1), int(6)),
        (int(-2), Cbor::Bytes(vec![5; 32])),
    ]);
    let spki = subject_public_key_info(&ed25519).expect("SPKI");
    assert_eq!(spki.len(), 44);
    assert_eq!(&spki[12..], &[5; 32]);
}
