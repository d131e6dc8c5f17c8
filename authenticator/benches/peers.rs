//! softfido's authenticator next to 1Password's passkey-rs (`passkey-authenticator` 0.6), on the
//! same CTAP2 requests, with the raw P-256 operations alongside, measured in one run.
//!
//! Both authenticators use the same RustCrypto backend (p256 0.14) and an in-memory store, keep a
//! signature counter per credential, and are driven as a CTAP2 device is: request bytes in,
//! response bytes out. passkey-rs takes typed requests, so its side decodes the request with its
//! own serde types and encodes its response (rows `passkey-rs`); rows `passkey-rs typed` leave
//! that codec out (requests decoded once, responses left typed), which only flatters the peer.
//!
//! Criterion reports each case on its own. Because this machine's speed drifts between runs, the
//! ratios printed at the end come from interleaved rounds: in each round every case runs for the
//! same short slice, each round's ratio is taken, and the median of those is printed.
//!
//! `SOFTFIDO_BENCH_MARKDOWN=FILE` also writes the ratio table as Markdown.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/passkey_rs.rs"]
mod passkey_rs;
#[path = "support/requests.rs"]
mod requests;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::elliptic_curve::Generate;
use softfido_authenticator::config::{AttestationKind, Config, CounterMode, Profile};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Signals};

use passkey_types::ctap2::{get_assertion, make_credential};

use self::passkey_rs::PasskeyRs;

/// One measured operation: a name and a closure doing it once.
struct Case {
    name: &'static str,
    run: Box<dyn FnMut()>,
}

impl Case {
    fn new(name: &'static str, run: impl FnMut() + 'static) -> Self {
        Self { name, run: Box::new(run) }
    }
}

const KEYGEN: &str = "P-256 key generation";
const SIGN: &str = "P-256 sign";
const VERIFY: &str = "P-256 verify";
const KEYGEN_SIGN: &str = "P-256 key generation + sign";
const SOFTFIDO_MC_NONE: &str = "softfido makeCredential (none)";
const SOFTFIDO_MC_SELF: &str = "softfido makeCredential (packed self)";
const SOFTFIDO_MC_BASIC: &str = "softfido makeCredential (packed basic)";
const SOFTFIDO_GA: &str = "softfido getAssertion";
const PASSKEY_MC: &str = "passkey-rs makeCredential (none)";
const PASSKEY_GA: &str = "passkey-rs getAssertion";
const PASSKEY_TYPED_MC: &str = "passkey-rs typed makeCredential (none)";
const PASSKEY_TYPED_GA: &str = "passkey-rs typed getAssertion";

/// The comparisons printed: (what, measured, against); the ratio is the throughput of the
/// first over the second (for floors: the cost of the first over the second).
const COMPARISONS: [(&str, &str, &str); 8] = [
    ("getAssertion vs passkey-rs", SOFTFIDO_GA, PASSKEY_GA),
    ("getAssertion vs passkey-rs typed", SOFTFIDO_GA, PASSKEY_TYPED_GA),
    ("makeCredential (none) vs passkey-rs", SOFTFIDO_MC_NONE, PASSKEY_MC),
    ("makeCredential (none) vs passkey-rs typed", SOFTFIDO_MC_NONE, PASSKEY_TYPED_MC),
    ("getAssertion cost ÷ one sign", SIGN, SOFTFIDO_GA),
    ("makeCredential (none) cost ÷ key generation", KEYGEN, SOFTFIDO_MC_NONE),
    ("makeCredential (packed self) cost ÷ key generation + sign", KEYGEN_SIGN, SOFTFIDO_MC_SELF),
    ("makeCredential (packed basic) cost ÷ key generation + sign", KEYGEN_SIGN, SOFTFIDO_MC_BASIC),
];

fn softfido(attestation: AttestationKind) -> Authenticator {
    let config =
        Config { attestation, counter: CounterMode::PerCredential, ..Profile::SoftwareToken.config() };
    Authenticator::new(config, MemoryStore::new()).unwrap()
}

fn crypto_cases() -> Vec<Case> {
    let message = [0x5A_u8; 69];
    let key = SigningKey::generate_from_rng(&mut rand::rng());
    let signature: DerSignature = key.sign(&message);
    let verifying_key = *key.verifying_key();
    let signing_key = key.clone();
    vec![
        Case::new(KEYGEN, || {
            black_box(SigningKey::generate_from_rng(&mut rand::rng()));
        }),
        Case::new(SIGN, move || {
            let _: DerSignature = signing_key.sign(black_box(&message));
        }),
        Case::new(VERIFY, move || {
            verifying_key.verify(black_box(&message), &signature).unwrap();
        }),
        Case::new(KEYGEN_SIGN, move || {
            let key = SigningKey::generate_from_rng(&mut rand::rng());
            let _: DerSignature = key.sign(black_box(&message));
        }),
    ]
}

