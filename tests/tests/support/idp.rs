//! softfido's relying party / OpenID provider on `127.0.0.1:0`, served by axum over real TCP,
//! with softfido's metadata statements as its attestation trust list, an in-memory store and two
//! clients from a JSON configuration: `web` (client_secret_basic) and `backend` (private_key_jwt).

use serde_json::json;
use softfido_harness::idp::softfido_metadata;
use softfido_rp::oidc::clients::ProviderConfig;
use softfido_rp::webauthn::UserVerificationRequirement;
use softfido_rp::{AppState, app};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::jwt::ClientKey;

/// The client_secret_basic client.
pub const WEB: &str = "web";
/// Its secret: characters that need form-urlencoding in the Basic header (RFC 6749 §2.3.1).
pub const WEB_SECRET: &str = "web secret/+:%=";
/// Its redirect URIs (two, so the token endpoint can be handed the wrong one).
pub const WEB_REDIRECT: &str = "https://web.example/cb";
/// The other registered redirect URI of `web`.
pub const WEB_REDIRECT_OTHER: &str = "https://web.example/elsewhere";
/// The private_key_jwt client.
pub const BACKEND: &str = "backend";
/// Its redirect URI.
pub const BACKEND_REDIRECT: &str = "https://backend.example/cb";

/// A running IdP; the server task stops when this is dropped.
pub struct Idp {
    /// `http://localhost:PORT`, which is also the WebAuthn origin of its pages.
    pub issuer: String,
    server: JoinHandle<()>,
}

impl Idp {
    /// Starts an IdP with user verification `uv` for both ceremonies, `backend` holding `key`.
    pub async fn start(uv: UserVerificationRequirement, key: &ClientKey) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let port = listener.local_addr().expect("bound").port();
        let issuer = format!("http://localhost:{port}");
        let config = json!({
            "issuer": issuer,
            "clients": [
                {
                    "client_id": WEB,
                    "redirect_uris": [WEB_REDIRECT, WEB_REDIRECT_OTHER],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "client_secret": WEB_SECRET,
                },
                {
                    "client_id": BACKEND,
                    "redirect_uris": [BACKEND_REDIRECT],
                    "token_endpoint_auth_method": "private_key_jwt",
                    "jwks": { "keys": [key.public_jwk()] },
                },
            ],
        });
        let config = ProviderConfig::from_json(&config.to_string()).expect("provider config");
        let issuer = config.issuer.clone();
        let state = AppState::builder(config)
            .metadata(softfido_metadata().expect("softfido's metadata"))
            .user_verification(uv)
            .build()
            .expect("the IdP's state");
        let server = tokio::spawn(async move {
            axum::serve(listener, app(state)).await.expect("serves");
        });
        Self { issuer, server }
    }

    /// The absolute URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
