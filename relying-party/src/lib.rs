//! softfido's WebAuthn relying party and OpenID Connect provider.
//!
//! So far: the pure amr/acr policy ([`policy::auth_context`]) and the evidence it reads
//! ([`evidence`]). The ceremonies, the OIDC endpoints and the store build on them.

pub mod authenticator_data;
pub mod error;
pub mod evidence;
pub mod expiring;
pub mod metadata;
pub mod oidc;
pub mod password;
pub mod policy;
pub mod routes;
pub mod store;
pub mod webauthn;

pub use routes::{AppState, app};
