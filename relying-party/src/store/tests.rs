use rusqlite::Connection;

use super::schema::{self, MIGRATIONS};
use std::sync::OnceLock;

use softfido_authenticator::Profile;

use super::*;
use crate::oidc::grant::Grant;
use crate::oidc::params::Params;
use crate::oidc::pkce::CodeChallenge;
use crate::oidc::token::UserInfo;
use crate::policy::{Acr, Amr, AuthContext};
use crate::webauthn::test_client::Browser;
use crate::webauthn::tests as webauthn_tests;
use crate::webauthn::{RegisteredCredential, UserVerificationRequirement};

pub(super) const NOW: i64 = 1_800_000_000;

pub(super) fn store() -> Store {
    Store::in_memory().unwrap()
}

/// A credential registered on softfido's software token, made once.
pub(super) fn registered() -> &'static RegisteredCredential {
    static REGISTERED: OnceLock<RegisteredCredential> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        let rp = webauthn_tests::ceremonies(UserVerificationRequirement::Preferred);
        webauthn_tests::register(&rp, &mut Browser::profile(Profile::SoftwareToken))
    })
}

pub(super) fn credential<'a>(user_id: &'a str, credential_id: &'a [u8]) -> NewCredential<'a> {
    NewCredential {
        credential_id,
        user_id,
        name: "YubiKey",
        credential: registered(),
        attestation: "Trusted(packed)",
        discoverable: true,
    }
}

/// What userinfo answers for `sub-1` after a password sign-in.
fn userinfo() -> UserInfo {
    UserInfo { acr: None, amr: vec![Amr::Pwd], sub: "sub-1".into() }
}

fn token<'a>(
    token: &'a str,
    code: Option<&'a str>,
    expires_at: i64,
    claims: &'a UserInfo,
) -> NewAccessToken<'a> {
    NewAccessToken { token, code, subject: "sub-1", client_id: "client-a", claims, expires_at }
}

/// A grant for `client_id` with subject `s`.
pub(super) fn grant(client_id: &str) -> Grant {
    let challenge =
        CodeChallenge::from_request(Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), Some("S256"))
            .unwrap();
    let context = AuthContext { amr: vec![Amr::Pop, Amr::User], acr: Some(Acr::Phr) };
    Grant::new(client_id, "https://app.example/cb", &challenge, "s", NOW as u64, None, &context)
}

/// Authorization request parameters.
pub(super) fn par_params(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The whole schema as SQLite records it, to compare before and after.
fn schema_dump(conn: &Connection) -> Vec<String> {
    let mut statement =
        conn.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").unwrap();
    statement.query_map([], |row| row.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

// ---- opening and migrations ----

#[test]
fn store_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Store>();
}

#[test]
fn in_memory_store_has_latest_schema_and_foreign_keys() {
    let store = store();
    assert_eq!(store.schema_version().unwrap(), schema::supported_version());
    assert_eq!(schema::supported_version(), MIGRATIONS.len() as i64);
    let foreign_keys: bool = store.conn.pragma_query_value(None, "foreign_keys", |row| row.get(0)).unwrap();
    assert!(foreign_keys);
    assert_eq!(Store::open(":memory:").unwrap().schema_version().unwrap(), schema::supported_version());
}

#[test]
fn migrating_twice_is_a_no_op() {
    let mut conn = Connection::open_in_memory().unwrap();
    schema::migrate(&mut conn).unwrap();
    let before = schema_dump(&conn);
    assert!(!before.is_empty());
    schema::migrate(&mut conn).unwrap();
    assert_eq!(schema_dump(&conn), before);
    assert_eq!(schema::user_version(&conn).unwrap(), schema::supported_version());
}

#[test]
fn a_newer_schema_is_refused() {
    let mut conn = Connection::open_in_memory().unwrap();
    let newer = schema::supported_version() + 1;
    conn.pragma_update(None, "user_version", newer).unwrap();
    let error = schema::migrate(&mut conn).unwrap_err();
    assert!(
        matches!(error, StoreError::UnsupportedSchema { found, supported }
            if found == newer && supported == schema::supported_version()),
        "{error:?}"
    );
    assert!(error.to_string().contains("newer"), "{error}");
    // Nothing was created in the refused database.
    assert!(schema_dump(&conn).is_empty());
}

#[test]
fn a_negative_schema_version_is_refused() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "user_version", -1).unwrap();
    assert!(matches!(schema::migrate(&mut conn), Err(StoreError::UnsupportedSchema { found: -1, .. })));
}

