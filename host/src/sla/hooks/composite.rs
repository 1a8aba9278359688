//! A hook that forwards to others (the seed's `CompositeSLAHook`).

use super::{HookResult, SlaHook, run_guarded};
use std::sync::{Arc, Mutex, MutexGuard};
use truthound_guest::sla::SlaEvaluation;

/// Forwards every event to its hooks in order. A hook that fails or panics does not stop the
/// others; the composite then reports all their failures as one error.
#[derive(Default)]
pub struct CompositeSlaHook {
    hooks: Mutex<Vec<Arc<dyn SlaHook>>>,
}

impl CompositeSlaHook {
    /// A composite of `hooks`, called in this order.
    pub fn new(hooks: Vec<Arc<dyn SlaHook>>) -> CompositeSlaHook {
        CompositeSlaHook { hooks: Mutex::new(hooks) }
    }

    /// Adds `hook` at the end.
    pub fn add_hook(&self, hook: Arc<dyn SlaHook>) {
        self.lock().push(hook);
    }

    /// Removes `hook` (the same `Arc`); whether it was there.
    pub fn remove_hook(&self, hook: &Arc<dyn SlaHook>) -> bool {
        let mut hooks = self.lock();
        let before = hooks.len();
        hooks.retain(|h| !Arc::ptr_eq(h, hook));
        hooks.len() != before
    }

    /// How many hooks there are.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether there is no hook.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<dyn SlaHook>>> {
        self.hooks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn forward(&self, event: &'static str, call: impl Fn(&dyn SlaHook) -> HookResult) -> HookResult {
        let hooks = self.lock().clone();
        let failures: Vec<String> = hooks
            .iter()
            .filter_map(|hook| run_guarded(hook.as_ref(), event, || call(hook.as_ref())).err())
            .map(|failure| failure.to_string())
            .collect();
        if failures.is_empty() { Ok(()) } else { Err(failures.join("; ").into()) }
    }
}

impl SlaHook for CompositeSlaHook {
    fn on_sla_pass(&self, result: &SlaEvaluation) -> HookResult {
        self.forward("on_sla_pass", |hook| hook.on_sla_pass(result))
    }

    fn on_sla_violation(&self, result: &SlaEvaluation) -> HookResult {
        self.forward("on_sla_violation", |hook| hook.on_sla_violation(result))
    }

    fn on_consecutive_failures(&self, result: &SlaEvaluation, count: u32) -> HookResult {
        self.forward("on_consecutive_failures", |hook| hook.on_consecutive_failures(result, count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::hooks::{CallbackSlaHook, MetricsSlaHook};
    use truthound_guest::sla::{SlaConfig, SlaMetrics, evaluate};

    #[test]
    fn delegates_to_every_hook_and_reports_failures_together() {
        let counters = Arc::new(MetricsSlaHook::default());
        let counters_hook: Arc<dyn SlaHook> = counters.clone();
        let composite = CompositeSlaHook::new(vec![
            Arc::new(CallbackSlaHook::default().on_pass(|_| Err("first broke".into()))),
            counters_hook.clone(),
        ]);
        let passed = evaluate(&SlaConfig::DEFAULT, &SlaMetrics::default(), 0);
        let error = composite.on_sla_pass(&passed).unwrap_err();
        assert!(error.to_string().contains("first broke"), "{error}");
        assert_eq!(counters.snapshot().pass_count, 1, "the second hook still ran");
        assert!(composite.remove_hook(&counters_hook));
        assert!(!composite.remove_hook(&counters_hook));
        assert_eq!(composite.len(), 1);
        composite.add_hook(counters_hook);
        composite.on_sla_violation(&passed).unwrap();
        assert_eq!(counters.snapshot().violation_count, 1);
    }
}
