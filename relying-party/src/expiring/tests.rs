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
