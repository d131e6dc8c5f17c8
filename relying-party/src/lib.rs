//! softfido's WebAuthn relying party and OpenID Connect provider.
//!
//! The crate is reserved in the workspace so that its place in the layout is fixed; the relying
//! party, its evidence extraction and the pure amr/acr policy arrive with their own change.
