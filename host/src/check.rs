//! A check run: plan the rules in the engine, stream the data into it, finish and render.

use crate::error::RunError;
use crate::runtime::{CheckOptions, CheckResult, Limits, ReportFormat, ReportSeverity, RunInfo, Runtime, Session, Status};
use crate::source::{self, ReadOptions};
use arrow_ipc::writer::StreamWriter;
use std::time::{Duration, Instant};

/// The seed's `CheckScriptConfig` settings that a check run uses.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckConfig {
    /// Name reported as the result's engine.
    pub engine_name: String,
    /// A failed check ends the task with exit code 1.
    pub fail_on_error: bool,
    /// Failing rules below this severity count as warnings.
    pub min_severity: ReportSeverity,
    /// Unexpected values kept per rule.
    pub sample_failures: u32,
    /// Wall-clock limit of the whole run.
    pub timeout: Duration,
    /// Linear memory the engine may use.
    pub memory_limit_bytes: u64,
    /// Rows per batch fed to the engine (0: the reader's default).
    pub batch_size: usize,
}

/// The seed's script presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// `DEFAULT_SCRIPT_CONFIG`: fail on error, min severity low, 100 samples, 300 s.
    Default,
    /// `STRICT_SCRIPT_CONFIG`: fail on error, min severity low, 1000 samples.
    Strict,
    /// `LENIENT_SCRIPT_CONFIG`: never fail the task, min severity high, 10 samples.
    Lenient,
    /// `PRODUCTION_SCRIPT_CONFIG`: fail on error, min severity medium, 100 samples, 600 s.
    Production,
}

impl Preset {
    /// The preset's configuration.
    pub fn config(self) -> CheckConfig {
        let base = CheckConfig {
            engine_name: "truthound".into(),
            fail_on_error: true,
            min_severity: ReportSeverity::Low,
            sample_failures: 100,
            timeout: Duration::from_secs(300),
            memory_limit_bytes: Limits::default().memory_bytes,
            batch_size: 0,
        };
        match self {
            Preset::Default => base,
            Preset::Strict => CheckConfig { sample_failures: 1000, ..base },
            Preset::Lenient => {
                CheckConfig { fail_on_error: false, min_severity: ReportSeverity::High, sample_failures: 10, ..base }
            }
            Preset::Production => {
                CheckConfig { min_severity: ReportSeverity::Medium, timeout: Duration::from_secs(600), ..base }
            }
        }
    }
}

/// A finished check, with the session that can still render it.
pub struct CheckReport {
    pub result: CheckResult,
    pub info: RunInfo,
    session: Session,
}

impl CheckReport {
    /// Renders the result (the seed's envelope as JSON or YAML, or Markdown).
    pub fn render(&mut self, format: ReportFormat) -> Result<String, RunError> {
        self.session.render_check(&self.result, &self.info, format)
    }

    /// Whether the task should fail: the check failed and `fail_on_error` is on.
    pub fn fails_task(&self, config: &CheckConfig) -> bool {
        config.fail_on_error && !matches!(self.result.status, Status::Passed | Status::Warning)
    }
}

/// Checks the data at `uri` against `rule_document` (YAML or JSON text).
pub fn run_check(runtime: &Runtime, uri: &str, rule_document: &str, config: &CheckConfig) -> Result<CheckReport, RunError> {
    let started = Instant::now();
    let limits = Limits { memory_bytes: config.memory_limit_bytes, timeout: config.timeout };
    let mut session = runtime.session(limits)?;
    let options = CheckOptions { sample_failures: config.sample_failures, min_severity: config.min_severity };
    let checker = session.create_checker(rule_document, options)?;
    let columns = session.required_columns(checker)?;
    let read_options = ReadOptions { columns: Some(columns), batch_size: config.batch_size };
    let data = source::open(uri, &read_options)?;
    let mut ipc = Vec::new();
    let mut fed_any = false;
    for batch in data.batches {
        let batch = batch?;
        session.check_deadline()?;
        encode_ipc(&data.schema, Some(&batch), &mut ipc)?;
        session.feed(checker, &ipc)?;
        fed_any = true;
    }
    if !fed_any {
        // No rows: the engine still needs the schema to resolve columns.
        encode_ipc(&data.schema, None, &mut ipc)?;
        session.feed(checker, &ipc)?;
    }
    let result = session.finish(checker)?;
    let info = RunInfo {
        execution_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        timestamp: utc_timestamp_now(),
        engine_name: config.engine_name.clone(),
        source: uri.to_string(),
    };
    Ok(CheckReport { result, info, session })
}

/// Writes an Arrow IPC stream (schema, then `batch` if any) into `out`, reusing its allocation.
fn encode_ipc(schema: &arrow_schema::Schema, batch: Option<&arrow_array::RecordBatch>, out: &mut Vec<u8>) -> Result<(), RunError> {
    out.clear();
    let fail = |e: arrow_schema::ArrowError| RunError::Data(format!("cannot encode a batch for the engine: {e}"));
    let mut writer = StreamWriter::try_new(&mut *out, schema).map_err(fail)?;
    if let Some(batch) = batch {
        writer.write(batch).map_err(fail)?;
    }
    writer.finish().map_err(fail)?;
    Ok(())
}

/// Now, as ISO 8601 in UTC with microseconds (`2026-11-26T07:01:05.123456+00:00`, like Python's
/// `datetime.now(timezone.utc).isoformat()`).
pub fn utc_timestamp_now() -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    format!("{}+00:00", truthound_guest::temporal::format_timestamp(micros, arrow_schema::TimeUnit::Microsecond))
}
