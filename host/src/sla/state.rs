//! The state `check --sla-state FILE` keeps between runs: the consecutive-failure counter and a
//! summary of the last evaluation, as a small versioned JSON document. In Kestra the document
//! travels through the KV store (the `sla_state` output, then `kv()` in the next execution).

use crate::error::DataQualityError;
use crate::outputs::write_atomically;
use serde::{Deserialize, Serialize};
use std::path::Path;
use truthound_guest::sla::{AlertLevel, SlaEvaluation, SlaViolationType};

/// The state format this build reads and writes.
pub const STATE_VERSION: u32 = 1;

/// What one run leaves for the next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaState {
    /// [`STATE_VERSION`].
    pub version: u32,
    /// Failing runs in a row so far.
    pub consecutive_failures: u32,
    /// The last run's outcome, for people reading the KV store.
    pub last_evaluation: Option<EvaluationSummary>,
}

/// A short account of an evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationSummary {
    /// When the run was evaluated.
    pub evaluated_at: Option<String>,
    /// Whether it had no violation.
    pub is_compliant: bool,
    /// The kinds of its violations.
    pub violation_types: Vec<SlaViolationType>,
    /// Its loudest violation.
    pub max_alert_level: Option<AlertLevel>,
    /// Its pass rate.
    pub pass_rate: f64,
}

impl SlaState {
    /// No run yet.
    pub fn fresh() -> SlaState {
        SlaState { version: STATE_VERSION, consecutive_failures: 0, last_evaluation: None }
    }

    /// The state after `evaluation`.
    pub fn after(evaluation: &SlaEvaluation) -> SlaState {
        SlaState {
            version: STATE_VERSION,
            consecutive_failures: evaluation.consecutive_failures,
            last_evaluation: Some(EvaluationSummary {
                evaluated_at: evaluation.evaluated_at.clone(),
                is_compliant: evaluation.is_compliant(),
                violation_types: evaluation.violations.iter().map(|v| v.violation_type).collect(),
                max_alert_level: evaluation.max_alert_level(),
                pass_rate: evaluation.metrics.pass_rate(),
            }),
        }
    }

    /// Compact JSON, one line.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).expect("states serialise")
    }

    /// Reads a state document. Empty text, or `null` (what Kestra renders for a missing KV key
    /// read with `errorOnMissing=false`), is a fresh state.
    pub fn parse(text: &str) -> Result<SlaState, String> {
        let text = text.trim();
        if text.is_empty() || text == "null" {
            return Ok(SlaState::fresh());
        }
        let state: SlaState = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if state.version != STATE_VERSION {
            return Err(format!("state version {} is not supported (this build reads {STATE_VERSION})", state.version));
        }
        Ok(state)
    }
}

/// Reads the state file: missing or empty means fresh; anything unreadable is a usage error
/// naming the file (which is left as it is).
pub fn read_state(path: &Path) -> Result<SlaState, DataQualityError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SlaState::fresh()),
        Err(e) => {
            let message = format!("cannot read the SLA state file {}: {e}", path.display());
            return Err(DataQualityError::configuration("sla_state", message));
        }
    };
    SlaState::parse(&text).map_err(|e| {
        let message = format!(
            "the SLA state file {} is not a truthound-kestra SLA state: {e} (fix it or delete it to start over)",
            path.display()
        );
        DataQualityError::configuration("sla_state", message)
    })
}

/// Replaces the state file atomically: readers see the old state or the new one, never a part.
pub fn write_state(path: &Path, state: &SlaState) -> Result<(), DataQualityError> {
    write_atomically(path, state.to_json_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use truthound_guest::sla::{SlaConfig, SlaMetrics, evaluate};

    #[test]
    fn states_round_trip_through_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(read_state(&path).unwrap(), SlaState::fresh(), "missing file");
        let metrics = SlaMetrics { failed_count: 1, ..SlaMetrics::default() };
        let state = SlaState::after(&evaluate(&SlaConfig::STRICT, &metrics, 4));
        write_state(&path, &state).unwrap();
        assert_eq!(read_state(&path).unwrap(), state);
        assert_eq!(state.consecutive_failures, 5);
        assert_eq!(state.last_evaluation.as_ref().unwrap().max_alert_level, Some(AlertLevel::Critical));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["state.json"], "no temporary file left");
    }

    #[test]
    fn empty_and_null_are_fresh_and_garbage_is_an_error_naming_the_file() {
        assert_eq!(SlaState::parse(" \n").unwrap(), SlaState::fresh());
        assert_eq!(SlaState::parse("null").unwrap(), SlaState::fresh());
        assert!(
            SlaState::parse(r#"{"version": 2, "consecutive_failures": 0, "last_evaluation": null}"#)
                .unwrap_err()
                .contains("version 2")
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.json");
        std::fs::write(&path, "{\"version\": 1, \"consecutive_fail").unwrap();
        let error = read_state(&path).unwrap_err();
        assert_eq!(error.kind.class_name(), "ConfigurationError");
        assert!(error.to_string().contains("broken.json"), "{error}");
    }
}
