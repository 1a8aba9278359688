//! The shape every row-by-row rule shares: a predicate over non-null values, a count of the
//! rows that break it, and `mostly`.

use super::{require_column, Outcome, Planner, Rule, Table};
use crate::analyzers::{RowPredicate, RowsMetric};
use arrow_schema::Schema;
use serde_json::Value;
use std::rc::Rc;

/// A rule that holds when (nearly) every non-null value of a column satisfies a predicate.
pub struct ValueRule {
    rule_type: &'static str,
    column: String,
    parameters: Value,
    predicate: Rc<dyn RowPredicate>,
    /// What values must do, e.g. "be between 0 and 100".
    expectation: String,
    analyzer: usize,
}

impl ValueRule {
    pub fn boxed(
        rule_type: &'static str,
        column: String,
        parameters: Value,
        predicate: Rc<dyn RowPredicate>,
        expectation: String,
    ) -> Box<dyn Rule> {
        Box::new(ValueRule { rule_type, column, parameters, predicate, expectation, analyzer: usize::MAX })
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
        self.analyzer = planner.unexpected_rows(&self.column, self.predicate.clone());
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)?;
        let field = schema.field_with_name(&self.column).map_err(|e| e.to_string())?;
        self.predicate.check_type(field.data_type()).map_err(|e| format!("column '{}' {e}", self.column))
    }
    fn evaluate(&self, table: &Table<'_>, mostly: f64) -> Outcome {
        rows_outcome(&table.metrics[self.analyzer], mostly, &self.column, &self.expectation)
    }
}

/// The outcome of a row-by-row rule: it passes when the share of evaluated rows that are not
/// unexpected reaches `mostly` (and trivially when nothing was evaluated, as in Great Expectations).
pub fn rows_outcome(metric: &RowsMetric, mostly: f64, column: &str, expectation: &str) -> Outcome {
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
pub fn format_percent(percent: f64) -> String {
    if percent > 0.0 && percent < 0.01 {
        format!("{percent:.4}%")
    } else {
        format!("{percent:.2}%")
    }
}
