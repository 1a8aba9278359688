//! The reference's error hierarchy (`DataQualityError` and its kinds) and the exit code of each
//! kind, so that Kestra flows can tell "the data failed the rules" from "the run broke" by exit
//! code and by the `error` output.

use crate::context::ExecutionContext;
use crate::runtime::{ErrorKind as GuestErrorKind, QualityError};
use serde_json::{Map, Value, json};
use std::fmt;

/// Exit codes of the CLI, one per error kind.
pub mod exit_code {
    /// Passed, or passed with warnings, or failed without `--fail-on-error`.
    pub const SUCCESS: i32 = 0;
    /// `DataQualityError`: rules failed and `fail_on_error` is on.
    pub const RULES_FAILED: i32 = 1;
    /// `ConfigurationError` (command line, rule document, options) and `FlowError`.
    pub const CONFIGURATION: i32 = 2;
    /// `ScriptError`: the data could not be loaded (missing file, corrupt Parquet, ...).
    pub const SCRIPT: i32 = 3;
    /// `EngineError`: trap, memory limit, timeout.
    pub const ENGINE: i32 = 4;
    /// `SLAViolationError`: the SLA was violated and `--sla-fail` is on. Wins over
    /// [`RULES_FAILED`]: a run whose rules failed and whose SLA was violated exits 5.
    pub const SLA_VIOLATION: i32 = 5;
    /// `OutputError`: an output or result file could not be written.
    pub const OUTPUT: i32 = 6;
    /// `SerializationError`: a result could not be serialised or parsed.
    pub const SERIALIZATION: i32 = 7;
}

/// The name of the wasm engine, reported as `engine_name` of engine errors.
const ENGINE_NAME: &str = "truthound";

/// What went wrong, with the fields the reference's subclass of `DataQualityError` carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// The base class: the data failed the rules.
    DataQuality,
    /// A bad command line, rule document, rule or option.
    Configuration { field: Option<String>, value: Option<Value>, reason: Option<String> },
    /// The engine could not run: trap, memory limit, timeout.
    Engine {
        engine_name: Option<String>,
        operation: Option<String>,
        original_error: Option<String>,
        original_error_type: Option<String>,
    },
    /// A script could not do its job (for this host: the data could not be loaded).
    Script { script_name: Option<String>, task_id: Option<String>, execution_id: Option<String> },
    /// A flow configuration could not be turned into a flow.
    Flow { flow_id: Option<String>, namespace: Option<String>, trigger: Option<String> },
    /// An output could not be delivered.
    Output { output_name: Option<String>, output_type: Option<String> },
    /// SLA violations (their records as JSON).
    SlaViolation { violations: Vec<Value> },
    /// A value could not be serialised or deserialised.
    Serialization { format: Option<String>, direction: Option<String> },
}

