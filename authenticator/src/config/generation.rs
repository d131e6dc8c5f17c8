//! Which generation of security key the authenticator is: what getInfo reports and which
//! commands it knows. Clients meet every generation in the field and must fall back correctly.

use serde::{Deserialize, Serialize};

/// A generation of FIDO authenticator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Generation {
    /// A U2F-only key (FIDO U2F Raw Message Formats 1.2): CTAPHID without the CBOR capability.
    #[serde(rename = "u2f")]
    U2f,
    /// A CTAP 2.0 key (the Proposed Standard of 2019-01-30, `FIDO_2_0`): getInfo members
    /// 0x01–0x06 only, PIN protocol 1 and getPinToken, no command or option added by 2.1.
    #[serde(rename = "2.0")]
    Ctap20,
    /// A CTAP 2.1 key as it shipped with the preview commands (`FIDO_2_1_PRE`):
    /// credentialManagement as command 0x41, PIN/UV auth protocol 1, tokens from getPinToken.
    #[serde(rename = "2.1-pre")]
    Ctap21Pre,
    /// CTAP 2.1 (the default).
    #[default]
    #[serde(rename = "2.1")]
    Ctap21,
}

impl Generation {
    /// Every generation, oldest first.
    pub const ALL: [Generation; 4] = [Self::U2f, Self::Ctap20, Self::Ctap21Pre, Self::Ctap21];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Self::U2f => "u2f",
            Self::Ctap20 => "2.0",
            Self::Ctap21Pre => "2.1-pre",
            Self::Ctap21 => "2.1",
        }
    }

    /// Looks a generation up by its command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name() == name)
    }

    /// Whether the device speaks CTAP2 (CBOR) at all.
    pub fn speaks_ctap2(self) -> bool {
        self != Self::U2f
    }
}
