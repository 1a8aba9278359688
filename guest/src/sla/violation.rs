//! Alert levels, violation kinds and violations.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How loud an SLA violation is (the seed's `AlertLevel`), ordered
/// `Info < Warning < Error < Critical`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertLevel {
    /// Informational.
    Info,
    /// Worth a look.
    Warning,
    #[default]
    /// A broken SLA (the default).
    Error,
    /// Needs action now; always the level of consecutive failures.
    Critical,
}

impl AlertLevel {
    /// The level's name: `info`, `warning`, `error`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Info => "info",
            AlertLevel::Warning => "warning",
            AlertLevel::Error => "error",
            AlertLevel::Critical => "critical",
        }
    }
}

/// Which threshold a violation broke (the seed's `SLAViolationType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaViolationType {
    /// `failed / (passed + failed)` above `max_failure_rate`.
    FailureRateExceeded,
    /// `passed / (passed + failed)` below `min_pass_rate`.
    PassRateBelowMinimum,
    /// The run took longer than `max_execution_time_seconds`.
    ExecutionTimeExceeded,
    /// Fewer rows than `min_row_count`.
    RowCountBelowMinimum,
    /// More rows than `max_row_count`.
    RowCountAboveMaximum,
    /// `max_consecutive_failures` runs in a row broke a threshold.
    ConsecutiveFailures,
    /// Raised by `alert_on_warning` when the check ended with warnings (the seed never produced it).
    Custom,
}

impl SlaViolationType {
    /// The type's name, e.g. `failure_rate_exceeded`.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaViolationType::FailureRateExceeded => "failure_rate_exceeded",
            SlaViolationType::PassRateBelowMinimum => "pass_rate_below_minimum",
            SlaViolationType::ExecutionTimeExceeded => "execution_time_exceeded",
            SlaViolationType::RowCountBelowMinimum => "row_count_below_minimum",
            SlaViolationType::RowCountAboveMaximum => "row_count_above_maximum",
            SlaViolationType::ConsecutiveFailures => "consecutive_failures",
            SlaViolationType::Custom => "custom",
        }
    }
}

/// One broken threshold (the seed's `SLAViolation`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlaViolation {
    /// Which threshold was broken.
    pub violation_type: SlaViolationType,
    /// What happened, in the seed's words, e.g. `Failure rate 10.0% exceeds maximum 5.0%`.
    pub message: String,
    /// The configured limit.
    pub threshold: Option<f64>,
    /// The measured value.
    pub actual: Option<f64>,
    /// How loud it is.
    pub alert_level: AlertLevel,
    /// When it was detected: the metrics' timestamp (the engine has no clock).
    pub timestamp: Option<String>,
    /// Free-form details.
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_levels_are_fully_ordered() {
        use AlertLevel::*;
        let levels = [Info, Warning, Error, Critical];
        for (i, a) in levels.iter().enumerate() {
            for (j, b) in levels.iter().enumerate() {
                assert_eq!(a < b, i < j, "{a:?} < {b:?}");
                assert_eq!(a > b, i > j, "{a:?} > {b:?}");
            }
        }
    }

    #[test]
    fn names_are_the_seeds() {
        assert_eq!(serde_json::to_value(AlertLevel::Critical).unwrap(), "critical");
        assert_eq!(serde_json::to_value(SlaViolationType::PassRateBelowMinimum).unwrap(), "pass_rate_below_minimum");
        assert_eq!(SlaViolationType::RowCountAboveMaximum.as_str(), "row_count_above_maximum");
    }
}
