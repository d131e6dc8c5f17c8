use super::*;

#[test]
fn codes_are_the_registered_strings() {
    let cases = [
        (OAuthError::InvalidRequest, "invalid_request"),
        (OAuthError::InvalidClient, "invalid_client"),
        (OAuthError::InvalidGrant, "invalid_grant"),
        (OAuthError::UnsupportedGrantType, "unsupported_grant_type"),
        (OAuthError::UnsupportedResponseType, "unsupported_response_type"),
        (OAuthError::InvalidScope, "invalid_scope"),
        (OAuthError::LoginRequired, "login_required"),
        (OAuthError::InvalidRequestUri, "invalid_request_uri"),
        (OAuthError::UnmetAuthenticationRequirements, "unmet_authentication_requirements"),
    ];
    for (error, code) in cases {
        assert_eq!(error.as_str(), code);
        assert_eq!(error.to_string(), code);
    }
}

#[test]
fn statuses_follow_rfc_6749_section_5_2() {
    assert_eq!(OAuthError::InvalidRequest.status(), StatusCode::BAD_REQUEST);
    assert_eq!(OAuthError::InvalidClient.status(), StatusCode::BAD_REQUEST);
    assert_eq!(OAuthError::ServerError.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(OAuthError::TemporarilyUnavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
}
