//! A hook that logs evaluations as Kestra protocol log lines (the seed's `LoggingSLAHook`).

use super::{HookResult, LineWriter, SlaHook};
use crate::kestra::{LogLevel, logs_line};
use std::io::Write;
use truthound_guest::sla::SlaEvaluation;

/// Logs passes (at `Info`, or `Debug` when configured so), violations (`Warn`, one line per
/// violation with `include_details`) and consecutive failures (`Error`) with the seed's
/// messages, as `::{"logs":[...]}::` lines on stdout or the given writer.
pub struct LoggingSlaHook {
    pass_level: LogLevel,
    include_details: bool,
    writer: LineWriter,
}

impl Default for LoggingSlaHook {
    fn default() -> Self {
        LoggingSlaHook::new(LogLevel::Info, true)
    }
}

impl LoggingSlaHook {
    /// Passes are logged at `Debug` when `log_level` is `Debug`, else at `Info`.
    pub fn new(log_level: LogLevel, include_details: bool) -> LoggingSlaHook {
        let pass_level = if log_level == LogLevel::Debug { LogLevel::Debug } else { LogLevel::Info };
        LoggingSlaHook { pass_level, include_details, writer: LineWriter::stdout() }
    }

    /// Writes to `writer` instead of stdout.
    pub fn with_writer(mut self, writer: impl Write + Send + 'static) -> LoggingSlaHook {
        self.writer = LineWriter::new(Box::new(writer));
        self
    }
}

impl SlaHook for LoggingSlaHook {
    fn on_sla_pass(&self, result: &SlaEvaluation) -> HookResult {
        let message = format!(
            "SLA passed: pass_rate={:.2}%, execution_time={:.2}s",
            result.metrics.pass_rate() * 100.0,
            result.metrics.execution_time_seconds()
        );
        self.writer.write_line(&logs_line(self.pass_level, &message))
    }

    fn on_sla_violation(&self, result: &SlaEvaluation) -> HookResult {
        let summary = format!(
            "SLA violated: {} violation(s), consecutive_failures={}",
            result.violations.len(),
            result.consecutive_failures
        );
        self.writer.write_line(&logs_line(LogLevel::Warn, &summary))?;
        if self.include_details {
            for violation in &result.violations {
                let detail = format!(
                    "  [{}] {}: {}",
                    violation.alert_level.as_str().to_uppercase(),
                    violation.violation_type.as_str(),
                    violation.message
                );
                self.writer.write_line(&logs_line(LogLevel::Warn, &detail))?;
            }
        }
        Ok(())
    }

    fn on_consecutive_failures(&self, result: &SlaEvaluation, count: u32) -> HookResult {
        let message = format!(
            "CRITICAL: {count} consecutive SLA failures (threshold: {})",
            result.config.max_consecutive_failures
        );
        self.writer.write_line(&logs_line(LogLevel::Error, &message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::hooks::test_support::SharedBuffer;
    use serde_json::json;
    use truthound_guest::sla::{SlaConfig, SlaMetrics, evaluate};

    #[test]
    fn logs_the_seeds_messages_as_protocol_lines() {
        let buffer = SharedBuffer::default();
        let hook = LoggingSlaHook::default().with_writer(buffer.clone());
        let passed =
            SlaMetrics { passed_count: 98, failed_count: 2, execution_time_ms: 60_000.0, ..Default::default() };
        hook.on_sla_pass(&evaluate(&SlaConfig::DEFAULT, &passed, 0)).unwrap();
        let config = SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap();
        let failed = evaluate(&config, &SlaMetrics { passed_count: 9, failed_count: 1, ..Default::default() }, 2);
        hook.on_sla_violation(&failed).unwrap();
        hook.on_consecutive_failures(&failed, 3).unwrap();
        assert_eq!(
            buffer.payloads(),
            [
                json!({"logs": [{"level": "INFO", "message": "SLA passed: pass_rate=98.00%, execution_time=60.00s"}]}),
                json!({"logs": [{"level": "WARN", "message": "SLA violated: 2 violation(s), consecutive_failures=3"}]}),
                json!({"logs": [{"level": "WARN",
                                 "message": "  [ERROR] pass_rate_below_minimum: Pass rate 90.0% below minimum 95.0%"}]}),
                json!({"logs": [{"level": "WARN",
                                 "message": "  [CRITICAL] consecutive_failures: 3 consecutive failures (max: 3)"}]}),
                json!({"logs": [{"level": "ERROR", "message": "CRITICAL: 3 consecutive SLA failures (threshold: 3)"}]}),
            ]
        );
    }

    #[test]
    fn debug_level_and_no_details() {
        let buffer = SharedBuffer::default();
        let hook = LoggingSlaHook::new(LogLevel::Debug, false).with_writer(buffer.clone());
        hook.on_sla_pass(&evaluate(&SlaConfig::DEFAULT, &SlaMetrics::default(), 0)).unwrap();
        let failed = evaluate(&SlaConfig::STRICT, &SlaMetrics { failed_count: 1, ..Default::default() }, 0);
        hook.on_sla_violation(&failed).unwrap();
        let payloads = buffer.payloads();
        assert_eq!(payloads.len(), 2, "no detail lines");
        assert_eq!(payloads[0]["logs"][0]["level"], "DEBUG");
    }
}
