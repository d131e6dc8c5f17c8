use std::collections::{HashMap, HashSet};

use super::*;
use crate::matrix::scenario::all_scenarios;
use crate::matrix::{MatrixArgs, select_all};

/// The number of scenarios of the largest registration group of `selection`.
fn largest_group(selection: &[Scenario]) -> usize {
    let mut sizes: HashMap<Scenario, usize> = HashMap::new();
    for scenario in selection {
        *sizes.entry(scenario.registration_key()).or_default() += 1;
    }
    sizes.into_values().max().unwrap_or(0)
}

/// Disjoint, covering, balanced within the largest group, groups kept whole, and each shard
/// equal to what `Shard::select` gives on its own.
fn check_partition(selection: &[Scenario], count: usize) {
    let shards = partition(selection, count);
    assert_eq!(shards.len(), count);
    let mut seen: HashSet<Scenario> = HashSet::new();
    for shard in &shards {
        for scenario in shard {
            assert!(seen.insert(*scenario), "{} is in two shards of {count}", scenario.id());
        }
    }
    assert_eq!(seen.len(), selection.len(), "the union of {count} shards is not the selection");
    assert!(selection.iter().all(|s| seen.contains(s)));
    let sizes: Vec<usize> = shards.iter().map(Vec::len).collect();
    let spread = sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0);
    assert!(spread <= largest_group(selection), "{count} shards of sizes {sizes:?}");
    let mut group_shard: HashMap<Scenario, usize> = HashMap::new();
    for (index, shard) in shards.iter().enumerate() {
        for scenario in shard {
            let first = *group_shard.entry(scenario.registration_key()).or_insert(index);
            assert_eq!(first, index, "the registration of {} is split", scenario.id());
        }
    }
    let position: HashMap<Scenario, usize> = selection.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    for (index, shard) in shards.iter().enumerate() {
        let alone = Shard::new(index + 1, count).expect("valid").select(selection.to_vec());
        assert_eq!(&alone, shard, "shard {}/{count}", index + 1);
        assert!(
            shard.windows(2).all(|w| position.get(&w[0]) < position.get(&w[1])),
            "shard {}/{count} is not in selection order",
            index + 1
        );
    }
}

#[test]
fn the_full_product_splits_into_disjoint_balanced_shards() {
    let all = all_scenarios();
    for count in 1..=5 {
        let shards = partition(&all, count);
        assert_eq!(shards.iter().map(Vec::len).sum::<usize>(), all.len());
        let union: HashSet<Scenario> = shards.iter().flatten().copied().collect();
        assert_eq!(union.len(), all.len(), "{count} shards");
        let sizes: Vec<usize> = shards.iter().map(Vec::len).collect();
        let spread = sizes.iter().max().unwrap_or(&0) - sizes.iter().min().unwrap_or(&0);
        assert!(spread <= largest_group(&all), "{count} shards of sizes {sizes:?}");
        assert_eq!(partition(&all, count), shards, "the partition moved between calls");
    }
}

/// The scenarios `softfido matrix --quick` selects.
fn quick_selection() -> Vec<Scenario> {
    let args = MatrixArgs {
        selection: crate::args::Selection::default(),
        quick: true,
        shard: None,
        report: None,
        rp_url: None,
        target: None,
        rp_uv: crate::axes::RpUv::Preferred,
        rp_policy: softfido_rp::policy::Policy::Rfc8176,
        print_client_config: None,
    };
    select_all(&args).expect("selection")
}

#[test]
fn the_quick_subset_splits_into_disjoint_balanced_shards() {
    let quick = quick_selection();
    assert!(quick.len() > 100, "{}", quick.len());
    for count in 1..=5 {
        check_partition(&quick, count);
        assert_eq!(partition(&quick, count), partition(&quick, count));
    }
}

#[test]
fn a_registration_group_is_never_split_over_the_full_product() {
    let all = all_scenarios();
    assert!(largest_group(&all) > 1, "no shared registrations: the check would be empty");
    for count in [2, 5] {
        check_partition(&all, count);
        assert!(partition(&all, count).iter().all(|shard| !shard.is_empty()), "{count} shards");
    }
}

#[test]
fn a_small_selection_keeps_every_property() {
    let all = all_scenarios();
    let slice: Vec<Scenario> =
        all.iter().copied().filter(|s| s.session != crate::axes::Session::None).collect();
    assert!(!slice.is_empty());
    for count in 1..=5 {
        check_partition(&slice, count);
    }
}

#[test]
fn more_shards_than_groups_leaves_some_empty() {
    let all = all_scenarios();
    let key = all[0].registration_key();
    let one_group: Vec<Scenario> = all.iter().copied().filter(|s| s.registration_key() == key).collect();
    let shards = partition(&one_group, 3);
    assert_eq!(shards[0], one_group);
    assert!(shards[1].is_empty() && shards[2].is_empty());
}

#[test]
fn shard_values_parse_or_say_what_is_wrong() {
    let shard: Shard = "2/4".parse().expect("valid");
    assert_eq!((shard.index(), shard.count()), (2, 4));
    assert_eq!(shard.to_string(), "2/4");
    assert_eq!("1/1".parse::<Shard>(), Shard::new(1, 1));
    assert_eq!("0/4".parse::<Shard>(), Err(ShardError::OutOfRange { index: 0, count: 4 }));
    assert_eq!("5/4".parse::<Shard>(), Err(ShardError::OutOfRange { index: 5, count: 4 }));
    assert_eq!("1/0".parse::<Shard>(), Err(ShardError::NoShards));
    for bad in ["x", "2", "2/", "/4", "-1/4", "2/4/6", "a/b"] {
        assert_eq!(bad.parse::<Shard>(), Err(ShardError::Syntax(bad.to_owned())), "{bad}");
    }
    let message = "5/4".parse::<Shard>().expect_err("out of range").to_string();
    assert!(message.contains("between 1 and 4"), "{message}");
}
