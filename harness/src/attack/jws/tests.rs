use super::*;

#[test]
fn hmac_sha256_matches_rfc_4231_test_case_2() {
    let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
    assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

#[test]
fn an_es256_assertion_verifies_with_the_clients_key() {
    use p256::ecdsa::signature::Verifier as _;
    let key = super::super::clients::jwt_client_key().unwrap();
    let token = es256(&key, &es256_header(), &assertion_claims("http://localhost:1", 1000));
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature = Signature::from_slice(&Base64UrlUnpadded::decode_vec(signature).unwrap()).unwrap();
    key.verifying_key().verify(input.as_bytes(), &signature).unwrap();
    assert!(unsecured(&json!({})).ends_with('.'));
}
