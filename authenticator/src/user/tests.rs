use super::*;

fn user(presence: PresenceOutcome, timeout: Duration) -> ScriptedUser {
    ScriptedUser { presence, timeout, biometric: VerifyOutcome::Match }
}

#[test]
fn answers_follow_the_script() {
    let signals = Signals::new();
    assert_eq!(user(PresenceOutcome::Approve, Duration::ZERO).presence(&signals), Ok(()));
    assert_eq!(
        user(PresenceOutcome::Deny, Duration::ZERO).presence(&signals),
        Err(StatusCode::OperationDenied)
    );
    assert_eq!(
        user(PresenceOutcome::Timeout, Duration::from_millis(20)).presence(&signals),
        Err(StatusCode::UserActionTimeout)
    );
}

#[test]
fn cancel_interrupts_a_wait() {
    let signals = Signals::new();
    let canceller = signals.clone();
    let handle = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        canceller.cancel();
    });
    let started = Instant::now();
    let result = user(PresenceOutcome::Timeout, Duration::from_secs(30)).presence(&signals);
    assert_eq!(result, Err(StatusCode::KeepaliveCancel));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(handle.join().is_ok());
    assert_eq!(signals.status(), KeepaliveStatus::Processing);
}
