//! Throughput of the relying party's share of a passkey sign-in: verifying the assertion and
//! issuing the ID token, next to the raw P-256 operations they cannot avoid, in the same run.
//!
//! Verification needs one ECDSA verify (the assertion signature); issuing needs one ECDSA sign
//! (the ES256 ID token). Assertions come from the softfido authenticator in process (platform
//! profile: built-in fingerprint UV, basic attestation trusted through softfido's metadata), so
//! the evidence and the amr/acr decided from it are the real ones. The ratios printed at the
//! end say how close the RP comes to those crypto-bound limits.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::Generate;
use serde_json::json;
use sha2::{Digest, Sha256};
use softfido_authenticator::config::Model;
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Profile, Signals};
use softfido_rp::evidence::Evidence;
use softfido_rp::metadata::{Metadata, Statement};
use softfido_rp::oidc::id_token::{IdTokenClaims, SigningKeys, TokenTimes};
use softfido_rp::policy::{self, Policy};
use softfido_rp::webauthn::{
    AuthenticationState, Ceremonies, CreationChallengeResponse, Discoverability, PublicKeyCredential,
    RegisterPublicKeyCredential, RegisteredCredential, RequestChallengeResponse, RpConfig, UserIdentity,
    UserVerificationRequirement,
};
use url::Url;

const ORIGIN: &str = "http://localhost:8080";
const USER: UserIdentity<'static> = UserIdentity { id: b"user-alice", name: "alice", display_name: "Alice" };

/// A browser reduced to what these ceremonies need: the platform authenticator has built-in
/// UV, so the `uv` option replaces any clientPIN exchange.
struct Client {
    authenticator: Authenticator,
}

impl Client {
    fn new() -> Self {
        Self { authenticator: Authenticator::new(Profile::Platform.config(), MemoryStore::new()).unwrap() }
    }

    /// navigator.credentials.create().
    fn create(&mut self, options: &CreationChallengeResponse) -> RegisterPublicKeyCredential {
        let options = &options.public_key;
        let client_data = client_data("webauthn.create", &options.challenge);
        let params = options
            .pub_key_cred_params
            .iter()
            .map(|p| Value::Map(vec![(text("alg"), int(p.alg)), (text("type"), text(&p.type_))]))
            .collect();
        let body = self.call(
            0x01,
            vec![
                (int(1), Value::Bytes(Sha256::digest(&client_data).to_vec())),
                (
                    int(2),
                    Value::Map(vec![
                        (text("id"), text(&options.rp.id)),
                        (text("name"), text(&options.rp.name)),
                    ]),
                ),
                (
                    int(3),
                    Value::Map(vec![
                        (text("id"), Value::Bytes(options.user.id.to_vec())),
                        (text("name"), text(&options.user.name)),
                        (text("displayName"), text(&options.user.display_name)),
                    ]),
                ),
                (int(4), Value::Array(params)),
                (int(7), Value::Map(vec![(text("uv"), Value::Bool(true))])),
            ],
        );
        let auth_data = field(&body, 2).as_bytes().unwrap().clone();
        let mut attestation_object = Vec::new();
        let object = Value::Map(vec![
            (text("fmt"), field(&body, 1).clone()),
            (text("attStmt"), field(&body, 3).clone()),
            (text("authData"), Value::Bytes(auth_data.clone())),
        ]);
        ciborium::into_writer(&object, &mut attestation_object).unwrap();
        // authData: rpIdHash(32) flags(1) signCount(4) aaguid(16) idLength(2) id …
        let id_len = usize::from(u16::from_be_bytes([auth_data[53], auth_data[54]]));
        let id = b64(&auth_data[55..55 + id_len]);
        serde_json::from_value(json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&attestation_object),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }))
        .unwrap()
    }

    /// navigator.credentials.get() with UV and the `uvm` extension.
    fn get(&mut self, options: &RequestChallengeResponse) -> PublicKeyCredential {
        let options = &options.public_key;
        let client_data = client_data("webauthn.get", &options.challenge);
        let allow = options
            .allow_credentials
            .iter()
            .map(|c| {
                Value::Map(vec![
                    (text("id"), Value::Bytes(c.id.to_vec())),
                    (text("type"), text("public-key")),
                ])
            })
            .collect();
        let body = self.call(
            0x02,
            vec![
                (int(1), text(&options.rp_id)),
                (int(2), Value::Bytes(Sha256::digest(&client_data).to_vec())),
                (int(3), Value::Array(allow)),
                (int(4), Value::Map(vec![(text("uvm"), Value::Bool(true))])),
                (int(5), Value::Map(vec![(text("uv"), Value::Bool(true))])),
            ],
        );
        let credential = field(&body, 1).as_map().unwrap();
        let id = credential.iter().find(|(k, _)| k.as_text() == Some("id")).unwrap().1.as_bytes().unwrap();
        let user_handle = lookup(&body, 4).map(|user| {
            b64(user
                .as_map()
                .unwrap()
                .iter()
                .find(|(k, _)| k.as_text() == Some("id"))
                .unwrap()
                .1
                .as_bytes()
                .unwrap())
        });
        serde_json::from_value(json!({
            "id": b64(id), "rawId": b64(id), "type": "public-key",
            "response": {
                "authenticatorData": b64(field(&body, 2).as_bytes().unwrap()),
                "clientDataJSON": b64(&client_data),
                "signature": b64(field(&body, 3).as_bytes().unwrap()),
                "userHandle": user_handle,
            },
            "clientExtensionResults": {},
        }))
        .unwrap()
    }

    fn call(&mut self, command: u8, request: Vec<(Value, Value)>) -> Value {
        let mut bytes = vec![command];
        ciborium::into_writer(&Value::Map(request), &mut bytes).unwrap();
        let response = self.authenticator.process(&bytes, &Signals::new());
        assert_eq!(response[0], 0, "CTAP command {command:#04x} succeeds");
        ciborium::from_reader(&response[1..]).unwrap()
    }
}

