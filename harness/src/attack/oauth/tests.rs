use super::*;

/// The values of `name` in `request`, in the order they are sent.
fn values<'a>(request: &'a AuthRequest, name: &str) -> Vec<&'a str> {
    request.pairs().into_iter().filter(|(k, _)| *k == name).map(|(_, v)| v).collect()
}

#[test]
fn a_repeated_parameter_goes_after_or_before_the_honest_one() {
    let after = AuthRequest::matrix().repeat("redirect_uri", "https://evil.example/callback");
    assert_eq!(values(&after, "redirect_uri"), [MATRIX_REDIRECT_URI, "https://evil.example/callback"]);
    let before = AuthRequest::matrix().repeat_before("redirect_uri", "https://evil.example/callback");
    assert_eq!(values(&before, "redirect_uri"), ["https://evil.example/callback", MATRIX_REDIRECT_URI]);
    let absent = AuthRequest::matrix().without("state").repeat_before("state", "only");
    assert_eq!(values(&absent, "state"), ["only"]);
}
