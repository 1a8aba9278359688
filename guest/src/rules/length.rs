//! `min_length` and `max_length`: string lengths in characters (Unicode scalar values), not bytes.

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::values::{ValueKind, string_mask, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::json;
use std::rc::Rc;

const MIN_LENGTH: &[&str] = &["min_length", "min_len", "length", "value"];
const MAX_LENGTH: &[&str] = &["max_length", "max_len", "value"];

/// How lengths are counted, for both rules.
const CHARACTERS: &str = "Lengths count characters (Unicode scalar values), not bytes: `héllo` has 5. Applies to \
                          string columns.";

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "min_length",
        aliases: &[],
        build: build_min_length,
        doc: RuleDoc {
            summary: "Every non-null string has at least `min_length` characters.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc { names: MIN_LENGTH, meaning: "the minimum length, a whole number", default: None }],
            nulls: "ignored.",
            details: CHARACTERS,
            example: "- {type: min_length, column: password_hash, min_length: 60}",
        },
    },
    RuleType {
        name: "max_length",
        aliases: &[],
        build: build_max_length,
        doc: RuleDoc {
            summary: "Every non-null string has at most `max_length` characters.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc { names: MAX_LENGTH, meaning: "the maximum length, a whole number", default: None }],
            nulls: "ignored.",
            details: CHARACTERS,
            example: "- {type: max_length, column: country, max_length: 2}",
        },
    },
];

fn build_min_length(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let min = spec.params.require_count(MIN_LENGTH)?;
    let column = spec.required_column()?;
    let predicate = LengthPredicate { min: Some(min), max: None };
    let expectation = format!("have at least {min} characters");
    Ok(ValueRule::boxed(
        "min_length",
        column,
        json!({ "min_length": min }),
        Unexpected::Breaking(Rc::new(predicate)),
        expectation,
    ))
}

fn build_max_length(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let max = spec.params.require_count(MAX_LENGTH)?;
    let column = spec.required_column()?;
    let predicate = LengthPredicate { min: None, max: Some(max) };
    let expectation = format!("have at most {max} characters");
    Ok(ValueRule::boxed(
        "max_length",
        column,
        json!({ "max_length": max }),
        Unexpected::Breaking(Rc::new(predicate)),
        expectation,
    ))
}

/// String lengths outside `min..=max` (either bound open) are unexpected.
pub(super) struct LengthPredicate {
    pub(super) min: Option<u64>,
    pub(super) max: Option<u64>,
}

/// Characters in `s`: every byte that does not continue a UTF-8 sequence starts a character.
fn char_count(s: &str) -> u64 {
    s.as_bytes().iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

impl RowPredicate for LengthPredicate {
    fn key(&self) -> String {
        format!("length:{:?}:{:?}", self.min, self.max)
    }

    fn check_type(&self, data_type: &DataType) -> Result<(), String> {
        match value_kind(data_type) {
            ValueKind::String => Ok(()),
            _ => Err(format!("has type {data_type}; length rules need a string column")),
        }
    }

    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String> {
        let (min, max) = (self.min.unwrap_or(0), self.max.unwrap_or(u64::MAX));
        string_mask(array, |s| {
            let n = char_count(s);
            n < min || n > max
        })
        .ok_or_else(|| format!("has type {}; length rules need a string column", array.data_type()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(super::char_count("héllo"), 5);
        assert_eq!(super::char_count("日本"), 2);
        assert_eq!(super::char_count("🦀a"), 2);
        assert_eq!(super::char_count(""), 0);
    }
}
