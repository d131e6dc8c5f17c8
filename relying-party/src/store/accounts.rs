//! Accounts and their passkeys.

use rusqlite::{OptionalExtension as _, Row, ffi, params};

use super::Store;
use super::error::{Context as _, StoreError, constraint};
use super::json::{decode, encode};
use crate::webauthn::RegisteredCredential;

/// An account. Its `id` is also the OpenID Connect `sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Random, UUID-shaped, never reused; the OIDC subject identifier.
    pub id: String,
    /// As entered at sign-up; unique regardless of ASCII case.
    pub username: String,
    /// The password hash (PHC string), or `None` for a passkey-only account.
    pub password_hash: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A passkey to register, as [`Store::add_credential`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewCredential<'a> {
    /// The credential ID the authenticator chose.
    pub credential_id: &'a [u8],
    /// The owning account's [`User::id`].
    pub user_id: &'a str,
    /// The label the user sees in passkey management.
    pub name: &'a str,
    /// The verified credential.
    pub credential: &'a RegisteredCredential,
    /// What was verified about the attestation at registration, as the user reads it.
    pub attestation: &'a str,
    /// Whether the credential is discoverable (a resident key), usable without a username.
    pub discoverable: bool,
}

/// A registered passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// The credential ID the authenticator chose.
    pub credential_id: Vec<u8>,
    /// The owning account's [`User::id`].
    pub user_id: String,
    /// The label the user sees in passkey management.
    pub name: String,
    /// The credential, updated after each sign-in (signature counter, backup state).
    pub credential: RegisteredCredential,
    /// What was verified about the attestation at registration, as the user reads it.
    pub attestation: String,
    /// Whether the credential is discoverable (a resident key).
    pub discoverable: bool,
    /// Registration time, unix seconds.
    pub created_at: i64,
    /// The last sign-in with this credential, unix seconds.
    pub last_used_at: Option<i64>,
}

const USER_COLUMNS: &str = "id, username, password_hash, created_at";

const CREDENTIAL_COLUMNS: &str = "credential_id, user_id, name, credential_json, attestation_json, \
     discoverable, created_at, last_used_at";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User { id: row.get(0)?, username: row.get(1)?, password_hash: row.get(2)?, created_at: row.get(3)? })
}

