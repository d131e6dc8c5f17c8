//! authenticatorLargeBlobs (CTAP 2.1 §6.10) and the largeBlobKey extension (§12.3).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};

use super::{MAX_FRAGMENT_LENGTH, MAX_SERIALIZED_LARGE_BLOB_ARRAY, integrity_holds};
use crate::config::Generation;
use crate::ctap2::test_support::*;
use crate::pin::protocol::{PinUvAuthProtocol, authenticate_with_token};
use crate::pin::token::Permissions;
use crate::proto::large_blobs::write_message;
use crate::store::{CredentialStore, PersistentState, empty_large_blob_array};

const LB: u8 = 0x0C;

/// A serialized large-blob array with `contents` and its trailing check (§6.10.3).
fn array_of(contents: &[u8]) -> Vec<u8> {
    let mut array = contents.to_vec();
    array.extend_from_slice(&Sha256::digest(contents)[..16]);
    array
}

fn read(auth: &mut Authenticator, count: u64, offset: u64) -> Result<Vec<u8>, StatusCode> {
    let response = call(auth, LB, Some(MapBuilder::new().insert(1, count).insert(3, offset).build()))?;
    Ok(field(&response, 1).as_bytes().unwrap().clone())
}

/// One fragment, signed with protocol two by `token` when given.
fn fragment(data: &[u8], offset: u64, length: Option<u64>, token: Option<&[u8; 32]>) -> Value {
    let mut map =
        MapBuilder::new().insert(2, Value::Bytes(data.to_vec())).insert(3, offset).insert_opt(4, length);
    if let Some(token) = token {
        let param = authenticate_with_token(PinUvAuthProtocol::Two, token, &write_message(offset, data));
        map = map.insert(5, Value::Bytes(param)).insert(6, 2);
    }
    map.build()
}

fn write(
    auth: &mut Authenticator,
    data: &[u8],
    offset: u64,
    length: Option<u64>,
    token: Option<&[u8; 32]>,
) -> Result<Value, StatusCode> {
    call(auth, LB, Some(fragment(data, offset, length, token)))
}

/// Writes `array` whole in fragments of `size` bytes.
fn write_all(
    auth: &mut Authenticator,
    array: &[u8],
    size: usize,
    token: Option<&[u8; 32]>,
) -> Result<(), StatusCode> {
    let length = Some(array.len() as u64);
    for (index, chunk) in array.chunks(size).enumerate() {
        let offset = (index * size) as u64;
        write(auth, chunk, offset, if offset == 0 { length } else { None }, token)?;
    }
    Ok(())
}

fn with_pin() -> Authenticator {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    auth
}

fn lbw_token(auth: &mut Authenticator) -> [u8; 32] {
    token(auth, PinUvAuthProtocol::Two, "1234", Permissions::LARGE_BLOB_WRITE, None).unwrap()
}

#[test]
fn a_new_device_holds_the_empty_array() {
    let (mut auth, _) = security_key();
    let array = read(&mut auth, 1024, 0).unwrap();
    assert_eq!(array[0], 0x80);
    assert_eq!(array.len(), 17);
    assert_eq!(array, array_of(&[0x80]));
    assert!(integrity_holds(&array));
    assert_eq!(array, empty_large_blob_array());
}

#[test]
fn reads_take_a_window_of_the_array() {
    let (mut auth, _) = security_key();
    assert_eq!(read(&mut auth, 5, 0).unwrap(), array_of(&[0x80])[..5]);
    assert_eq!(read(&mut auth, 5, 15).unwrap(), array_of(&[0x80])[15..]);
    // §6.10.2 step 3: an offset at the end reads nothing; past it is INVALID_PARAMETER.
    assert_eq!(read(&mut auth, 5, 17).unwrap(), Vec::<u8>::new());
    assert_eq!(read(&mut auth, 5, 18), Err(StatusCode::InvalidParameter));
    assert_eq!(read(&mut auth, 5, u64::MAX), Err(StatusCode::InvalidParameter));
}

