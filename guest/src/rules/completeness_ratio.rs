//! `completeness_ratio`: the share of non-null values reaches `min_ratio`.

use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table, require_column};
use crate::document::RuleSpec;
use arrow_schema::Schema;
use serde_json::{Value, json};

const MIN_RATIO: &[&str] = &["min_ratio", "ratio", "min_completeness"];

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "completeness_ratio",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "The share of non-null values reaches `min_ratio`.",
        shape: Shape::Column,
        params: &[ParamDoc {
            names: MIN_RATIO,
            meaning: "the minimum share of non-null rows, from 0 to 1",
            default: None,
        }],
        nulls: "counted: the observed value is the non-null share of all rows (1 for an empty table).",
        details: "`not_null` with `mostly` asserts the same thing row by row; this rule reports the ratio itself.",
        example: "- {type: completeness_ratio, column: email, min_ratio: 0.95}",
    },
}];

struct CompletenessRatio {
    column: String,
    min_ratio: f64,
    analyzer: usize,
}

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let min_ratio = spec.params.take_number(MIN_RATIO)?;
    let column = spec.required_column()?;
    spec.forbid_mostly()?;
    let min_ratio = min_ratio
        .ok_or("missing required field 'min_ratio'")?
        .as_f64()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or("'min_ratio' must be a number from 0 to 1")?;
    Ok(Box::new(CompletenessRatio { column, min_ratio, analyzer: usize::MAX }))
}

impl Rule for CompletenessRatio {
    fn rule_type(&self) -> &'static str {
        "completeness_ratio"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        json!({ "min_ratio": self.min_ratio })
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = planner.null_rows(std::slice::from_ref(&self.column));
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)
    }
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let metric = table.rows_metric(self.analyzer);
        let ratio = if metric.evaluated == 0 {
            1.0
        } else {
            (metric.evaluated - metric.unexpected) as f64 / metric.evaluated as f64
        };
        let passed = ratio >= self.min_ratio - 1e-12;
        let relation = if passed { "at least" } else { "below" };
        let message = format!(
            "column '{}' is {:.2}% complete ({} nulls in {} rows), {relation} the minimum {:.2}%",
            self.column,
            ratio * 100.0,
            metric.unexpected,
            metric.evaluated,
            self.min_ratio * 100.0
        );
        Outcome {
            passed,
            evaluated: metric.evaluated,
            unexpected: metric.unexpected,
            samples: metric.samples.clone(),
            observed: Value::from(ratio),
            message,
        }
    }
}
