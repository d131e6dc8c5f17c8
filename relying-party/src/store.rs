//! Persistent state of the relying party and OpenID provider, in SQLite.
//!
//! One [`Store`] owns one [`rusqlite::Connection`]. It is `Send` but not `Sync`: callers share it
//! behind a `Mutex`. File databases run in WAL mode with a busy timeout, so a second process (an
//! admin tool, a backup) can read while the server writes; `:memory:` databases serve the tests and
//! the harness. Foreign keys are on for every connection.
//!
//! The schema is created and upgraded in code (the `schema` submodule): `PRAGMA user_version`
//! counts the migrations applied, each migration runs in its own transaction, and a database
//! written by a newer build is refused rather than guessed at.
//!
//! Times are unix seconds (`i64`, SQLite's `INTEGER`). Every time that decides validity (`now`,
//! `expires_at`, `used_at`) is passed in by the caller, so tests control the clock; only the
//! informational `created_at` columns take the database's own clock. Something is expired when
//! `now >= expires_at`.
//!
//! The store takes and returns typed values. Where a column holds a structure (`credential_json`,
//! `grant_json`, `claims_json`, `params_json`) it is JSON encoded and decoded here, and nowhere
//! else; `attestation_json` holds the readable attestation summary shown in passkey management.

mod accounts;
mod census;
mod error;
mod json;
mod oidc;
mod schema;
#[cfg(test)]
mod tests;

use std::time::Duration;

use rusqlite::Connection;

pub use accounts::{NewCredential, StoredCredential, User};
pub use census::Census;
pub use error::StoreError;
pub use oidc::{AccessToken, NewAccessToken, RedeemOutcome};

use error::Context as _;

/// How long a statement waits for another connection's write lock before failing with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The relying party's database: accounts, passkeys and the OpenID provider's short-lived state.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating it if needed) the database file at `path`, switches it to WAL mode and
    /// brings its schema up to date. `":memory:"` opens a private in-memory database instead,
    /// like [`Store::in_memory`].
    pub fn open(path: &str) -> Result<Self, StoreError> {
        if path == ":memory:" {
            return Self::in_memory();
        }
        create_private(path);
        let conn =
            Connection::open(path).map_err(|source| StoreError::Open { path: path.to_owned(), source })?;
        // Before the first statement that needs a lock: another process may hold it briefly.
        conn.busy_timeout(BUSY_TIMEOUT).op("set the busy timeout")?;
        // journal_mode answers with the mode actually in force: some file systems cannot do WAL.
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .op("switch the database to WAL mode")?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal { path: path.to_owned(), mode });
        }
        Self::prepare(conn)
    }

    /// Opens a private, empty in-memory database with the current schema.
    pub fn in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()
            .map_err(|source| StoreError::Open { path: ":memory:".to_owned(), source })?;
        Self::prepare(conn)
    }

    /// The schema version of this database (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        schema::user_version(&self.conn)
    }

    /// Settings that hold per connection, then the migrations.
    fn prepare(mut conn: Connection) -> Result<Self, StoreError> {
        // Must be set outside any transaction, so before migrating.
        conn.pragma_update(None, "foreign_keys", true).op("turn on foreign keys")?;
        schema::migrate(&mut conn)?;
        Ok(Self { conn })
    }
}

/// Creates the database file, if it does not exist, readable and writable by its owner only
/// (mode 0600): it holds password hashes and tokens. SQLite gives its `-wal` and `-shm` files the
/// same mode. A failure here is left to `Connection::open`, which reports it.
fn create_private(path: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
    }
}
