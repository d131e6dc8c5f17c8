//! Choosing scenarios: `--filter axis=value,…`, scenarios written as axis values (the golden
//! file), and `--quick`'s pairwise covering subset.

use std::collections::HashSet;

use super::axes::{AXIS_NAMES, NOT_APPLICABLE, Scenario, all_scenarios};

/// `--filter`: for each named axis, the values allowed.
#[derive(Clone, Debug)]
pub struct Filter {
    allowed: Vec<(usize, Vec<String>)>,
}

/// The values an axis takes anywhere in the product.
fn values_of(index: usize) -> Vec<&'static str> {
    let mut seen: Vec<&'static str> = Vec::new();
    for scenario in all_scenarios() {
        let value = scenario.values()[index].1;
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

fn axis_index(axis: &str) -> anyhow::Result<usize> {
    AXIS_NAMES
        .iter()
        .position(|a| *a == axis)
        .ok_or_else(|| anyhow::anyhow!("unknown axis {axis:?}; the axes are {}", AXIS_NAMES.join(", ")))
}

impl Filter {
    /// Parses `axis=value[|value…],…`; an unknown axis or value is an error that lists the
    /// valid ones.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut allowed = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (axis, values) = term
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("filter term {term:?} is not axis=value"))?;
            let index = axis_index(axis.trim())?;
            let known = values_of(index);
            let values: Vec<String> = values.split('|').map(|v| v.trim().to_owned()).collect();
            for value in &values {
                if !known.contains(&value.as_str()) {
                    anyhow::bail!("axis {axis} has no value {value:?}; its values are {}", known.join(", "));
                }
            }
            allowed.push((index, values));
        }
        Ok(Self { allowed })
    }

    /// Whether `scenario` passes.
    pub fn matches(&self, scenario: &Scenario) -> bool {
        let values = scenario.values();
        self.allowed.iter().all(|(index, allowed)| allowed.iter().any(|v| v == values[*index].1))
    }
}

/// The scenario of the product with exactly these axis values (every axis named; `n/a` where
/// it does not apply).
pub fn scenario_from_values(values: &[(&str, &str)]) -> anyhow::Result<Scenario> {
    let mut wanted: [Option<&str>; 12] = [None; 12];
    for (axis, value) in values {
        wanted[axis_index(axis)?] = Some(value);
    }
    if let Some(missing) = wanted.iter().position(Option::is_none) {
        anyhow::bail!("axis {} is missing", AXIS_NAMES[missing]);
    }
    all_scenarios()
        .into_iter()
        .find(|s| s.values().iter().zip(wanted.iter()).all(|((_, have), want)| Some(*have) == *want))
        .ok_or_else(|| {
            let described: Vec<String> = values.iter().map(|(a, v)| format!("{a}={v}")).collect();
            anyhow::anyhow!(
                "no scenario has {} (an axis that cannot matter is {NOT_APPLICABLE})",
                described.join(",")
            )
        })
}

/// A subset in which every pair of values of two different axes that occurs in `scenarios`
/// occurs at least once: one deterministic pass keeping each scenario that covers a new pair.
pub fn pairwise(scenarios: &[Scenario]) -> Vec<Scenario> {
    let mut covered: HashSet<(usize, &'static str, usize, &'static str)> = HashSet::new();
    let mut out = Vec::new();
    // A fixed stride walks the product in an order that mixes every axis early.
    let stride = 7919 % scenarios.len().max(1);
    let stride = if stride == 0 { 1 } else { stride };
    let mut index = 0;
    let mut visited = vec![false; scenarios.len()];
    for _ in 0..scenarios.len() {
        while visited[index] {
            index = (index + 1) % scenarios.len();
        }
        visited[index] = true;
        let scenario = scenarios[index];
        let values = scenario.values();
        let mut new = false;
        for a in 0..values.len() {
            for b in a + 1..values.len() {
                new |= covered.insert((a, values[a].1, b, values[b].1));
            }
        }
        if new {
            out.push(scenario);
        }
        index = (index + stride) % scenarios.len();
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_keeps_what_it_names_and_rejects_unknown_names() {
        let filter = Filter::parse("up=deny,backup=be0_bs0|be1_bs1").expect("parses");
        let kept: Vec<Scenario> = all_scenarios().into_iter().filter(|s| filter.matches(s)).collect();
        assert!(!kept.is_empty());
        assert!(kept.iter().all(|s| s.values()[0].1 == "deny"));
        assert!(kept.iter().all(|s| matches!(s.values()[6].1, "be0_bs0" | "be1_bs1")));
        let unknown_axis = Filter::parse("colour=red").expect_err("unknown axis");
        assert!(unknown_axis.to_string().contains("the axes are up, uv_capability"), "{unknown_axis}");
        let unknown_value = Filter::parse("up=maybe").expect_err("unknown value");
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
}
