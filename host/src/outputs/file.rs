//! Result files, written so that a reader never sees a half-written file.

use super::{OutputConfig, OutputFormat, OutputHandler, format_check_result};
use crate::error::DataQualityError;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::Path;
use truthound_guest::report::{ScriptOutput, SerializerConfig, get_serializer};

/// Writes `contents` to `path` through a temporary file in the same directory and a rename, so
/// the file is either absent (or unchanged) or complete.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), DataQualityError> {
    let name = path.display().to_string();
    let fail =
        |what: &str, e: std::io::Error| DataQualityError::output(&name, "file", format!("{name}: cannot {what}: {e}"));
    let directory = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name =
        path.file_name().ok_or_else(|| DataQualityError::output(&name, "file", format!("{name}: not a file path")))?;
    let temporary = directory.join(format!(".{}.{}.tmp", file_name.to_string_lossy(), std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(contents).and_then(|_| file.sync_all()))
        .and_then(|_| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail("write the output file", e));
    }
    Ok(())
}

/// Writes outputs to `config.file_path` in `config.format`: JSON indented by 2, YAML, the
/// Markdown report or the HTML report. Every `send` replaces the file, atomically.
pub struct FileOutputHandler {
    config: OutputConfig,
}

impl FileOutputHandler {
    /// A handler writing where `config` says.
    pub fn new(config: OutputConfig) -> FileOutputHandler {
        FileOutputHandler { config }
    }

    /// `outputs` in the configured format.
    fn render(&self, outputs: &Map<String, Value>) -> Result<String, DataQualityError> {
        let mut text = get_serializer(self.config.format, &SerializerConfig::DEFAULT)
            .and_then(|serializer| serializer.serialize(&Value::Object(outputs.clone())))
            .map_err(|e| DataQualityError::serialization(&e.format, e.direction, format!("file output: {e}")))?;
        if self.config.format == OutputFormat::Json {
            text.push('\n');
        }
        Ok(text)
    }
}

impl OutputHandler for FileOutputHandler {
    fn config(&self) -> &OutputConfig {
        &self.config
    }

    fn send(&mut self, outputs: &Map<String, Value>) -> Result<(), DataQualityError> {
        let path = self.config.file_path.as_ref().ok_or_else(|| {
            DataQualityError::output(
                &outputs.keys().cloned().collect::<Vec<_>>().join(", "),
                "file",
                "file output: no file path configured (see OutputConfig::with_file_output)",
            )
        })?;
        write_atomically(path, self.render(outputs)?.as_bytes())
    }

    /// Files get `{output_name: format_check_result(..)}` alone, so reports render the result.
    fn send_check_result(&mut self, result: &ScriptOutput, output_name: &str) -> Result<(), DataQualityError> {
        let mut outputs = Map::new();
        outputs.insert(output_name.into(), format_check_result(result, &self.config));
        self.send(&outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failed_check, learned};
    use super::super::{CHECK_RESULT, LEARN_RESULT};
    use super::*;

    fn written(format: OutputFormat, send: impl FnOnce(&mut FileOutputHandler)) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("result");
        send(&mut FileOutputHandler::new(OutputConfig::default().with_format(format).with_file_output(&path)));
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn check_results_are_written_in_every_format() {
        let json = written(OutputFormat::Json, |h| h.send_check_result(&failed_check(2), CHECK_RESULT).unwrap());
        assert!(json.starts_with("{\n  \"check_result\": {\n    \"status\": \"failed\""), "{json}");
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value.as_object().unwrap().len(), 1);
        let yaml = written(OutputFormat::Yaml, |h| h.send_check_result(&failed_check(2), CHECK_RESULT).unwrap());
        assert!(yaml.starts_with("check_result:\n  status: failed\n  is_success: false\n"), "{yaml}");
        let markdown = written(OutputFormat::Markdown, |h| h.send_check_result(&failed_check(2), "x").unwrap());
        assert!(
            markdown.starts_with("# Data Quality Report ❌\n\n## Summary\n\n- **Status:** failed\n- **Passed:** 3\n")
        );
        assert!(markdown.contains("| c1 | not_null | nulls | medium |"), "{markdown}");
        let html = written(OutputFormat::Html, |h| h.send_learn_result(&learned(), LEARN_RESULT).unwrap());
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<tr class=\"learned-rule\"><td>age</td>"));
    }

    #[test]
    fn a_path_is_required_and_csv_is_refused() {
        let mut handler = FileOutputHandler::new(OutputConfig::default());
        let error = handler.send(&Map::new()).unwrap_err();
        assert!(error.message.contains("no file path") && error.kind.class_name() == "OutputError", "{error}");
        let dir = tempfile::tempdir().unwrap();
        let config = OutputConfig::default().with_format(OutputFormat::Csv).with_file_output(dir.path().join("r.csv"));
        let error = FileOutputHandler::new(config).send(&Map::new()).unwrap_err();
        assert!(error.to_string().contains("csv"), "{error}");
        assert!(!dir.path().join("r.csv").exists());
    }
}
