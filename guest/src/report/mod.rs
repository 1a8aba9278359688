//! Renders results: the seed's Kestra output envelope as JSON or YAML, and Markdown reports.

mod learn;
mod profile;

pub use learn::{learn_envelope, render_learn};
pub use profile::{profile_envelope, render_profile};

use crate::model::{CheckResult, RuleResult, Status};
use serde_json::{Value, json};

/// Facts the host knows about a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub execution_time_ms: f64,
    pub timestamp: String,
    pub engine_name: String,
    pub source: String,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    JsonCompact,
    Yaml,
    Markdown,
    /// A Great Expectations validation result (see [`crate::engines::gx_result`]).
    GreatExpectations,
}

/// Renders a check result in `format`.
pub fn render_check(result: &CheckResult, info: &RunInfo, format: ReportFormat) -> String {
    match format {
        ReportFormat::GreatExpectations => crate::engines::gx_result::render(result, info),
        _ => render(format, || check_envelope(result, info), || markdown(result, info)),
    }
}

/// Renders an envelope as JSON or YAML, or the Markdown report.
fn render(format: ReportFormat, envelope: impl FnOnce() -> Value, markdown: impl FnOnce() -> String) -> String {
    match format {
        // A GX validation result exists for checks only (render_check renders it); profiles and
        // learned rules have no GX counterpart and render as their JSON envelope.
        ReportFormat::Json | ReportFormat::GreatExpectations => {
            let mut text = serde_json::to_string_pretty(&envelope()).expect("JSON values serialise");
            text.push('\n');
            text
        }
        ReportFormat::JsonCompact => serde_json::to_string(&envelope()).expect("JSON values serialise"),
        ReportFormat::Yaml => serde_yaml_ng::to_string(&envelope()).expect("JSON values serialise as YAML"),
        ReportFormat::Markdown => markdown(),
    }
}

/// The seed's envelope of an operation without rules to pass or fail (profile, learn): always
/// `passed`, with `columns`, `rules` and `metadata` filled in by the operation, and `extra`
/// top-level keys.
fn plain_envelope(operation: &str, total_rows: u64, info: &RunInfo, result: Value, extra: Value) -> Value {
    let mut result_fields = json!({
        "status": "passed",
        "operation": operation,
        "passed_count": 0,
        "failed_count": 0,
        "warning_count": 0,
        "total_rows": total_rows,
        "execution_time_ms": info.execution_time_ms,
        "failures": [],
        "columns": [],
        "rules": [],
        "metadata": {},
        "timestamp": info.timestamp,
        "is_success": true,
        "pass_rate": 1.0,
    });
    extend(&mut result_fields, result);
    let mut envelope = kestra_output(result_fields, &info.timestamp, true);
    extend(&mut envelope, extra);
    envelope
}

/// Adds the fields of the object `fields` to the object `target`, replacing equal keys.
fn extend(target: &mut Value, fields: Value) {
    if let (Value::Object(target), Value::Object(fields)) = (target, fields) {
        target.extend(fields);
    }
}

/// The seed's `create_kestra_output`: the payload every operation emits around its `result` (a
/// ScriptOutput as JSON): `result`; `status` and `is_success` taken from it (`"unknown"` and
/// `false` when it has none); `timestamp`; and with `include_summary` the `summary` of its
/// counts (`passed_count`, `failed_count`, `warning_count`, `total_count`, `total_rows`,
/// `pass_rate`, `pass_rate_formatted`, `execution_time`).
pub fn kestra_output(result: Value, timestamp: &str, include_summary: bool) -> Value {
    let count = |key: &str| result.get(key).and_then(Value::as_u64).unwrap_or(0);
    let (passed, failed) = (count("passed_count"), count("failed_count"));
    let summary = include_summary.then(|| {
        let rate = ratio(passed, failed);
        json!({
            "passed_count": passed,
            "failed_count": failed,
            "warning_count": count("warning_count"),
            "total_count": passed + failed,
            "total_rows": count("total_rows"),
            "pass_rate": rate,
            "pass_rate_formatted": format!("{:.1}%", rate * 100.0),
            "execution_time": format_duration(result.get("execution_time_ms").and_then(Value::as_f64).unwrap_or(0.0)),
        })
    });
    let status = result.get("status").cloned().unwrap_or_else(|| Value::from("unknown"));
    let is_success = result.get("is_success").and_then(Value::as_bool).unwrap_or(false);
    let mut envelope = json!({ "result": result, "status": status, "is_success": is_success, "timestamp": timestamp });
    if let Some(summary) = summary {
        envelope["summary"] = summary;
    }
    envelope
}

