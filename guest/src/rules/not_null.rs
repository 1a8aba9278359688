//! `not_null`: every row has a value.

use super::{Rule, Unexpected, ValueRule};
use crate::document::RuleSpec;
use serde_json::json;

pub fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    Ok(ValueRule::boxed("not_null", column, json!({}), Unexpected::Nulls, "be non-null"))
}
