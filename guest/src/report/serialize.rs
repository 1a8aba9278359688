//! The seed's serializers: [`ResultSerializer`] turns typed results into dictionaries (with its
//! `_serializer` marks, failure truncation and timestamp format) and back; the
//! [`ValueSerializer`]s write those dictionaries as JSON, YAML, Markdown or HTML.

use super::{OperationType, ScriptOutput};
use crate::temporal::{format_timestamp, parse_timestamp};
use arrow_schema::TimeUnit;
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

/// How timestamps are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimestampFormat {
    /// ISO 8601 text (`2026-11-26T07:01:05.123456+00:00`).
    #[default]
    Iso,
    /// Seconds since the epoch, as a number.
    Unix,
}

/// What the serializers write (the seed's `SerializerConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SerializerConfig {
    /// Add `_serializer`, `_version` and `_type`.
    pub include_metadata: bool,
    /// Write the `timestamp` (left out otherwise).
    pub include_timestamps: bool,
    pub timestamp_format: TimestampFormat,
    /// Single-line JSON.
    pub compact: bool,
    /// Failures kept per check result (0: all).
    pub max_failures: usize,
    /// Failing rows and sample values kept per failure (0: all).
    pub max_sample_rows: usize,
}

impl SerializerConfig {
    /// The seed's defaults: everything, indented, sample rows limited to 10.
    pub const DEFAULT: SerializerConfig = SerializerConfig {
        include_metadata: true,
        include_timestamps: true,
        timestamp_format: TimestampFormat::Iso,
        compact: false,
        max_failures: 0,
        max_sample_rows: 10,
    };
    /// Small payloads: no serializer marks, single-line, 10 failures with 5 sample rows each.
    pub const COMPACT: SerializerConfig = SerializerConfig {
        include_metadata: false,
        include_timestamps: true,
        timestamp_format: TimestampFormat::Iso,
        compact: true,
        max_failures: 10,
        max_sample_rows: 5,
    };
    /// Everything, with up to 100 sample rows per failure.
    pub const FULL: SerializerConfig = SerializerConfig {
        include_metadata: true,
        include_timestamps: true,
        timestamp_format: TimestampFormat::Iso,
        compact: false,
        max_failures: 0,
        max_sample_rows: 100,
    };

    /// This configuration with `compact` set.
    pub fn with_compact(self, compact: bool) -> SerializerConfig {
        SerializerConfig { compact, ..self }
    }

    /// This configuration with `max_failures` set (0: all).
    pub fn with_max_failures(self, max_failures: usize) -> SerializerConfig {
        SerializerConfig { max_failures, ..self }
    }
}

impl Default for SerializerConfig {
    fn default() -> Self {
        SerializerConfig::DEFAULT
    }
}

/// A result or document could not be written or read.
#[derive(Debug, Clone, PartialEq)]
pub struct SerializationError {
    /// The format involved (`json`, `yaml`, `dict`, ...).
    pub format: String,
    /// `serialize` or `deserialize`.
    pub direction: &'static str,
    pub message: String,
}

impl SerializationError {
    fn new(format: &str, direction: &'static str, message: impl fmt::Display) -> SerializationError {
        SerializationError { format: format.into(), direction, message: message.to_string() }
    }
}

impl fmt::Display for SerializationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} {}: {}", self.direction, self.format, self.message)
    }
}

impl std::error::Error for SerializationError {}

/// The name written in `_serializer`.
const SERIALIZER_NAME: &str = "truthound_kestra";
/// The version written in `_version`.
const SERIALIZER_VERSION: &str = "1.0";

/// Typed results to dictionaries and back (the seed's `ResultSerializer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResultSerializer {
    pub config: SerializerConfig,
}

impl ResultSerializer {
    /// A serializer with `config`.
    pub fn new(config: SerializerConfig) -> ResultSerializer {
        ResultSerializer { config }
    }

    /// A check result: failures beyond `max_failures` dropped (`failures_truncated` says whether
    /// any were), failing rows and samples beyond `max_sample_rows` dropped.
    pub fn serialize_check_result(&self, result: &ScriptOutput) -> Value {
        let mut record = to_record(result);
        if self.config.max_failures > 0 {
            let failures = array(&mut record, "failures");
            let truncated = failures.len() > self.config.max_failures;
            failures.truncate(self.config.max_failures);
            record.insert("failures_truncated".into(), truncated.into());
        }
        if self.config.max_sample_rows > 0 {
            let limit = self.config.max_sample_rows;
            for failure in array(&mut record, "failures") {
                truncate_array(failure, "failed_indices", limit);
                if let Some(metadata) = failure.get_mut("metadata") {
                    truncate_array(metadata, "sample_values", limit);
                }
            }
            for rule in array(&mut record, "rule_results") {
                truncate_array(rule, "samples", limit);
            }
        }
        self.finish(record, "check_result")
    }

