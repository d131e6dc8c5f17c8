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
    /// Stored credentials.
    pub credentials: u64,
    /// SHA-256 over every credential's ID, record (public key, counter, flags) and last use, in ID
    /// order: it changes when a credential is added, altered, used or removed.
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
        let (credentials, credentials_digest) = self.credentials_digest()?;
        Ok(Census {
            users: count("SELECT COUNT(*) FROM users")?,
            credentials,
            credentials_digest,
            authorization_codes: count("SELECT COUNT(*) FROM authorization_codes")?,
            redeemed_codes: count("SELECT COUNT(*) FROM authorization_codes WHERE redeemed_at IS NOT NULL")?,
            access_tokens: count("SELECT COUNT(*) FROM access_tokens")?,
            pushed_requests: count("SELECT COUNT(*) FROM pushed_authorization_requests")?,
            used_pushed_requests: count("SELECT COUNT(*) FROM pushed_authorization_requests WHERE used = 1")?,
        })
    }

    fn credentials_digest(&self) -> Result<(u64, [u8; 32]), StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT credential_id, credential_json, COALESCE(last_used_at, -1) \
                 FROM credentials ORDER BY credential_id",
            )
            .op("read credentials for a census")?;
        let mut rows = statement.query([]).op("read credentials for a census")?;
        let mut digest = Sha256::new();
        let mut count = 0;
        while let Some(row) = rows.next().op("read credentials for a census")? {
            let id: Vec<u8> = row.get(0).op("read a credential ID")?;
            let record: String = row.get(1).op("read a credential record")?;
            let last_used: i64 = row.get(2).op("read a credential's last use")?;
            for part in [id.as_slice(), record.as_bytes()] {
                digest.update(u64::try_from(part.len()).unwrap_or_default().to_be_bytes());
                digest.update(part);
            }
            digest.update(last_used.to_be_bytes());
            count += 1;
        }
        Ok((count, digest.finalize().into()))
    }
}

#[cfg(test)]
mod tests;
