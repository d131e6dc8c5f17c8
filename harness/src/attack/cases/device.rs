//! A stranger against `softfido authenticator`, the CTAPHID-over-UDP daemon: another socket on
//! loopback that power-cycles the device, guesses the PIN, uses, cancels, resynchronises or
//! evicts the legitimate client's channel, predicts channel IDs, and reads or redirects the
//! state file. Each case starts its own daemon ([`daemon::Device`]) and stops it at the end;
//! the IdP is not involved.

pub mod daemon;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

use softfido_authenticator::Config;
use softfido_authenticator::config::PresenceOutcome;
use softfido_authenticator::hid::HidCommand;
use softfido_authenticator::pin::protocol::PinUvAuthProtocol;

use self::daemon::{Device, Holdings, pin_retries_request};
use super::super::case::{Case, Expected, Group, Needs, Outcome};
use super::super::hid_client::{Answer, HidClient};
use super::super::trial::Trial;
use super::security_key;

/// A reset window short enough for a case to wait it out.
const SHORT_RESET_WINDOW: Duration = Duration::from_millis(200);
/// authenticatorReset (CTAP 2.1 §6.6).
const RESET: u8 = 0x07;
/// authenticatorSelection (CTAP 2.1 §6.9): waits for user presence.
const SELECTION: u8 = 0x0b;
/// A PIN that is not [`super::super::trial::PIN`].
const WRONG_PIN: &str = "135799";
/// CTAP2_ERR_PIN_INVALID, CTAP2_ERR_PIN_BLOCKED, CTAP2_ERR_PIN_AUTH_BLOCKED (CTAP 2.1 §8.2.1).
const PIN_INVALID: u8 = 0x31;
const PIN_BLOCKED: u8 = 0x32;
const PIN_AUTH_BLOCKED: u8 = 0x34;
/// CTAP2_ERR_KEEPALIVE_CANCEL (CTAP 2.1 §8.2.1).
const KEEPALIVE_CANCEL: u8 = 0x2d;
/// Wrong PINs CTAP 2.1 §6.5.2.2 lets through per power-up before PIN_AUTH_BLOCKED.
const GUESSES_PER_POWER_UP: u32 = 3;
/// How many channels the flood allocates: four times the device's table.
const FLOOD_LEN: usize = 64;
/// How many channels the attacker allocates to look for a pattern.
const SAMPLED_CHANNELS: usize = 8;

