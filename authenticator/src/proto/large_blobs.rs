//! authenticatorLargeBlobs requests (CTAP 2.1 §6.10): `{1: get, 2: set, 3: offset, 4: length,
//! 5: pinUvAuthParam, 6: pinUvAuthProtocol}`, parsed into a read or a write.

use sha2::{Digest, Sha256};

use super::StatusCode;
use super::cbor::{MapReader, ValueExt};
use super::pin_uv_auth::{PinProtocol, SubcommandAuth};

/// A parsed authenticatorLargeBlobs request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LargeBlobsRequest {
    /// `get`: read up to `count` bytes of the serialized large-blob array from `offset`.
    Get {
        /// 0x01 get: how many bytes to read.
        count: u64,
        /// 0x03 offset.
        offset: u64,
    },
    /// `set`: one fragment of a new serialized large-blob array.
    Set(LargeBlobFragment),
}

/// One fragment of a write (CTAP 2.1 §6.10.2 "set").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LargeBlobFragment {
    /// 0x02 set: the fragment's bytes.
    pub data: Vec<u8>,
    /// 0x03 offset: where the fragment goes in the new array.
    pub offset: u64,
    /// 0x04 length: the whole new array's length (present only at offset 0).
    pub length: Option<u64>,
    /// 0x05/0x06 pinUvAuthParam and pinUvAuthProtocol, with the message the param must
    /// authenticate: 32×0xff ‖ 0x0c 0x00 ‖ uint32LittleEndian(offset) ‖ SHA-256(set).
    pub auth: SubcommandAuth,
}

impl LargeBlobsRequest {
    /// Parses the request map; the structural refusals of CTAP 2.1 §6.10.2 (neither or both of
    /// get and set, length or PIN/UV parameters with get) are `CTAP1_ERR_INVALID_PARAMETER`.
    pub(super) fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
        let get = map.take(0x01).map(unsigned).transpose()?;
        let set = map.take(0x02).map(ValueExt::bytes_value).transpose()?;
        let offset = unsigned(map.required(0x03)?)?;
        let length = map.take(0x04).map(unsigned).transpose()?;
        let param = map.take(0x05).map(ValueExt::bytes_value).transpose()?;
        let protocol = map.take(0x06).map(PinProtocol::parse).transpose()?;
        match (get, set) {
            // §6.10.2 steps 1-2: exactly one of get and set.
            (None, None) | (Some(_), Some(_)) => Err(StatusCode::InvalidParameter),
            (Some(count), None) => {
                // Step 3: a read carries no length and no PIN/UV auth parameters.
                if length.is_some() || param.is_some() || protocol.is_some() {
                    return Err(StatusCode::InvalidParameter);
                }
                Ok(Self::Get { count, offset })
            }
            (None, Some(data)) => {
                let message = write_message(offset, &data);
                let auth = SubcommandAuth { param, protocol, message };
                Ok(Self::Set(LargeBlobFragment { data, offset, length, auth }))
            }
        }
    }
}

/// The message a write's pinUvAuthParam authenticates (CTAP 2.1 §6.10.2 step 4.5.4):
/// 32×0xff ‖ 0x0c 0x00 ‖ uint32LittleEndian(offset) ‖ SHA-256(set).
pub fn write_message(offset: u64, data: &[u8]) -> Vec<u8> {
    let mut message = vec![0xff; 32];
    message.extend_from_slice(&[0x0c, 0x00]);
    // An offset past 32 bits cannot be expected (the array is far shorter), so any value does.
    message.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_le_bytes());
    message.extend_from_slice(&Sha256::digest(data));
    message
}

/// An unsigned integer parameter: another type is `CTAP2_ERR_CBOR_UNEXPECTED_TYPE`, a negative
/// number `CTAP1_ERR_INVALID_PARAMETER`; any unsigned number is kept, for the handler to judge.
fn unsigned(value: ciborium::Value) -> Result<u64, StatusCode> {
    match value {
        ciborium::Value::Integer(integer) => u64::try_from(integer).map_err(|_| StatusCode::InvalidParameter),
        _ => Err(StatusCode::CborUnexpectedType),
    }
}

#[cfg(test)]
mod tests;
