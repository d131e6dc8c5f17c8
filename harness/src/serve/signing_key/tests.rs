use std::os::unix::fs::PermissionsExt;

use super::*;

#[test]
fn the_signing_key_survives_a_restart_in_a_private_file() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("idp.db.signing-key");
    let first = load_or_create(&path).expect("created");
    let mode = std::fs::metadata(&path).expect("metadata").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = load_or_create(&path).expect("loaded");
    assert_eq!(first.verifying_key(), again.verifying_key(), "the same key after a restart");
    let leftovers = std::fs::read_dir(dir.path()).expect("listing").count();
    assert_eq!(leftovers, 1, "no temporary file left behind");
}

#[test]
fn a_symbolic_link_in_place_of_the_key_is_refused() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let target = dir.path().join("elsewhere");
    std::fs::write(&target, b"not a key").expect("target");
    let link = dir.path().join("key");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    assert!(load_or_create(&link).is_err());
    assert_eq!(std::fs::read(&target).expect("target"), b"not a key", "the target is untouched");
}

#[test]
fn an_in_memory_database_keeps_no_key_file() {
    assert_eq!(default_path(":memory:"), None);
    assert_eq!(default_path("idp.db"), Some(PathBuf::from("idp.db.signing-key")));
}