    /// A profile result.
    pub fn serialize_profile_result(&self, result: &ScriptOutput) -> Value {
        self.finish(to_record(result), "profile_result")
    }

    /// A learn result.
    pub fn serialize_learn_result(&self, result: &ScriptOutput) -> Value {
        self.finish(to_record(result), "learn_result")
    }

    /// A result, serialised as its operation says.
    pub fn serialize_result(&self, result: &ScriptOutput) -> Value {
        match result.operation {
            OperationType::Check => self.serialize_check_result(result),
            OperationType::Profile => self.serialize_profile_result(result),
            OperationType::Learn => self.serialize_learn_result(result),
        }
    }

    /// Adds the serializer marks and writes the timestamp as configured.
    fn finish(&self, mut record: Map<String, Value>, result_type: &str) -> Value {
        if self.config.include_metadata {
            record.insert("_serializer".into(), SERIALIZER_NAME.into());
            record.insert("_version".into(), SERIALIZER_VERSION.into());
            record.insert("_type".into(), result_type.into());
        }
        if !self.config.include_timestamps {
            record.remove("timestamp");
        } else if self.config.timestamp_format == TimestampFormat::Unix
            && let Some(Value::String(text)) = record.get("timestamp")
            && let Some(micros) = parse_timestamp(text, TimeUnit::Microsecond)
        {
            record.insert("timestamp".into(), (micros as f64 / 1e6).into());
        }
        Value::Object(record)
    }

    /// Reads a dictionary back into a result: the `_` marks dropped, a unix timestamp turned
    /// into ISO 8601 text, the seed's defaults for missing keys.
    pub fn deserialize_result(&self, value: Value) -> Result<ScriptOutput, SerializationError> {
        let Value::Object(mut record) = value else {
            return Err(SerializationError::new("dict", "deserialize", "a result must be a mapping"));
        };
        record.retain(|key, _| !key.starts_with('_'));
        if let Some(seconds) = record.get("timestamp").and_then(Value::as_f64) {
            let micros = (seconds * 1e6).round() as i64;
            record.insert(
                "timestamp".into(),
                format!("{}+00:00", format_timestamp(micros, TimeUnit::Microsecond)).into(),
            );
        }
        serde_json::from_value(Value::Object(record))
            .map_err(|e| SerializationError::new("dict", "deserialize", format!("not a result: {e}")))
    }

    /// Reads a check result back (see [`ResultSerializer::deserialize_result`]).
    pub fn deserialize_check_result(&self, value: Value) -> Result<ScriptOutput, SerializationError> {
        self.deserialize_operation(value, OperationType::Check)
    }

    /// Reads a profile result back.
    pub fn deserialize_profile_result(&self, value: Value) -> Result<ScriptOutput, SerializationError> {
        self.deserialize_operation(value, OperationType::Profile)
    }

    /// Reads a learn result back.
    pub fn deserialize_learn_result(&self, value: Value) -> Result<ScriptOutput, SerializationError> {
        self.deserialize_operation(value, OperationType::Learn)
    }

    fn deserialize_operation(&self, value: Value, expected: OperationType) -> Result<ScriptOutput, SerializationError> {
        let result = self.deserialize_result(value)?;
        if result.operation != expected {
            let message =
                format!("expected a {} result, got a {} result", expected.as_str(), result.operation.as_str());
            return Err(SerializationError::new("dict", "deserialize", message));
        }
        Ok(result)
    }
}

/// The result's `to_dict`.
fn to_record(result: &ScriptOutput) -> Map<String, Value> {
    match serde_json::to_value(result) {
        Ok(Value::Object(record)) => record,
        _ => unreachable!("a ScriptOutput serialises to a JSON object"),
    }
}

/// The array under `key` (empty when there is none).
fn array<'a>(record: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    if !matches!(record.get(key), Some(Value::Array(_))) {
        record.insert(key.into(), Value::Array(Vec::new()));
    }
    match record.get_mut(key) {
        Some(Value::Array(items)) => items,
        _ => unreachable!("an array was just put under {key}"),
    }
}

fn truncate_array(object: &mut Value, key: &str, limit: usize) {
    if let Some(Value::Array(items)) = object.get_mut(key) {
        items.truncate(limit);
    }
}

/// The formats results are written in (the seed's `OutputFormat`, plus HTML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Json,
    Yaml,
    /// Named by the seed but without a serializer: asking for it is an error.
    Csv,
    Markdown,
    Html,
}

impl OutputFormat {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
            OutputFormat::Csv => "csv",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Html => "html",
        }
    }
}

impl FromStr for OutputFormat {
    type Err = SerializationError;

