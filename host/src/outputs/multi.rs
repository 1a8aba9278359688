//! Several handlers at once: a result goes to every one of them.

use super::{OutputConfig, OutputHandler};
use crate::error::DataQualityError;
use serde_json::{Map, Value};

/// Sends to every handler; fails only when every handler failed.
pub struct MultiOutputHandler {
    config: OutputConfig,
    handlers: Vec<Box<dyn OutputHandler>>,
    failures: Vec<String>,
}

impl MultiOutputHandler {
    /// Sends to `handlers`, building payloads with `config`.
    pub fn new(handlers: Vec<Box<dyn OutputHandler>>, config: OutputConfig) -> MultiOutputHandler {
        MultiOutputHandler { config, handlers, failures: Vec::new() }
    }

    /// The failures of the last `send` (when some handlers succeeded, `send` still succeeds).
    pub fn failures(&self) -> &[String] {
        &self.failures
    }
}

impl OutputHandler for MultiOutputHandler {
    fn config(&self) -> &OutputConfig {
        &self.config
    }

    fn send(&mut self, outputs: &Map<String, Value>) -> Result<(), DataQualityError> {
        self.failures =
            self.handlers.iter_mut().filter_map(|handler| handler.send(outputs).err()).map(|e| e.to_string()).collect();
        if !self.handlers.is_empty() && self.failures.len() == self.handlers.len() {
            let message = format!("all output handlers failed: [{}]", self.failures.join("; "));
            return Err(DataQualityError::output(
                &outputs.keys().cloned().collect::<Vec<_>>().join(", "),
                "multi",
                message,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::failed_check;
    use super::super::{CHECK_RESULT, FileOutputHandler, KestraOutputHandler};
    use super::*;

    #[test]
    fn one_working_handler_is_enough() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("result.json");
        let handlers: Vec<Box<dyn OutputHandler>> = vec![
            Box::new(FileOutputHandler::new(OutputConfig::default())),
            Box::new(FileOutputHandler::new(OutputConfig::default().with_file_output(&path))),
        ];
        let mut multi = MultiOutputHandler::new(handlers, OutputConfig::default());
        multi.send_check_result(&failed_check(1), CHECK_RESULT).unwrap();
        assert_eq!(multi.failures().len(), 1);
        assert!(multi.failures()[0].contains("no file path"), "{:?}", multi.failures());
        let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(written["check_result"]["status"], "failed");
    }

    #[test]
    fn fails_listing_every_failure_when_all_handlers_failed() {
        let dir = tempfile::tempdir().unwrap();
        let into_missing_directory = dir.path().join("missing").join("r.json");
        let handlers: Vec<Box<dyn OutputHandler>> = vec![
            Box::new(FileOutputHandler::new(OutputConfig::default())),
            Box::new(FileOutputHandler::new(OutputConfig::default().with_file_output(&into_missing_directory))),
        ];
        let mut multi = MultiOutputHandler::new(handlers, OutputConfig::default());
        let error = multi.send_check_result(&failed_check(1), CHECK_RESULT).unwrap_err().to_string();
        assert!(error.starts_with("all output handlers failed: ["), "{error}");
        assert!(error.contains("no file path") && error.contains("missing"), "{error}");
    }

    #[test]
    fn sends_the_same_outputs_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.yaml");
        let file = FileOutputHandler::new(
            OutputConfig::default().with_format(super::super::OutputFormat::Yaml).with_file_output(&path),
        );
        let handlers: Vec<Box<dyn OutputHandler>> =
            vec![Box::new(file), Box::new(KestraOutputHandler::with_writer(OutputConfig::default(), Vec::new()))];
        let mut multi = MultiOutputHandler::new(handlers, OutputConfig::default());
        multi.send(serde_json::json!({"x": 1}).as_object().unwrap()).unwrap();
        assert!(multi.failures().is_empty());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x: 1\n");
    }
}
