//! `column_pair_greater_than` and `column_pair_equal`: in every row, the value of `column_a` is
//! greater than (or equal to) the value of `column_b`. Rows where both values are missing are
//! skipped and rows where one is missing are unexpected, as Great Expectations does by default
//! (`ignore_row_if: both_values_are_missing`).

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, ValueRule};
use crate::analyzers::{ColumnType, RowsPredicate, SkipRows};
use crate::document::RuleSpec;
use crate::values::{
    Number, NumberSlots, StringSlots, ValueKind, compare_numbers, decode_dictionary, has_number_slots,
    nanoseconds_per_unit, value_kind,
};
use arrow_array::{Array, ArrayRef};
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::json;
use std::cmp::Ordering;
use std::rc::Rc;

const COLUMN_A: &[&str] = &["column_a", "column_A"];
const COLUMN_B: &[&str] = &["column_b", "column_B"];
const OR_EQUAL: &[&str] = &["or_equal"];
const IGNORE_ROW_IF: &[&str] = &["ignore_row_if"];

/// Great Expectations' `ignore_row_if` choices for column pairs, the default first.
const SKIPS: &[(&str, SkipRows)] = &[
    ("both_values_are_missing", SkipRows::AllNull),
    ("either_value_is_missing", SkipRows::AnyNull),
    ("neither", SkipRows::Never),
];

const COLUMN_A_DOC: ParamDoc = ParamDoc { names: COLUMN_A, meaning: "the first column", default: None };
const COLUMN_B_DOC: ParamDoc = ParamDoc { names: COLUMN_B, meaning: "the second column", default: None };
const IGNORE_ROW_IF_DOC: ParamDoc = ParamDoc {
    names: IGNORE_ROW_IF,
    meaning: "which rows with missing values to skip: `both_values_are_missing`, `either_value_is_missing` or \
              `neither` (then a row with a null is unexpected)",
    default: Some("`both_values_are_missing`"),
};
const NULLS: &str = "rows where both values are null are skipped; a row where only one is null is evaluated and \
                     unexpected (Great Expectations' default `ignore_row_if: both_values_are_missing`).";

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "column_pair_greater_than",
        aliases: &[],
        build: build_greater_than,
        doc: RuleDoc {
            summary: "In every row, `column_a` is greater than `column_b` (or equal, with `or_equal`).",
            shape: Shape::Rows,
            params: &[
                COLUMN_A_DOC,
                COLUMN_B_DOC,
                ParamDoc { names: OR_EQUAL, meaning: "`true` accepts equal values", default: Some("`false`") },
                IGNORE_ROW_IF_DOC,
            ],
            nulls: NULLS,
            details: "Compares numbers with numbers (integers exactly, also against floats; decimals as floats) and \
                      dates and timestamps with each other (a date is its midnight; units are converted exactly). \
                      NaN is neither greater nor equal. Great Expectations: \
                      `expect_column_pair_values_a_to_be_greater_than_b`.",
            example: "- {type: column_pair_greater_than, column_a: shipped_at, column_b: ordered_at, or_equal: true}",
        },
    },
    RuleType {
        name: "column_pair_equal",
        aliases: &[],
        build: build_equal,
        doc: RuleDoc {
            summary: "In every row, `column_a` equals `column_b`.",
            shape: Shape::Rows,
            params: &[COLUMN_A_DOC, COLUMN_B_DOC, IGNORE_ROW_IF_DOC],
            nulls: NULLS,
            details: "Compares numbers with numbers (an integer equals the same float), dates and timestamps with \
                      each other, and strings with strings (exactly, case-sensitive). NaN equals nothing. Great \
                      Expectations: `expect_column_pair_values_to_be_equal`.",
            example: "- {type: column_pair_equal, column_a: billing_country, column_b: shipping_country, mostly: 0.9}",
        },
    },
];

fn build_greater_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let (a, b) = (spec.params.require_string(COLUMN_A)?, spec.params.require_string(COLUMN_B)?);
    let or_equal = spec.params.take_bool(OR_EQUAL)?.unwrap_or(false);
    let (ignore_row_if, skip) = spec.params.take_choice(IGNORE_ROW_IF, SKIPS)?;
    spec.forbid_column()?;
    let parameters = json!({ "column_a": a, "column_b": b, "or_equal": or_equal, "ignore_row_if": ignore_row_if });
    let expectation = format!("have '{a}' {} '{b}'", if or_equal { ">=" } else { ">" });
    Ok(pair_rule("column_pair_greater_than", a, b, parameters, skip, Comparison::Greater { or_equal }, expectation))
}

