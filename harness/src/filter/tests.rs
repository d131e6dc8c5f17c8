use super::*;

/// Two axes, `colour` and `size` (`n/a` for the colourless).
#[derive(Clone, Copy)]
struct Toy(Option<&'static str>, &'static str);

impl AxisValues for Toy {
    const AXES: &'static [&'static str] = &["colour", "size"];

    fn value(&self, index: usize) -> &'static str {
        if index == 0 { self.0.unwrap_or(crate::axes::NOT_APPLICABLE) } else { self.1 }
    }
}

const PRODUCT: [Toy; 4] =
    [Toy(Some("red"), "small"), Toy(Some("red"), "large"), Toy(Some("blue"), "small"), Toy(None, "large")];

#[test]
fn a_filter_keeps_scenarios_matching_every_term_and_any_listed_value() {
    let filter = Filter::parse("colour=red|n/a, size=large", &PRODUCT).expect("parses");
    let kept: Vec<_> = PRODUCT.iter().filter(|t| filter.matches(*t)).map(|t| (t.0, t.1)).collect();
    assert_eq!(kept, [(Some("red"), "large"), (None, "large")]);
    assert!(PRODUCT.iter().all(|t| Filter::default().matches(t)));
}

#[test]
fn unknown_axes_values_and_malformed_terms_are_errors_that_list_the_choices() {
    let axis = Filter::parse("shape=round", &PRODUCT).expect_err("unknown axis");
    assert_eq!(axis.to_string(), "unknown axis \"shape\"; the axes are colour, size");
    let value = Filter::parse("colour=green", &PRODUCT).expect_err("unknown value");
    assert_eq!(value.to_string(), "axis colour has no value \"green\"; its values are red, blue, n/a");
    assert!(Filter::parse("colour", &PRODUCT).is_err());
}
