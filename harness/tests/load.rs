//! `softfido load` as a user runs it, briefly: it starts its own `softfido serve` process, holds
//! 20 browsers signing in for 2 seconds per phase, and writes its figures; every sign-in
//! succeeds (with the flood too), the latency percentiles are ordered and the server's memory
//! was read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::process::Command;

use serde_json::Value;

/// Runs `softfido load` with `extra` arguments and returns its JSON figures.
fn load(extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let json = dir.path().join("load.json");
    let output = Command::new(env!("CARGO_BIN_EXE_softfido"))
        .args(["load", "--browsers", "20", "--seconds", "2", "--json"])
        .arg(&json)
        .args(extra)
        .output()
        .expect("runs softfido load");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("sign-ins/s"), "no table:\n{stdout}");
    let text = std::fs::read_to_string(&json).expect("the JSON figures");
    serde_json::from_str(&text).expect("JSON")
}

fn check_phase(phase: &Value) {
    let name = phase["name"].as_str().expect("a phase name");
    assert_eq!(phase["error_count"], 0, "{name}: {phase}");
    assert!(phase["sign_ins"].as_u64().expect("sign_ins") > 0, "{name}: {phase}");
    assert!(phase["sign_ins_per_second"].as_f64().expect("a rate") > 0.0, "{name}: {phase}");
    let latency = &phase["latency_ms"];
    let [p50, p99, max] = ["p50", "p99", "max"].map(|p| latency[p].as_f64().expect("a latency"));
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{name}: {latency}");
    let memory = &phase["server_memory_kib"];
    assert!(memory["peak"].as_u64().expect("VmHWM") > 0, "{name}: {memory}");
    assert!(memory["resident_at_end"].as_u64().expect("VmRSS") > 0, "{name}: {memory}");
}

#[test]
fn load_signs_every_browser_in_without_errors() {
    let figures = load(&[]);
    let phases = figures["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 1, "{figures}");
    assert_eq!(phases[0]["name"], "clean");
    assert!(phases[0]["flood"].is_null(), "{figures}");
    check_phase(&phases[0]);
}

#[test]
fn load_with_flood_still_signs_every_browser_in() {
    let figures = load(&["--flood"]);
    let phases = figures["phases"].as_array().expect("phases");
    assert_eq!(phases.len(), 2, "{figures}");
    assert_eq!(phases[0]["name"], "clean");
    assert_eq!(phases[1]["name"], "flooded");
    for phase in phases {
        check_phase(phase);
    }
    let flood = &phases[1]["flood"];
    for client in ["authorize", "password_guesses"] {
        let answers: u64 =
            flood[client].as_object().expect("status counts").values().filter_map(Value::as_u64).sum();
        assert!(answers > 0, "the {client} flood got no answer: {flood}");
    }
}
