use super::super::tests::{NOW, credential, grant, par_params, registered, store};

#[test]
fn an_empty_store_counts_nothing() {
    let census = store().census().unwrap();
    assert_eq!(
        (
            census.users,
            census.credentials,
            census.authorization_codes,
            census.access_tokens,
            census.pushed_requests
        ),
        (0, 0, 0, 0, 0)
    );
}

#[test]
fn each_grant_is_counted_and_a_credential_use_changes_the_digest() {
    let mut store = store();
    let before = store.census().unwrap();
    let user = store.create_user("alice", None).unwrap();
    store.add_credential(credential(&user.id, b"cred-1")).unwrap();
    let registered_census = store.census().unwrap();
    assert_eq!((registered_census.users, registered_census.credentials), (1, 1));
    assert_ne!(registered_census.credentials_digest, before.credentials_digest);

    // A sign-in updates the record and its last use: the digest moves, the count does not.
    store.update_credential(b"cred-1", registered(), NOW).unwrap();
    let used = store.census().unwrap();
    assert_eq!(used.credentials, 1);
    assert_ne!(used.credentials_digest, registered_census.credentials_digest);
    assert_eq!(store.census().unwrap(), used, "a census is a read");

    store.insert_code("code-1", &grant("client-a"), NOW + 60).unwrap();
    store.insert_par("uri-1", "client-a", &par_params(&[]), NOW + 60).unwrap();
    let issued = store.census().unwrap();
    assert_eq!((issued.authorization_codes, issued.redeemed_codes, issued.pushed_requests), (1, 0, 1));
    store.redeem_code("code-1", NOW).unwrap();
    store.take_par("uri-1", "client-a", NOW).unwrap();
    let spent = store.census().unwrap();
    assert_eq!((spent.redeemed_codes, spent.used_pushed_requests), (1, 1));
}

#[test]
fn an_account_change_and_a_credential_moved_between_accounts_change_the_digests() {
    let mut store = store();
    let alice = store.create_user("alice", None).unwrap();
    let bob = store.create_user("bob", None).unwrap();
    store.add_credential(credential(&alice.id, b"cred-1")).unwrap();
    let owned_by_alice = store.census().unwrap();

    store.set_password_hash(&alice.id, "a new hash").unwrap();
    let with_password = store.census().unwrap();
    assert_eq!(with_password.users, owned_by_alice.users);
    assert_ne!(with_password.users_digest, owned_by_alice.users_digest, "a password set is seen");

    // The same credential ID and record, under another account.
    store.delete_credential(&alice.id, b"cred-1").unwrap();
    store.add_credential(credential(&bob.id, b"cred-1")).unwrap();
    let owned_by_bob = store.census().unwrap();
    assert_eq!(owned_by_bob.credentials, 1);
    assert_ne!(owned_by_bob.credentials_digest, owned_by_alice.credentials_digest, "its owner is part of it");
}
