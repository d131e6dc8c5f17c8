use super::*;
use crate::pin::protocol::authenticate_with_token;

fn issued(now: Instant) -> PinUvAuthToken {
    let mut token = PinUvAuthToken::new();
    token.begin_using(Permissions::GET_ASSERTION, None, false, now);
    token
}

#[test]
fn a_correct_mac_verifies_and_a_wrong_one_does_not() {
    let now = Instant::now();
    for protocol in [PinUvAuthProtocol::One, PinUvAuthProtocol::Two] {
        let mut token = issued(now);
        let param = authenticate_with_token(protocol, token.secret(), b"message");
        assert!(token.verify(protocol, b"message", &param, now).is_ok());
        assert_eq!(token.verify(protocol, b"other", &param, now).unwrap_err(), TokenError::BadMac);
    }
}

#[test]
fn an_unused_token_expires_after_the_initial_usage_limit() {
    let now = Instant::now();
    let mut token = issued(now);
    assert!(token.usage(now + INITIAL_USAGE_TIME_LIMIT).is_some());
    assert!(token.usage(now + INITIAL_USAGE_TIME_LIMIT + Duration::from_secs(1)).is_none());
}

#[test]
fn a_used_token_lives_until_the_maximum_usage_period() {
    let now = Instant::now();
    let mut token = issued(now);
    let param = authenticate_with_token(PinUvAuthProtocol::Two, token.secret(), b"m");
    token.verify(PinUvAuthProtocol::Two, b"m", &param, now).unwrap();
    assert!(token.usage(now + Duration::from_secs(300)).is_some());
    let late = now + MAX_USAGE_TIME_PERIOD + Duration::from_secs(1);
    assert_eq!(token.verify(PinUvAuthProtocol::Two, b"m", &param, late).unwrap_err(), TokenError::NotInUse);
}

#[test]
fn reset_voids_the_previous_token() {
    let now = Instant::now();
    let mut token = issued(now);
    let param = authenticate_with_token(PinUvAuthProtocol::Two, token.secret(), b"m");
    token.reset();
    token.begin_using(Permissions::GET_ASSERTION, None, false, now);
    assert_eq!(token.verify(PinUvAuthProtocol::Two, b"m", &param, now).unwrap_err(), TokenError::BadMac);
}

#[test]
fn permissions_are_bit_sets() {
    let p = Permissions::MAKE_CREDENTIAL | Permissions::GET_ASSERTION;
    assert!(p.contains(Permissions::GET_ASSERTION));
    assert!(!p.contains(Permissions::CREDENTIAL_MANAGEMENT));
}
