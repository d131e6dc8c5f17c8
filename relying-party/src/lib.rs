//! softfido's WebAuthn relying party and OpenID Connect provider, as an axum [`app`].
//!
//! - [`policy`]: the pure amr (RFC 8176) / acr (EAP ACR Values 1.0) rule table, deciding from
//!   the [`evidence`] a sign-in verified; it also decides when a password is the second factor
//!   of a passkey sign-in (R9).
//! - [`webauthn`]: registration and authentication ceremonies on `webauthn-rs-core`, with the
//!   attestation judged against FIDO [`metadata`] statements and the flags and `uvm` read from
//!   the signed [`authenticator_data`].
//! - [`oidc`]: the provider's pure decisions: the authorization request, the sign-in or step-up
//!   it needs, client authentication (client_secret_basic, private_key_jwt), PKCE, token
//!   redemption, ID tokens, and the [`oidc::OAuthError`] codes.
//! - [`store`]: accounts, passkeys, codes, tokens and pushed requests in SQLite, typed in and
//!   out; [`expiring`] holds sessions and ceremonies in memory; [`password`] hashes passwords.
//! - [`routes`]: the HTTP surface: handlers that extract, call one of the above and answer,
//!   with errors as [`error::AppError`]; [`AppState::builder`] assembles the provider.

pub mod authenticator_data;
pub mod clock;
pub mod error;
pub mod evidence;
pub mod expiring;
pub mod metadata;
pub mod oidc;
pub mod password;
pub mod policy;
pub mod routes;
pub mod sealed;
pub mod store;
pub mod webauthn;

pub use routes::{AppState, app};
