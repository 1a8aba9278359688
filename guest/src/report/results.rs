//! The seed's result types (`utils.types`): what every operation reports, typed, serialising
//! with the seed's `to_dict` key order and reading back with its `from_dict` defaults. The
//! envelopes the CLI emits are built from these (see [`Envelope`]), so the shape has one source.

use crate::model::FailureSample;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

/// Outcome of a check (the seed's `CheckStatus`): `is_success` is passed or warning.
pub use crate::model::Status as CheckStatus;

/// The seed's result severity, totally ordered `info < low < medium < high < critical` (the
/// original only defined `<`, so `high > low` compared the strings).
pub use crate::model::ReportSeverity as Severity;

/// The operation a result comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationType {
    #[default]
    Check,
    Profile,
    Learn,
}

impl OperationType {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationType::Check => "check",
            OperationType::Profile => "profile",
            OperationType::Learn => "learn",
        }
    }
}

/// A failed rule (the seed's `ValidationFailure`); `failed_indices` are 0-based rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationFailure {
    pub rule_type: String,
    /// Empty for rules over the whole table.
    pub column: String,
    pub message: String,
    /// `medium` when the record has none.
    #[serde(default)]
    pub severity: Severity,
    /// Rows that failed.
    #[serde(default)]
    pub failed_count: u64,
    /// The failing rows kept as samples (0-based).
    #[serde(default)]
    pub failed_indices: Vec<u64>,
    /// Ours: `rule_name`, `rule_index`, `unexpected_percent`, `sample_values` (paired with
    /// `failed_indices`), `observed_value`.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// The profile of a column (the seed's `ColumnProfile`); percentages are 0 to 100. Our further
/// statistics (quantiles, histogram, top values, ...) are in `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub column_name: String,
    /// The logical type (`int64`, `string`, `date`, ...).
    pub dtype: String,
    #[serde(default)]
    pub null_count: u64,
    #[serde(default)]
    pub null_percentage: f64,
    #[serde(default)]
    pub unique_count: u64,
    #[serde(default)]
    pub unique_percentage: f64,
    /// Smallest value: a number, or text for strings, dates and timestamps.
    #[serde(default)]
    pub min_value: Option<Value>,
    /// Largest value, like `min_value`.
    #[serde(default)]
    pub max_value: Option<Value>,
    #[serde(default)]
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1).
    #[serde(default)]
    pub std: Option<f64>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// A suggested rule (the seed's `LearnedRule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedRule {
    pub rule_type: String,
    pub column: String,
    #[serde(default)]
    pub parameters: Map<String, Value>,
    /// From 0 to 1; 1 when the record has none.
    #[serde(default = "full_confidence")]
    pub confidence: f64,
    /// Rows the rule was learned from.
    #[serde(default)]
    pub sample_size: u64,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

fn full_confidence() -> f64 {
    1.0
}

impl LearnedRule {
    /// The rule as a rule-document entry: `{type, column, **parameters}`.
    pub fn to_rule_dict(&self) -> Value {
        let mut rule = Map::new();
        rule.insert("type".into(), self.rule_type.clone().into());
        rule.insert("column".into(), self.column.clone().into());
        rule.extend(self.parameters.clone());
        Value::Object(rule)
    }
}

/// One rule's full outcome: our addition to the seed's result (`rule_results`), with the
/// samples of unexpected values every report shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    pub index: u32,
    pub name: String,
    pub rule_type: String,
    pub column: Option<String>,
    pub parameters: Value,
    /// The severity as written in the rule document (`critical`, `error`, `warning`, `info`).
    pub severity: crate::model::Severity,
    pub status: CheckStatus,
    pub element_count: u64,
    pub evaluated_count: u64,
    pub unexpected_count: u64,
    pub unexpected_percent: f64,
    pub null_count: u64,
    pub mostly: f64,
    pub observed_value: Value,
    pub samples: Vec<FailureSample>,
    pub message: String,
    /// The rule as written in the suite or schema it was translated from.
    pub origin: Option<Value>,
}

