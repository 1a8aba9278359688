//! Intervals with optional, inclusive or strict bounds, resolved against a column's type:
//! numbers compare exactly (integers never through floats), dates and timestamps take ISO text.

use super::ParamDoc;
use crate::document::RuleSpec;
use crate::temporal::{parse_date, parse_timestamp};
use crate::values::{Number, ValueKind, compare_numbers, value_kind};
use arrow_schema::DataType;
use serde_json::{Value, json};
use std::cmp::Ordering;

/// The parameters of an interval, for the reference documentation of rules that bound a number.
pub const INTERVAL_PARAMS: &[ParamDoc] = &[
    ParamDoc { names: &["min", "min_value"], meaning: "the lower bound", default: Some("none: no lower bound") },
    ParamDoc { names: &["max", "max_value"], meaning: "the upper bound", default: Some("none: no upper bound") },
    ParamDoc { names: &["strict_min"], meaning: "`true` excludes the lower bound itself", default: Some("false") },
    ParamDoc { names: &["strict_max"], meaning: "`true` excludes the upper bound itself", default: Some("false") },
];

/// Bounds as written in a rule: `min` / `max` (either may be left open), inclusive unless
/// `strict_min` / `strict_max`.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    pub min: Option<Value>,
    pub max: Option<Value>,
    pub strict_min: bool,
    pub strict_max: bool,
}

impl Interval {
    /// Takes `min` (`min_value`), `max` (`max_value`), `strict_min` and `strict_max`; at least
    /// one bound is required.
    pub fn take(spec: &mut RuleSpec) -> Result<Interval, String> {
        let min = spec.params.take_bound(&["min", "min_value"])?;
        let max = spec.params.take_bound(&["max", "max_value"])?;
        let strict_min = spec.params.take_bool(&["strict_min"])?.unwrap_or(false);
        let strict_max = spec.params.take_bool(&["strict_max"])?.unwrap_or(false);
        if min.is_none() && max.is_none() {
            return Err("give 'min', 'max' or both".into());
        }
        Ok(Interval { min, max, strict_min, strict_max })
    }

    /// The normalised parameters.
    pub fn parameters(&self) -> Value {
        json!({ "min": self.min, "max": self.max, "strict_min": self.strict_min, "strict_max": self.strict_max })
    }

    /// "between 0 and 100 (inclusive)", ">= 0", ...
    pub fn describe(&self) -> String {
        let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
        match (&self.min, &self.max) {
            (Some(min), Some(max)) => {
                let low = if self.strict_min { "exclusive" } else { "inclusive" };
                let high = if self.strict_max { "exclusive" } else { "inclusive" };
                if low == high {
                    format!("between {} and {} ({low})", text(min), text(max))
                } else {
                    format!("between {} ({low}) and {} ({high})", text(min), text(max))
                }
            }
            (Some(min), None) => format!("{} {}", if self.strict_min { ">" } else { ">=" }, text(min)),
            (None, Some(max)) => format!("{} {}", if self.strict_max { "<" } else { "<=" }, text(max)),
            (None, None) => "any value".into(),
        }
    }

    /// The bounds in the terms of values of `data_type`; the error says why they do not fit.
    pub fn resolve(&self, data_type: &DataType) -> Result<ResolvedInterval, String> {
        Ok(ResolvedInterval {
            min: resolve_bound(&self.min, data_type)?,
            max: resolve_bound(&self.max, data_type)?,
            strict_min: self.strict_min,
            strict_max: self.strict_max,
        })
    }
}

/// An interval ready to test values of one type.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedInterval {
    min: Option<Number>,
    max: Option<Number>,
    strict_min: bool,
    strict_max: bool,
}

impl ResolvedInterval {
    /// Whether `value` lies inside; NaN lies outside every interval.
    #[inline]
    pub fn contains(&self, value: Number) -> bool {
        let below = self.min.is_some_and(|b| match compare_numbers(value, b) {
            Some(Ordering::Less) | None => true,
            Some(Ordering::Equal) => self.strict_min,
            Some(Ordering::Greater) => false,
        });
        let above = self.max.is_some_and(|b| match compare_numbers(value, b) {
            Some(Ordering::Greater) | None => true,
            Some(Ordering::Equal) => self.strict_max,
            Some(Ordering::Less) => false,
        });
        !(below || above)
    }
}

/// A bound in the column's own terms: an exact integer (also days or ticks) or a float.
fn resolve_bound(bound: &Option<Value>, data_type: &DataType) -> Result<Option<Number>, String> {
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
        None if matches!(kind, ValueKind::Date | ValueKind::Timestamp) => {
            Err(format!("has type {data_type}: the bound {value} must be an ISO date or timestamp like \"2024-01-31\""))
        }
        None => Err(format!("has type {data_type}: the bound {value} must be a number")),
    }
}
