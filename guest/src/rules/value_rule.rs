//! The shape every row-by-row rule shares: some rows are unexpected (a null, a repeated value, a
//! value breaking a predicate or the order, values of several columns breaking a predicate
//! together), and the rule holds when their share of the evaluated rows is within `mostly`.

use super::{Outcome, Planner, Rule, Table, require_column};
use crate::analyzers::{ColumnType, Order, RowPredicate, RowsMetric, RowsPredicate, SkipRows};
use crate::values::{has_number_slots, has_value_key};
use arrow_schema::{DataType, Schema};
use serde_json::Value;
use std::rc::Rc;

/// Which rows are unexpected.
pub enum Unexpected {
    /// Null rows (every row is evaluated).
    Nulls,
    /// Non-null rows whose value (or, over several columns, combination of values) occurs more
    /// than once; over several columns only rows missing every value are skipped.
    Repeated,
    /// Non-null rows that break the predicate.
    Breaking(Rc<dyn RowPredicate>),
    /// Non-null rows out of order with the previous non-null row.
    OutOfOrder(Order),
    /// Rows whose values in the rule's columns break the predicate together; rows with missing
    /// values are skipped as `SkipRows` says. The parameter naming each column comes with it.
    BreakingRows { skip: SkipRows, predicate: Rc<dyn RowsPredicate>, parameters: Vec<&'static str> },
}

/// A rule that holds when (nearly) every row of its columns is as expected.
pub struct ValueRule {
    rule_type: &'static str,
    columns: Vec<String>,
    parameters: Value,
    unexpected: Unexpected,
    /// What values must do, e.g. "be between 0 and 100".
    expectation: String,
    analyzer: usize,
}

impl ValueRule {
    /// A rule on the rows of one column.
    pub fn boxed(
        rule_type: &'static str,
        column: String,
        parameters: Value,
        unexpected: Unexpected,
        expectation: impl Into<String>,
    ) -> Box<dyn Rule> {
        Self::over(rule_type, vec![column], parameters, unexpected, expectation)
    }

    /// A rule that the combination of values of `columns` is unique.
    pub fn repeated_rows(rule_type: &'static str, columns: Vec<String>, parameters: Value) -> Box<dyn Rule> {
        Self::over(rule_type, columns, parameters, Unexpected::Repeated, "be unique together")
    }

