//! `freshness`: the newest date or timestamp of a column is at most `max_age` old (seconds, or a
//! duration such as `24h`, `7d` or ISO 8601 `PT24H`). Age is measured from `now` (an ISO
//! timestamp, for reproducible runs) or from the host's clock. Timestamps without a time zone
//! count as UTC; a date counts from its midnight UTC.

use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table, require_column};
use crate::document::RuleSpec;
use crate::temporal::{now_seconds, parse_duration, parse_timestamp};
use crate::values::{Number, ValueKind, number_to_json, value_kind};
use arrow_schema::{DataType, Schema, TimeUnit};
use serde_json::{Value, json};

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "freshness",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "The newest date or timestamp is at most `max_age` old.",
        shape: Shape::Column,
        params: &[
            ParamDoc {
                names: &["max_age", "max_age_seconds"],
                meaning: "the largest allowed age: seconds, or a duration like `24h`, `1h30m`, `7d` or ISO 8601 `PT24H`",
                default: None,
            },
            ParamDoc {
                names: &["now"],
                meaning: "the moment ages are measured from, as an ISO timestamp (for reproducible runs)",
                default: Some("the host's clock"),
            },
        ],
        nulls: "ignored; a column without values fails the rule.",
        details: "Date and timestamp columns. Timestamps without a time zone count as UTC; a date counts from its \
                  midnight UTC. The observed value is the newest value and its age in seconds.",
        example: "- {type: freshness, column: created_at, max_age: 24h}",
    },
}];

struct Freshness {
    column: String,
    max_age_seconds: f64,
    max_age: Value,
    now: Option<(String, f64)>,
    analyzer: usize,
}

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let max_age = spec.params.take(&["max_age", "max_age_seconds"])?;
    let now = spec.params.take(&["now"])?;
    spec.forbid_mostly()?;
    let column = spec.required_column()?;
    let max_age = max_age.ok_or("missing required field 'max_age'")?;
    let max_age_seconds = match &max_age {
        Value::Number(n) => n.as_f64(),
        Value::String(text) => parse_duration(text),
        _ => None,
    }
    .filter(|s| *s >= 0.0)
    .ok_or(format!("'max_age' must be seconds or a duration like \"24h\" or \"PT24H\", got {max_age}"))?;
    let now = match now {
        None => None,
        Some(Value::String(text)) => {
            let micros = parse_timestamp(&text, TimeUnit::Microsecond)
                .ok_or(format!("'now' must be an ISO timestamp like \"2024-01-31T12:00:00Z\", got \"{text}\""))?;
            Some((text, micros as f64 / 1e6))
        }
        Some(other) => return Err(format!("'now' must be an ISO timestamp, got {other}")),
    };
    Ok(Box::new(Freshness { column, max_age_seconds, max_age, now, analyzer: usize::MAX }))
}

/// Seconds since the epoch of a value of a date or timestamp column.
fn epoch_seconds(value: i128, data_type: &DataType) -> f64 {
    match data_type {
        DataType::Date32 => value as f64 * 86_400.0,
        DataType::Date64 => value as f64 / 1e3,
        DataType::Timestamp(TimeUnit::Second, _) => value as f64,
        DataType::Timestamp(TimeUnit::Millisecond, _) => value as f64 / 1e3,
        DataType::Timestamp(TimeUnit::Microsecond, _) => value as f64 / 1e6,
        DataType::Timestamp(TimeUnit::Nanosecond, _) => value as f64 / 1e9,
        DataType::Dictionary(_, values) => epoch_seconds(value, values),
        _ => f64::NAN,
    }
}

impl Rule for Freshness {
    fn rule_type(&self) -> &'static str {
        "freshness"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        json!({ "max_age": self.max_age, "now": self.now.as_ref().map(|(text, _)| text) })
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = planner.column_stats(&self.column, false);
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)?;
        let data_type = schema.field_with_name(&self.column).map_err(|e| e.to_string())?.data_type();
        match value_kind(data_type) {
            ValueKind::Date | ValueKind::Timestamp => Ok(()),
            _ if *data_type == DataType::Null => Ok(()),
            _ => Err(format!("column '{}' has type {data_type}; freshness needs dates or timestamps", self.column)),
        }
    }
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let metric = table.metrics[self.analyzer].stats();
        let evaluated = metric.stats.non_null;
        let now = self.now.as_ref().map_or_else(now_seconds, |(_, seconds)| *seconds);
        let newest = metric.stats.max.as_ref().and_then(|m| m.number());
        let (passed, observed, message) = match newest {
            Some(Number::Int(value)) => {
                let age = now - epoch_seconds(value, &metric.data_type);
                let passed = age <= self.max_age_seconds;
                let shown = number_to_json(&metric.data_type, Number::Int(value));
                let verdict = if passed { "within" } else { "older than" };
                let message = format!(
                    "the newest value of '{}' is {shown}, {age:.0} s old, {verdict} the allowed {} s",
                    self.column, self.max_age_seconds
                );
                (passed, json!({ "newest": shown, "age_seconds": age }), message)
            }
            _ => (false, Value::Null, format!("'{}' has no values to measure freshness by", self.column)),
        };
        Outcome { passed, evaluated, unexpected: 0, samples: Vec::new(), observed, message }
    }
}
