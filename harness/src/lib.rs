//! The softfido harness: a CTAP client that speaks to the authenticator as a platform would,
//! an independent reader of what the authenticator signs, and the matrix that runs every
//! authenticator flag combination.

pub mod bench;
pub mod client;
pub mod device_matrix;
pub mod device_oracle;
pub mod http;
pub mod idp;
pub mod matrix;
pub mod serve;
pub mod verify;
