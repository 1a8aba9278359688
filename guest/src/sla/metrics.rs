//! What an SLA is measured on: the counts and duration of one check run.

use crate::model::CheckResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The measurements of one run (the seed's `SLAMetrics`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaMetrics {
    /// Rules that passed.
    pub passed_count: u64,
    /// Rules that failed.
    pub failed_count: u64,
    /// Rules that ended as warnings.
    pub warning_count: u64,
    /// How long the run took, in milliseconds.
    pub execution_time_ms: f64,
    /// Rows checked; row-count thresholds are skipped when unknown.
    pub row_count: Option<u64>,
    /// When the run ended (ISO 8601), set by the host.
    pub timestamp: Option<String>,
    /// Kestra flow id.
    pub flow_id: Option<String>,
    /// Kestra task id.
    pub task_id: Option<String>,
    /// Kestra execution id.
    pub execution_id: Option<String>,
}

impl SlaMetrics {
    /// Rules that passed or failed (warnings are left out, as in the check summary).
    pub fn total_count(&self) -> u64 {
        self.passed_count + self.failed_count
    }

    /// `passed / total`; 1.0 when nothing was decided.
    pub fn pass_rate(&self) -> f64 {
        match self.total_count() {
            0 => 1.0,
            total => self.passed_count as f64 / total as f64,
        }
    }

    /// `1 - pass_rate` (so 98/2 gives 0.020000000000000018, as in the seed).
    pub fn failure_rate(&self) -> f64 {
        1.0 - self.pass_rate()
    }

    /// The run's duration in seconds.
    pub fn execution_time_seconds(&self) -> f64 {
        self.execution_time_ms / 1000.0
    }

    /// The metrics of a finished check.
    pub fn from_check_result(result: &CheckResult, execution_time_ms: f64) -> SlaMetrics {
        SlaMetrics {
            passed_count: result.passed_count.into(),
            failed_count: result.failed_count.into(),
            warning_count: result.warning_count.into(),
            execution_time_ms,
            row_count: Some(result.row_count),
            ..SlaMetrics::default()
        }
    }

    /// The seed's `from_check_result(dict)`: reads `passed_count`, `failed_count`,
    /// `warning_count`, `execution_time_ms` and `total_rows` (as `row_count`) from a check result
    /// record, or from the `result` of a check envelope. Missing keys count as 0 / unknown.
    pub fn from_check_json(result: &Value) -> SlaMetrics {
        let record = result.get("result").filter(|r| r.is_object()).unwrap_or(result);
        let count = |key: &str| record.get(key).and_then(Value::as_u64).unwrap_or(0);
        SlaMetrics {
            passed_count: count("passed_count"),
            failed_count: count("failed_count"),
            warning_count: count("warning_count"),
            execution_time_ms: record.get("execution_time_ms").and_then(Value::as_f64).unwrap_or(0.0),
            row_count: record.get("total_rows").and_then(Value::as_u64),
            ..SlaMetrics::default()
        }
    }

    /// The fields, plus `pass_rate` and `failure_rate` (the seed's `to_dict`).
    pub fn to_json(&self) -> Value {
        let mut value = serde_json::to_value(self).expect("metrics serialise");
        value["pass_rate"] = self.pass_rate().into();
        value["failure_rate"] = self.failure_rate().into();
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rates_follow_the_seed() {
        let metrics = SlaMetrics { passed_count: 98, failed_count: 2, ..SlaMetrics::default() };
        assert_eq!(metrics.total_count(), 100);
        assert_eq!(metrics.pass_rate(), 0.98);
        assert_eq!(metrics.failure_rate(), 0.020000000000000018);
        assert_eq!(SlaMetrics::default().pass_rate(), 1.0);
        assert_eq!(SlaMetrics::default().failure_rate(), 0.0);
        assert_eq!(SlaMetrics { execution_time_ms: 1500.0, ..SlaMetrics::default() }.execution_time_seconds(), 1.5);
    }

    #[test]
    fn check_records_and_envelopes_map_total_rows_to_row_count() {
        let record = json!({"passed_count": 7, "failed_count": 1, "warning_count": 2,
                            "execution_time_ms": 12.5, "total_rows": 1000});
        let metrics = SlaMetrics::from_check_json(&record);
        assert_eq!((metrics.passed_count, metrics.failed_count, metrics.warning_count), (7, 1, 2));
        assert_eq!(metrics.execution_time_ms, 12.5);
        assert_eq!(metrics.row_count, Some(1000));
        assert_eq!(SlaMetrics::from_check_json(&json!({"result": record, "status": "failed"})), metrics);
        assert_eq!(SlaMetrics::from_check_json(&json!({})).row_count, None);
    }

    #[test]
    fn finished_checks_give_their_counts_and_rows() {
        let result = CheckResult {
            status: crate::model::Status::Failed,
            passed_count: 3,
            failed_count: 1,
            warning_count: 2,
            row_count: 500,
            columns_read: Vec::new(),
            suite_name: None,
            rule_results: Vec::new(),
        };
        let metrics = SlaMetrics::from_check_result(&result, 42.0);
        assert_eq!((metrics.passed_count, metrics.failed_count, metrics.warning_count), (3, 1, 2));
        assert_eq!((metrics.row_count, metrics.execution_time_ms), (Some(500), 42.0));
        assert_eq!(metrics.pass_rate(), 0.75);
    }

    #[test]
    fn json_adds_the_rates() {
        let value = SlaMetrics { passed_count: 1, failed_count: 3, ..SlaMetrics::default() }.to_json();
        assert_eq!(value["pass_rate"], 0.25);
        assert_eq!(value["failure_rate"], 0.75);
        assert_eq!(value["row_count"], Value::Null);
    }
}
