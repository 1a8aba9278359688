//! Reports: the seed's result types and Kestra envelope ([`results`]), its serializers
//! ([`serialize`]: JSON, YAML, Markdown, HTML), and the renderers the CLI and the component use.

mod html;
mod learn;
mod markdown;
mod profile;
mod results;
mod serialize;
mod view;

pub use html::render_html;
pub use learn::{learn_envelope, learn_output, render_learn};
pub use markdown::render_markdown;
pub use profile::{profile_envelope, profile_output, render_profile};
pub use results::{
    CheckStatus, ColumnProfile, Envelope, LearnedRule, OperationType, RuleOutcome, ScriptOutput, Severity, Summary,
    ValidationFailure,
};
pub use serialize::{
    HtmlSerializer, JsonSerializer, MarkdownSerializer, OutputFormat, ResultSerializer, SerializationError,
    SerializerConfig, TimestampFormat, ValueSerializer, YamlSerializer, get_serializer, serialize_to_format,
};

use crate::model::{CheckResult, RuleResult, Status};
use serde_json::{Map, Value, json};

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
    /// A self-contained HTML page (see [`render_html`]).
    Html,
    /// A Great Expectations validation result (see [`crate::engines::gx_result`]).
    GreatExpectations,
}

/// Renders a check result in `format`.
pub fn render_check(result: &CheckResult, info: &RunInfo, format: ReportFormat) -> String {
    match format {
        ReportFormat::GreatExpectations => crate::engines::gx_result::render(result, info),
        _ => render(format, &check_envelope(result, info)),
    }
}

/// Renders an envelope in `format`. A GX validation result exists for checks only
/// ([`render_check`] renders it); profiles and learned rules render as their JSON envelope.
fn render(format: ReportFormat, envelope: &Envelope) -> String {
    let value = serde_json::to_value(envelope).expect("envelopes serialise to JSON");
    let rendered = match format {
        ReportFormat::Json | ReportFormat::GreatExpectations => {
            JsonSerializer { compact: false }.serialize(&value).map(|text| text + "\n")
        }
        ReportFormat::JsonCompact => JsonSerializer { compact: true }.serialize(&value),
        ReportFormat::Yaml => YamlSerializer.serialize(&value),
        ReportFormat::Markdown => MarkdownSerializer::default().serialize(&value),
        ReportFormat::Html => HtmlSerializer.serialize(&value),
    };
    rendered.expect("JSON values serialise in every format")
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

/// The seed's `format_percentage` with one decimal: `95.6%` (the value is already 0 to 100).
pub fn format_percentage(percent: f64) -> String {
    format!("{percent:.1}%")
}

/// The icon of a status name in the seed's badges (`❓` for an unknown one).
fn status_icon(status: &str) -> &'static str {
    match status {
        "passed" => "✅",
        "failed" => "❌",
        "warning" => "⚠️",
        "skipped" => "⏭️",
        "error" => "💥",
        _ => "❓",
    }
}

/// The seed's `create_kestra_output` for any result value (a ScriptOutput as JSON, or any
/// object): `result`; `status` and `is_success` taken from it (`"unknown"` and `false` when it has
/// none); `timestamp`; and with `include_summary` the [`Summary`] of its counts, computed as for
/// every [`Envelope`].
pub fn kestra_output(result: Value, timestamp: &str, include_summary: bool) -> Value {
    let status = result.get("status").cloned().unwrap_or_else(|| Value::from("unknown"));
    let is_success = result.get("is_success").and_then(Value::as_bool).unwrap_or(false);
    let summary = include_summary.then(|| {
        let counts = serde_json::from_value::<ScriptOutput>(result.clone())
            .unwrap_or_else(|_| ScriptOutput::new(CheckStatus::Error, OperationType::Check));
        serde_json::to_value(Summary::of(&counts)).expect("summaries serialise")
    });
    let mut envelope = json!({ "result": result, "status": status, "is_success": is_success, "timestamp": timestamp });
    if let Some(summary) = summary {
        envelope["summary"] = summary;
    }
    envelope
}

/// The payload every check emits: `result` (the seed's ScriptOutput, plus per-rule details),
/// `status`, `is_success`, `timestamp` and `summary`.
pub fn check_envelope(result: &CheckResult, info: &RunInfo) -> Envelope {
    Envelope::of(check_output(result, info))
}

/// The seed's ScriptOutput of a check, with every rule's outcome in `rule_results`.
pub fn check_output(result: &CheckResult, info: &RunInfo) -> ScriptOutput {
    let mut output = run_output(result.status, OperationType::Check, result.row_count, info);
    (output.passed_count, output.failed_count, output.warning_count) =
        (result.passed_count, result.failed_count, result.warning_count);
    output.failures = result.rule_results.iter().filter(|r| r.status == Status::Failed).map(failure_record).collect();
    output.metadata = object(json!({
        "engine": info.engine_name,
        "rules_count": result.rule_results.len(),
        "suite_name": result.suite_name,
        "source": info.source,
        "columns_read": result.columns_read,
    }));
    output.rule_results = result.rule_results.iter().map(rule_outcome).collect();
    output
}

/// A ScriptOutput with the run's facts filled in.
fn run_output(status: Status, operation: OperationType, total_rows: u64, info: &RunInfo) -> ScriptOutput {
    let mut output = ScriptOutput::new(status, operation);
    output.total_rows = total_rows;
    output.execution_time_ms = info.execution_time_ms;
    output.timestamp = Some(info.timestamp.clone());
    output
}

/// The fields of a JSON object built with `json!`.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(fields) => fields,
        _ => Map::new(),
    }
}

fn json_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::from(text))
}

/// The seed's `ValidationFailure` for a failed rule.
fn failure_record(rule: &RuleResult) -> ValidationFailure {
    ValidationFailure {
        rule_type: rule.rule_type.clone(),
        column: rule.column.clone().unwrap_or_default(),
        message: rule.message.clone(),
        severity: rule.severity.report_severity(),
        failed_count: rule.unexpected_count,
        failed_indices: rule.samples.iter().map(|s| s.row).collect(),
        metadata: object(json!({
            "rule_name": rule.name,
            "rule_index": rule.index,
            "unexpected_percent": rule.unexpected_percent,
            "sample_values": rule.samples.iter().map(|s| s.value.as_str()).collect::<Vec<_>>(),
            "observed_value": json_text(&rule.observed_value),
        })),
    }
}

fn rule_outcome(rule: &RuleResult) -> RuleOutcome {
    RuleOutcome {
        index: rule.index,
        name: rule.name.clone(),
        rule_type: rule.rule_type.clone(),
        column: rule.column.clone(),
        parameters: json_text(&rule.parameters),
        severity: rule.severity,
        status: rule.status,
        element_count: rule.element_count,
        evaluated_count: rule.evaluated_count,
        unexpected_count: rule.unexpected_count,
        unexpected_percent: rule.unexpected_percent,
        null_count: rule.null_count,
        mostly: rule.mostly,
        observed_value: json_text(&rule.observed_value),
        samples: rule.samples.clone(),
        message: rule.message.clone(),
        origin: rule.origin.as_deref().map(json_text),
    }
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
    fn durations_and_icons_format_like_the_seed() {
        assert_eq!((status_icon("passed"), status_icon("warning"), status_icon("odd")), ("✅", "⚠️", "❓"));
        assert_eq!(format_duration(0.43), "0.43ms");
        assert_eq!(format_duration(1500.0), "1.50s");
        assert_eq!(format_duration(90_000.0), "1m 30s");
    }
}