    /// A rule on the rows of several columns: `columns` pairs each column with the parameter
    /// naming it.
    pub fn over_rows(
        rule_type: &'static str,
        columns: Vec<(String, &'static str)>,
        parameters: Value,
        skip: SkipRows,
        predicate: Rc<dyn RowsPredicate>,
        expectation: impl Into<String>,
    ) -> Box<dyn Rule> {
        let (columns, names): (Vec<String>, Vec<&'static str>) = columns.into_iter().unzip();
        let unexpected = Unexpected::BreakingRows { skip, predicate, parameters: names };
        Self::over(rule_type, columns, parameters, unexpected, expectation)
    }

    fn over(
        rule_type: &'static str,
        columns: Vec<String>,
        parameters: Value,
        unexpected: Unexpected,
        expectation: impl Into<String>,
    ) -> Box<dyn Rule> {
        let expectation = expectation.into();
        Box::new(ValueRule { rule_type, columns, parameters, unexpected, expectation, analyzer: usize::MAX })
    }

    /// How messages name what was tested: `values` of `'x'`, or `rows` of `('a', 'b')`.
    fn subject(&self) -> (&'static str, String) {
        match self.columns.as_slice() {
            [column] => ("values", format!("'{column}'")),
            columns => ("rows", format!("('{}')", columns.join("', '"))),
        }
    }
}

impl Rule for ValueRule {
    fn rule_type(&self) -> &'static str {
        self.rule_type
    }
    fn column(&self) -> Option<&str> {
        self.columns.first().map(String::as_str)
    }
    fn columns(&self) -> Vec<&str> {
        self.columns.iter().map(String::as_str).collect()
    }
    fn parameters(&self) -> Value {
        self.parameters.clone()
    }
    fn plan(&mut self, planner: &mut Planner) {
        let column = &self.columns[0];
        self.analyzer = match &self.unexpected {
            Unexpected::Nulls => planner.null_rows(&self.columns),
            Unexpected::Repeated => planner.distinct_values(&self.columns, None),
            Unexpected::Breaking(predicate) => planner.unexpected_values(column, predicate.clone()),
            Unexpected::OutOfOrder(order) => planner.order_breaks(column, *order),
            Unexpected::BreakingRows { skip, predicate, .. } => {
                planner.unexpected_rows(&self.columns, *skip, predicate.clone())
            }
        };
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        let mut types = Vec::with_capacity(self.columns.len());
        for column in &self.columns {
            require_column(schema, column)?;
            types.push(schema.field_with_name(column).map_err(|e| e.to_string())?.data_type());
        }
        let column_error = |e: String| format!("column '{}' {e}", self.columns[0]);
        let data_type = types[0];
        match &self.unexpected {
            Unexpected::BreakingRows { predicate, parameters, .. } => {
                let columns: Vec<ColumnType<'_>> = self
                    .columns
                    .iter()
                    .zip(parameters)
                    .zip(&types)
                    .map(|((name, parameter), data_type)| ColumnType { name, parameter, data_type })
                    .collect();
                predicate.check_types(&columns)
            }
            // Nothing but nulls (an empty CSV column is typed Null): nothing to test, so value
            // rules evaluate no row and hold, as they do for nulls in any column.
            _ if *data_type == DataType::Null => Ok(()),
            Unexpected::Nulls => Ok(()),
            Unexpected::Repeated => {
                match self.columns.iter().zip(&types).find(|(_, t)| !has_value_key(t) && ***t != DataType::Null) {
                    None => Ok(()),
                    Some((column, t)) => {
                        Err(format!("column '{column}' has type {t}, whose values cannot be compared"))
                    }
                }
            }
            Unexpected::Breaking(predicate) => predicate.check_type(data_type).map_err(column_error),
            Unexpected::OutOfOrder(_) if has_number_slots(data_type) => Ok(()),
            Unexpected::OutOfOrder(_) => Err(column_error(format!(
                "has type {data_type}; {} needs numbers, dates or timestamps",
                self.rule_type
            ))),
        }
    }
    fn evaluate(&self, table: &Table<'_>, mostly: f64) -> Outcome {
        let (noun, columns) = self.subject();
        rows_outcome(table.rows_metric(self.analyzer), mostly, noun, &columns, &self.expectation)
    }
    fn cost(&self) -> u32 {
        match &self.unexpected {
            Unexpected::Nulls | Unexpected::OutOfOrder(_) => 1,
            // A hash table far larger than the cache: the most expensive rule per row.
            Unexpected::Repeated => 10,
            Unexpected::Breaking(predicate) => predicate.cost(),
            Unexpected::BreakingRows { predicate, .. } => predicate.cost(),
        }
    }
}

/// The outcome of a row-by-row rule: it passes when the share of evaluated rows that are not
/// unexpected reaches `mostly` (and trivially when nothing was evaluated, as in Great Expectations).
/// Messages say "3 of 10 {noun} of {columns} fail".
fn rows_outcome(metric: &RowsMetric, mostly: f64, noun: &str, columns: &str, expectation: &str) -> Outcome {
    let RowsMetric { evaluated, unexpected, ref samples } = *metric;
    let ratio = if evaluated == 0 { 1.0 } else { (evaluated - unexpected) as f64 / evaluated as f64 };
    // A tolerance of one part in 10^12 keeps `mostly: 0.95` from failing on 95 of 100 rows
    // because 0.95 has no exact binary form.
    let passed = ratio >= mostly - 1e-12;
    let percent = if evaluated == 0 { 0.0 } else { unexpected as f64 * 100.0 / evaluated as f64 };
    let message = if unexpected == 0 {
        format!("all {evaluated} {noun} of {columns} {}", expectation_met(expectation))
    } else {
        let verdict = if passed { format!(" (within mostly={mostly})") } else { String::new() };
        format!(
            "{unexpected} of {evaluated} {noun} of {columns} ({}) fail{verdict}: {noun} must {expectation}",
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