    fn from_str(text: &str) -> Result<OutputFormat, SerializationError> {
        match text.to_ascii_lowercase().as_str() {
            "json" => Ok(OutputFormat::Json),
            "yaml" | "yml" => Ok(OutputFormat::Yaml),
            "csv" => Ok(OutputFormat::Csv),
            "markdown" | "md" => Ok(OutputFormat::Markdown),
            "html" => Ok(OutputFormat::Html),
            other => {
                Err(SerializationError::new(other, "serialize", "unknown format (choose json, yaml, markdown or html)"))
            }
        }
    }
}

/// Writes dictionaries in one format, and reads them back where the format allows.
pub trait ValueSerializer {
    /// The format written.
    fn format(&self) -> OutputFormat;
    /// `value` in this format.
    fn serialize(&self, value: &Value) -> Result<String, SerializationError>;
    /// A document of this format read back.
    fn deserialize(&self, text: &str) -> Result<Value, SerializationError>;
}

/// JSON: indented by 2, or on one line when `compact`; non-ASCII kept as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonSerializer {
    pub compact: bool,
}

impl ValueSerializer for JsonSerializer {
    fn format(&self) -> OutputFormat {
        OutputFormat::Json
    }

    fn serialize(&self, value: &Value) -> Result<String, SerializationError> {
        let text = if self.compact { serde_json::to_string(value) } else { serde_json::to_string_pretty(value) };
        text.map_err(|e| SerializationError::new("json", "serialize", e))
    }

    fn deserialize(&self, text: &str) -> Result<Value, SerializationError> {
        serde_json::from_str(text).map_err(|e| SerializationError::new("json", "deserialize", e))
    }
}

/// YAML in block style, keys in their order (not sorted), non-ASCII kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct YamlSerializer;

impl ValueSerializer for YamlSerializer {
    fn format(&self) -> OutputFormat {
        OutputFormat::Yaml
    }

    fn serialize(&self, value: &Value) -> Result<String, SerializationError> {
        serde_yaml_ng::to_string(value).map_err(|e| SerializationError::new("yaml", "serialize", e))
    }

    fn deserialize(&self, text: &str) -> Result<Value, SerializationError> {
        serde_yaml_ng::from_str(text).map_err(|e| SerializationError::new("yaml", "deserialize", e))
    }
}

/// The Markdown report (see [`super::render_markdown`]); it cannot be read back into a result,
/// so reading gives `{"_raw_markdown": text, "_type": "markdown"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarkdownSerializer {
    /// Failures listed (0: all).
    pub max_failures: usize,
}

impl ValueSerializer for MarkdownSerializer {
    fn format(&self) -> OutputFormat {
        OutputFormat::Markdown
    }

    fn serialize(&self, value: &Value) -> Result<String, SerializationError> {
        Ok(super::render_markdown(value, self.max_failures))
    }

    fn deserialize(&self, text: &str) -> Result<Value, SerializationError> {
        Ok(serde_json::json!({ "_raw_markdown": text, "_type": "markdown" }))
    }
}

/// The self-contained HTML report (see [`super::render_html`]); reading gives
/// `{"_raw_html": text, "_type": "html"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HtmlSerializer;

impl ValueSerializer for HtmlSerializer {
    fn format(&self) -> OutputFormat {
        OutputFormat::Html
    }

    fn serialize(&self, value: &Value) -> Result<String, SerializationError> {
        Ok(super::render_html(value))
    }

    fn deserialize(&self, text: &str) -> Result<Value, SerializationError> {
        Ok(serde_json::json!({ "_raw_html": text, "_type": "html" }))
    }
}

/// The serializer of `format` configured by `config`; CSV has none.
pub fn get_serializer(
    format: OutputFormat,
    config: &SerializerConfig,
) -> Result<Box<dyn ValueSerializer>, SerializationError> {
    Ok(match format {
        OutputFormat::Json => Box::new(JsonSerializer { compact: config.compact }),
        OutputFormat::Yaml => Box::new(YamlSerializer),
        OutputFormat::Markdown => Box::new(MarkdownSerializer { max_failures: config.max_failures }),
        OutputFormat::Html => Box::new(HtmlSerializer),
        OutputFormat::Csv => {
            return Err(SerializationError::new(
                "csv",
                "serialize",
                "unsupported format: results are nested (choose json, yaml, markdown or html)",
            ));
        }
    })
}

/// `result` serialised with `config` (its marks, truncation and timestamps), written in `format`.
pub fn serialize_to_format(
    result: &ScriptOutput,
    format: OutputFormat,
    config: &SerializerConfig,
) -> Result<String, SerializationError> {
    let serializer = get_serializer(format, config)?;
    serializer.serialize(&ResultSerializer::new(*config).serialize_result(result))
}

