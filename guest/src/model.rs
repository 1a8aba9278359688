//! Plain Rust mirrors of the WIT types, so the engine's logic builds and tests natively.

use serde::Serialize;
use std::fmt;

/// Outcome of a rule or a check (the seed's `CheckStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Warning,
    Skipped,
    Error,
}

impl Status {
    /// The lowercase name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Warning => "warning",
            Status::Skipped => "skipped",
            Status::Error => "error",
        }
    }

    /// Passed and warning are successes; everything else is not (the seed's `is_success`).
    pub fn is_success(self) -> bool {
        matches!(self, Status::Passed | Status::Warning)
    }
}

/// Severity of a rule as written in rule documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
}

impl Severity {
    /// Parses a rule document's severity; `high`/`medium`/`low` of the seed's result scale are
    /// accepted too.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "critical" => Some(Severity::Critical),
            "error" | "high" => Some(Severity::Error),
            "warning" | "warn" | "medium" => Some(Severity::Warning),
            "info" | "low" => Some(Severity::Info),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Position on the seed's result severity scale.
    pub fn report_severity(self) -> ReportSeverity {
        match self {
            Severity::Critical => ReportSeverity::Critical,
            Severity::Error => ReportSeverity::High,
            Severity::Warning => ReportSeverity::Medium,
            Severity::Info => ReportSeverity::Low,
        }
    }

    /// A failing rule of this severity fails the check (otherwise it is a warning).
    pub fn fails_check(self) -> bool {
        matches!(self, Severity::Critical | Severity::Error)
    }
}

/// The seed's result severity scale, totally ordered (the original only ordered it by `<`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportSeverity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl ReportSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportSeverity::Info => "info",
            ReportSeverity::Low => "low",
            ReportSeverity::Medium => "medium",
            ReportSeverity::High => "high",
            ReportSeverity::Critical => "critical",
        }
    }
}

/// What went wrong when a call could not produce a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    RuleDocument,
    UnknownColumn,
    Data,
    State,
    Options,
}

/// An expected failure with a message a user can act on.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityError {
    pub kind: ErrorKind,
    pub message: String,
}

impl QualityError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        QualityError { kind, message: message.into() }
    }
    pub fn rule_document(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::RuleDocument, message)
    }
    pub fn data(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Data, message)
    }
    pub fn state(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::State, message)
    }
}

impl fmt::Display for QualityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QualityError {}

/// One unexpected value and its 0-based row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureSample {
    pub row: u64,
    pub value: String,
}

/// The result of one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    pub index: u32,
    pub rule_type: String,
    pub name: String,
    pub column: Option<String>,
    /// Normalised parameters as a compact JSON object.
    pub parameters: String,
    pub severity: Severity,
    pub status: Status,
    pub element_count: u64,
    pub evaluated_count: u64,
    pub unexpected_count: u64,
    pub unexpected_percent: f64,
    pub null_count: u64,
    pub mostly: f64,
    /// The asserted metric as JSON text.
    pub observed_value: String,
    pub samples: Vec<FailureSample>,
    pub message: String,
    /// The rule as written in the suite or schema it was translated from, as JSON text (see
    /// [`crate::document::Origin`]); `None` for rules written in truthound's own format.
    pub origin: Option<String>,
}

/// The result of a whole check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub status: Status,
    pub passed_count: u32,
    pub failed_count: u32,
    pub warning_count: u32,
    pub row_count: u64,
    /// Columns the check read, in data order.
    pub columns_read: Vec<String>,
    pub suite_name: Option<String>,
    pub rule_results: Vec<RuleResult>,
}

/// The language a rule document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleFormat {
    /// truthound's own rule documents.
    #[default]
    Truthound,
    /// A Great Expectations expectation suite (JSON or YAML).
    GreatExpectations,
    /// A pandera `DataFrameSchema` as written by `pandera.io.to_yaml`.
    Pandera,
}

/// Options of a check run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckOptions {
    /// Unexpected values kept per rule.
    pub sample_failures: u32,
    /// Failing rules below this report severity count as warnings.
    pub min_severity: ReportSeverity,
    /// How many checkers share the rules (1: this one evaluates all of them).
    pub shard_count: u32,
    /// Which share this checker evaluates.
    pub shard_index: u32,
    /// The language of the rule document.
    pub rule_format: RuleFormat,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            sample_failures: 100,
            min_severity: ReportSeverity::Low,
            shard_count: 1,
            shard_index: 0,
            rule_format: RuleFormat::Truthound,
        }
    }
}
