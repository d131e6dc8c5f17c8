//! One authenticator (the security-key profile: clientPIN with a PIN set, in memory) fed a
//! sequence of CTAP2 requests split from the input, each a two-byte big-endian length followed
//! by that many bytes (command byte + CBOR). Every request must get at least a status byte, and
//! nothing may panic.

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use softfido_authenticator::config::PinHashCost;
use softfido_authenticator::store::{MemoryStore, PersistentState};
use softfido_authenticator::{Authenticator, Config, Profile, Signals};

/// The most requests one input may send, so that one input stays fast.
const MAX_REQUESTS: usize = 16;

fn config() -> Config {
    Config {
        pin_hash_cost: PinHashCost::Minimal,
        reset_window: None,
        presence_timeout: Duration::from_millis(10),
        ..Profile::SecurityKey.config()
    }
}

/// A provisioned device's state, made once: key generation is too slow to repeat per input.
fn provisioned() -> &'static PersistentState {
    static STATE: OnceLock<PersistentState> = OnceLock::new();
    STATE.get_or_init(|| match Authenticator::new(config(), MemoryStore::new()) {
        Ok(authenticator) => authenticator.state().clone(),
        Err(error) => panic!("the security-key profile must start: {error}"),
    })
}

fuzz_target!(|input: &[u8]| {
    let store = MemoryStore::with_state(provisioned().clone());
    let Ok(mut authenticator) = Authenticator::new(config(), store) else {
        panic!("a provisioned state must load");
    };
    let signals = Signals::new();
    let mut rest = input;
    for _ in 0..MAX_REQUESTS {
        let Some((length, tail)) = rest.split_first_chunk::<2>() else { break };
        let length = usize::from(u16::from_be_bytes(*length)).min(tail.len());
        let (request, tail) = tail.split_at(length);
        rest = tail;
        let response = authenticator.process(request, &signals);
        assert!(!response.is_empty(), "a request answered without a status byte");
    }
});
