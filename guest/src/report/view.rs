//! What the Markdown and HTML reports read from a serialised result: an envelope
//! (`{"result": ...}`), a result dictionary, a `format_check_result` payload (counts in its
//! `summary`), or named outputs (`{"learn_result": ..., "learned_rules": ...}`).

use serde_json::Value;

/// A serialised result as the reports read it.
pub struct ReportView<'a> {
    result: &'a Value,
}

/// One histogram bin: values from `low` to `high`, `count` of them.
pub struct Bin {
    pub low: f64,
    pub high: f64,
    pub count: u64,
}

/// A failing rule as the reports list it.
pub struct FailingRule {
    pub name: String,
    pub column: String,
    pub severity: String,
    pub unexpected_count: Option<u64>,
    pub message: String,
    /// `(row, value)` pairs; the value is unknown when only failing rows were kept.
    pub samples: Vec<(u64, Option<String>)>,
}

impl<'a> ReportView<'a> {
    /// The result inside `value`: its `result`, or, when `value` has no `status` of its own,
    /// its first member with one (a named output).
    pub fn new(value: &'a Value) -> ReportView<'a> {
        let named = || value.as_object()?.values().find(|member| member.get("status").is_some());
        let result = match value.get("result").filter(|inner| inner.is_object()) {
            Some(inner) => inner,
            None if value.get("status").is_none() => named().unwrap_or(value),
            None => value,
        };
        ReportView { result }
    }

    /// A field of the result, or of its `summary`.
    pub fn field(&self, key: &str) -> Option<&'a Value> {
        self.result.get(key).or_else(|| self.result.get("summary").and_then(|summary| summary.get(key)))
    }

    /// `status`, `unknown` when missing.
    pub fn status(&self) -> String {
        self.field("status").and_then(Value::as_str).unwrap_or("unknown").to_string()
    }

    /// `metadata.source`, when there is one.
    pub fn source(&self) -> Option<&'a str> {
        self.result.get("metadata")?.get("source")?.as_str().filter(|source| !source.is_empty())
    }

    /// `passed / (passed + failed)` from 0 to 1, when the counts are there.
    pub fn pass_rate(&self) -> Option<f64> {
        if let Some(rate) = self.field("pass_rate").and_then(Value::as_f64) {
            return Some(rate);
        }
        let passed = self.field("passed_count")?.as_f64()?;
        let failed = self.field("failed_count")?.as_f64()?;
        Some(if passed + failed == 0.0 { 1.0 } else { passed / (passed + failed) })
    }

    /// The items of an array field.
    pub fn list(&self, key: &str) -> &'a [Value] {
        self.result.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }

    /// Failing rules with their samples: from `rule_results` when the result has them, else
    /// from `failures` (their `failed_indices` and `metadata.sample_values`).
    pub fn failing_rules(&self) -> Vec<FailingRule> {
        let outcomes = self.list("rule_results");
        if !outcomes.is_empty() {
            return outcomes
                .iter()
                .filter(|rule| rule.get("status").and_then(Value::as_str) == Some("failed"))
                .map(|rule| FailingRule {
                    name: text_of(rule, "name"),
                    column: text_of(rule, "column"),
                    severity: text_of(rule, "severity"),
                    unexpected_count: rule.get("unexpected_count").and_then(Value::as_u64),
                    message: text_of(rule, "message"),
                    samples: items(rule, "samples")
                        .iter()
                        .filter_map(|s| Some((s.get("row")?.as_u64()?, s.get("value").map(display))))
                        .collect(),
                })
                .collect();
        }
        self.list("failures")
            .iter()
            .map(|failure| {
                let metadata = failure.get("metadata");
                let values = metadata.map_or(&[][..], |m| items(m, "sample_values"));
                FailingRule {
                    name: metadata
                        .and_then(|m| m.get("rule_name"))
                        .map_or_else(|| text_of(failure, "rule_type"), display),
                    column: text_of(failure, "column"),
                    severity: text_of(failure, "severity"),
                    unexpected_count: failure.get("failed_count").and_then(Value::as_u64),
                    message: text_of(failure, "message"),
                    samples: items(failure, "failed_indices")
                        .iter()
                        .enumerate()
                        .filter_map(|(i, row)| Some((row.as_u64()?, values.get(i).map(display))))
                        .collect(),
                }
            })
            .collect()
    }

    /// `generated at`: the result's timestamp, or now.
    pub fn timestamp(&self) -> String {
        self.field("timestamp").map(display).unwrap_or_else(now_iso)
    }
}

/// A column profile's histogram (`metadata.histogram` as `[low, high, count]` triples).
pub fn histogram(column: &Value) -> Vec<Bin> {
    column
        .get("metadata")
        .map_or(&[][..], |m| items(m, "histogram"))
        .iter()
        .filter_map(|bin| {
            Some(Bin { low: bin.get(0)?.as_f64()?, high: bin.get(1)?.as_f64()?, count: bin.get(2)?.as_u64()? })
        })
        .collect()
}

/// The items of the array `key` of `value`.
pub fn items<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A percentage field (0 to 100) of `value` with one decimal (`12.5%`), `-` when missing.
pub fn percent(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_f64).map_or_else(|| "-".into(), |p| format!("{p:.1}%"))
}

/// The field `key` of `value` as display text (`-` when missing or null).
pub fn text_of(value: &Value, key: &str) -> String {
    value.get(key).map_or_else(|| "-".into(), display)
}

/// A JSON value as text: strings without quotes, null as `-`, numbers and the rest as JSON.
pub fn display(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A bin's range, `[low, high)`, numbers shortened.
pub fn bin_range(bin: &Bin, last: bool) -> String {
    format!("[{}, {}{}", short_number(bin.low), short_number(bin.high), if last { "]" } else { ")" })
}

/// A number with at most 4 decimals and no trailing zeros.
pub fn short_number(number: f64) -> String {
    let text = format!("{number:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".into() } else { text.into() }
}

fn now_iso() -> String {
    let micros = (crate::temporal::now_seconds() * 1e6) as i64;
    format!("{}+00:00", crate::temporal::format_timestamp(micros, arrow_schema::TimeUnit::Microsecond))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_result_in_envelopes_named_outputs_and_summaries() {
        let envelope = json!({"result": {"status": "failed"}, "status": "failed"});
        assert_eq!(ReportView::new(&envelope).status(), "failed");
        let named = json!({"learned_rules": [], "check_result": {"status": "passed",
            "summary": {"passed_count": 3, "failed_count": 1}}});
        let view = ReportView::new(&named);
        assert_eq!((view.status(), view.field("passed_count")), ("passed".into(), Some(&json!(3))));
        assert_eq!(view.pass_rate(), Some(0.75));
        assert_eq!(ReportView::new(&json!({})).status(), "unknown");
    }

    #[test]
    fn failing_rules_come_from_failures_when_there_are_no_rule_results() {
        let value = json!({"failures": [{"rule_type": "not_null", "column": "id", "message": "m",
            "failed_indices": [4, 9], "metadata": {"sample_values": ["null"]}}]});
        let rules = ReportView::new(&value).failing_rules();
        assert_eq!(rules[0].name, "not_null");
        assert_eq!(rules[0].samples, [(4, Some("null".into())), (9, None)]);
    }

    #[test]
    fn numbers_are_shortened() {
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(10.0), "10");
        assert_eq!(short_number(1.0 / 3.0), "0.3333");
        assert_eq!(bin_range(&Bin { low: 0.0, high: 1.5, count: 1 }, true), "[0, 1.5]");
    }
}
