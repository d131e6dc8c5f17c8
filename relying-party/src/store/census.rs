//! A census of what the store holds, for checking that a refused request changed nothing: the
//! number of rows that grant something (accounts, codes, tokens, pushed requests) and a digest of
//! every stored credential with its counter and last use.

use sha2::{Digest, Sha256};

use super::Store;
use super::error::{Context as _, StoreError};

/// What the store grants, counted; two censuses are compared field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Census {
    /// Accounts.
    pub users: u64,
    /// SHA-256 over every account's id, username and password hash, in id order: it changes
    /// when an account is added, renamed, given a password or removed.
    pub users_digest: [u8; 32],
    /// Stored credentials.
    pub credentials: u64,
    /// SHA-256 over every credential's ID, owner, name, record (public key, counter, flags),
    /// attestation and last use, in ID order: it changes when a credential is added, altered,
    /// moved to another account, used or removed.
    pub credentials_digest: [u8; 32],
    /// Authorization codes held (redeemed or not).
    pub authorization_codes: u64,
    /// Authorization codes redeemed.
    pub redeemed_codes: u64,
    /// Access tokens held, revoked or not.
    pub access_tokens: u64,
    /// Pushed authorization requests held.
    pub pushed_requests: u64,
    /// Pushed authorization requests already used.
    pub used_pushed_requests: u64,
}

impl Store {
    /// Counts what the store holds (see [`Census`]); read under the lock the caller holds.
    pub fn census(&self) -> Result<Census, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            let n: i64 = self.conn.query_row(sql, [], |row| row.get(0)).op("count rows for a census")?;
            Ok(u64::try_from(n).unwrap_or_default())
        };
        let (credentials, credentials_digest) = self.digest(
            "SELECT credential_id, user_id, name, credential_json, attestation_json, \
             CAST(COALESCE(last_used_at, -1) AS TEXT) FROM credentials ORDER BY credential_id",
        )?;
        let (users, users_digest) = self.digest(
            "SELECT CAST(id AS BLOB), username, COALESCE(password_hash, ''), '', '', '' FROM users ORDER BY id",
        )?;
        Ok(Census {
            users,
            users_digest,
            credentials,
            credentials_digest,
            authorization_codes: count("SELECT COUNT(*) FROM authorization_codes")?,
            redeemed_codes: count("SELECT COUNT(*) FROM authorization_codes WHERE redeemed_at IS NOT NULL")?,
            access_tokens: count("SELECT COUNT(*) FROM access_tokens")?,
            pushed_requests: count("SELECT COUNT(*) FROM pushed_authorization_requests")?,
            used_pushed_requests: count("SELECT COUNT(*) FROM pushed_authorization_requests WHERE used = 1")?,
        })
    }

    /// The row count of `sql` (a blob then five text columns) and SHA-256 over its rows, each
    /// column length-prefixed so that no two different rows hash alike.
    fn digest(&self, sql: &str) -> Result<(u64, [u8; 32]), StoreError> {
        let mut statement = self.conn.prepare(sql).op("read rows for a census")?;
        let mut rows = statement.query([]).op("read rows for a census")?;
        let mut digest = Sha256::new();
        let mut count = 0;
        while let Some(row) = rows.next().op("read rows for a census")? {
            let key: Vec<u8> = row.get(0).op("read a census key")?;
            let mut parts = vec![key];
            for column in 1..6 {
                let text: String = row.get(column).op("read a census column")?;
                parts.push(text.into_bytes());
            }
            for part in &parts {
                digest.update(u64::try_from(part.len()).unwrap_or_default().to_be_bytes());
                digest.update(part);
            }
            count += 1;
        }
        Ok((count, digest.finalize().into()))
    }
}

#[cfg(test)]
mod tests;
