//! `unique`: no non-null value occurs twice; every occurrence of a repeated value is unexpected.

use super::{Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::document::RuleSpec;
use serde_json::json;

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "unique",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "No non-null value occurs more than once.",
        shape: Shape::ColumnRows,
        params: &[],
        nulls: "ignored: nulls are neither evaluated nor duplicates of each other.",
        details: "Every occurrence of a repeated value is unexpected, the first one included (as in Great \
                  Expectations), so `mostly` bounds the share of rows involved in duplicates. Works on numbers, \
                  strings, booleans, dates, timestamps and decimals; `-0.0` equals `0.0` and NaN equals NaN. \
                  Counts are exact (no sketch): memory grows with the number of distinct values.",
        example: "- {type: unique, column: email, mostly: 0.99}",
    },
}];

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    Ok(ValueRule::boxed("unique", column, json!({}), Unexpected::Repeated, "be unique"))
}
