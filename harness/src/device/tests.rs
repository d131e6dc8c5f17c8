use super::*;
use crate::device::scenario::scenarios;

#[test]
fn every_scenario_of_a_sample_passes_against_the_honest_authenticator() {
    for s in scenarios().iter().step_by(97) {
        assert_eq!(run_scenario(s).mismatch, None, "{s:?}");
    }
}

#[test]
fn the_summary_counts_each_axis_value_and_shows_mismatches() {
    let all = scenarios();
    let outcomes = [
        Outcome { scenario: all[0], mismatch: None },
        Outcome { scenario: all[1], mismatch: Some("registration flags 0x05, expected 0x01".into()) },
    ];
    let text = summary(&outcomes);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "axis             value              passed   failed");
    assert!(lines.contains(&"up               approve                 1        1"), "{text}");
    assert!(lines.contains(&"discoverable     no                      1        0"), "{text}");
    assert!(lines.contains(&"discoverable     yes                     0        1"), "{text}");
    assert_eq!(
        lines.last().copied(),
        Some(
            "MISMATCH up=approve,uv_capability=none,uv_performed=no,pin_protocol=n/a,\
             key_protection=software,attestation=none,backup=be0_bs0,uvm=no,discoverable=yes,\
             generation=2.1: registration flags 0x05, expected 0x01"
        )
    );
}
