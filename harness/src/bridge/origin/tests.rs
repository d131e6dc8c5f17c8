use super::*;

fn rp_id(origin: &str, requested: Option<&str>) -> Result<String, DomExceptionName> {
    CallerOrigin::parse(origin).and_then(|o| o.rp_id(requested)).map_err(|e| e.name)
}

#[test]
fn the_effective_domain_is_the_default_rp_id() {
    assert_eq!(rp_id("https://login.example.com", None), Ok("login.example.com".into()));
    assert_eq!(rp_id("http://localhost:8080", None), Ok("localhost".into()));
}

#[test]
fn a_registrable_suffix_of_the_host_may_be_the_rp_id() {
    assert_eq!(rp_id("https://login.example.com", Some("example.com")), Ok("example.com".into()));
    assert_eq!(rp_id("https://a.b.example.co.uk:8443", Some("example.co.uk")), Ok("example.co.uk".into()));
}

/// A public suffix (`co.uk`, `com`, a private suffix such as `github.io`) is nobody's RP ID.
#[test]
fn a_public_suffix_is_refused() {
    assert_eq!(rp_id("https://example.co.uk", Some("co.uk")), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("https://example.com", Some("com")), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("https://alice.github.io", Some("github.io")), Err(DomExceptionName::SecurityError));
}

#[test]
fn another_domain_or_a_look_alike_is_refused() {
    assert_eq!(rp_id("https://example.com", Some("example.org")), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("https://evilexample.com", Some("example.com")), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("https://example.com", Some("login.example.com")), Err(DomExceptionName::SecurityError));
}

#[test]
fn only_secure_contexts_with_a_domain_may_call() {
    assert_eq!(rp_id("http://example.com", None), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("https://127.0.0.1", None), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("http://[::1]:8080", None), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("null", None), Err(DomExceptionName::SecurityError));
    assert_eq!(rp_id("http://app.localhost:3000", None), Ok("app.localhost".into()));
}

#[test]
fn the_serialized_origin_drops_default_ports_and_paths() {
    let origin = CallerOrigin::parse("https://Example.com:443/some/page").expect("origin");
    assert_eq!(origin.serialized, "https://example.com");
    assert_eq!(
        CallerOrigin::parse("http://localhost:8080").expect("origin").serialized,
        "http://localhost:8080"
    );
}
