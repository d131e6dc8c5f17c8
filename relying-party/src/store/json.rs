//! Typed values in JSON columns: encoded on the way in, decoded on the way out.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::StoreError;

/// `value` as the text of the JSON column `what`.
pub(super) fn encode<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Json { what, source })
}

/// The value in the JSON column `what`.
pub(super) fn decode<T: DeserializeOwned>(what: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { what, source })
}
