//! The wire types of PIN/UV auth (CTAP 2.1 §6.5): protocol numbers, permissions, and the
//! `pinUvAuthParam`/`pinUvAuthProtocol` pair that authenticates a request.

use core::ops::{BitAnd, BitOr};

use ciborium::Value;

use super::StatusCode;
use super::cbor::ValueExt;

/// A PIN/UV auth protocol this authenticator implements (the `pinUvAuthProtocol` number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PinUvAuthProtocol {
    /// PIN/UV auth protocol One (§6.5.6): SHA-256 KDF, zero IV, 16-byte tags.
    One,
    /// PIN/UV auth protocol Two (§6.5.7): HKDF KDF, random IV, 32-byte tags.
    Two,
}

impl PinUvAuthProtocol {
    /// The protocol with the given `pinUvAuthProtocol` number, if it is one we know.
    #[must_use]
    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            1 => Some(Self::One),
            2 => Some(Self::Two),
            _ => None,
        }
    }

    /// The `pinUvAuthProtocol` number of this protocol.
    #[must_use]
    pub fn id(self) -> i64 {
        match self {
            Self::One => 1,
            Self::Two => 2,
        }
    }

    /// Length in bytes of `authenticate` output and of the `signature` `verify` accepts:
    /// HMAC-SHA-256 truncated to 16 bytes for One (§6.5.6), all 32 bytes for Two (§6.5.7).
    #[must_use]
    pub fn tag_len(self) -> usize {
        match self {
            Self::One => 16,
            Self::Two => 32,
        }
    }
}

/// A `pinUvAuthProtocol` parameter as sent, parsed once.
///
/// A number this authenticator does not implement is kept rather than refused while parsing,
/// because CTAP 2.1 ranks other refusals before its `CTAP1_ERR_INVALID_PARAMETER`: a command the
/// model lacks (§6.5.5: `CTAP1_ERR_INVALID_COMMAND`), the zero-length pinUvAuthParam probe
/// (§6.1.2 step 1), a missing pinUvAuthParam (§6.8.2: `CTAP2_ERR_PUAT_REQUIRED`), and the
/// parameters an hmac-secret input is checked for first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinProtocol {
    /// A protocol this authenticator implements.
    Supported(PinUvAuthProtocol),
    /// Any other number.
    Unsupported(i64),
}

impl PinProtocol {
    /// Parses the integer parameter (`CTAP2_ERR_CBOR_UNEXPECTED_TYPE` for another type).
    pub fn parse(value: Value) -> Result<Self, StatusCode> {
        let id = value.int_value()?;
        Ok(PinUvAuthProtocol::from_id(id).map_or(Self::Unsupported(id), Self::Supported))
    }

    /// The protocol to use, or `CTAP1_ERR_INVALID_PARAMETER` for one not implemented.
    pub fn supported(self) -> Result<PinUvAuthProtocol, StatusCode> {
        match self {
            Self::Supported(protocol) => Ok(protocol),
            Self::Unsupported(_) => Err(StatusCode::InvalidParameter),
        }
    }

    /// A required protocol: `CTAP2_ERR_MISSING_PARAMETER` when absent, else
    /// [`PinProtocol::supported`].
    pub fn required(protocol: Option<Self>) -> Result<PinUvAuthProtocol, StatusCode> {
        protocol.ok_or(StatusCode::MissingParameter)?.supported()
    }
}

impl From<PinUvAuthProtocol> for PinProtocol {
    fn from(protocol: PinUvAuthProtocol) -> Self {
        Self::Supported(protocol)
    }
}

/// A set of pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7 "permissions"), one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Permissions(u8);

impl Permissions {
    /// No permission.
    pub const NONE: Self = Self(0);
    /// mc: authenticatorMakeCredential.
    pub const MAKE_CREDENTIAL: Self = Self(0x01);
    /// ga: authenticatorGetAssertion.
    pub const GET_ASSERTION: Self = Self(0x02);
    /// cm: authenticatorCredentialManagement.
    pub const CREDENTIAL_MANAGEMENT: Self = Self(0x04);
    /// be: authenticatorBioEnrollment.
    pub const BIO_ENROLLMENT: Self = Self(0x08);
    /// lbw: authenticatorLargeBlobs write.
    pub const LARGE_BLOB_WRITE: Self = Self(0x10);
    /// acfg: authenticatorConfig.
    pub const AUTHENTICATOR_CONFIG: Self = Self(0x20);

    /// The set with these bits, as the permissions parameter carries them.
    #[must_use]
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The bits of this set, as the permissions parameter carries them.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every permission of `other` is in this set.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether this set and `other` share a permission.
    #[must_use]
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// The permissions of this set that are not in `other`.
    #[must_use]
    pub const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl BitOr for Permissions {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl BitAnd for Permissions {
    type Output = Self;

    fn bitand(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }
}

/// The permissions parameter (0x09) of a token request, as sent.
///
/// A number outside a byte names no permission set; it is kept rather than refused while
/// parsing because §6.5.5.7.2 refuses it (`CTAP1_ERR_INVALID_PARAMETER`) only after checking
/// that pinHashEnc is present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestedPermissions {
    /// A permission set (possibly empty).
    Set(Permissions),
    /// A number outside 0..=255.
    OutOfRange,
}

impl RequestedPermissions {
    /// Parses the integer parameter (`CTAP2_ERR_CBOR_UNEXPECTED_TYPE` for another type).
    pub fn parse(value: Value) -> Result<Self, StatusCode> {
        let bits = value.int_value()?;
        Ok(u8::try_from(bits).map_or(Self::OutOfRange, |bits| Self::Set(Permissions::from_bits(bits))))
    }
}

/// The pinUvAuthParam and pinUvAuthProtocol of a credential management or authenticatorConfig
/// request, with the message the param must authenticate (CTAP 2.1 §6.8.2, §6.11.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubcommandAuth {
    /// pinUvAuthParam, if sent (`CTAP2_ERR_PUAT_REQUIRED` when needed and absent).
    pub param: Option<Vec<u8>>,
    /// pinUvAuthProtocol, if sent.
    pub protocol: Option<PinProtocol>,
    /// `subCommand || subCommandParams` as received (canonical CBOR, so re-encoding is exact).
    pub message: Vec<u8>,
}

#[cfg(test)]
mod tests;
