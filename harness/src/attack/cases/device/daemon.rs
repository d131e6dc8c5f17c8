//! The device under attack: `softfido authenticator` in process (a [`UdpServer`] on
//! `127.0.0.1:0` serving an [`Authenticator`] over a [`FileStore`] in a temporary directory,
//! PIN [`PIN`] set), its legitimate client, and what the client can see of its holdings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ciborium::Value;
use sha2::{Digest, Sha256};
use softfido_authenticator::pin::protocol::PinUvAuthProtocol;
use softfido_authenticator::pin::token::Permissions;
use softfido_authenticator::store::FileStore;
use softfido_authenticator::transport::udp::UdpServer;
use softfido_authenticator::{Authenticator, Config};

use super::super::super::hid_client::{Answer, HidClient};
use super::super::super::trial::PIN;
use crate::client::{Registration, SignIn, field, get_assertion, make_credential, parse_reply, text_field};

/// The RP the legitimate client registers with.
pub const RP_ID: &str = "device.softfido.test";
/// The state file's name in the daemon's directory.
pub const STATE_FILE: &str = "state.json";
/// authenticatorGetInfo (CTAP 2.1 §6.4).
const GET_INFO: u8 = 0x04;
/// authenticatorClientPIN (CTAP 2.1 §6.5).
const CLIENT_PIN: u8 = 0x06;
/// clientPIN subcommand getPINRetries (CTAP 2.1 §6.5.5.2).
const GET_PIN_RETRIES: i64 = 0x01;

