//! Hooks: what happens when an SLA passes, is violated, or fails too many runs in a row.

mod callback;
mod composite;
mod logging;
mod metrics;
mod notification;

pub use callback::CallbackSlaHook;
pub use composite::CompositeSlaHook;
pub use logging::LoggingSlaHook;
pub use metrics::{MetricsSlaHook, SlaCounters};
pub use notification::KestraNotificationHook;

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use truthound_guest::sla::SlaEvaluation;

/// What a hook returns: an error is reported, never propagated into the evaluation.
pub type HookResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Reacts to SLA evaluations (the seed's `BaseSLAHook`). Hooks take `&self` so that one hook can
/// be shared (`Arc`) between a monitor and the code that reads it afterwards.
pub trait SlaHook: Send + Sync {
    /// The evaluation found no violation.
    fn on_sla_pass(&self, result: &SlaEvaluation) -> HookResult;

    /// The evaluation found violations.
    fn on_sla_violation(&self, result: &SlaEvaluation) -> HookResult;

    /// The consecutive-failure violation fired with `count` failing runs in a row.
    fn on_consecutive_failures(&self, _result: &SlaEvaluation, _count: u32) -> HookResult {
        Ok(())
    }

    /// The name failures are reported under.
    fn name(&self) -> &str {
        std::any::type_name::<Self>().rsplit("::").next().unwrap_or("hook")
    }
}

/// A hook that returned an error or panicked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookFailure {
    /// [`SlaHook::name`].
    pub hook: String,
    /// `on_sla_pass`, `on_sla_violation` or `on_consecutive_failures`.
    pub event: &'static str,
    /// The error's text, or the panic's message.
    pub message: String,
}

impl std::fmt::Display for HookFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SLA hook {} failed in {}: {}", self.hook, self.event, self.message)
    }
}

/// Runs one hook call, turning an error or a panic into a [`HookFailure`].
pub(crate) fn run_guarded(
    hook: &(impl SlaHook + ?Sized),
    event: &'static str,
    call: impl FnOnce() -> HookResult,
) -> Result<(), HookFailure> {
    let message = match catch_unwind(AssertUnwindSafe(call)) {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(error)) => error.to_string(),
        Err(panic) => {
            let text =
                panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
            format!("panicked: {}", text.unwrap_or_default())
        }
    };
    Err(HookFailure { hook: hook.name().to_string(), event, message })
}

/// Where a hook writes its protocol lines: stdout unless another writer is given.
pub(crate) struct LineWriter(Mutex<Box<dyn Write + Send>>);

impl LineWriter {
    pub(crate) fn stdout() -> LineWriter {
        LineWriter::new(Box::new(std::io::stdout()))
    }

    pub(crate) fn new(writer: Box<dyn Write + Send>) -> LineWriter {
        LineWriter(Mutex::new(writer))
    }

    /// Writes `line` and a newline, and flushes, so the line is out before the process goes on.
    pub(crate) fn write_line(&self, line: &str) -> HookResult {
        let mut writer = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        writeln!(writer, "{line}")?;
        writer.flush()?;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// A writer whose bytes a test can read back while a hook holds a clone.
    #[derive(Clone, Default)]
    pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

    impl SharedBuffer {
        /// The protocol payloads written so far (the JSON between `::` markers), parsed.
        pub fn payloads(&self) -> Vec<serde_json::Value> {
            let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
            text.lines()
                .map(|line| {
                    assert!(line.starts_with("::{") && line.ends_with("}::"), "not a protocol line: {line}");
                    serde_json::from_str(&line[2..line.len() - 2]).unwrap()
                })
                .collect()
        }
    }

    impl Write for SharedBuffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(bytes)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}
