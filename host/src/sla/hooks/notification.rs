//! A hook that raises an `sla_alert` Kestra output (the seed's `KestraNotificationHook`), for a
//! later task (Slack, e-mail, ...) to send.

use super::{HookResult, LineWriter, SlaHook};
use crate::check::utc_timestamp_now;
use crate::kestra::outputs_line;
use serde_json::json;
use std::io::Write;
use truthound_guest::sla::{AlertLevel, SlaEvaluation};

/// On a violation at or above `min_alert_level`, prints
/// `::{"outputs":{"sla_alert":{"channel","message","level","timestamp"}}}::` with the seed's
/// message; on consecutive failures, a critical alert of its own. Passes print nothing.
pub struct KestraNotificationHook {
    channel: String,
    min_alert_level: AlertLevel,
    include_metrics: bool,
    writer: LineWriter,
}

impl Default for KestraNotificationHook {
    fn default() -> Self {
        KestraNotificationHook::new("slack", AlertLevel::Warning, true)
    }
}

impl KestraNotificationHook {
    /// Alerts for `channel` (a label for the notification task) on violations at or above
    /// `min_alert_level`, with the metrics section when `include_metrics`.
    pub fn new(channel: &str, min_alert_level: AlertLevel, include_metrics: bool) -> KestraNotificationHook {
        KestraNotificationHook {
            channel: channel.to_string(),
            min_alert_level,
            include_metrics,
            writer: LineWriter::stdout(),
        }
    }

    /// Writes to `writer` instead of stdout.
    pub fn with_writer(mut self, writer: impl Write + Send + 'static) -> KestraNotificationHook {
        self.writer = LineWriter::new(Box::new(writer));
        self
    }

    /// The seed's alert text for the violations at or above `min_alert_level`; `None` when
    /// there are none.
    pub fn violation_message(&self, result: &SlaEvaluation) -> Option<String> {
        let relevant: Vec<_> = result.violations.iter().filter(|v| v.alert_level >= self.min_alert_level).collect();
        if relevant.is_empty() {
            return None;
        }
        let mut lines = vec![
            "\u{1F6A8} SLA Violation Alert".to_string(),
            String::new(),
            format!("**Flow:** {}", flow_id(result)),
            format!("**Task:** {}", task_id(result)),
            format!("**Violations:** {}", relevant.len()),
            String::new(),
        ];
        for violation in relevant {
            lines.push(format!("{} **{}**", emoji(violation.alert_level), violation.violation_type.as_str()));
            lines.push(format!("   {}", violation.message));
        }
        if self.include_metrics {
            lines.push(String::new());
            lines.push("**Metrics:**".to_string());
            lines.push(format!("- Pass Rate: {:.1}%", result.metrics.pass_rate() * 100.0));
            lines.push(format!("- Execution Time: {:.2}s", result.metrics.execution_time_seconds()));
            lines.push(format!("- Consecutive Failures: {}", result.consecutive_failures));
        }
        Some(lines.join("\n"))
    }

    /// The seed's consecutive-failures alert text.
    pub fn consecutive_message(result: &SlaEvaluation, count: u32) -> String {
        format!(
            "\u{1F534} CRITICAL: {count} consecutive SLA failures\n\n**Flow:** {}\n**Task:** {}\n**Threshold:** {}",
            flow_id(result),
            task_id(result),
            result.config.max_consecutive_failures
        )
    }

    fn send(&self, message: &str, level: AlertLevel) -> HookResult {
        let alert = json!({"sla_alert": {
            "channel": self.channel,
            "message": message,
            "level": level.as_str(),
            "timestamp": utc_timestamp_now(),
        }});
        self.writer.write_line(&outputs_line(&alert.to_string()))
    }
}

impl SlaHook for KestraNotificationHook {
    fn on_sla_pass(&self, _result: &SlaEvaluation) -> HookResult {
        Ok(())
    }

    fn on_sla_violation(&self, result: &SlaEvaluation) -> HookResult {
        match self.violation_message(result) {
            Some(message) => self.send(&message, result.max_alert_level().unwrap_or(AlertLevel::Error)),
            None => Ok(()),
        }
    }

