//! `row_count`: the number of rows lies within `min` and `max` (inclusive, either optional).

use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table};
use crate::document::RuleSpec;
use serde_json::{Value, json};

const MIN: &[&str] = &["min", "min_value"];
const MAX: &[&str] = &["max", "max_value"];

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "row_count",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "The number of rows lies within the bounds (inclusive).",
        shape: Shape::Table,
        params: &[
            ParamDoc { names: MIN, meaning: "the minimum row count", default: Some("none: no lower bound") },
            ParamDoc { names: MAX, meaning: "the maximum row count", default: Some("none: no upper bound") },
        ],
        nulls: "rows count whatever their values.",
        details: "Give `min`, `max` or both, as whole numbers.",
        example: "- {type: row_count, min: 1}\n- {type: row_count, min: 1000, max: 2000000}",
    },
}];

struct RowCount {
    min: Option<u64>,
    max: Option<u64>,
}

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let min = spec.params.take_number(MIN)?;
    let max = spec.params.take_number(MAX)?;
    spec.forbid_column()?;
    spec.forbid_mostly()?;
    let count = |value: Option<Value>, name: &str| -> Result<Option<u64>, String> {
        value.map(|v| v.as_u64().ok_or(format!("'{name}' must be a whole number >= 0, got {v}"))).transpose()
    };
    let (min, max) = (count(min, "min")?, count(max, "max")?);
    match (min, max) {
        (None, None) => Err("give 'min', 'max' or both".into()),
        (Some(lo), Some(hi)) if lo > hi => Err(format!("'min' ({lo}) is greater than 'max' ({hi})")),
        _ => Ok(Box::new(RowCount { min, max })),
    }
}

impl Rule for RowCount {
    fn rule_type(&self) -> &'static str {
        "row_count"
    }
    fn column(&self) -> Option<&str> {
        None
    }
    fn parameters(&self) -> Value {
        json!({ "min": self.min, "max": self.max })
    }
    fn plan(&mut self, _planner: &mut Planner) {}
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let rows = table.rows;
        let passed = count_within(rows, self.min, self.max);
        let bounds = describe_count_bounds(self.min, self.max);
        let verdict = if passed { "within" } else { "outside" };
        let message = format!("{rows} rows, {verdict} the expected {bounds} rows");
        Outcome { passed, evaluated: 0, unexpected: 0, samples: Vec::new(), observed: Value::from(rows), message }
    }
}

/// Whether `count` lies within the inclusive, optional bounds (row and column counts).
pub(super) fn count_within(count: u64, min: Option<u64>, max: Option<u64>) -> bool {
    min.is_none_or(|m| count >= m) && max.is_none_or(|m| count <= m)
}

/// "between 1 and 5", "at least 1", "at most 5" or "any number of".
pub(super) fn describe_count_bounds(min: Option<u64>, max: Option<u64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
        (Some(lo), None) => format!("at least {lo}"),
        (None, Some(hi)) => format!("at most {hi}"),
        (None, None) => "any number of".into(),
    }
}
