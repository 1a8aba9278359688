//! `column_exists`: the data has the column. A missing column fails this rule instead of being an
//! error, so it is the way to assert on optional columns.

use super::{Outcome, Planner, Rule, RuleDoc, RuleType, Shape, Table};
use crate::document::RuleSpec;
use serde_json::{Value, json};

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "column_exists",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "The data has the column.",
        shape: Shape::Column,
        params: &[],
        nulls: "not read.",
        details: "A missing column fails this rule instead of being an error, so it is the way to assert on \
                  optional columns. Column names are case-sensitive. The rule sees every column of the source, also when \
                  the host reads only the columns other rules need, and does not make the host read this one.",
        example: "- {type: column_exists, column: customer_id}",
    },
}];

struct ColumnExists {
    column: String,
}

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    spec.forbid_mostly()?;
    Ok(Box::new(ColumnExists { column: spec.required_column()? }))
}

impl Rule for ColumnExists {
    fn rule_type(&self) -> &'static str {
        "column_exists"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn reads_values(&self) -> bool {
        false
    }
    fn parameters(&self) -> Value {
        json!({})
    }
    fn plan(&mut self, _planner: &mut Planner) {}
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let passed = table.schema.field_with_name(&self.column).is_ok();
        let message = if passed {
            format!("column '{}' exists", self.column)
        } else {
            format!("column '{}' is missing", self.column)
        };
        Outcome { passed, evaluated: 0, unexpected: 0, samples: Vec::new(), observed: Value::from(passed), message }
    }
}
