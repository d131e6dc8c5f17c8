//! Throughput of whole CTAP2 ceremonies in process, next to the raw P-256 cost they cannot
//! avoid, measured in the same run.
//!
//! getAssertion needs one ECDSA signature; makeCredential needs a key generation and one
//! signature (self attestation). The ratios printed at the end say how close the authenticator
//! comes to those crypto-bound limits.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/requests.rs"]
mod requests;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p256::ecdsa::signature::Signer;
use p256::elliptic_curve::Generate;
use softfido_authenticator::config::{AttestationKind, Config, CounterMode, Profile};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Signals};

fn config() -> Config {
    Config {
        attestation: AttestationKind::PackedSelf,
        counter: CounterMode::PerCredential,
        ..Profile::SoftwareToken.config()
    }
}

fn registered() -> (Authenticator, Vec<u8>) {
    let mut auth = Authenticator::new(config(), MemoryStore::new()).unwrap();
    let response = auth.process(&requests::make_credential(), &Signals::new());
    let credential_id = requests::credential_id(&response);
    (auth, credential_id)
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("ceremonies");
    group.throughput(Throughput::Elements(1));
    let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
    let message = [0x5A_u8; 69];
    group.bench_function("raw_p256_sign", |b| {
        b.iter(|| {
            let signature: p256::ecdsa::DerSignature = key.sign(black_box(&message));
            signature
        })
    });
    group.bench_function("raw_p256_keygen_and_sign", |b| {
        b.iter(|| {
            let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
            let signature: p256::ecdsa::DerSignature = key.sign(black_box(&message));
            signature
        })
    });
    let request = requests::make_credential();
    let mut auth = Authenticator::new(config(), MemoryStore::new()).unwrap();
    let signals = Signals::new();
    group.bench_function("make_credential", |b| b.iter(|| auth.process(black_box(&request), &signals)));
    let (mut auth, credential_id) = registered();
    let request = requests::get_assertion(&credential_id);
    group.bench_function("get_assertion", |b| b.iter(|| auth.process(black_box(&request), &signals)));
    group.finish();
    print_ratios();
}

/// Per-operation time of `f`, measured over about half a second.
fn per_op(mut f: impl FnMut()) -> Duration {
    for _ in 0..50 {
        f();
    }
    let started = Instant::now();
    let mut n = 0u32;
    while started.elapsed() < Duration::from_millis(500) {
        f();
        n += 1;
    }
    started.elapsed() / n
}

fn print_ratios() {
    let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
    let message = [0x5A_u8; 69];
    let sign = per_op(|| {
        let _: p256::ecdsa::DerSignature = key.sign(black_box(&message));
    });
    let keygen_sign = per_op(|| {
        let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
        let _: p256::ecdsa::DerSignature = key.sign(black_box(&message));
    });
    let signals = Signals::new();
    let request = requests::make_credential();
    let mut auth = Authenticator::new(config(), MemoryStore::new()).unwrap();
    let make = per_op(|| {
        black_box(auth.process(&request, &signals));
    });
    let (mut auth, credential_id) = registered();
    let request = requests::get_assertion(&credential_id);
    let get = per_op(|| {
        black_box(auth.process(&request, &signals));
    });
    let rate = |d: Duration| 1.0 / d.as_secs_f64();
    println!();
    println!("crypto-bound comparison (same run):");
    println!("  raw P-256 sign            {:>9.0}/s", rate(sign));
    println!("  raw P-256 keygen + sign   {:>9.0}/s", rate(keygen_sign));
    println!(
        "  getAssertion              {:>9.0}/s   cost ratio vs one sign:        {:.2}x",
        rate(get),
        get.as_secs_f64() / sign.as_secs_f64()
    );
    println!(
        "  makeCredential            {:>9.0}/s   cost ratio vs keygen + sign:   {:.2}x",
        rate(make),
        make.as_secs_f64() / keygen_sign.as_secs_f64()
    );
}

criterion_group! {
    name = ceremonies;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(ceremonies);
