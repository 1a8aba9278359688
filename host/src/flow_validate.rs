//! `truthound-kestra flow validate FILE...`: lints Kestra flow files offline with the engine's
//! `flow-lint` interface and prints one line per finding (`FILE:PATH: error|warning: message`)
//! or a JSON report.

use crate::error::{DataQualityError, exit_code};
use crate::runtime::{Finding, FindingSeverity, Limits, Runtime};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ValidateFormat {
    /// One `FILE:PATH: severity: message` line per finding and a summary line.
    #[default]
    Text,
    /// One JSON document with the findings of every file.
    Json,
}

/// What happened to one file.
struct FileOutcome {
    file: PathBuf,
    /// The findings, or why the file could not be read.
    findings: Result<Vec<Finding>, String>,
}

impl FileOutcome {
    fn count(&self, severity: FindingSeverity) -> usize {
        self.findings.as_ref().map_or(0, |f| f.iter().filter(|f| f.severity == severity).count())
    }
}

/// Validates `files` and prints the findings on stdout. Exit code: 0 when no file has errors
/// (warnings allowed), 2 when a file has errors, 3 when a file cannot be read.
pub fn validate_files(files: &[PathBuf], format: ValidateFormat) -> Result<i32, DataQualityError> {
    let runtime = Runtime::new()?;
    let mut outcomes = Vec::with_capacity(files.len());
    for file in files {
        let findings = match std::fs::read_to_string(file) {
            Ok(text) => Ok(runtime.session(Limits::default())?.validate_flow(&text)?),
            Err(error) => Err(format!("cannot read the file: {error}")),
        };
        outcomes.push(FileOutcome { file: file.clone(), findings });
    }
    let rendered = match format {
        ValidateFormat::Text => render_text(&outcomes),
        ValidateFormat::Json => render_json(&outcomes),
    };
    std::io::stdout()
        .lock()
        .write_all(rendered.as_bytes())
        .map_err(|e| DataQualityError::output("stdout", "stdout", format!("cannot write to stdout: {e}")))?;
    let unreadable = outcomes.iter().any(|o| o.findings.is_err());
    let errors: usize = outcomes.iter().map(|o| o.count(FindingSeverity::Error)).sum();
    Ok(if unreadable {
        exit_code::SCRIPT
    } else if errors > 0 {
        exit_code::CONFIGURATION
    } else {
        exit_code::SUCCESS
    })
}

fn severity_word(severity: FindingSeverity) -> &'static str {
    match severity {
        FindingSeverity::Error => "error",
        FindingSeverity::Warning => "warning",
    }
}

/// `FILE:PATH: severity: message` lines (`FILE: ...` for findings about the whole document),
/// then `N files: E errors, W warnings`.
fn render_text(outcomes: &[FileOutcome]) -> String {
    let mut text = String::new();
    for outcome in outcomes {
        let file = outcome.file.display();
        match &outcome.findings {
            Err(reason) => text.push_str(&format!("{file}: error: {reason}\n")),
            Ok(findings) => {
                for finding in findings {
                    let place = if finding.path.is_empty() { String::new() } else { format!("{}:", finding.path) };
                    let severity = severity_word(finding.severity);
                    text.push_str(&format!("{file}:{place} {severity}: {}\n", finding.message));
                }
            }
        }
    }
    let errors: usize = outcomes.iter().map(|o| o.count(FindingSeverity::Error)).sum();
    let warnings: usize = outcomes.iter().map(|o| o.count(FindingSeverity::Warning)).sum();
    let unreadable = outcomes.iter().filter(|o| o.findings.is_err()).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    text.push_str(&format!(
        "{} checked: {}, {}",
        plural(outcomes.len(), "file"),
        plural(errors, "error"),
        plural(warnings, "warning")
    ));
    if unreadable > 0 {
        text.push_str(&format!(", {} unreadable", plural(unreadable, "file")));
    }
    text.push('\n');
    text
}

/// `{"files": [{"file", "valid", "findings": [{path, severity, message}] | "error"}], "errors", "warnings"}`.
fn render_json(outcomes: &[FileOutcome]) -> String {
    let files: Vec<_> = outcomes
        .iter()
        .map(|outcome| {
            let file = outcome.file.display().to_string();
            match &outcome.findings {
                Err(reason) => json!({ "file": file, "valid": false, "error": reason }),
                Ok(findings) => json!({
                    "file": file,
                    "valid": outcome.count(FindingSeverity::Error) == 0,
                    "findings": findings.iter().map(|f| json!({
                        "path": f.path,
                        "severity": severity_word(f.severity),
                        "message": f.message,
                    })).collect::<Vec<_>>(),
                }),
            }
        })
        .collect();
    let errors: usize = outcomes.iter().map(|o| o.count(FindingSeverity::Error)).sum();
    let warnings: usize = outcomes.iter().map(|o| o.count(FindingSeverity::Warning)).sum();
    let report = json!({ "files": files, "errors": errors, "warnings": warnings });
    format!("{}\n", serde_json::to_string_pretty(&report).expect("JSON values serialise"))
}
