//! The authenticator's configuration: one value per matrix axis, plus named profiles.
//!
//! Every property that changes what a relying party may conclude (user presence, user
//! verification, key protection, attestation, backup flags) is a field here, so a test or the
//! matrix can set it at will.

pub mod danger;
pub mod file;
mod generation;

pub use danger::{AttestationFault, AuthDataFault, Faults};
pub use generation::Generation;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What the (simulated) user does when the authenticator asks for presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceOutcome {
    /// The user touches the key.
    Approve,
    /// The user refuses (CTAP2_ERR_OPERATION_DENIED).
    Deny,
    /// Nobody touches the key; keepalives are sent until the timeout (CTAP2_ERR_USER_ACTION_TIMEOUT).
    Timeout,
}

/// The biometric modality of a built-in user verification method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Fingerprint reader (FIDO `USER_VERIFY_FINGERPRINT_INTERNAL`).
    Fingerprint,
    /// Face recognition (FIDO `USER_VERIFY_FACEPRINT_INTERNAL`).
    Face,
    /// Iris scanner (FIDO `USER_VERIFY_EYEPRINT_INTERNAL`).
    Iris,
    /// Voice recognition (FIDO `USER_VERIFY_VOICEPRINT_INTERNAL`).
    Voice,
}

impl Modality {
    /// All modalities, in a stable order.
    pub const ALL: [Modality; 4] = [Self::Fingerprint, Self::Face, Self::Iris, Self::Voice];

    /// The FIDO Registry `userVerificationMethod` bit (FIDO Registry of Predefined Values §3.1).
    pub fn fido_uvm_bit(self) -> u32 {
        match self {
            Self::Fingerprint => 0x0000_0002,
            Self::Voice => 0x0000_0008,
            Self::Face => 0x0000_0010,
            Self::Iris => 0x0000_0040,
        }
    }

    /// The FIDO Registry name used in metadata statements.
    pub fn fido_name(self) -> &'static str {
        match self {
            Self::Fingerprint => "fingerprint_internal",
            Self::Voice => "voiceprint_internal",
            Self::Face => "faceprint_internal",
            Self::Iris => "eyeprint_internal",
        }
    }
}

/// What the built-in verifier answers when the user presents a biometric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyOutcome {
    /// The biometric matches an enrolled template.
    Match,
    /// The biometric does not match (CTAP2_ERR_UV_INVALID, retries decremented).
    NoMatch,
}

/// The user verification capability of the authenticator model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum UvCapability {
    /// No user verification at all.
    None,
    /// Verification through the clientPIN protocol (the platform collects the PIN).
    ClientPin,
    /// A built-in biometric sensor.
    Builtin {
        /// Which sensor.
        modality: Modality,
        /// Whether a template is enrolled (getInfo `uv` is true only when enrolled).
        enrolled: bool,
        /// What a verification attempt yields.
        outcome: VerifyOutcome,
    },
}

impl UvCapability {
    /// The model-level kind (ignores enrollment and outcome): part of the AAGUID.
    pub fn kind(self) -> UvKind {
        match self {
            Self::None => UvKind::None,
            Self::ClientPin => UvKind::ClientPin,
            Self::Builtin { modality, .. } => UvKind::Builtin(modality),
        }
    }
}

/// A UV capability without its run-time state: what a product line fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UvKind {
    /// No user verification.
    None,
    /// clientPIN.
    ClientPin,
    /// A built-in biometric.
    Builtin(Modality),
}

impl UvKind {
    /// Every UV kind, in a stable order.
    pub const ALL: [UvKind; 6] = [
        Self::None,
        Self::ClientPin,
        Self::Builtin(Modality::Fingerprint),
        Self::Builtin(Modality::Face),
        Self::Builtin(Modality::Iris),
        Self::Builtin(Modality::Voice),
    ];

    /// A short stable name (`none`, `client_pin`, `fingerprint`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::ClientPin => "client_pin",
            Self::Builtin(Modality::Fingerprint) => "fingerprint",
            Self::Builtin(Modality::Face) => "face",
            Self::Builtin(Modality::Iris) => "iris",
            Self::Builtin(Modality::Voice) => "voice",
        }
    }
}

