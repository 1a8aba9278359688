//! Where results go (the seed's `outputs` module): Kestra's `::{"outputs":...}::` protocol lines
//! ([`KestraOutputHandler`]), result files ([`FileOutputHandler`], written atomically), or
//! several places at once ([`MultiOutputHandler`]). The payloads have the seed's shapes.

mod file;
mod kestra;
mod multi;

pub use file::{FileOutputHandler, write_atomically};
pub use kestra::KestraOutputHandler;
pub use multi::MultiOutputHandler;
pub use truthound_guest::report::OutputFormat;

use crate::check::utc_timestamp_now;
use crate::error::DataQualityError;
use serde_json::{Map, Value};
use std::path::PathBuf;
use truthound_guest::report::{ScriptOutput, Summary};

/// Output names the `send_*_result` methods use unless told otherwise.
pub const CHECK_RESULT: &str = "check_result";
/// See [`CHECK_RESULT`].
pub const PROFILE_RESULT: &str = "profile_result";
/// See [`CHECK_RESULT`].
pub const LEARN_RESULT: &str = "learn_result";

/// What the handlers send (the seed's `OutputConfig`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputConfig {
    /// The format of result files.
    pub format: OutputFormat,
    /// Put the counts, pass rate and duration in check payloads.
    pub include_summary: bool,
    /// Put the failures in check payloads.
    pub include_failures: bool,
    /// Failures put in a check payload (0: all); `failures_count` still counts them all.
    pub max_failures: usize,
    /// Put the result's metadata in payloads.
    pub include_metadata: bool,
    /// Results should also go to a file (see [`OutputConfig::with_file_output`]).
    pub file_output: bool,
    /// The file [`FileOutputHandler`] writes.
    pub file_path: Option<PathBuf>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            format: OutputFormat::Json,
            include_summary: true,
            include_failures: true,
            max_failures: 100,
            include_metadata: true,
            file_output: false,
            file_path: None,
        }
    }
}

impl OutputConfig {
    /// This configuration writing files in `format`.
    pub fn with_format(self, format: OutputFormat) -> OutputConfig {
        OutputConfig { format, ..self }
    }

    /// This configuration writing results to the file at `path`.
    pub fn with_file_output(self, path: impl Into<PathBuf>) -> OutputConfig {
        OutputConfig { file_output: true, file_path: Some(path.into()), ..self }
    }
}

fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).expect("results serialise to JSON")
}

/// The timestamp of a payload: the result's, or now.
fn timestamp(result: &ScriptOutput) -> Value {
    Value::from(result.timestamp.clone().unwrap_or_else(utc_timestamp_now))
}

/// A check result as Kestra outputs carry it: `status`, `is_success`, `operation`, `summary`
/// (counts, pass rate, duration), the first `max_failures` failures with `failures_count` (all
/// of them), `metadata` and `timestamp`, each part as `config` asks.
pub fn format_check_result(result: &ScriptOutput, config: &OutputConfig) -> Value {
    let mut payload = Map::new();
    payload.insert("status".into(), to_value(&result.status));
    payload.insert("is_success".into(), result.is_success().into());
    payload.insert("operation".into(), to_value(&result.operation));
    if config.include_summary {
        let summary = Summary::of(result);
        let mut fields = Map::new();
        fields.insert("passed_count".into(), summary.passed_count.into());
        fields.insert("failed_count".into(), summary.failed_count.into());
        fields.insert("warning_count".into(), summary.warning_count.into());
        fields.insert("total_count".into(), summary.total_count.into());
        fields.insert("total_rows".into(), summary.total_rows.into());
        fields.insert("pass_rate".into(), summary.pass_rate.into());
        fields.insert("pass_rate_formatted".into(), summary.pass_rate_formatted.into());
        fields.insert("execution_time".into(), summary.execution_time.into());
        payload.insert("summary".into(), Value::Object(fields));
    }
    if config.include_failures && !result.failures.is_empty() {
        let shown = if config.max_failures > 0 {
            config.max_failures.min(result.failures.len())
        } else {
            result.failures.len()
        };
        payload.insert("failures".into(), to_value(&result.failures[..shown]));
        payload.insert("failures_count".into(), result.failures.len().into());
    }
    if config.include_metadata {
        payload.insert("metadata".into(), Value::Object(result.metadata.clone()));
    }
    payload.insert("timestamp".into(), timestamp(result));
    Value::Object(payload)
}

