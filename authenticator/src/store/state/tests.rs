#![allow(clippy::unwrap_used)]

use sha2::{Digest as _, Sha256};

use super::*;

fn left_sha256(pin: &str) -> [u8; 16] {
    Sha256::digest(pin.as_bytes())[..16].try_into().unwrap()
}

#[test]
fn state_file_does_not_give_the_pin_back() {
    let mut state = PersistentState::new();
    state.pin = Some(StoredPin::new(&left_sha256("1234"), 4, PinHashCost::Standard));
    let json = serde_json::to_string(&state).unwrap();
    assert!(!json.contains(&hex::encode(left_sha256("1234"))), "LEFT(SHA-256(PIN), 16) is not stored");
    let again = StoredPin::new(&left_sha256("1234"), 4, PinHashCost::Standard);
    assert_ne!(state.pin.as_ref(), Some(&again), "salted: the same PIN is stored differently");
    let loaded: PersistentState = serde_json::from_str(&json).unwrap();
    let pin = loaded.pin.unwrap();
    assert!(pin.matches(&left_sha256("1234")));
    assert!(!pin.matches(&left_sha256("1235")));
}

#[test]
fn a_state_with_the_former_pin_hash_still_loads() {
    let mut json = serde_json::to_value(PersistentState::new()).unwrap();
    json["pin"] = serde_json::json!({ "hash": hex::encode(left_sha256("1234")), "code_points": 4 });
    let state: PersistentState = serde_json::from_value(json).unwrap();
    let pin = state.pin.unwrap();
    assert!(pin.matches(&left_sha256("1234")));
    assert_eq!(pin.code_points, 4);
}

#[test]
fn a_minimal_cost_pin_records_its_rounds_and_still_matches_after_a_reload() {
    let mut state = PersistentState::new();
    state.pin = Some(StoredPin::new(&left_sha256("1234"), 4, PinHashCost::Minimal));
    let json = serde_json::to_value(&state).unwrap();
    assert_eq!(json["pin"]["rounds"], 1);
    let loaded: PersistentState = serde_json::from_value(json).unwrap();
    let pin = loaded.pin.unwrap();
    assert!(pin.matches(&left_sha256("1234")));
    assert!(!pin.matches(&left_sha256("1235")));
}

#[test]
fn the_standard_cost_is_recorded_with_its_rounds() {
    let pin = StoredPin::new(&left_sha256("1234"), 4, PinHashCost::Standard);
    let json = serde_json::to_value(&pin).unwrap();
    assert_eq!(json["rounds"], PinHashCost::STANDARD_ROUNDS);
}

#[test]
fn per_credential_counters_keep_their_state_file_form() {
    let mut json = serde_json::to_value(PersistentState::new()).unwrap();
    json["credential_counters"] = serde_json::json!({ "ff01": 7, "0a02": 3 });
    let mut state: PersistentState = serde_json::from_value(json).unwrap();
    assert_eq!(state.credential_counters.get("ff01"), Some(&7));
    state.credential_counters.insert("55aa".to_owned(), 1);
    let written = serde_json::to_value(&state).unwrap();
    // A JSON object, keys in order, as the state file has always held them.
    let keys: Vec<&String> = written["credential_counters"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["0a02", "55aa", "ff01"]);
    assert_eq!(written["credential_counters"]["0a02"], 3);
}

#[test]
fn a_copy_of_the_state_does_not_see_counters_advanced_after_it() {
    let mut state = PersistentState::new();
    state.credential_counters.insert("aa".to_owned(), 1);
    let copy = state.clone();
    state.credential_counters.insert("aa".to_owned(), 2);
    state.credential_counters.insert("bb".to_owned(), 1);
    assert_eq!(copy.credential_counters.get("aa"), Some(&1));
    assert_eq!(copy.credential_counters.len(), 1);
}
