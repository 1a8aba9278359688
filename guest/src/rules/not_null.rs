//! `not_null`: every row has a value.

use super::{require_column, rows_outcome, Outcome, Planner, Rule, Table};
use crate::document::RuleSpec;
use arrow_schema::Schema;
use serde_json::{json, Value};

struct NotNull {
    column: String,
    analyzer: usize,
}

pub fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    Ok(Box::new(NotNull { column: spec.required_column().map_err(|e| e.message)?, analyzer: usize::MAX }))
}

impl Rule for NotNull {
    fn rule_type(&self) -> &'static str {
        "not_null"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        json!({})
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = planner.null_rows(&self.column);
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)
    }
    fn evaluate(&self, table: &Table<'_>, mostly: f64) -> Outcome {
        rows_outcome(&table.metrics[self.analyzer], mostly, &self.column, "be non-null")
    }
}
