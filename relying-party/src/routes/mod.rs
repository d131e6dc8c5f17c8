//! The HTTP surface: thin axum handlers that extract, call a domain function and map errors.

pub mod discovery;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::oidc::id_token::SigningKeys;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// The shared parts.
#[derive(Debug)]
pub struct Inner {
    /// The issuer URL (also the base of every endpoint).
    pub issuer: String,
    /// The ID token signing keys.
    pub keys: SigningKeys,
}

impl AppState {
    /// State for an issuer with its signing keys.
    pub fn new(issuer: impl Into<String>, keys: SigningKeys) -> Self {
        Self(Arc::new(Inner { issuer: issuer.into().trim_end_matches('/').to_owned(), keys }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The relying party and OpenID provider as an axum router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery::configuration))
        .route("/jwks", get(discovery::jwks))
        .with_state(state)
}

#[cfg(test)]
pub(crate) mod test_support {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use p256::elliptic_curve::Generate;
    use tower::ServiceExt;

    use super::*;

    /// A state with a fresh key.
    pub fn state() -> AppState {
        let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
        AppState::new("http://localhost:8080", SigningKeys::new(&key).expect("keys"))
    }

    /// Sends one request through the router.
    pub async fn send(router: Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }
}
