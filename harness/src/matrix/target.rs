//! `softfido matrix --target FILE`: the matrix against an IdP softfido did not write, driven
//! through its own pages in headless Chromium. A target file (TOML) names the IdP (its issuer,
//! found by OpenID Connect discovery), the client registered for the harness, what the IdP is
//! configured to do, and a driver: a Playwright module with the steps its pages need (sign up,
//! add a passkey, sign in). See targets/README.md.
//!
//! The file is read here and nothing else is done: which scenarios the target can run is
//! [`TargetFile::admits`], pure; the processes are in [`server`] and [`runner`], one scenario
//! in the browser in [`browser`], the whole run in [`run`].

pub mod browser;
pub mod run;
pub mod runner;
pub mod server;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

use super::scenario::Scenario;
use crate::axes::{
    AcrRequest, Attestation, FirstFactor, KeyKind, MaxAge, PinProtocol, Prompt, RpUv, Session,
};

/// A target file, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    /// What the IdP is (name and version), for the reports.
    pub name: String,
    /// The issuer; `{port}` stands for the port of the server the harness starts.
    pub issuer: String,
    /// The driver module, relative to the target file.
    pub driver: PathBuf,
    /// The IdP's server, when the harness starts it.
    #[serde(default)]
    pub server: Option<ServerSpec>,
    /// The client registered at the IdP for the harness.
    pub client: ClientSpec,
    /// What the IdP is configured to do.
    pub idp: IdpSpec,
    /// Scenarios of this target are compared with softfido's in-process IdP on the same
    /// scenarios, and any difference fails the run (a target of softfido's own pages).
    #[serde(default)]
    pub agrees_with_in_process: bool,
}

/// How the harness starts the IdP.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    /// The command and its arguments, run in the target file's directory; `{port}` is a free
    /// loopback port, `{softfido}` this executable.
    pub command: Vec<String>,
    /// A path under the issuer polled until it answers 200 (default: the discovery document).
    #[serde(default = "discovery_path")]
    pub ready: String,
    /// How long the server may take to answer `ready`.
    #[serde(default = "default_ready_timeout")]
    pub timeout_seconds: u64,
}

fn discovery_path() -> String {
    "/.well-known/openid-configuration".into()
}

fn default_ready_timeout() -> u64 {
    60
}

/// How the client authenticates at the token endpoint (OIDC Core §9).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// HTTP Basic with the client ID and secret.
    #[default]
    ClientSecretBasic,
    /// The client ID and secret in the form body.
    ClientSecretPost,
}

/// The harness's client at the IdP.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// `client_id`.
    pub id: String,
    /// `client_secret`.
    pub secret: String,
    /// The token endpoint's client authentication.
    #[serde(default)]
    pub auth_method: ClientAuth,
    /// The registered redirect URI (`{port}` as in the issuer); the browser's navigation to it
    /// is caught, never loaded.
    pub redirect_uri: String,
    /// Scopes besides `openid`.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// What the IdP does, which fixes or narrows the axes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdpSpec {
    /// Its WebAuthn `userVerification` (fixes `rp_uv`).
    pub user_verification: RpUv,
    /// Whether it honours `acr_values` (OIDC Core §3.1.2.1).
    #[serde(default)]
    pub acr_values: bool,
    /// Whether it honours the `claims` request parameter (OIDC Core §5.5).
    #[serde(default)]
    pub claims_parameter: bool,
    /// Whether it verifies attestations against softfido's test root (else `basic_trusted`
    /// cannot be told from `basic_untrusted` there, and is left out).
    #[serde(default)]
    pub trusts_softfido_test_root: bool,
    /// The first factors the driver can sign in with.
    pub first_factors: Vec<FirstFactor>,
    /// Passkey sign-in without a username (`yes`) and username-first (`no`).
    pub discoverable: Vec<YesNo>,
}

/// `yes` or `no`, as the reports write the boolean axes.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    /// `yes`.
    Yes,
    /// `no`.
    No,
}

impl From<YesNo> for bool {
    fn from(value: YesNo) -> bool {
        value == YesNo::Yes
    }
}

/// A target file read from disk, with the directory its paths are relative to.
#[derive(Clone, Debug)]
pub struct Target {
    /// The file's contents.
    pub file: TargetFile,
    /// The file's directory.
    pub dir: PathBuf,
}

impl Target {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file = TargetFile::parse(&text).with_context(|| format!("target file {}", path.display()))?;
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = dir.canonicalize().with_context(|| format!("the directory of {}", path.display()))?;
        Ok(Self { file, dir })
    }

    /// The driver module's absolute path.
    pub fn driver(&self) -> PathBuf {
        self.dir.join(&self.file.driver)
    }
}

