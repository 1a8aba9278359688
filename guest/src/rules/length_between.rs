//! `length_between`: string lengths in characters lie within `min` and `max` (inclusive, either
//! optional; `min` = `max` asks for one exact length). The one-rule form of Great Expectations'
//! `expect_column_value_lengths_to_be_between` / `..._to_equal` and pandera's `str_length`.

use super::length::LengthPredicate;
use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::document::RuleSpec;
use serde_json::{Value, json};
use std::rc::Rc;

const MIN: &[&str] = &["min", "min_value", "min_length"];
const MAX: &[&str] = &["max", "max_value", "max_length"];

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "length_between",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "Every non-null string has from `min` to `max` characters.",
        shape: Shape::ColumnRows,
        params: &[
            ParamDoc {
                names: MIN,
                meaning: "the minimum length, a whole number (inclusive)",
                default: Some("none: no minimum"),
            },
            ParamDoc {
                names: MAX,
                meaning: "the maximum length, a whole number (inclusive)",
                default: Some("none: no maximum"),
            },
        ],
        nulls: "ignored.",
        details: "Give `min`, `max` or both; equal bounds ask for one exact length. Lengths count characters \
                  (Unicode scalar values), not bytes. Applies to string columns.",
        example: "- {type: length_between, column: country, min: 2, max: 2}",
    },
}];

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let min = spec.params.take_number(MIN)?;
    let max = spec.params.take_number(MAX)?;
    let column = spec.required_column()?;
    let length = |value: Option<Value>, name: &str| -> Result<Option<u64>, String> {
        value.map(|v| v.as_u64().ok_or(format!("'{name}' must be a whole number >= 0, got {v}"))).transpose()
    };
    let (min, max) = (length(min, "min")?, length(max, "max")?);
    let expectation = match (min, max) {
        (None, None) => return Err("give 'min', 'max' or both".into()),
        (Some(lo), Some(hi)) if lo > hi => return Err(format!("'min' ({lo}) is greater than 'max' ({hi})")),
        (Some(lo), Some(hi)) if lo == hi => format!("have exactly {lo} characters"),
        (Some(lo), Some(hi)) => format!("have {lo} to {hi} characters"),
        (Some(lo), None) => format!("have at least {lo} characters"),
        (None, Some(hi)) => format!("have at most {hi} characters"),
    };
    Ok(ValueRule::boxed(
        "length_between",
        column,
        json!({ "min": min, "max": max }),
        Unexpected::Breaking(Rc::new(LengthPredicate { min, max })),
        expectation,
    ))
}
