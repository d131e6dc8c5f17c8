//! CTAP2 behaviour: `process(bytes)` parses once and hands a typed [`Command`] to
//! `process_parsed`, which sends it to one function per command (one file per command).

mod attest;
mod authenticator_config;
mod bio_enrollment;
mod client_pin;
mod control;
pub mod credential;
mod credential_management;
mod ctap20;
mod device;
mod extensions;
mod faults;
mod generation;
mod get_assertion;
pub mod get_info;
mod hmac_secret;
pub mod large_blobs;
mod make_credential;
mod power_on;
mod reset;
mod u2f;
mod verification;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use sha2::{Digest, Sha256};

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, UvCapability, VerifyOutcome};
use crate::proto::request::{UserEntity, code};
use crate::proto::response::Response;
use crate::proto::{Command, StatusCode};
use crate::signals::Signals;
use crate::store::{CredentialStore, MemoryStore, PersistentState, StoreError};
use crate::user::{ScriptedUser, User};

pub use device::CtapDevice;
pub use get_assertion::PendingAssertions;

use self::power_on::PowerOnState;

use self::credential::CredentialSecret;

/// Why an authenticator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Its state could not be loaded or initialised.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A PIN was configured for a model without clientPIN.
    #[error("a PIN needs a model with clientPIN user verification")]
    PinWithoutClientPin,
    /// The configured PIN breaks the PIN policy (4 to 63 bytes of UTF-8, at least the minimum length).
    #[error("the PIN must be 4 to 63 bytes of UTF-8 and at least the minimum PIN length in characters")]
    PinPolicy,
}

