//! The store's one error type, and the helpers that give SQLite's errors their context.

use std::os::raw::c_int;

use rusqlite::ErrorCode;

/// Everything that can go wrong in the [`Store`](super::Store).
///
/// The variants a caller acts on (`UsernameTaken`, `CredentialExists`, `NotFound`, `Duplicate`) are
/// typed; the rest carry the operation that failed and SQLite's own error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be opened or created.
    #[error("cannot open the database {path:?}: {source}")]
    Open {
        /// The path given to [`Store::open`](super::Store::open).
        path: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database file stays in another journal mode than WAL (some file systems cannot do WAL).
    #[error("the database {path:?} cannot use WAL mode: SQLite kept journal_mode={mode}")]
    NoWal {
        /// The path given to [`Store::open`](super::Store::open).
        path: String,
        /// The journal mode SQLite reported instead.
        mode: String,
    },
    /// The database's schema version is not one this build knows: most likely it was written by a
    /// newer softfido. It is refused rather than risk damaging it.
    #[error(
        "the database has schema version {found}, but this build knows versions 0 to {supported}; \
         refusing to open a database from a newer (or unknown) softfido"
    )]
    UnsupportedSchema {
        /// The `PRAGMA user_version` found in the database.
        found: i64,
        /// The newest version this build can migrate to.
        supported: i64,
    },
    /// A schema migration failed; its transaction was rolled back.
    #[error("schema migration to version {version} failed: {source}")]
    Migration {
        /// The version the failed migration would have reached.
        version: i64,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// Another account already has this username (compared case-insensitively).
    #[error("the username {0:?} is already taken")]
    UsernameTaken(String),
    /// A credential with this credential ID is already registered (to this or another account).
    #[error("a credential with this credential ID is already registered")]
    CredentialExists,
    /// A row with this key already exists (authorization code, access token or request URI).
    #[error("this {0} already exists")]
    Duplicate(&'static str),
    /// The user, credential or authorization code does not exist, or the credential belongs to
    /// another user.
    #[error("no such record (or it belongs to another user)")]
    NotFound,
    /// A typed value could not be encoded as, or decoded from, its JSON column.
    #[error("the {what} column holds no valid JSON for its type: {source}")]
    Json {
        /// The column, e.g. "grant_json".
        what: &'static str,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// Any other SQLite failure, with the operation it interrupted.
    #[error("database error while trying to {op}: {source}")]
    Sqlite {
        /// What the store was doing, e.g. "insert a user".
        op: &'static str,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
}

/// Attaches the operation that failed to a SQLite error.
pub(super) trait Context<T> {
    /// Maps a SQLite error to [`StoreError::Sqlite`] naming `op`.
    fn op(self, op: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn op(self, op: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite { op, source })
    }
}

/// The extended result code of a constraint violation (`SQLITE_CONSTRAINT_UNIQUE`, `…_PRIMARYKEY`,
/// `…_FOREIGNKEY`), or `None` for any other error.
pub(super) fn constraint(error: &rusqlite::Error) -> Option<c_int> {
    match error {
        rusqlite::Error::SqliteFailure(failure, _) if failure.code == ErrorCode::ConstraintViolation => {
            Some(failure.extended_code)
        }
        _ => None,
    }
}
