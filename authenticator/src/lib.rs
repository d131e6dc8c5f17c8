//! softfido's virtual CTAP 2.1 authenticator.
//!
//! The authenticator keeps software keys but behaves like hardware on the wire: canonical CBOR
//! responses, the spec's status code for every malformed request, CTAPHID framing over UDP.
//! Every property a relying party reasons about (user presence, user verification, key
//! protection, attestation, backup flags, counters, extensions) is set by [`Config`].
//!
//! Layers, from the wire inwards:
//! - [`transport`]: I/O adapters (UDP, the SoloKeys simulator convention) driving the
//!   [`ctap2::CtapDevice`] port;
//! - [`hid`]: pure CTAPHID state machines with an injected clock;
//! - [`proto`]: wire types: requests parsed once into a typed [`proto::Command`], responses
//!   encoded from typed values in [`proto::response`];
//! - [`ctap2`]: behaviour, one file per command, defining the [`ctap2::CtapDevice`] port.

pub mod attestation;
pub mod clock;
pub mod config;
pub mod ctap1;
pub mod ctap2;
pub mod hid;
pub mod keys;
pub mod metadata;
pub mod pin;
pub mod proto;
pub mod signals;
pub mod store;
pub mod transport;
pub mod user;

pub use config::{Config, Profile};
pub use ctap2::Authenticator;
pub use proto::StatusCode;
pub use signals::Signals;