#[test]
fn a_read_longer_than_a_fragment_is_invalid_length() {
    let (mut auth, _) = security_key();
    assert!(read(&mut auth, MAX_FRAGMENT_LENGTH as u64, 0).is_ok());
    assert_eq!(read(&mut auth, MAX_FRAGMENT_LENGTH as u64 + 1, 0), Err(StatusCode::InvalidLength));
    assert_eq!(read(&mut auth, u64::MAX, 0), Err(StatusCode::InvalidLength));
}

#[test]
fn a_write_in_fragments_replaces_the_array_when_complete() {
    let (mut auth, _) = security_key();
    let array = array_of(&[0x81, 0x43, 1, 2, 3]);
    write(&mut auth, &array[..10], 0, Some(array.len() as u64), None).unwrap();
    // Nothing changes until the last fragment is in.
    assert_eq!(read(&mut auth, 1024, 0).unwrap(), empty_large_blob_array());
    write(&mut auth, &array[10..], 10, None, None).unwrap();
    assert_eq!(read(&mut auth, 1024, 0).unwrap(), array);
    assert_eq!(auth.state().large_blob_array, array);
}

#[test]
fn the_largest_array_fits_and_one_more_byte_is_storage_full() {
    let (mut auth, _) = security_key();
    let array = array_of(&vec![0x42; MAX_SERIALIZED_LARGE_BLOB_ARRAY - 16]);
    write_all(&mut auth, &array, MAX_FRAGMENT_LENGTH, None).unwrap();
    let mut back = Vec::new();
    while back.len() < array.len() {
        back.extend(read(&mut auth, MAX_FRAGMENT_LENGTH as u64, back.len() as u64).unwrap());
    }
    assert_eq!(back, array);
    let too_long = Some(MAX_SERIALIZED_LARGE_BLOB_ARRAY as u64 + 1);
    assert_eq!(write(&mut auth, &[0x80], 0, too_long, None), Err(StatusCode::LargeBlobStorageFull));
}

#[test]
fn the_first_fragment_announces_a_plausible_length() {
    let (mut auth, _) = security_key();
    assert_eq!(write(&mut auth, &[0x80], 0, None, None), Err(StatusCode::InvalidParameter));
    // At least one byte of CBOR and the 16-byte check.
    assert_eq!(write(&mut auth, &[0x80], 0, Some(16), None), Err(StatusCode::InvalidParameter));
    assert_eq!(write(&mut auth, &[0x80], 0, Some(u64::MAX), None), Err(StatusCode::LargeBlobStorageFull));
}

#[test]
fn later_fragments_come_in_order_without_length() {
    let (mut auth, _) = security_key();
    let array = array_of(&[0x80; 20]);
    // No write begun: expectedNextOffset is 0.
    assert_eq!(write(&mut auth, &array[..4], 4, None, None), Err(StatusCode::InvalidSeq));
    write(&mut auth, &array[..4], 0, Some(array.len() as u64), None).unwrap();
    assert_eq!(write(&mut auth, &array[4..8], 4, Some(36), None), Err(StatusCode::InvalidParameter));
    assert_eq!(write(&mut auth, &array[5..8], 5, None, None), Err(StatusCode::InvalidSeq));
    assert_eq!(write(&mut auth, &array[3..8], 3, None, None), Err(StatusCode::InvalidSeq));
    // §6.10.2 step 4.6: nothing past the announced length.
    assert_eq!(write(&mut auth, &[0; 40], 4, None, None), Err(StatusCode::InvalidParameter));
    write(&mut auth, &array[4..], 4, None, None).unwrap();
    assert_eq!(read(&mut auth, 1024, 0).unwrap(), array);
}

#[test]
fn a_fragment_longer_than_the_maximum_is_invalid_length() {
    let (mut auth, _) = security_key();
    let data = vec![0; MAX_FRAGMENT_LENGTH + 1];
    assert_eq!(write(&mut auth, &data, 0, Some(8192), None), Err(StatusCode::InvalidLength));
}

