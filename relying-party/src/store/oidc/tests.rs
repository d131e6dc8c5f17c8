//! Redemption that only a successful check spends, and the bounded purge of expired codes and
//! pushed requests.

use super::*;
use crate::oidc::pkce::CodeChallenge;
use crate::policy::{Acr, Amr, AuthContext};

const NOW: i64 = 1_800_000_000;

fn grant() -> Grant {
    let challenge =
        CodeChallenge::from_request(Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), Some("S256"))
            .expect("challenge");
    let context = AuthContext { amr: vec![Amr::Pop, Amr::User], acr: Some(Acr::Phr) };
    Grant::new("client-a", "https://app.example/cb", &challenge, "s", NOW as u64, None, &context)
}

fn rows(store: &Store, table: &str) -> i64 {
    store.conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0)).expect("count")
}

/// RFC 6749 §4.1.3, RFC 7636 §4.6: a redemption its checks refuse leaves the code fresh.
#[test]
fn a_failed_redemption_does_not_spend_the_code() {
    let mut store = Store::in_memory().expect("store");
    store.insert_code("code-1", &grant(), NOW + 60).expect("inserted");
    let refused = store.redeem_code_with("code-1", NOW, |outcome| match outcome {
        RedeemOutcome::Fresh { .. } => Err::<(), _>("wrong verifier"),
        other => panic!("fresh expected, got {other:?}"),
    });
    assert_eq!(refused.expect("store"), Err("wrong verifier"));
    let accepted = store.redeem_code_with("code-1", NOW + 1, |outcome| match outcome {
        RedeemOutcome::Fresh { client_id, .. } => Ok::<_, ()>(client_id),
        other => panic!("still fresh expected, got {other:?}"),
    });
    assert_eq!(accepted.expect("store"), Ok("client-a".to_owned()));
    assert!(matches!(store.redeem_code("code-1", NOW + 2).expect("store"), RedeemOutcome::Replayed { .. }));
}

/// Expired codes and pushed requests are purged, in bounded batches.
#[test]
fn expired_codes_and_pushed_requests_are_purged() {
    let mut store = Store::in_memory().expect("store");
    store.insert_code("expired", &grant(), NOW + 60).expect("inserted");
    store.insert_code("live", &grant(), NOW + 120).expect("inserted");
    let params: Params = [("scope".to_owned(), "openid".to_owned())].into_iter().collect();
    store.insert_par("urn:expired", "client-a", &params, NOW + 60).expect("inserted");
    store.insert_par("urn:live", "client-a", &params, NOW + 120).expect("inserted");
    assert_eq!(store.purge_expired_grants(NOW + 60).expect("purged"), 2);
    assert_eq!(store.redeem_code("expired", NOW + 60).expect("store"), RedeemOutcome::Unknown);
    assert_eq!((rows(&store, "authorization_codes"), rows(&store, "pushed_authorization_requests")), (1, 1));
    assert!(store.take_par("urn:live", "client-a", NOW + 60).expect("store").is_some());

    // One purge deletes at most a batch of each.
    for n in 0..GRANT_PURGE_BATCH + 5 {
        store.insert_code(&format!("old-{n}"), &grant(), NOW + 100).expect("inserted");
    }
    assert_eq!(store.purge_expired_grants(NOW + 100).expect("purged"), GRANT_PURGE_BATCH as usize);
    assert_eq!(store.purge_expired_grants(NOW + 100).expect("purged"), 5);
}

/// A copy of the database gives no usable bearer secret: codes and access tokens are stored as
/// SHA-256 digests (RFC 6819 §5.1.4.1.3), and still work when presented.
#[test]
fn bearer_tokens_in_plaintext_in_the_database() {
    let mut store = Store::in_memory().expect("store");
    store.insert_code("code-secret-1", &grant(), NOW + 60).expect("inserted");
    let claims = UserInfo { acr: None, amr: vec![Amr::Pwd], sub: "sub-1".into() };
    let token = NewAccessToken {
        token: "token-secret-1",
        code: Some("code-secret-1"),
        subject: "sub-1",
        client_id: "client-a",
        claims: &claims,
        expires_at: NOW + 300,
    };
    store.insert_access_token(token).expect("inserted");
    let stored: Vec<String> = store
        .conn
        .prepare(
            "SELECT code FROM authorization_codes UNION ALL SELECT token || ' ' || code FROM access_tokens",
        )
        .and_then(|mut statement| statement.query_map([], |row| row.get(0))?.collect())
        .expect("rows");
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|row| !row.contains("secret")), "{stored:?}");
    assert!(store.access_token("token-secret-1", NOW).expect("store").is_some());
    assert!(matches!(store.redeem_code("code-secret-1", NOW).expect("store"), RedeemOutcome::Fresh { .. }));
    assert_eq!(store.revoke_tokens_of_code("code-secret-1").expect("store"), 1);
}

/// The purge before each issued code reads the expired codes alone, through the expiry index,
/// so its cost does not grow with the live codes the table holds.
#[test]
fn the_purge_of_expired_codes_reads_them_by_expiry() {
    let store = Store::in_memory().expect("store");
    let plan: Vec<String> = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {PURGE_EXPIRED_CODES}"))
        .expect("plan")
        .query_map([NOW], |row| row.get::<_, String>(3))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("plan rows");
    assert!(plan.iter().any(|step| step.contains("USING INDEX authorization_codes_by_expiry")), "{plan:?}");
    assert!(!plan.iter().any(|step| step.starts_with("SCAN")), "{plan:?}");
}
