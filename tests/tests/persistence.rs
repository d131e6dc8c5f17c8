//! A restart with a state file keeps discoverable credentials and counters; a power cycle keeps
//! them too but drops volatile state.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use ciborium::Value;
use softfido_authenticator::config::{CounterMode, Profile};
use softfido_authenticator::store::FileStore;
use softfido_authenticator::{Authenticator, Config, Signals};

const RP_ID: &str = "persist.example";

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn encode(command: u8, map: Vec<(Value, Value)>) -> Vec<u8> {
    let mut out = vec![command];
    ciborium::ser::into_writer(&Value::Map(map), &mut out).unwrap();
    out
}

fn make_discoverable_credential(user: u8) -> Vec<u8> {
    encode(
        0x01,
        vec![
            (int(1), Value::Bytes(vec![1; 32])),
            (int(2), Value::Map(vec![(text("id"), text(RP_ID))])),
            (int(3), Value::Map(vec![(text("id"), Value::Bytes(vec![user])), (text("name"), text("user"))])),
            (
                int(4),
                Value::Array(vec![Value::Map(vec![
                    (text("alg"), int(-7)),
                    (text("type"), text("public-key")),
                ])]),
            ),
            (int(7), Value::Map(vec![(text("rk"), Value::Bool(true))])),
        ],
    )
}

fn discoverable_get_assertion() -> Vec<u8> {
    encode(0x02, vec![(int(1), text(RP_ID)), (int(2), Value::Bytes(vec![2; 32]))])
}

fn body(response: &[u8]) -> Value {
    assert_eq!(response[0], 0, "status 0x{:02x}", response[0]);
    ciborium::de::from_reader(&response[1..]).unwrap()
}

fn field(map: &Value, key: i64) -> &Value {
    map.as_map().unwrap().iter().find(|(k, _)| k.as_integer() == Some(key.into())).map(|(_, v)| v).unwrap()
}

fn counter(assertion: &Value) -> u32 {
    let auth_data = field(assertion, 2).as_bytes().unwrap();
    u32::from_be_bytes(auth_data[33..37].try_into().unwrap())
}

fn config() -> Config {
    Config { counter: CounterMode::PerCredential, ..Profile::SoftwareToken.config() }
}

#[test]
fn a_restart_keeps_credentials_and_counters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let signals = Signals::new();
    {
        let mut auth = Authenticator::new(config(), FileStore::new(&path)).unwrap();
        body(&auth.process(&make_discoverable_credential(1), &signals));
        body(&auth.process(&make_discoverable_credential(2), &signals));
        for expected in 1..=2 {
            let assertion = body(&auth.process(&discoverable_get_assertion(), &signals));
            assert_eq!(counter(&assertion), expected);
        }
    }
    let mut auth = Authenticator::new(config(), FileStore::new(&path)).unwrap();
    let assertion = body(&auth.process(&discoverable_get_assertion(), &signals));
    assert_eq!(field(&assertion, 5), &int(2), "both discoverable credentials survive");
    assert_eq!(counter(&assertion), 3, "the counter continues");
}

#[test]
fn a_power_cycle_keeps_credentials_but_ends_get_next_assertion() {
    let dir = tempfile::tempdir().unwrap();
    let mut auth = Authenticator::new(config(), FileStore::new(dir.path().join("state.json"))).unwrap();
    let signals = Signals::new();
    body(&auth.process(&make_discoverable_credential(1), &signals));
    body(&auth.process(&make_discoverable_credential(2), &signals));
    body(&auth.process(&discoverable_get_assertion(), &signals));
    auth.power_cycle();
    assert_eq!(auth.process(&[0x08], &signals), vec![0x30], "CTAP2_ERR_NOT_ALLOWED after a power cycle");
    let assertion = body(&auth.process(&discoverable_get_assertion(), &signals));
    assert_eq!(field(&assertion, 5), &int(2));
}

#[test]
fn a_corrupt_state_file_refuses_to_start_rather_than_erase() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{\"version\": 1, \"master_key\": \"zz\"").unwrap();
    assert!(Authenticator::new(config(), FileStore::new(&path)).is_err());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"version\": 1, \"master_key\": \"zz\"",
        "the file is left alone"
    );
}

/// getInfo's `options.clientPin` (CTAP 2.1 §6.4: true once a PIN is set).
fn client_pin_is_set(auth: &mut Authenticator, signals: &Signals) -> bool {
    let info = body(&auth.process(&[0x04], signals));
    let options = field(&info, 4).as_map().unwrap();
    let (_, value) = options.iter().find(|(key, _)| key.as_text() == Some("clientPin")).unwrap();
    value.as_bool().unwrap()
}

#[test]
fn a_reset_device_stays_without_a_pin_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let signals = Signals::new();
    let security_key = Profile::SecurityKey.config();
    {
        let mut auth = Authenticator::new(security_key.clone(), FileStore::new(&path)).unwrap();
        assert!(client_pin_is_set(&mut auth, &signals), "a brand-new device gets the default PIN");
        assert_eq!(auth.process(&[0x07], &signals), vec![0x00], "authenticatorReset");
        assert!(!client_pin_is_set(&mut auth, &signals));
    }
    let mut auth = Authenticator::new(security_key, FileStore::new(&path)).unwrap();
    assert!(!client_pin_is_set(&mut auth, &signals), "the reset device has no PIN after a restart");
}
