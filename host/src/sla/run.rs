//! `check --sla SPEC [--sla-state FILE]`: evaluate the check's outcome against an SLA, carry
//! the consecutive-failure counter over from the last run, and say so in the Kestra outputs.

use super::hooks::{KestraNotificationHook, SlaHook};
use super::monitor::SlaMonitor;
use super::state::{SlaState, read_state, write_state};
use crate::context::ExecutionContext;
use crate::error::DataQualityError;
use crate::kestra::{LogLevel, Metric, logs_line};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use truthound_guest::sla::{SlaConfig, SlaEvaluation, SlaMetrics};

/// An SLA to evaluate after a check, with the state of the previous runs.
#[derive(Debug)]
pub struct CheckSla {
    config: SlaConfig,
    state_path: Option<PathBuf>,
    previous: SlaState,
}

/// What evaluating a check against its SLA gave.
pub struct CheckSlaOutcome {
    /// The evaluation.
    pub evaluation: SlaEvaluation,
    /// The state for the next run (already written to `--sla-state`).
    pub state: SlaState,
    /// Hooks that failed (reported, not fatal).
    pub hook_failures: Vec<String>,
}

impl CheckSla {
    /// Reads the SLA (`default`, `strict`, `lenient`, `production`, or a YAML/JSON config
    /// file) and the previous state, before the check runs, so that a bad SLA or a corrupt
    /// state file stops the run early (exit 2) and leaves the file alone.
    pub fn load(spec: &str, state_path: Option<&Path>) -> Result<CheckSla, DataQualityError> {
        let config = match SlaConfig::preset(spec) {
            Some(preset) => preset,
            None => {
                let text = std::fs::read_to_string(spec).map_err(|e| {
                    let presets = SlaConfig::PRESET_NAMES.join(", ");
                    DataQualityError::configuration(
                        "sla",
                        format!("--sla {spec}: neither a preset ({presets}) nor a readable file: {e}"),
                    )
                })?;
                SlaConfig::from_document(&text)
                    .map_err(|e| DataQualityError::configuration("sla", format!("--sla {spec}: {e}")))?
            }
        };
        let previous = match state_path {
            Some(path) => read_state(path)?,
            None => SlaState::fresh(),
        };
        Ok(CheckSla { config, state_path: state_path.map(Path::to_path_buf), previous })
    }

    /// Evaluates the check whose envelope (the `outputs` payload) is given, in its Kestra
    /// execution `context`, writes the new state atomically, and sends an `sla_alert` output
    /// line to `alerts` when violated.
    pub fn evaluate(
        self,
        envelope: &Value,
        context: &ExecutionContext,
        alerts: impl Write + Send + 'static,
    ) -> Result<CheckSlaOutcome, DataQualityError> {
        let metrics = SlaMetrics {
            timestamp: envelope.get("timestamp").and_then(Value::as_str).map(str::to_string),
            flow_id: Some(context.flow_id.clone()),
            task_id: context.task_id.clone(),
            execution_id: Some(context.execution_id.clone()),
            ..SlaMetrics::from_check_json(envelope)
        };
        let notification: Arc<dyn SlaHook> = Arc::new(KestraNotificationHook::default().with_writer(alerts));
        let mut monitor = SlaMonitor::new(self.config, vec![notification])
            .with_consecutive_failures(self.previous.consecutive_failures);
        let evaluation = monitor.evaluate(&metrics, false).expect("evaluations that do not raise return Ok");
        let state = SlaState::after(&evaluation);
        if let Some(path) = &self.state_path {
            write_state(path, &state)?;
        }
        let hook_failures = monitor.hook_failures().iter().map(ToString::to_string).collect();
        Ok(CheckSlaOutcome { evaluation, state, hook_failures })
    }
}

impl CheckSlaOutcome {
    /// A warning log line (Kestra protocol) per hook that failed.
    pub fn hook_failure_lines(&self) -> Vec<String> {
        self.hook_failures.iter().map(|failure| logs_line(LogLevel::Warn, failure)).collect()
    }

    /// Adds `sla` (the evaluation) and `sla_state` (the new state as a JSON string, for a
    /// `kv.Set` task to store verbatim) to the check's outputs.
    pub fn add_outputs(&self, envelope: &mut Value) {
        envelope["sla"] = self.evaluation.to_json();
        envelope["sla_state"] = self.state.to_json_string().into();
    }

    /// The `sla_violations` counter.
    pub fn violations_metric(&self) -> Metric {
        Metric::counter("sla_violations", self.evaluation.violations.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::hooks::test_support::SharedBuffer;
    use serde_json::json;

    fn envelope(passed: u64, failed: u64) -> Value {
        json!({"result": {"passed_count": passed, "failed_count": failed, "warning_count": 0,
                          "execution_time_ms": 5.0, "total_rows": 10},
               "timestamp": "2026-11-26T07:01:05.123456+00:00"})
    }

    #[test]
    fn presets_files_and_bad_specs() {
        assert_eq!(CheckSla::load("Strict", None).unwrap().config, SlaConfig::STRICT);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sla.yaml");
        std::fs::write(&file, "min_row_count: 5\n").unwrap();
        assert_eq!(CheckSla::load(file.to_str().unwrap(), None).unwrap().config.min_row_count, Some(5));
        std::fs::write(&file, "min_pass_rate: 7\n").unwrap();
        let error = CheckSla::load(file.to_str().unwrap(), None).unwrap_err().to_string();
        assert!(error.contains("sla.yaml") && error.contains("min_pass_rate"), "{error}");
        let error = CheckSla::load("gold", None).unwrap_err().to_string();
        assert!(error.contains("gold") && error.contains("production"), "{error}");
    }

    #[test]
    fn the_counter_carries_over_through_the_state_file() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let mut counts = Vec::new();
        for (passed, failed) in [(1, 1), (1, 1), (1, 1), (2, 0)] {
            let alerts = SharedBuffer::default();
            let outcome = CheckSla::load("production", Some(&state))
                .unwrap()
                .evaluate(&envelope(passed, failed), &ExecutionContext::local(), alerts.clone())
                .unwrap();
            counts.push(outcome.evaluation.consecutive_failures);
            let mut outputs = envelope(passed, failed);
            outcome.add_outputs(&mut outputs);
            let stored: SlaState = serde_json::from_str(outputs["sla_state"].as_str().unwrap()).unwrap();
            assert_eq!(stored, outcome.state);
            assert_eq!(outputs["sla"]["evaluated_at"], "2026-11-26T07:01:05.123456+00:00");
            assert_eq!(alerts.payloads().is_empty(), outcome.evaluation.is_compliant());
        }
        assert_eq!(counts, [1, 2, 3, 0]);
    }
}