/// What an operation reports (the seed's `ScriptOutput`). `is_success` and `pass_rate` are
/// derived: they are written after `timestamp`, as the seed's `to_dict` does, and ignored when
/// read back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ScriptOutput {
    #[serde(default = "error_status")]
    pub status: CheckStatus,
    #[serde(default)]
    pub operation: OperationType,
    #[serde(default)]
    pub passed_count: u32,
    #[serde(default)]
    pub failed_count: u32,
    #[serde(default)]
    pub warning_count: u32,
    #[serde(default)]
    pub total_rows: u64,
    #[serde(default)]
    pub execution_time_ms: f64,
    /// Checks: the failed rules.
    #[serde(default)]
    pub failures: Vec<ValidationFailure>,
    /// Profiles: one profile per column.
    #[serde(default)]
    pub columns: Vec<ColumnProfile>,
    /// Learn: the rules kept.
    #[serde(default)]
    pub rules: Vec<LearnedRule>,
    /// Facts of the run (`engine`, `source`, ...), per operation.
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// ISO 8601 (`2026-11-26T07:01:05.123456+00:00`); `None` when the record had none.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Every rule's outcome (checks only; not written when empty).
    #[serde(default)]
    pub rule_results: Vec<RuleOutcome>,
}

fn error_status() -> CheckStatus {
    CheckStatus::Error
}

impl ScriptOutput {
    /// An empty result of `operation` with `status`.
    pub fn new(status: CheckStatus, operation: OperationType) -> ScriptOutput {
        ScriptOutput {
            status,
            operation,
            passed_count: 0,
            failed_count: 0,
            warning_count: 0,
            total_rows: 0,
            execution_time_ms: 0.0,
            failures: Vec::new(),
            columns: Vec::new(),
            rules: Vec::new(),
            metadata: Map::new(),
            timestamp: None,
            rule_results: Vec::new(),
        }
    }

    /// Passed or warning.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// `passed / (passed + failed)` from 0 to 1, warnings left out; 1.0 when both are 0.
    pub fn pass_rate(&self) -> f64 {
        let decided = self.passed_count + self.failed_count;
        if decided == 0 { 1.0 } else { f64::from(self.passed_count) / f64::from(decided) }
    }

    /// `1 - pass_rate`.
    pub fn failure_rate(&self) -> f64 {
        1.0 - self.pass_rate()
    }

    /// The learned rules as rule-document entries.
    pub fn learned_rules(&self) -> Vec<Value> {
        self.rules.iter().map(LearnedRule::to_rule_dict).collect()
    }
}

/// `ScriptOutput.to_dict()`'s key order, with the derived keys.
#[derive(Serialize)]
struct ScriptOutputRecord<'a> {
    status: CheckStatus,
    operation: OperationType,
    passed_count: u32,
    failed_count: u32,
    warning_count: u32,
    total_rows: u64,
    execution_time_ms: f64,
    failures: &'a [ValidationFailure],
    columns: &'a [ColumnProfile],
    rules: &'a [LearnedRule],
    metadata: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<&'a str>,
    is_success: bool,
    pass_rate: f64,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    rule_results: &'a [RuleOutcome],
}

impl Serialize for ScriptOutput {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ScriptOutputRecord {
            status: self.status,
            operation: self.operation,
            passed_count: self.passed_count,
            failed_count: self.failed_count,
            warning_count: self.warning_count,
            total_rows: self.total_rows,
            execution_time_ms: self.execution_time_ms,
            failures: &self.failures,
            columns: &self.columns,
            rules: &self.rules,
            metadata: &self.metadata,
            timestamp: self.timestamp.as_deref(),
            is_success: self.is_success(),
            pass_rate: self.pass_rate(),
            rule_results: &self.rule_results,
        }
        .serialize(serializer)
    }
}

/// The seed's `summary` of a result (`create_kestra_output`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub passed_count: u32,
    pub failed_count: u32,
    pub warning_count: u32,
    /// `passed_count + failed_count`.
    pub total_count: u32,
    pub total_rows: u64,
    /// From 0 to 1 (see [`ScriptOutput::pass_rate`]).
    pub pass_rate: f64,
    /// `75.0%`.
    pub pass_rate_formatted: String,
    /// `430.00ms`, `1.50s`, `1m 30s`.
    pub execution_time: String,
}

impl Summary {
    /// The summary of `result`.
    pub fn of(result: &ScriptOutput) -> Summary {
        let rate = result.pass_rate();
        Summary {
            passed_count: result.passed_count,
            failed_count: result.failed_count,
            warning_count: result.warning_count,
            total_count: result.passed_count + result.failed_count,
            total_rows: result.total_rows,
            pass_rate: rate,
            pass_rate_formatted: super::format_percentage(rate * 100.0),
            execution_time: super::format_duration(result.execution_time_ms),
        }
    }
}