#[test]
fn a_failed_migration_rolls_back() {
    let mut conn = Connection::open_in_memory().unwrap();
    // A table in the way makes migration 1 fail part-way.
    conn.execute_batch("CREATE TABLE access_tokens (x INTEGER)").unwrap();
    let error = schema::migrate(&mut conn).unwrap_err();
    assert!(matches!(error, StoreError::Migration { version: 1, .. }), "{error:?}");
    assert_eq!(schema::user_version(&conn).unwrap(), 0);
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'users'", [], |row| row.get(0))
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn a_file_database_uses_wal_and_keeps_data_when_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rp.sqlite3");
    let path = path.to_str().unwrap();
    let user = {
        let mut store = Store::open(path).unwrap();
        let mode: String = store.conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let user = store.create_user("alice", Some("$argon2id$hash")).unwrap();
        store.add_credential(credential(&user.id, b"cred-1")).unwrap();
        store.insert_code("code-1", &grant("client-a"), NOW + 60).unwrap();
        user
    };
    let mut store = Store::open(path).unwrap();
    assert_eq!(store.schema_version().unwrap(), schema::supported_version());
    assert_eq!(store.user_by_name("alice").unwrap(), Some(user.clone()));
    assert_eq!(store.credentials_of(&user.id).unwrap().len(), 1);
    assert!(matches!(store.redeem_code("code-1", NOW).unwrap(), RedeemOutcome::Fresh { .. }));
}

#[test]
fn a_newer_file_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rp.sqlite3");
    let path = path.to_str().unwrap();
    drop(Store::open(path).unwrap());
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "user_version", schema::supported_version() + 5).unwrap();
    drop(conn);
    assert!(matches!(Store::open(path), Err(StoreError::UnsupportedSchema { .. })));
}

#[test]
fn an_unopenable_path_is_an_open_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-dir").join("rp.sqlite3");
    let error = Store::open(path.to_str().unwrap()).unwrap_err();
    assert!(matches!(error, StoreError::Open { .. }), "{error:?}");
}

// ---- users ----

#[test]
fn create_user_and_look_it_up() {
    let mut store = store();
    let user = store.create_user("Alice", Some("$argon2id$hash")).unwrap();
    assert_eq!(user.username, "Alice");
    assert_eq!(user.password_hash.as_deref(), Some("$argon2id$hash"));
    assert!(user.created_at > 1_600_000_000);
    assert_eq!(store.user_by_id(&user.id).unwrap(), Some(user.clone()));
    assert_eq!(store.user_by_name("Alice").unwrap(), Some(user.clone()));
    assert_eq!(store.user_by_name("aLiCe").unwrap(), Some(user));
    assert_eq!(store.user_by_name("bob").unwrap(), None);
    assert_eq!(store.user_by_id("no-such-id").unwrap(), None);
}

#[test]
fn usernames_are_unique_regardless_of_case() {
    let mut store = store();
    store.create_user("alice", None).unwrap();
    for taken in ["alice", "ALICE", "Alice"] {
        let error = store.create_user(taken, Some("hash")).unwrap_err();
        assert!(matches!(&error, StoreError::UsernameTaken(name) if name == taken), "{error:?}");
    }
    store.create_user("alice2", None).unwrap();
}

#[test]
fn user_ids_are_random_uuid_v4_strings() {
    let mut store = store();
    let a = store.create_user("a", None).unwrap().id;
    let b = store.create_user("b", None).unwrap().id;
    assert_ne!(a, b);
    for id in [&a, &b] {
        let groups: Vec<&str> = id.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{id}");
        assert!(groups[2].starts_with('4'), "version 4: {id}");
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "RFC 9562 variant: {id}");
    }
}

#[test]
fn passkey_only_user_gets_a_password_later() {
    let mut store = store();
    let user = store.create_user("carol", None).unwrap();
    assert_eq!(user.password_hash, None);
    store.set_password_hash(&user.id, "$argon2id$new").unwrap();
    assert_eq!(store.user_by_id(&user.id).unwrap().unwrap().password_hash.as_deref(), Some("$argon2id$new"));
    assert!(matches!(store.set_password_hash("no-such-id", "x"), Err(StoreError::NotFound)));
}

// ---- credentials ----

