//! Rules about the data's columns as a whole: `column_count`, `columns_match_set` and
//! `columns_match_ordered_list`. They read the source's full column list, also when the host
//! feeds only the columns other rules need.

use super::row_count::{count_within, describe_count_bounds};
use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table};
use crate::document::RuleSpec;
use arrow_schema::Schema;
use serde_json::{Value, json};

const MIN: &[&str] = &["min", "min_value"];
const MAX: &[&str] = &["max", "max_value"];
const VALUE: &[&str] = &["value"];
const COLUMN_SET: &[&str] = &["columns", "column_set"];
const EXACT_MATCH: &[&str] = &["exact_match"];
const COLUMN_LIST: &[&str] = &["columns", "column_list"];

/// Where the column list comes from, for every schema rule.
macro_rules! source_columns {
    () => {
        "Column names are case-sensitive. The rule sees every column of the source, also when only the columns \
         other rules read are read (Parquet, Arrow, CSV projections)."
    };
}

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "column_count",
        aliases: &[],
        build: build_column_count,
        doc: RuleDoc {
            summary: "The number of columns is `value`, or lies within `min` and `max` (inclusive).",
            shape: Shape::Table,
            params: &[
                ParamDoc {
                    names: VALUE,
                    meaning: "the exact number of columns",
                    default: Some("none: bounds instead"),
                },
                ParamDoc {
                    names: MIN,
                    meaning: "the minimum number of columns",
                    default: Some("none: no lower bound"),
                },
                ParamDoc {
                    names: MAX,
                    meaning: "the maximum number of columns",
                    default: Some("none: no upper bound"),
                },
            ],
            nulls: "not read.",
            details: concat!(
                "Give `value`, or `min`, `max` or both. Great Expectations: `expect_table_column_count_to_equal`, \
                 `expect_table_column_count_to_be_between`. ",
                source_columns!()
            ),
            example: "- {type: column_count, value: 12}\n- {type: column_count, min: 3, max: 40}",
        },
    },
    RuleType {
        name: "columns_match_set",
        aliases: &[],
        build: build_columns_match_set,
        doc: RuleDoc {
            summary: "The data has the listed columns (and, with `exact_match`, no others), in any order.",
            shape: Shape::Table,
            params: &[
                ParamDoc { names: COLUMN_SET, meaning: "the column names", default: None },
                ParamDoc {
                    names: EXACT_MATCH,
                    meaning: "`true`: exactly these columns; `false`: at least these, others allowed",
                    default: Some("`true`"),
                },
            ],
            nulls: "not read.",
            details: concat!(
                "The observed value is the data's column list; the message names the missing and the unexpected \
                 columns. Great Expectations: `expect_table_columns_to_match_set`. ",
                source_columns!()
            ),
            example: "- {type: columns_match_set, columns: [order_id, amount, status], exact_match: false}",
        },
    },
    RuleType {
        name: "columns_match_ordered_list",
        aliases: &[],
        build: build_columns_match_ordered_list,
        doc: RuleDoc {
            summary: "The data's columns are exactly the listed ones, in this order.",
            shape: Shape::Table,
            params: &[ParamDoc { names: COLUMN_LIST, meaning: "the column names in order", default: None }],
            nulls: "not read.",
            details: concat!(
                "The message names the first positions that differ. Great Expectations: \
                 `expect_table_columns_to_match_ordered_list`. ",
                source_columns!()
            ),
            example: "- {type: columns_match_ordered_list, columns: [order_id, customer_id, amount, status]}",
        },
    },
];

fn build_column_count(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = spec.params.take_number(VALUE)?;
    let min = spec.params.take_number(MIN)?;
    let max = spec.params.take_number(MAX)?;
    spec.forbid_column()?;
    spec.forbid_mostly()?;
    let count = |value: Option<Value>, name: &str| -> Result<Option<u64>, String> {
        value.map(|v| v.as_u64().ok_or(format!("'{name}' must be a whole number >= 0, got {v}"))).transpose()
    };
    let (value, min, max) = (count(value, "value")?, count(min, "min")?, count(max, "max")?);
    let (min, max) = match (value, min, max) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err("give 'value', or 'min' and 'max', not both".into());
        }
        (Some(exact), None, None) => (Some(exact), Some(exact)),
        (None, None, None) => return Err("give 'value', 'min', 'max' or both bounds".into()),
        (None, Some(lo), Some(hi)) if lo > hi => return Err(format!("'min' ({lo}) is greater than 'max' ({hi})")),
        (None, min, max) => (min, max),
    };
    Ok(Box::new(ColumnCount { value, min, max }))
}

fn build_columns_match_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let listed = spec.params.require_list(COLUMN_SET)?;
    let exact_match = spec.params.take_bool(EXACT_MATCH)?.unwrap_or(true);
    spec.forbid_column()?;
    spec.forbid_mostly()?;
    Ok(Box::new(ColumnsMatch { columns: column_names(listed)?, order: Match::Set { exact_match } }))
}

