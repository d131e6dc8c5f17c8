//! PIN/UV auth protocols (CTAP 2.1 §6.5): the cryptography shared by `authenticatorClientPIN`,
//! `pinUvAuthParam` checks and the `hmac-secret` extension, the PIN rules, and the
//! pinUvAuthToken's lifetime.

pub mod policy;
pub mod protocol;
pub mod token;