/// A profile as Kestra outputs carry it: `status`, `columns`, `column_count`, `row_count`,
/// `metadata` (as `config` asks) and `timestamp`.
pub fn format_profile_result(result: &ScriptOutput, config: &OutputConfig) -> Value {
    let mut payload = Map::new();
    payload.insert("status".into(), to_value(&result.status));
    payload.insert("columns".into(), to_value(&result.columns));
    payload.insert("column_count".into(), result.columns.len().into());
    payload.insert("row_count".into(), result.total_rows.into());
    if config.include_metadata {
        payload.insert("metadata".into(), Value::Object(result.metadata.clone()));
    }
    payload.insert("timestamp".into(), timestamp(result));
    Value::Object(payload)
}

/// Learned rules as Kestra outputs carry them: `status`, `rules`, `rule_count`, `learned_rules`
/// (`{type, column, **parameters}`), `metadata` (as `config` asks) and `timestamp`.
pub fn format_learn_result(result: &ScriptOutput, config: &OutputConfig) -> Value {
    let mut payload = Map::new();
    payload.insert("status".into(), to_value(&result.status));
    payload.insert("rules".into(), to_value(&result.rules));
    payload.insert("rule_count".into(), result.rules.len().into());
    payload.insert("learned_rules".into(), Value::Array(result.learned_rules()));
    if config.include_metadata {
        payload.insert("metadata".into(), Value::Object(result.metadata.clone()));
    }
    payload.insert("timestamp".into(), timestamp(result));
    Value::Object(payload)
}

/// Somewhere results go. Implementors write `send`; the `send_*_result` methods build the seed's
/// payloads and send them.
pub trait OutputHandler {
    /// What payloads include.
    fn config(&self) -> &OutputConfig;

    /// Sends named outputs.
    fn send(&mut self, outputs: &Map<String, Value>) -> Result<(), DataQualityError>;

    /// Sends `{output_name: format_check_result(..), "status": .., "is_success": ..}`.
    fn send_check_result(&mut self, result: &ScriptOutput, output_name: &str) -> Result<(), DataQualityError> {
        let mut outputs = Map::new();
        outputs.insert(output_name.into(), format_check_result(result, self.config()));
        outputs.insert("status".into(), to_value(&result.status));
        outputs.insert("is_success".into(), result.is_success().into());
        self.send(&outputs)
    }

    /// Sends `{output_name: format_profile_result(..)}`.
    fn send_profile_result(&mut self, result: &ScriptOutput, output_name: &str) -> Result<(), DataQualityError> {
        let mut outputs = Map::new();
        outputs.insert(output_name.into(), format_profile_result(result, self.config()));
        self.send(&outputs)
    }

    /// Sends `{output_name: format_learn_result(..), "learned_rules": [..]}`.
    fn send_learn_result(&mut self, result: &ScriptOutput, output_name: &str) -> Result<(), DataQualityError> {
        let mut outputs = Map::new();
        outputs.insert(output_name.into(), format_learn_result(result, self.config()));
        outputs.insert("learned_rules".into(), Value::Array(result.learned_rules()));
        self.send(&outputs)
    }
}

/// Sends outputs to Kestra on stdout.
pub fn send_outputs(outputs: &Map<String, Value>) -> Result<(), DataQualityError> {
    KestraOutputHandler::stdout(OutputConfig::default()).send(outputs)
}

/// Sends a check result to Kestra on stdout, as [`CHECK_RESULT`] unless named otherwise.
pub fn send_check_result(result: &ScriptOutput, output_name: Option<&str>) -> Result<(), DataQualityError> {
    KestraOutputHandler::stdout(OutputConfig::default()).send_check_result(result, output_name.unwrap_or(CHECK_RESULT))
}

/// Sends a profile to Kestra on stdout, as [`PROFILE_RESULT`] unless named otherwise.
pub fn send_profile_result(result: &ScriptOutput, output_name: Option<&str>) -> Result<(), DataQualityError> {
    KestraOutputHandler::stdout(OutputConfig::default())
        .send_profile_result(result, output_name.unwrap_or(PROFILE_RESULT))
}

