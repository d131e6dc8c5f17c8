use std::time::Duration;

use super::Latency;

fn millis(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|&m| Duration::from_millis(m)).collect()
}

#[test]
fn percentiles_are_nearest_rank() {
    let mut samples = millis(&(1..=100).rev().collect::<Vec<_>>());
    let latency = Latency::of(&mut samples);
    assert_eq!((latency.p50, latency.p99, latency.max), (50.0, 99.0, 100.0));
}

#[test]
fn one_sample_is_every_percentile() {
    let latency = Latency::of(&mut millis(&[7]));
    assert_eq!((latency.p50, latency.p99, latency.max), (7.0, 7.0, 7.0));
}

#[test]
fn no_samples_give_zero() {
    assert_eq!(Latency::of(&mut []), Latency::default());
}