#[test]
fn a_wrong_check_is_integrity_failure_and_changes_nothing() {
    let (mut auth, _) = security_key();
    let mut array = array_of(&[0x81, 0x41, 7]);
    *array.last_mut().unwrap() ^= 1;
    assert_eq!(write_all(&mut auth, &array, 8, None), Err(StatusCode::IntegrityFailure));
    assert_eq!(read(&mut auth, 1024, 0).unwrap(), empty_large_blob_array());
    // The write is over: its next fragment has nowhere to go.
    assert_eq!(write(&mut auth, &[0], array.len() as u64, None, None), Err(StatusCode::InvalidSeq));
}

#[test]
fn a_power_cycle_drops_a_write_in_progress() {
    let (mut auth, _) = security_key();
    let array = array_of(&[0x80; 4]);
    write(&mut auth, &array[..8], 0, Some(array.len() as u64), None).unwrap();
    auth.power_cycle();
    assert_eq!(write(&mut auth, &array[8..], 8, None, None), Err(StatusCode::InvalidSeq));
}

#[test]
fn a_protected_device_wants_a_token_with_lbw() {
    let mut auth = with_pin();
    let array = array_of(&[0x80]);
    let length = Some(array.len() as u64);
    assert_eq!(write(&mut auth, &array, 0, length, None), Err(StatusCode::PuatRequired));
    let no_protocol = || {
        MapBuilder::new()
            .insert(2, Value::Bytes(array.clone()))
            .insert(3, 0)
            .insert(4, array.len() as u64)
            .insert(5, Value::Bytes(vec![0; 32]))
    };
    assert_eq!(call(&mut auth, LB, Some(no_protocol().build())), Err(StatusCode::MissingParameter));
    let bad_protocol = no_protocol().insert(6, 9).build();
    assert_eq!(call(&mut auth, LB, Some(bad_protocol)), Err(StatusCode::InvalidParameter));
    let cm =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::CREDENTIAL_MANAGEMENT, None).unwrap();
    assert_eq!(write(&mut auth, &array, 0, length, Some(&cm)), Err(StatusCode::PinAuthInvalid));
    let lbw = lbw_token(&mut auth);
    assert_eq!(write(&mut auth, &array, 0, length, Some(&[7; 32])), Err(StatusCode::PinAuthInvalid));
    write_all(&mut auth, &array_of(&[0x81, 0x40]), 5, Some(&lbw)).unwrap();
    assert_eq!(read(&mut auth, 64, 0).unwrap(), array_of(&[0x81, 0x40]));
}

