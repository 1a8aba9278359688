//! `not_null`: every row has a value.

use super::{Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::document::RuleSpec;
use serde_json::json;

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "not_null",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "No value of the column is null.",
        shape: Shape::ColumnRows,
        params: &[],
        nulls: "every row is evaluated; the null ones are unexpected (an empty CSV field reads as null).",
        details: "",
        example: "- {type: not_null, column: order_id}",
    },
}];

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    Ok(ValueRule::boxed("not_null", column, json!({}), Unexpected::Nulls, "be non-null"))
}
