//! `softfido bench` as a user runs it: it completes, every ceremony passes the oracle (a failing
//! one makes the command fail), and both ratios lie strictly between 0 and 1; a ratio at or
//! above 1 would mean the crypto counted per ceremony is wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Command;

#[test]
fn bench_reports_both_ceremonies_below_the_crypto_bound_limit() {
    let output = Command::new(env!("CARGO_BIN_EXE_softfido"))
        .args(["bench", "--seconds", "1", "--jobs", "1"])
        .output()
        .expect("runs softfido bench");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let ratios: Vec<f64> = stdout
        .lines()
        .filter_map(|line| line.split_once("→ ")?.1.split_whitespace().next()?.parse().ok())
        .collect();
    assert_eq!(ratios.len(), 2, "one ratio per ceremony kind:\n{stdout}");
    for ratio in ratios {
        assert!(ratio > 0.0 && ratio < 1.0, "ratio {ratio} out of (0, 1):\n{stdout}");
    }
    for kind in
        ["register + sign in + code flow + token: ", "sign in + code flow + token (1 registration per 50): "]
    {
        let line =
            stdout.lines().find(|l| l.starts_with(kind)).unwrap_or_else(|| panic!("no {kind:?}:\n{stdout}"));
        let rate: f64 = line[kind.len()..].trim_end_matches("/s").parse().expect("a rate");
        assert!(rate > 0.0, "{line}");
    }
}