fn softfido_cases() -> Vec<Case> {
    let make_credential = |name, attestation| {
        let mut authenticator = softfido(attestation);
        let request = requests::make_credential();
        let signals = Signals::new();
        Case::new(name, move || assert_eq!(authenticator.process(black_box(&request), &signals)[0], 0))
    };
    let mut authenticator = softfido(AttestationKind::None);
    let signals = Signals::new();
    let registered = authenticator.process(&requests::make_credential(), &signals);
    let request = requests::get_assertion(&requests::credential_id(&registered));
    vec![
        make_credential(SOFTFIDO_MC_NONE, AttestationKind::None),
        make_credential(SOFTFIDO_MC_SELF, AttestationKind::PackedSelf),
        make_credential(SOFTFIDO_MC_BASIC, AttestationKind::PackedBasic),
        Case::new(SOFTFIDO_GA, move || {
            assert_eq!(authenticator.process(black_box(&request), &signals)[0], 0)
        }),
    ]
}

fn passkey_rs_cases() -> Vec<Case> {
    let mut bytes_make = PasskeyRs::new();
    let mut bytes_get = PasskeyRs::new();
    let get_request = requests::get_assertion(&bytes_get.register());
    let mut typed_make = PasskeyRs::new();
    let mut typed_get = PasskeyRs::new();
    let typed_get_request: get_assertion::Request =
        passkey_rs::decode(&requests::get_assertion(&typed_get.register()));
    let make_request = requests::make_credential();
    let typed_make_request: make_credential::Request = passkey_rs::decode(&make_request);
    vec![
        Case::new(PASSKEY_MC, move || assert_eq!(bytes_make.process(black_box(&make_request))[0], 0)),
        Case::new(PASSKEY_GA, move || assert_eq!(bytes_get.process(black_box(&get_request))[0], 0)),
        Case::new(PASSKEY_TYPED_MC, move || typed_make.make_credential_typed(black_box(&typed_make_request))),
        Case::new(PASSKEY_TYPED_GA, move || typed_get.get_assertion_typed(black_box(&typed_get_request))),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut cases = crypto_cases();
    cases.extend(softfido_cases());
    cases.extend(passkey_rs_cases());
    cases
}

/// Time per operation of `case`, over about `slice`.
fn time_per_operation(case: &mut Case, slice: Duration) -> f64 {
    for _ in 0..20 {
        (case.run)();
    }
    let started = Instant::now();
    let mut operations = 0u32;
    while started.elapsed() < slice {
        (case.run)();
        operations += 1;
    }
    started.elapsed().as_secs_f64() / f64::from(operations)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 { values[middle] } else { (values[middle - 1] + values[middle]) / 2.0 }
}

/// Interleaved rounds: every case once per round; the seconds per operation of each case, per round.
fn interleaved_rounds(cases: &mut [Case], rounds: usize, slice: Duration) -> Vec<Vec<f64>> {
    (0..rounds).map(|_| cases.iter_mut().map(|case| time_per_operation(case, slice)).collect()).collect()
}

fn report(cases: &[Case], rounds: &[Vec<f64>]) -> String {
    let index = |name: &str| cases.iter().position(|case| case.name == name).unwrap();
    let mut out = format!(
        "Operations per second, median of {} interleaved rounds in one run:\n\n| operation | per second |\n|---|---:|\n",
        rounds.len()
    );
    for (i, case) in cases.iter().enumerate() {
        let rate = median(rounds.iter().map(|round| 1.0 / round[i]).collect());
        out += &format!("| {} | {rate:.0} |\n", case.name);
    }
    out += "\nRatios (each round's ratio, then the median; throughput of the first over the second):\n\n";
    out += "| comparison | ratio | rounds (min–max) |\n|---|---:|---:|\n";
    for (what, first, second) in COMPARISONS {
        let (a, b) = (index(first), index(second));
        let ratios: Vec<f64> = rounds.iter().map(|round| round[b] / round[a]).collect();
        let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let high = ratios.iter().copied().fold(0.0, f64::max);
        out += &format!("| {what} | {:.2}× | {low:.2}–{high:.2} |\n", median(ratios));
    }
    out
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("peers");
    group.throughput(Throughput::Elements(1));
    let mut cases = all_cases();
    for case in &mut cases {
        group.bench_function(case.name, |b| b.iter(&mut case.run));
    }
    group.finish();
    let rounds = interleaved_rounds(&mut cases, 7, Duration::from_millis(300));
    let table = report(&cases, &rounds);
    println!("\n{table}");
    if let Ok(path) = std::env::var("SOFTFIDO_BENCH_MARKDOWN") {
        std::fs::write(&path, &table).unwrap();
    }
}

criterion_group! {
    name = peers;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = benches
}
criterion_main!(peers);
