//! The OpenID provider's short-lived state: authorization codes, access tokens, pushed
//! authorization requests and the `jti`s of client assertions.
//!
//! Codes and access tokens are bearer secrets: the database holds only their SHA-256 digests
//! (RFC 6819 §5.1.4.1.3, §5.1.5.3), so a copy of it lets nobody redeem a code or call
//! userinfo. Callers pass and get the secrets themselves; the digests stay in this module.

use rusqlite::{OptionalExtension as _, Row, TransactionBehavior, ffi, params};
use sha2::{Digest as _, Sha256};

use super::Store;
use super::error::{Context as _, StoreError, constraint};
use super::json::{decode, encode};
use crate::oidc::grant::Grant;
use crate::oidc::params::Params;
use crate::oidc::token::UserInfo;

/// The most expired rows of each kind one [`Store::purge_expired_grants`] deletes (64), so that
/// the purge on the way to an insert does bounded work. The purge statements carry it as a
/// literal and are prepared once per connection (`prepare_cached`), so a purge binds only the
/// current time.
macro_rules! grant_purge_batch {
    () => {
        64
    };
}

/// The batch, as the tests count it.
#[cfg(test)]
const GRANT_PURGE_BATCH: i64 = grant_purge_batch!();

/// What [`Store::redeem_code`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// An unexpired code never redeemed. [`Store::redeem_code_with`] spends it only when the
    /// caller's checks of `client_id`, the redirect URI and PKCE accept the redemption.
    Fresh {
        /// The grant the code stands for, as given to [`Store::insert_code`].
        grant: Grant,
        /// The client the code was issued to.
        client_id: String,
    },
    /// The code was redeemed before. RFC 6749 §4.1.2: deny the request and revoke what the code
    /// issued ([`Store::revoke_tokens_of_code`]). Reported even once the code has expired.
    Replayed {
        /// The grant the code stands for.
        grant: Grant,
        /// The client the code was issued to.
        client_id: String,
    },
    /// The code was never redeemed and has expired.
    Expired,
    /// No such code.
    Unknown,
}

/// An access token to record, as [`Store::insert_access_token`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAccessToken<'a> {
    /// The bearer token.
    pub token: &'a str,
    /// The authorization code it was issued for, so a replay of the code can revoke it.
    pub code: Option<&'a str>,
    /// The user (`sub`).
    pub subject: &'a str,
    /// The client it was issued to.
    pub client_id: &'a str,
    /// What userinfo returns for it.
    pub claims: &'a UserInfo,
    /// Expiry, unix seconds.
    pub expires_at: i64,
}

/// A valid (unexpired, unrevoked) access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// The user (`sub`).
    pub subject: String,
    /// The client it was issued to.
    pub client_id: String,
    /// What userinfo returns for it.
    pub claims: UserInfo,
    /// Expiry, unix seconds.
    pub expires_at: i64,
}

/// An access token row as SQLite holds it: the claims still JSON.
struct AccessTokenRow {
    subject: String,
    client_id: String,
    claims_json: String,
    expires_at: i64,
}

impl AccessTokenRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            subject: row.get(0)?,
            client_id: row.get(1)?,
            claims_json: row.get(2)?,
            expires_at: row.get(3)?,
        })
    }

    fn decode(self) -> Result<AccessToken, StoreError> {
        Ok(AccessToken {
            claims: decode("claims_json", &self.claims_json)?,
            subject: self.subject,
            client_id: self.client_id,
            expires_at: self.expires_at,
        })
    }
}

/// What the database holds for a code or an access token: the hex SHA-256 of the secret.
fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A primary-key clash on insert is [`StoreError::Duplicate`]; anything else keeps its context.
fn duplicate_or(what: &'static str, op: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |error| match constraint(&error) {
        Some(ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => StoreError::Duplicate(what),
        _ => StoreError::Sqlite { op, source: error },
    }
}

/// Deletes up to a batch of authorization codes expired at `?1` that no access token refers to; the
/// expiry index finds them without reading the live codes.
const PURGE_EXPIRED_CODES: &str = concat!(
    "DELETE FROM authorization_codes WHERE code IN \
     (SELECT code FROM authorization_codes WHERE expires_at <= ?1 AND NOT EXISTS \
     (SELECT 1 FROM access_tokens WHERE access_tokens.code = authorization_codes.code) LIMIT ",
    grant_purge_batch!(),
    ")"
);

/// Deletes up to a batch of pushed authorization requests expired at `?1`.
const PURGE_EXPIRED_PUSHED_REQUESTS: &str = concat!(
    "DELETE FROM pushed_authorization_requests WHERE request_uri IN \
     (SELECT request_uri FROM pushed_authorization_requests WHERE expires_at <= ?1 LIMIT ",
    grant_purge_batch!(),
    ")"
);