/// Where the private keys live, as the model's metadata statement declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyProtection {
    /// Keys in ordinary memory (FIDO `KEY_PROTECTION_SOFTWARE`).
    Software,
    /// Keys in dedicated hardware (FIDO `KEY_PROTECTION_HARDWARE`).
    Hardware,
    /// Keys in a trusted execution environment (FIDO `KEY_PROTECTION_TEE`, with hardware).
    Tee,
    /// Keys in a secure element (FIDO `KEY_PROTECTION_SECURE_ELEMENT`, with hardware).
    SecureElement,
}

impl KeyProtection {
    /// Every key protection, in a stable order.
    pub const ALL: [KeyProtection; 4] = [Self::Software, Self::Hardware, Self::Tee, Self::SecureElement];

    /// A short stable name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Software => "software",
            Self::Hardware => "hardware",
            Self::Tee => "tee",
            Self::SecureElement => "secure_element",
        }
    }

    /// The FIDO Registry `keyProtection` bits (FIDO Registry §3.2).
    pub fn fido_bits(self) -> u16 {
        match self {
            Self::Software => 0x0001,
            Self::Hardware => 0x0002,
            Self::Tee => 0x0002 | 0x0004,
            Self::SecureElement => 0x0002 | 0x0008,
        }
    }

    /// The FIDO Registry names used in metadata statements.
    pub fn fido_names(self) -> &'static [&'static str] {
        match self {
            Self::Software => &["software"],
            Self::Hardware => &["hardware"],
            Self::Tee => &["hardware", "tee"],
            Self::SecureElement => &["hardware", "secure_element"],
        }
    }
}

/// The attestation the authenticator gives at registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationKind {
    /// Format `none` (the AAGUID is still present in authData).
    None,
    /// Format `packed`, self attestation: signed with the credential key itself.
    PackedSelf,
    /// Format `packed`, basic: a batch certificate chaining to the softfido test root.
    PackedBasic,
    /// Format `packed`, basic, but the batch certificate chains to a root no metadata lists:
    /// a relying party must record it as untrusted.
    PackedBasicUntrusted,
}

/// Backup eligibility (BE) and backup state (BS) flags (WebAuthn L3 §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BackupFlags {
    /// BE: the credential may be synced.
    pub eligible: bool,
    /// BS: the credential is currently backed up.
    pub state: bool,
}

/// How signature counters advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CounterMode {
    /// One counter per credential.
    PerCredential,
    /// One counter shared by all credentials.
    Global,
    /// Always zero (as synced passkeys do).
    Zero,
}

/// A COSE signature algorithm the authenticator supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// ECDSA P-256 with SHA-256 (COSE -7).
    Es256,
    /// Ed25519 (COSE -8).
    EdDsa,
}

impl Algorithm {
    /// The COSE algorithm identifier.
    pub fn cose_id(self) -> i64 {
        match self {
            Self::Es256 => -7,
            Self::EdDsa => -8,
        }
    }

    /// The algorithm for a COSE identifier, if supported.
    pub fn from_cose_id(id: i64) -> Option<Self> {
        match id {
            -7 => Some(Self::Es256),
            -8 => Some(Self::EdDsa),
            _ => None,
        }
    }
}

/// Which extensions the authenticator supports (and lists in getInfo).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtensionSupport {
    /// `credProtect` (CTAP 2.1 §12.1).
    pub cred_protect: bool,
    /// `hmac-secret` (CTAP 2.1 §12.5).
    pub hmac_secret: bool,
    /// `uvm` (WebAuthn L2 §10.3): the UV method and key protection in signed authData.
    pub uvm: bool,
    /// `credBlob` (CTAP 2.1 §12.2).
    pub cred_blob: bool,
}

impl ExtensionSupport {
    /// Every extension on.
    pub const ALL: Self = Self { cred_protect: true, hmac_secret: true, uvm: true, cred_blob: true };
    /// No extension.
    pub const NONE: Self = Self { cred_protect: false, hmac_secret: false, uvm: false, cred_blob: false };
}

