//! Findings by rule: which rows of the rule table (docs/amr-acr.md) an IdP breaks, read from the
//! records of a run and nothing else, so that a merge of shard reports or a run against another
//! IdP can call it on the records it builds.
//!
//! A mismatch is attributed to rules by what differs between the oracle's verdict and the
//! actual one:
//! - an expected amr value missing: the rule that grants it (`pop` R1, `user` R2, `pin` R3, a
//!   biometric R4, `mfa` R5 or R9, `hwk` R6, `swk` R7, `pwd` R9 or R10);
//! - an extra value: the rule it contradicts (the rule that would grant it, whose evidence is
//!   absent), or "not RFC 8176" for a value of no registry;
//! - a different acr: the rule deciding the expected acr (`phrh` R6; `phr` R7, R8 or else R1; none
//!   R10);
//! - a different outcome: R0, R11 or R12, whichever decided the expected verdict, else "outcome".

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::oracle::{Outcome, Verdict};
use super::report::Record;

/// The rows of the rule table, in order.
pub const RULES: [&str; 13] =
    ["R0", "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12"];
/// The attribution of a value no registry holds.
pub const NOT_RFC_8176: &str = "not RFC 8176";
/// The attribution of an outcome no rule decided (a refusal before the IdP, say).
pub const OUTCOME: &str = "outcome";

/// The IANA "Authentication Method Reference Values" registry (RFC 8176 §6.1, and `pop` from
/// EAP ACR Values 1.0).
const REGISTERED_AMR: [&str; 21] = [
    "face", "fpt", "geo", "hwk", "iris", "kba", "mca", "mfa", "otp", "pin", "pop", "pwd", "rba", "retina",
    "sc", "sms", "swk", "tel", "user", "vbm", "wia",
];
/// The values the rule table grants, with the rule that grants each (`mfa` and `pwd` are
/// resolved against the expected rules, see [`granting_rules`]).
const GRANTED_AMR: [(&str, &str); 11] = [
    ("pop", "R1"),
    ("user", "R2"),
    ("pin", "R3"),
    ("fpt", "R4"),
    ("face", "R4"),
    ("iris", "R4"),
    ("vbm", "R4"),
    ("retina", "R4"),
    ("hwk", "R6"),
    ("swk", "R7"),
    ("mfa", "R5"),
];

/// One rule's tally over a run: where it applied, where the IdP broke it, and one example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFinding {
    /// `R0`…`R12`, [`NOT_RFC_8176`] or [`OUTCOME`].
    pub rule: &'static str,
    /// Scenarios whose expected verdict the rule decided (none for the two pseudo-rules).
    pub applied: Option<usize>,
    /// Failed scenarios attributed to the rule.
    pub violated: usize,
    /// The first such scenario's id.
    pub example: Option<String>,
}

/// What a run shows about the IdP, rule by rule, plus statements about its tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Every rule R0–R12 (applied or not), then the pseudo-rules that were violated.
    pub rules: Vec<RuleFinding>,
    /// Sentences such as "R6 hwk: never emitted (expected in 12 tokens)".
    pub statements: Vec<String>,
}

impl Findings {
    /// The rules some scenario violated.
    pub fn violated(&self) -> impl Iterator<Item = &RuleFinding> {
        self.rules.iter().filter(|finding| finding.violated > 0)
    }

    /// The `findings` array of `matrix.json` (docs/matrix.md): one object per rule, then one
    /// per statement.
    pub fn json(&self) -> Value {
        let rules = self.rules.iter().map(
            |f| json!({ "rule": f.rule, "applied": f.applied, "violated": f.violated, "example": f.example }),
        );
        let statements = self.statements.iter().map(|s| json!({ "statement": s }));
        Value::Array(rules.chain(statements).collect())
    }
}

