use serde_json::json;
use softfido_authenticator::Profile;
use softfido_authenticator::config::PinHashCost;

use super::*;

fn hosted(profile: Profile) -> Hosted {
    let config = Config { pin_hash_cost: PinHashCost::Minimal, ..profile.config() };
    Hosted::new(config, Attachment::CrossPlatform, None).expect("hosted")
}

fn caller() -> Caller {
    Caller::parse("https://example.com", None).expect("caller")
}

fn create(key: &Hosted, options: &Value) -> Result<Value, DomException> {
    let caller = caller();
    key.ceremony(
        &CeremonyCall { call: Call::Create, caller: &caller, options, id: Some("c1") },
        Unscripted::Configuration,
    )
}

fn creation(user: &str) -> Value {
    json!({
        "rp": { "id": "example.com" },
        "user": { "id": user, "name": user },
        "challenge": "Y2hhbGxlbmdl",
        "authenticatorSelection": { "residentKey": "required" },
    })
}

/// Queued answers apply to one ceremony each, in order; then the configuration answers again.
#[test]
fn queued_answers_apply_to_the_next_ceremonies_only() {
    let key = hosted(Profile::SecurityKey);
    assert!(key.queue(Answers { presence: Some(PresenceOutcome::Deny), ..Answers::default() }));
    assert!(key.queue(Answers { pin: Some("0000".into()), ..Answers::default() }));
    let denied = create(&key, &creation("dTE")).expect_err("denied");
    assert!(denied.detail.contains("OPERATION_DENIED"), "{denied:?}");
    let wrong_pin = create(&key, &creation("dTE")).expect_err("wrong PIN");
    assert!(wrong_pin.detail.contains("PIN_INVALID"), "{wrong_pin:?}");
    create(&key, &creation("dTE")).expect("the configured PIN and touch");
    assert_eq!(key.credentials().len(), 1);
    assert_eq!(key.config().presence, PresenceOutcome::Approve, "the configuration is untouched");
}

#[test]
fn the_queue_of_answers_is_bounded() {
    let key = hosted(Profile::SoftwareToken);
    for _ in 0..MAX_QUEUED_ANSWERS {
        assert!(key.queue(Answers::default()));
    }
    assert!(!key.queue(Answers::default()));
}

/// A biometric no-match answers CTAP2_ERR_UV_INVALID on the platform profile.
#[test]
fn a_biometric_no_match_fails_the_ceremony() {
    let key = hosted(Profile::Platform);
    key.queue(Answers { biometric: Some(VerifyOutcome::NoMatch), ..Answers::default() });
    let refused = create(&key, &creation("dTE")).expect_err("no match");
    assert!(refused.detail.contains("UV_INVALID"), "{refused:?}");
    create(&key, &creation("dTE")).expect("a match next time");
}

/// A timeout waits for the page's `timeout`, not the configuration's 30 s.
#[test]
fn a_presence_timeout_is_bounded_by_the_page_timeout() {
    let key = hosted(Profile::SoftwareToken);
    key.queue(Answers { presence: Some(PresenceOutcome::Timeout), ..Answers::default() });
    let mut options = creation("dTE");
    options["timeout"] = json!(50);
    let started = std::time::Instant::now();
    let refused = create(&key, &options).expect_err("timeout");
    assert!(refused.detail.contains("USER_ACTION_TIMEOUT"), "{refused:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// A cancel ends the ceremony it names (AbortError), and never another one.
#[test]
fn a_cancelled_ceremony_is_an_abort_error() {
    let key = Arc::new(hosted(Profile::SoftwareToken));
    let mut options = creation("dTE");
    options["timeout"] = json!(300);
    key.queue(Answers { presence: Some(PresenceOutcome::Timeout), ..Answers::default() });
    let running = Arc::clone(&key);
    let waiting = options.clone();
    let ceremony = std::thread::spawn(move || create(&running, &waiting));
    while !ceremony.is_finished() {
        assert!(!key.cancel(Some("another")), "a cancel of another ceremony ends nothing");
        std::thread::sleep(Duration::from_millis(5));
    }
    let timed_out = ceremony.join().expect("thread").expect_err("timed out");
    assert_eq!(timed_out.name, super::super::dom::DomExceptionName::NotAllowedError);
    key.queue(Answers { presence: Some(PresenceOutcome::Timeout), ..Answers::default() });
    let running = Arc::clone(&key);
    let ceremony = std::thread::spawn(move || create(&running, &creation("dTE")));
    while !key.cancel(Some("c1")) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let refused = ceremony.join().expect("thread").expect_err("aborted");
    assert_eq!(refused.name, super::super::dom::DomExceptionName::AbortError);
    assert!(!key.cancel(None), "nothing in flight any more");
}

#[test]
fn reset_and_removal_empty_the_credential_list() {
    let key = hosted(Profile::SoftwareToken);
    create(&key, &creation("dTE")).expect("create");
    create(&key, &creation("dTI")).expect("create");
    let first = key.credentials()[0]["id"].as_str().map(str::to_owned).expect("id");
    let first = <base64ct::Base64UrlUnpadded as base64ct::Encoding>::decode_vec(&first).expect("base64url");
    assert_eq!(key.remove_credential(&first), Ok(true));
    assert_eq!(key.remove_credential(&first), Ok(false));
    assert_eq!(key.credentials().len(), 1);
    key.reset().expect("reset");
    assert!(key.credentials().is_empty());
}

#[test]
fn the_registry_hosts_under_random_ids() {
    let registry = Registry::default();
    let a = registry.add(hosted(Profile::SoftwareToken)).expect("a");
    let b = registry.add(hosted(Profile::SoftwareToken)).expect("b");
    assert_ne!(a, b);
    assert_eq!(a.len(), 32);
    assert!(registry.get(&a).is_some());
    assert!(registry.remove(&a));
    assert!(!registry.remove(&a));
    assert!(registry.get(&a).is_none());
}
