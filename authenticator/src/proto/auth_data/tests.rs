#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn extension_outputs_encode_canonically_and_only_when_present() {
    assert_eq!(ExtensionOutputs::default().to_value(), None);
    let outputs = ExtensionOutputs {
        cred_protect: Some(2),
        hmac_secret: Some(HmacSecretOutput::Created),
        cred_blob: Some(CredBlobOutput::Stored(true)),
        uvm: Some(UvmEntry {
            user_verification_method: 2,
            key_protection_type: 4,
            matcher_protection_type: 4,
        }),
        min_pin_length: Some(4),
    };
    let expected = hex::decode(
        "a5 63 75766d 81 83 02 04 04 68 63726564426c6f62 f5 6b 6372656450726f74656374 02 \
         6b 686d61632d736563726574 f5 6c 6d696e50696e4c656e677468 04"
            .replace(' ', ""),
    )
    .unwrap();
    assert_eq!(cbor::encode(&outputs.to_value().unwrap()), expected);
}

#[test]
fn the_ed_flag_follows_the_extension_outputs() {
    let mut data = AuthenticatorData {
        rp_id_hash: [0; 32],
        flags: flags::UP | flags::ED,
        sign_count: 1,
        attested_credential: None,
        extensions: ExtensionOutputs::default(),
    };
    assert_eq!(data.to_bytes()[32], flags::UP);
    data.extensions.cred_blob = Some(CredBlobOutput::Blob(Vec::new()));
    let bytes = data.to_bytes();
    assert_eq!(bytes[32], flags::UP | flags::ED);
    assert_eq!(bytes[37..], hex::decode("a16863726564426c6f6240").unwrap()[..]);
}