/// The device group's cases.
pub const CASES: &[Case] = &[
    Case::refused(
        Group::Device,
        "device.stranger_power_cycle_then_reset",
        "a sender owning no channel sends the power-cycle packet, then authenticatorReset after the reset window",
        "CTAP 2.1 §6.6 (reset within 10 s of power-up)",
        "ctap:CTAP2_ERR_NOT_ALLOWED",
        |t| Box::pin(on_device(t, short_reset_window(), true, stranger_power_cycle_then_reset)),
    ),
    Case {
        id: "device.channel_owner_power_cycle_then_reset",
        group: Group::Device,
        attack: "a local process allocates a channel, sends the power-cycle packet, then authenticatorReset",
        spec: "CTAP 2.1 §6.6 (reset within 10 s of power-up)",
        expected: Expected::Undetectable {
            why: "a loopback sender owning a channel may power-cycle (PowerCyclePolicy::ChannelOwner): the \
                  daemon cannot tell it from the user replugging the key, and its simulated user approves \
                  every presence test; with a real key, the touch is the defence",
            granted: "authenticatorReset succeeded; clientPin Some(true) -> Some(false); the client's credential \
                      answers Some(\"CTAP2_ERR_NO_CREDENTIALS\"), was Some(\"CTAP2_OK\")",
        },
        needs: Needs::AnyIdp,
        run: |t| Box::pin(on_device(t, short_reset_window(), true, channel_owner_power_cycle_then_reset)),
    },
    Case::refused(
        Group::Device,
        "device.pin_guesses_across_power_cycles",
        "wrong PINs, power-cycling whenever PIN_AUTH_BLOCKED, until the device stops answering guesses",
        "CTAP 2.1 §6.5.5.7.2 (pinRetries), §6.5.2.2 (3 per power-up)",
        "ctap:CTAP2_ERR_PIN_BLOCKED",
        |t| Box::pin(on_device(t, security_key(), false, pin_guesses_across_power_cycles)),
    ),
    Case::refused(
        Group::Device,
        "device.request_on_clients_channel",
        "authenticatorReset sent on the legitimate client's channel, within the reset window",
        "CTAP 2.1 §11.2.3, §11.2.9.1.6 (channels)",
        "hid:ERR_INVALID_CHANNEL",
        |t| Box::pin(on_device(t, security_key(), true, request_on_clients_channel)),
    ),
    Case::refused(
        Group::Device,
        "device.request_on_unallocated_channel",
        "a request on a channel ID the device never allocated",
        "CTAP 2.1 §11.2.3, §11.2.9.1.6 (channels)",
        "hid:ERR_INVALID_CHANNEL",
        |t| Box::pin(on_device(t, security_key(), true, request_on_unallocated_channel)),
    ),
    Case::refused(
        Group::Device,
        "device.adopt_clients_channel_after_power_cycle",
        "after the client's own power cycle, a request on its channel before the client uses it again",
        "CTAP 2.1 §11.2.3 (channels)",
        "hid:ERR_INVALID_CHANNEL",
        |t| Box::pin(on_device(t, security_key(), true, adopt_clients_channel_after_power_cycle)),
    ),
    Case::refused(
        Group::Device,
        "device.cancel_clients_request",
        "CTAPHID_CANCEL on the legitimate client's channel while its request waits for the user",
        "CTAP 2.1 §11.2.9.1.5 (CTAPHID_CANCEL), §11.2.3",
        "hid:ERR_INVALID_CHANNEL",
        |t| Box::pin(on_device(t, waiting_for_the_user(), false, cancel_clients_request)),
    ),
    Case::refused(
        Group::Device,
        "device.init_resyncs_clients_channel",
        "CTAPHID_INIT on the legitimate client's channel, to resynchronise it",
        "CTAP 2.1 §11.2.9.1.3 (resynchronisation), §11.2.3",
        "hid:ERR_INVALID_CHANNEL",
        |t| Box::pin(on_device(t, security_key(), true, init_resyncs_clients_channel)),
    ),
    Case::refused(
        Group::Device,
        "device.init_flood_evicts_clients_channel",
        "64 CTAPHID_INIT allocations from one socket, to evict the legitimate client's idle channel",
        "CTAP 2.1 §11.2.3 (channels)",
        "hid:channel_kept",
        |t| Box::pin(on_device(t, security_key(), true, init_flood_evicts_clients_channel)),
    ),
    Case::refused(
        Group::Device,
        "device.predictable_channel_ids",
        "consecutive allocations, to predict the next client's channel ID",
        "CTAP 2.1 §11.2.9.1.3 (the device chooses the CID)",
        "hid:unpredictable_channel_ids",
        |t| Box::pin(on_device(t, security_key(), false, predictable_channel_ids)),
    ),
    Case::refused(
        Group::Device,
        "device.state_file_readable_by_others",
        "another user of the machine reads the state file (master key, PIN verifier)",
        "CTAP 2.1 §6.5 (the PIN verifier is the device's secret)",
        "fs:owner_only",
        |t| Box::pin(on_device(t, security_key(), true, state_file_readable_by_others)),
    ),
    Case::refused(
        Group::Device,
        "device.symlink_at_temporary_name",
        "symlinks to a victim file planted at the state file's predictable temporary names before a write",
        "CTAP 2.1 §6.5 (the PIN verifier is the device's secret)",
        "fs:symlink_not_followed",
        |t| Box::pin(on_device(t, security_key(), true, symlink_at_temporary_name)),
    ),
];

/// The honest security key with a reset window a case can wait out.
fn short_reset_window() -> Config {
    Config { reset_window: Some(SHORT_RESET_WINDOW), ..security_key() }
}

/// The honest security key whose user never touches it: a presence request waits for
/// `presence_timeout`, long enough to be cancelled.
fn waiting_for_the_user() -> Config {
    Config {
        presence: PresenceOutcome::Timeout,
        presence_timeout: Duration::from_millis(400),
        ..security_key()
    }
}

/// Starts a daemon with `config` (its client registering a credential with `register`), runs
/// `attack` on it and stops it. The IdP is not involved; its checkpoint is taken all the same.
async fn on_device(
    trial: Trial,
    config: Config,
    register: bool,
    attack: fn(&Device) -> anyhow::Result<Outcome>,
) -> anyhow::Result<Outcome> {
    trial.checkpoint(&[]).await?;
    tokio::task::spawn_blocking(move || {
        let device = Device::start(config, register)?;
        let outcome = attack(&device);
        device.stop()?;
        outcome
    })
    .await?
}

