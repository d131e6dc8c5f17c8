//! The authenticators the bridge hosts, one per browser context: each with its configuration,
//! the user's scripted answers for the next ceremonies, and the ceremony in flight.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use softfido_authenticator::config::{PresenceOutcome, UvCapability, VerifyOutcome};
use softfido_authenticator::ctap2::StartError;
use softfido_authenticator::store::{MemoryStore, PersistentState};
use softfido_authenticator::{Authenticator, Config, Signals};

use super::client::{self, Attachment, Caller, Device};
use super::dom::DomException;

/// authenticatorReset.
const RESET: u8 = 0x07;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the user does in one ceremony; what is left out comes from the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    /// The answer to the presence test.
    pub presence: Option<PresenceOutcome>,
    /// What the built-in sensor concludes.
    pub biometric: Option<VerifyOutcome>,
    /// The PIN the user types.
    pub pin: Option<String>,
}

/// Who answers a presence test that no test scripted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Unscripted {
    /// The configuration's `presence`.
    #[default]
    Configuration,
    /// A person at the terminal (`softfido bridge --ask`).
    Terminal,
}

/// Which call a page made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `navigator.credentials.create()`.
    Create,
    /// `navigator.credentials.get()`.
    Get,
}

/// One `create()` or `get()` of a page.
#[derive(Clone, Copy, Debug)]
pub struct CeremonyCall<'a> {
    /// Which call.
    pub call: Call,
    /// Who calls.
    pub caller: &'a Caller,
    /// The page's options.
    pub options: &'a Value,
    /// The caller's name for the ceremony, which a cancel may give.
    pub id: Option<&'a str>,
}

/// One hosted authenticator.
pub struct Hosted {
    authenticator: Mutex<Authenticator>,
    config: Config,
    attachment: Attachment,
    answers: Mutex<VecDeque<Answers>>,
    /// The ceremony in flight: its id (when the caller named it) and its signals.
    in_flight: Mutex<Option<(Option<String>, Signals)>>,
}

/// The longest queue of scripted answers an authenticator keeps.
pub const MAX_QUEUED_ANSWERS: usize = 64;

