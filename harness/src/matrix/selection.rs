//! Choosing scenarios beyond `--filter`: scenarios written as axis values (the golden file),
//! and `--quick`'s pairwise covering subset.

use std::collections::{HashMap, HashSet};

use super::scenario::MATRIX_AXIS_NAMES;
use super::scenario::{Scenario, all_scenarios};
use crate::axes::{KeyKind, NOT_APPLICABLE};
use crate::filter::axis_index;

/// The scenario of the product with exactly these axis values (every axis named, but `kind`
/// may be left out for a FIDO2 key; `n/a` where it does not apply).
pub fn scenario_from_values(values: &[(&str, &str)]) -> anyhow::Result<Scenario> {
    let wanted = wanted_values(values)?;
    all_scenarios()
        .into_iter()
        .find(|s| s.values().iter().zip(wanted.iter()).all(|((_, have), want)| have == want))
        .ok_or_else(|| no_such_scenario(values))
}

/// One value per axis of [`MATRIX_AXIS_NAMES`], in its order, from `values` by axis name.
fn wanted_values<'a>(values: &[(&str, &'a str)]) -> anyhow::Result<[&'a str; MATRIX_AXIS_NAMES.len()]> {
    let mut wanted: [Option<&str>; MATRIX_AXIS_NAMES.len()] = [None; MATRIX_AXIS_NAMES.len()];
    for (axis, value) in values {
        wanted[axis_index::<Scenario>(axis)?] = Some(value);
    }
    // `kind` came last: a scenario written without it is a FIDO2 key's.
    let kind = axis_index::<Scenario>(KeyKind::AXIS)?;
    wanted[kind] = wanted[kind].or(Some(KeyKind::Fido2.name()));
    let mut out = [""; MATRIX_AXIS_NAMES.len()];
    for (index, value) in wanted.iter().enumerate() {
        out[index] = value.ok_or_else(|| anyhow::anyhow!("axis {} is missing", MATRIX_AXIS_NAMES[index]))?;
    }
    Ok(out)
}

fn no_such_scenario(values: &[(&str, &str)]) -> anyhow::Error {
    let described: Vec<String> = values.iter().map(|(a, v)| format!("{a}={v}")).collect();
    anyhow::anyhow!(
        "no scenario has {} (an axis that cannot matter is {NOT_APPLICABLE})",
        described.join(",")
    )
}

/// The key of a scenario's values in a [`ScenarioIndex`].
fn values_key(values: &[&str]) -> String {
    values.join("\n")
}

/// Every scenario of the product, looked up by its axis values as [`scenario_from_values`]
/// does, but in constant time: for reading reports of tens of thousands of scenarios.
pub struct ScenarioIndex {
    by_values: HashMap<String, Scenario>,
    position: HashMap<Scenario, usize>,
}

impl ScenarioIndex {
    /// The index of [`all_scenarios`].
    pub fn new() -> Self {
        let all = all_scenarios();
        let by_values = all.iter().map(|s| (values_key(&s.values().map(|(_, v)| v)), *s)).collect();
        let position = all.iter().enumerate().map(|(index, s)| (*s, index)).collect();
        Self { by_values, position }
    }

    /// The scenario with exactly these axis values; the same answers and errors as
    /// [`scenario_from_values`].
    pub fn find(&self, values: &[(&str, &str)]) -> anyhow::Result<Scenario> {
        let wanted = wanted_values(values)?;
        self.by_values.get(&values_key(&wanted)).copied().ok_or_else(|| no_such_scenario(values))
    }

    /// Where `scenario` comes in the product (the order of [`all_scenarios`]).
    pub fn position(&self, scenario: &Scenario) -> Option<usize> {
        self.position.get(scenario).copied()
    }
}

impl Default for ScenarioIndex {
    fn default() -> Self {
        Self::new()
    }
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
mod tests;