/// The complete configuration of one virtual authenticator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// What the user does when presence is requested.
    pub presence: PresenceOutcome,
    /// How long a [`PresenceOutcome::Timeout`] waits before giving up (keepalives meanwhile).
    pub presence_timeout: Duration,
    /// The model's user verification capability and its current state.
    pub uv: UvCapability,
    /// Where keys live (declared in metadata and in the `uvm` extension).
    pub key_protection: KeyProtection,
    /// The attestation given at registration.
    pub attestation: AttestationKind,
    /// BE and BS flags put in authenticator data.
    pub backup: BackupFlags,
    /// How signature counters advance.
    pub counter: CounterMode,
    /// Supported extensions.
    pub extensions: ExtensionSupport,
    /// Supported algorithms, in the authenticator's order of preference.
    pub algorithms: Vec<Algorithm>,
    /// authenticatorReset is refused (CTAP2_ERR_NOT_ALLOWED) this long after power-up;
    /// `None` allows it at any time. CTAP 2.1 §6.6 suggests 10 seconds.
    pub reset_window: Option<Duration>,
    /// Number of discoverable credentials the store accepts (CTAP2_ERR_KEY_STORE_FULL beyond).
    pub max_resident_credentials: usize,
    /// A clientPIN provisioned into a brand-new state (as a key in use has one); a device that
    /// already has a state, even one reset to no PIN, keeps what its state says.
    pub pin: Option<String>,
    /// How much work the stored PIN verifier costs (see [`PinHashCost`]).
    #[serde(default)]
    pub pin_hash_cost: PinHashCost,
    /// Which generation of key it is (CTAP 2.1 unless told otherwise).
    #[serde(default)]
    pub generation: Generation,
    /// Deliberate faults, all off by default (see [`Faults`]); flattened, so each appears under
    /// its own `danger_…` name, and only when on.
    #[serde(default, flatten)]
    pub danger: Faults,
}

/// How much work the verifier of a stored PIN costs to compute: what a copy of the state costs an
/// attacker per guessed PIN, and what every PIN check costs the authenticator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinHashCost {
    /// PBKDF2 with [`PinHashCost::STANDARD_ROUNDS`] rounds: a few milliseconds per PIN check.
    #[default]
    Standard,
    /// One round, for throwaway in-memory authenticators in test rigs such as the matrix, which
    /// checks tens of thousands of PINs; never for a state kept in a file.
    Minimal,
}

impl PinHashCost {
    /// PBKDF2 rounds of [`PinHashCost::Standard`]: trying every four-digit PIN against a copied
    /// state takes about a CPU-minute instead of milliseconds.
    pub const STANDARD_ROUNDS: u32 = 10_000;

    /// The PBKDF2 rounds.
    pub fn rounds(self) -> u32 {
        match self {
            Self::Standard => Self::STANDARD_ROUNDS,
            Self::Minimal => 1,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Profile::SecurityKey.config()
    }
}

impl Config {
    /// The authenticator model (key protection × UV kind): what fixes the AAGUID.
    pub fn model(&self) -> Model {
        Model { key_protection: self.key_protection, uv: self.uv.kind() }
    }
}

/// An authenticator model: a product line fixes its key storage and its UV methods, and has one
/// AAGUID and one metadata statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Model {
    /// Key protection of the model.
    pub key_protection: KeyProtection,
    /// UV method of the model.
    pub uv: UvKind,
}

impl Model {
    /// Every model, in a stable order.
    pub fn all() -> impl Iterator<Item = Model> {
        KeyProtection::ALL
            .into_iter()
            .flat_map(|key_protection| UvKind::ALL.into_iter().map(move |uv| Model { key_protection, uv }))
    }

    /// A readable description, e.g. `softfido hardware key, fingerprint`.
    pub fn description(self) -> String {
        format!("softfido {} key, user verification: {}", self.key_protection.name(), self.uv.name())
    }
}

