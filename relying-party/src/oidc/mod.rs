//! The OpenID Connect provider: the checks of the authorization request, PKCE, and what the
//! requested acr demands of a sign-in. Pure; the HTTP handlers build on these.

pub mod acr_request;
pub mod authorize;
pub mod client_auth;
pub mod clients;
pub mod flow;
pub mod grant;
pub mod id_token;
pub mod oauth_error;
pub mod params;
pub mod pkce;
pub mod token;

pub use oauth_error::OAuthError;