    fn on_consecutive_failures(&self, result: &SlaEvaluation, count: u32) -> HookResult {
        self.send(&KestraNotificationHook::consecutive_message(result, count), AlertLevel::Critical)
    }
}

/// The run's flow id (from the metrics, else the config), or `N/A`.
fn flow_id(result: &SlaEvaluation) -> &str {
    result.metrics.flow_id.as_deref().or(result.config.flow_id.as_deref()).unwrap_or("N/A")
}

/// The run's task id (from the metrics, else the config), or `N/A`.
fn task_id(result: &SlaEvaluation) -> &str {
    result.metrics.task_id.as_deref().or(result.config.task_id.as_deref()).unwrap_or("N/A")
}

fn emoji(level: AlertLevel) -> &'static str {
    match level {
        AlertLevel::Info => "\u{2139}\u{FE0F}",
        AlertLevel::Warning => "\u{26A0}\u{FE0F}",
        AlertLevel::Error => "\u{274C}",
        AlertLevel::Critical => "\u{1F534}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::hooks::test_support::SharedBuffer;
    use truthound_guest::sla::{SlaConfig, SlaMetrics, evaluate};

    fn violated() -> SlaEvaluation {
        let config =
            SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap().with_kestra_context("orders", Some("check"), None);
        let metrics = SlaMetrics { passed_count: 9, failed_count: 1, execution_time_ms: 1234.0, ..Default::default() };
        evaluate(&config, &metrics, 2)
    }

    #[test]
    fn violation_alerts_carry_the_seeds_message() {
        let buffer = SharedBuffer::default();
        let hook = KestraNotificationHook::default().with_writer(buffer.clone());
        hook.on_sla_violation(&violated()).unwrap();
        let payloads = buffer.payloads();
        assert_eq!(payloads.len(), 1);
        let alert = &payloads[0]["outputs"]["sla_alert"];
        assert_eq!(alert["channel"], "slack");
        assert_eq!(alert["level"], "critical", "the loudest of all violations");
        assert!(alert["timestamp"].as_str().unwrap().ends_with("+00:00"));
        let expected = "\u{1F6A8} SLA Violation Alert\n\n**Flow:** orders\n**Task:** check\n**Violations:** 2\n\n\
                        \u{274C} **pass_rate_below_minimum**\n   Pass rate 90.0% below minimum 95.0%\n\
                        \u{1F534} **consecutive_failures**\n   3 consecutive failures (max: 3)\n\n\
                        **Metrics:**\n- Pass Rate: 90.0%\n- Execution Time: 1.23s\n- Consecutive Failures: 3";
        assert_eq!(alert["message"], expected);
    }

    #[test]
    fn quiet_below_the_minimum_level_and_on_passes() {
        let buffer = SharedBuffer::default();
        let hook = KestraNotificationHook::new("email", AlertLevel::Critical, false).with_writer(buffer.clone());
        let config = SlaConfig::DEFAULT.with_pass_rate(0.95).unwrap();
        let metrics = SlaMetrics { passed_count: 9, failed_count: 1, ..Default::default() };
        hook.on_sla_violation(&evaluate(&config, &metrics, 0)).unwrap();
        hook.on_sla_pass(&evaluate(&config, &SlaMetrics::default(), 0)).unwrap();
        assert!(buffer.payloads().is_empty());
        let message = hook.violation_message(&violated()).unwrap();
        assert!(message.contains("**Violations:** 1") && !message.contains("**Metrics:**"), "{message}");
    }

    #[test]
    fn consecutive_failures_send_a_critical_alert() {
        let buffer = SharedBuffer::default();
        let hook = KestraNotificationHook::default().with_writer(buffer.clone());
        hook.on_consecutive_failures(&violated(), 3).unwrap();
        let alert = &buffer.payloads()[0]["outputs"]["sla_alert"];
        assert_eq!(alert["level"], "critical");
        assert_eq!(
            alert["message"],
            "\u{1F534} CRITICAL: 3 consecutive SLA failures\n\n**Flow:** orders\n**Task:** check\n**Threshold:** 3"
        );
    }
}