/// A credential row as SQLite holds it: the credential still JSON.
struct CredentialRow {
    credential_id: Vec<u8>,
    user_id: String,
    name: String,
    credential_json: String,
    attestation: String,
    discoverable: bool,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl CredentialRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            credential_id: row.get(0)?,
            user_id: row.get(1)?,
            name: row.get(2)?,
            credential_json: row.get(3)?,
            attestation: row.get(4)?,
            discoverable: row.get(5)?,
            created_at: row.get(6)?,
            last_used_at: row.get(7)?,
        })
    }

    fn decode(self) -> Result<StoredCredential, StoreError> {
        Ok(StoredCredential {
            credential: decode("credential_json", &self.credential_json)?,
            credential_id: self.credential_id,
            user_id: self.user_id,
            name: self.name,
            attestation: self.attestation,
            discoverable: self.discoverable,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

/// A fresh random user ID in UUID version 4 form, e.g. `0d4f6c1e-7a3b-4c55-9e21-8f0a2b3c4d5e`.
fn new_user_id() -> String {
    let random: u128 = rand::random();
    // RFC 9562 §5.4: version 4 in bits 48..52, variant 0b10 in bits 64..66.
    let v = (random & !(0xf << 76) & !(0b11 << 62)) | (0x4 << 76) | (0b10 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        v >> 96,
        (v >> 80) & 0xffff,
        (v >> 64) & 0xffff,
        (v >> 48) & 0xffff,
        v & 0xffff_ffff_ffff
    )
}

/// Zero rows changed means the row was not there (or not this user's).
fn found(changed: usize) -> Result<(), StoreError> {
    if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

impl Store {
    /// Creates an account with a fresh random ID. `password_hash` is `None` for a passkey-only
    /// account. Fails with [`StoreError::UsernameTaken`] when the username exists in any case.
    pub fn create_user(&mut self, username: &str, password_hash: Option<&str>) -> Result<User, StoreError> {
        let sql = format!(
            "INSERT INTO users (id, username, password_hash, created_at) VALUES (?1, ?2, ?3, unixepoch()) \
             RETURNING {USER_COLUMNS}"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement.query_row(params![new_user_id(), username, password_hash], user_from_row)
            })
            .map_err(|error| match constraint(&error) {
                Some(ffi::SQLITE_CONSTRAINT_UNIQUE) => StoreError::UsernameTaken(username.to_owned()),
                _ => StoreError::Sqlite { op: "insert a user", source: error },
            })
    }

    /// Removes the password-less accounts created before `created_before` (seconds since the
    /// epoch) that have no passkey: a sign-up without a password that never finished registering
    /// its first passkey. Returns how many were removed.
    pub fn remove_abandoned_accounts(&mut self, created_before: i64) -> Result<usize, StoreError> {
        self.conn
            .prepare_cached(
                "DELETE FROM users WHERE password_hash IS NULL AND created_at < ?1 \
                 AND NOT EXISTS (SELECT 1 FROM credentials WHERE credentials.user_id = users.id)",
            )
            .and_then(|mut statement| statement.execute([created_before]))
            .op("remove abandoned password-less accounts")
    }

    /// The account with this username, compared case-insensitively.
    pub fn user_by_name(&self, username: &str) -> Result<Option<User>, StoreError> {
        self.conn
            .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"))
            .and_then(|mut statement| statement.query_row([username], user_from_row).optional())
            .op("look up a user by name")
    }

    /// The account with this ID (OIDC `sub`).
    pub fn user_by_id(&self, user_id: &str) -> Result<Option<User>, StoreError> {
        self.conn
            .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))
            .and_then(|mut statement| statement.query_row([user_id], user_from_row).optional())
            .op("look up a user by id")
    }

    /// Sets (or replaces) the account's password hash. [`StoreError::NotFound`] for an unknown user.
    pub fn set_password_hash(&mut self, user_id: &str, password_hash: &str) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", params![user_id, password_hash])
            .op("set a password hash")?;
        found(changed)
    }

    /// Registers a passkey. [`StoreError::CredentialExists`] when the credential ID is already
    /// registered (to anyone); [`StoreError::NotFound`] when the user does not exist.
    pub fn add_credential(&mut self, new: NewCredential<'_>) -> Result<StoredCredential, StoreError> {
        let sql = format!(
            "INSERT INTO credentials (credential_id, user_id, name, credential_json, attestation_json, \
             discoverable, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, unixepoch()) \
             RETURNING {CREDENTIAL_COLUMNS}"
        );
        let credential_json = encode("credential_json", new.credential)?;
        let values = params![
            new.credential_id,
            new.user_id,
            new.name,
            credential_json,
            new.attestation,
            new.discoverable
        ];
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut statement| statement.query_row(values, CredentialRow::read))
            .map_err(|error| match constraint(&error) {
                Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => StoreError::CredentialExists,
                Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => StoreError::NotFound,
                _ => StoreError::Sqlite { op: "insert a credential", source: error },
            })?
            .decode()
    }

    /// The user's passkeys, oldest first.
    pub fn credentials_of(&self, user_id: &str) -> Result<Vec<StoredCredential>, StoreError> {
        let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE user_id = ?1 ORDER BY rowid");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut statement| {
                statement.query_map([user_id], CredentialRow::read)?.collect::<Result<Vec<_>, _>>()
            })
            .op("list a user's credentials")?
            .into_iter()
            .map(CredentialRow::decode)
            .collect()
    }

    /// The passkey with this credential ID, whoever owns it (sign-in with a discoverable
    /// credential learns the user from it).
    pub fn credential(&self, credential_id: &[u8]) -> Result<Option<StoredCredential>, StoreError> {
        self.conn
            .prepare_cached(&format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE credential_id = ?1"))
            .and_then(|mut statement| statement.query_row([credential_id], CredentialRow::read).optional())
            .op("look up a credential")?
            .map(CredentialRow::decode)
            .transpose()
    }

    /// Stores the credential as updated by a sign-in (signature counter, backup state) and records
    /// `used_at` as its last use. [`StoreError::NotFound`] for an unknown credential.
    pub fn update_credential(
        &mut self,
        credential_id: &[u8],
        credential: &RegisteredCredential,
        used_at: i64,
    ) -> Result<(), StoreError> {
        let credential_json = encode("credential_json", credential)?;
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE credentials SET credential_json = ?2, last_used_at = ?3 WHERE credential_id = ?1",
            )
            .and_then(|mut statement| statement.execute(params![credential_id, credential_json, used_at]))
            .op("update a credential")?;
        found(changed)
    }

    /// Renames one of the user's passkeys. [`StoreError::NotFound`] when the credential does not
    /// exist or belongs to another user.
    pub fn rename_credential(
        &mut self,
        user_id: &str,
        credential_id: &[u8],
        name: &str,
    ) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE credentials SET name = ?3 WHERE credential_id = ?2 AND user_id = ?1",
                params![user_id, credential_id, name],
            )
            .op("rename a credential")?;
        found(changed)
    }

    /// Deletes one of the user's passkeys. [`StoreError::NotFound`] when the credential does not
    /// exist or belongs to another user.
    pub fn delete_credential(&mut self, user_id: &str, credential_id: &[u8]) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute(
                "DELETE FROM credentials WHERE credential_id = ?2 AND user_id = ?1",
                params![user_id, credential_id],
            )
            .op("delete a credential")?;
        found(changed)
    }
}
