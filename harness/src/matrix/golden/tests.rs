use super::*;

#[test]
fn outcomes_are_read_by_their_report_names() {
    for outcome_value in [Outcome::Token, Outcome::Rejected, Outcome::UnmetAuthenticationRequirements] {
        let name = serde_json::to_value(outcome_value).expect("serialises");
        assert_eq!(outcome(name.as_str().expect("a name")).expect("parses"), outcome_value);
    }
    assert!(outcome("accepted").is_err());
}

#[test]
fn a_row_naming_no_scenario_of_the_product_is_an_error_with_its_line() {
    let header = GOLDEN_CSV.lines().find(|l| l.starts_with("up,")).expect("a header");
    let row = "approve,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,password,n/a,none,token,pwd,,,R10";
    let error = parse(&format!("{header}\n{row}\n")).expect_err("password-only has no up");
    assert!(error.to_string().starts_with("line 2: "), "{error}");
}