fn build_equal(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let (a, b) = (spec.params.require_string(COLUMN_A)?, spec.params.require_string(COLUMN_B)?);
    let (ignore_row_if, skip) = spec.params.take_choice(IGNORE_ROW_IF, SKIPS)?;
    spec.forbid_column()?;
    let parameters = json!({ "column_a": a, "column_b": b, "ignore_row_if": ignore_row_if });
    let expectation = format!("have '{a}' equal to '{b}'");
    Ok(pair_rule("column_pair_equal", a, b, parameters, skip, Comparison::Equal, expectation))
}

fn pair_rule(
    rule_type: &'static str,
    a: String,
    b: String,
    parameters: serde_json::Value,
    skip: SkipRows,
    comparison: Comparison,
    expectation: String,
) -> Box<dyn Rule> {
    let predicate = PairPredicate { rule_type, comparison };
    ValueRule::over_rows(
        rule_type,
        vec![(a, COLUMN_A[0]), (b, COLUMN_B[0])],
        parameters,
        skip,
        Rc::new(predicate),
        expectation,
    )
}

#[derive(Debug, Clone, Copy)]
enum Comparison {
    Greater { or_equal: bool },
    Equal,
}

impl Comparison {
    fn holds(self, order: Option<Ordering>) -> bool {
        match (self, order) {
            (Comparison::Greater { .. }, Some(Ordering::Greater)) => true,
            (Comparison::Greater { or_equal }, Some(Ordering::Equal)) => or_equal,
            (Comparison::Equal, Some(Ordering::Equal)) => true,
            _ => false,
        }
    }
}

struct PairPredicate {
    rule_type: &'static str,
    comparison: Comparison,
}

/// What a column's values can be compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparable {
    Number,
    Time,
    Text,
    Nothing,
}

fn comparable(data_type: &DataType) -> Comparable {
    match value_kind(data_type) {
        ValueKind::Integer | ValueKind::Float | ValueKind::Decimal if has_number_slots(data_type) => Comparable::Number,
        ValueKind::Date | ValueKind::Timestamp => Comparable::Time,
        ValueKind::String => Comparable::Text,
        _ => Comparable::Nothing,
    }
}

/// A number in a common unit: dates and timestamps in nanoseconds.
fn in_nanoseconds(value: Number, per_unit: i128) -> Number {
    match value {
        Number::Int(v) => Number::Int(v * per_unit),
        float => float,
    }
}

impl RowsPredicate for PairPredicate {
    fn key(&self) -> String {
        format!("pair:{:?}", self.comparison)
    }

    fn check_types(&self, columns: &[ColumnType<'_>]) -> Result<(), String> {
        let [a, b] = columns else { return Err("a column pair needs exactly two columns".into()) };
        if *a.data_type == DataType::Null || *b.data_type == DataType::Null {
            return Ok(());
        }
        let kinds = (comparable(a.data_type), comparable(b.data_type));
        let strings_allowed = matches!(self.comparison, Comparison::Equal);
        match kinds {
            (Comparable::Number, Comparable::Number) | (Comparable::Time, Comparable::Time) => Ok(()),
            (Comparable::Text, Comparable::Text) if strings_allowed => Ok(()),
            _ => Err(format!(
                "column '{}' ({}) has type {} and column '{}' ({}) has type {}; {} compares numbers with numbers \
                 and dates or timestamps with each other{}",
                a.name,
                a.parameter,
                a.data_type,
                b.name,
                b.parameter,
                b.data_type,
                self.rule_type,
                if strings_allowed { ", strings with strings" } else { "" }
            )),
        }
    }

    fn unexpected(&self, arrays: &[ArrayRef]) -> Result<BooleanBuffer, String> {
        let [a, b] = arrays else { return Err("a column pair needs exactly two columns".into()) };
        let (a, b) = (decode_dictionary(a)?, decode_dictionary(b)?);
        let comparison = self.comparison;
        if let (Some(x), Some(y)) = (StringSlots::of(a.as_ref()), StringSlots::of(b.as_ref())) {
            return Ok(BooleanBuffer::collect_bool(a.len(), |i| !comparison.holds(Some(x.get(i).cmp(y.get(i))))));
        }
        let (Some(x), Some(y)) = (NumberSlots::of(a.as_ref()), NumberSlots::of(b.as_ref())) else {
            return Err(format!("cannot compare {} with {}", a.data_type(), b.data_type()));
        };
        // Different date and timestamp units meet in nanoseconds; equal types compare as stored.
        let (per_x, per_y) = match (nanoseconds_per_unit(a.data_type()), nanoseconds_per_unit(b.data_type())) {
            (Some(per_x), Some(per_y)) if per_x != per_y => (per_x, per_y),
            _ => (1, 1),
        };
        Ok(BooleanBuffer::collect_bool(a.len(), |i| {
            let order = compare_numbers(in_nanoseconds(x.get(i), per_x), in_nanoseconds(y.get(i), per_y));
            !comparison.holds(order)
        }))
    }
}