impl Hosted {
    /// An authenticator with `config`, its state in memory: `state` (exported from another
    /// authenticator: its master key, discoverable credentials, counters and PIN) or a new one.
    pub fn new(
        config: Config,
        attachment: Attachment,
        state: Option<PersistentState>,
    ) -> Result<Self, StartError> {
        let store = state.map_or_else(MemoryStore::new, MemoryStore::with_state);
        let authenticator = Authenticator::new(config.clone(), store)?;
        Ok(Self {
            authenticator: Mutex::new(authenticator),
            config,
            attachment,
            answers: Mutex::new(VecDeque::new()),
            in_flight: Mutex::new(None),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// How it is attached.
    pub fn attachment(&self) -> Attachment {
        self.attachment
    }

    /// Queues the user's answers for one ceremony; `false` when the queue is full.
    pub fn queue(&self, answers: Answers) -> bool {
        let mut queue = lock(&self.answers);
        if queue.len() >= MAX_QUEUED_ANSWERS {
            return false;
        }
        queue.push_back(answers);
        true
    }

    /// Runs one `create()` or `get()`. The next queued answers (or the configuration's) say
    /// what the user does; the page's `timeout` (milliseconds) bounds the wait for a touch.
    /// Without queued answers, `unscripted` says who answers the presence test.
    pub fn ceremony(
        &self,
        request: &CeremonyCall<'_>,
        unscripted: Unscripted,
    ) -> Result<Value, DomException> {
        let CeremonyCall { call, caller, options, id } = *request;
        let queued = lock(&self.answers).pop_front();
        let answers = match queued {
            Some(answers) => answers,
            None if unscripted == Unscripted::Terminal => {
                let public_key = options.get("publicKey").unwrap_or(options);
                let requested = match call {
                    Call::Create => public_key["rp"]["id"].as_str(),
                    Call::Get => public_key["rpId"].as_str(),
                };
                let rp_id = caller.origin.rp_id(requested)?;
                Answers {
                    presence: Some(super::ask::ask(&super::ask::question(call, &rp_id))),
                    ..Answers::default()
                }
            }
            None => Answers::default(),
        };
        let mut authenticator = lock(&self.authenticator);
        let timeout =
            options.get("publicKey").unwrap_or(options)["timeout"].as_u64().map(Duration::from_millis);
        authenticator.reconfigure(self.answering(&answers, timeout));
        let signals = Signals::new();
        *lock(&self.in_flight) = Some((id.map(str::to_owned), signals.clone()));
        let pin = answers.pin.or_else(|| self.config.pin.clone());
        let mut device =
            Device { authenticator: &mut authenticator, signals, pin, attachment: self.attachment };
        let result = match call {
            Call::Create => client::create(&mut device, caller, options),
            Call::Get => client::get(&mut device, caller, options),
        };
        *lock(&self.in_flight) = None;
        authenticator.reconfigure(self.config.clone());
        result
    }

    /// The configuration with the user's `answers` for one ceremony.
    fn answering(&self, answers: &Answers, timeout: Option<Duration>) -> Config {
        let mut config = self.config.clone();
        if let Some(presence) = answers.presence {
            config.presence = presence;
        }
        if let (Some(biometric), UvCapability::Builtin { outcome, .. }) = (answers.biometric, &mut config.uv)
        {
            *outcome = biometric;
        }
        if let Some(timeout) = timeout {
            config.presence_timeout = config.presence_timeout.min(timeout);
        }
        config
    }

    /// Ends the ceremony in flight, as the page's AbortSignal does; `false` when none is.
    /// With `ceremony`, only the ceremony of that id is ended, so a late cancel cannot end the
    /// next ceremony.
    pub fn cancel(&self, ceremony: Option<&str>) -> bool {
        let in_flight = lock(&self.in_flight);
        match in_flight.as_ref() {
            Some((id, signals)) if ceremony.is_none() || ceremony == id.as_deref() => {
                signals.cancel();
                true
            }
            _ => false,
        }
    }

    /// The discoverable credentials, as JSON for the control API.
    pub fn credentials(&self) -> Vec<Value> {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let authenticator = lock(&self.authenticator);
        authenticator
            .state()
            .resident
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": Base64UrlUnpadded::encode_string(&c.credential_id),
                    "rpId": c.rp_id,
                    "userHandle": Base64UrlUnpadded::encode_string(&c.user.id),
                    "userName": c.user.name,
                    "userDisplayName": c.user.display_name,
                })
            })
            .collect()
    }

    /// Seeds a discoverable credential with `key` (see [`Authenticator::import_discoverable`]);
    /// answers its credential ID.
    pub fn import_credential(
        &self,
        rp_id: &str,
        user: softfido_authenticator::proto::request::UserEntity,
        key: softfido_authenticator::keys::PrivateKey,
    ) -> Result<Vec<u8>, String> {
        lock(&self.authenticator).import_discoverable(rp_id, user, key).map_err(|status| status.to_string())
    }

    /// Removes a discoverable credential; `Ok(false)` when there is none.
    pub fn remove_credential(&self, credential_id: &[u8]) -> Result<bool, String> {
        lock(&self.authenticator).remove_discoverable(credential_id).map_err(|status| status.to_string())
    }

    /// A factory reset through authenticatorReset (CTAP 2.1 §6.6), the user approving it and
    /// the power-up window lifted.
    pub fn reset(&self) -> Result<(), String> {
        let mut authenticator = lock(&self.authenticator);
        let config = Config { presence: PresenceOutcome::Approve, reset_window: None, ..self.config.clone() };
        authenticator.reconfigure(config);
        let answer = authenticator.process(&[RESET], &Signals::new());
        authenticator.reconfigure(self.config.clone());
        match answer.first() {
            Some(0) => Ok(()),
            other => Err(format!("authenticatorReset answered {other:?}")),
        }
    }

    /// The persistent state, to host the same credentials elsewhere (a passkey captured once and
    /// used again by a later test).
    pub fn export(&self) -> PersistentState {
        lock(&self.authenticator).state().clone()
    }

    /// Unplugs and plugs the authenticator in: its volatile state goes.
    pub fn power_cycle(&self) {
        lock(&self.authenticator).power_cycle();
    }
}

/// The hosted authenticators by id.
pub struct Registry {
    hosted: Mutex<HashMap<String, Arc<Hosted>>>,
    default_config: Config,
    unscripted: Unscripted,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new(softfido_authenticator::Profile::SecurityKey.config(), Unscripted::Configuration)
    }
}

/// How many authenticators one bridge hosts at most.
pub const MAX_AUTHENTICATORS: usize = 1_000;

impl Registry {
    /// A registry whose authenticators added without a configuration get `default_config`,
    /// and whose unscripted presence tests `unscripted` answers.
    pub fn new(default_config: Config, unscripted: Unscripted) -> Self {
        Self { hosted: Mutex::new(HashMap::new()), default_config, unscripted }
    }

    /// Who answers presence tests nobody scripted.
    pub fn unscripted(&self) -> Unscripted {
        self.unscripted
    }

    /// The configuration of an authenticator added without one.
    pub fn default_config(&self) -> &Config {
        &self.default_config
    }

    /// Hosts `hosted` under a new random id; `None` when the bridge is full.
    pub fn add(&self, hosted: Hosted) -> Option<String> {
        let mut map = lock(&self.hosted);
        if map.len() >= MAX_AUTHENTICATORS {
            return None;
        }
        let id = hex::encode(rand::random::<[u8; 16]>());
        map.insert(id.clone(), Arc::new(hosted));
        Some(id)
    }

    /// The authenticator `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Hosted>> {
        lock(&self.hosted).get(id).cloned()
    }

    /// Stops hosting `id`; `false` when it was not hosted.
    pub fn remove(&self, id: &str) -> bool {
        lock(&self.hosted).remove(id).is_some()
    }
}

#[cfg(test)]
mod tests;