/// Sends learned rules to Kestra on stdout, as [`LEARN_RESULT`] unless named otherwise.
pub fn send_learn_result(result: &ScriptOutput, output_name: Option<&str>) -> Result<(), DataQualityError> {
    KestraOutputHandler::stdout(OutputConfig::default()).send_learn_result(result, output_name.unwrap_or(LEARN_RESULT))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;
    use truthound_guest::report::{CheckStatus, LearnedRule, OperationType, ValidationFailure};

    /// A failed check with `failures` failures, 3 passed and 1 warning.
    pub(crate) fn failed_check(failures: usize) -> ScriptOutput {
        let mut result = ScriptOutput::new(CheckStatus::Failed, OperationType::Check);
        (result.passed_count, result.failed_count, result.warning_count) = (3, failures as u32, 1);
        result.total_rows = 50;
        result.execution_time_ms = 430.0;
        result.timestamp = Some("2026-01-02T03:04:05+00:00".into());
        result.metadata.insert("engine".into(), "truthound".into());
        result.failures = (0..failures)
            .map(|i| ValidationFailure {
                rule_type: "not_null".into(),
                column: format!("c{i}"),
                message: "nulls".into(),
                severity: Default::default(),
                failed_count: 2,
                failed_indices: vec![4, 9],
                metadata: Map::new(),
            })
            .collect();
        result
    }

    /// Learned rules: one `in_range` over 20 rows.
    pub(crate) fn learned() -> ScriptOutput {
        let mut result = ScriptOutput::new(CheckStatus::Passed, OperationType::Learn);
        result.total_rows = 20;
        result.rules.push(LearnedRule {
            rule_type: "in_range".into(),
            column: "age".into(),
            parameters: json!({"min": 1, "max": 9}).as_object().unwrap().clone(),
            confidence: 1.0,
            sample_size: 20,
            metadata: Map::new(),
        });
        result
    }

    #[test]
    fn check_payloads_have_the_seeds_shape() {
        let payload = format_check_result(&failed_check(1), &OutputConfig::default());
        let keys: Vec<&str> = payload.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["status", "is_success", "operation", "summary", "failures", "failures_count", "metadata", "timestamp"]
        );
        assert_eq!(
            payload["summary"],
            json!({"passed_count": 3, "failed_count": 1, "warning_count": 1, "total_count": 4, "total_rows": 50,
                "pass_rate": 0.75, "pass_rate_formatted": "75.0%", "execution_time": "430.00ms"})
        );
        assert_eq!(payload["timestamp"], "2026-01-02T03:04:05+00:00");
    }

    #[test]
    fn failures_are_limited_but_counted_and_parts_can_be_left_out() {
        let config = OutputConfig { max_failures: 2, ..OutputConfig::default() };
        let payload = format_check_result(&failed_check(5), &config);
        assert_eq!(payload["failures"].as_array().unwrap().len(), 2);
        assert_eq!(payload["failures_count"], 5);
        let bare = OutputConfig { include_summary: false, include_failures: false, include_metadata: false, ..config };
        let payload = format_check_result(&failed_check(5), &bare);
        assert!(payload.get("summary").is_none() && payload.get("failures").is_none());
        assert!(payload.get("metadata").is_none());
        let passed = format_check_result(&failed_check(0), &OutputConfig::default());
        assert!(passed.get("failures").is_none() && passed.get("failures_count").is_none());
    }

    #[test]
    fn profile_and_learn_payloads_have_their_counts() {
        let mut profile = ScriptOutput::new(CheckStatus::Passed, OperationType::Profile);
        profile.total_rows = 12;
        let payload = format_profile_result(&profile, &OutputConfig::default());
        assert_eq!(
            (&payload["status"], &payload["column_count"], &payload["row_count"]),
            (&json!("passed"), &json!(0), &json!(12))
        );
        let payload = format_learn_result(&learned(), &OutputConfig::default());
        assert_eq!(payload["rule_count"], 1);
        assert_eq!(payload["learned_rules"], json!([{"type": "in_range", "column": "age", "min": 1, "max": 9}]));
    }

    #[test]
    fn configs_switch_format_and_file() {
        let config = OutputConfig::default().with_format("yaml".parse().unwrap()).with_file_output("/tmp/r.yaml");
        assert_eq!(config.format, OutputFormat::Yaml);
        assert!(config.file_output && config.file_path == Some(PathBuf::from("/tmp/r.yaml")));
    }
}
