//! Plain Rust mirrors of the WIT types, so the engine's logic builds and tests natively.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Outcome of a rule or a check (the seed's `CheckStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

    /// Failed and error are failures (the seed's `is_failure`); skipped is neither.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Error)
    }
}

/// Severity of a rule as written in rule documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportSeverity {
    Info,
    Low,
    #[default]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// Options of a profile (the seed's `ProfileScriptConfig`, plus the exact-distinct limit).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOptions {
    /// Mean, standard deviation, quantiles, zero and negative counts.
    pub include_stats: bool,
    /// A histogram per numeric column.
    pub include_histograms: bool,
    /// Rows profiled: the first `sample_size` (0: all).
    pub sample_size: u64,
    /// Most common values listed per column.
    pub top_n: u32,
    /// Distinct values counted exactly per column (and distinct rows); beyond it counts are
    /// HyperLogLog estimates and flagged as such.
    pub distinct_limit: u32,
    /// Generalise the shapes of string values into patterns (for learning rules).
    pub infer_patterns: bool,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            include_stats: true,
            include_histograms: false,
            sample_size: 0,
            top_n: 10,
            distinct_limit: 100_000,
            infer_patterns: false,
        }
    }
}

/// A quantile of a column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantile {
    pub q: f64,
    pub value: f64,
}

/// One bin of a histogram: values in `[low, high)` (the last bin includes `high`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistogramBin {
    pub low: f64,
    pub high: f64,
    pub count: u64,
}

/// A value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

/// The profile of one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnProfile {
    pub name: String,
    /// `int64`, `float64`, `string`, `date`, `timestamp[us]`, ...
    pub logical_type: String,
    /// Rows profiled.
    pub count: u64,
    pub null_count: u64,
    pub null_percent: f64,
    /// Distinct non-null values.
    pub distinct_count: u64,
    /// The distinct count is a HyperLogLog estimate (standard error 0.81%): the column has more
    /// distinct values than the exact limit.
    pub distinct_estimated: bool,
    /// `distinct_count / count * 100`.
    pub unique_percent: f64,
    /// Smallest and largest value as JSON (numbers, or text for strings, dates and timestamps).
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1).
    pub stdev: Option<f64>,
    /// p1, p5, p25, p50, p75, p95, p99 (lower interpolation: the value at rank floor(q (n-1))).
    pub quantiles: Vec<Quantile>,
    /// Relative error bound of the quantiles and histogram (0 when exact).
    pub quantile_error: f64,
    pub histogram: Vec<HistogramBin>,
    /// The most common values, most common first (ties by value); empty when the distinct count
    /// is an estimate.
    pub top_values: Vec<ValueCount>,
    pub length_min: Option<u64>,
    pub length_mean: Option<f64>,
    pub length_max: Option<u64>,
    pub zero_count: Option<u64>,
    pub negative_count: Option<u64>,
    pub nan_count: u64,
    /// A named format every value has (`email`, `uuid`, `integer_text`, ...).
    pub format: Option<String>,
    /// A regular expression every value matches in full, generalised from the values' shapes.
    pub pattern: Option<String>,
}

/// The profile of a data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileResult {
    pub row_count: u64,
    pub column_count: u32,
    /// Rows equal to an earlier row in every column.
    pub duplicate_row_count: u64,
    /// The duplicate-row count is estimated (more distinct rows than the exact limit).
    pub duplicate_rows_estimated: bool,
    /// Only the first `sample_size` rows were profiled.
    pub sampled: bool,
    pub columns: Vec<ColumnProfile>,
}
