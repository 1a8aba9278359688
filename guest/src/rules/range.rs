//! `in_range` (alias `between`), `greater_than` and `less_than`: numeric, date and timestamp
//! values within bounds. Bounds are inclusive unless `strict_min` / `strict_max`; either may be
//! left open. Integers are compared exactly, never through floats.

use super::interval::Interval;
use super::{Rule, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::values::{ValueKind, number_mask, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::{Value, json};
use std::rc::Rc;

pub fn build_in_range(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let interval = Interval::take(spec)?;
    let parameters = interval.parameters();
    finish(spec, "in_range", interval, parameters)
}

pub fn build_greater_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = required_bound(spec, &["value", "min_value", "threshold"])?;
    let parameters = json!({ "value": value });
    finish(
        spec,
        "greater_than",
        Interval { min: Some(value), max: None, strict_min: true, strict_max: false },
        parameters,
    )
}

pub fn build_less_than(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let value = required_bound(spec, &["value", "max_value", "threshold"])?;
    let parameters = json!({ "value": value });
    finish(spec, "less_than", Interval { min: None, max: Some(value), strict_min: false, strict_max: true }, parameters)
}

fn required_bound(spec: &mut RuleSpec, names: &[&'static str]) -> Result<Value, String> {
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
