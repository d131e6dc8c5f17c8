//! The cost of the P-256 operations a ceremony needs, measured on as many threads as the
//! ceremonies run on, so that the limit is what this machine can do in parallel.

use std::time::Instant;

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate;

/// Operations done and the thread time they took, summed over threads and slices.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    operations: u64,
    thread_seconds: f64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.operations += other.operations;
        self.thread_seconds += other.thread_seconds;
    }

    /// Seconds of one thread per operation.
    fn seconds_each(&self) -> f64 {
        if self.operations == 0 { f64::INFINITY } else { self.thread_seconds / self.operations as f64 }
    }

    /// Operations per second on one thread.
    fn rate(&self) -> f64 {
        1.0 / self.seconds_each()
    }
}

/// How many P-256 operations of each kind one ceremony needs.
#[derive(Clone, Copy, Debug)]
pub struct CryptoNeeds {
    pub keygens: f64,
    pub signs: f64,
    pub verifies: f64,
}

/// Per-thread rates of key generation, signing and verification, measured with every thread
/// busy at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct CryptoRates {
    keygen: Tally,
    sign: Tally,
    verify: Tally,
}

impl CryptoRates {
    /// Measures each operation for about `seconds / 3` on `threads` threads at once.
    pub fn measure(threads: usize, seconds: f64) -> Self {
        let per_operation = seconds / 3.0;
        std::thread::scope(|scope| {
            let workers: Vec<_> =
                (0..threads).map(|_| scope.spawn(move || Self::measure_one_thread(per_operation))).collect();
            workers.into_iter().filter_map(|worker| worker.join().ok()).fold(
                Self::default(),
                |mut all, one| {
                    all.add(&one);
                    all
                },
            )
        })
    }

    fn measure_one_thread(seconds: f64) -> Self {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let verifying = *key.verifying_key();
        let message = [0x5a_u8; 300];
        let signature: Signature = key.sign(&message);
        let keygen = repeat_for(seconds, || {
            let key = SigningKey::generate_from_rng(&mut rand::rng());
            std::hint::black_box(key.verifying_key());
        });
        let sign = repeat_for(seconds, || {
            let signature: Signature = key.sign(std::hint::black_box(&message));
            std::hint::black_box(signature);
        });
        let verify = repeat_for(seconds, || {
            std::hint::black_box(verifying.verify(std::hint::black_box(&message), &signature).is_ok());
        });
        Self { keygen, sign, verify }
    }

    /// Adds the measurements of another slice.
    pub fn add(&mut self, other: &Self) {
        self.keygen.add(other.keygen);
        self.sign.add(other.sign);
        self.verify.add(other.verify);
    }

    /// Per-thread operations per second: key generation, signing, verification.
    pub fn per_thread(&self) -> [f64; 3] {
        [self.keygen.rate(), self.sign.rate(), self.verify.rate()]
    }

    /// Seconds of one thread that `needs` take.
    pub fn cost(&self, needs: CryptoNeeds) -> f64 {
        needs.keygens * self.keygen.seconds_each()
            + needs.signs * self.sign.seconds_each()
            + needs.verifies * self.verify.seconds_each()
    }
}

/// Runs `operation` for about `seconds` on this thread.
fn repeat_for(seconds: f64, mut operation: impl FnMut()) -> Tally {
    let started = Instant::now();
    let mut operations = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..16 {
            operation();
        }
        operations += 16;
    }
    Tally { operations, thread_seconds: started.elapsed().as_secs_f64() }
}
