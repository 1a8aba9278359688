//! `in_range` (alias `between`), `greater_than` and `less_than`: numeric, date and timestamp
//! values within bounds. Bounds are inclusive unless `strict_min` / `strict_max`; either may be
//! left open. Integers are compared exactly, never through floats.

use super::interval::Interval;
use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::values::{ValueKind, number_mask, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::{Value, json};
use std::rc::Rc;

const MIN: &[&str] = &["min", "min_value"];
const MAX: &[&str] = &["max", "max_value"];
const STRICT_MIN: &[&str] = &["strict_min"];
const STRICT_MAX: &[&str] = &["strict_max"];
const GREATER_THAN: &[&str] = &["value", "min_value", "threshold"];
const LESS_THAN: &[&str] = &["value", "max_value", "threshold"];

/// How values are compared with bounds, for every range rule.
macro_rules! comparison {
    () => {
        "Applies to numeric, decimal, date and timestamp columns. Integers are compared with \
                          bounds exactly, never through floats; NaN lies outside every range. Date and timestamp \
                          columns take ISO strings as bounds (`'2024-01-31'`, `'2024-01-31T12:00:00Z'`; \
                          timestamps without an offset are UTC)."
    };
}

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "in_range",
        aliases: &["between"],
        build: build_in_range,
        doc: RuleDoc {
            summary: "Every non-null value lies within the bounds.",
            shape: Shape::ColumnRows,
            params: &[
                ParamDoc {
                    names: MIN,
                    meaning: "the lower bound (a number, or an ISO date or timestamp)",
                    default: Some("none: no lower bound"),
                },
                ParamDoc { names: MAX, meaning: "the upper bound", default: Some("none: no upper bound") },
                ParamDoc {
                    names: STRICT_MIN,
                    meaning: "`true` excludes the lower bound itself",
                    default: Some("`false`"),
                },
                ParamDoc {
                    names: STRICT_MAX,
                    meaning: "`true` excludes the upper bound itself",
                    default: Some("`false`"),
                },
            ],
            nulls: "ignored.",
            details: concat!("Give `min`, `max` or both. ", comparison!()),
            example: "- {type: in_range, column: amount, min: 0, max: 10000}\n- {type: between, column: shipped_at, min: '2024-01-01', strict_min: true}",
        },
    },
    RuleType {
        name: "greater_than",
        aliases: &[],
        build: build_greater_than,
        doc: RuleDoc {
            summary: "Every non-null value is strictly greater than `value`.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: GREATER_THAN,
                meaning: "the exclusive lower bound (a number, or an ISO date or timestamp)",
                default: None,
            }],
            nulls: "ignored.",
            details: comparison!(),
            example: "- {type: greater_than, column: quantity, value: 0}",
        },
    },
    RuleType {
        name: "less_than",
        aliases: &[],
        build: build_less_than,
        doc: RuleDoc {
            summary: "Every non-null value is strictly less than `value`.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: LESS_THAN,
                meaning: "the exclusive upper bound (a number, or an ISO date or timestamp)",
                default: None,
            }],
            nulls: "ignored.",
            details: comparison!(),
            example: "- {type: less_than, column: discount, value: 1}",
        },
    },
];

fn build_in_range(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let interval = Interval::take(spec)?;
    let parameters = interval.parameters();
    finish(spec, "in_range", interval, parameters)
}

fn build_greater_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = required_bound(spec, GREATER_THAN)?;
    let parameters = json!({ "value": value });
    finish(
        spec,
        "greater_than",
        Interval { min: Some(value), max: None, strict_min: true, strict_max: false },
        parameters,
    )
}

fn build_less_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = required_bound(spec, LESS_THAN)?;
    let parameters = json!({ "value": value });
    finish(spec, "less_than", Interval { min: None, max: Some(value), strict_min: false, strict_max: true }, parameters)
}

fn required_bound(spec: &mut RuleSpec, names: &'static [&'static str]) -> Result<Value, String> {
    spec.params.take_bound(names)?.ok_or_else(|| format!("missing required field '{}'", names[0]))
}

fn finish(
    spec: &RuleSpec,
    rule_type: &'static str,
    interval: Interval,
    parameters: Value,
) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    let expectation = format!("be {}", interval.describe());
    Ok(ValueRule::boxed(
        rule_type,
        column,
        parameters,
        Unexpected::Breaking(Rc::new(RangePredicate(interval))),
        expectation,
    ))
}

/// Values outside the interval are unexpected.
struct RangePredicate(Interval);

impl RowPredicate for RangePredicate {
    fn key(&self) -> String {
        let Interval { min, max, strict_min, strict_max } = &self.0;
        format!("range:{min:?}:{max:?}:{strict_min}:{strict_max}")
    }

    fn check_type(&self, data_type: &DataType) -> Result<(), String> {
        match value_kind(data_type) {
            ValueKind::Integer | ValueKind::Float | ValueKind::Decimal | ValueKind::Date | ValueKind::Timestamp => {
                self.0.resolve(data_type).map(|_| ())
            }
            _ => Err(format!("has type {data_type}; range rules need numbers, dates or timestamps")),
        }
    }

    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String> {
        let data_type = array.data_type();
        let interval = self.0.resolve(data_type)?;
        number_mask(array, |v| !interval.contains(v))
            .ok_or_else(|| format!("has type {data_type}; range rules need numbers, dates or timestamps"))
    }
}
