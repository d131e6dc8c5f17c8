//! Failed password sign-ins, counted per username and per client address, so that guessing is
//! slow (NIST SP 800-63B §5.2.2, "Rate Limiting (Throttling)"): a few free failures, then an
//! exponential back-off that the sign-in answers with 429 and `Retry-After` (RFC 6585 §4).
//!
//! Memory is bounded: each table holds at most [`TRACKED_KEYS`] keys; an entry is forgotten
//! [`FORGET_AFTER_SECONDS`] after its last failure, and when a table is full the entry whose last
//! failure is oldest makes room (an attacker flooding new keys can thus only free the throttle
//! of the stalest key, never grow memory).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// How many keys one table tracks at most.
pub const TRACKED_KEYS: usize = 10_000;
/// An entry's failures are forgotten this long after the last one.
pub const FORGET_AFTER_SECONDS: u64 = 3600;

/// When a key is made to wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Failures allowed before any waiting.
    pub free_failures: u32,
    /// The wait after the last free failure; it doubles with each further failure.
    pub base_backoff_seconds: u64,
    /// The longest wait.
    pub max_backoff_seconds: u64,
}

/// Per username: five guesses, then 30 s, 60 s, … up to 15 minutes.
pub const PER_USERNAME: Limit =
    Limit { free_failures: 5, base_backoff_seconds: 30, max_backoff_seconds: 900 };
/// Per client address: more room, as several users may share an address (NAT, a proxy).
pub const PER_ADDRESS: Limit =
    Limit { free_failures: 20, base_backoff_seconds: 30, max_backoff_seconds: 900 };

impl Limit {
    /// The wait after `failures` failures, if any.
    pub fn backoff_seconds(self, failures: u32) -> Option<u64> {
        let beyond = failures.checked_sub(self.free_failures)?;
        let doubled = self.base_backoff_seconds.saturating_mul(1u64 << beyond.min(32));
        Some(doubled.min(self.max_backoff_seconds))
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last_at: u64,
}

/// One table of failures by key.
#[derive(Debug)]
pub struct FailureTable {
    entries: Mutex<HashMap<String, Failures>>,
    limit: Limit,
    capacity: usize,
}

impl FailureTable {
    /// An empty table waiting by `limit`, holding at most `capacity` keys.
    pub fn new(limit: Limit, capacity: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), limit, capacity: capacity.max(1) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Seconds `key` must still wait before its next attempt, if it must.
    pub fn retry_after(&self, key: &str, now: u64) -> Option<u64> {
        let failures = *self.lock().get(key)?;
        let until = failures.last_at.saturating_add(self.limit.backoff_seconds(failures.count)?);
        (until > now).then(|| until - now)
    }

    /// Counts a failure of `key`.
    pub fn record_failure(&self, key: &str, now: u64) {
        let mut entries = self.lock();
        if !entries.contains_key(key) && entries.len() >= self.capacity {
            entries.retain(|_, failures| failures.last_at.saturating_add(FORGET_AFTER_SECONDS) > now);
            if entries.len() >= self.capacity
                && let Some(stalest) =
                    entries.iter().min_by_key(|(_, failures)| failures.last_at).map(|(key, _)| key.clone())
            {
                entries.remove(&stalest);
            }
        }
        let entry = entries.entry(key.to_owned()).or_insert(Failures { count: 0, last_at: now });
        if entry.last_at.saturating_add(FORGET_AFTER_SECONDS) <= now {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last_at = now;
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub fn clear(&self, key: &str) {
        self.lock().remove(key);
    }

    /// How many keys are tracked.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The two tables of the password sign-in.
#[derive(Debug)]
pub struct PasswordThrottle {
    /// Failures per username (as typed).
    pub by_username: FailureTable,
    /// Failures per client IP address.
    pub by_address: FailureTable,
}

impl Default for PasswordThrottle {
    fn default() -> Self {
        Self {
            by_username: FailureTable::new(PER_USERNAME, TRACKED_KEYS),
            by_address: FailureTable::new(PER_ADDRESS, TRACKED_KEYS),
        }
    }
}

impl PasswordThrottle {
    /// Seconds until a sign-in as `username` from `address` may be tried, if it must wait.
    pub fn retry_after(&self, username: &str, address: Option<IpAddr>, now: u64) -> Option<u64> {
        let by_address = address.and_then(|ip| self.by_address.retry_after(&ip.to_string(), now));
        self.by_username.retry_after(username, now).max(by_address)
    }

    /// Counts a failed sign-in.
    pub fn record_failure(&self, username: &str, address: Option<IpAddr>, now: u64) {
        self.by_username.record_failure(username, now);
        if let Some(ip) = address {
            self.by_address.record_failure(&ip.to_string(), now);
        }
    }

    /// Forgets the username's failures after its successful sign-in (the address keeps its
    /// count: one success must not reset a guesser trying many names).
    pub fn succeeded(&self, username: &str) {
        self.by_username.clear(username);
    }
}

#[cfg(test)]
mod tests;
