//! `unique`: no non-null value occurs twice; every occurrence of a repeated value is unexpected.

use super::{Rule, Unexpected, ValueRule};
use crate::document::RuleSpec;
use serde_json::json;

pub fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    Ok(ValueRule::boxed("unique", column, json!({}), Unexpected::Repeated, "be unique"))
}