#[test]
fn add_and_list_credentials() {
    let mut store = store();
    let alice = store.create_user("alice", None).unwrap();
    let bob = store.create_user("bob", None).unwrap();
    let first = store.add_credential(credential(&alice.id, b"cred-1")).unwrap();
    assert_eq!(first.credential_id, b"cred-1");
    assert_eq!(first.user_id, alice.id);
    assert_eq!(first.name, "YubiKey");
    assert_eq!(&first.credential, registered());
    assert_eq!(first.attestation, "Trusted(packed)");
    assert!(first.discoverable);
    assert_eq!(first.last_used_at, None);
    let second = store
        .add_credential(NewCredential { discoverable: false, ..credential(&alice.id, b"cred-2") })
        .unwrap();
    assert!(!second.discoverable);
    store.add_credential(credential(&bob.id, b"cred-3")).unwrap();

    assert_eq!(store.credentials_of(&alice.id).unwrap(), [first.clone(), second]);
    assert_eq!(store.credentials_of(&bob.id).unwrap().len(), 1);
    assert_eq!(store.credentials_of("nobody").unwrap(), []);
    assert_eq!(store.credential(b"cred-1").unwrap(), Some(first));
    assert_eq!(store.credential(b"cred-9").unwrap(), None);
}

#[test]
fn a_credential_id_is_registered_once() {
    let mut store = store();
    let alice = store.create_user("alice", None).unwrap();
    let bob = store.create_user("bob", None).unwrap();
    store.add_credential(credential(&alice.id, b"cred-1")).unwrap();
    assert!(matches!(
        store.add_credential(credential(&alice.id, b"cred-1")),
        Err(StoreError::CredentialExists)
    ));
    assert!(matches!(
        store.add_credential(credential(&bob.id, b"cred-1")),
        Err(StoreError::CredentialExists)
    ));
}

#[test]
fn a_credential_needs_an_existing_user() {
    let mut store = store();
    assert!(matches!(store.add_credential(credential("no-such-id", b"cred-1")), Err(StoreError::NotFound)));
}

#[test]
fn update_credential_after_sign_in() {
    let mut store = store();
    let alice = store.create_user("alice", None).unwrap();
    store.add_credential(credential(&alice.id, b"cred-1")).unwrap();
    let mut signed_in = registered().clone();
    signed_in.credential.counter += 1;
    store.update_credential(b"cred-1", &signed_in, NOW).unwrap();
    let updated = store.credential(b"cred-1").unwrap().unwrap();
    assert_eq!(updated.credential, signed_in);
    assert_ne!(&updated.credential, registered());
    assert_eq!(updated.last_used_at, Some(NOW));
    assert!(matches!(store.update_credential(b"cred-9", &signed_in, NOW), Err(StoreError::NotFound)));
}

#[test]
fn only_the_owner_renames_or_deletes_a_credential() {
    let mut store = store();
    let alice = store.create_user("alice", None).unwrap();
    let mallory = store.create_user("mallory", None).unwrap();
    store.add_credential(credential(&alice.id, b"cred-1")).unwrap();

    assert!(matches!(store.rename_credential(&mallory.id, b"cred-1", "mine"), Err(StoreError::NotFound)));
    assert!(matches!(store.rename_credential(&alice.id, b"cred-9", "x"), Err(StoreError::NotFound)));
    store.rename_credential(&alice.id, b"cred-1", "Work key").unwrap();
    assert_eq!(store.credential(b"cred-1").unwrap().unwrap().name, "Work key");

    assert!(matches!(store.delete_credential(&mallory.id, b"cred-1"), Err(StoreError::NotFound)));
    assert!(store.credential(b"cred-1").unwrap().is_some());
    store.delete_credential(&alice.id, b"cred-1").unwrap();
    assert_eq!(store.credential(b"cred-1").unwrap(), None);
    assert!(matches!(store.delete_credential(&alice.id, b"cred-1"), Err(StoreError::NotFound)));
}

#[test]
fn deleting_a_user_deletes_their_credentials() {
    let mut store = store();
    let alice = store.create_user("alice", None).unwrap();
    let bob = store.create_user("bob", None).unwrap();
    store.add_credential(credential(&alice.id, b"cred-1")).unwrap();
    store.add_credential(credential(&alice.id, b"cred-2")).unwrap();
    store.add_credential(credential(&bob.id, b"cred-3")).unwrap();
    store.conn.execute("DELETE FROM users WHERE id = ?1", [&alice.id]).unwrap();
    assert_eq!(store.credentials_of(&alice.id).unwrap(), []);
    assert_eq!(store.credential(b"cred-1").unwrap(), None);
    assert!(store.credential(b"cred-3").unwrap().is_some());
}