/// How a field of a kind shows in `Display`.
enum Shown {
    /// `label='value'`, Python-repr quoting.
    Repr(&'static str),
    /// `label=value`, as is (type names).
    Raw(&'static str),
    /// Only in `to_dict`.
    Hidden,
}

impl ErrorKind {
    /// The reference's class name (`to_dict()["type"]`).
    pub fn class_name(&self) -> &'static str {
        match self {
            ErrorKind::DataQuality => "DataQualityError",
            ErrorKind::Configuration { .. } => "ConfigurationError",
            ErrorKind::Engine { .. } => "EngineError",
            ErrorKind::Script { .. } => "ScriptError",
            ErrorKind::Flow { .. } => "FlowError",
            ErrorKind::Output { .. } => "OutputError",
            ErrorKind::SlaViolation { .. } => "SLAViolationError",
            ErrorKind::Serialization { .. } => "SerializationError",
        }
    }

    /// The exit code of this kind.
    pub fn exit_code(&self) -> i32 {
        match self {
            ErrorKind::DataQuality => exit_code::RULES_FAILED,
            ErrorKind::Configuration { .. } | ErrorKind::Flow { .. } => exit_code::CONFIGURATION,
            ErrorKind::Script { .. } => exit_code::SCRIPT,
            ErrorKind::Engine { .. } => exit_code::ENGINE,
            ErrorKind::SlaViolation { .. } => exit_code::SLA_VIOLATION,
            ErrorKind::Output { .. } => exit_code::OUTPUT,
            ErrorKind::Serialization { .. } => exit_code::SERIALIZATION,
        }
    }

    /// The kind's fields in `to_dict` order: key, how `Display` shows it, value (`null` when
    /// unset). One table serves `Display` and `to_dict`.
    fn fields(&self) -> Vec<(&'static str, Shown, Value)> {
        let text = |v: &Option<String>| v.as_deref().map_or(Value::Null, Value::from);
        match self {
            ErrorKind::DataQuality => vec![],
            ErrorKind::Configuration { field, value, reason } => vec![
                ("field", Shown::Repr("field"), text(field)),
                ("value", Shown::Repr("value"), value.clone().unwrap_or(Value::Null)),
                ("reason", Shown::Repr("reason"), text(reason)),
            ],
            ErrorKind::Engine { engine_name, operation, original_error, original_error_type } => vec![
                ("engine_name", Shown::Repr("engine"), text(engine_name)),
                ("operation", Shown::Repr("operation"), text(operation)),
                ("original_error", Shown::Hidden, text(original_error)),
                ("original_error_type", Shown::Raw("caused_by"), text(original_error_type)),
            ],
            ErrorKind::Script { script_name, task_id, execution_id } => vec![
                ("script_name", Shown::Repr("script"), text(script_name)),
                ("task_id", Shown::Repr("task_id"), text(task_id)),
                ("execution_id", Shown::Repr("execution_id"), text(execution_id)),
            ],
            ErrorKind::Flow { flow_id, namespace, trigger } => vec![
                ("flow_id", Shown::Repr("flow_id"), text(flow_id)),
                ("namespace", Shown::Repr("namespace"), text(namespace)),
                ("trigger", Shown::Repr("trigger"), text(trigger)),
            ],
            ErrorKind::Output { output_name, output_type } => vec![
                ("output_name", Shown::Repr("output"), text(output_name)),
                ("output_type", Shown::Repr("type"), text(output_type)),
            ],
            ErrorKind::SlaViolation { violations } => vec![
                ("violations", Shown::Hidden, Value::from(violations.clone())),
                ("violation_count", Shown::Hidden, Value::from(violations.len())),
            ],
            ErrorKind::Serialization { format, direction } => vec![
                ("format", Shown::Repr("format"), text(format)),
                ("direction", Shown::Repr("direction"), text(direction)),
            ],
        }
    }

    /// Reads a kind back from a `to_dict` object (unknown types are the base kind).
    fn from_dict(class_name: &str, d: &Map<String, Value>) -> ErrorKind {
        let text = |key: &str| d.get(key).and_then(Value::as_str).map(String::from);
        match class_name {
            "ConfigurationError" => ErrorKind::Configuration {
                field: text("field"),
                value: d.get("value").filter(|v| !v.is_null()).cloned(),
                reason: text("reason"),
            },
            "EngineError" => ErrorKind::Engine {
                engine_name: text("engine_name"),
                operation: text("operation"),
                original_error: text("original_error"),
                original_error_type: text("original_error_type"),
            },
            "ScriptError" => ErrorKind::Script {
                script_name: text("script_name"),
                task_id: text("task_id"),
                execution_id: text("execution_id"),
            },
            "FlowError" => {
                ErrorKind::Flow { flow_id: text("flow_id"), namespace: text("namespace"), trigger: text("trigger") }
            }
            "OutputError" => ErrorKind::Output { output_name: text("output_name"), output_type: text("output_type") },
            "SLAViolationError" => ErrorKind::SlaViolation {
                violations: d.get("violations").and_then(Value::as_array).cloned().unwrap_or_default(),
            },
            "SerializationError" => ErrorKind::Serialization { format: text("format"), direction: text("direction") },
            _ => ErrorKind::DataQuality,
        }
    }
}

/// The reference's `DataQualityError(message, result, metadata)`; `kind` says which subclass it
/// is and carries that subclass's fields. The details are boxed: errors travel in most
/// `Result`s of the host, which should stay small. Read and change them through `Deref`
/// (`error.message`, `error.kind`).
#[derive(Debug, Clone, PartialEq)]
pub struct DataQualityError(Box<ErrorDetails>);

/// The fields of a [`DataQualityError`].
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDetails {
    /// What went wrong, naming the culprit.
    pub message: String,
    /// The result the error is about (a failing check's counts), if any.
    pub result: Option<Value>,
    /// Anything else worth keeping (the execution context, the data source, ...).
    pub metadata: Map<String, Value>,
    /// The subclass and its fields.
    pub kind: ErrorKind,
}

impl std::error::Error for DataQualityError {}

impl std::ops::Deref for DataQualityError {
    type Target = ErrorDetails;

    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for DataQualityError {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

fn some(text: impl Into<String>) -> Option<String> {
    Some(text.into())
}

impl DataQualityError {
    /// An error of `kind` without result or metadata.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> DataQualityError {
        DataQualityError(Box::new(ErrorDetails { message: message.into(), result: None, metadata: Map::new(), kind }))
    }

    /// A failing check: `"Data quality check failed: N failures"`, with the result (which
    /// carries `status` and `failed_count` at its top level).
    pub fn rules_failed(failed_count: u32, result: Value) -> DataQualityError {
        let message = format!("Data quality check failed: {failed_count} failures");
        let mut error = DataQualityError::new(ErrorKind::DataQuality, message);
        error.result = Some(result);
        error
    }

    /// A configuration error about `field` (an option, `rules`, `column`...).
    pub fn configuration(field: &str, message: impl Into<String>) -> DataQualityError {
        DataQualityError::new(ErrorKind::Configuration { field: some(field), value: None, reason: None }, message)
    }

    /// An option given an unusable value: `"{flag} {reason}, got {value}"`.
    pub fn invalid_option(flag: &str, value: impl Into<Value>, reason: &str) -> DataQualityError {
        let value = value.into();
        let message = format!("{flag} {reason}, got {value}");
        let kind = ErrorKind::Configuration {
            field: some(flag.trim_start_matches('-')),
            value: Some(value),
            reason: some(reason),
        };
        DataQualityError::new(kind, message)
    }

    /// A script (`load_data`, ...) that could not do its job.
    pub fn script(script_name: &str, message: impl Into<String>) -> DataQualityError {
        DataQualityError::new(
            ErrorKind::Script { script_name: some(script_name), task_id: None, execution_id: None },
            message,
        )
    }

    /// Data that could not be loaded from `source` (the reference's `load_data` ScriptError).
    pub fn load_data(source: &str, message: impl Into<String>) -> DataQualityError {
        let mut error = DataQualityError::script("load_data", message);
        error.metadata.insert("source".into(), Value::from(source));
        error
    }

    /// The engine failed during `operation`; `cause` is the underlying error's type name and
    /// text, when there is one.
    pub fn engine(operation: &str, message: impl Into<String>, cause: Option<(&str, String)>) -> DataQualityError {
        let (original_error_type, original_error) = cause.map_or((None, None), |(t, e)| (some(t), Some(e)));
        let kind = ErrorKind::Engine {
            engine_name: some(ENGINE_NAME),
            operation: some(operation),
            original_error,
            original_error_type,
        };
        DataQualityError::new(kind, message)
    }

    /// This engine error reported as an error of the engine called `name` (a third-party engine
    /// plugin) instead of ours; other errors are returned unchanged.
    pub fn with_engine_name(mut self, name: &str) -> DataQualityError {
        if let ErrorKind::Engine { engine_name, .. } = &mut self.kind {
            *engine_name = some(name);
        }
        self
    }

    /// An output (`output_type`: `file`, `stdout`, `kestra`) that could not be delivered.
    pub fn output(output_name: &str, output_type: &str, message: impl Into<String>) -> DataQualityError {
        DataQualityError::new(
            ErrorKind::Output { output_name: some(output_name), output_type: some(output_type) },
            message,
        )
    }

    /// A flow configuration that cannot be generated; `field` is the culprit in the document.
    pub fn flow(
        flow_id: Option<&str>,
        namespace: Option<&str>,
        field: &str,
        message: impl Into<String>,
    ) -> DataQualityError {
        let kind = ErrorKind::Flow {
            flow_id: flow_id.map(String::from),
            namespace: namespace.map(String::from),
            trigger: None,
        };
        let mut error = DataQualityError::new(kind, message);
        error.metadata.insert("field".into(), Value::from(field));
        error
    }

    /// SLA violations (as JSON records).
    pub fn sla_violation(message: impl Into<String>, violations: Vec<Value>) -> DataQualityError {
        DataQualityError::new(ErrorKind::SlaViolation { violations }, message)
    }

    /// A value that could not be serialised or parsed as `format` (`direction`: `serialize` or
    /// `deserialize`).
    pub fn serialization(format: &str, direction: &str, message: impl Into<String>) -> DataQualityError {
        DataQualityError::new(ErrorKind::Serialization { format: some(format), direction: some(direction) }, message)
    }

    /// Classifies an error the guest returned.
    pub fn from_guest(error: QualityError) -> DataQualityError {
        let field = match error.kind {
            GuestErrorKind::RuleDocument => "rules",
            GuestErrorKind::UnknownColumn => "column",
            GuestErrorKind::State => "state",
            GuestErrorKind::Options => "options",
            GuestErrorKind::Data => return DataQualityError::script("load_data", error.message),
        };
        DataQualityError::configuration(field, error.message)
    }

    /// The same error with the execution context in `metadata.context` (the reference's
    /// `metadata={"context": ctx.to_dict()}`); a script error also gets its task and execution.
    pub fn with_context(mut self, context: &ExecutionContext) -> DataQualityError {
        self.metadata.insert("context".into(), context.to_dict());
        if let ErrorKind::Script { task_id, execution_id, .. } = &mut self.kind {
            if task_id.is_none() {
                task_id.clone_from(&context.task_id);
            }
            execution_id.get_or_insert_with(|| context.execution_id.clone());
        }
        self
    }

    /// The exit code of this error.
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }

    /// The reference's `to_dict()`: `type` (the class name), `message`, `result`, `metadata`,
    /// then the kind's fields.
    pub fn to_dict(&self) -> Value {
        let mut dict = Map::new();
        dict.insert("type".into(), Value::from(self.kind.class_name()));
        dict.insert("message".into(), Value::from(self.message.as_str()));
        dict.insert("result".into(), self.result.clone().unwrap_or(Value::Null));
        dict.insert("metadata".into(), Value::Object(self.metadata.clone()));
        for (key, _, value) in self.kind.fields() {
            dict.insert(key.into(), value);
        }
        Value::Object(dict)
    }

    /// Reads a `to_dict` value back; like the reference, missing parts default (message
    /// `"Unknown error"`, no result, empty metadata) and an unknown type is the base class.
    pub fn from_dict(dict: &Value) -> DataQualityError {
        let empty = Map::new();
        let d = dict.as_object().unwrap_or(&empty);
        let class_name = d.get("type").and_then(Value::as_str).unwrap_or("DataQualityError");
        DataQualityError(Box::new(ErrorDetails {
            message: d.get("message").and_then(Value::as_str).unwrap_or("Unknown error").to_string(),
            result: d.get("result").filter(|r| !r.is_null()).cloned(),
            metadata: d.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default(),
            kind: ErrorKind::from_dict(class_name, d),
        }))
    }

