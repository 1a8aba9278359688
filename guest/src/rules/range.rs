//! `in_range` (alias `between`), `greater_than` and `less_than`: numeric, date and timestamp
//! values within bounds. Bounds are inclusive unless `strict_min` / `strict_max`; either may be
//! left open. Integers are compared exactly, never through floats.

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::temporal::{parse_date, parse_timestamp};
use crate::values::{Number, ValueKind, compare_numbers, number_mask, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::{Value, json};
use std::cmp::Ordering;
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
    let min = spec.params.take_bound(MIN)?;
    let max = spec.params.take_bound(MAX)?;
    let strict_min = spec.params.take_bool(STRICT_MIN)?.unwrap_or(false);
    let strict_max = spec.params.take_bool(STRICT_MAX)?.unwrap_or(false);
    if min.is_none() && max.is_none() {
        return Err("give 'min', 'max' or both".into());
    }
    let parameters = json!({ "min": min, "max": max, "strict_min": strict_min, "strict_max": strict_max });
    finish(spec, "in_range", RangePredicate { min, max, strict_min, strict_max }, parameters)
}

fn build_greater_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = required_bound(spec, GREATER_THAN)?;
    let parameters = json!({ "value": value });
    finish(
        spec,
        "greater_than",
        RangePredicate { min: Some(value), max: None, strict_min: true, strict_max: false },
        parameters,
    )
}

fn build_less_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = required_bound(spec, LESS_THAN)?;
    let parameters = json!({ "value": value });
    finish(
        spec,
        "less_than",
        RangePredicate { min: None, max: Some(value), strict_min: false, strict_max: true },
        parameters,
    )
}

fn required_bound(spec: &mut RuleSpec, names: &'static [&'static str]) -> Result<Value, String> {
    spec.params.take_bound(names)?.ok_or_else(|| format!("missing required field '{}'", names[0]))
}

fn finish(
    spec: &RuleSpec,
    rule_type: &'static str,
    predicate: RangePredicate,
    parameters: Value,
) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    let expectation = predicate.describe();
    Ok(ValueRule::boxed(rule_type, column, parameters, Unexpected::Breaking(Rc::new(predicate)), expectation))
}

struct RangePredicate {
    min: Option<Value>,
    max: Option<Value>,
    strict_min: bool,
    strict_max: bool,
}

impl RangePredicate {
    fn describe(&self) -> String {
        let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
        match (&self.min, &self.max) {
            (Some(min), Some(max)) => {
                let low = if self.strict_min { "exclusive" } else { "inclusive" };
                let high = if self.strict_max { "exclusive" } else { "inclusive" };
                if low == high {
                    format!("be between {} and {} ({low})", text(min), text(max))
                } else {
                    format!("be between {} ({low}) and {} ({high})", text(min), text(max))
                }
            }
            (Some(min), None) => format!("be {} {}", if self.strict_min { ">" } else { ">=" }, text(min)),
            (None, Some(max)) => format!("be {} {}", if self.strict_max { "<" } else { "<=" }, text(max)),
            (None, None) => "be any value".into(),
        }
    }

    /// A bound in the column's own terms: an exact integer (also days or ticks) or a float.
    fn resolve(bound: &Option<Value>, data_type: &DataType) -> Result<Option<Number>, String> {
        let Some(value) = bound else { return Ok(None) };
        let number = |value: &Value| -> Option<Number> {
            let n = value.as_number()?;
            n.as_i64()
                .map(|i| Number::Int(i as i128))
                .or_else(|| n.as_u64().map(|u| Number::Int(u as i128)))
                .or_else(|| n.as_f64().map(Number::Float))
        };
        let kind = value_kind(data_type);
        let resolved = match (kind, value) {
            (ValueKind::Integer | ValueKind::Float | ValueKind::Decimal, Value::Number(_)) => number(value),
            (ValueKind::Date, Value::String(text)) => match data_type {
                DataType::Date64 => parse_date(text).map(|d| Number::Int(d as i128 * 86_400_000)),
                _ => parse_date(text).map(|d| Number::Int(d as i128)),
            },
            (ValueKind::Timestamp, Value::String(text)) => match data_type {
                DataType::Timestamp(unit, _) => parse_timestamp(text, *unit).map(|t| Number::Int(t as i128)),
                _ => None,
            },
            (ValueKind::Date | ValueKind::Timestamp, Value::Number(_)) => number(value),
            _ => None,
        };
        match resolved {
            Some(bound) => Ok(Some(bound)),
            None if matches!(kind, ValueKind::Date | ValueKind::Timestamp) => Err(format!(
                "has type {data_type}: the bound {value} must be an ISO date or timestamp like \"2024-01-31\""
            )),
            None => Err(format!("has type {data_type}: the bound {value} must be a number")),
        }
    }
}

impl RowPredicate for RangePredicate {
    fn key(&self) -> String {
        format!("range:{:?}:{:?}:{}:{}", self.min, self.max, self.strict_min, self.strict_max)
    }

    fn check_type(&self, data_type: &DataType) -> Result<(), String> {
        match value_kind(data_type) {
            ValueKind::Integer | ValueKind::Float | ValueKind::Decimal | ValueKind::Date | ValueKind::Timestamp => {
                Self::resolve(&self.min, data_type)?;
                Self::resolve(&self.max, data_type)?;
                Ok(())
            }
            _ => Err(format!("has type {data_type}; range rules need numbers, dates or timestamps")),
        }
    }

    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String> {
        let data_type = array.data_type();
        let min = Self::resolve(&self.min, data_type)?;
        let max = Self::resolve(&self.max, data_type)?;
        let (strict_min, strict_max) = (self.strict_min, self.strict_max);
        // NaN compares with nothing, so it is outside every range.
        let outside = |v: Number| {
            let below = min.is_some_and(|b| match compare_numbers(v, b) {
                Some(Ordering::Less) | None => true,
                Some(Ordering::Equal) => strict_min,
                Some(Ordering::Greater) => false,
            });
            let above = max.is_some_and(|b| match compare_numbers(v, b) {
                Some(Ordering::Greater) | None => true,
                Some(Ordering::Equal) => strict_max,
                Some(Ordering::Less) => false,
            });
            below || above
        };
        number_mask(array, outside)
            .ok_or_else(|| format!("has type {data_type}; range rules need numbers, dates or timestamps"))
    }
}
