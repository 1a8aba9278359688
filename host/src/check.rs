//! A check run: plan the rules in the engine, stream the data into it, finish and render.

use crate::error::RunError;
use crate::runtime::{
    CheckOptions, CheckResult, Limits, ReportFormat, ReportSeverity, RunInfo, Runtime, Session, Status,
};
use crate::source::{self, ReadOptions};
use arrow_ipc::writer::StreamWriter;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
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
pub fn run_check(
    runtime: &Runtime,
    uri: &str,
    rule_document: &str,
    config: &CheckConfig,
) -> Result<CheckReport, RunError> {
    let started = Instant::now();
    let limits = Limits { memory_bytes: config.memory_limit_bytes, timeout: config.timeout };
    let mut session = runtime.session(limits)?;
    let options = CheckOptions { sample_failures: config.sample_failures, min_severity: config.min_severity };
    let checker = session.create_checker(rule_document, options)?;
    let columns = session.required_columns(checker)?;
    let read_options = ReadOptions { columns: Some(columns), batch_size: config.batch_size };
    let encoded = spawn_reader(uri.to_string(), read_options);
    loop {
        let next = match encoded.recv_timeout(session.remaining()) {
            Ok(next) => next?,
            // The deadline passed while the reader was busy (a huge CSV being typed, say).
            Err(RecvTimeoutError::Timeout) => {
                session.check_deadline()?;
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(RunError::Data(format!("{uri}: the reader stopped unexpectedly")));
            }
        };
        match next {
            Encoded::Batch(ipc) => session.feed(checker, &ipc)?,
            Encoded::End => break,
        }
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

/// Encoded batches in flight between the reader thread and the engine: enough to keep both busy,
/// few enough to bound memory.
const BATCHES_IN_FLIGHT: usize = 2;

/// What the reader thread sends.
enum Encoded {
    /// An Arrow IPC stream of the schema and one batch (or the schema alone when the data has no
    /// rows, so the engine can still resolve columns).
    Batch(Vec<u8>),
    /// Every batch was sent.
    End,
}

/// Reads and IPC-encodes the data on its own thread, so decoding overlaps with the engine's work.
/// The thread stops at the first error (sent as the last message) or when the receiver is gone.
fn spawn_reader(uri: String, options: ReadOptions) -> Receiver<Result<Encoded, RunError>> {
    let (sender, receiver) = sync_channel(BATCHES_IN_FLIGHT);
    std::thread::spawn(move || {
        let send_all = || -> Result<(), RunError> {
            let data = source::open(&uri, &options)?;
            let mut sent_any = false;
            for batch in data.batches {
                let ipc = encode_ipc(&data.schema, Some(&batch?))?;
                if sender.send(Ok(Encoded::Batch(ipc))).is_err() {
                    return Ok(());
                }
                sent_any = true;
            }
            if !sent_any {
                let ipc = encode_ipc(&data.schema, None)?;
                let _ = sender.send(Ok(Encoded::Batch(ipc)));
            }
            let _ = sender.send(Ok(Encoded::End));
            Ok(())
        };
        if let Err(error) = send_all() {
            let _ = sender.send(Err(error));
        }
    });
    receiver
}

/// An Arrow IPC stream of the schema, then `batch` if any.
fn encode_ipc(schema: &arrow_schema::Schema, batch: Option<&arrow_array::RecordBatch>) -> Result<Vec<u8>, RunError> {
    let fail = |e: arrow_schema::ArrowError| RunError::Data(format!("cannot encode a batch for the engine: {e}"));
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, schema).map_err(fail)?;
    if let Some(batch) = batch {
        writer.write(batch).map_err(fail)?;
    }
    writer.finish().map_err(fail)?;
    drop(writer);
    Ok(out)
}

/// Now, as ISO 8601 in UTC with microseconds (`2026-11-26T07:01:05.123456+00:00`, like Python's
/// `datetime.now(timezone.utc).isoformat()`).
pub fn utc_timestamp_now() -> String {
    let micros =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
    format!("{}+00:00", truthound_guest::temporal::format_timestamp(micros, arrow_schema::TimeUnit::Microsecond))
}