impl Store {
    /// Records an authorization code for the grant's client, valid until `expires_at`.
    /// [`StoreError::Duplicate`] if the code exists.
    pub fn insert_code(&mut self, code: &str, grant: &Grant, expires_at: i64) -> Result<(), StoreError> {
        let grant_json = encode("grant_json", grant)?;
        let client_id = &grant.client_id;
        self.conn
            .prepare_cached(
                "INSERT INTO authorization_codes (code, client_id, grant_json, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut statement| {
                statement.execute(params![digest(code), client_id, grant_json, expires_at])
            })
            .map(drop)
            .map_err(duplicate_or("authorization code", "insert an authorization code"))
    }

    /// Redeems an authorization code: the first redemption before expiry is
    /// [`RedeemOutcome::Fresh`] and spends the code, in the same transaction that read it; any
    /// later one is [`RedeemOutcome::Replayed`].
    pub fn redeem_code(&mut self, code: &str, now: i64) -> Result<RedeemOutcome, StoreError> {
        self.redeem_code_with(code, now, Ok::<_, std::convert::Infallible>)
            .map(|decision| decision.unwrap_or_else(|never| match never {}))
    }

    /// Redeems an authorization code if `decide` accepts what the store holds under it: `decide`
    /// sees the [`RedeemOutcome`] and the code is spent, in the same transaction that read it,
    /// only when it was [`RedeemOutcome::Fresh`] and `decide` returned `Ok` (RFC 6749 §4.1.3,
    /// RFC 7636 §4.6: a redemption that fails its checks does not spend the code). Returns what
    /// `decide` returned.
    pub fn redeem_code_with<T, E>(
        &mut self,
        code: &str,
        now: i64,
        decide: impl FnOnce(RedeemOutcome) -> Result<T, E>,
    ) -> Result<Result<T, E>, StoreError> {
        let code = digest(code);
        // IMMEDIATE: take the write lock before reading, so two redeemers cannot both see it fresh.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op("begin redeeming an authorization code")?;
        let row = tx
            .prepare_cached(
                "SELECT grant_json, client_id, expires_at, redeemed_at FROM authorization_codes \
                 WHERE code = ?1",
            )
            .and_then(|mut statement| {
                statement
                    .query_row([&code], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, Option<i64>>(3)?,
                        ))
                    })
                    .optional()
            })
            .op("look up an authorization code")?;
        let outcome = match row {
            None => RedeemOutcome::Unknown,
            Some((grant_json, client_id, _, Some(_redeemed_at))) => {
                RedeemOutcome::Replayed { grant: decode("grant_json", &grant_json)?, client_id }
            }
            Some((_, _, expires_at, None)) if now >= expires_at => RedeemOutcome::Expired,
            Some((grant_json, client_id, _, None)) => {
                RedeemOutcome::Fresh { grant: decode("grant_json", &grant_json)?, client_id }
            }
        };
        let fresh = matches!(outcome, RedeemOutcome::Fresh { .. });
        let decision = decide(outcome);
        if fresh && decision.is_ok() {
            tx.prepare_cached("UPDATE authorization_codes SET redeemed_at = ?2 WHERE code = ?1")
                .and_then(|mut statement| statement.execute(params![code, now]))
                .op("mark an authorization code redeemed")?;
        }
        tx.commit().op("commit redeeming an authorization code")?;
        Ok(decision)
    }

    /// Records an access token. [`StoreError::Duplicate`] if the token exists;
    /// [`StoreError::NotFound`] if `code` names no authorization code.
    pub fn insert_access_token(&mut self, new: NewAccessToken<'_>) -> Result<(), StoreError> {
        let claims_json = encode("claims_json", new.claims)?;
        self.conn
            .prepare_cached(
                "INSERT INTO access_tokens (token, code, subject, client_id, claims_json, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    digest(new.token),
                    new.code.map(digest),
                    new.subject,
                    new.client_id,
                    claims_json,
                    new.expires_at
                ])
            })
            .map(drop)
            .map_err(|error| match constraint(&error) {
                Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY) => StoreError::NotFound,
                _ => duplicate_or("access token", "insert an access token")(error),
            })
    }

    /// The access token, if it exists, has not expired at `now` and has not been revoked.
    pub fn access_token(&self, token: &str, now: i64) -> Result<Option<AccessToken>, StoreError> {
        let found = self
            .conn
            .prepare_cached(
                "SELECT subject, client_id, claims_json, expires_at FROM access_tokens \
                 WHERE token = ?1 AND revoked = 0 AND expires_at > ?2",
            )
            .and_then(|mut statement| {
                statement.query_row(params![digest(token), now], AccessTokenRow::read).optional()
            })
            .op("look up an access token")?;
        found.map(AccessTokenRow::decode).transpose()
    }

    /// Revokes every access token issued for this authorization code (a replayed code). Returns
    /// how many were newly revoked.
    pub fn revoke_tokens_of_code(&mut self, code: &str) -> Result<usize, StoreError> {
        self.conn
            .execute("UPDATE access_tokens SET revoked = 1 WHERE code = ?1 AND revoked = 0", [digest(code)])
            .op("revoke the tokens of an authorization code")
    }

    /// Records a pushed authorization request (RFC 9126) under its `request_uri`.
    /// [`StoreError::Duplicate`] if the request URI exists.
    pub fn insert_par(
        &mut self,
        request_uri: &str,
        client_id: &str,
        params: &Params,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let params_json = encode("params_json", params)?;
        self.conn
            .execute(
                "INSERT INTO pushed_authorization_requests (request_uri, client_id, params_json, expires_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![request_uri, client_id, params_json, expires_at],
            )
            .map(drop)
            .map_err(duplicate_or("request URI", "insert a pushed authorization request"))
    }

    /// Takes a pushed authorization request for `client_id`: its parameters the first time, and
    /// `None` ever after, or when it is unknown, expired at `now`, or pushed by another client.
    /// Another client's attempt does not spend it (RFC 9126 §4: the request URI is bound to the
    /// client that pushed it).
    pub fn take_par(
        &mut self,
        request_uri: &str,
        client_id: &str,
        now: i64,
    ) -> Result<Option<Params>, StoreError> {
        // One statement checks and spends, so it is atomic without an explicit transaction.
        let params_json: Option<String> = self
            .conn
            .prepare_cached(
                "UPDATE pushed_authorization_requests SET used = 1 \
                 WHERE request_uri = ?1 AND client_id = ?2 AND used = 0 AND expires_at > ?3 \
                 RETURNING params_json",
            )
            .and_then(|mut statement| {
                statement.query_row(params![request_uri, client_id, now], |row| row.get(0)).optional()
            })
            .op("take a pushed authorization request")?;
        params_json.map(|json| decode("params_json", &json)).transpose()
    }

    /// Remembers the `jti` of a client assertion (RFC 7523 §3 item 7) until `expires_at` (the
    /// assertion's `exp`). `true` when it is fresh; `false` when this client already used it and it
    /// has not expired. Expired entries are purged on the way.
    ///
    /// The caller must already have rejected an assertion that is expired at `now`: its `jti` is
    /// forgotten as soon as it expires.
    pub fn remember_jti(
        &mut self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op("begin remembering a client assertion jti")?;
        tx.execute("DELETE FROM client_assertion_jtis WHERE expires_at <= ?1", [now])
            .op("purge expired client assertion jtis")?;
        let inserted = tx
            .execute(
                "INSERT INTO client_assertion_jtis (client_id, jti, expires_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
                params![client_id, jti, expires_at],
            )
            .op("remember a client assertion jti")?;
        tx.commit().op("commit remembering a client assertion jti")?;
        Ok(inserted == 1)
    }

    /// Deletes up to a batch (64) of expired pushed authorization requests and as many
    /// expired authorization codes that no access token refers to (such a code is useless: a
    /// replay of it finds it [`RedeemOutcome::Unknown`], refused alike, and nothing it issued is
    /// still recorded). The authorization and PAR endpoints call it before each insert, so the
    /// tables do not grow with expired rows. Returns the number of rows deleted.
    pub fn purge_expired_grants(&mut self, now: i64) -> Result<usize, StoreError> {
        const PURGES: [(&str, &str); 2] = [
            ("purge a batch of expired pushed authorization requests", PURGE_EXPIRED_PUSHED_REQUESTS),
            ("purge a batch of expired authorization codes", PURGE_EXPIRED_CODES),
        ];
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op("begin purging expired grants")?;
        let mut deleted = 0;
        for (op, sql) in PURGES {
            deleted += tx.prepare_cached(sql).and_then(|mut statement| statement.execute([now])).op(op)?;
        }
        tx.commit().op("commit purging expired grants")?;
        Ok(deleted)
    }

    /// Deletes what has expired at `now`: pushed requests, client assertion `jti`s, access tokens,
    /// and authorization codes that no remaining access token refers to (a replay of such a code
    /// finds it [`RedeemOutcome::Unknown`], which the token endpoint rejects alike, and nothing it
    /// issued is still valid). Returns the number of rows deleted.
    pub fn purge_expired(&mut self, now: i64) -> Result<usize, StoreError> {
        const PURGES: [(&str, &str); 4] = [
            (
                "purge expired pushed authorization requests",
                "DELETE FROM pushed_authorization_requests WHERE expires_at <= ?1",
            ),
            (
                "purge expired client assertion jtis",
                "DELETE FROM client_assertion_jtis WHERE expires_at <= ?1",
            ),
            ("purge expired access tokens", "DELETE FROM access_tokens WHERE expires_at <= ?1"),
            (
                "purge expired authorization codes",
                "DELETE FROM authorization_codes WHERE expires_at <= ?1 AND NOT EXISTS \
                 (SELECT 1 FROM access_tokens WHERE access_tokens.code = authorization_codes.code)",
            ),
        ];
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op("begin purging expired rows")?;
        let mut deleted = 0;
        for (op, sql) in PURGES {
            deleted += tx.execute(sql, [now]).op(op)?;
        }
        tx.commit().op("commit purging expired rows")?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests;
