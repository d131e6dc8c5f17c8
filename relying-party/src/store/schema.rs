//! The schema, as an ordered list of migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. A migration, once released, never
//! changes: a new schema is a new entry at the end of [`MIGRATIONS`]. Each runs in its own
//! `IMMEDIATE` transaction together with the version bump, so a crash leaves the database at the
//! previous version, and two processes opening the same file do not both apply it.

use rusqlite::{Connection, TransactionBehavior};

use super::error::{Context as _, StoreError};

/// Migration `i` takes the schema from version `i` to version `i + 1`.
pub(super) const MIGRATIONS: &[&str] =
    &[V1_INITIAL, V2_PASSWORDLESS_BY_AGE, V3_BEARER_SECRETS_AS_DIGESTS, V4_CODES_BY_EXPIRY];

/// Accounts, passkeys, and the OpenID provider's codes, tokens, pushed requests and client
/// assertion IDs. STRICT tables, so a wrongly typed value is an error rather than a silent cast.
const V1_INITIAL: &str = "
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE credentials (
    credential_id    BLOB PRIMARY KEY NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    credential_json  TEXT NOT NULL,
    attestation_json TEXT NOT NULL,
    discoverable     INTEGER NOT NULL CHECK (discoverable IN (0, 1)),
    created_at       INTEGER NOT NULL,
    last_used_at     INTEGER
) STRICT;
CREATE INDEX credentials_by_user ON credentials (user_id);

CREATE TABLE authorization_codes (
    code        TEXT PRIMARY KEY NOT NULL,
    client_id   TEXT NOT NULL,
    grant_json  TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    redeemed_at INTEGER
) STRICT;

CREATE TABLE access_tokens (
    token       TEXT PRIMARY KEY NOT NULL,
    code        TEXT REFERENCES authorization_codes (code),
    subject     TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    claims_json TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;
CREATE INDEX access_tokens_by_code ON access_tokens (code);
CREATE INDEX access_tokens_by_expiry ON access_tokens (expires_at);

CREATE TABLE pushed_authorization_requests (
    request_uri TEXT PRIMARY KEY NOT NULL,
    client_id   TEXT NOT NULL,
    params_json TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used        INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))
) STRICT;
CREATE INDEX pushed_authorization_requests_by_expiry ON pushed_authorization_requests (expires_at);

CREATE TABLE client_assertion_jtis (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti)
) STRICT, WITHOUT ROWID;
CREATE INDEX client_assertion_jtis_by_expiry ON client_assertion_jtis (expires_at);
";

/// Password-less accounts by age, for removing those that never registered a passkey.
const V2_PASSWORDLESS_BY_AGE: &str = "
CREATE INDEX users_without_password_by_age ON users (created_at) WHERE password_hash IS NULL;
";

/// Codes and access tokens are stored as SHA-256 digests from here on; the rows written
/// before held the secrets themselves and are dropped (codes live a minute, tokens five:
/// clients holding one sign in again).
const V3_BEARER_SECRETS_AS_DIGESTS: &str = "
DELETE FROM access_tokens;
DELETE FROM authorization_codes;
";

/// Authorization codes by expiry: the purge that runs before each code is issued finds the
/// expired ones without reading every code the table holds.
const V4_CODES_BY_EXPIRY: &str = "
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);
";

/// The newest schema version this build knows.
pub(super) fn supported_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The database's `PRAGMA user_version`.
pub(super) fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0)).op("read the schema version")
}

/// Applies the migrations the database lacks, one transaction each; refuses a newer database.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let supported = supported_version();
    // One migration per turn; the version is read inside the write transaction so that a
    // concurrent opener that got there first is seen. Each turn raises the version, so this ends.
    loop {
        let tx =
            conn.transaction_with_behavior(TransactionBehavior::Immediate).op("begin a schema migration")?;
        let found = user_version(&tx)?;
        let next = match usize::try_from(found) {
            Ok(applied) if found <= supported => applied,
            _ => return Err(StoreError::UnsupportedSchema { found, supported }),
        };
        let Some(sql) = MIGRATIONS.get(next) else {
            // Up to date; dropping `tx` rolls back a transaction that wrote nothing.
            return Ok(());
        };
        let version = found + 1;
        let fail = |source| StoreError::Migration { version, source };
        tx.execute_batch(sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", version).map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
}
