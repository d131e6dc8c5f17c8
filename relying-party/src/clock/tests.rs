use super::*;

#[test]
fn a_manual_clock_moves_only_when_told_and_its_clones_share_the_time() {
    let clock = ManualClock::starting_at(1_000);
    let shared = clock.clone();
    assert_eq!(clock.now(), 1_000);
    shared.advance(61);
    assert_eq!(clock.now(), 1_061);
}

#[test]
fn the_system_clock_is_past_2020() {
    assert!(SystemClock.now() > 1_577_836_800);
}