/// `outcome`, unless the legitimate client now sees something other than `before`: then what
/// changed is what the attacker obtained.
fn unless_changed(device: &Device, before: &Holdings, outcome: Outcome) -> anyhow::Result<Outcome> {
    let changes = match device.holdings() {
        Ok(after) => before.changes_to(&after),
        Err(error) => vec![format!("the client cannot see its device any more: {error:#}")],
    };
    Ok(match outcome {
        _ if changes.is_empty() => outcome,
        Outcome::Accepted(what) => Outcome::Accepted(format!("{what}; {}", changes.join("; "))),
        Outcome::Refused(_) => Outcome::Accepted(changes.join("; ")),
    })
}

/// A stranger's channel: a new socket that allocated one.
fn stranger_with_channel(device: &Device) -> anyhow::Result<HidClient> {
    let mut stranger = device.stranger()?;
    stranger.init()?;
    Ok(stranger)
}

/// CTAP 2.1 §6.6: outside the window after power-up, reset is CTAP2_ERR_NOT_ALLOWED. The
/// power-cycle packet of a sender owning no channel is ignored, so the window stays closed.
fn stranger_power_cycle_then_reset(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    device.daemon.wait_past(SHORT_RESET_WINDOW);
    let mut stranger = device.stranger()?;
    stranger.power_cycle()?;
    stranger.init()?;
    let answer = stranger.cbor(&[RESET])?;
    let outcome = reset_outcome(&answer);
    unless_changed(device, &before, outcome)
}

/// The same with a sender that allocated a channel first: the policy lets it power-cycle.
fn channel_owner_power_cycle_then_reset(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    device.daemon.wait_past(SHORT_RESET_WINDOW);
    let stranger = stranger_with_channel(device)?;
    stranger.power_cycle()?;
    let answer = stranger.cbor(&[RESET])?;
    let outcome = reset_outcome(&answer);
    unless_changed(device, &before, outcome)
}

fn reset_outcome(answer: &Answer) -> Outcome {
    match answer.status() {
        Some(0) => Outcome::Accepted("authenticatorReset succeeded".to_owned()),
        _ => Outcome::Refused(answer.refusal()),
    }
}

/// CTAP 2.1 §6.5.5.7.2: each wrong PIN costs one of pinRetries (8 at most); three in a row
/// need a power cycle (§6.5.2.2, PIN_AUTH_BLOCKED); none left is PIN_BLOCKED. Power cycles
/// restore the three per power-up but never the retries: at most `pinRetries` guesses are
/// compared, at most three per power-up. The PIN ends blocked, as the spec wants: the case
/// counts the guesses rather than checking that nothing changed.
fn pin_guesses_across_power_cycles(device: &Device) -> anyhow::Result<Outcome> {
    let stranger = stranger_with_channel(device)?;
    let allowed = u32::from(pin_retries(&stranger)?);
    let (mut compared, mut this_power_up) = (0u32, 0u32);
    for _ in 0..3 * allowed + 6 {
        let retries = pin_retries(&stranger)?;
        let answer =
            crate::client::pin::pin_token(|r| stranger.exchange(r), PinUvAuthProtocol::Two, WRONG_PIN);
        let status = match answer {
            Ok(_) => return Ok(Outcome::Accepted("a wrong PIN was accepted".to_owned())),
            Err(status) => status,
        };
        if status == PIN_INVALID || pin_retries(&stranger)? < retries {
            compared += 1;
            this_power_up += 1;
        }
        if compared > allowed || this_power_up > GUESSES_PER_POWER_UP {
            let what =
                format!("{compared} PINs compared ({this_power_up} in one power-up), {allowed} allowed");
            return Ok(Outcome::Accepted(what));
        }
        match status {
            PIN_BLOCKED => return Ok(Outcome::Refused(Answer::Reply(vec![status]).refusal())),
            PIN_AUTH_BLOCKED => {
                stranger.power_cycle()?;
                this_power_up = 0;
            }
            PIN_INVALID => {}
            other => anyhow::bail!("a PIN guess got {}", crate::client::status::status_name(other)),
        }
    }
    Ok(Outcome::Accepted(format!("still guessing after {compared} PINs compared, {allowed} allowed")))
}