fn build_columns_match_ordered_list(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let listed = spec.params.require_list(COLUMN_LIST)?;
    spec.forbid_column()?;
    spec.forbid_mostly()?;
    Ok(Box::new(ColumnsMatch { columns: column_names(listed)?, order: Match::OrderedList }))
}

/// The listed column names: strings, each once.
fn column_names(listed: Vec<Value>) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    for item in listed {
        let Value::String(name) = item else { return Err(format!("'columns' must list column names, got {item}")) };
        if names.contains(&name) {
            return Err(format!("'columns' lists '{name}' twice"));
        }
        names.push(name);
    }
    Ok(names)
}

fn names(schema: &Schema) -> Vec<&str> {
    schema.fields().iter().map(|f| f.name().as_str()).collect()
}

/// `'a', 'b'`.
fn quoted(names: &[&str]) -> String {
    names.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ")
}

/// A table rule's outcome: no rows are evaluated.
fn table_outcome(passed: bool, observed: Value, message: String) -> Outcome {
    Outcome { passed, evaluated: 0, unexpected: 0, samples: Vec::new(), observed, message }
}

struct ColumnCount {
    /// The exact count, when given as `value` (then `min` and `max` are it).
    value: Option<u64>,
    min: Option<u64>,
    max: Option<u64>,
}

impl Rule for ColumnCount {
    fn rule_type(&self) -> &'static str {
        "column_count"
    }
    fn column(&self) -> Option<&str> {
        None
    }
    fn parameters(&self) -> Value {
        match self.value {
            Some(value) => json!({ "value": value }),
            None => json!({ "min": self.min, "max": self.max }),
        }
    }
    fn plan(&mut self, _planner: &mut Planner) {}
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let count = table.schema.fields().len() as u64;
        let passed = count_within(count, self.min, self.max);
        let expected = match self.value {
            Some(value) => format!("exactly {value}"),
            None => describe_count_bounds(self.min, self.max),
        };
        let verdict = if passed { "as expected" } else { "expected" };
        table_outcome(passed, Value::from(count), format!("the data has {count} columns, {verdict}: {expected}"))
    }
}

#[derive(Debug, Clone, Copy)]
enum Match {
    Set { exact_match: bool },
    OrderedList,
}

struct ColumnsMatch {
    columns: Vec<String>,
    order: Match,
}

impl Rule for ColumnsMatch {
    fn rule_type(&self) -> &'static str {
        match self.order {
            Match::Set { .. } => "columns_match_set",
            Match::OrderedList => "columns_match_ordered_list",
        }
    }
    fn column(&self) -> Option<&str> {
        None
    }
    fn parameters(&self) -> Value {
        match self.order {
            Match::Set { exact_match } => json!({ "columns": self.columns, "exact_match": exact_match }),
            Match::OrderedList => json!({ "columns": self.columns }),
        }
    }
    fn plan(&mut self, _planner: &mut Planner) {}
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let actual = names(table.schema);
        let missing: Vec<&str> =
            self.columns.iter().map(String::as_str).filter(|name| !actual.contains(name)).collect();
        let extra: Vec<&str> = actual.iter().copied().filter(|name| !self.columns.iter().any(|c| c == name)).collect();
        let observed = json!(actual);
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing {}", quoted(&missing)));
        }
        let passed = match self.order {
            Match::Set { exact_match } => {
                if exact_match && !extra.is_empty() {
                    problems.push(format!("unexpected {}", quoted(&extra)));
                }
                problems.is_empty()
            }
            Match::OrderedList => {
                if !extra.is_empty() {
                    problems.push(format!("unexpected {}", quoted(&extra)));
                }
                let misplaced: Vec<String> = (0..actual.len().max(self.columns.len()))
                    .filter(|&i| actual.get(i).copied() != self.columns.get(i).map(String::as_str))
                    .take(3)
                    .map(|i| {
                        let found = actual.get(i).map_or("nothing".into(), |name| format!("'{name}'"));
                        let expected = self.columns.get(i).map_or("nothing".into(), |name| format!("'{name}'"));
                        format!("position {} has {found}, expected {expected}", i + 1)
                    })
                    .collect();
                problems.extend(misplaced);
                problems.is_empty()
            }
        };
        let message = if passed {
            match self.order {
                Match::Set { exact_match: true } => {
                    format!("the data's {} columns are exactly the listed ones", actual.len())
                }
                Match::Set { exact_match: false } => format!("the data has all {} listed columns", self.columns.len()),
                Match::OrderedList => format!("the data's {} columns are the listed ones, in order", actual.len()),
            }
        } else {
            format!("the data's columns [{}] do not match: {}", quoted(&actual), problems.join("; "))
        };
        table_outcome(passed, observed, message)
    }
}