// ---- authorization codes and access tokens ----

#[test]
fn a_code_redeems_once_then_is_a_replay() {
    let mut store = store();
    store.insert_code("code-1", &grant("client-a"), NOW + 60).unwrap();
    let client_id = || "client-a".to_owned();
    assert_eq!(
        store.redeem_code("code-1", NOW).unwrap(),
        RedeemOutcome::Fresh { grant: grant("client-a"), client_id: client_id() }
    );
    assert_eq!(
        store.redeem_code("code-1", NOW + 1).unwrap(),
        RedeemOutcome::Replayed { grant: grant("client-a"), client_id: client_id() }
    );
    // A replay stays a replay after expiry: the caller must still revoke.
    assert!(matches!(store.redeem_code("code-1", NOW + 3600).unwrap(), RedeemOutcome::Replayed { .. }));
}

#[test]
fn an_expired_or_unknown_code_does_not_redeem() {
    let mut store = store();
    store.insert_code("code-1", &grant("client-a"), NOW + 60).unwrap();
    assert_eq!(store.redeem_code("code-1", NOW + 60).unwrap(), RedeemOutcome::Expired);
    assert_eq!(store.redeem_code("code-1", NOW + 61).unwrap(), RedeemOutcome::Expired);
    assert_eq!(store.redeem_code("code-2", NOW).unwrap(), RedeemOutcome::Unknown);
    assert!(matches!(
        store.insert_code("code-1", &grant("client-b"), NOW + 60),
        Err(StoreError::Duplicate(_))
    ));
}

#[test]
fn access_tokens_expire_and_are_revoked_with_their_code() {
    let mut store = store();
    let claims = userinfo();
    store.insert_code("code-1", &grant("client-a"), NOW + 60).unwrap();
    store.insert_access_token(token("at-1", Some("code-1"), NOW + 3600, &claims)).unwrap();
    store.insert_access_token(token("at-2", Some("code-1"), NOW + 3600, &claims)).unwrap();
    store.insert_access_token(token("at-3", None, NOW + 3600, &claims)).unwrap();

    let at1 = store.access_token("at-1", NOW).unwrap().unwrap();
    assert_eq!(
        at1,
        AccessToken {
            subject: "sub-1".into(),
            client_id: "client-a".into(),
            claims: userinfo(),
            expires_at: NOW + 3600,
        }
    );
    assert_eq!(store.access_token("at-1", NOW + 3600).unwrap(), None, "expired at expires_at");
    assert_eq!(store.access_token("nope", NOW).unwrap(), None);

    assert_eq!(store.revoke_tokens_of_code("code-1").unwrap(), 2);
    assert_eq!(store.revoke_tokens_of_code("code-1").unwrap(), 0);
    assert_eq!(store.access_token("at-1", NOW).unwrap(), None);
    assert_eq!(store.access_token("at-2", NOW).unwrap(), None);
    assert!(store.access_token("at-3", NOW).unwrap().is_some());
}

#[test]
fn an_access_token_needs_a_known_code_and_a_unique_value() {
    let mut store = store();
    let claims = userinfo();
    assert!(matches!(
        store.insert_access_token(token("at-1", Some("no-code"), NOW, &claims)),
        Err(StoreError::NotFound)
    ));
    store.insert_access_token(token("at-1", None, NOW + 10, &claims)).unwrap();
    assert!(matches!(
        store.insert_access_token(token("at-1", None, NOW + 10, &claims)),
        Err(StoreError::Duplicate(_))
    ));
}

#[test]
fn replay_flow_revokes_what_the_code_issued() {
    let mut store = store();
    let claims = userinfo();
    store.insert_code("code-1", &grant("client-a"), NOW + 60).unwrap();
    assert!(matches!(store.redeem_code("code-1", NOW).unwrap(), RedeemOutcome::Fresh { .. }));
    store.insert_access_token(token("at-1", Some("code-1"), NOW + 3600, &claims)).unwrap();
    match store.redeem_code("code-1", NOW + 5).unwrap() {
        RedeemOutcome::Replayed { .. } => assert_eq!(store.revoke_tokens_of_code("code-1").unwrap(), 1),
        other => panic!("expected a replay, got {other:?}"),
    }
    assert_eq!(store.access_token("at-1", NOW + 6).unwrap(), None);
}

// ---- pushed authorization requests ----

