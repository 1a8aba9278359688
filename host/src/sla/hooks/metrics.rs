//! A hook that counts evaluations (the seed's `MetricsSLAHook`).

use super::{HookResult, SlaHook};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use truthound_guest::sla::SlaEvaluation;

/// What [`MetricsSlaHook`] counted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlaCounters {
    /// Evaluations without violations.
    pub pass_count: u64,
    /// Evaluations with violations.
    pub violation_count: u64,
    /// Violations by type name (`pass_rate_below_minimum`).
    pub violations_by_type: BTreeMap<String, u64>,
    /// Violations by level name (`error`).
    pub violations_by_level: BTreeMap<String, u64>,
    /// Violations over all evaluations.
    pub total_violations: u64,
    /// The latest evaluation heard.
    pub last_evaluation: Option<SlaEvaluation>,
}

impl SlaCounters {
    /// Evaluations counted.
    pub fn total_count(&self) -> u64 {
        self.pass_count + self.violation_count
    }

    /// Share of evaluations that passed; 1.0 before any.
    pub fn pass_rate(&self) -> f64 {
        match self.total_count() {
            0 => 1.0,
            total => self.pass_count as f64 / total as f64,
        }
    }

    /// The seed's `to_dict`.
    pub fn to_json(&self) -> Value {
        json!({
            "pass_count": self.pass_count,
            "violation_count": self.violation_count,
            "total_count": self.total_count(),
            "pass_rate": self.pass_rate(),
            "violations_by_type": self.violations_by_type,
            "violations_by_level": self.violations_by_level,
            "total_violations": self.total_violations,
        })
    }
}

/// Counts passes, violated evaluations and violations by type and level. Share it through an
/// `Arc` and read [`MetricsSlaHook::snapshot`] after the evaluations.
#[derive(Default)]
pub struct MetricsSlaHook {
    counters: Mutex<SlaCounters>,
}

impl MetricsSlaHook {
    /// A copy of the counters now.
    pub fn snapshot(&self) -> SlaCounters {
        self.lock().clone()
    }

    /// Back to zero.
    pub fn reset(&self) {
        *self.lock() = SlaCounters::default();
    }

    fn lock(&self) -> MutexGuard<'_, SlaCounters> {
        self.counters.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SlaHook for MetricsSlaHook {
    fn on_sla_pass(&self, result: &SlaEvaluation) -> HookResult {
        let mut counters = self.lock();
        counters.pass_count += 1;
        counters.last_evaluation = Some(result.clone());
        Ok(())
    }

    fn on_sla_violation(&self, result: &SlaEvaluation) -> HookResult {
        let mut counters = self.lock();
        counters.violation_count += 1;
        for violation in &result.violations {
            *counters.violations_by_type.entry(violation.violation_type.as_str().to_string()).or_default() += 1;
            *counters.violations_by_level.entry(violation.alert_level.as_str().to_string()).or_default() += 1;
            counters.total_violations += 1;
        }
        counters.last_evaluation = Some(result.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use truthound_guest::sla::{SlaConfig, SlaMetrics, evaluate};

    #[test]
    fn counts_by_type_and_level() {
        let hook = MetricsSlaHook::default();
        assert_eq!(hook.snapshot().pass_rate(), 1.0);
        hook.on_sla_pass(&evaluate(&SlaConfig::DEFAULT, &SlaMetrics::default(), 0)).unwrap();
        let failed = evaluate(&SlaConfig::STRICT, &SlaMetrics { failed_count: 1, ..Default::default() }, 0);
        hook.on_sla_violation(&failed).unwrap();
        let counters = hook.snapshot();
        assert_eq!((counters.pass_count, counters.violation_count, counters.total_violations), (1, 1, 3));
        assert_eq!(counters.violations_by_type["consecutive_failures"], 1);
        assert_eq!(counters.violations_by_level["critical"], 3);
        assert_eq!(counters.pass_rate(), 0.5);
        assert_eq!(counters.last_evaluation.as_ref(), Some(&failed));
        assert_eq!(counters.to_json()["total_count"], 2);
        hook.reset();
        assert_eq!(hook.snapshot(), SlaCounters::default());
    }
}
