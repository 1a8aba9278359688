//! One SLA evaluation: the thresholds in the seed's order, then the consecutive-failure counter.

use super::config::SlaConfig;
use super::format::{format_percentage, format_thousands};
use super::metrics::SlaMetrics;
use super::violation::{AlertLevel, SlaViolation, SlaViolationType};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The outcome of one evaluation (the seed's `SLAEvaluationResult`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlaEvaluation {
    /// The config evaluated against.
    pub config: SlaConfig,
    /// The metrics evaluated.
    pub metrics: SlaMetrics,
    /// Broken thresholds in the seed's order, `consecutive_failures` last.
    pub violations: Vec<SlaViolation>,
    /// The metrics' timestamp (the engine has no clock).
    pub evaluated_at: Option<String>,
    /// Runs in a row that broke a threshold, this one included; store it for the next run.
    pub consecutive_failures: u32,
}

impl SlaEvaluation {
    /// No violation at all.
    pub fn is_compliant(&self) -> bool {
        self.violations.is_empty()
    }

    /// Whether any violation is critical.
    pub fn has_critical_violations(&self) -> bool {
        self.violations.iter().any(|v| v.alert_level == AlertLevel::Critical)
    }

    /// The loudest violation's level; `None` when compliant.
    pub fn max_alert_level(&self) -> Option<AlertLevel> {
        self.violations.iter().map(|v| v.alert_level).max()
    }

    /// The fields, the metrics with their rates, plus `is_compliant`, `violation_count` and
    /// `max_alert_level` (the seed's `to_dict`).
    pub fn to_json(&self) -> Value {
        let mut value = serde_json::to_value(self).expect("evaluations serialise");
        value["metrics"] = self.metrics.to_json();
        value["is_compliant"] = self.is_compliant().into();
        value["violation_count"] = self.violations.len().into();
        value["max_alert_level"] = serde_json::to_value(self.max_alert_level()).expect("levels serialise");
        value
    }
}

