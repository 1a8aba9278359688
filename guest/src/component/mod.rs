//! The WIT world `engine` (world `browser` with the `web` feature), exported from the
//! plain-Rust engine. Only conversions live here.

#[cfg(not(feature = "web"))]
wit_bindgen::generate!({ world: "engine", path: "../wit" });
#[cfg(feature = "web")]
wit_bindgen::generate!({ world: "browser", path: "../wit" });

/// Builds `$target` from `$source`, where the model and WIT records share field names: plain
/// fields move, `lists` convert element by element, `mapped` fields go through a function.
macro_rules! convert_record {
    ($source:expr => $target:path { $($field:ident),* $(,)? }
        $(lists { $($list:ident: $item:expr),* $(,)? })?
        $(mapped { $($mapped:ident: $convert:expr),* $(,)? })?) => {{
        let source = $source;
        $target {
            $($field: source.$field,)*
            $($($list: source.$list.into_iter().map($item).collect(),)*)?
            $($($mapped: $convert(source.$mapped),)*)?
        }
    }};
}

#[cfg(feature = "web")]
mod decode;
mod flow_lint;
mod flows;
mod profile;
mod sla;

use crate::model;
use crate::report::{ReportFormat, RunInfo, render_check, render_learn, render_profile};
use exports::truthound::quality::{check, diagnostics, report, shard_parts, types};
use std::cell::RefCell;

struct Component;

/// The `checker` resource: a [`crate::Checker`] behind the `&self` methods WIT resources get.
struct CheckerResource(RefCell<crate::Checker>);

impl check::Guest for Component {
    type Checker = CheckerResource;

    fn combine_results(shards: Vec<types::CheckResult>) -> Result<types::CheckResult, types::QualityError> {
        let shards = shards.into_iter().map(result_from_wit).collect();
        crate::checker::combine_results(shards).map(result_to_wit).map_err(error_to_wit)
    }
}

impl check::GuestChecker for CheckerResource {
    fn create(rule_document: String, options: types::CheckOptions) -> Result<check::Checker, types::QualityError> {
        let options = model::CheckOptions {
            sample_failures: options.sample_failures,
            min_severity: report_severity_from_wit(options.min_severity),
            shard_count: options.shard_count,
            shard_index: options.shard_index,
            rule_format: rule_format_from_wit(options.rule_format),
        };
        let checker = crate::Checker::new(&rule_document, options).map_err(error_to_wit)?;
        Ok(check::Checker::new(CheckerResource(RefCell::new(checker))))
    }

    fn required_columns(&self) -> Vec<String> {
        self.0.borrow().required_columns()
    }

    fn declare_source_schema(&self, ipc_schema: Vec<u8>) -> Result<(), types::QualityError> {
        self.0.borrow_mut().declare_source_schema_ipc(ipc_schema).map_err(error_to_wit)
    }

    fn feed(&self, ipc_stream: Vec<u8>) -> Result<(), types::QualityError> {
        self.0.borrow_mut().feed_ipc(ipc_stream).map_err(error_to_wit)
    }

    fn export_state(&self) -> Result<Vec<u8>, types::QualityError> {
        self.0.borrow().export_state().map_err(error_to_wit)
    }

    fn merge_state(&self, state: Vec<u8>) -> Result<(), types::QualityError> {
        self.0.borrow_mut().merge_state(&state).map_err(error_to_wit)
    }

    fn finish(&self) -> Result<types::CheckResult, types::QualityError> {
        self.0.borrow().finish().map(result_to_wit).map_err(error_to_wit)
    }
}

impl shard_parts::Guest for Component {
    fn finish_part(shard: check::CheckerBorrow<'_>) -> Result<Vec<u8>, types::QualityError> {
        shard.get::<CheckerResource>().0.borrow_mut().finish_shard_part().map_err(error_to_wit)
    }

    fn merge_part(shard: check::CheckerBorrow<'_>, part: Vec<u8>) -> Result<(), types::QualityError> {
        shard.get::<CheckerResource>().0.borrow_mut().merge_shard_part(&part).map_err(error_to_wit)
    }
}

impl report::Guest for Component {
    fn render_check(outcome: types::CheckResult, info: report::RunInfo, format: report::ReportFormat) -> String {
        render_check(&result_from_wit(outcome), &info_from_wit(info), format_from_wit(format))
    }

    fn render_profile(outcome: types::ProfileResult, info: report::RunInfo, format: report::ReportFormat) -> String {
        render_profile(&profile::profile_from_wit(outcome), &info_from_wit(info), format_from_wit(format))
    }

    fn render_learn(
        outcome: types::LearnResult,
        row_count: u64,
        info: report::RunInfo,
        format: report::ReportFormat,
    ) -> String {
        render_learn(&profile::learn_from_wit(outcome), row_count, &info_from_wit(info), format_from_wit(format))
    }
}