    /// The `outputs` of a run that broke: `{"error": to_dict, "status": "error",
    /// "is_success": false}`, so downstream tasks can branch on it.
    pub fn outputs(&self) -> Value {
        json!({ "error": self.to_dict(), "status": "error", "is_success": false })
    }
}

impl fmt::Display for DataQualityError {
    /// Like the reference's `__str__`: the base class shows the result's status and failures;
    /// subclasses join the message and their set fields with `" | "`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::DataQuality => match self.result.as_ref().filter(|r| truthy(r)) {
                None => f.write_str(&self.message),
                Some(result) => {
                    let status = result.get("status").map_or("UNKNOWN".to_string(), plain);
                    let failed = result.get("failed_count").map_or("0".to_string(), plain);
                    write!(f, "{} (status={status}, failed={failed})", self.message)
                }
            },
            ErrorKind::SlaViolation { violations } if !violations.is_empty() => {
                write!(f, "{} ({} violation(s))", self.message, violations.len())
            }
            kind => {
                f.write_str(&self.message)?;
                for (_, shown, value) in kind.fields() {
                    match (shown, &value) {
                        (_, Value::Null) | (Shown::Hidden, _) => {}
                        (Shown::Repr(label), value) => write!(f, " | {label}={}", python_repr(value))?,
                        (Shown::Raw(label), value) => write!(f, " | {label}={}", plain(value))?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// Python truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A value as Python's `str()` shows it: strings without quotes.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => python_repr(other),
    }
}

/// A value as Python's `repr()` shows it: `'text'`, `123`, `True`, `None`, `[1, 'a']`.
fn python_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => format!("[{}]", items.iter().map(python_repr).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let entries: Vec<String> = map.iter().map(|(k, v)| format!("'{k}': {}", python_repr(v))).collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_boom() -> DataQualityError {
        DataQualityError::engine("check", "Engine check failed: boom", Some(("RuntimeError", "boom".into())))
    }

    #[test]
    fn display_matches_the_reference() {
        assert_eq!(
            engine_boom().to_string(),
            "Engine check failed: boom | engine='truthound' | operation='check' | caused_by=RuntimeError"
        );
        let config = DataQualityError::invalid_option("timeout_seconds", 123, "must be > 0");
        assert_eq!(
            config.to_string(),
            "timeout_seconds must be > 0, got 123 | field='timeout_seconds' | value=123 | reason='must be > 0'"
        );
        let output = DataQualityError::output("out.json", "file", "cannot write");
        assert_eq!(output.to_string(), "cannot write | output='out.json' | type='file'");
        let serialization = DataQualityError::serialization("json", "deserialize", "bad");
        assert_eq!(serialization.to_string(), "bad | format='json' | direction='deserialize'");
        let quoted = DataQualityError::configuration("it's", "m");
        assert_eq!(quoted.to_string(), r"m | field='it\'s'");
    }

    #[test]
    fn the_base_class_shows_the_results_status_and_failures() {
        assert_eq!(DataQualityError::new(ErrorKind::DataQuality, "plain").to_string(), "plain");
        let failed = DataQualityError::rules_failed(2, json!({"status": "failed", "failed_count": 2}));
        assert_eq!(failed.to_string(), "Data quality check failed: 2 failures (status=failed, failed=2)");
        let unknown = DataQualityError::rules_failed(0, json!({"other": 1}));
        assert_eq!(unknown.to_string(), "Data quality check failed: 0 failures (status=UNKNOWN, failed=0)");
        assert_eq!(failed.exit_code(), exit_code::RULES_FAILED);
    }

    #[test]
    fn sla_errors_count_their_violations() {
        let none = DataQualityError::sla_violation("SLA violated", vec![]);
        assert_eq!(none.to_string(), "SLA violated");
        let two = DataQualityError::sla_violation("SLA violated", vec![json!({"a": 1}), json!("b")]);
        assert_eq!(two.to_string(), "SLA violated (2 violation(s))");
        assert_eq!(two.to_dict()["violation_count"], 2);
        assert_eq!(two.exit_code(), exit_code::SLA_VIOLATION);
    }

    #[test]
    fn to_dict_has_the_reference_keys_in_order() {
        let dict = engine_boom().to_dict();
        let keys: Vec<&str> = dict.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "type",
                "message",
                "result",
                "metadata",
                "engine_name",
                "operation",
                "original_error",
                "original_error_type"
            ]
        );
        assert_eq!(dict["type"], "EngineError");
        assert_eq!(dict["original_error"], "boom");
        assert_eq!(dict["original_error_type"], "RuntimeError");
        assert_eq!(dict["result"], Value::Null);
    }

