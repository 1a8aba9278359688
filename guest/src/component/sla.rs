//! The WIT interface `sla`: SLA presets, config documents and evaluation.

use super::Component;
use super::exports::truthound::quality::{sla, types};
use crate::sla::{AlertLevel, SlaConfig, SlaConfigError, SlaEvaluation, SlaMetrics, SlaViolation, SlaViolationType};

/// Converts a config between the model and WIT records (either direction).
macro_rules! convert_config {
    ($config:expr, $target:path, $level:expr) => {
        convert_record!($config => $target {
            max_failure_rate, min_pass_rate, max_execution_time_seconds, min_row_count, max_row_count,
            max_consecutive_failures, alert_on_warning, enabled, tags, flow_id, task_id, namespace,
        } mapped {
            alert_level: $level,
        })
    };
}

/// Converts metrics between the model and WIT records (either direction).
macro_rules! convert_metrics {
    ($metrics:expr, $target:path) => {
        convert_record!($metrics => $target {
            passed_count, failed_count, warning_count, execution_time_ms, row_count, timestamp, flow_id, task_id,
            execution_id,
        })
    };
}

impl sla::Guest for Component {
    fn preset(name: String) -> Option<sla::SlaConfig> {
        SlaConfig::preset(&name).map(config_to_wit)
    }

    fn parse_config(document: String) -> Result<sla::SlaConfig, types::QualityError> {
        SlaConfig::from_document(&document).map(config_to_wit).map_err(error_to_wit)
    }

    fn evaluate(
        config: sla::SlaConfig,
        metrics: sla::SlaMetrics,
        previous_consecutive_failures: u32,
    ) -> Result<sla::SlaEvaluation, types::QualityError> {
        let config = convert_config!(config, SlaConfig, level_from_wit).validated().map_err(error_to_wit)?;
        let metrics = convert_metrics!(metrics, SlaMetrics);
        Ok(evaluation_to_wit(crate::sla::evaluate(&config, &metrics, previous_consecutive_failures)))
    }
}

fn error_to_wit(error: SlaConfigError) -> types::QualityError {
    types::QualityError { kind: types::ErrorKind::Options, message: error.to_string() }
}

fn config_to_wit(config: SlaConfig) -> sla::SlaConfig {
    convert_config!(config, sla::SlaConfig, level_to_wit)
}

fn evaluation_to_wit(evaluation: SlaEvaluation) -> sla::SlaEvaluation {
    sla::SlaEvaluation {
        is_compliant: evaluation.is_compliant(),
        max_alert_level: evaluation.max_alert_level().map(level_to_wit),
        pass_rate: evaluation.metrics.pass_rate(),
        failure_rate: evaluation.metrics.failure_rate(),
        config: config_to_wit(evaluation.config),
        metrics: convert_metrics!(evaluation.metrics, sla::SlaMetrics),
        violations: evaluation.violations.into_iter().map(violation_to_wit).collect(),
        evaluated_at: evaluation.evaluated_at,
        consecutive_failures: evaluation.consecutive_failures,
    }
}

fn violation_to_wit(violation: SlaViolation) -> sla::SlaViolation {
    convert_record!(violation => sla::SlaViolation {
        message, threshold, actual, timestamp,
    } mapped {
        violation_type: type_to_wit,
        alert_level: level_to_wit,
        metadata: |metadata| serde_json::Value::Object(metadata).to_string(),
    })
}

fn type_to_wit(violation_type: SlaViolationType) -> sla::ViolationType {
    match violation_type {
        SlaViolationType::FailureRateExceeded => sla::ViolationType::FailureRateExceeded,
        SlaViolationType::PassRateBelowMinimum => sla::ViolationType::PassRateBelowMinimum,
        SlaViolationType::ExecutionTimeExceeded => sla::ViolationType::ExecutionTimeExceeded,
        SlaViolationType::RowCountBelowMinimum => sla::ViolationType::RowCountBelowMinimum,
        SlaViolationType::RowCountAboveMaximum => sla::ViolationType::RowCountAboveMaximum,
        SlaViolationType::ConsecutiveFailures => sla::ViolationType::ConsecutiveFailures,
        SlaViolationType::Custom => sla::ViolationType::Custom,
    }
}

fn level_to_wit(level: AlertLevel) -> sla::AlertLevel {
    match level {
        AlertLevel::Info => sla::AlertLevel::Info,
        AlertLevel::Warning => sla::AlertLevel::Warning,
        AlertLevel::Error => sla::AlertLevel::Error,
        AlertLevel::Critical => sla::AlertLevel::Critical,
    }
}

fn level_from_wit(level: sla::AlertLevel) -> AlertLevel {
    match level {
        sla::AlertLevel::Info => AlertLevel::Info,
        sla::AlertLevel::Warning => AlertLevel::Warning,
        sla::AlertLevel::Error => AlertLevel::Error,
        sla::AlertLevel::Critical => AlertLevel::Critical,
    }
}