#[test]
fn a_param_over_other_contents_is_pin_auth_invalid() {
    let mut auth = with_pin();
    let lbw = lbw_token(&mut auth);
    let array = array_of(&[0x80]);
    let mut request = fragment(&array, 0, Some(17), Some(&lbw));
    if let Value::Map(entries) = &mut request {
        entries[0].1 = Value::Bytes(array_of(&[0x81]));
    }
    assert_eq!(call(&mut auth, LB, Some(request)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn the_param_covers_the_offset() {
    let mut auth = with_pin();
    let lbw = lbw_token(&mut auth);
    let array = array_of(&[0x80; 8]);
    write(&mut auth, &array[..8], 0, Some(array.len() as u64), Some(&lbw)).unwrap();
    // The second fragment signed as if it went at offset 0.
    let param = authenticate_with_token(PinUvAuthProtocol::Two, &lbw, &write_message(0, &array[8..]));
    let request = MapBuilder::new()
        .insert(2, Value::Bytes(array[8..].to_vec()))
        .insert(3, 8)
        .insert(5, Value::Bytes(param))
        .insert(6, 2)
        .build();
    assert_eq!(call(&mut auth, LB, Some(request)), Err(StatusCode::PinAuthInvalid));
    write(&mut auth, &array[8..], 8, None, Some(&lbw)).unwrap();
    assert_eq!(read(&mut auth, 100, 0).unwrap(), array);
}

#[test]
fn enrolled_built_in_uv_or_always_uv_also_want_a_token() {
    let (mut platform, _) = device(fingerprint(true, VerifyOutcome::Match));
    let array = array_of(&[0x80]);
    assert_eq!(write(&mut platform, &array, 0, Some(17), None), Err(StatusCode::PuatRequired));
    // Without a PIN, alwaysUv alone protects the array (§6.10.2 step 4.5).
    let state = PersistentState { always_uv: true, ..PersistentState::new() };
    let mut always_uv = Authenticator::new(unprovisioned(), MemoryStore::with_state(state)).unwrap();
    assert_eq!(write(&mut always_uv, &array, 0, Some(17), None), Err(StatusCode::PuatRequired));
    // Unprotected, the same write goes through.
    let (mut open, _) = security_key();
    write(&mut open, &array, 0, Some(17), None).unwrap();
}

#[test]
fn reads_need_no_token_on_a_protected_device() {
    let mut auth = with_pin();
    assert_eq!(read(&mut auth, 100, 0).unwrap(), empty_large_blob_array());
}

#[test]
fn reset_empties_the_array() {
    let (mut auth, _) = security_key();
    write_all(&mut auth, &array_of(&[0x81, 0x40]), 100, None).unwrap();
    let partial = array_of(&[0x80; 4]);
    write(&mut auth, &partial[..4], 0, Some(partial.len() as u64), None).unwrap();
    call(&mut auth, code::RESET, None).unwrap();
    assert_eq!(read(&mut auth, 100, 0).unwrap(), empty_large_blob_array());
    assert_eq!(write(&mut auth, &partial[4..], 4, None, None), Err(StatusCode::InvalidSeq));
}

#[test]
fn a_failed_commit_keeps_the_old_array() {
    let store = MemoryStore::new();
    let mut auth = Authenticator::new(unprovisioned(), store.clone()).unwrap();
    store.refuse_commits();
    assert_eq!(write_all(&mut auth, &array_of(&[0x81, 0x40]), 100, None), Err(StatusCode::Other));
    assert_eq!(read(&mut auth, 100, 0).unwrap(), empty_large_blob_array());
}

#[test]
fn the_array_survives_a_restart_through_the_store() {
    let store = MemoryStore::new();
    let array = array_of(&[0x81, 0x42, 9, 9]);
    {
        let mut auth = Authenticator::new(unprovisioned(), store.clone()).unwrap();
        write_all(&mut auth, &array, 100, None).unwrap();
    }
    let mut auth = Authenticator::new(unprovisioned(), store.clone()).unwrap();
    assert_eq!(read(&mut auth, 100, 0).unwrap(), array);
}

#[test]
fn a_state_from_before_large_blobs_loads_with_the_empty_array() {
    let state = PersistentState::new();
    let mut json = serde_json::to_value(&state).unwrap();
    json.as_object_mut().unwrap().remove("large_blob_array");
    let old: PersistentState = serde_json::from_value(json).unwrap();
    assert_eq!(old.large_blob_array, empty_large_blob_array());
    let mut store = MemoryStore::with_state(old);
    assert_eq!(store.load().unwrap().unwrap().large_blob_array, empty_large_blob_array());
}

#[test]
fn a_preview_key_has_no_large_blobs() {
    let (mut auth, _) = device(Config { generation: Generation::Ctap21Pre, ..unprovisioned() });
    assert_eq!(read(&mut auth, 10, 0), Err(StatusCode::InvalidCommand));
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert!(!has_field(&info, 0x0B));
    assert!(text_field(field(&info, 4), "largeBlobs").is_none());
}

#[test]
fn get_info_offers_large_blobs() {
    let (mut auth, _) = security_key();
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(field(&info, 0x0B), &Value::from(MAX_SERIALIZED_LARGE_BLOB_ARRAY as u64));
    assert_eq!(text_field(field(&info, 4), "largeBlobs"), Some(&Value::from(true)));
    let extensions = field(&info, 2).as_array().unwrap();
    assert!(extensions.contains(&Value::from("largeBlobKey")));
}

#[test]
fn no_input_panics() {
    let (mut auth, _) = security_key();
    let mut seed = 0x1234_5678_u32;
    for length in 0..400 {
        let mut request = vec![LB];
        for _ in 0..length % 40 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            request.push((seed >> 16) as u8);
        }
        let response = auth.process(&request, &Signals::new());
        assert!(!response.is_empty());
    }
}

mod large_blob_key;
