use super::*;

const PIN: UvSupport = UvSupport { builtin: false, pin_set: true, make_cred_uv_not_required: true };
const BUILTIN: UvSupport = UvSupport { builtin: true, pin_set: false, make_cred_uv_not_required: false };
const NOTHING: UvSupport = UvSupport { builtin: false, pin_set: false, make_cred_uv_not_required: false };

#[test]
fn required_without_any_method_is_unavailable() {
    assert_eq!(plan(UserVerification::Required, NOTHING, None), Err(UvUnavailable));
    assert_eq!(plan(UserVerification::Preferred, NOTHING, None), Ok(UvPlan::None));
}

#[test]
fn built_in_uv_is_preferred_to_the_pin() {
    let both = UvSupport { pin_set: true, ..BUILTIN };
    assert_eq!(plan(UserVerification::Preferred, both, None), Ok(UvPlan::Builtin));
    assert_eq!(plan(UserVerification::Required, PIN, None), Ok(UvPlan::Pin));
}

/// CTAP 2.1 §6.1.2 step 4: a protected authenticator verifies the user for a discoverable
/// credential, and without makeCredUvNotRqd for any credential, whatever the RP prefers.
#[test]
fn discouraged_still_verifies_where_the_authenticator_demands_it() {
    assert_eq!(plan(UserVerification::Discouraged, PIN, Some(true)), Ok(UvPlan::Pin));
    assert_eq!(plan(UserVerification::Discouraged, PIN, Some(false)), Ok(UvPlan::None));
    assert_eq!(plan(UserVerification::Discouraged, BUILTIN, Some(false)), Ok(UvPlan::Builtin));
    assert_eq!(plan(UserVerification::Discouraged, BUILTIN, None), Ok(UvPlan::None));
}

#[test]
fn an_unknown_requirement_reads_as_preferred() {
    assert_eq!(UserVerification::from_json(Some("sometimes")), UserVerification::Preferred);
    assert_eq!(UserVerification::from_json(None), UserVerification::Preferred);
    assert_eq!(UserVerification::from_json(Some("required")), UserVerification::Required);
}
