use serde_json::json;
use softfido_authenticator::Profile;
use softfido_authenticator::config::PinHashCost;

use super::*;

fn hosted(profile: Profile) -> Hosted {
    let config = Config { pin_hash_cost: PinHashCost::Minimal, ..profile.config() };
    Hosted::new(config, Attachment::CrossPlatform).expect("hosted")
}

fn caller() -> Caller {
    Caller::parse("https://example.com", None).expect("caller")
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
    let denied = key
        .ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration)
        .expect_err("denied");
    assert!(denied.message.contains("OPERATION_DENIED"), "{denied:?}");
    let wrong_pin = key
        .ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration)
        .expect_err("wrong PIN");
    assert!(wrong_pin.message.contains("PIN_INVALID"), "{wrong_pin:?}");
    key.ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration)
        .expect("the configured PIN and touch");
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
    let refused = key
        .ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration)
        .expect_err("no match");
    assert!(refused.message.contains("UV_INVALID"), "{refused:?}");
    key.ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration)
        .expect("a match next time");
}

/// A timeout waits for the page's `timeout`, not the configuration's 30 s.
#[test]
fn a_presence_timeout_is_bounded_by_the_page_timeout() {
    let key = hosted(Profile::SoftwareToken);
    key.queue(Answers { presence: Some(PresenceOutcome::Timeout), ..Answers::default() });
    let mut options = creation("dTE");
    options["timeout"] = json!(50);
    let started = std::time::Instant::now();
    let refused =
        key.ceremony(Call::Create, &caller(), &options, Unscripted::Configuration).expect_err("timeout");
    assert!(refused.message.contains("USER_ACTION_TIMEOUT"), "{refused:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_cancelled_ceremony_is_an_abort_error() {
    let key = Arc::new(hosted(Profile::SoftwareToken));
    key.queue(Answers { presence: Some(PresenceOutcome::Timeout), ..Answers::default() });
    let running = Arc::clone(&key);
    let ceremony = std::thread::spawn(move || {
        running.ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration)
    });
    while !key.cancel() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let refused = ceremony.join().expect("thread").expect_err("aborted");
    assert_eq!(refused.name, super::super::dom::DomExceptionName::AbortError);
    assert!(!key.cancel(), "nothing in flight any more");
}

#[test]
fn reset_and_removal_empty_the_credential_list() {
    let key = hosted(Profile::SoftwareToken);
    key.ceremony(Call::Create, &caller(), &creation("dTE"), Unscripted::Configuration).expect("create");
    key.ceremony(Call::Create, &caller(), &creation("dTI"), Unscripted::Configuration).expect("create");
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
