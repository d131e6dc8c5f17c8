//! What the relying party verified about one sign-in: the only input of the amr/acr policy.
//!
//! Every field comes from something the RP checked itself: the signed authenticator data of
//! this assertion, the attestation verified at registration, the metadata statement of a
//! trusted AAGUID, and whether a password was verified in the same sign-in.

/// Key storage as the FIDO Registry names it (FIDO Registry §3.2 `keyProtection`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyStorage {
    /// Ordinary software (KEY_PROTECTION_SOFTWARE).
    Software,
    /// Hardware, a TEE or a secure element (KEY_PROTECTION_HARDWARE, _TEE, _SECURE_ELEMENT).
    Hardware,
}

/// A user verification method (FIDO Registry §3.1), as far as RFC 8176 distinguishes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UvMethod {
    /// A PIN, passcode or pattern (internal or typed on the platform).
    Knowledge,
    /// Fingerprint.
    Fingerprint,
    /// Face.
    Face,
    /// Iris.
    Iris,
    /// Voice.
    Voice,
    /// Retina.
    Retina,
}

impl UvMethod {
    /// The method of a FIDO Registry `userVerificationMethod` bit, if it is a UV method.
    pub fn from_fido_bit(bit: u32) -> Option<Self> {
        match bit {
            0x0000_0004 | 0x0000_0080 | 0x0000_0800 | 0x0000_1000 => Some(Self::Knowledge),
            0x0000_0002 => Some(Self::Fingerprint),
            0x0000_0010 => Some(Self::Face),
            0x0000_0040 => Some(Self::Iris),
            0x0000_0008 => Some(Self::Voice),
            _ => None,
        }
    }

    /// The method of a FIDO metadata `userVerificationDetails` name, if it is a UV method.
    pub fn from_fido_name(name: &str) -> Option<Self> {
        match name {
            "passcode_internal" | "passcode_external" | "pattern_internal" | "pattern_external" => {
                Some(Self::Knowledge)
            }
            "fingerprint_internal" => Some(Self::Fingerprint),
            "faceprint_internal" => Some(Self::Face),
            "eyeprint_internal" => Some(Self::Iris),
            "voiceprint_internal" => Some(Self::Voice),
            _ => None,
        }
    }
}

/// The `uvm` extension output of this assertion (WebAuthn L2 §10.3), signed with the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UvmReport {
    /// The UV method it names, when it names one.
    pub method: Option<UvMethod>,
    /// The key storage it names, when it names one.
    pub key_storage: Option<KeyStorage>,
}

/// The metadata statement of a trusted AAGUID, reduced to what the policy reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataFacts {
    /// Key storage the statement declares.
    pub key_storage: KeyStorage,
    /// The UV methods it lists (each alternative's non-presence method).
    pub uv_methods: Vec<UvMethod>,
}

/// How the credential's attestation was judged at registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attestation {
    /// Format `none`.
    None,
    /// Self attestation: proves nothing about the model.
    SelfAttested,
    /// A chain to no trusted root.
    Untrusted,
    /// A chain to a root of a metadata statement, whose facts come along.
    Trusted(MetadataFacts),
}

/// Everything the policy may look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// A WebAuthn assertion was verified in this sign-in; `None` for password only.
    pub assertion: Option<AssertionEvidence>,
    /// A password was verified in this sign-in.
    pub password: bool,
}

/// How the client says the authenticator is attached: the `authenticatorAttachment` member of
/// the credential JSON (WebAuthn L3 §5.1, §5.4.5).
///
/// **Unverified.** The client reports it outside anything the authenticator signs, so any
/// client can claim `cross-platform`. The rule table never reads it; only
/// [`crate::policy::Policy::Authelia`], which reproduces an IdP that does, looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientAttachment {
    /// `platform`: built into the client device.
    Platform,
    /// `cross-platform`: a roaming authenticator (USB, NFC, BLE, hybrid).
    CrossPlatform,
}

impl ClientAttachment {
    /// The attachment a credential JSON names, if it names a known one.
    pub fn from_json_name(name: &str) -> Option<Self> {
        match name {
            "platform" => Some(Self::Platform),
            "cross-platform" => Some(Self::CrossPlatform),
            _ => None,
        }
    }
}

/// What the verified assertion and its credential's registration say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssertionEvidence {
    /// UP flag of the signed authenticator data.
    pub user_present: bool,
    /// UV flag.
    pub user_verified: bool,
    /// BE flag.
    pub backup_eligible: bool,
    /// BS flag.
    pub backup_state: bool,
    /// The `uvm` output, when present.
    pub uvm: Option<UvmReport>,
    /// The attestation judged at registration.
    pub attestation: Attestation,
    /// The `authenticatorAttachment` the client reported with this assertion: **not verified**
    /// (see [`ClientAttachment`]); the rule table ignores it.
    pub unverified_client_attachment: Option<ClientAttachment>,
}