/// Named presets that resemble real devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// A USB security key: hardware (secure element) keys, clientPIN with PIN `1234`, basic
    /// attestation.
    SecurityKey,
    /// A platform authenticator: TEE keys, built-in fingerprint, basic attestation.
    Platform,
    /// A synced passkey provider: software keys, built-in face UV, BE=BS=1, no attestation, counter 0.
    SyncedPasskey,
    /// A software token: software keys, no UV, self attestation.
    SoftwareToken,
    /// A security key of the CTAP 2.0 era (2019): secure element, clientPIN with PIN `1234`,
    /// basic attestation, ES256 and hmac-secret, generation `2.0`.
    LegacySecurityKey,
    /// A U2F-only security key: hardware keys, no UV, its batch attestation, generation `u2f`.
    U2fSecurityKey,
}

impl Profile {
    /// The PIN the `security-key` profile starts with.
    pub const SECURITY_KEY_PIN: &'static str = "1234";

    /// Every profile.
    pub const ALL: [Profile; 6] = [
        Self::SecurityKey,
        Self::Platform,
        Self::SyncedPasskey,
        Self::SoftwareToken,
        Self::LegacySecurityKey,
        Self::U2fSecurityKey,
    ];

    /// The profile's command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Self::SecurityKey => "security-key",
            Self::Platform => "platform",
            Self::SyncedPasskey => "synced-passkey",
            Self::SoftwareToken => "software-token",
            Self::LegacySecurityKey => "legacy-security-key",
            Self::U2fSecurityKey => "u2f-security-key",
        }
    }

    /// Looks a profile up by its command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The configuration this profile stands for.
    pub fn config(self) -> Config {
        let base = Config {
            presence: PresenceOutcome::Approve,
            presence_timeout: Duration::from_secs(30),
            uv: UvCapability::None,
            key_protection: KeyProtection::Hardware,
            attestation: AttestationKind::PackedBasic,
            backup: BackupFlags { eligible: false, state: false },
            counter: CounterMode::PerCredential,
            extensions: ExtensionSupport::ALL,
            algorithms: vec![Algorithm::Es256, Algorithm::EdDsa],
            reset_window: Some(Duration::from_secs(10)),
            max_resident_credentials: 100,
            pin: None,
            pin_hash_cost: PinHashCost::Standard,
            generation: Generation::Ctap21,
            danger: Faults::NONE,
        };
        match self {
            Self::SecurityKey => Config {
                uv: UvCapability::ClientPin,
                pin: Some(Profile::SECURITY_KEY_PIN.to_owned()),
                key_protection: KeyProtection::SecureElement,
                extensions: ExtensionSupport { uvm: false, ..ExtensionSupport::ALL },
                ..base
            },
            Self::Platform => Config {
                uv: UvCapability::Builtin {
                    modality: Modality::Fingerprint,
                    enrolled: true,
                    outcome: VerifyOutcome::Match,
                },
                key_protection: KeyProtection::Tee,
                ..base
            },
            Self::SyncedPasskey => Config {
                uv: UvCapability::Builtin {
                    modality: Modality::Face,
                    enrolled: true,
                    outcome: VerifyOutcome::Match,
                },
                key_protection: KeyProtection::Software,
                attestation: AttestationKind::None,
                backup: BackupFlags { eligible: true, state: true },
                counter: CounterMode::Zero,
                ..base
            },
            Self::SoftwareToken => Config {
                key_protection: KeyProtection::Software,
                attestation: AttestationKind::PackedSelf,
                counter: CounterMode::Global,
                ..base
            },
            // The generations of the profiles above stay 2.1: they are the ones the matrices
            // and the interoperability tests use.
            Self::LegacySecurityKey => Config {
                generation: Generation::Ctap20,
                algorithms: vec![Algorithm::Es256],
                extensions: ExtensionSupport { hmac_secret: true, ..ExtensionSupport::NONE },
                ..Self::SecurityKey.config()
            },
            Self::U2fSecurityKey => Config {
                generation: Generation::U2f,
                algorithms: vec![Algorithm::Es256],
                extensions: ExtensionSupport::NONE,
                ..base
            },
        }
    }
}
