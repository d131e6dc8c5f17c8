//! Short-lived server-side state under unguessable keys: browser sessions, authorization
//! requests waiting for a sign-in, WebAuthn ceremony states. Time is passed in.
//!
//! Each map holds at most its capacity. When it is full, expired entries are swept out at once;
//! if it is still full the insert is refused ([`MapFull`], answered 503 with `Retry-After`): a
//! live entry, a user's session or ceremony in flight, is never evicted to make room.

use std::collections::HashMap;
use std::sync::Mutex;

use base64ct::{Base64UrlUnpadded, Encoding};

/// A map whose entries expire, keyed by 256-bit random identifiers.
#[derive(Debug)]
pub struct ExpiringMap<V> {
    entries: Mutex<Entries<V>>,
    ttl_seconds: u64,
    capacity: usize,
}

/// The map holds its capacity of live entries: nothing more is taken until some expire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many requests in progress; try again in {retry_after_seconds} s")]
pub struct MapFull {
    /// Seconds until the oldest entry expires and frees a place.
    pub retry_after_seconds: u64,
}

impl From<MapFull> for crate::error::AppError {
    /// RFC 9110 §15.6.4: 503 for a temporary overload.
    fn from(full: MapFull) -> Self {
        Self::BadRequest {
            status: axum::http::StatusCode::SERVICE_UNAVAILABLE,
            code: "temporarily_unavailable",
            message: full.to_string(),
        }
    }
}

/// How often expired entries are swept out. A sweep visits every entry, so sweeping on every
/// insert made inserts O(n) and a busy server quadratic; once a minute keeps each insert O(1)
/// (amortised) while expired entries are never served anyway.
const PURGE_INTERVAL_SECONDS: u64 = 60;

#[derive(Debug)]
struct Entries<V> {
    map: HashMap<String, (V, u64)>,
    purged_at: u64,
}

impl<V> ExpiringMap<V> {
    /// An empty map whose entries live `ttl_seconds`, holding at most `capacity` of them.
    pub fn new(ttl_seconds: u64, capacity: usize) -> Self {
        Self { entries: Mutex::new(Entries { map: HashMap::new(), purged_at: 0 }), ttl_seconds, capacity }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `value` under a fresh random key, returned; expired entries are purged at most
    /// once per `PURGE_INTERVAL_SECONDS`, or at once when the map is full. A map full of live
    /// entries refuses the value.
    pub fn insert(&self, value: V, now: u64) -> Result<String, MapFull> {
        let key = Base64UrlUnpadded::encode_string(&rand::random::<[u8; 32]>());
        self.insert_under(key.clone(), value, now)?;
        Ok(key)
    }

    /// Stores `value` under `key` unless a live entry holds that key already: `Ok(true)` when
    /// stored, `Ok(false)` when the key was taken (a value seen before), as [`ExpiringMap::insert`]
    /// otherwise.
    pub fn insert_if_absent(&self, key: &str, value: V, now: u64) -> Result<bool, MapFull> {
        if self.get_live(key, now) {
            return Ok(false);
        }
        self.insert_under(key.to_owned(), value, now)?;
        Ok(true)
    }

    fn get_live(&self, key: &str, now: u64) -> bool {
        self.lock().map.get(key).is_some_and(|(_, expires)| *expires > now)
    }

    fn insert_under(&self, key: String, value: V, now: u64) -> Result<(), MapFull> {
        let mut entries = self.lock();
        let full = entries.map.len() >= self.capacity;
        if full || now >= entries.purged_at.saturating_add(PURGE_INTERVAL_SECONDS) {
            entries.map.retain(|_, (_, expires)| *expires > now);
            entries.purged_at = now;
        }
        if entries.map.len() >= self.capacity {
            let first_expiry = entries.map.values().map(|(_, expires)| *expires).min().unwrap_or(now);
            return Err(MapFull { retry_after_seconds: first_expiry.saturating_sub(now).max(1) });
        }
        entries.map.insert(key, (value, now + self.ttl_seconds));
        Ok(())
    }

    /// How many entries are held (expired ones not yet purged included).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes and returns the value under `key` (single use), if present and not expired.
    pub fn take(&self, key: &str, now: u64) -> Option<V> {
        self.lock().map.remove(key).filter(|(_, expires)| *expires > now).map(|(value, _)| value)
    }

    /// Replaces the value under an existing, live key.
    pub fn replace(&self, key: &str, value: V, now: u64) -> bool {
        let mut entries = self.lock();
        match entries.map.get_mut(key) {
            Some(entry) if entry.1 > now => {
                entry.0 = value;
                true
            }
            _ => false,
        }
    }
}

impl<V: Clone> ExpiringMap<V> {
    /// The value under `key`, if present and not expired.
    pub fn get(&self, key: &str, now: u64) -> Option<V> {
        self.lock().map.get(key).filter(|(_, expires)| *expires > now).map(|(value, _)| value.clone())
    }
}

#[cfg(test)]
mod tests;
