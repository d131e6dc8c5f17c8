use serde_json::json;

use super::*;

#[test]
fn eval_by_credential_wins_for_the_one_credential_it_names() {
    let prf = json!({
        "eval": { "first": "AQ" },
        "evalByCredential": { "AgI": { "first": "Aw", "second": "BA" } },
    });
    let general = Salts::read(&prf, None).expect("read").expect("salts");
    assert_eq!(general, Salts { first: salt(&[1]), second: None });
    let named = Salts::read(&prf, Some(&[2, 2])).expect("read").expect("salts");
    assert_eq!(named, Salts { first: salt(&[3]), second: Some(salt(&[4])) });
    assert_eq!(Salts::read(&json!(null), None).expect("read"), None);
    assert!(Salts::read(&json!({ "eval": { "first": 5 } }), None).is_err());
}

/// §10.1.4: the salt is SHA-256("WebAuthn PRF" ‖ 0x00 ‖ input), never the input itself.
#[test]
fn salts_are_domain_separated() {
    let expected: [u8; 32] = Sha256::digest(b"WebAuthn PRF\x00secret").into();
    assert_eq!(salt(b"secret"), expected);
}
