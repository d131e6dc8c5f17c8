use super::*;
use crate::filter::Filter;

#[test]
fn a_filter_keeps_what_it_names_and_rejects_unknown_names() {
    let all = all_scenarios();
    let filter = Filter::parse("up=deny,backup=be0_bs0|be1_bs1", &all).expect("parses");
    let kept: Vec<Scenario> = all.into_iter().filter(|s| filter.matches(s)).collect();
    assert!(!kept.is_empty());
    assert!(kept.iter().all(|s| s.values()[0].1 == "deny"));
    assert!(kept.iter().all(|s| matches!(s.values()[6].1, "be0_bs0" | "be1_bs1")));
    let unknown_axis = Filter::parse("colour=red", &all_scenarios()).expect_err("unknown axis");
    assert!(unknown_axis.to_string().contains("the axes are up, uv_capability"), "{unknown_axis}");
    let unknown_value = Filter::parse("up=maybe", &all_scenarios()).expect_err("unknown value");
    assert!(unknown_value.to_string().contains("approve, deny, timeout"), "{unknown_value}");
}

#[test]
fn the_quick_subset_covers_every_pair_and_is_much_smaller() {
    let all = all_scenarios();
    let quick = pairwise(&all);
    assert!(quick.len() * 20 < all.len(), "{} of {}", quick.len(), all.len());
    let pairs = |set: &[Scenario]| {
        let mut pairs = HashSet::new();
        for s in set {
            let v = s.values();
            for a in 0..v.len() {
                for b in a + 1..v.len() {
                    pairs.insert((a, v[a].1, b, v[b].1));
                }
            }
        }
        pairs
    };
    assert_eq!(pairs(&quick), pairs(&all));
}

#[test]
fn a_scenario_is_found_by_its_values() {
    let first = all_scenarios()[0];
    let values = first.values();
    assert_eq!(scenario_from_values(&values).expect("found"), first);
    let mut wrong = values;
    wrong[0].1 = "approve";
    assert!(scenario_from_values(&wrong).is_err(), "password-only has no up");
}

#[test]
fn the_index_finds_what_a_scan_finds() {
    let all = all_scenarios();
    let index = ScenarioIndex::new();
    for (position, scenario) in all.iter().enumerate() {
        assert_eq!(index.find(&scenario.values()).expect("found"), *scenario);
        assert_eq!(index.position(scenario), Some(position));
    }
    // A scan builds the product each time: a few, the last a U2F key's.
    for scenario in [all[0], all[all.len() / 2], all[all.len() - 1]] {
        assert_eq!(scenario_from_values(&scenario.values()).expect("found"), scenario);
    }
    let mut wrong = all[0].values();
    wrong[0].1 = "approve";
    let (scanned, indexed) = (scenario_from_values(&wrong), index.find(&wrong));
    assert_eq!(scanned.expect_err("no such").to_string(), indexed.expect_err("no such").to_string());
    let missing = index.find(&wrong[1..]).expect_err("up is missing").to_string();
    assert!(missing.contains("axis up is missing"), "{missing}");
    let unknown = index.find(&[("colour", "red")]).expect_err("unknown axis").to_string();
    assert!(unknown.contains("unknown axis \"colour\""), "{unknown}");
}
