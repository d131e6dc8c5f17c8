use super::*;

#[test]
fn the_backoff_starts_after_the_free_failures_and_doubles_to_a_cap() {
    assert_eq!(PER_USERNAME.backoff_seconds(4), None);
    assert_eq!(PER_USERNAME.backoff_seconds(5), Some(30));
    assert_eq!(PER_USERNAME.backoff_seconds(6), Some(60));
    assert_eq!(PER_USERNAME.backoff_seconds(100), Some(900));
}

#[test]
fn a_key_waits_only_after_its_free_failures_and_is_forgotten_later() {
    let table = FailureTable::new(PER_USERNAME, 10);
    for _ in 0..4 {
        table.record_failure("alice", 1000);
    }
    assert_eq!(table.retry_after("alice", 1000), None);
    table.record_failure("alice", 1000);
    assert_eq!(table.retry_after("alice", 1010), Some(20));
    assert_eq!(table.retry_after("alice", 1030), None);
    assert_eq!(table.retry_after("bob", 1010), None);
    // Long after, a failure starts a fresh count.
    table.record_failure("alice", 1000 + FORGET_AFTER_SECONDS);
    assert_eq!(table.retry_after("alice", 1000 + FORGET_AFTER_SECONDS), None);
}

#[test]
fn a_full_table_makes_room_by_dropping_the_stalest_key() {
    let table = FailureTable::new(PER_USERNAME, 3);
    for (i, key) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
        table.record_failure(key, 100 + i as u64);
    }
    assert_eq!(table.len(), 3);
    for _ in 0..5 {
        table.record_failure("e", 200);
    }
    assert!(table.retry_after("e", 200).is_some());
}
