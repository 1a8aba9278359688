//! A monitor: one SLA config, its consecutive-failure counter, history and hooks.

use super::hooks::{HookFailure, SlaHook, run_guarded};
use crate::error::DataQualityError;
use std::sync::Arc;
use truthound_guest::sla::{SlaConfig, SlaEvaluation, SlaMetrics, SlaViolationType, evaluate};

/// Evaluates runs against one SLA and remembers how many failed in a row (the seed's `SLAMonitor`).
pub struct SlaMonitor {
    config: SlaConfig,
    hooks: Vec<Arc<dyn SlaHook>>,
    history: Vec<SlaEvaluation>,
    consecutive_failures: u32,
    hook_failures: Vec<HookFailure>,
}

impl SlaMonitor {
    /// A monitor with no history and the counter at 0.
    pub fn new(config: SlaConfig, hooks: Vec<Arc<dyn SlaHook>>) -> SlaMonitor {
        SlaMonitor { config, hooks, history: Vec::new(), consecutive_failures: 0, hook_failures: Vec::new() }
    }

    /// Resumes counting from a stored counter (a previous process's runs).
    pub fn with_consecutive_failures(mut self, count: u32) -> SlaMonitor {
        self.consecutive_failures = count;
        self
    }

    /// The SLA evaluated.
    pub fn config(&self) -> &SlaConfig {
        &self.config
    }

    /// Failing runs in a row so far.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// A copy of every evaluation so far (disabled runs are not recorded).
    pub fn history(&self) -> Vec<SlaEvaluation> {
        self.history.clone()
    }

    /// Forgets the recorded evaluations.
    pub fn clear_history(&mut self) {
        self.history.clear();
    }

    /// Sets the counter back to 0.
    pub fn reset_consecutive_failures(&mut self) {
        self.consecutive_failures = 0;
    }

    /// Hooks that returned an error or panicked, oldest first; the evaluations went on.
    pub fn hook_failures(&self) -> &[HookFailure] {
        &self.hook_failures
    }

    /// Evaluates one run. A disabled config gives a result without violations and touches
    /// neither the counter, the history nor the hooks. Otherwise the result is recorded, each
    /// hook hears `on_sla_pass` or `on_sla_violation`, and `on_consecutive_failures` when the
    /// consecutive-failure violation fired (which the seed never called). A failing or
    /// panicking hook is recorded in [`SlaMonitor::hook_failures`] and never stops the
    /// evaluation. With `raise_on_violation`, violations come back as an error.
    pub fn evaluate(
        &mut self,
        metrics: &SlaMetrics,
        raise_on_violation: bool,
    ) -> Result<SlaEvaluation, DataQualityError> {
        let result = evaluate(&self.config, metrics, self.consecutive_failures);
        if !self.config.enabled {
            return Ok(result);
        }
        self.consecutive_failures = result.consecutive_failures;
        self.history.push(result.clone());
        let consecutive_fired =
            result.violations.iter().any(|v| v.violation_type == SlaViolationType::ConsecutiveFailures);
        for hook in &self.hooks {
            let outcome = if result.is_compliant() {
                run_guarded(hook.as_ref(), "on_sla_pass", || hook.on_sla_pass(&result))
            } else {
                run_guarded(hook.as_ref(), "on_sla_violation", || hook.on_sla_violation(&result))
            };
            self.hook_failures.extend(outcome.err());
            if consecutive_fired {
                let count = result.consecutive_failures;
                let outcome = run_guarded(hook.as_ref(), "on_consecutive_failures", || {
                    hook.on_consecutive_failures(&result, count)
                });
                self.hook_failures.extend(outcome.err());
            }
        }
        if raise_on_violation && !result.is_compliant() {
            return Err(violation_error(&result));
        }
        Ok(result)
    }
}

