//! The embedding members of clientDataJSON: this RP's pages forbid framing
//! (`frame-ancestors 'none'`), so a ceremony never legitimately runs in a cross-origin frame.

use serde::Deserialize;

use super::CeremonyError;

/// The members of clientDataJSON that tell whether the ceremony ran in a frame (WebAuthn L3
/// §5.8.1); the others are checked by `webauthn-rs-core`.
#[derive(Debug, Deserialize)]
struct Embedding {
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
    #[serde(rename = "topOrigin", default)]
    top_origin: Option<serde_json::Value>,
}

/// WebAuthn L3 §7.1 step 11 and §7.2 step 15: "Verify that the value of C.crossOrigin ..." and
/// "If C.topOrigin is present: ... verify that C.topOrigin matches an origin the RP expects to
/// be embedded in". This RP expects to be embedded in none, so `crossOrigin: true` and any
/// `topOrigin` are refused, in both ceremonies.
pub fn check_not_embedded(client_data_json: &[u8]) -> Result<(), CeremonyError> {
    let embedding: Embedding = serde_json::from_slice(client_data_json)
        .map_err(|e| CeremonyError::Malformed(format!("clientDataJSON: {e}")))?;
    if embedding.cross_origin == Some(true) {
        return Err(CeremonyError::CrossOrigin);
    }
    if embedding.top_origin.is_some() {
        return Err(CeremonyError::TopOrigin);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
