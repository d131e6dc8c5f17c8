//! Wire types only: CTAP2 requests and responses, authenticator data, canonical CBOR.
//!
//! Bytes become a typed [`Command`] here; nothing past this module sees raw request bytes.

pub mod auth_data;
pub mod cbor;
pub mod request;
pub mod response;
mod status;

pub use request::Command;
pub use status::StatusCode;