/// The seed's `SLAViolationError("SLA violated: {n} violation(s)", violations)` of an evaluation.
pub fn violation_error(result: &SlaEvaluation) -> DataQualityError {
    let message = format!("SLA violated: {} violation(s)", result.violations.len());
    let violations = result.violations.iter().map(|v| serde_json::to_value(v).expect("violations serialise")).collect();
    DataQualityError::sla_violation(message, violations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::sla::hooks::{CallbackSlaHook, HookResult, MetricsSlaHook};
    use std::sync::Mutex;

    fn failing() -> SlaMetrics {
        SlaMetrics { passed_count: 90, failed_count: 10, ..SlaMetrics::default() }
    }

    fn passing() -> SlaMetrics {
        SlaMetrics { passed_count: 100, ..SlaMetrics::default() }
    }

    fn pass_rate_95() -> SlaConfig {
        SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap()
    }

    #[test]
    fn the_counter_and_history_follow_the_runs() {
        let mut monitor = SlaMonitor::new(pass_rate_95(), Vec::new());
        let counts: Vec<u32> = [failing(), failing(), passing()]
            .iter()
            .map(|m| monitor.evaluate(m, false).unwrap().consecutive_failures)
            .collect();
        assert_eq!(counts, [1, 2, 0]);
        assert_eq!(monitor.history().len(), 3);
        monitor.evaluate(&failing(), false).unwrap();
        assert_eq!(monitor.consecutive_failures(), 1);
        monitor.reset_consecutive_failures();
        monitor.clear_history();
        assert_eq!((monitor.consecutive_failures(), monitor.history().len()), (0, 0));
    }

    #[test]
    fn raising_returns_the_violations() {
        let mut monitor = SlaMonitor::new(pass_rate_95(), Vec::new());
        let error = monitor.evaluate(&failing(), true).unwrap_err();
        assert!(matches!(&error.kind, ErrorKind::SlaViolation { violations } if violations.len() == 1));
        assert_eq!(error.to_string(), "SLA violated: 1 violation(s) (1 violation(s))");
        assert!(monitor.evaluate(&passing(), true).is_ok());
    }

    #[test]
    fn disabled_monitors_record_nothing_and_call_no_hook() {
        let metrics = Arc::new(MetricsSlaHook::default());
        let config = SlaConfig { enabled: false, ..SlaConfig::STRICT };
        let mut monitor = SlaMonitor::new(config, vec![metrics.clone()]).with_consecutive_failures(2);
        let result = monitor.evaluate(&failing(), true).unwrap();
        assert!(result.is_compliant());
        assert_eq!(monitor.consecutive_failures(), 2);
        assert!(monitor.history().is_empty());
        assert_eq!(metrics.snapshot().total_count(), 0);
    }

    #[test]
    fn hooks_hear_passes_violations_and_consecutive_failures() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let record = |heard: &Arc<Mutex<Vec<String>>>, event: String| -> HookResult {
            heard.lock().unwrap().push(event);
            Ok(())
        };
        let (pass, violation, consecutive) = (heard.clone(), heard.clone(), heard.clone());
        let hook = CallbackSlaHook::default()
            .on_pass(move |_| record(&pass, "pass".into()))
            .on_violation(move |_| record(&violation, "violation".into()))
            .on_consecutive(move |_, n| record(&consecutive, format!("consecutive {n}")));
        let config = SlaConfig { max_consecutive_failures: 2, ..pass_rate_95() };
        let mut monitor = SlaMonitor::new(config, vec![Arc::new(hook)]);
        for metrics in [passing(), failing(), failing()] {
            monitor.evaluate(&metrics, false).unwrap();
        }
        assert_eq!(*heard.lock().unwrap(), ["pass", "violation", "violation", "consecutive 2"]);
    }

    #[test]
    fn a_failing_or_panicking_hook_does_not_break_the_evaluation() {
        let counters = Arc::new(MetricsSlaHook::default());
        let erring = CallbackSlaHook::default().on_violation(|_| Err("webhook down".into()));
        let panicking = CallbackSlaHook::default().on_violation(|_| panic!("hook bug"));
        let hooks: Vec<Arc<dyn SlaHook>> = vec![Arc::new(erring), Arc::new(panicking), counters.clone()];
        let mut monitor = SlaMonitor::new(pass_rate_95(), hooks);
        let result = monitor.evaluate(&failing(), false).unwrap();
        assert_eq!(result.violations.len(), 1);
        assert_eq!(counters.snapshot().violation_count, 1, "later hooks still run");
        let failures = monitor.hook_failures();
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].event, "on_sla_violation");
        assert!(failures[0].message.contains("webhook down"), "{}", failures[0]);
        assert!(failures[1].message.contains("hook bug"), "{}", failures[1]);
    }
}
