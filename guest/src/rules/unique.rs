//! `unique`: no non-null value occurs twice; every occurrence of a repeated value is unexpected.

use super::{require_column, rows_outcome, Outcome, Planner, Rule, Table};
use crate::document::RuleSpec;
use crate::values::has_value_key;
use arrow_schema::Schema;
use serde_json::{json, Value};

struct Unique {
    column: String,
    analyzer: usize,
}

pub fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    Ok(Box::new(Unique { column: spec.required_column().map_err(|e| e.message)?, analyzer: usize::MAX }))
}

impl Rule for Unique {
    fn rule_type(&self) -> &'static str {
        "unique"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        json!({})
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = planner.duplicate_values(&self.column);
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)?;
        let data_type = schema.field_with_name(&self.column).map_err(|e| e.to_string())?.data_type();
        if !has_value_key(data_type) {
            return Err(format!("column '{}' has type {data_type}, whose values cannot be compared", self.column));
        }
        Ok(())
    }
    fn evaluate(&self, table: &Table<'_>, mostly: f64) -> Outcome {
        rows_outcome(&table.metrics[self.analyzer], mostly, &self.column, "be unique")
    }
}