fn client_data(type_: &str, challenge: &[u8]) -> Vec<u8> {
    json!({"type": type_, "challenge": b64(challenge), "origin": ORIGIN, "crossOrigin": false})
        .to_string()
        .into_bytes()
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn lookup(map: &Value, key: i64) -> Option<&Value> {
    map.as_map().unwrap().iter().find(|(k, _)| *k == int(key)).map(|(_, v)| v)
}

fn field(map: &Value, key: i64) -> &Value {
    lookup(map, key).unwrap()
}

/// An RP at [`ORIGIN`] requiring UV and trusting softfido's metadata, a platform authenticator,
/// and a credential registered on it.
struct SignIn {
    rp: Ceremonies,
    client: Client,
    stored: RegisteredCredential,
    keys: SigningKeys,
}

impl SignIn {
    fn new() -> Self {
        let statements = Model::all().map(|model| {
            Statement::from_json(&softfido_authenticator::metadata::metadata_statement(model)).unwrap()
        });
        let metadata = Metadata::from_statements(statements).unwrap();
        let config = RpConfig {
            user_verification: UserVerificationRequirement::Required,
            ..RpConfig::for_origin(Url::parse(ORIGIN).unwrap())
        };
        let rp = Ceremonies::new(config, metadata).unwrap();
        let mut client = Client::new();
        let (options, state) = rp.start_registration(USER, &[], Discoverability::Discouraged).unwrap();
        let stored = rp.finish_registration(&client.create(&options), state).unwrap();
        let keys = SigningKeys::new(&SigningKey::generate_from_rng(&mut rand::rng())).unwrap();
        Self { rp, client, stored, keys }
    }

    /// A fresh challenge, signed by the authenticator (the untimed part of a sign-in).
    fn assertion(&mut self) -> (PublicKeyCredential, AuthenticationState) {
        let (options, state) = self.rp.start_authentication(std::slice::from_ref(&self.stored)).unwrap();
        (self.client.get(&options), state)
    }

    fn verify(&self, (response, state): (PublicKeyCredential, AuthenticationState)) -> Evidence {
        let verified =
            self.rp.finish_authentication(&response, state, |_| Some(self.stored.clone())).unwrap();
        Evidence { assertion: Some(verified.evidence), password: false }
    }

    /// What the RP does with a fresh assertion: verify it, decide amr/acr, sign the ID token.
    fn verify_and_issue(&self, assertion: (PublicKeyCredential, AuthenticationState)) -> String {
        let evidence = self.verify(assertion);
        let context = policy::auth_context(&evidence, Policy::Rfc8176).unwrap();
        let claims = IdTokenClaims::new(ORIGIN, "user-alice", "app", &context, times(), Some("n-0S6".into()));
        self.keys.sign(&claims).unwrap()
    }
}

fn times() -> TokenTimes {
    TokenTimes { now: 4_000_000_000, auth_time: 3_999_999_990, lifetime_seconds: 300 }
}

/// The claims of a fingerprint sign-in on trusted hardware, as `verify_and_issue` produces them.
fn claims(sign_in: &mut SignIn) -> IdTokenClaims {
    let assertion = sign_in.assertion();
    let context = policy::auth_context(&sign_in.verify(assertion), Policy::Rfc8176).unwrap();
    assert_eq!(context.amr_strings(), ["fpt", "hwk", "mfa", "pop", "user"]);
    IdTokenClaims::new(ORIGIN, "user-alice", "app", &context, times(), Some("n-0S6".into()))
}

/// A message the size of what an assertion signature covers (authData with uvm, client data
/// hash), its DER signature, and the key.
fn raw() -> (SigningKey, Vec<u8>, DerSignature) {
    let key = SigningKey::generate_from_rng(&mut rand::rng());
    let message = vec![0x5A_u8; 37 + 16 + 32];
    let signature: DerSignature = key.sign(&message);
    (key, message, signature)
}

fn benches(c: &mut Criterion) {
    let mut sign_in = SignIn::new();
    let claims = claims(&mut sign_in);
    let (key, message, signature) = raw();
    let verifying = *key.verifying_key();

    let mut group = c.benchmark_group("sign_in");
    group.throughput(Throughput::Elements(1));
    group.bench_function("raw_p256_verify", |b| {
        b.iter(|| verifying.verify(black_box(&message), black_box(&signature)).unwrap())
    });
    group.bench_function("raw_p256_sign", |b| {
        b.iter(|| {
            let signature: DerSignature = key.sign(black_box(&message));
            signature
        })
    });
    // Each assertion is verified once: its challenge is consumed, and the setup (a new
    // challenge and the authenticator's signature) is not timed.
    let cell = RefCell::new(sign_in);
    group.bench_function("verify_assertion", |b| {
        b.iter_batched(|| cell.borrow_mut().assertion(), |a| cell.borrow().verify(a), BatchSize::SmallInput)
    });
    group.bench_function("issue_id_token", |b| {
        b.iter(|| cell.borrow().keys.sign(black_box(&claims)).unwrap())
    });
    group.bench_function("verify_and_issue", |b| {
        b.iter_batched(
            || cell.borrow_mut().assertion(),
            |a| cell.borrow().verify_and_issue(a),
            BatchSize::SmallInput,
        )
    });
    group.finish();
    print_ratios(&cell, &claims);
}

/// Timed batches of one operation; `prepare` makes each input untimed.
fn batch<'a, T, R>(
    mut prepare: impl FnMut() -> T + 'a,
    mut f: impl FnMut(T) -> R + 'a,
) -> Box<dyn FnMut() -> Duration + 'a> {
    const BATCH: u32 = 32;
    Box::new(move || {
        let inputs: Vec<T> = (0..BATCH).map(|_| prepare()).collect();
        let started = Instant::now();
        for input in inputs {
            black_box(f(input));
        }
        started.elapsed() / BATCH
    })
}

