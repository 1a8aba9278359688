//! Named monitors (the seed's `SLARegistry`) and the process-wide registry.

use super::hooks::SlaHook;
use super::monitor::SlaMonitor;
use crate::error::DataQualityError;
use crate::kestra::{LogLevel, logs_line};
use std::sync::{Arc, Mutex, MutexGuard};
use truthound_guest::sla::{SlaConfig, SlaEvaluation, SlaMetrics};

/// Monitors by name, in the order they were first registered.
#[derive(Default)]
pub struct SlaRegistry {
    monitors: Vec<(String, SlaMonitor)>,
}

impl SlaRegistry {
    /// Registers a fresh monitor under `name`, silently replacing one of the same name (its
    /// counter and history are gone; it keeps its place in [`SlaRegistry::list_names`]).
    pub fn register(&mut self, name: &str, config: SlaConfig, hooks: Vec<Arc<dyn SlaHook>>) -> &mut SlaMonitor {
        let monitor = SlaMonitor::new(config, hooks);
        let index = match self.monitors.iter().position(|(n, _)| n == name) {
            Some(index) => {
                self.monitors[index].1 = monitor;
                index
            }
            None => {
                self.monitors.push((name.to_string(), monitor));
                self.monitors.len() - 1
            }
        };
        &mut self.monitors[index].1
    }

    /// The monitor `name`.
    pub fn get(&self, name: &str) -> Option<&SlaMonitor> {
        self.monitors.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// The monitor `name`, to evaluate with or reset.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut SlaMonitor> {
        self.monitors.iter_mut().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// Evaluates `metrics` with the monitor `name`. `Ok(None)`, and a warning log line on stdout
    /// (a Kestra protocol line), when there is no such monitor.
    pub fn evaluate(
        &mut self,
        name: &str,
        metrics: &SlaMetrics,
        raise_on_violation: bool,
    ) -> Result<Option<SlaEvaluation>, DataQualityError> {
        match self.get_mut(name) {
            Some(monitor) => monitor.evaluate(metrics, raise_on_violation).map(Some),
            None => {
                println!("{}", logs_line(LogLevel::Warn, &format!("SLA monitor not found: {name}")));
                Ok(None)
            }
        }
    }

    /// The names, in registration order.
    pub fn list_names(&self) -> Vec<String> {
        self.monitors.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Removes the monitor `name`; whether there was one.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.monitors.len();
        self.monitors.retain(|(n, _)| n != name);
        self.monitors.len() != before
    }

    /// Removes every monitor.
    pub fn clear(&mut self) {
        self.monitors.clear();
    }

    /// Every monitor's history, by name in registration order.
    pub fn get_all_results(&self) -> Vec<(String, Vec<SlaEvaluation>)> {
        self.monitors.iter().map(|(n, m)| (n.clone(), m.history())).collect()
    }
}

static REGISTRY: Mutex<SlaRegistry> = Mutex::new(SlaRegistry { monitors: Vec::new() });

/// The process-wide registry (held while the guard lives).
pub fn get_sla_registry() -> MutexGuard<'static, SlaRegistry> {
    REGISTRY.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Empties the process-wide registry.
pub fn reset_sla_registry() {
    *get_sla_registry() = SlaRegistry::default();
}

/// Registers a monitor in the process-wide registry.
pub fn register_sla(name: &str, config: SlaConfig, hooks: Vec<Arc<dyn SlaHook>>) {
    get_sla_registry().register(name, config, hooks);
}

/// Evaluates with a monitor of the process-wide registry.
pub fn evaluate_sla(
    name: &str,
    metrics: &SlaMetrics,
    raise_on_violation: bool,
) -> Result<Option<SlaEvaluation>, DataQualityError> {
    get_sla_registry().evaluate(name, metrics, raise_on_violation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing() -> SlaMetrics {
        SlaMetrics { passed_count: 1, failed_count: 1, ..SlaMetrics::default() }
    }

    #[test]
    fn names_keep_their_order_and_replacing_resets_the_monitor() {
        let mut registry = SlaRegistry::default();
        registry.register("b", SlaConfig::STRICT, Vec::new());
        registry.register("a", SlaConfig::LENIENT, Vec::new());
        registry.evaluate("b", &failing(), false).unwrap();
        assert_eq!(registry.get("b").unwrap().consecutive_failures(), 1);
        registry.register("b", SlaConfig::DEFAULT, Vec::new());
        assert_eq!(registry.list_names(), ["b", "a"]);
        assert_eq!(registry.get("b").unwrap().consecutive_failures(), 0);
        assert_eq!(registry.get("b").unwrap().config(), &SlaConfig::DEFAULT);
        assert!(registry.get("c").is_none());
    }

    #[test]
    fn evaluating_collects_history_and_missing_names_give_none() {
        let mut registry = SlaRegistry::default();
        registry.register("orders", SlaConfig::STRICT, Vec::new());
        assert!(registry.evaluate("orders", &failing(), false).unwrap().is_some());
        assert!(registry.evaluate("orders", &failing(), true).is_err());
        assert_eq!(registry.evaluate("missing", &failing(), true).unwrap(), None);
        let results = registry.get_all_results();
        assert_eq!(results.len(), 1);
        assert_eq!((results[0].0.as_str(), results[0].1.len()), ("orders", 2));
        assert!(registry.remove("orders"));
        assert!(!registry.remove("orders"));
        registry.register("x", SlaConfig::DEFAULT, Vec::new());
        registry.clear();
        assert!(registry.list_names().is_empty());
    }

    #[test]
    fn the_process_wide_registry() {
        reset_sla_registry();
        register_sla("global", SlaConfig::STRICT, Vec::new());
        let result = evaluate_sla("global", &failing(), false).unwrap().unwrap();
        assert_eq!(result.consecutive_failures, 1);
        assert_eq!(get_sla_registry().list_names(), ["global"]);
        reset_sla_registry();
        assert!(get_sla_registry().list_names().is_empty());
    }
}
