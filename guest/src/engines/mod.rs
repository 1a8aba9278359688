//! Rule documents of other tools, translated into truthound's: Great Expectations expectation
//! suites and pandera `DataFrameSchema` YAML. Each translation is a table from the tool's names
//! onto truthound rules; every expectation or check becomes one rule, numbered and named as in its
//! source and carrying it as its [`Origin`](crate::document::Origin), so results map back 1:1.
//! Anything without a faithful translation is an error that names it, never a skipped check.

mod gx_expectations;
pub mod gx_result;
mod gx_suite;
mod pandera_checks;
mod pandera_schema;
mod python;

use crate::document::{RuleDocument, parse_document};
use crate::model::{QualityError, RuleFormat};
use crate::rules::rule_type;
use serde_json::{Map, Value};

/// Parses a rule document written in `format` into truthound rules.
pub fn parse(text: &str, format: RuleFormat) -> Result<RuleDocument, QualityError> {
    let document = match format {
        RuleFormat::Truthound => return parse_document(text),
        RuleFormat::GreatExpectations => gx_suite::translate(text)?,
        RuleFormat::Pandera => pandera_schema::translate(text)?,
    };
    require_known_rules(document, format)
}

/// A translation may target a rule, or a parameter of one, this build lacks: that is named like
/// any unsupported item (the registry documents every parameter a rule takes).
fn require_known_rules(document: RuleDocument, format: RuleFormat) -> Result<RuleDocument, QualityError> {
    let mut problems = Problems::new(format);
    for spec in &document.rules {
        let Some(target) = rule_type(&spec.rule_type) else {
            let lacking = format!("it needs the rule '{}', which this engine does not have", spec.rule_type);
            problems.add(&spec.label(), format!("not supported yet: {lacking}"));
            continue;
        };
        let documented = |name: &&str| target.doc.params.iter().any(|p| p.names.contains(name));
        if let Some(name) = spec.params.names().find(|name| !documented(name)) {
            let lacking = format!("the rule '{}' has no parameter '{name}' in this engine", target.name);
            problems.add(&spec.label(), format!("not supported yet: {lacking}"));
        }
    }
    problems.into_result(document)
}

/// Everything wrong with a suite or schema, reported together so one run names every item to fix.
struct Problems {
    document: &'static str,
    found: Vec<String>,
}

impl Problems {
    fn new(format: RuleFormat) -> Problems {
        let document = match format {
            RuleFormat::Truthound => "rule document",
            RuleFormat::GreatExpectations => "Great Expectations suite",
            RuleFormat::Pandera => "pandera schema",
        };
        Problems { document, found: Vec::new() }
    }

    /// Records a problem with the item labelled `at`.
    fn add(&mut self, at: &str, problem: impl std::fmt::Display) {
        self.found.push(format!("{at}: {problem}"));
    }

    /// `value`, or one rule-document error listing every problem.
    fn into_result<T>(self, value: T) -> Result<T, QualityError> {
        match self.found.as_slice() {
            [] => Ok(value),
            [one] => Err(QualityError::rule_document(format!("the {} cannot be used: {one}", self.document))),
            all => Err(QualityError::rule_document(format!(
                "the {} cannot be used ({} problems):\n  - {}",
                self.document,
                all.len(),
                all.join("\n  - ")
            ))),
        }
    }
}

/// Parses YAML or JSON text that must hold a mapping.
fn parse_mapping(text: &str, what: &str) -> Result<Map<String, Value>, QualityError> {
    if text.trim().is_empty() {
        return Err(QualityError::rule_document(format!("the {what} is empty")));
    }
    match serde_yaml_ng::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(QualityError::rule_document(format!("the {what} must be a mapping"))),
        Err(e) => Err(QualityError::rule_document(format!("the {what} is not valid YAML or JSON: {e}"))),
    }
}