#[test]
fn a_pushed_request_is_taken_once() {
    let mut store = store();
    store
        .insert_par(
            "urn:ietf:params:oauth:request_uri:1",
            "client-a",
            &par_params(&[("scope", "openid")]),
            NOW + 60,
        )
        .unwrap();
    assert_eq!(
        store.take_par("urn:ietf:params:oauth:request_uri:1", "client-a", NOW).unwrap(),
        Some(par_params(&[("scope", "openid")]))
    );
    assert_eq!(store.take_par("urn:ietf:params:oauth:request_uri:1", "client-a", NOW).unwrap(), None);
}

#[test]
fn a_pushed_request_is_bound_to_its_client_and_expires() {
    let mut store = store();
    store.insert_par("uri-1", "client-a", &par_params(&[]), NOW + 60).unwrap();
    store.insert_par("uri-2", "client-a", &par_params(&[]), NOW + 60).unwrap();
    // Another client gets nothing, and does not spend it.
    assert_eq!(store.take_par("uri-1", "client-b", NOW).unwrap(), None);
    assert!(store.take_par("uri-1", "client-a", NOW).unwrap().is_some());
    assert_eq!(store.take_par("uri-2", "client-a", NOW + 60).unwrap(), None, "expired at expires_at");
    assert_eq!(store.take_par("uri-3", "client-a", NOW).unwrap(), None);
    assert!(matches!(
        store.insert_par("uri-1", "client-a", &par_params(&[]), NOW + 60),
        Err(StoreError::Duplicate(_))
    ));
}

// ---- client assertion jti ----

#[test]
fn a_jti_is_fresh_once_per_client_until_it_expires() {
    let mut store = store();
    assert!(store.remember_jti("client-a", "jti-1", NOW + 60, NOW).unwrap());
    assert!(!store.remember_jti("client-a", "jti-1", NOW + 60, NOW + 1).unwrap());
    assert!(store.remember_jti("client-b", "jti-1", NOW + 60, NOW + 1).unwrap(), "jti is per client");
    assert!(store.remember_jti("client-a", "jti-2", NOW + 60, NOW + 1).unwrap());
    // Once expired, the entries are purged (and an assertion with that exp is rejected upstream).
    assert!(store.remember_jti("client-c", "jti-3", NOW + 120, NOW + 60).unwrap());
    let left: i64 =
        store.conn.query_row("SELECT count(*) FROM client_assertion_jtis", [], |row| row.get(0)).unwrap();
    assert_eq!(left, 1);
}

// ---- purging ----

#[test]
fn purge_deletes_only_what_has_expired() {
    let mut store = store();
    let claims = userinfo();
    store.insert_code("spent", &grant("client-a"), NOW + 60).unwrap();
    store.insert_code("unused", &grant("client-a"), NOW + 60).unwrap();
    store.insert_code("live", &grant("client-a"), NOW + 600).unwrap();
    assert!(matches!(store.redeem_code("spent", NOW).unwrap(), RedeemOutcome::Fresh { .. }));
    store.insert_access_token(token("at-short", None, NOW + 30, &claims)).unwrap();
    store.insert_access_token(token("at-long", Some("spent"), NOW + 3600, &claims)).unwrap();
    store.insert_par("uri-old", "client-a", &par_params(&[]), NOW + 60).unwrap();
    store.insert_par("uri-new", "client-a", &par_params(&[]), NOW + 600).unwrap();
    assert!(store.remember_jti("client-a", "jti-old", NOW + 60, NOW).unwrap());

    // At NOW + 100: the unused code, one token, one PAR and the jti are gone; the spent code is kept
    // because a live token refers to it.
    assert_eq!(store.purge_expired(NOW + 100).unwrap(), 4);
    assert!(matches!(store.redeem_code("spent", NOW + 100).unwrap(), RedeemOutcome::Replayed { .. }));
    assert_eq!(store.redeem_code("unused", NOW + 100).unwrap(), RedeemOutcome::Unknown);
    assert!(store.access_token("at-long", NOW + 100).unwrap().is_some());
    assert!(store.take_par("uri-new", "client-a", NOW + 100).unwrap().is_some());

    // Later the long token expires, and the spent code goes with it.
    assert_eq!(store.purge_expired(NOW + 4000).unwrap(), 4);
    assert_eq!(store.redeem_code("spent", NOW + 4000).unwrap(), RedeemOutcome::Unknown);
}

#[cfg(unix)]
#[test]
fn a_new_database_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idp.db");
    let store = Store::open(path.to_str().unwrap()).unwrap();
    drop(store);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
