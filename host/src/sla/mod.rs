//! SLA monitoring for the host (the seed's `sla` module): monitors that keep the
//! consecutive-failure counter and a history, a registry of named monitors, hooks that react to
//! evaluations, and the state file of `check --sla`. The evaluation itself is the engine's
//! ([`truthound_guest::sla::evaluate`]), linked natively.

pub mod hooks;
mod monitor;
mod registry;
pub mod run;
pub mod state;

pub use hooks::{
    CallbackSlaHook, CompositeSlaHook, HookFailure, HookResult, KestraNotificationHook, LoggingSlaHook, MetricsSlaHook,
    SlaCounters, SlaHook,
};
pub use monitor::{SlaMonitor, violation_error};
pub use registry::{SlaRegistry, evaluate_sla, get_sla_registry, register_sla, reset_sla_registry};
pub use truthound_guest::sla::{
    AlertLevel, SlaConfig, SlaConfigError, SlaEvaluation, SlaMetrics, SlaViolation, SlaViolationType, evaluate,
};