/// Evaluates `metrics` against `config`, given how many runs in a row failed before this one.
///
/// Thresholds are checked in the seed's order with strict comparisons, each violation at the
/// config's `alert_level`: failure rate, pass rate, execution time, then row count (only when
/// known). Any of them moves the counter up by one, a run without them resets it to 0; when the
/// counter reaches `max_consecutive_failures` a critical `consecutive_failures` violation is
/// added. With `alert_on_warning`, a run whose check had warnings also gets a warning-level
/// `custom` violation, which leaves the counter alone. A disabled config reports nothing and
/// keeps the counter.
pub fn evaluate(config: &SlaConfig, metrics: &SlaMetrics, previous_consecutive_failures: u32) -> SlaEvaluation {
    let mut evaluation = SlaEvaluation {
        config: config.clone(),
        metrics: metrics.clone(),
        violations: Vec::new(),
        evaluated_at: metrics.timestamp.clone(),
        consecutive_failures: previous_consecutive_failures,
    };
    if !config.enabled {
        return evaluation;
    }
    let violation = |violation_type, message, threshold: f64, actual: f64, alert_level| SlaViolation {
        violation_type,
        message,
        threshold: Some(threshold),
        actual: Some(actual),
        alert_level,
        timestamp: metrics.timestamp.clone(),
        metadata: Map::new(),
    };
    let level = config.alert_level;
    let mut found = Vec::new();
    let failure_rate = metrics.failure_rate();
    if let Some(max) = config.max_failure_rate
        && failure_rate > max
    {
        let message =
            format!("Failure rate {} exceeds maximum {}", format_percentage(failure_rate), format_percentage(max));
        found.push(violation(SlaViolationType::FailureRateExceeded, message, max, failure_rate, level));
    }
    let pass_rate = metrics.pass_rate();
    if let Some(min) = config.min_pass_rate
        && pass_rate < min
    {
        let message = format!("Pass rate {} below minimum {}", format_percentage(pass_rate), format_percentage(min));
        found.push(violation(SlaViolationType::PassRateBelowMinimum, message, min, pass_rate, level));
    }
    let seconds = metrics.execution_time_seconds();
    if let Some(max) = config.max_execution_time_seconds
        && seconds > max
    {
        let message = format!("Execution time {seconds:.2}s exceeds maximum {max:.2}s");
        found.push(violation(SlaViolationType::ExecutionTimeExceeded, message, max, seconds, level));
    }
    if let Some(rows) = metrics.row_count {
        if let Some(min) = config.min_row_count
            && rows < min
        {
            let message = format!("Row count {} below minimum {}", format_thousands(rows), format_thousands(min));
            found.push(violation(SlaViolationType::RowCountBelowMinimum, message, min as f64, rows as f64, level));
        }
        if let Some(max) = config.max_row_count
            && rows > max
        {
            let message = format!("Row count {} exceeds maximum {}", format_thousands(rows), format_thousands(max));
            found.push(violation(SlaViolationType::RowCountAboveMaximum, message, max as f64, rows as f64, level));
        }
    }
    evaluation.consecutive_failures =
        if found.is_empty() { 0 } else { previous_consecutive_failures.saturating_add(1) };
    if config.alert_on_warning && metrics.warning_count > 0 {
        let message = format!("Check ended with {} warning(s)", metrics.warning_count);
        let warnings = metrics.warning_count as f64;
        found.push(violation(SlaViolationType::Custom, message, 0.0, warnings, AlertLevel::Warning));
    }
    let (count, max) = (evaluation.consecutive_failures, config.max_consecutive_failures);
    if count >= max {
        let message = format!("{count} consecutive failures (max: {max})");
        let consecutive =
            violation(SlaViolationType::ConsecutiveFailures, message, max.into(), count.into(), AlertLevel::Critical);
        found.push(consecutive);
    }
    evaluation.violations = found;
    evaluation
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(passed: u64, failed: u64) -> SlaMetrics {
        SlaMetrics { passed_count: passed, failed_count: failed, ..SlaMetrics::default() }
    }

    fn types(evaluation: &SlaEvaluation) -> Vec<SlaViolationType> {
        evaluation.violations.iter().map(|v| v.violation_type).collect()
    }

    #[test]
    fn ninety_eight_of_a_hundred_meets_a_95_percent_pass_rate() {
        let config = SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap();
        let evaluation = evaluate(&config, &run(98, 2), 0);
        assert!(evaluation.is_compliant());
        assert_eq!(evaluation.consecutive_failures, 0);
        assert_eq!(evaluation.max_alert_level(), None);
    }

    #[test]
    fn ninety_of_a_hundred_breaks_only_the_pass_rate() {
        let config = SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap();
        let evaluation = evaluate(&config, &run(90, 10), 0);
        assert_eq!(types(&evaluation), [SlaViolationType::PassRateBelowMinimum]);
        let violation = &evaluation.violations[0];
        assert_eq!(violation.message, "Pass rate 90.0% below minimum 95.0%");
        assert_eq!((violation.threshold, violation.actual), (Some(0.95), Some(0.9)));
        assert_eq!(violation.alert_level, AlertLevel::Error);
        assert_eq!(evaluation.consecutive_failures, 1);
        assert!(!evaluation.has_critical_violations());
    }

    #[test]
    fn the_counter_climbs_on_failures_and_resets_on_a_pass() {
        let config = SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap();
        let first = evaluate(&config, &run(90, 10), 0);
        let second = evaluate(&config, &run(90, 10), first.consecutive_failures);
        let passed = evaluate(&config, &run(100, 0), second.consecutive_failures);
        assert_eq!([first.consecutive_failures, second.consecutive_failures, passed.consecutive_failures], [1, 2, 0]);
        let third = evaluate(&config, &run(90, 10), second.consecutive_failures);
        assert_eq!(third.consecutive_failures, 3);
        assert_eq!(types(&third), [SlaViolationType::PassRateBelowMinimum, SlaViolationType::ConsecutiveFailures]);
        let consecutive = &third.violations[1];
        assert_eq!(consecutive.message, "3 consecutive failures (max: 3)");
        assert_eq!(consecutive.alert_level, AlertLevel::Critical);
        assert_eq!((consecutive.threshold, consecutive.actual), (Some(3.0), Some(3.0)));
        assert_eq!(third.max_alert_level(), Some(AlertLevel::Critical));
    }

    #[test]
    fn strict_adds_the_consecutive_violation_on_the_first_failure() {
        let evaluation = evaluate(&SlaConfig::STRICT, &run(90, 10), 0);
        assert_eq!(
            types(&evaluation),
            [
                SlaViolationType::FailureRateExceeded,
                SlaViolationType::PassRateBelowMinimum,
                SlaViolationType::ConsecutiveFailures
            ]
        );
        assert!(evaluation.violations.iter().all(|v| v.alert_level == AlertLevel::Critical));
        assert_eq!(evaluation.violations[0].message, "Failure rate 10.0% exceeds maximum 1.0%");
    }

    #[test]
    fn zero_allowed_consecutive_failures_fires_even_on_compliant_runs() {
        let config = SlaConfig { max_consecutive_failures: 0, ..SlaConfig::DEFAULT };
        let evaluation = evaluate(&config, &run(10, 0), 5);
        assert_eq!(evaluation.consecutive_failures, 0);
        assert_eq!(types(&evaluation), [SlaViolationType::ConsecutiveFailures]);
        assert_eq!(evaluation.violations[0].message, "0 consecutive failures (max: 0)");
    }

    #[test]
    fn comparisons_are_strict() {
        let config = SlaConfig::DEFAULT.with_failure_rate(0.5).unwrap().with_pass_rate(0.5).unwrap();
        assert!(evaluate(&config, &run(1, 1), 0).is_compliant());
        let config = SlaConfig::DEFAULT.with_execution_time(60.0).unwrap().with_row_count(Some(10), Some(10));
        let metrics = SlaMetrics { execution_time_ms: 60_000.0, row_count: Some(10), ..SlaMetrics::default() };
        assert!(evaluate(&config, &metrics, 0).is_compliant());
    }

    #[test]
    fn execution_time_and_row_count_messages() {
        let config = SlaConfig::DEFAULT
            .with_execution_time(60.0)
            .unwrap()
            .with_failure_rate(0.05)
            .unwrap()
            .with_row_count(Some(2_000), None);
        let metrics = SlaMetrics {
            execution_time_ms: 120_000.0,
            row_count: Some(1_234),
            passed_count: 9,
            failed_count: 1,
            ..SlaMetrics::default()
        };
        let evaluation = evaluate(&config, &metrics, 0);
        let messages: Vec<&str> = evaluation.violations.iter().map(|v| v.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Failure rate 10.0% exceeds maximum 5.0%",
                "Execution time 120.00s exceeds maximum 60.00s",
                "Row count 1,234 below minimum 2,000"
            ]
        );
        let above = evaluate(&SlaConfig::DEFAULT.with_row_count(None, Some(1_000)), &metrics, 0);
        assert_eq!(above.violations[0].message, "Row count 1,234 exceeds maximum 1,000");
        let unknown_rows = SlaMetrics { row_count: None, ..metrics };
        assert!(evaluate(&SlaConfig::DEFAULT.with_row_count(Some(2_000), None), &unknown_rows, 0).is_compliant());
    }

    #[test]
    fn a_disabled_config_reports_nothing_and_keeps_the_counter() {
        let config = SlaConfig { enabled: false, ..SlaConfig::STRICT };
        let evaluation = evaluate(&config, &run(0, 10), 2);
        assert!(evaluation.is_compliant());
        assert_eq!(evaluation.consecutive_failures, 2);
    }

    #[test]
    fn alert_on_warning_raises_a_warning_that_does_not_count_as_a_failure() {
        let metrics = SlaMetrics { passed_count: 10, warning_count: 2, ..SlaMetrics::default() };
        let evaluation = evaluate(&SlaConfig::PRODUCTION, &metrics, 2);
        assert_eq!(types(&evaluation), [SlaViolationType::Custom]);
        assert_eq!(evaluation.violations[0].alert_level, AlertLevel::Warning);
        assert_eq!(evaluation.violations[0].message, "Check ended with 2 warning(s)");
        assert_eq!(evaluation.consecutive_failures, 0, "a warning is not a failure");
        assert!(evaluate(&SlaConfig::DEFAULT, &metrics, 0).is_compliant(), "off by default");
    }

    #[test]
    fn json_has_the_seeds_derived_fields() {
        let config = SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap();
        let metrics = SlaMetrics { timestamp: Some("2026-01-01T00:00:00+00:00".into()), ..run(90, 10) };
        let value = evaluate(&config, &metrics, 0).to_json();
        assert_eq!(value["is_compliant"], false);
        assert_eq!(value["violation_count"], 1);
        assert_eq!(value["max_alert_level"], "error");
        assert_eq!(value["consecutive_failures"], 1);
        assert_eq!(value["evaluated_at"], "2026-01-01T00:00:00+00:00");
        assert_eq!(value["metrics"]["pass_rate"], 0.9);
        assert_eq!(value["violations"][0]["violation_type"], "pass_rate_below_minimum");
        assert_eq!(value["config"]["min_pass_rate"], 0.95);
        let back: SlaEvaluation = serde_json::from_value(value).unwrap();
        assert_eq!(back.violations.len(), 1);
    }
}
