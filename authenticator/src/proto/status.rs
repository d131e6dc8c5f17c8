//! CTAP status codes (CTAP 2.1 §8.2 "Status codes").

use std::fmt;

/// Every status byte the authenticator can answer with, named as the spec names them.
///
/// `Ok` is success; every other variant is a failure. Failures never panic: each input error
/// maps to one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum StatusCode {
    /// CTAP2_OK / CTAP1_ERR_SUCCESS.
    Ok = 0x00,
    /// CTAP1_ERR_INVALID_COMMAND: the command is not a valid CTAP command.
    InvalidCommand = 0x01,
    /// CTAP1_ERR_INVALID_PARAMETER: the command included an invalid parameter.
    InvalidParameter = 0x02,
    /// CTAP1_ERR_INVALID_LENGTH: invalid message or item length.
    InvalidLength = 0x03,
    /// CTAP1_ERR_INVALID_SEQ: invalid message sequencing.
    InvalidSeq = 0x04,
    /// CTAP1_ERR_TIMEOUT: message timed out.
    Timeout = 0x05,
    /// CTAP1_ERR_CHANNEL_BUSY: channel busy.
    ChannelBusy = 0x06,
    /// CTAP1_ERR_LOCK_REQUIRED: command requires channel lock.
    LockRequired = 0x0A,
    /// CTAP1_ERR_INVALID_CHANNEL: command not allowed on this cid.
    InvalidChannel = 0x0B,
    /// CTAP2_ERR_CBOR_UNEXPECTED_TYPE: invalid/unexpected CBOR error.
    CborUnexpectedType = 0x11,
    /// CTAP2_ERR_INVALID_CBOR: error when parsing CBOR.
    InvalidCbor = 0x12,
    /// CTAP2_ERR_MISSING_PARAMETER: missing non-optional parameter.
    MissingParameter = 0x14,
    /// CTAP2_ERR_LIMIT_EXCEEDED: limit for number of items exceeded.
    LimitExceeded = 0x15,
    /// CTAP2_ERR_FP_DATABASE_FULL: fingerprint database is full.
    FpDatabaseFull = 0x17,
    /// CTAP2_ERR_LARGE_BLOB_STORAGE_FULL: large blob storage is full.
    LargeBlobStorageFull = 0x18,
    /// CTAP2_ERR_CREDENTIAL_EXCLUDED: valid credential found in the exclude list.
    CredentialExcluded = 0x19,
    /// CTAP2_ERR_PROCESSING: processing (lengthy operation is in progress).
    Processing = 0x21,
    /// CTAP2_ERR_INVALID_CREDENTIAL: credential not valid for the authenticator.
    InvalidCredential = 0x22,
    /// CTAP2_ERR_USER_ACTION_PENDING: authentication is waiting for user interaction.
    UserActionPending = 0x23,
    /// CTAP2_ERR_OPERATION_PENDING: processing, lengthy operation is in progress.
    OperationPending = 0x24,
    /// CTAP2_ERR_NO_OPERATIONS: no request is pending.
    NoOperations = 0x25,
    /// CTAP2_ERR_UNSUPPORTED_ALGORITHM: authenticator does not support the requested algorithm.
    UnsupportedAlgorithm = 0x26,
    /// CTAP2_ERR_OPERATION_DENIED: not authorized for the requested operation.
    OperationDenied = 0x27,
    /// CTAP2_ERR_KEY_STORE_FULL: internal key storage is full.
    KeyStoreFull = 0x28,
    /// CTAP2_ERR_UNSUPPORTED_OPTION: unsupported option.
    UnsupportedOption = 0x2B,
    /// CTAP2_ERR_INVALID_OPTION: not a valid option for the current operation.
    InvalidOption = 0x2C,
    /// CTAP2_ERR_KEEPALIVE_CANCEL: pending keep alive was cancelled.
    KeepaliveCancel = 0x2D,
    /// CTAP2_ERR_NO_CREDENTIALS: no valid credentials provided.
    NoCredentials = 0x2E,
    /// CTAP2_ERR_USER_ACTION_TIMEOUT: a user action timeout occurred.
    UserActionTimeout = 0x2F,
    /// CTAP2_ERR_NOT_ALLOWED: continuation command not allowed (e.g. GetNextAssertion).
    NotAllowed = 0x30,
    /// CTAP2_ERR_PIN_INVALID: PIN invalid.
    PinInvalid = 0x31,
    /// CTAP2_ERR_PIN_BLOCKED: PIN blocked.
    PinBlocked = 0x32,
    /// CTAP2_ERR_PIN_AUTH_INVALID: pinUvAuthParam verification failed.
    PinAuthInvalid = 0x33,
    /// CTAP2_ERR_PIN_AUTH_BLOCKED: PIN auth blocked until power cycle.
    PinAuthBlocked = 0x34,
    /// CTAP2_ERR_PIN_NOT_SET: no PIN has been set.
    PinNotSet = 0x35,
    /// CTAP2_ERR_PUAT_REQUIRED: a pinUvAuthToken is required for this operation.
    PuatRequired = 0x36,
    /// CTAP2_ERR_PIN_POLICY_VIOLATION: PIN policy violation.
    PinPolicyViolation = 0x37,
    /// CTAP2_ERR_REQUEST_TOO_LARGE: request too large for the authenticator's memory.
    RequestTooLarge = 0x39,
    /// CTAP2_ERR_ACTION_TIMEOUT: the current operation has timed out.
    ActionTimeout = 0x3A,
    /// CTAP2_ERR_UP_REQUIRED: user presence is required for the requested operation.
    UpRequired = 0x3B,
    /// CTAP2_ERR_UV_BLOCKED: built-in user verification is disabled.
    UvBlocked = 0x3C,
    /// CTAP2_ERR_INTEGRITY_FAILURE: a check failed due to incorrect data.
    IntegrityFailure = 0x3D,
    /// CTAP2_ERR_INVALID_SUBCOMMAND: the requested subcommand is invalid or not implemented.
    InvalidSubcommand = 0x3E,
    /// CTAP2_ERR_UV_INVALID: built-in user verification unsuccessful.
    UvInvalid = 0x3F,
    /// CTAP2_ERR_UNAUTHORIZED_PERMISSION: the permissions parameter contains an unauthorized permission.
    UnauthorizedPermission = 0x40,
    /// CTAP1_ERR_OTHER: other unspecified error.
    Other = 0x7F,
    /// CTAP2_ERR_EXTENSION_FIRST: the first extension-specific error.
    ExtensionFirst = 0xE0,
}

