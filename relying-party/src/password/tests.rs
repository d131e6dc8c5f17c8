use super::*;

#[test]
fn a_hash_verifies_only_its_password() {
    for cost in [Cost::Standard, Cost::Minimal] {
        let phc = hash("correct horse", cost).expect("hashes");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong", &phc));
        assert!(!verify("correct horse", "not a hash"));
    }
    assert!(hash("x", Cost::Minimal).expect("hashes").contains("m=8,t=1,p=1"));
}
