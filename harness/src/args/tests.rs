use super::*;

#[test]
fn policies_parse_by_their_names() {
    assert_eq!(parse_policy("rfc8176"), Ok(Policy::Rfc8176));
    assert_eq!(parse_policy("aspnetcore-net10"), Ok(Policy::AspNetCoreNet10));
    assert!(parse_policy("net9").expect_err("unknown").contains("expected rfc8176 or aspnetcore-net10"));
}

#[test]
fn the_profiles_of_other_idps_parse_and_the_error_lists_them() {
    for (name, policy) in [
        ("authelia", Policy::Authelia),
        ("zitadel", Policy::Zitadel),
        ("hanko", Policy::Hanko),
        ("authgear", Policy::Authgear),
        ("keycloak-default", Policy::KeycloakDefault),
    ] {
        assert_eq!(parse_policy(name), Ok(policy));
        assert_eq!(policy.name(), name);
    }
    let error = parse_policy("keycloak").expect_err("unknown");
    for name in
        ["rfc8176", "aspnetcore-net10", "authelia", "zitadel", "hanko", "authgear", "keycloak-default"]
    {
        assert!(error.contains(name), "{error}");
    }
}

#[test]
fn at_least_one_thread_runs() {
    assert_eq!(Threads { jobs: Some(0) }.count(), 1);
    assert_eq!(Threads { jobs: Some(3) }.count(), 3);
    assert!(Threads::default().count() >= 1);
}
