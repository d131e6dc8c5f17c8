//! Short-lived server-side state under unguessable keys: browser sessions, authorization
//! requests waiting for a sign-in, WebAuthn ceremony states. Time is passed in.

use std::collections::HashMap;
use std::sync::Mutex;

use base64ct::{Base64UrlUnpadded, Encoding};

/// A map whose entries expire, keyed by 256-bit random identifiers.
#[derive(Debug)]
pub struct ExpiringMap<V> {
    entries: Mutex<HashMap<String, (V, u64)>>,
    ttl_seconds: u64,
}

impl<V: Clone> ExpiringMap<V> {
    /// An empty map whose entries live `ttl_seconds`.
    pub fn new(ttl_seconds: u64) -> Self {
        Self { entries: Mutex::new(HashMap::new()), ttl_seconds }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (V, u64)>> {
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores `value` under a fresh random key, returned; expired entries are purged.
    pub fn insert(&self, value: V, now: u64) -> String {
        let key = Base64UrlUnpadded::encode_string(&rand::random::<[u8; 32]>());
        let mut entries = self.lock();
        entries.retain(|_, (_, expires)| *expires > now);
        entries.insert(key.clone(), (value, now + self.ttl_seconds));
        key
    }

    /// The value under `key`, if present and not expired.
    pub fn get(&self, key: &str, now: u64) -> Option<V> {
        self.lock().get(key).filter(|(_, expires)| *expires > now).map(|(value, _)| value.clone())
    }

    /// Removes and returns the value under `key` (single use), if present and not expired.
    pub fn take(&self, key: &str, now: u64) -> Option<V> {
        self.lock().remove(key).filter(|(_, expires)| *expires > now).map(|(value, _)| value)
    }

    /// Replaces the value under an existing, live key.
    pub fn replace(&self, key: &str, value: V, now: u64) -> bool {
        let mut entries = self.lock();
        match entries.get_mut(key) {
            Some(entry) if entry.1 > now => {
                entry.0 = value;
                true
            }
            _ => false,
        }
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
    fn replace_only_touches_live_entries() {
        let map = ExpiringMap::new(10);
        let key = map.insert(1, 100);
        assert!(map.replace(&key, 2, 101));
        assert_eq!(map.get(&key, 101), Some(2));
        assert!(!map.replace(&key, 3, 200));
        assert!(!map.replace("unknown", 3, 100));
    }
}