/// Per-operation times of `operations`, measured in interleaved rounds so that a load that
/// comes and goes (a 2-core machine shared with compilers) weighs on all of them alike; each
/// keeps its fastest batch.
fn per_op(mut operations: Vec<Box<dyn FnMut() -> Duration + '_>>) -> Vec<Duration> {
    let mut best = vec![Duration::MAX; operations.len()];
    for round in 0..25 {
        for (operation, best) in operations.iter_mut().zip(&mut best) {
            let time = operation();
            if round > 0 {
                *best = (*best).min(time);
            }
        }
    }
    best
}

fn print_ratios(sign_in: &RefCell<SignIn>, claims: &IdTokenClaims) {
    let (key, message, signature) = raw();
    let verifying = *key.verifying_key();
    let times = per_op(vec![
        batch(|| (), |()| verifying.verify(black_box(&message), &signature).unwrap()),
        batch(
            || (),
            |()| {
                let signature: DerSignature = key.sign(black_box(&message));
                signature
            },
        ),
        batch(|| (), |()| sign_in.borrow().keys.sign(black_box(claims)).unwrap()),
        batch(|| sign_in.borrow_mut().assertion(), |a| sign_in.borrow().verify(a)),
        batch(|| sign_in.borrow_mut().assertion(), |a| sign_in.borrow().verify_and_issue(a)),
    ]);
    let [verify, sign, issue, assertion, both] = times[..] else { unreachable!() };
    let rate = |d: Duration| 1.0 / d.as_secs_f64();
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!();
    println!("crypto-bound comparison (same run, interleaved, best of 24 batches):");
    println!("  raw P-256 verify     {:>9.0}/s", rate(verify));
    println!("  raw P-256 sign       {:>9.0}/s", rate(sign));
    println!(
        "  verify_assertion     {:>9.0}/s   cost ratio vs one verify:          {:.2}x",
        rate(assertion),
        ratio(assertion, verify)
    );
    println!(
        "  issue_id_token       {:>9.0}/s   cost ratio vs one sign:            {:.2}x",
        rate(issue),
        ratio(issue, sign)
    );
    println!(
        "  verify_and_issue     {:>9.0}/s   cost ratio vs one verify + sign:   {:.2}x",
        rate(both),
        ratio(both, verify + sign)
    );
    println!(
        "  verify_and_issue vs verify_assertion + issue_id_token:              {:.2}x",
        ratio(both, assertion + issue)
    );
}

criterion_group! {
    name = sign_in;
    config = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(sign_in);
