use super::*;
use crate::policy::Acr;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Parameters to set (`Some`) or remove (`None`).
type Edit<'a> = &'a [(&'a str, Option<&'a str>)];

fn clients() -> Vec<Client> {
    vec![Client { id: "app".into(), redirect_uris: vec!["https://app.example/cb".into()] }]
}

fn params(edit: Edit<'_>) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = [
        ("client_id", "app"),
        ("redirect_uri", "https://app.example/cb"),
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("state", "s1"),
        ("nonce", "n1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (key, value) in edit {
        match value {
            Some(value) => map.insert((*key).to_owned(), (*value).to_owned()),
            None => map.remove(*key),
        };
    }
    map
}

fn error_code(result: Result<ValidRequest, AuthorizeError>) -> (&'static str, bool) {
    match result.expect_err("refused") {
        AuthorizeError::Display { error, .. } => (error.as_str(), false),
        AuthorizeError::Redirect { error, state, .. } => {
            assert_eq!(state.as_deref(), Some("s1"), "state is echoed");
            (error.as_str(), true)
        }
    }
}

#[test]
fn a_complete_request_is_valid() {
    let valid = validate(
        &params(&[("acr_values", Some("phr")), ("max_age", Some("60")), ("prompt", Some("login"))]),
        &clients(),
    )
    .expect("valid");
    assert_eq!(valid.acr.voluntary, vec![crate::oidc::acr_request::RequestedAcr::Known(Acr::Phr)]);
    assert_eq!(valid.max_age, Some(60));
    assert!(valid.prompt_login && !valid.prompt_none);
    assert_eq!(valid.nonce.as_deref(), Some("n1"));
}

#[test]
fn client_and_redirect_errors_are_displayed_not_redirected() {
    assert_eq!(error_code(validate(&params(&[("client_id", None)]), &clients())), ("invalid_request", false));
    assert_eq!(
        error_code(validate(&params(&[("client_id", Some("evil"))]), &clients())),
        ("invalid_client", false)
    );
    let open_redirect = params(&[("redirect_uri", Some("https://evil.example/cb"))]);
    assert_eq!(error_code(validate(&open_redirect, &clients())), ("invalid_request", false));
    let prefix = params(&[("redirect_uri", Some("https://app.example/cb/../x"))]);
    assert_eq!(error_code(validate(&prefix, &clients())), ("invalid_request", false));
}

#[test]
fn later_errors_are_redirected_with_state() {
    let cases: [(Edit<'_>, &str); 8] = [
        (&[("response_type", Some("token"))], "unsupported_response_type"),
        (&[("response_type", None)], "invalid_request"),
        (&[("scope", Some("profile"))], "invalid_scope"),
        (&[("code_challenge", None)], "invalid_request"),
        (&[("code_challenge_method", Some("plain"))], "invalid_request"),
        (&[("max_age", Some("-1"))], "invalid_request"),
        (&[("prompt", Some("none login"))], "invalid_request"),
        (&[("claims", Some("{not json"))], "invalid_request"),
    ];
    for (edit, expected) in cases {
        assert_eq!(error_code(validate(&params(edit), &clients())), (expected, true), "{edit:?}");
    }
}

fn redirected_error(result: Result<ValidRequest, AuthorizeError>) -> OAuthError {
    match result {
        Err(AuthorizeError::Redirect { error, .. }) => error,
        other => panic!("expected a redirected error, got {other:?}"),
    }
}

/// OIDC Core §6.1, §3.1.2.6: request objects are not supported, by value or by reference.
#[test]
fn request_and_request_uri_are_refused_as_not_supported() {
    let by_value = params(&[("request", Some("eyJhbGciOiJub25lIn0.e30."))]);
    assert_eq!(redirected_error(validate(&by_value, &clients())), OAuthError::RequestNotSupported);
    let by_reference = params(&[("request_uri", Some("https://app.example/request.jwt"))]);
    assert_eq!(redirected_error(validate(&by_reference, &clients())), OAuthError::RequestUriNotSupported);
}

/// OAuth 2.0 Multiple Response Type Encoding Practices §2.1: only the query response mode.
#[test]
fn response_mode_other_than_query_is_invalid_request() {
    for mode in ["fragment", "form_post", "jwt"] {
        let request = params(&[("response_mode", Some(mode))]);
        assert_eq!(redirected_error(validate(&request, &clients())), OAuthError::InvalidRequest, "{mode}");
    }
    assert!(validate(&params(&[("response_mode", Some("query"))]), &clients()).is_ok());
}
