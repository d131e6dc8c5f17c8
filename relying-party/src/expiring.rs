//! Short-lived server-side state under unguessable keys: browser sessions, authorization
//! requests waiting for a sign-in, WebAuthn ceremony states. Time is passed in.

use std::collections::HashMap;
use std::sync::Mutex;

use base64ct::{Base64UrlUnpadded, Encoding};

/// A map whose entries expire, keyed by 256-bit random identifiers.
#[derive(Debug)]
pub struct ExpiringMap<V> {
    entries: Mutex<Entries<V>>,
    ttl_seconds: u64,
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
    /// An empty map whose entries live `ttl_seconds`.
    pub fn new(ttl_seconds: u64) -> Self {
        Self { entries: Mutex::new(Entries { map: HashMap::new(), purged_at: 0 }), ttl_seconds }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `value` under a fresh random key, returned; expired entries are purged at most
    /// once per [`PURGE_INTERVAL_SECONDS`].
    pub fn insert(&self, value: V, now: u64) -> String {
        let key = Base64UrlUnpadded::encode_string(&rand::random::<[u8; 32]>());
        let mut entries = self.lock();
        if now >= entries.purged_at.saturating_add(PURGE_INTERVAL_SECONDS) {
            entries.map.retain(|_, (_, expires)| *expires > now);
            entries.purged_at = now;
        }
        entries.map.insert(key.clone(), (value, now + self.ttl_seconds));
        key
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
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_take_is_single_use() {
        let map = ExpiringMap::new(10);
        let key = map.insert("v", 100);
        assert_eq!(key.len(), 43);
        assert_eq!(map.get(&key, 105), Some("v"));
        assert_eq!(map.get(&key, 110), None);
        let key = map.insert("w", 100);
        assert_eq!(map.take(&key, 101), Some("w"));
        assert_eq!(map.take(&key, 101), None);
        assert_eq!(map.get("unknown", 100), None);
    }

    #[test]
    fn expired_entries_are_purged_once_a_minute() {
        let map = ExpiringMap::new(10);
        let old = map.insert("old", 100);
        let _ = map.insert("young", 105);
        assert_eq!(map.len(), 2);
        // Expired at 110, but the last sweep (at 100) is less than a minute ago: kept, never served.
        let _ = map.insert("new", 130);
        assert_eq!(map.len(), 3);
        assert_eq!(map.get(&old, 130), None);
        // A minute after the last sweep, the next insert sweeps.
        let live = map.insert("newest", 160);
        assert_eq!(map.len(), 1);
        assert_eq!(map.get(&live, 160), Some("newest"));
    }

    #[test]
    fn replace_only_touches_live_entries() {
        let map = ExpiringMap::new(10);
        let key = map.insert(1, 100);
        assert!(map.replace(&key, 2, 101));
        assert_eq!(map.get(&key, 101), Some(2));
        assert!(!map.replace(&key, 3, 200));
        assert!(!map.replace("unknown", 3, 100));
    }
}