/// The payload every operation emits as its Kestra outputs (the seed's `create_kestra_output`,
/// plus `send_profile_result`'s counts and `send_learn_result`'s `learned_rules`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub result: ScriptOutput,
    /// The result's status, repeated for `{{ outputs.<task>.vars.status }}`.
    pub status: CheckStatus,
    pub is_success: bool,
    /// The result's timestamp.
    #[serde(default)]
    pub timestamp: Option<String>,
    pub summary: Summary,
    /// Profiles: the number of columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_count: Option<u64>,
    /// Profiles: the number of rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// Learn: the number of rules kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_count: Option<u64>,
    /// Learn: the rules as rule-document entries (`{type, column, **parameters}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned_rules: Option<Vec<Value>>,
}

impl Envelope {
    /// The envelope of `result`; profiles get their counts and learned rules their rule list.
    pub fn of(result: ScriptOutput) -> Envelope {
        let profile = result.operation == OperationType::Profile;
        let learn = result.operation == OperationType::Learn;
        Envelope {
            status: result.status,
            is_success: result.is_success(),
            timestamp: result.timestamp.clone(),
            summary: Summary::of(&result),
            column_count: profile.then_some(result.columns.len() as u64),
            row_count: profile.then_some(result.total_rows),
            rule_count: learn.then_some(result.rules.len() as u64),
            learned_rules: learn.then(|| result.learned_rules()),
            result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn severities_are_totally_ordered() {
        assert!(Severity::High > Severity::Low);
        assert!(Severity::Critical > Severity::High && Severity::Info < Severity::Low);
        let mut all = vec![Severity::Critical, Severity::Info, Severity::High, Severity::Low, Severity::Medium];
        all.sort();
        assert_eq!(all, [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical]);
    }

    #[test]
    fn statuses_tell_success_from_failure() {
        assert!(CheckStatus::Passed.is_success() && CheckStatus::Warning.is_success());
        assert!(!CheckStatus::Skipped.is_success() && !CheckStatus::Skipped.is_failure());
        assert!(CheckStatus::Failed.is_failure() && CheckStatus::Error.is_failure());
    }

    #[test]
    fn script_output_writes_the_seeds_key_order_and_derived_fields() {
        let mut output = ScriptOutput::new(CheckStatus::Failed, OperationType::Check);
        (output.passed_count, output.failed_count, output.warning_count) = (3, 1, 2);
        output.timestamp = Some("2026-01-02T03:04:05+00:00".into());
        let value = serde_json::to_value(&output).unwrap();
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "status",
                "operation",
                "passed_count",
                "failed_count",
                "warning_count",
                "total_rows",
                "execution_time_ms",
                "failures",
                "columns",
                "rules",
                "metadata",
                "timestamp",
                "is_success",
                "pass_rate"
            ]
        );
        assert_eq!(value["pass_rate"], 0.75);
        assert_eq!(value["is_success"], false);
        assert!((output.failure_rate() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn records_read_back_with_the_seeds_defaults() {
        let output: ScriptOutput = serde_json::from_value(json!({})).unwrap();
        assert_eq!((output.status, output.operation), (CheckStatus::Error, OperationType::Check));
        assert_eq!(output.pass_rate(), 1.0);
        let failure: ValidationFailure =
            serde_json::from_value(json!({"rule_type": "not_null", "column": "id", "message": "m"})).unwrap();
        assert_eq!((failure.severity, failure.failed_count), (Severity::Medium, 0));
        assert!(serde_json::from_value::<ValidationFailure>(json!({"column": "id", "message": "m"})).is_err());
        let rule: LearnedRule = serde_json::from_value(json!({"rule_type": "unique", "column": "id"})).unwrap();
        assert_eq!(rule.confidence, 1.0);
    }

    #[test]
    fn learned_rules_become_rule_document_entries() {
        let rule: LearnedRule = serde_json::from_value(
            json!({"rule_type": "in_range", "column": "age", "parameters": {"min": 0.0, "max": 9.0}}),
        )
        .unwrap();
        assert_eq!(rule.to_rule_dict(), json!({"type": "in_range", "column": "age", "min": 0.0, "max": 9.0}));
    }

    #[test]
    fn envelopes_carry_the_summary_and_per_operation_keys() {
        let mut output = ScriptOutput::new(CheckStatus::Passed, OperationType::Profile);
        output.total_rows = 7;
        let envelope = serde_json::to_value(Envelope::of(output)).unwrap();
        assert_eq!(envelope["row_count"], 7);
        assert_eq!(envelope["column_count"], 0);
        assert_eq!(envelope["summary"]["pass_rate_formatted"], "100.0%");
        assert!(envelope.get("learned_rules").is_none());
    }
}
