//! Kestra's script output protocol: one `::{...}::` line per event on stdout, compact JSON on a
//! single line, with the line separators Kestra's reader would split on escaped.

use serde_json::{Map, Value, json};

/// A metric of the protocol (`counter` values add up; `timer` values are seconds).
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    Counter { name: String, value: f64, tags: Map<String, Value> },
    Timer { name: String, seconds: f64, tags: Map<String, Value> },
}

impl Metric {
    pub fn counter(name: &str, value: f64) -> Metric {
        Metric::Counter { name: name.to_string(), value, tags: Map::new() }
    }

    pub fn timer(name: &str, seconds: f64) -> Metric {
        Metric::Timer { name: name.to_string(), seconds, tags: Map::new() }
    }

    fn to_json(&self) -> Value {
        match self {
            Metric::Counter { name, value, tags } => {
                json!({"name": name, "type": "counter", "value": value, "tags": tags})
            }
            Metric::Timer { name, seconds, tags } => {
                json!({"name": name, "type": "timer", "value": seconds, "tags": tags})
            }
        }
    }
}

/// Levels of protocol log lines (Kestra's slf4j levels: `WARN`, not `WARNING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    /// The level's name in the protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
        }
    }
}

/// `::{"logs":[{"level":..,"message":..}]}::`: Kestra logs the message at that level through the
/// task's logger. Print it on stdout: any line on stderr can turn the task into a WARNING.
pub fn logs_line(level: LogLevel, message: &str) -> String {
    protocol_line(&json!({ "logs": [{ "level": level.as_str(), "message": message }] }).to_string())
}

/// The reference's `create_kestra_output(result, include_summary)`: `result` wrapped with its
/// `status`, `is_success`, the current `timestamp` and (with `include_summary`) the `summary` of
/// its counts. The engine's envelopes are built by the same function.
pub fn create_kestra_output(result: Value, include_summary: bool) -> Value {
    truthound_guest::report::kestra_output(result, &crate::check::utc_timestamp_now(), include_summary)
}

/// `::{"outputs":<payload>}::` for an already serialised compact JSON object.
pub fn outputs_line(compact_payload: &str) -> String {
    debug_assert!(!compact_payload.contains('\n'), "protocol payloads are single-line JSON");
    protocol_line(&format!("{{\"outputs\":{compact_payload}}}"))
}

/// `::{"metrics":[...]}::`.
pub fn metrics_line(metrics: &[Metric]) -> String {
    let metrics: Vec<Value> = metrics.iter().map(Metric::to_json).collect();
    protocol_line(&json!({ "metrics": metrics }).to_string())
}

/// Wraps compact JSON in `::` markers, escaping NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR,
/// which JSON allows raw but a line reader may treat as line ends.
fn protocol_line(compact_json: &str) -> String {
    let mut line = String::with_capacity(compact_json.len() + 4);
    line.push_str("::");
    for c in compact_json.chars() {
        match c {
            '\u{0085}' => line.push_str("\\u0085"),
            '\u{2028}' => line.push_str("\\u2028"),
            '\u{2029}' => line.push_str("\\u2029"),
            other => line.push(other),
        }
    }
    line.push_str("::");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_kestras_pattern_and_escape_separators() {
        let payload = json!({"text": "a\u{2028}b\u{0085}c\nd"}).to_string();
        let line = outputs_line(&payload);
        assert!(line.starts_with("::{") && line.ends_with("}::"));
        assert!(!line.contains('\u{2028}') && !line.contains('\u{0085}') && !line.contains('\n'));
        let inner = &line[2..line.len() - 2];
        let parsed: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(parsed["outputs"]["text"], "a\u{2028}b\u{0085}c\nd");
    }

    #[test]
    fn kestra_output_summarises_the_counts_now() {
        let output = create_kestra_output(json!({"status": "failed", "passed_count": 3, "failed_count": 1}), true);
        assert_eq!(output["summary"]["pass_rate"], 0.75);
        assert_eq!(output["summary"]["pass_rate_formatted"], "75.0%");
        assert_eq!((&output["status"], &output["is_success"]), (&json!("failed"), &json!(false)));
        let timestamp = output["timestamp"].as_str().unwrap();
        assert!(timestamp.ends_with("+00:00") && timestamp.starts_with("20"), "{timestamp}");
        assert!(create_kestra_output(json!({}), false).get("summary").is_none());
    }

    #[test]
    fn metrics_have_kestras_shape() {
        let line = metrics_line(&[Metric::counter("rows", 3.0), Metric::timer("duration", 0.5)]);
        let parsed: Value = serde_json::from_str(&line[2..line.len() - 2]).unwrap();
        assert_eq!(parsed["metrics"][0], json!({"name": "rows", "type": "counter", "value": 3.0, "tags": {}}));
        assert_eq!(parsed["metrics"][1]["type"], "timer");
    }

    #[test]
    fn log_lines_use_kestras_level_names() {
        let line = logs_line(LogLevel::Warn, "careful\u{2028}now");
        assert!(!line.contains('\u{2028}'));
        let parsed: Value = serde_json::from_str(&line[2..line.len() - 2]).unwrap();
        assert_eq!(parsed, json!({"logs": [{"level": "WARN", "message": "careful\u{2028}now"}]}));
    }
}
