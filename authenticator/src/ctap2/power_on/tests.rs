use super::*;

#[test]
fn the_key_agreement_key_stays_the_same_until_it_is_regenerated() {
    let mut state = PowerOnState::new(Instant::now());
    let first = state.key_agreement().cose_public_key();
    assert_eq!(state.key_agreement().cose_public_key(), first, "one key per power-up");
    state.regenerate_key_agreement();
    let second = state.key_agreement().cose_public_key();
    assert_ne!(second, first, "a fresh key after regeneration");
    assert_eq!(state.key_agreement().cose_public_key(), second);
}

#[test]
fn each_power_up_has_its_own_key_agreement_key() {
    let now = Instant::now();
    assert_ne!(
        PowerOnState::new(now).key_agreement().cose_public_key(),
        PowerOnState::new(now).key_agreement().cose_public_key()
    );
}
