//! PIN/UV auth protocols (CTAP 2.1 §6.5): the pure cryptography shared by
//! `authenticatorClientPIN`, `pinUvAuthParam` checks and the `hmac-secret` extension.

pub mod protocol;