/// Why a target file is refused.
#[derive(Debug, thiserror::Error)]
pub enum TargetFileError {
    /// Not TOML of the target's shape.
    #[error(transparent)]
    Toml(#[from] toml::de::Error),
    /// A list that must not be empty is.
    #[error("idp.{0} is empty: the driver must support at least one")]
    Empty(&'static str),
    /// `{port}` without a server to give it.
    #[error("{0} uses {{port}}, but there is no [server] for the harness to start on a port")]
    PortWithoutServer(&'static str),
    /// A server without a command.
    #[error("server.command is empty")]
    NoCommand,
}

impl TargetFile {
    /// Parses and checks a target file's text.
    pub fn parse(text: &str) -> Result<Self, TargetFileError> {
        let file: Self = toml::from_str(text)?;
        if file.idp.first_factors.is_empty() {
            return Err(TargetFileError::Empty("first_factors"));
        }
        if file.idp.discoverable.is_empty() && file.idp.first_factors != [FirstFactor::Password] {
            return Err(TargetFileError::Empty("discoverable"));
        }
        match &file.server {
            None if file.issuer.contains("{port}") => {
                return Err(TargetFileError::PortWithoutServer("issuer"));
            }
            None if file.client.redirect_uri.contains("{port}") => {
                return Err(TargetFileError::PortWithoutServer("client.redirect_uri"));
            }
            Some(server) if server.command.is_empty() => return Err(TargetFileError::NoCommand),
            _ => {}
        }
        Ok(file)
    }

    /// Whether the target can run `s`: the IdP's userVerification, the acr requests it
    /// honours, the first factors and sign-in styles its driver has, the attestation trust it
    /// has; a FIDO2 key in a fresh browser (no session, no `prompt`, no `max_age`), with PIN
    /// protocol 2, which a browser picks when the key offers it.
    pub fn admits(&self, s: &Scenario) -> bool {
        let idp = &self.idp;
        let acr = match s.acr_request {
            None | Some(AcrRequest::None) => true,
            Some(AcrRequest::AcrValuesPhr | AcrRequest::AcrValuesPhrh | AcrRequest::VoluntaryUnknown) => {
                idp.acr_values
            }
            Some(AcrRequest::EssentialPhrh | AcrRequest::EssentialUnknown) => idp.claims_parameter,
        };
        let discoverable =
            s.discoverable.is_none_or(|d| idp.discoverable.iter().any(|&allowed| bool::from(allowed) == d));
        acr && discoverable
            && s.rp_uv.is_none_or(|uv| uv == idp.user_verification)
            && idp.first_factors.contains(&s.first_factor)
            && (idp.trusts_softfido_test_root || s.attestation != Some(Attestation::BasicTrusted))
            && s.kind == KeyKind::Fido2
            && s.session == Session::None
            && s.prompt == Prompt::Absent
            && s.max_age == MaxAge::Absent
            && s.pin_protocol != Some(PinProtocol::One)
    }

    /// The axes the target fixes or narrows, one line each, for the run's header.
    pub fn fixed_axes(&self) -> Vec<String> {
        let idp = &self.idp;
        let mut lines = vec![
            format!("rp_uv={} (the IdP's userVerification)", idp.user_verification),
            "kind=fido2, session=none, prompt=absent, max_age=absent (a fresh browser, one FIDO2 key)".into(),
            "pin_protocol=2 (the browser uses PIN protocol 2 when the key offers it)".into(),
        ];
        let mut acr = vec!["none"];
        if idp.acr_values {
            acr.extend(["acr_values_phr", "acr_values_phrh", "voluntary_unknown"]);
        }
        if idp.claims_parameter {
            acr.extend(["essential_phrh", "essential_unknown"]);
        }
        lines.push(format!("acr_request={} (what the IdP honours)", acr.join("|")));
        let factors: Vec<&str> = idp.first_factors.iter().map(|f| f.name()).collect();
        lines.push(format!("first_factor={} (what the driver signs in with)", factors.join("|")));
        let discoverable: Vec<&str> =
            idp.discoverable.iter().map(|d| if bool::from(*d) { "yes" } else { "no" }).collect();
        lines.push(format!("discoverable={} (the driver's passkey sign-in)", discoverable.join("|")));
        if !idp.trusts_softfido_test_root {
            lines.push(
                "attestation=none|self|basic_untrusted (the IdP does not trust softfido's test root)".into(),
            );
        }
        lines
    }
}

#[cfg(test)]
mod tests;