impl StatusCode {
    /// Every status code, for decoding.
    pub const ALL: [StatusCode; 47] = [
        Self::Ok,
        Self::InvalidCommand,
        Self::InvalidParameter,
        Self::InvalidLength,
        Self::InvalidSeq,
        Self::Timeout,
        Self::ChannelBusy,
        Self::LockRequired,
        Self::InvalidChannel,
        Self::CborUnexpectedType,
        Self::InvalidCbor,
        Self::MissingParameter,
        Self::LimitExceeded,
        Self::FpDatabaseFull,
        Self::LargeBlobStorageFull,
        Self::CredentialExcluded,
        Self::Processing,
        Self::InvalidCredential,
        Self::UserActionPending,
        Self::OperationPending,
        Self::NoOperations,
        Self::UnsupportedAlgorithm,
        Self::OperationDenied,
        Self::KeyStoreFull,
        Self::UnsupportedOption,
        Self::InvalidOption,
        Self::KeepaliveCancel,
        Self::NoCredentials,
        Self::UserActionTimeout,
        Self::NotAllowed,
        Self::PinInvalid,
        Self::PinBlocked,
        Self::PinAuthInvalid,
        Self::PinAuthBlocked,
        Self::PinNotSet,
        Self::PuatRequired,
        Self::PinPolicyViolation,
        Self::RequestTooLarge,
        Self::ActionTimeout,
        Self::UpRequired,
        Self::UvBlocked,
        Self::IntegrityFailure,
        Self::InvalidSubcommand,
        Self::UvInvalid,
        Self::UnauthorizedPermission,
        Self::Other,
        Self::ExtensionFirst,
    ];

    /// The status code for a byte received from an authenticator.
    pub fn from_byte(byte: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.byte() == byte)
    }

    /// The status byte on the wire.
    pub fn byte(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?} (0x{:02X})", self.byte())
    }
}

impl std::error::Error for StatusCode {}
