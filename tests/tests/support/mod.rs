//! What the OIDC end-to-end tests share: the IdP on a loopback port, a cookie-keeping HTTP
//! client (the user's browser, and the relying party's backend as openidconnect's HTTP client),
//! the WebAuthn client in the browser driving the real softfido authenticator, and the
//! private_key_jwt client assertions.

pub mod http;
pub mod idp;
pub mod jwt;
pub mod webauthn;