#[cfg(test)]
mod tests {
    use super::super::{CheckStatus, ValidationFailure};
    use super::*;
    use serde_json::json;

    fn failing_check(failures: usize, samples: u64) -> ScriptOutput {
        let mut result = ScriptOutput::new(CheckStatus::Failed, OperationType::Check);
        result.failed_count = failures as u32;
        result.timestamp = Some("2026-01-02T03:04:05.5+00:00".into());
        result.failures = (0..failures)
            .map(|i| ValidationFailure {
                rule_type: "not_null".into(),
                column: format!("c{i}"),
                message: "nulls".into(),
                severity: Default::default(),
                failed_count: samples,
                failed_indices: (0..samples).collect(),
                metadata: Map::new(),
            })
            .collect();
        result
    }

    #[test]
    fn truncation_says_whether_failures_were_dropped() {
        let serializer = ResultSerializer::new(SerializerConfig::DEFAULT.with_max_failures(2));
        let truncated = serializer.serialize_check_result(&failing_check(3, 1));
        assert_eq!(truncated["failures"].as_array().unwrap().len(), 2);
        assert_eq!(truncated["failures_truncated"], true);
        let whole = serializer.serialize_check_result(&failing_check(2, 1));
        assert_eq!(whole["failures_truncated"], false);
        let unlimited = ResultSerializer::default().serialize_check_result(&failing_check(3, 1));
        assert!(unlimited.get("failures_truncated").is_none());
    }

    #[test]
    fn failing_rows_are_limited_to_max_sample_rows() {
        let compact = ResultSerializer::new(SerializerConfig::COMPACT).serialize_check_result(&failing_check(1, 8));
        assert_eq!(compact["failures"][0]["failed_indices"], json!([0, 1, 2, 3, 4]));
        assert!(compact.get("_serializer").is_none());
        let full = ResultSerializer::new(SerializerConfig::FULL).serialize_check_result(&failing_check(1, 8));
        assert_eq!(full["failures"][0]["failed_indices"].as_array().unwrap().len(), 8);
        assert_eq!(
            (&full["_serializer"], &full["_version"], &full["_type"]),
            (&json!("truthound_kestra"), &json!("1.0"), &json!("check_result"))
        );
    }

    #[test]
    fn unix_timestamps_read_back_as_iso() {
        let config = SerializerConfig { timestamp_format: TimestampFormat::Unix, ..SerializerConfig::DEFAULT };
        let serializer = ResultSerializer::new(config);
        let value = serializer.serialize_check_result(&failing_check(1, 1));
        assert_eq!(value["timestamp"], 1_767_323_045.5);
        let back = serializer.deserialize_check_result(value).unwrap();
        assert_eq!(back.timestamp.as_deref(), Some("2026-01-02T03:04:05.500000+00:00"));
        let without = ResultSerializer::new(SerializerConfig { include_timestamps: false, ..config });
        assert!(without.serialize_check_result(&failing_check(1, 1)).get("timestamp").is_none());
    }

    #[test]
    fn deserializing_drops_marks_and_checks_the_operation() {
        let serializer = ResultSerializer::default();
        let original = failing_check(2, 3);
        let value = serializer.serialize_check_result(&original);
        assert_eq!(serializer.deserialize_check_result(value.clone()).unwrap(), original);
        let error = serializer.deserialize_profile_result(value).unwrap_err();
        assert!(error.to_string().contains("expected a profile result, got a check result"), "{error}");
        assert!(serializer.deserialize_result(json!([1])).is_err());
    }

    #[test]
    fn formats_serialise_and_csv_is_refused() {
        let value = json!({"status": "passed", "name": "é"});
        let pretty = JsonSerializer::default().serialize(&value).unwrap();
        assert!(pretty.contains("\n  \"name\": \"é\""), "{pretty}");
        assert_eq!(JsonSerializer { compact: true }.serialize(&value).unwrap(), r#"{"status":"passed","name":"é"}"#);
        let yaml = YamlSerializer.serialize(&json!({"z": 1, "a": 2})).unwrap();
        assert_eq!(yaml, "z: 1\na: 2\n");
        assert_eq!(YamlSerializer.deserialize(&yaml).unwrap(), json!({"z": 1, "a": 2}));
        let error = get_serializer(OutputFormat::Csv, &SerializerConfig::DEFAULT).err().unwrap();
        assert!(error.to_string().contains("csv"), "{error}");
        assert_eq!("Markdown".parse::<OutputFormat>().unwrap(), OutputFormat::Markdown);
        assert!("xml".parse::<OutputFormat>().is_err());
        let report = serialize_to_format(&failing_check(1, 1), OutputFormat::Markdown, &SerializerConfig::DEFAULT);
        assert!(report.unwrap().starts_with("# Data Quality Report ❌"));
    }
}