/// `softfido authenticator` on a loopback port, stopped when dropped.
pub struct Daemon {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its state file.
    pub state_path: PathBuf,
    /// When it powered up (its reset window starts then).
    pub powered_up: Instant,
    _dir: tempfile::TempDir,
    shutdown: Arc<AtomicBool>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Daemon {
    /// Starts the daemon with `config` and a state file in a fresh temporary directory.
    pub fn start(config: Config) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("a state directory")?;
        let state_path = dir.path().join(STATE_FILE);
        let powered_up = Instant::now();
        let authenticator = Authenticator::new(config, FileStore::new(&state_path))
            .map_err(|e| anyhow::anyhow!("the authenticator does not start: {e:?}"))?;
        let server = UdpServer::bind("127.0.0.1:0").context("binding the daemon's socket")?;
        let addr = server.local_addr()?;
        let shutdown = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&shutdown);
        let thread = std::thread::spawn(move || server.run(authenticator, flag));
        Ok(Self { addr, state_path, powered_up, _dir: dir, shutdown, thread: Some(thread) })
    }

    /// Stops the daemon and waits for it; an error if it failed meanwhile.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.join()
    }

    /// Waits until `window` after power-up has passed.
    pub fn wait_past(&self, window: Duration) {
        let end = self.powered_up + window + Duration::from_millis(20);
        std::thread::sleep(end.saturating_duration_since(Instant::now()));
    }

    fn join(&mut self) -> anyhow::Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result.context("the daemon failed"),
            Some(Err(_)) => anyhow::bail!("the daemon panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// The daemon and its legitimate client, which owns a channel and, when asked, a credential.
pub struct Device {
    /// The daemon.
    pub daemon: Daemon,
    /// The legitimate client.
    pub owner: HidClient,
    /// The credential the client registered, if any.
    pub credential: Option<Vec<u8>>,
}

impl Device {
    /// Starts a daemon with `config`; its client allocates a channel and, with `register`,
    /// registers a credential with a pinUvAuthToken.
    pub fn start(config: Config, register: bool) -> anyhow::Result<Self> {
        let daemon = Daemon::start(config)?;
        let mut owner = HidClient::connect(daemon.addr)?;
        owner.init()?;
        let mut device = Self { daemon, owner, credential: None };
        if register {
            device.credential = Some(device.register()?);
        }
        Ok(device)
    }

    /// A stranger: another socket on loopback, no channel yet.
    pub fn stranger(&self) -> anyhow::Result<HidClient> {
        HidClient::connect(self.daemon.addr)
    }

    /// Registers a credential with a pinUvAuthToken (CTAP 2.1 §6.1.2): its ID.
    pub fn register(&self) -> anyhow::Result<Vec<u8>> {
        let token = crate::client::pin::token_with_pin(
            |request| self.owner.exchange(request),
            PinUvAuthProtocol::Two,
            PIN,
            Permissions::MAKE_CREDENTIAL,
            RP_ID,
        )
        .map_err(|status| {
            anyhow::anyhow!("no pinUvAuthToken: {}", crate::client::status::status_name(status))
        })?;
        let client_data_hash: [u8; 32] = Sha256::digest(b"device attack registration").into();
        let user_id: [u8; 16] = rand::random();
        let request = make_credential(&Registration {
            rp_id: RP_ID,
            user_id: &user_id,
            user_name: "owner",
            client_data_hash,
            pin_uv_auth: Some((token.param(&client_data_hash), token.protocol_id())),
            ..Registration::default()
        });
        let body = ok_body(&self.owner.cbor(&request)?, "makeCredential")?;
        let auth_data = field(&body, 2).and_then(Value::as_bytes).context("no authData")?;
        // authData: rpIdHash (32), flags (1), signCount (4), AAGUID (16), credentialIdLength
        // (2), credentialId (WebAuthn L3 §6.5.1).
        let length = auth_data.get(53..55).context("no attested credential data")?;
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        Ok(auth_data.get(55..55 + length).context("a short credential ID")?.to_vec())
    }

    /// What the legitimate client sees of the device.
    pub fn holdings(&self) -> anyhow::Result<Holdings> {
        let info = ok_body(&self.owner.cbor(&[GET_INFO])?, "getInfo")?;
        let client_pin =
            field(&info, 4).and_then(|options| text_field(options, "clientPin")).and_then(Value::as_bool);
        let retries = ok_body(&self.owner.cbor(&pin_retries_request())?, "getPINRetries")?;
        let pin_retries = field(&retries, 3).and_then(Value::as_integer).and_then(|n| u8::try_from(n).ok());
        let credential = match &self.credential {
            Some(id) => Some(self.silent_assertion(id)?),
            None => None,
        };
        Ok(Holdings { client_pin, pin_retries, credential })
    }

    /// A getAssertion without user presence for the credential `id` (CTAP 2.1 §6.2, `up`
    /// false): its status.
    fn silent_assertion(&self, id: &[u8]) -> anyhow::Result<u8> {
        let allow = [id.to_vec()];
        let request = get_assertion(&SignIn {
            rp_id: RP_ID,
            client_data_hash: Sha256::digest(b"device attack check").into(),
            allow: &allow,
            up: false,
            ..SignIn::default()
        });
        self.owner.cbor(&request)?.status().context("getAssertion got a CTAPHID error")
    }

    /// Stops the daemon.
    pub fn stop(self) -> anyhow::Result<()> {
        self.daemon.stop()
    }
}

/// authenticatorClientPIN getPINRetries (CTAP 2.1 §6.5.5.2).
pub fn pin_retries_request() -> Vec<u8> {
    let mut request = vec![CLIENT_PIN];
    let map = Value::Map(vec![(Value::Integer(2.into()), Value::Integer(GET_PIN_RETRIES.into()))]);
    // Writing to a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&map, &mut request);
    request
}

/// The body of a CTAP2_OK reply; an error for anything else (the set-up or a check failed).
fn ok_body(answer: &Answer, what: &str) -> anyhow::Result<Value> {
    match answer {
        Answer::Reply(payload) => match parse_reply(payload) {
            Ok(crate::client::Reply::Ok(body)) => Ok(body),
            Ok(crate::client::Reply::Error(_)) => anyhow::bail!("{what} refused: {}", answer.refusal()),
            Err(message) => anyhow::bail!("{what}: {message}"),
        },
        Answer::Error(_) => anyhow::bail!("{what} refused: {}", answer.refusal()),
    }
}

/// What the legitimate client sees: an attack must leave all of it as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holdings {
    /// getInfo's `clientPin` option: a PIN is set.
    pub client_pin: Option<bool>,
    /// getPINRetries.
    pub pin_retries: Option<u8>,
    /// The status of a silent assertion with the client's credential, if it has one.
    pub credential: Option<u8>,
}

impl Holdings {
    /// What differs in `after`, one line per change.
    pub fn changes_to(&self, after: &Self) -> Vec<String> {
        let mut changes = Vec::new();
        if self.client_pin != after.client_pin {
            changes.push(format!("clientPin {:?} -> {:?}", self.client_pin, after.client_pin));
        }
        if self.pin_retries != after.pin_retries {
            changes.push(format!("PIN retries {:?} -> {:?}", self.pin_retries, after.pin_retries));
        }
        if self.credential != after.credential {
            let name = |status: Option<u8>| status.map(crate::client::status::status_name);
            changes.push(format!(
                "the client's credential answers {:?}, was {:?}",
                name(after.credential),
                name(self.credential)
            ));
        }
        changes
    }
}
