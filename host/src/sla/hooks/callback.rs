//! A hook made of closures (the seed's `CallbackSLAHook`).

use super::{HookResult, SlaHook};
use truthound_guest::sla::SlaEvaluation;

type Callback = Box<dyn Fn(&SlaEvaluation) -> HookResult + Send + Sync>;
type CountCallback = Box<dyn Fn(&SlaEvaluation, u32) -> HookResult + Send + Sync>;

/// Calls the closures it was given; events without one are ignored.
#[derive(Default)]
pub struct CallbackSlaHook {
    on_pass: Option<Callback>,
    on_violation: Option<Callback>,
    on_consecutive: Option<CountCallback>,
}

impl CallbackSlaHook {
    /// Calls `callback` when an SLA passes.
    pub fn on_pass(mut self, callback: impl Fn(&SlaEvaluation) -> HookResult + Send + Sync + 'static) -> Self {
        self.on_pass = Some(Box::new(callback));
        self
    }

    /// Calls `callback` when an SLA is violated.
    pub fn on_violation(mut self, callback: impl Fn(&SlaEvaluation) -> HookResult + Send + Sync + 'static) -> Self {
        self.on_violation = Some(Box::new(callback));
        self
    }

    /// Calls `callback` with the count when the consecutive-failure violation fires.
    pub fn on_consecutive(
        mut self,
        callback: impl Fn(&SlaEvaluation, u32) -> HookResult + Send + Sync + 'static,
    ) -> Self {
        self.on_consecutive = Some(Box::new(callback));
        self
    }
}

impl SlaHook for CallbackSlaHook {
    fn on_sla_pass(&self, result: &SlaEvaluation) -> HookResult {
        self.on_pass.as_ref().map_or(Ok(()), |callback| callback(result))
    }

    fn on_sla_violation(&self, result: &SlaEvaluation) -> HookResult {
        self.on_violation.as_ref().map_or(Ok(()), |callback| callback(result))
    }

    fn on_consecutive_failures(&self, result: &SlaEvaluation, count: u32) -> HookResult {
        self.on_consecutive.as_ref().map_or(Ok(()), |callback| callback(result, count))
    }
}