/// `passed / (passed + failed)`; 1.0 when nothing passed or failed.
fn ratio(passed: u64, failed: u64) -> f64 {
    if passed + failed == 0 { 1.0 } else { passed as f64 / (passed + failed) as f64 }
}

/// `passed / (passed + failed)`, warnings left out; 1.0 when no rule passed or failed.
pub fn pass_rate(result: &CheckResult) -> f64 {
    ratio(result.passed_count.into(), result.failed_count.into())
}

/// The seed's `format_duration`: `12.34ms`, `1.50s`, `1m 30s`.
pub fn format_duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.2}ms")
    } else if ms < 60_000.0 {
        format!("{:.2}s", ms / 1000.0)
    } else {
        let minutes = (ms / 60_000.0).floor();
        format!("{minutes}m {:.0}s", (ms - minutes * 60_000.0) / 1000.0)
    }
}

/// The payload every check emits: `result` (the seed's ScriptOutput, plus per-rule details),
/// `status`, `is_success`, `timestamp` and `summary`.
pub fn check_envelope(result: &CheckResult, info: &RunInfo) -> Value {
    let failures: Vec<Value> =
        result.rule_results.iter().filter(|r| r.status == Status::Failed).map(failure_record).collect();
    let fields = json!({
        "status": result.status.as_str(),
        "operation": "check",
        "passed_count": result.passed_count,
        "failed_count": result.failed_count,
        "warning_count": result.warning_count,
        "total_rows": result.row_count,
        "execution_time_ms": info.execution_time_ms,
        "failures": failures,
        "columns": [],
        "rules": [],
        "metadata": {
            "engine": info.engine_name,
            "rules_count": result.rule_results.len(),
            "suite_name": result.suite_name,
            "source": info.source,
            "columns_read": result.columns_read,
        },
        "timestamp": info.timestamp,
        "is_success": result.status.is_success(),
        "pass_rate": pass_rate(result),
        "rule_results": result.rule_results.iter().map(rule_record).collect::<Vec<_>>(),
    });
    kestra_output(fields, &info.timestamp, true)
}

fn json_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::from(text))
}

/// The seed's `ValidationFailure` for a failed rule.
fn failure_record(rule: &RuleResult) -> Value {
    json!({
        "rule_type": rule.rule_type,
        "column": rule.column.clone().unwrap_or_default(),
        "message": rule.message,
        "severity": rule.severity.report_severity().as_str(),
        "failed_count": rule.unexpected_count,
        "failed_indices": rule.samples.iter().map(|s| s.row).collect::<Vec<_>>(),
        "metadata": {
            "rule_name": rule.name,
            "rule_index": rule.index,
            "unexpected_percent": rule.unexpected_percent,
            "sample_values": rule.samples.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(),
            "observed_value": json_text(&rule.observed_value),
        },
    })
}

fn rule_record(rule: &RuleResult) -> Value {
    json!({
        "index": rule.index,
        "name": rule.name,
        "rule_type": rule.rule_type,
        "column": rule.column,
        "parameters": json_text(&rule.parameters),
        "severity": rule.severity.as_str(),
        "status": rule.status.as_str(),
        "element_count": rule.element_count,
        "evaluated_count": rule.evaluated_count,
        "unexpected_count": rule.unexpected_count,
        "unexpected_percent": rule.unexpected_percent,
        "null_count": rule.null_count,
        "mostly": rule.mostly,
        "observed_value": json_text(&rule.observed_value),
        "samples": rule.samples.iter().map(|s| json!({"row": s.row, "value": s.value})).collect::<Vec<_>>(),
        "message": rule.message,
        "origin": rule.origin.as_deref().map(json_text),
    })
}

