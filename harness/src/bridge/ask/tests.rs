use super::*;

#[test]
fn answers_are_read_leniently_and_anything_else_is_asked_again() {
    assert_eq!(parse_answer(" Approve\n"), Some(PresenceOutcome::Approve));
    assert_eq!(parse_answer("y"), Some(PresenceOutcome::Approve));
    assert_eq!(parse_answer("d"), Some(PresenceOutcome::Deny));
    assert_eq!(parse_answer("no"), Some(PresenceOutcome::Deny));
    assert_eq!(parse_answer("t"), Some(PresenceOutcome::Timeout));
    assert_eq!(parse_answer(""), None);
    assert_eq!(parse_answer("maybe"), None);
}

#[test]
fn the_question_names_the_site_and_the_purpose() {
    assert!(
        question(Call::Create, "example.com")
            .starts_with("example.com asks for your touch to create a passkey")
    );
    assert!(question(Call::Get, "example.com").contains("to sign in"));
}
