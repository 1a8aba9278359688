//! Rules: assertions over analyzer metrics. The registry maps each rule type (and its aliases) to
//! a constructor and its reference documentation; adding a rule is one file here (with its
//! `RULES` entry) plus, for a new file, one registry line.

mod column_exists;
mod column_pair;
mod completeness_ratio;
mod date_format;
mod distinct;
mod dtype;
mod format;
mod freshness;
mod interval;
mod length;
mod length_between;
mod multicolumn_sum;
mod not_null;
mod order;
mod pattern;
mod planner;
mod range;
mod reference;
mod row_count;
mod schema;
mod set_membership;
mod statistic;
mod text;
mod unique;
mod value_rule;

pub use planner::Planner;
pub use reference::{ParamDoc, RuleDoc, Shape, reference_markdown};
pub use value_rule::{Unexpected, ValueRule};

use crate::analyzers::{Metric, RowsMetric};
use crate::document::RuleSpec;
use crate::model::FailureSample;
use arrow_schema::Schema;
use serde_json::Value;

/// A rule, ready to plan its analyzers and to evaluate their metrics.
pub trait Rule {
    /// Canonical type name, e.g. `in_range`.
    fn rule_type(&self) -> &'static str;
    /// The column the rule is about, if any (the first one for rules over several columns).
    fn column(&self) -> Option<&str>;
    /// Every column the rule is about.
    fn columns(&self) -> Vec<&str> {
        self.column().into_iter().collect()
    }
    /// Whether the rule reads its columns' values (not only their presence or type).
    fn reads_values(&self) -> bool {
        self.column().is_some()
    }
    /// The normalised parameters (aliases resolved), for reports and fingerprints.
    fn parameters(&self) -> Value;
    /// Registers the analyzers the rule reads.
    fn plan(&mut self, planner: &mut Planner);
    /// Checks the rule against the data's (source) schema: the column exists and has a usable type.
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        let _ = schema;
        Ok(())
    }
    /// Evaluates the rule over everything seen.
    fn evaluate(&self, table: &Table<'_>, mostly: f64) -> Outcome;
    /// Relative work per row, to spread rules over parallel checkers (1: a cheap scan).
    fn cost(&self) -> u32 {
        1
    }
}

/// What a rule concluded.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub passed: bool,
    pub evaluated: u64,
    pub unexpected: u64,
    pub samples: Vec<FailureSample>,
    /// The asserted metric (JSON).
    pub observed: Value,
    pub message: String,
}

/// Facts about the whole table, and the metrics of every planned analyzer.
pub struct Table<'a> {
    pub rows: u64,
    /// Every column of the data (the declared source schema, even when fewer columns were fed).
    pub schema: &'a Schema,
    pub metrics: &'a [Metric],
}

impl Table<'_> {
    /// The row counts of the row analyzer `id`.
    pub fn rows_metric(&self, id: usize) -> &RowsMetric {
        self.metrics[id].rows()
    }
}

/// Builds a rule from its spec. Convention: take every parameter first, then validate.
pub type Constructor = fn(&mut RuleSpec) -> Result<Box<dyn Rule>, String>;

/// A rule type: its names, its constructor and its reference documentation.
pub struct RuleType {
    /// The canonical name, reported in results.
    pub name: &'static str,
    /// Other names rule documents may use.
    pub aliases: &'static [&'static str],
    pub build: Constructor,
    pub doc: RuleDoc,
}

/// Every rule type, module by module, in the order of the reference documentation. A rule's
/// module lists its `RuleType` (constructor and documentation) in its `RULES`; a new module gets
/// a line here.
const REGISTRY: &[&[RuleType]] = &[
    not_null::RULES,
    unique::RULES,
    set_membership::RULES,
    range::RULES,
    pattern::RULES,
    length::RULES,
    length_between::RULES,
    text::RULES,
    format::RULES,
    date_format::RULES,
    order::RULES,
    column_pair::RULES,
    multicolumn_sum::RULES,
    dtype::RULES,
    column_exists::RULES,
    completeness_ratio::RULES,
    row_count::RULES,
    schema::RULES,
    statistic::RULES,
    distinct::RULES,
    freshness::RULES,
];

/// Every rule type.
pub fn rule_types() -> impl Iterator<Item = &'static RuleType> {
    REGISTRY.iter().flat_map(|group| group.iter())
}

/// The rule type called `name` (or one of its aliases).
pub fn rule_type(name: &str) -> Option<&'static RuleType> {
    rule_types().find(|t| t.name == name || t.aliases.contains(&name))
}

/// Builds the rule a spec describes; the spec's parameters must all be understood.
pub fn build_rule(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, crate::model::QualityError> {
    let Some(rule_type) = rule_type(&spec.rule_type) else {
        return Err(spec.error(unknown_type_message(&spec.rule_type)));
    };
    // Constructors take every parameter before validating any, so parameters left over after a
    // failure are unknown ones, and a misspelt name is the likelier cause of the failure.
    let built = (rule_type.build)(spec);
    let leftovers = std::mem::take(&mut spec.params).finish();
    match (built, leftovers) {
        (Ok(rule), Ok(())) => Ok(rule),
        (_, Err(unknown)) => Err(spec.error(unknown)),
        (Err(error), Ok(())) => Err(spec.error(error)),
    }
}

/// Every name a rule document may use as a type.
fn known_names() -> impl Iterator<Item = &'static str> {
    rule_types().flat_map(|t| std::iter::once(t.name).chain(t.aliases.iter().copied()))
}

fn unknown_type_message(rule_type: &str) -> String {
    let closest = known_names()
        .map(|name| (edit_distance(rule_type, name), name))
        .min()
        .filter(|(distance, _)| *distance <= 3)
        .map(|(_, name)| format!(" (did you mean '{name}'?)"))
        .unwrap_or_default();
    let known: Vec<&str> = known_names().collect();
    format!("unknown rule type '{rule_type}'{closest}; known types: {}", known.join(", "))
}

/// Levenshtein distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb)).min(row[j] + 1).min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// The schema check every column rule shares: the column must exist.
pub(crate) fn require_column(schema: &Schema, column: &str) -> Result<(), String> {
    if schema.field_with_name(column).is_ok() {
        return Ok(());
    }
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let hint = names
        .iter()
        .map(|name| (edit_distance(column, name), *name))
        .min()
        .filter(|(distance, _)| *distance <= 2)
        .map(|(_, name)| format!(" (did you mean '{name}'?)"))
        .unwrap_or_default();
    Err(format!("unknown column '{column}'{hint}; the data has columns: {}", names.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("not_nul", "not_null"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn unknown_types_suggest_the_closest() {
        let message = unknown_type_message("in_rnage");
        assert!(message.contains("did you mean 'in_range'"), "{message}");
    }
}
