//! `--filter axis=value[|value…],…`: choosing scenarios of either matrix by their axis values.

/// A scenario described axis by axis, with the names of [`crate::axes`].
pub trait AxisValues {
    /// The axis names, in report order.
    const AXES: &'static [&'static str];

    /// The name of this scenario's value on axis `index` (of [`Self::AXES`]), or
    /// [`crate::axes::NOT_APPLICABLE`].
    fn value(&self, index: usize) -> &'static str;
}

/// The position of `axis` among `S`'s axes; an unknown name is an error listing them.
pub fn axis_index<S: AxisValues>(axis: &str) -> anyhow::Result<usize> {
    S::AXES
        .iter()
        .position(|a| *a == axis)
        .ok_or_else(|| anyhow::anyhow!("unknown axis {axis:?}; the axes are {}", S::AXES.join(", ")))
}

/// The values axis `index` takes anywhere in `product`, in order of first appearance.
fn values_of<S: AxisValues>(product: &[S], index: usize) -> Vec<&'static str> {
    let mut seen: Vec<&'static str> = Vec::new();
    for scenario in product {
        let value = scenario.value(index);
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

/// For each named axis, the values allowed.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    allowed: Vec<(usize, Vec<String>)>,
}

impl Filter {
    /// Parses `axis=value[|value…],…` for the scenarios of `product`; an axis or value that
    /// does not occur there is an error that lists the valid ones.
    pub fn parse<S: AxisValues>(text: &str, product: &[S]) -> anyhow::Result<Self> {
        let mut allowed = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (axis, values) = term
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("filter term {term:?} is not axis=value"))?;
            let axis = axis.trim();
            let index = axis_index::<S>(axis)?;
            let known = values_of(product, index);
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
    pub fn matches<S: AxisValues>(&self, scenario: &S) -> bool {
        self.allowed.iter().all(|(index, allowed)| allowed.iter().any(|v| v == scenario.value(*index)))
    }
}

#[cfg(test)]
mod tests;
