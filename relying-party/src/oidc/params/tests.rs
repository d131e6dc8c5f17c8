use super::*;

#[test]
fn pairs_are_decoded() {
    let params =
        parse_unique(b"a=1&redirect_uri=https%3A%2F%2Fx.example%2Fcb&scope=openid+profile").expect("unique");
    assert_eq!(params["a"], "1");
    assert_eq!(params["redirect_uri"], "https://x.example/cb");
    assert_eq!(params["scope"], "openid profile");
}

#[test]
fn a_repeated_parameter_is_refused() {
    assert_eq!(parse_unique(b"code=a&code=b"), Err(RepeatedParameter("code".into())));
    // Repeated even when empty, and under its decoded name.
    assert_eq!(parse_unique(b"state=&st%61te=x"), Err(RepeatedParameter("state".into())));
    assert!(parse_unique(b"").expect("empty").is_empty());
}

#[test]
fn query_pairs_are_appended_and_encoded() {
    assert_eq!(
        with_query("https://app.example/cb", &[("code", "a b&c"), ("iss", "http://localhost:8080")]),
        "https://app.example/cb?code=a+b%26c&iss=http%3A%2F%2Flocalhost%3A8080"
    );
    assert_eq!(
        with_query("https://app.example/cb?x=1", &[("state", "s")]),
        "https://app.example/cb?x=1&state=s"
    );
    let back = url::Url::parse(&with_query("https://a.example/", &[("e", "ü~*")])).expect("url");
    assert_eq!(back.query_pairs().next().expect("a pair").1, "ü~*");
}
