//! OpenID Provider metadata (OpenID Connect Discovery 1.0 §3) and the JWKS.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::AppState;

/// `GET /.well-known/openid-configuration`.
pub async fn configuration(State(state): State<AppState>) -> Json<Value> {
    let issuer = &state.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "pushed_authorization_request_endpoint": format!("{issuer}/par"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "scopes_supported": ["openid", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        // EAP ACR Values 1.0: the strongest first.
        "acr_values_supported": ["phrh", "phr"],
        "claims_parameter_supported": true,
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr"],
        "request_parameter_supported": false,
        "prompt_values_supported": ["none", "login"],
    }))
}

/// `GET /jwks`.
pub async fn jwks(State(state): State<AppState>) -> Json<Value> {
    Json(state.keys.jwks())
}

#[cfg(test)]
mod tests {
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
}
