//! The shape every row-by-row rule shares: some rows of a column are unexpected (null, repeated,
//! or breaking a predicate), and the rule holds when their share is within `mostly`.

use super::{Outcome, Planner, Rule, Table, require_column};
use crate::analyzers::{RowPredicate, RowsMetric};
use crate::values::has_value_key;
use arrow_schema::{DataType, Schema};
use serde_json::Value;
use std::rc::Rc;

/// Which rows of the column are unexpected.
pub enum Unexpected {
    /// Null rows (every row is evaluated).
    Nulls,
    /// Non-null rows whose value occurs more than once.
    Repeated,
    /// Non-null rows that break the predicate.
    Breaking(Rc<dyn RowPredicate>),
}

/// A rule that holds when (nearly) every row of a column is as expected.
pub struct ValueRule {
    rule_type: &'static str,
    column: String,
    parameters: Value,
    unexpected: Unexpected,
    /// What values must do, e.g. "be between 0 and 100".
    expectation: String,
    analyzer: usize,
}

impl ValueRule {
    pub fn boxed(
        rule_type: &'static str,
        column: String,
        parameters: Value,
        unexpected: Unexpected,
        expectation: impl Into<String>,
    ) -> Box<dyn Rule> {
        let expectation = expectation.into();
        Box::new(ValueRule { rule_type, column, parameters, unexpected, expectation, analyzer: usize::MAX })
    }
}

impl Rule for ValueRule {
    fn rule_type(&self) -> &'static str {
        self.rule_type
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        self.parameters.clone()
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = match &self.unexpected {
            Unexpected::Nulls => planner.null_rows(&self.column),
            Unexpected::Repeated => planner.distinct_values(&self.column, false),
            Unexpected::Breaking(predicate) => planner.unexpected_rows(&self.column, predicate.clone()),
        };
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)?;
        let data_type = schema.field_with_name(&self.column).map_err(|e| e.to_string())?.data_type();
        let usable = match &self.unexpected {
            // Nothing but nulls (an empty CSV column is typed Null): nothing to test, so value
            // rules evaluate no row and hold, as they do for nulls in any column.
            _ if *data_type == DataType::Null => Ok(()),
            Unexpected::Nulls => Ok(()),
            Unexpected::Repeated if has_value_key(data_type) => Ok(()),
            Unexpected::Repeated => Err(format!("has type {data_type}, whose values cannot be compared")),
            Unexpected::Breaking(predicate) => predicate.check_type(data_type),
        };
        usable.map_err(|e| format!("column '{}' {e}", self.column))
    }
    fn evaluate(&self, table: &Table<'_>, mostly: f64) -> Outcome {
        rows_outcome(table.rows_metric(self.analyzer), mostly, &self.column, &self.expectation)
    }
    fn cost(&self) -> u32 {
        match &self.unexpected {
            Unexpected::Nulls => 1,
            // A hash table far larger than the cache: the most expensive rule per row.
            Unexpected::Repeated => 10,
            Unexpected::Breaking(predicate) => predicate.cost(),
        }
    }
}

/// The outcome of a row-by-row rule: it passes when the share of evaluated rows that are not
/// unexpected reaches `mostly` (and trivially when nothing was evaluated, as in Great Expectations).
fn rows_outcome(metric: &RowsMetric, mostly: f64, column: &str, expectation: &str) -> Outcome {
    let RowsMetric { evaluated, unexpected, ref samples } = *metric;
    let ratio = if evaluated == 0 { 1.0 } else { (evaluated - unexpected) as f64 / evaluated as f64 };
    // A tolerance of one part in 10^12 keeps `mostly: 0.95` from failing on 95 of 100 rows
    // because 0.95 has no exact binary form.
    let passed = ratio >= mostly - 1e-12;
    let percent = if evaluated == 0 { 0.0 } else { unexpected as f64 * 100.0 / evaluated as f64 };
    let message = if unexpected == 0 {
        format!("all {evaluated} values of '{column}' {}", expectation_met(expectation))
    } else {
        let verdict = if passed { format!(" (within mostly={mostly})") } else { String::new() };
        format!(
            "{unexpected} of {evaluated} values of '{column}' ({}) fail{verdict}: values must {expectation}",
            format_percent(percent)
        )
    };
    Outcome { passed, evaluated, unexpected, samples: samples.clone(), observed: Value::from(ratio), message }
}

/// "be between 0 and 100" -> "are between 0 and 100", for the message of a clean column.
fn expectation_met(expectation: &str) -> String {
    match expectation.strip_prefix("be ") {
        Some(rest) => format!("are {rest}"),
        None => match expectation.strip_prefix("not ") {
            Some(rest) => format!("do not {rest}"),
            None => expectation.to_string(),
        },
    }
}

/// `12.35%`, with more digits for tiny shares so they do not read as zero.
fn format_percent(percent: f64) -> String {
    if percent > 0.0 && percent < 0.01 { format!("{percent:.4}%") } else { format!("{percent:.2}%") }
}
