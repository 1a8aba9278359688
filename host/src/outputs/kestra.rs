//! Outputs as Kestra's protocol lines, `::{"outputs":{...}}::` (never the seed's fallback
//! `::outputs:: {...}`, which Kestra does not read).

use super::{OutputConfig, OutputHandler};
use crate::error::DataQualityError;
use crate::kestra::outputs_line;
use serde_json::{Map, Value};
use std::io::{Stdout, Write};

/// Writes one `::{"outputs":{...}}::` line per `send` to stdout (or another writer).
pub struct KestraOutputHandler<W: Write = Stdout> {
    config: OutputConfig,
    writer: W,
}

impl KestraOutputHandler<Stdout> {
    /// A handler printing on stdout, where Kestra reads the lines.
    pub fn stdout(config: OutputConfig) -> KestraOutputHandler<Stdout> {
        KestraOutputHandler::with_writer(config, std::io::stdout())
    }
}

impl<W: Write> KestraOutputHandler<W> {
    /// A handler writing its lines to `writer`.
    pub fn with_writer(config: OutputConfig, writer: W) -> KestraOutputHandler<W> {
        KestraOutputHandler { config, writer }
    }

    /// The writer, back.
    pub fn into_writer(self) -> W {
        self.writer
    }
}

impl<W: Write> OutputHandler for KestraOutputHandler<W> {
    fn config(&self) -> &OutputConfig {
        &self.config
    }

    fn send(&mut self, outputs: &Map<String, Value>) -> Result<(), DataQualityError> {
        let payload = serde_json::to_string(outputs).expect("JSON maps serialise");
        writeln!(self.writer, "{}", outputs_line(&payload)).and_then(|_| self.writer.flush()).map_err(|e| {
            let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
            DataQualityError::output(
                &names.join(", "),
                "kestra",
                format!("cannot send the outputs {} to Kestra: {e}", names.join(", ")),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failed_check, learned};
    use super::super::{CHECK_RESULT, LEARN_RESULT};
    use super::*;
    use serde_json::json;

    fn lines(handler: KestraOutputHandler<Vec<u8>>) -> Vec<Value> {
        let text = String::from_utf8(handler.into_writer()).unwrap();
        text.lines()
            .map(|line| {
                let inner = line.strip_prefix("::").and_then(|l| l.strip_suffix("::")).expect("a protocol line");
                serde_json::from_str(inner).unwrap()
            })
            .collect()
    }

    #[test]
    fn sends_one_protocol_line_per_call() {
        let mut handler = KestraOutputHandler::with_writer(OutputConfig::default(), Vec::new());
        handler.send(json!({"a": 1}).as_object().unwrap()).unwrap();
        handler.send_check_result(&failed_check(2), CHECK_RESULT).unwrap();
        let sent = lines(handler);
        assert_eq!(sent[0], json!({"outputs": {"a": 1}}));
        let outputs = &sent[1]["outputs"];
        assert_eq!((&outputs["status"], &outputs["is_success"]), (&json!("failed"), &json!(false)));
        assert_eq!(outputs["check_result"]["failures_count"], 2);
        assert_eq!(outputs["check_result"]["summary"]["pass_rate_formatted"], "60.0%");
    }

    #[test]
    fn learn_results_carry_learned_rules_at_the_top() {
        let mut handler = KestraOutputHandler::with_writer(OutputConfig::default(), Vec::new());
        handler.send_learn_result(&learned(), LEARN_RESULT).unwrap();
        let outputs = &lines(handler)[0]["outputs"];
        assert_eq!(outputs["learned_rules"], outputs["learn_result"]["learned_rules"]);
        assert_eq!(outputs["learned_rules"][0]["type"], "in_range");
    }

    /// A writer that always fails.
    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("pipe closed"))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn write_failures_name_the_outputs() {
        let mut handler = KestraOutputHandler::with_writer(OutputConfig::default(), Broken);
        let error = handler.send(json!({"check_result": 1, "status": "x"}).as_object().unwrap()).unwrap_err();
        assert!(error.to_string().contains("check_result, status") && error.to_string().contains("pipe closed"));
    }
}