/// A virtual CTAP 2.1 authenticator.
pub struct Authenticator {
    config: Config,
    user: Box<dyn User>,
    store: Box<dyn CredentialStore>,
    clock: Box<dyn Clock>,
    /// The committed persistent state (mirrors what the store holds).
    state: PersistentState,
    /// What lives only until the next power cycle.
    volatile: PowerOnState,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Authenticator {
    /// An authenticator with `config`, state from `store` (a new device if the store is empty),
    /// a user scripted by `config`, and the system clock.
    pub fn new(config: Config, store: impl CredentialStore + 'static) -> Result<Self, StartError> {
        Self::with_parts(config, Box::new(store), Box::new(SystemClock))
    }

    /// Like [`Authenticator::new`] with an explicit clock (tests move time by hand).
    pub fn with_parts(
        config: Config,
        mut store: Box<dyn CredentialStore>,
        clock: Box<dyn Clock>,
    ) -> Result<Self, StartError> {
        if config.pin.is_some() && config.uv != UvCapability::ClientPin {
            return Err(StartError::PinWithoutClientPin);
        }
        let state = match store.load()? {
            // A state written before bio enrollment existed gets the configured templates; one
            // with a template, written before the flag existed, was protected all the same.
            Some(mut state) => {
                let templates = state
                    .fingerprint_templates
                    .get_or_insert_with(|| bio_enrollment::configured_templates(&config));
                state.bio_protected |= !templates.is_empty();
                state
            }
            None => {
                let state = factory_state(&config)?;
                store.commit(&state)?;
                state
            }
        };
        let user = Box::new(scripted_user(&config));
        let volatile = PowerOnState::new(clock.now());
        Ok(Self { config, user, store, clock, state, volatile })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the configuration at run time (the matrix changes the user's answers between
    /// registration and sign-in); the scripted user follows it.
    pub fn reconfigure(&mut self, config: Config) {
        self.user = Box::new(scripted_user(&config));
        self.config = config;
    }

    /// A second device holding a copy of this one: the same configuration, master key,
    /// discoverable credentials, PIN and counters, in its own in-memory store on the system
    /// clock, freshly powered on. From then on the two are separate: each one's counters
    /// advance on its own, as a cloned authenticator's do (WebAuthn L3 §6.1.1, §7.2 step 23).
    pub fn clone_device(&self) -> Authenticator {
        let state = self.state.clone();
        let clock = SystemClock;
        let volatile = PowerOnState::new(clock.now());
        Authenticator {
            config: self.config.clone(),
            user: Box::new(scripted_user(&self.config)),
            store: Box::new(MemoryStore::with_state(state.clone())),
            clock: Box::new(clock),
            state,
            volatile,
        }
    }

    /// The committed persistent state.
    pub fn state(&self) -> &PersistentState {
        &self.state
    }

    /// Answers one request: command byte + CBOR in, status byte + canonical CBOR out.
    /// Never panics on any input.
    pub fn process(&mut self, request: &[u8], signals: &Signals) -> Vec<u8> {
        // CTAP 2.1 §6.3: the getNextAssertion state is discarded when any other command arrives.
        let command =
            request.first().and_then(|&byte| generation::admitted_command(self.config.generation, byte));
        if command != Some(code::GET_NEXT_ASSERTION) {
            self.volatile.pending_assertions = None;
        }
        // §6.8: likewise the state of a credential management enumeration.
        if command != Some(code::CREDENTIAL_MANAGEMENT) {
            self.volatile.pending_enumeration = None;
        }
        // The command as CTAP 2.1 numbers it, for the commands this generation of key knows.
        let translated;
        let request = match (request.split_first(), command) {
            (Some((&byte, params)), Some(command)) if command != byte => {
                translated = [&[command][..], params].concat();
                &translated[..]
            }
            (Some(_), None) => return vec![StatusCode::InvalidCommand.byte()],
            _ => request,
        };
        let result = Command::parse(request).and_then(|command| self.process_parsed(command, signals));
        let command = request.first().copied().unwrap_or_default();
        match result {
            Ok(response) => {
                tracing::debug!(command = code::name(command), "CTAP2_OK");
                response.to_bytes()
            }
            Err(status) => {
                tracing::debug!(command = code::name(command), %status, "request refused");
                vec![status.byte()]
            }
        }
    }

    /// Executes a parsed command.
    pub fn process_parsed(&mut self, command: Command, signals: &Signals) -> Result<Response, StatusCode> {
        match command {
            Command::GetInfo => Ok(self.get_info().into()),
            Command::MakeCredential(request) => self.make_credential(request, signals).map(Into::into),
            Command::GetAssertion(request) => self.get_assertion(request, signals).map(Into::into),
            Command::GetNextAssertion => self.get_next_assertion().map(Into::into),
            Command::Reset => self.reset(signals).map(|()| Response::Empty),
            Command::CredentialManagement(request) => self.credential_management(request),
            Command::BioEnrollment(request) => self.bio_enrollment(request, signals),
            Command::Config(request) => self.authenticator_config(request),
            Command::LargeBlobs(request) => self.large_blobs(request),
            Command::Selection => self.user.presence(signals).map(|()| Response::Empty),
            Command::ClientPin(request) => self.client_pin(request, signals),
        }
    }

    /// Simulates unplugging and plugging in: volatile state goes, persistent state stays.
    pub fn power_cycle(&mut self) {
        self.volatile = PowerOnState::new(self.clock.now());
        tracing::info!("power cycle: volatile state dropped");
    }

    /// Applies `change` to a copy of the persistent state, commits it, and adopts it only if
    /// the commit succeeded: a failed write changes nothing.
    fn commit(&mut self, change: impl FnOnce(&mut PersistentState)) -> Result<(), StatusCode> {
        let mut next = self.state.clone();
        change(&mut next);
        self.store.commit(&next).map_err(|error| {
            tracing::error!(%error, "persisting state failed; change discarded");
            StatusCode::Other
        })?;
        self.state = next;
        Ok(())
    }
}

/// A brand-new device's state: a fresh master key, the configured fingerprint templates and,
/// when configured, the provisioned PIN.
///
/// The PIN is provisioned once, into the very first state the device commits: a device that
/// already has a state keeps what that state says, so one that authenticatorReset left without
/// a PIN (CTAP 2.1 §6.6) stays without one across restarts, as a real key does.
fn factory_state(config: &Config) -> Result<PersistentState, StartError> {
    let mut state = PersistentState::new();
    let templates = bio_enrollment::configured_templates(config);
    state.bio_protected = !templates.is_empty();
    state.fingerprint_templates = Some(templates);
    if let Some(pin) = &config.pin {
        let mut padded = pin.clone().into_bytes();
        padded.resize(crate::pin::policy::PADDED_PIN_LENGTH.max(padded.len()), 0);
        let new_pin = crate::pin::policy::check_new_pin(&padded, state.min_pin_length)
            .map_err(|_| StartError::PinPolicy)?;
        state.pin =
            Some(crate::store::StoredPin::new(&new_pin.hash, new_pin.code_points, config.pin_hash_cost));
    }
    Ok(state)
}

fn scripted_user(config: &Config) -> ScriptedUser {
    let biometric = match config.uv {
        UvCapability::Builtin { outcome, .. } => outcome,
        _ => VerifyOutcome::NoMatch,
    };
    ScriptedUser { presence: config.presence, timeout: config.presence_timeout, biometric }
}

impl Authenticator {
    /// Opens a credential ID issued by this device for this RP, with the stored user of a
    /// discoverable credential. A discoverable credential that was replaced, deleted or reset
    /// is gone, even though its ID still carries the key.
    fn live_credential(
        &self,
        credential_id: &[u8],
        rp_id_hash: &[u8; 32],
    ) -> Option<(CredentialSecret, Option<UserEntity>)> {
        let secret = CredentialSecret::open(credential_id, &self.state.master_key, rp_id_hash)?;
        let user =
            self.state.resident.iter().find(|c| c.credential_id == credential_id).map(|c| c.user.clone());
        if secret.discoverable && user.is_none() {
            return None;
        }
        Some((secret, user))
    }
}

/// SHA-256 of an RP ID (authenticator data's rpIdHash).
pub fn rp_id_hash(rp_id: &str) -> [u8; 32] {
    Sha256::digest(rp_id.as_bytes()).into()
}

impl CtapDevice for Authenticator {
    fn process_cbor(&mut self, request: &[u8], signals: &Signals) -> Vec<u8> {
        self.process(request, signals)
    }

    fn process_msg(&mut self, apdu: &[u8], signals: &Signals) -> Option<Vec<u8>> {
        Some(self.process_apdu(apdu, signals))
    }

    /// Every generation speaks CTAP1/U2F, as CTAP2 security keys do (CTAP 2.1 §10).
    fn supports_msg(&self) -> bool {
        true
    }

    fn supports_cbor(&self) -> bool {
        self.config.generation.speaks_ctap2()
    }

    fn power_cycle(&mut self) {
        Authenticator::power_cycle(self);
    }

    fn wink(&mut self) {
        tracing::info!("wink");
    }
}
