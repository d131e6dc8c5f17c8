//! Wire types only: CTAP2 requests and responses, authenticator data, canonical CBOR.
//!
//! Bytes become a typed [`Command`] here; nothing past this module sees raw request bytes.

pub mod auth_data;
pub mod bio_enrollment;
pub mod cbor;
pub mod client_pin;
pub mod config;
pub mod credential_management;
pub mod entities;
pub mod large_blobs;
pub mod pin_uv_auth;
pub mod request;
pub mod response;
mod status;
pub mod subcommand;

pub use bio_enrollment::BioEnrollmentRequest;
pub use client_pin::{ClientPinCommand, ClientPinRequest};
pub use config::ConfigRequest;
pub use credential_management::CredentialManagementRequest;
pub use large_blobs::LargeBlobsRequest;
pub use pin_uv_auth::{Permissions, PinProtocol, PinUvAuthProtocol};
pub use request::Command;
pub use status::StatusCode;