/// getPINRetries on `client`'s channel.
fn pin_retries(client: &HidClient) -> anyhow::Result<u8> {
    let reply = client.exchange(&pin_retries_request());
    let Ok(crate::client::Reply::Ok(body)) = crate::client::parse_reply(&reply) else {
        anyhow::bail!("getPINRetries refused");
    };
    let retries = crate::client::field(&body, 3).and_then(ciborium::Value::as_integer);
    retries.and_then(|n| u8::try_from(n).ok()).ok_or_else(|| anyhow::anyhow!("no pinRetries"))
}

/// CTAP 2.1 §11.2.3: a channel is its allocator's; anyone else's packet on it is
/// ERR_INVALID_CHANNEL (§11.2.9.1.6). The reset would succeed within the window.
fn request_on_clients_channel(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    let stranger = stranger_with_channel(device)?;
    let answer = stranger.transact(device.owner.cid, HidCommand::Cbor, &[RESET])?;
    let outcome = match answer {
        Answer::Reply(_) => {
            Outcome::Accepted(format!("a request on the client's channel: {}", answer.refusal()))
        }
        Answer::Error(_) => Outcome::Refused(answer.refusal()),
    };
    unless_changed(device, &before, outcome)
}

/// CTAP 2.1 §11.2.3: a CID the device did not allocate is no channel (ERR_INVALID_CHANNEL);
/// only CTAPHID_INIT may be sent where no channel is (§11.2.9.1.3).
fn request_on_unallocated_channel(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    let stranger = stranger_with_channel(device)?;
    let invented = device.owner.cid.wrapping_add(1).max(1);
    let answer = stranger.transact(invented, HidCommand::Cbor, &[RESET])?;
    let outcome = match answer {
        Answer::Reply(_) => {
            Outcome::Accepted(format!("a request on channel {invented:08x}: {}", answer.refusal()))
        }
        Answer::Error(_) => Outcome::Refused(answer.refusal()),
    };
    unless_changed(device, &before, outcome)
}

/// CTAP 2.1 §11.2.3: after a power cycle, the client's CID stays the client's (the daemon
/// lets only its owner adopt it); a stranger's request there is ERR_INVALID_CHANNEL.
fn adopt_clients_channel_after_power_cycle(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    let stranger = device.stranger()?;
    device.owner.power_cycle()?;
    let answer = stranger.transact(device.owner.cid, HidCommand::Ping, b"adopted")?;
    let outcome = match answer {
        Answer::Reply(_) => Outcome::Accepted("the stranger adopted the client's channel".to_owned()),
        Answer::Error(_) => Outcome::Refused(answer.refusal()),
    };
    unless_changed(device, &before, outcome)
}

/// CTAP 2.1 §11.2.9.1.5: CANCEL aborts the request of its own channel; on another's channel
/// it is ERR_INVALID_CHANNEL, and the client's request ends as it would have (its user never
/// came: CTAP2_ERR_USER_ACTION_TIMEOUT), not CTAP2_ERR_KEEPALIVE_CANCEL.
fn cancel_clients_request(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    let stranger = device.stranger()?;
    device.owner.send(device.owner.cid, HidCommand::Cbor, &[SELECTION])?;
    std::thread::sleep(Duration::from_millis(50));
    stranger.send(device.owner.cid, HidCommand::Cancel, &[])?;
    let refusal = match stranger.receive()? {
        Some(message) if message.command == HidCommand::Error.code() => {
            Answer::Error(message.payload.first().copied().unwrap_or(0)).refusal()
        }
        Some(message) => format!("command {:#04x}", message.command),
        None => "no answer".to_owned(),
    };
    let answer =
        device.owner.receive()?.ok_or_else(|| anyhow::anyhow!("the client's request got no answer"))?;
    let outcome = match answer.payload.first() {
        Some(&KEEPALIVE_CANCEL) => Outcome::Accepted("the client's request was cancelled".to_owned()),
        _ => Outcome::Refused(refusal),
    };
    unless_changed(device, &before, outcome)
}

/// CTAP 2.1 §11.2.9.1.3: INIT on an allocated channel resynchronises it, abandoning its
/// transaction; only its owner may (§11.2.3).
fn init_resyncs_clients_channel(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    let stranger = device.stranger()?;
    let answer = stranger.init_on(device.owner.cid)?;
    let outcome = match answer {
        Answer::Reply(_) => Outcome::Accepted("the client's channel was resynchronised".to_owned()),
        Answer::Error(_) => Outcome::Refused(answer.refusal()),
    };
    unless_changed(device, &before, outcome)
}

