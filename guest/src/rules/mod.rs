//! Rules: assertions over analyzer metrics. The registry maps each rule type (and its aliases) to
//! a constructor; adding a rule is one file here plus one registry line.

mod column_exists;
mod completeness_ratio;
mod distinct;
mod dtype;
mod freshness;
mod interval;
mod length;
mod not_null;
mod pattern;
mod planner;
mod range;
mod row_count;
mod set_membership;
mod statistic;
mod unique;
mod value_rule;

pub use planner::Planner;
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
    /// The column the rule is about, if any.
    fn column(&self) -> Option<&str>;
    /// Whether the rule reads the column's values (not only its presence or type).
    fn reads_values(&self) -> bool {
        self.column().is_some()
    }
    /// The normalised parameters (aliases resolved), for reports and fingerprints.
    fn parameters(&self) -> Value;
    /// Registers the analyzers the rule reads.
    fn plan(&mut self, planner: &mut Planner);
    /// Checks the rule against the data's schema: the column exists and has a usable type.
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
type Constructor = fn(&mut RuleSpec) -> Result<Box<dyn Rule>, String>;

/// Rule types and their constructors. Aliases are extra rows with the same constructor.
const REGISTRY: &[(&str, Constructor)] = &[
    ("not_null", not_null::build),
    ("unique", unique::build),
    ("in_set", set_membership::build_in_set),
    ("not_in_set", set_membership::build_not_in_set),
    ("in_range", range::build_in_range),
    ("between", range::build_in_range),
    ("greater_than", range::build_greater_than),
    ("less_than", range::build_less_than),
    ("regex", pattern::build_regex),
    ("not_regex", pattern::build_not_regex),
    ("dtype", dtype::build),
    ("min_length", length::build_min_length),
    ("max_length", length::build_max_length),
    ("column_exists", column_exists::build),
    ("completeness_ratio", completeness_ratio::build),
    ("row_count", row_count::build),
    ("min_between", statistic::build_min_between),
    ("max_between", statistic::build_max_between),
    ("mean_between", statistic::build_mean_between),
    ("median_between", statistic::build_median_between),
    ("stdev_between", statistic::build_stdev_between),
    ("sum_between", statistic::build_sum_between),
    ("quantile_between", statistic::build_quantile_between),
    ("distinct_count_between", distinct::build_distinct_count_between),
    ("unique_ratio_between", distinct::build_unique_ratio_between),
    ("distinct_values_in_set", distinct::build_distinct_values_in_set),
    ("distinct_values_contain_set", distinct::build_distinct_values_contain_set),
    ("distinct_values_equal_set", distinct::build_distinct_values_equal_set),
    ("most_common_value_in_set", distinct::build_most_common_value_in_set),
    ("freshness", freshness::build),
];

/// Builds the rule a spec describes; the spec's parameters must all be understood.
pub fn build_rule(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, crate::model::QualityError> {
    let Some((_, build)) = REGISTRY.iter().find(|(name, _)| *name == spec.rule_type) else {
        return Err(spec.error(unknown_type_message(&spec.rule_type)));
    };
    // Constructors take every parameter before validating any, so parameters left over after a
    // failure are unknown ones, and a misspelt name is the likelier cause of the failure.
    let built = build(spec);
    let leftovers = std::mem::take(&mut spec.params).finish();
    match (built, leftovers) {
        (Ok(rule), Ok(())) => Ok(rule),
        (_, Err(unknown)) => Err(spec.error(unknown)),
        (Err(error), Ok(())) => Err(spec.error(error)),
    }
}

fn unknown_type_message(rule_type: &str) -> String {
    let closest = REGISTRY
        .iter()
        .map(|(name, _)| (edit_distance(rule_type, name), *name))
        .min()
        .filter(|(distance, _)| *distance <= 3)
        .map(|(_, name)| format!(" (did you mean '{name}'?)"))
        .unwrap_or_default();
    let known: Vec<&str> = REGISTRY.iter().map(|(name, _)| *name).collect();
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