    #[test]
    fn every_kind_round_trips_through_to_dict() {
        let errors = [
            DataQualityError::rules_failed(1, json!({"status": "failed", "failed_count": 1})),
            DataQualityError::invalid_option("--timeout", -1.5, "must be positive"),
            engine_boom(),
            DataQualityError::load_data("x.csv", "x.csv: no such file"),
            DataQualityError::flow(Some("f"), Some("ns"), "schedule", "bad cron"),
            DataQualityError::output("o.json", "file", "disk full"),
            DataQualityError::sla_violation("late", vec![json!({"type": "execution_time_exceeded"})]),
            DataQualityError::serialization("yaml", "serialize", "bad"),
        ];
        let codes: Vec<i32> = errors.iter().map(DataQualityError::exit_code).collect();
        assert_eq!(codes, [1, 2, 4, 3, 2, 6, 5, 7]);
        for error in errors {
            assert_eq!(DataQualityError::from_dict(&error.to_dict()), error);
        }
    }

    #[test]
    fn from_dict_defaults_like_the_reference() {
        let error = DataQualityError::from_dict(&json!({}));
        assert_eq!(error, DataQualityError::new(ErrorKind::DataQuality, "Unknown error"));
        let unknown_type = DataQualityError::from_dict(&json!({"type": "Whatever", "message": "m"}));
        assert_eq!(unknown_type.kind, ErrorKind::DataQuality);
    }

    #[test]
    fn guest_errors_map_to_configuration_or_script_errors() {
        let guest = |kind, message: &str| QualityError { kind, message: message.into() };
        let column = DataQualityError::from_guest(guest(GuestErrorKind::UnknownColumn, "unknown column 'x'"));
        assert_eq!(column.to_dict()["field"], "column");
        assert_eq!(column.exit_code(), exit_code::CONFIGURATION);
        let data = DataQualityError::from_guest(guest(GuestErrorKind::Data, "bad IPC"));
        assert_eq!(data.exit_code(), exit_code::SCRIPT);
    }

    #[test]
    fn context_fills_script_errors_and_metadata() {
        let context = ExecutionContext { task_id: Some("check".into()), ..ExecutionContext::local() };
        let error = DataQualityError::load_data("x.csv", "missing").with_context(&context);
        let dict = error.to_dict();
        assert_eq!(dict["task_id"], "check");
        assert_eq!(dict["execution_id"], context.execution_id.as_str());
        assert_eq!(dict["metadata"]["context"]["task_id"], "check");
        assert_eq!(dict["metadata"]["source"], "x.csv");
    }
}
