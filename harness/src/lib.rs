//! The softfido harness: a CTAP client that speaks to the authenticator as a platform would,
//! the axes both matrices share, the device matrix (what the authenticator signs, read
//! independently), and the end-to-end matrix that runs every authenticator flag and relying
//! party setting combination through the OIDC code flow.

pub mod args;
pub mod attack;
pub mod axes;
pub mod bench;
pub mod bridge;
pub mod client;
pub mod device;
pub mod expect;
pub mod filter;
pub mod http;
pub mod idp;
pub mod load;
pub mod matrix;
pub mod serve;
