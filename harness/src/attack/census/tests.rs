use super::*;

fn census() -> Census {
    Census {
        users: 3,
        users_digest: [5; 32],
        credentials: 2,
        credentials_digest: [7; 32],
        authorization_codes: 5,
        redeemed_codes: 4,
        access_tokens: 4,
        pushed_requests: 1,
        used_pushed_requests: 1,
    }
}

fn checkpoint(census: Census, sessions: usize) -> Checkpoint {
    Checkpoint { census: Some(census), sessions: Some(sessions), views: Vec::new() }
}

#[test]
fn the_same_census_is_no_change() {
    assert!(checkpoint(census(), 2).changes_to(&checkpoint(census(), 2)).is_empty());
}

#[test]
fn every_added_grant_is_a_change() {
    let before = checkpoint(census(), 2);
    let cases = [
        Census { users: 4, ..census() },
        Census { authorization_codes: 6, ..census() },
        Census { redeemed_codes: 5, ..census() },
        Census { access_tokens: 5, ..census() },
        Census { pushed_requests: 2, ..census() },
        Census { used_pushed_requests: 2, ..census() },
        Census { credentials: 3, ..census() },
        Census { credentials_digest: [8; 32], ..census() },
        Census { users_digest: [6; 32], ..census() },
    ];
    for after in cases {
        assert_eq!(before.changes_to(&checkpoint(after, 2)).len(), 1, "{after:?}");
    }
    assert_eq!(before.changes_to(&checkpoint(census(), 3)), vec!["live sessions 2 -> 3".to_owned()]);
}

#[test]
fn removals_are_not_grants() {
    let purged = Census {
        authorization_codes: 1,
        access_tokens: 0,
        pushed_requests: 0,
        used_pushed_requests: 0,
        ..census()
    };
    assert!(checkpoint(census(), 2).changes_to(&checkpoint(purged, 1)).is_empty());
}
