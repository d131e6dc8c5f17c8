use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::routes::app;
use crate::routes::tests::{json_body, state};

#[tokio::test]
async fn discovery_names_the_endpoints_and_acr_values() {
    let state = state();
    let request = Request::get("/.well-known/openid-configuration").body(Body::empty()).expect("request");
    let (status, body) = json_body(app(state), request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["issuer"], "http://localhost:8080");
    assert_eq!(body["token_endpoint"], "http://localhost:8080/token");
    assert_eq!(body["acr_values_supported"], serde_json::json!(["phrh", "phr"]));
    assert_eq!(body["claims_parameter_supported"], true);
    assert_eq!(body["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    // OIDC Core §6.1 and the response mode: request objects and other response modes are refused.
    assert_eq!(body["response_modes_supported"], serde_json::json!(["query"]));
    assert_eq!(body["request_parameter_supported"], false);
}

#[tokio::test]
async fn the_jwks_publishes_the_signing_key() {
    let state = state();
    let kid = state.keys.kid().to_owned();
    let (status, body) =
        json_body(app(state), Request::get("/jwks").body(Body::empty()).expect("request")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["keys"][0]["kid"], kid);
    assert_eq!(body["keys"][0]["crv"], "P-256");
}
