#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn missing_file_is_a_new_device() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path().join("state.json"));
    assert_eq!(store.load().unwrap(), None);
}

#[test]
fn commit_then_load_round_trips_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut state = PersistentState::new();
    state.global_counter = 41;
    FileStore::new(&path).commit(&state).unwrap();
    assert_eq!(FileStore::new(&path).load().unwrap(), Some(state));
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
}

#[test]
fn a_stale_temp_file_from_a_crash_does_not_disturb_the_committed_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let state = PersistentState::new();
    FileStore::new(&path).commit(&state).unwrap();
    // A process killed between write and rename leaves a half-written temp file behind.
    fs::write(dir.path().join("state.json.tmp"), b"{\"version\": 1, \"mas").unwrap();
    assert_eq!(FileStore::new(&path).load().unwrap(), Some(state.clone()));
    let mut next = state;
    next.global_counter = 7;
    FileStore::new(&path).commit(&next).unwrap();
    assert_eq!(FileStore::new(&path).load().unwrap(), Some(next));
}

#[test]
fn a_corrupt_file_is_an_error_not_a_silent_reset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    fs::write(&path, b"not json").unwrap();
    assert!(matches!(FileStore::new(&path).load(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn a_commit_into_a_missing_directory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path().join("absent").join("state.json"));
    assert!(matches!(store.commit(&PersistentState::new()), Err(StoreError::Io { .. })));
}

#[test]
fn state_file_is_not_world_readable() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    FileStore::new(&path).commit(&PersistentState::new()).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the state holds the master key: owner-only");
}

#[test]
fn planted_symlink_at_the_old_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let victim = dir.path().join("victim");
    fs::write(&victim, b"untouched").unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("state.json.tmp")).unwrap();
    FileStore::new(&path).commit(&PersistentState::new()).unwrap();
    assert_eq!(fs::read(&victim).unwrap(), b"untouched");
    assert!(FileStore::new(&path).load().unwrap().is_some());
}