/// The findings of `records`.
pub fn findings(records: &[Record]) -> Findings {
    // Where the harness failed (a step that timed out, a runner that broke) nothing was learnt
    // of the IdP: such scenarios count for no rule and no statement.
    let (judged, not_judged): (Vec<&Record>, Vec<&Record>) = records.iter().partition(|record| {
        !record.actual.error.as_deref().is_some_and(|error| error.starts_with("harness:"))
    });
    let mut applied: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut violated: BTreeMap<&'static str, (usize, String)> = BTreeMap::new();
    for record in &judged {
        for rule in &record.expected.rules {
            *applied.entry(rule).or_default() += 1;
        }
        if record.pass() {
            continue;
        }
        for rule in attribute(&record.expected.verdict, &record.expected.rules, &record.actual) {
            violated.entry(rule).or_insert_with(|| (0, record.scenario.id())).0 += 1;
        }
    }
    let finding = |rule: &'static str, applied: Option<usize>| {
        let (count, example) = violated.get(rule).cloned().map_or((0, None), |(n, id)| (n, Some(id)));
        RuleFinding { rule, applied, violated: count, example }
    };
    let mut rules: Vec<RuleFinding> =
        RULES.iter().map(|rule| finding(rule, Some(applied.get(rule).copied().unwrap_or(0)))).collect();
    rules.extend(
        [NOT_RFC_8176, OUTCOME].into_iter().map(|rule| finding(rule, None)).filter(|f| f.violated > 0),
    );
    let judged: Vec<Record> = judged.into_iter().cloned().collect();
    let mut statements = statements(&judged);
    if !not_judged.is_empty() {
        statements.push(format!(
            "{} scenarios not judged: the harness failed there (`harness:` errors), which says nothing of the IdP",
            not_judged.len()
        ));
    }
    Findings { rules, statements }
}

