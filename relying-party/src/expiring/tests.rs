use super::*;

#[test]
fn entries_expire_and_take_is_single_use() {
    let map = ExpiringMap::new(10, 100);
    let key = map.insert("v", 100).expect("room");
    assert_eq!(key.len(), 43);
    assert_eq!(map.get(&key, 105), Some("v"));
    assert_eq!(map.get(&key, 110), None);
    let key = map.insert("w", 100).expect("room");
    assert_eq!(map.take(&key, 101), Some("w"));
    assert_eq!(map.take(&key, 101), None);
    assert_eq!(map.get("unknown", 100), None);
}

#[test]
fn expired_entries_are_purged_once_a_minute() {
    let map = ExpiringMap::new(10, 100);
    let old = map.insert("old", 100).expect("room");
    let _ = map.insert("young", 105).expect("room");
    assert_eq!(map.len(), 2);
    // Expired at 110, but the last sweep (at 100) is less than a minute ago: kept, never served.
    let _ = map.insert("new", 130).expect("room");
    assert_eq!(map.len(), 3);
    assert_eq!(map.get(&old, 130), None);
    // A minute after the last sweep, the next insert sweeps.
    let live = map.insert("newest", 160).expect("room");
    assert_eq!(map.len(), 1);
    assert_eq!(map.get(&live, 160), Some("newest"));
}

#[test]
fn replace_only_touches_live_entries() {
    let map = ExpiringMap::new(10, 100);
    let key = map.insert(1, 100).expect("room");
    assert!(map.replace(&key, 2, 101));
    assert_eq!(map.get(&key, 101), Some(2));
    assert!(!map.replace(&key, 3, 200));
    assert!(!map.replace("unknown", 3, 100));
}

#[test]
fn a_full_map_refuses_until_an_entry_expires_and_never_evicts_a_live_one() {
    let map = ExpiringMap::new(10, 2);
    let first = map.insert("first", 100).expect("room");
    let second = map.insert("second", 105).expect("room");
    assert_eq!(map.insert("third", 106), Err(MapFull { retry_after_seconds: 4 }));
    assert_eq!(map.get(&first, 106), Some("first"));
    assert_eq!(map.get(&second, 106), Some("second"));
    // Once the first expires, its place is free at once (no waiting for the periodic sweep).
    let third = map.insert("third", 110).expect("room after an expiry");
    assert_eq!(map.len(), 2);
    assert_eq!(map.get(&third, 110), Some("third"));
    assert_eq!(map.get(&second, 110), Some("second"));
}
