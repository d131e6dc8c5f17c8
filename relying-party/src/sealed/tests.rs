use super::*;

#[test]
fn a_sealed_value_opens_unchanged() {
    let sealer = Sealer::new();
    let sealed = sealer.seal(&("client", 42_u64));
    assert_eq!(sealer.open::<(String, u64)>(&sealed), Some(("client".to_owned(), 42)));
}

#[test]
fn a_changed_payload_or_tag_or_another_key_does_not_open() {
    let sealer = Sealer::new();
    let sealed = sealer.seal(&("client", 42_u64));
    let (payload, tag) = sealed.split_once('.').unwrap();
    let forged_payload = Base64UrlUnpadded::encode_string(br#"["client",43]"#);
    assert_eq!(sealer.open::<(String, u64)>(&format!("{forged_payload}.{tag}")), None);
    let mut other_tag = Base64UrlUnpadded::decode_vec(tag).unwrap();
    other_tag[0] ^= 1;
    let other_tag = Base64UrlUnpadded::encode_string(&other_tag);
    assert_eq!(sealer.open::<(String, u64)>(&format!("{payload}.{other_tag}")), None);
    assert_eq!(Sealer::new().open::<(String, u64)>(&sealed), None);
    assert_eq!(sealer.open::<(String, u64)>("not sealed"), None);
}

/// Every seal starts from the key alone: what one value fed the MAC never reaches the next.
#[test]
fn each_seal_is_independent_of_the_ones_before() {
    let sealer = Sealer::new();
    let first = sealer.seal(&("client", 42_u64));
    let _other = sealer.seal(&("another client", 7_u64));
    assert_eq!(sealer.open::<(String, u64)>(&first), Some(("client".to_owned(), 42)));
    assert_eq!(sealer.seal(&("client", 42_u64)), first);
}
