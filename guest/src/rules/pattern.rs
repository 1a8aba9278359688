//! `regex` and `not_regex`: string values must (not) contain a match of a regular expression.
//! Like Great Expectations this is a search: anchor with `^...$` for a whole-value match.

mod lanes;

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::values::{StringSlots, ValueKind, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use lanes::LaneMatcher;
use regex::Regex;
use serde_json::json;
use std::rc::Rc;

const PATTERN: &[&str] = &["pattern", "regex"];

/// Matching semantics, for both rules.
const SEARCH: &str = "The pattern is searched for anywhere in the value, as in Great Expectations \
                      (`expect_column_values_to_match_regex`): anchor it with `^...$` to match the whole value. \
                      Syntax: Rust `regex` (Perl-like, Unicode-aware; no look-around and no backreferences, \
                      which keeps matching linear in the value's length). Applies to string columns.";

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "regex",
        aliases: &[],
        build: build_regex,
        doc: RuleDoc {
            summary: "Every non-null string contains a match of the pattern.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc { names: PATTERN, meaning: "the regular expression", default: None }],
            nulls: "ignored.",
            details: SEARCH,
            example: "- {type: regex, column: sku, pattern: '^[A-Z]{3}-[0-9]{4}$'}",
        },
    },
    RuleType {
        name: "not_regex",
        aliases: &[],
        build: build_not_regex,
        doc: RuleDoc {
            summary: "No non-null string contains a match of the pattern.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc { names: PATTERN, meaning: "the regular expression", default: None }],
            nulls: "ignored.",
            details: SEARCH,
            example: "- {type: not_regex, column: comment, pattern: '<script'}",
        },
    },
];

fn build_regex(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    build(spec, false)
}

fn build_not_regex(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    build(spec, true)
}

fn build(spec: &mut RuleSpec, forbidden: bool) -> Result<Box<dyn Rule>, String> {
    let pattern = spec.params.require_string(PATTERN)?;
    let column = spec.required_column()?;
    let regex = Regex::new(&pattern).map_err(|e| format!("invalid pattern: {e}"))?;
    let (rule_type, expectation) = if forbidden {
        ("not_regex", format!("not match /{pattern}/"))
    } else {
        ("regex", format!("match /{pattern}/"))
    };
    let predicate = PatternPredicate { lanes: LaneMatcher::new(&pattern), regex, forbidden };
    Ok(ValueRule::boxed(
        rule_type,
        column,
        json!({ "pattern": pattern }),
        Unexpected::Breaking(Rc::new(predicate)),
        expectation,
    ))
}

struct PatternPredicate {
    /// The fast matcher, for patterns a small DFA decides.
    lanes: Option<LaneMatcher>,
    regex: Regex,
    forbidden: bool,
}

impl RowPredicate for PatternPredicate {
    fn key(&self) -> String {
        format!("regex:{}:{}", self.forbidden, self.regex.as_str())
    }

    fn check_type(&self, data_type: &DataType) -> Result<(), String> {
        match value_kind(data_type) {
            ValueKind::String => Ok(()),
            _ => Err(format!("has type {data_type}; pattern rules need a string column")),
        }
    }

    fn cost(&self) -> u32 {
        4
    }

    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String> {
        let slots = StringSlots::of(array)
            .ok_or_else(|| format!("has type {}; pattern rules need a string column", array.data_type()))?;
        Ok(match &self.lanes {
            Some(lanes) => {
                let matched = lanes.decide_all(array.len(), |i| slots.get(i).as_bytes());
                BooleanBuffer::collect_bool(matched.len(), |i| matched[i] == self.forbidden)
            }
            None => slots.mask(|s| self.regex.is_match(s) == self.forbidden),
        })
    }
}