/// Builds a parameter map from (name, value) pairs, leaving out absent values.
fn params<const N: usize>(pairs: [(&str, Option<Value>); N]) -> Map<String, Value> {
    pairs.into_iter().filter_map(|(name, value)| value.map(|v| (name.to_string(), v))).collect()
}

/// The README's tables of supported and unsupported expectations and checks, generated from the
/// translation tables (a test keeps the README in step with them).
#[cfg(test)]
fn readme_tables() -> String {
    use gx_expectations::Shape;
    let mut out = String::from("| Great Expectations expectation | truthound rule | GX result |\n|---|---|---|\n");
    for e in gx_expectations::EXPECTATIONS {
        let shape = match e.shape {
            Shape::NullMap | Shape::Map => "counts, unexpected values",
            Shape::Aggregate => "observed value",
            Shape::ColumnSet | Shape::ColumnList => "observed columns, mismatches",
            Shape::Quantiles => "observed quantiles, which are in range",
            Shape::Existence => "empty",
        };
        out += &format!("| `{}` | `{}` | {shape} |\n", e.name, e.rule);
    }
    out += "\n| not supported | why |\n|---|---|\n";
    for (name, why) in gx_expectations::UNSUPPORTED {
        out += &format!("| `{name}` | {why} |\n");
    }
    out += "\n| pandera check (aliases) | truthound rule |\n|---|---|\n";
    for c in pandera_checks::CHECKS {
        let aliases = c.aliases.iter().map(|a| format!(" (`{a}`)")).collect::<String>();
        out += &format!("| `{}`{aliases} | `{}` |\n", c.name, c.rule);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_what_the_translation_tables_hold() {
        let readme = include_str!("../../../README.md");
        let (start, end) = ("<!-- engines-tables:start -->\n", "<!-- engines-tables:end -->");
        let listed = readme.split_once(start).and_then(|(_, rest)| rest.split_once(end)).map(|(tables, _)| tables);
        let expected = readme_tables();
        assert_eq!(
            listed,
            Some(expected.as_str()),
            "README.md between the engines-tables markers should be:\n{expected}"
        );
    }

    #[test]
    fn truthound_documents_parse_as_before() {
        let document = parse("- {type: not_null, column: id}", RuleFormat::Truthound).unwrap();
        assert_eq!(document.rules[0].rule_type, "not_null");
        assert!(document.rules[0].origin.is_none());
    }

    #[test]
    fn translations_onto_rules_this_build_lacks_are_refused() {
        use crate::document::{Origin, RuleSpec};
        let origin = Origin { label: "expectation 1 (expect_magic)".into(), written: Value::Null };
        let rules = vec![RuleSpec::translated(0, "no_such_rule", None, Map::new(), origin)];
        let document = RuleDocument { name: None, description: None, rules };
        let message = require_known_rules(document, RuleFormat::GreatExpectations).unwrap_err().message;
        assert_eq!(
            message,
            "the Great Expectations suite cannot be used: expectation 1 (expect_magic): not supported yet: \
             it needs the rule 'no_such_rule', which this engine does not have"
        );
        let origin = Origin { label: "column 'a' check magic".into(), written: Value::Null };
        let params = Map::from_iter([("no_such_parameter".to_string(), Value::from(1))]);
        let rules = vec![RuleSpec::translated(0, "not_null", Some("a".into()), params, origin)];
        let document = RuleDocument { name: None, description: None, rules };
        let message = require_known_rules(document, RuleFormat::Pandera).unwrap_err().message;
        assert!(
            message.ends_with("the rule 'not_null' has no parameter 'no_such_parameter' in this engine"),
            "{message}"
        );
    }

    #[test]
    fn several_problems_are_listed_together() {
        let mut problems = Problems::new(RuleFormat::Pandera);
        problems.add("column 'a'", "first");
        problems.add("column 'b'", "second");
        let message = problems.into_result(()).unwrap_err().message;
        assert_eq!(
            message,
            "the pandera schema cannot be used (2 problems):\n  - column 'a': first\n  - column 'b': second"
        );
    }
}
