use super::needs;

#[test]
fn a_registration_adds_a_key_pair_a_signature_and_two_verifications() {
    let every = needs(1);
    assert_eq!((every.keygens, every.signs, every.verifies), (1.0, 3.0, 4.0));
    let one_in_fifty = needs(50);
    assert_eq!((one_in_fifty.keygens, one_in_fifty.signs, one_in_fifty.verifies), (0.02, 2.02, 2.04));
}
