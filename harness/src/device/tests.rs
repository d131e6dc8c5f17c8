use super::*;

#[test]
fn every_scenario_of_a_sample_passes_against_the_honest_authenticator() {
    for s in scenarios().iter().step_by(97) {
        assert_eq!(run_scenario(s).mismatch, None, "{s:?}");
    }
}