/// The rules a mismatch between `expected` (decided by `rules`) and `actual` breaks, each once.
pub fn attribute(expected: &Verdict, rules: &[&'static str], actual: &Verdict) -> BTreeSet<&'static str> {
    let mut broken = BTreeSet::new();
    if expected.outcome != actual.outcome || expected.error != actual.error {
        let deciding: Vec<&'static str> =
            rules.iter().copied().filter(|rule| matches!(*rule, "R0" | "R11" | "R12")).collect();
        if !deciding.is_empty() {
            broken.extend(deciding);
        } else if actual.outcome == Outcome::UnmetAuthenticationRequirements {
            broken.insert("R11");
        } else {
            broken.insert(OUTCOME);
        }
        return broken;
    }
    for value in expected.amr.iter().filter(|v| !actual.amr.contains(v)) {
        broken.extend(granting_rules(value, rules));
    }
    for value in actual.amr.iter().filter(|v| !expected.amr.contains(v)) {
        if !REGISTERED_AMR.contains(&value.as_str()) {
            broken.insert(NOT_RFC_8176);
        } else {
            broken.extend(contradicted_rules(value, rules));
        }
    }
    if expected.acr != actual.acr {
        broken.insert(acr_rule(expected.acr.as_deref(), rules));
    }
    broken
}

/// The rules that grant `value` in a scenario decided by `rules`.
fn granting_rules(value: &str, rules: &[&'static str]) -> Vec<&'static str> {
    match value {
        // R5 (UV) and R9 (password and key) both grant `mfa`; blame those that applied.
        "mfa" | "pwd" => {
            let candidates: &[&'static str] = if value == "mfa" { &["R5", "R9"] } else { &["R9", "R10"] };
            let applied: Vec<&'static str> =
                candidates.iter().copied().filter(|r| rules.contains(r)).collect();
            if applied.is_empty() { vec![candidates[0]] } else { applied }
        }
        other => GRANTED_AMR.iter().filter(|(v, _)| *v == other).map(|(_, rule)| *rule).collect(),
    }
}

/// The rules an unexpected registered `value` contradicts: the one that would have granted it.
fn contradicted_rules(value: &str, rules: &[&'static str]) -> Vec<&'static str> {
    let with_key = rules.contains(&"R1");
    match value {
        "pwd" => vec![if with_key { "R9" } else { "R10" }],
        "mfa" => vec![if rules.contains(&"R9") || !with_key { "R9" } else { "R5" }],
        other => {
            let granted = granting_rules(other, rules);
            // A registered value the table never grants (`kba`, `otp`, …) still contradicts
            // the rules that decided this verdict's amr: blame R1 for a key, R10 without.
            if granted.is_empty() { vec![if with_key { "R1" } else { "R10" }] } else { granted }
        }
    }
}

/// The rule deciding an expected acr.
fn acr_rule(expected: Option<&str>, rules: &[&'static str]) -> &'static str {
    match expected {
        Some("phrh") => "R6",
        Some(_) => ["R7", "R8"].into_iter().find(|r| rules.contains(r)).unwrap_or("R1"),
        None => "R10",
    }
}

/// Statements about the tokens of a run: values never emitted, claims absent, unregistered values.
fn statements(records: &[Record]) -> Vec<String> {
    let tokens: Vec<&Record> = records.iter().filter(|r| r.actual.outcome == Outcome::Token).collect();
    let mut out = Vec::new();
    for (value, rule) in GRANTED_AMR.iter().chain(&[("pwd", "R9")]) {
        let rule = match *value {
            "mfa" => "R5/R9",
            "pwd" => "R9/R10",
            _ => rule,
        };
        let expected = records.iter().filter(|r| r.expected.verdict.amr.iter().any(|v| v == value)).count();
        let emitted = tokens.iter().any(|r| r.actual.amr.iter().any(|v| v == value));
        if expected > 0 && !emitted {
            out.push(format!("{rule} {value}: never emitted (expected in {expected} scenarios)"));
        }
    }
    if tokens.is_empty() {
        return out;
    }
    let share = |n: usize| format!("{}% of tokens ({n} of {})", n * 100 / tokens.len(), tokens.len());
    let without_amr = tokens.iter().filter(|r| r.actual.amr.is_empty()).count();
    if without_amr > 0 {
        out.push(format!("amr absent in {}", share(without_amr)));
    }
    let without_acr =
        tokens.iter().filter(|r| r.actual.acr.is_none() && r.expected.verdict.acr.is_some()).count();
    if without_acr > 0 {
        out.push(format!("acr absent where the table gives one in {}", share(without_acr)));
    }
    let mut unregistered: BTreeMap<&str, usize> = BTreeMap::new();
    for record in &tokens {
        for value in record.actual.amr.iter().filter(|v| !REGISTERED_AMR.contains(&v.as_str())) {
            *unregistered.entry(value).or_default() += 1;
        }
    }
    for (value, count) in unregistered {
        out.push(format!("non-RFC 8176 amr value `{value}` in {count} tokens"));
    }
    let mut foreign_acr: BTreeMap<&str, usize> = BTreeMap::new();
    for acr in tokens.iter().filter_map(|r| r.actual.acr.as_deref()).filter(|a| !matches!(*a, "phr" | "phrh"))
    {
        *foreign_acr.entry(acr).or_default() += 1;
    }
    for (value, count) in foreign_acr {
        out.push(format!("acr value `{value}` (not an EAP ACR value) in {count} tokens"));
    }
    out
}

/// The findings as terminal lines (only rules that were violated, then the statements).
pub fn terminal(findings: &Findings) -> String {
    let mut out = String::from("findings by rule:\n");
    for f in findings.violated() {
        let applied = f.applied.map(|n| format!(" of {n} where it applied")).unwrap_or_default();
        let example = f.example.as_deref().unwrap_or("-");
        out.push_str(&format!("  {:<13} violated in {}{applied}; e.g. {example}\n", f.rule, f.violated));
    }
    for statement in &findings.statements {
        out.push_str(&format!("  {statement}\n"));
    }
    out
}

/// The "Findings by rule" section of `matrix.md`.
pub fn markdown(findings: &Findings) -> String {
    let mut out = String::from(
        "\n## Findings by rule\n\nWhere each rule of docs/amr-acr.md applied, where the IdP broke it, and one scenario that shows it.\n\n| rule | applied | violated | example |\n|---|---:|---:|---|\n",
    );
    for f in &findings.rules {
        let applied = f.applied.map_or_else(|| "—".to_owned(), |n| n.to_string());
        let example = f.example.as_deref().map_or_else(|| "—".to_owned(), |id| format!("`{id}`"));
        out.push_str(&format!("| {} | {applied} | {} | {example} |\n", f.rule, f.violated));
    }
    if !findings.statements.is_empty() {
        out.push('\n');
        for statement in &findings.statements {
            out.push_str(&format!("- {statement}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
