//! `--shard K/N`: one of N deterministic parts of a selection, so that N machines each run one
//! part and `softfido report merge` joins their reports.
//!
//! The scenarios of one registration key ([`Scenario::registration_key`]) share one
//! registration, so they stay in one shard: no registration runs twice. The groups are dealt,
//! in the order of the selection, each to the shard with the fewest scenarios so far (the
//! lowest-numbered one on a tie). After every step the largest shard exceeds the smallest by at
//! most the largest group: the shard that receives a group was the smallest, so it can overtake
//! the others by no more than that group's size.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde_json::{Value, json};

use super::scenario::Scenario;

/// Shard `index` of `count` (both counted from 1): `--shard 2/4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    index: usize,
    count: usize,
}

/// Why a `--shard` value is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not two numbers around a slash.
    #[error("{0:?} is not K/N (two whole numbers, e.g. 2/4)")]
    Syntax(String),
    /// N = 0.
    #[error("a matrix cannot be split into 0 shards; N must be at least 1")]
    NoShards,
    /// K = 0 or K > N.
    #[error("shard {index} of {count} does not exist; K must be between 1 and {count}")]
    OutOfRange {
        /// K.
        index: usize,
        /// N.
        count: usize,
    },
}

impl Shard {
    /// Shard `index` of `count`, checked: 1 ≤ `index` ≤ `count`.
    pub fn new(index: usize, count: usize) -> Result<Self, ShardError> {
        if count == 0 {
            return Err(ShardError::NoShards);
        }
        if index == 0 || index > count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Self { index, count })
    }

    /// K, from 1.
    pub fn index(self) -> usize {
        self.index
    }

    /// N.
    pub fn count(self) -> usize {
        self.count
    }

    /// The scenarios of `selection` that fall to this shard, in the selection's order.
    pub fn select(self, selection: Vec<Scenario>) -> Vec<Scenario> {
        let of_group = assign(&selection, self.count);
        selection.into_iter().filter(|s| of_group.get(&s.registration_key()) == Some(&self.index)).collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let syntax = || ShardError::Syntax(text.to_owned());
        let (index, count) = text.trim().split_once('/').ok_or_else(syntax)?;
        let number = |part: &str| part.trim().parse::<usize>().map_err(|_| syntax());
        Self::new(number(index)?, number(count)?)
    }
}

/// The shard (from 1) of each registration key of `selection`, split `count` ways: the groups
/// in order of first appearance, each dealt to the shard with the fewest scenarios so far.
pub fn assign(selection: &[Scenario], count: usize) -> HashMap<Scenario, usize> {
    let mut sizes: HashMap<Scenario, usize> = HashMap::new();
    let mut order: Vec<Scenario> = Vec::new();
    for scenario in selection {
        let key = scenario.registration_key();
        let size = sizes.entry(key).or_insert(0);
        if *size == 0 {
            order.push(key);
        }
        *size += 1;
    }
    let mut loads = vec![0_usize; count.max(1)];
    let mut shard_of = HashMap::with_capacity(order.len());
    for key in order {
        let (smallest, _) =
            loads.iter().enumerate().min_by_key(|&(index, load)| (*load, index)).unwrap_or((0, &0));
        loads[smallest] += sizes.get(&key).copied().unwrap_or(0);
        shard_of.insert(key, smallest + 1);
    }
    shard_of
}

/// Every shard of `selection` split `count` ways, shard 1 first; each in the selection's order.
pub fn partition(selection: &[Scenario], count: usize) -> Vec<Vec<Scenario>> {
    let of_group = assign(selection, count);
    let mut shards = vec![Vec::new(); count.max(1)];
    for scenario in selection {
        if let Some(&index) = of_group.get(&scenario.registration_key()) {
            shards[index - 1].push(*scenario);
        }
    }
    shards
}

/// The top-level key of a shard's `matrix.json` that says which shard it is.
pub const SHARD_KEY: &str = "shard";

/// Which part of which selection a report holds: `"shard": {"index": 2, "count": 4,
/// "selected": 57783}` in a shard's `matrix.json`, so that a merge can tell a missing shard, or
/// shards of different selections, from a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardOf {
    /// The shard.
    pub shard: Shard,
    /// How many scenarios the whole selection holds, before the split.
    pub selected: usize,
}

impl ShardOf {
    /// The value of [`SHARD_KEY`].
    pub fn to_json(self) -> Value {
        json!({ "index": self.shard.index, "count": self.shard.count, "selected": self.selected })
    }

    /// Adds [`SHARD_KEY`] to `report` (a [`super::report::json_report`]).
    pub fn mark(self, report: &mut Value) {
        if let Some(object) = report.as_object_mut() {
            object.insert(SHARD_KEY.into(), self.to_json());
        }
    }

    /// Reads the value of [`SHARD_KEY`].
    pub fn from_json(value: &Value) -> anyhow::Result<Self> {
        let number = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| anyhow::anyhow!("\"{SHARD_KEY}\".{key} is not a whole number"))
        };
        let shard = Shard::new(number("index")?, number("count")?)?;
        Ok(Self { shard, selected: number("selected")? })
    }
}

#[cfg(test)]
mod tests;