fn status_badge(status: Status) -> &'static str {
    match status {
        Status::Passed => "✅",
        Status::Failed => "❌",
        Status::Warning => "⚠️",
        Status::Skipped => "⏭️",
        Status::Error => "💥",
    }
}

/// Markdown table cells: pipes and line breaks would break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(result: &CheckResult, info: &RunInfo) -> String {
    let mut out = format!("# Data Quality Report {}\n\n## Summary\n\n", status_badge(result.status));
    out += &format!("- **Status:** {}\n", result.status.as_str());
    out += &format!("- **Passed:** {}\n", result.passed_count);
    out += &format!("- **Failed:** {}\n", result.failed_count);
    out += &format!("- **Warnings:** {}\n", result.warning_count);
    out += &format!("- **Total Rows:** {}\n", result.row_count);
    out += &format!("- **Execution Time:** {:.2}ms\n", info.execution_time_ms);
    if !info.source.is_empty() {
        out += &format!("- **Source:** `{}`\n", info.source.replace('`', "'"));
    }
    out += "\n";
    let failures: Vec<&RuleResult> = result.rule_results.iter().filter(|r| r.status == Status::Failed).collect();
    if !failures.is_empty() {
        out += "## Validation Failures\n\n| Column | Rule | Message | Severity |\n|--------|------|---------|----------|\n";
        for rule in failures {
            out += &format!(
                "| {} | {} | {} | {} |\n",
                cell(rule.column.as_deref().unwrap_or("-")),
                cell(&rule.rule_type),
                cell(&rule.message),
                rule.severity.report_severity().as_str()
            );
        }
        out += "\n";
    }
    out += "## Rules\n\n| # | Rule | Column | Status | Unexpected | Samples |\n|---|------|--------|--------|------------|---------|\n";
    for rule in &result.rule_results {
        let samples: Vec<String> = rule.samples.iter().take(5).map(|s| format!("row {}: {}", s.row, s.value)).collect();
        out += &format!(
            "| {} | {} | {} | {} {} | {} | {} |\n",
            rule.index + 1,
            cell(&rule.name),
            cell(rule.column.as_deref().unwrap_or("-")),
            status_badge(rule.status),
            rule.status.as_str(),
            rule.unexpected_count,
            cell(&samples.join("; "))
        );
    }
    out += &format!("\n---\n*Generated at: {}*\n", info.timestamp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kestra_output_wraps_a_result_like_the_seed() {
        let result = json!({"status": "failed", "is_success": false, "passed_count": 3, "failed_count": 1,
                            "execution_time_ms": 0.43});
        let output = kestra_output(result.clone(), "2026-11-26T00:00:00+00:00", true);
        let keys: Vec<&str> = output.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["result", "status", "is_success", "timestamp", "summary"]);
        assert_eq!(output["result"], result);
        assert_eq!((&output["status"], &output["is_success"]), (&json!("failed"), &json!(false)));
        let summary = &output["summary"];
        assert_eq!(summary["pass_rate"], 0.75);
        assert_eq!(summary["pass_rate_formatted"], "75.0%");
        assert_eq!(summary["total_count"], 4);
        assert_eq!(summary["execution_time"], "0.43ms");
        let bare = kestra_output(json!({}), "t", false);
        assert_eq!(bare, json!({"result": {}, "status": "unknown", "is_success": false, "timestamp": "t"}));
        assert_eq!(kestra_output(json!({}), "t", true)["summary"]["pass_rate"], 1.0, "nothing decided");
    }

    #[test]
    fn durations_format_like_the_seed() {
        assert_eq!(format_duration(0.43), "0.43ms");
        assert_eq!(format_duration(1500.0), "1.50s");
        assert_eq!(format_duration(90_000.0), "1m 30s");
    }
}