fn info_from_wit(info: report::RunInfo) -> RunInfo {
    RunInfo {
        execution_time_ms: info.execution_time_ms,
        timestamp: info.timestamp,
        engine_name: info.engine_name,
        source: info.source,
    }
}

fn format_from_wit(format: report::ReportFormat) -> ReportFormat {
    match format {
        report::ReportFormat::Json => ReportFormat::Json,
        report::ReportFormat::JsonCompact => ReportFormat::JsonCompact,
        report::ReportFormat::Yaml => ReportFormat::Yaml,
        report::ReportFormat::Markdown => ReportFormat::Markdown,
        report::ReportFormat::Html => ReportFormat::Html,
        report::ReportFormat::GreatExpectations => ReportFormat::GreatExpectations,
    }
}

impl diagnostics::Guest for Component {
    fn probe_sandbox(path: String) -> diagnostics::SandboxReport {
        diagnostics::SandboxReport {
            file_read: std::fs::read(&path).map(|bytes| bytes.len() as u64).map_err(|e| e.to_string()),
            environment_variables: std::env::vars_os().map(|(name, _)| name.to_string_lossy().into_owned()).collect(),
        }
    }
}

export!(Component);

fn error_to_wit(error: model::QualityError) -> types::QualityError {
    let kind = match error.kind {
        model::ErrorKind::RuleDocument => types::ErrorKind::RuleDocument,
        model::ErrorKind::UnknownColumn => types::ErrorKind::UnknownColumn,
        model::ErrorKind::Data => types::ErrorKind::Data,
        model::ErrorKind::State => types::ErrorKind::State,
        model::ErrorKind::Options => types::ErrorKind::Options,
    };
    types::QualityError { kind, message: error.message }
}

fn report_severity_from_wit(severity: types::ReportSeverity) -> model::ReportSeverity {
    match severity {
        types::ReportSeverity::Info => model::ReportSeverity::Info,
        types::ReportSeverity::Low => model::ReportSeverity::Low,
        types::ReportSeverity::Medium => model::ReportSeverity::Medium,
        types::ReportSeverity::High => model::ReportSeverity::High,
        types::ReportSeverity::Critical => model::ReportSeverity::Critical,
    }
}

fn rule_format_from_wit(format: types::RuleFormat) -> model::RuleFormat {
    match format {
        types::RuleFormat::Truthound => model::RuleFormat::Truthound,
        types::RuleFormat::GreatExpectations => model::RuleFormat::GreatExpectations,
        types::RuleFormat::Pandera => model::RuleFormat::Pandera,
    }
}

fn status_to_wit(status: model::Status) -> types::Status {
    match status {
        model::Status::Passed => types::Status::Passed,
        model::Status::Failed => types::Status::Failed,
        model::Status::Warning => types::Status::Warning,
        model::Status::Skipped => types::Status::Skipped,
        model::Status::Error => types::Status::Error,
    }
}

fn status_from_wit(status: types::Status) -> model::Status {
    match status {
        types::Status::Passed => model::Status::Passed,
        types::Status::Failed => model::Status::Failed,
        types::Status::Warning => model::Status::Warning,
        types::Status::Skipped => model::Status::Skipped,
        types::Status::Error => model::Status::Error,
    }
}

fn severity_to_wit(severity: model::Severity) -> types::Severity {
    match severity {
        model::Severity::Critical => types::Severity::Critical,
        model::Severity::Error => types::Severity::Error,
        model::Severity::Warning => types::Severity::Warning,
        model::Severity::Info => types::Severity::Info,
    }
}

fn severity_from_wit(severity: types::Severity) -> model::Severity {
    match severity {
        types::Severity::Critical => model::Severity::Critical,
        types::Severity::Error => model::Severity::Error,
        types::Severity::Warning => model::Severity::Warning,
        types::Severity::Info => model::Severity::Info,
    }
}

/// Converts a check result between the model and WIT records (either direction).
macro_rules! convert_check_result {
    ($result:expr, $module:ident, $status:expr, $severity:expr) => {
        convert_record!($result => $module::CheckResult {
            passed_count, failed_count, warning_count, row_count, columns_read, suite_name,
        } lists {
            rule_results: |r| convert_record!(r => $module::RuleResult {
                index, rule_type, name, column, parameters, element_count, evaluated_count, unexpected_count,
                unexpected_percent, null_count, mostly, observed_value, message, origin,
            } lists {
                samples: |s| $module::FailureSample { row: s.row, value: s.value },
            } mapped {
                severity: $severity,
                status: $status,
            }),
        } mapped {
            status: $status,
        })
    };
}

fn result_to_wit(result: model::CheckResult) -> types::CheckResult {
    convert_check_result!(result, types, status_to_wit, severity_to_wit)
}

fn result_from_wit(result: types::CheckResult) -> model::CheckResult {
    convert_check_result!(result, model, status_from_wit, severity_from_wit)
}