/// CTAP 2.1 §11.2.3: each client allocates its own channel. A sender that allocates channels
/// in a loop may only recycle its own: the client's channel keeps working. (Allocations
/// from many sockets, each a new client, still take the least recently used channels.)
fn init_flood_evicts_clients_channel(device: &Device) -> anyhow::Result<Outcome> {
    let before = device.holdings()?;
    let stranger = device.stranger()?;
    for _ in 0..FLOOD_LEN {
        stranger.allocate()?;
    }
    let outcome = match device.owner.ping()? {
        Answer::Reply(_) => Outcome::Refused("hid:channel_kept".to_owned()),
        answer @ Answer::Error(_) => {
            Outcome::Accepted(format!("the client's channel is gone: {}", answer.refusal()))
        }
    };
    unless_changed(device, &before, outcome)
}

/// CTAP 2.1 §11.2.9.1.3 leaves the CID to the device; predictable ones would let a stranger
/// aim at the next client's channel before it is used.
fn predictable_channel_ids(device: &Device) -> anyhow::Result<Outcome> {
    let stranger = device.stranger()?;
    let ids = (0..SAMPLED_CHANNELS).map(|_| stranger.allocate()).collect::<anyhow::Result<Vec<u32>>>()?;
    let steps: Vec<u32> = ids.windows(2).map(|pair| pair[1].wrapping_sub(pair[0])).collect();
    Ok(if steps.windows(2).all(|pair| pair[0] == pair[1]) {
        Outcome::Accepted(format!("channel IDs in steps of {:#x}: {ids:08x?}", steps[0]))
    } else {
        Outcome::Refused("hid:unpredictable_channel_ids".to_owned())
    })
}

/// The state holds the master key and the PIN's verifier: mode 0600, and no other file
/// in its directory readable by others.
fn state_file_readable_by_others(device: &Device) -> anyhow::Result<Outcome> {
    let dir = device.daemon.state_path.parent().ok_or_else(|| anyhow::anyhow!("no state directory"))?;
    let mut open = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let mode = entry.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            open.push(format!("{} has mode {mode:o}", entry.file_name().to_string_lossy()));
        }
    }
    anyhow::ensure!(device.daemon.state_path.exists(), "no state file was written");
    Ok(if open.is_empty() {
        Outcome::Refused("fs:owner_only".to_owned())
    } else {
        Outcome::Accepted(open.join("; "))
    })
}

/// A symlink at a name the store might write first must not be followed: the file it points
/// to stays as it was, the links stay links, and the state file is a regular file.
fn symlink_at_temporary_name(device: &Device) -> anyhow::Result<Outcome> {
    const CONTENT: &[u8] = b"the victim's file\n";
    let before = device.holdings()?;
    let elsewhere = tempfile::tempdir()?;
    let victim = elsewhere.path().join("victim");
    fs::write(&victim, CONTENT)?;
    let state = &device.daemon.state_path;
    let dir = state.parent().ok_or_else(|| anyhow::anyhow!("no state directory"))?;
    let name = daemon::STATE_FILE;
    let planted: Vec<_> =
        [format!(".{name}.tmp"), format!("{name}.tmp"), format!(".{name}.swp"), format!("{name}.new")]
            .into_iter()
            .map(|n| dir.join(n))
            .collect();
    for link in &planted {
        std::os::unix::fs::symlink(&victim, link)?;
    }
    // A registration writes the state.
    device.register()?;
    let mut followed = Vec::new();
    if fs::read(&victim)? != CONTENT {
        followed.push("the victim's file was overwritten".to_owned());
    }
    if planted.iter().any(|link| !fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink())) {
        followed.push("a planted link was replaced".to_owned());
    }
    if !fs::symlink_metadata(state)?.file_type().is_file() {
        followed.push("the state file is not a regular file".to_owned());
    }
    let outcome = if followed.is_empty() {
        Outcome::Refused("fs:symlink_not_followed".to_owned())
    } else {
        Outcome::Accepted(followed.join("; "))
    };
    // The registration added a credential: only the PIN and the first credential are compared.
    unless_changed(device, &before, outcome)
}
