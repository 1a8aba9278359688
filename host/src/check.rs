//! A check run: plan the rules in the engine (one or several instances), stream the data into
//! it, finish and render.

use crate::data_parallel::{check_row_ranges, null_only_columns, suits_row_ranges};
use crate::error::DataQualityError;
use crate::runtime::{
    CheckOptions, CheckResult, CheckerHandle, Limits, ReportFormat, ReportSeverity, RuleFormat, RunInfo, Runtime,
    Session, Status,
};
use crate::source::{self, ReadOptions};
use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{Schema, SchemaRef};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

/// The seed's `CheckScriptConfig` settings that a check run uses.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckConfig {
    /// Name reported as the result's engine.
    pub engine_name: String,
    /// The language of the rule document (the seed's engines: truthound, great_expectations,
    /// pandera).
    pub rule_format: RuleFormat,
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
    /// Memory the value-keeping rules (unique, distinct values, quantiles) may hold before spilling
    /// (0: never spill).
    pub spill_budget_bytes: u64,
    /// Rows per batch fed to the engine (0: the reader's default).
    pub batch_size: usize,
    /// Check with one engine instance per core (the seed's `parallel`): by row ranges or by
    /// rules, see `run_check`.
    pub parallel: bool,
    /// Add the Hive-style partition columns of the file's path below this directory (a check of
    /// one partition of a fan-out; see `ReadOptions::hive_root`).
    pub hive_root: Option<String>,
}

impl CheckConfig {
    /// The engine limits of this configuration.
    pub fn limits(&self) -> Limits {
        Limits {
            memory_bytes: self.memory_limit_bytes,
            timeout: self.timeout,
            spill_budget_bytes: self.spill_budget_bytes,
        }
    }
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
    /// `PRODUCTION_SCRIPT_CONFIG`: fail on error, min severity medium, 100 samples, 600 s,
    /// parallel.
    Production,
}

impl Preset {
    /// The preset's configuration.
    pub fn config(self) -> CheckConfig {
        let base = CheckConfig {
            engine_name: "truthound".into(),
            rule_format: RuleFormat::Truthound,
            fail_on_error: true,
            min_severity: ReportSeverity::Low,
            sample_failures: 100,
            timeout: Duration::from_secs(300),
            memory_limit_bytes: Limits::default().memory_bytes,
            spill_budget_bytes: Limits::default().spill_budget_bytes,
            batch_size: 0,
            parallel: false,
            hive_root: None,
        };
        match self {
            Preset::Default => base,
            Preset::Strict => CheckConfig { sample_failures: 1000, ..base },
            Preset::Lenient => {
                CheckConfig { fail_on_error: false, min_severity: ReportSeverity::High, sample_failures: 10, ..base }
            }
            Preset::Production => CheckConfig {
                min_severity: ReportSeverity::Medium,
                timeout: Duration::from_secs(600),
                parallel: true,
                ..base
            },
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
    /// A report of `result`, rendered by `session`.
    pub(crate) fn new(result: CheckResult, info: RunInfo, session: Session) -> CheckReport {
        CheckReport { result, info, session }
    }

    /// Renders the result (the seed's envelope as JSON or YAML, or the Markdown or HTML report).
    pub fn render(&mut self, format: ReportFormat) -> Result<String, DataQualityError> {
        self.session.render_check(&self.result, &self.info, format)
    }

    /// Whether the task should fail: the check failed and `fail_on_error` is on.
    pub fn fails_task(&self, config: &CheckConfig) -> bool {
        config.fail_on_error && !matches!(self.result.status, Status::Passed | Status::Warning)
    }
}

/// How many engine instances a check runs: one per core (at most 4) with `parallel`. An engine
/// plugin always runs in one: its sharding and state merging are not ours to vouch for.
fn instance_count(runtime: &Runtime, config: &CheckConfig) -> u32 {
    if !config.parallel || runtime.plugin_name().is_some() {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32)
}

/// One engine instance and the share of the rules it evaluates.
pub(crate) struct Shard {
    pub(crate) session: Session,
    pub(crate) checker: CheckerHandle,
    columns: Vec<String>,
}

/// Checks the data at `uri` against `rule_document` (YAML or JSON text). With `parallel`, a
/// Parquet or Arrow IPC file (or a glob or directory of them) is split into contiguous row
/// ranges (or ranges of whole files), one sandboxed instance each,
/// whose states merge in order, unless the rules keep every distinct value (their states cost
/// as much to merge as to compute); otherwise the data is read once and fed to every instance,
/// which evaluate a share of the rules and count a part of the data for the counting analyzers
/// (see `check_shards`). The result is the same either way.
pub fn run_check(
    runtime: &Runtime,
    uri: &str,
    rule_document: &str,
    config: &CheckConfig,
) -> Result<CheckReport, DataQualityError> {
    let started = Instant::now();
    // A file that cannot be split or opened is read whole: that read reports any error, after
    // the rules are checked, as without `parallel`.
    let instances = instance_count(runtime, config) as usize;
    let ranges = if instances > 1 && suits_row_ranges(rule_document, config) {
        let options = ReadOptions { hive_root: config.hive_root.clone(), ..ReadOptions::default() };
        source::split_rows(uri, &options, instances).unwrap_or(None)
    } else {
        None
    };
    let (session, result) = match ranges {
        Some(ranges) => check_row_ranges(runtime, &ranges, rule_document, config)?,
        None => {
            let (shards, mut results) = check_shards(runtime, uri, rule_document, config, true)?;
            let mut sessions: Vec<Session> = shards.into_iter().map(|s| s.session).collect();
            let mut session = sessions.swap_remove(0);
            let result = if results.len() == 1 { results.remove(0) } else { session.combine_results(&results)? };
            (session, result)
        }
    };
    let info = run_info(started, config, uri.to_string());
    Ok(CheckReport { result, info, session })
}

/// The run's description: its duration so far, now, the engine name and the source.
pub(crate) fn run_info(started: Instant, config: &CheckConfig, source: String) -> RunInfo {
    RunInfo {
        execution_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        timestamp: utc_timestamp_now(),
        engine_name: config.engine_name.clone(),
        source,
    }
}

/// Streams the data at `uri` through the shards and finishes each; the shards stay alive (their
/// checkers can still export their states). Several shards first exchange their parts of the
/// shared counts (see the WIT `shard-parts`), each finished on its own thread. With
/// `dictionaries`, small dictionary-encoded string columns of a Parquet file arrive as Arrow
/// dictionaries (see `ReadOptions::dictionaries`); a state to be merged with other files' states
/// must not depend on such a per-file choice.
pub(crate) fn check_shards(
    runtime: &Runtime,
    uri: &str,
    rule_document: &str,
    config: &CheckConfig,
    dictionaries: bool,
) -> Result<(Vec<Shard>, Vec<CheckResult>), DataQualityError> {
    let shards = start_shards(runtime, rule_document, config)?;
    let mut all_columns: Vec<String> = Vec::new();
    for column in shards.iter().flat_map(|s| &s.columns) {
        if !all_columns.contains(column) {
            all_columns.push(column.clone());
        }
    }
    let read_options = ReadOptions {
        columns: Some(all_columns),
        batch_size: config.batch_size,
        format: None,
        valid_columns: null_only_columns(runtime, rule_document, config),
        hive_root: config.hive_root.clone(),
        dictionaries,
    };
    let inputs = spawn_reader(uri.to_string(), read_options, shards.iter().map(|s| Some(s.columns.clone())).collect());
    let sharded = shards.len() > 1;
    let outcomes: Vec<(Shard, Result<Option<Vec<u8>>, DataQualityError>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = shards
            .into_iter()
            .zip(inputs)
            .map(|(mut shard, input)| {
                scope.spawn(move || {
                    let outcome = feed_shard(&mut shard, &input, sharded);
                    (shard, outcome)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("shard threads do not panic")).collect()
    });
    // A failed shard makes the reader stop, so the other shards see their input end early:
    // report the failure, whichever shard it came from.
    let (mut shards, outcomes): (Vec<Shard>, Vec<_>) = outcomes.into_iter().unzip();
    let fed = outcomes.into_iter().collect::<Result<Vec<_>, DataQualityError>>()?;
    let Some(parts) = fed.into_iter().collect::<Option<Vec<Vec<u8>>>>() else {
        return Err(DataQualityError::load_data(uri, format!("{uri}: the reader stopped unexpectedly")));
    };
    let mut results = Vec::with_capacity(shards.len());
    for (index, shard) in shards.iter_mut().enumerate() {
        for (other, part) in parts.iter().enumerate() {
            if sharded && other != index {
                shard.session.merge_shard_part(shard.checker, part)?;
            }
        }
        results.push(shard.session.finish(shard.checker)?);
    }
    Ok((shards, results))
}

/// One session and checker per shard, each planning its share of the rules. The shards share
/// the memory budget of values: each counts a part of them.
fn start_shards(runtime: &Runtime, rule_document: &str, config: &CheckConfig) -> Result<Vec<Shard>, DataQualityError> {
    let shard_count = instance_count(runtime, config);
    let mut limits = config.limits();
    limits.spill_budget_bytes /= u64::from(shard_count);
    (0..shard_count)
        .map(|shard_index| {
            let mut session = runtime.session(limits)?;
            let options = CheckOptions {
                sample_failures: config.sample_failures,
                min_severity: config.min_severity,
                shard_count,
                shard_index,
                rule_format: config.rule_format,
            };
            let checker = session.create_checker(rule_document, options)?;
            let columns = session.required_columns(checker)?;
            Ok(Shard { session, checker, columns })
        })
        .collect()
}

/// Feeds one shard everything the reader sends it; with several shards, then finishes its part
/// of the shared counts (empty without them). `None` means its input ended early because another
/// shard failed (that shard reports the error).
fn feed_shard(
    shard: &mut Shard,
    input: &Receiver<Result<Encoded, DataQualityError>>,
    sharded: bool,
) -> Result<Option<Vec<u8>>, DataQualityError> {
    loop {
        let next = match input.recv_timeout(shard.session.remaining()) {
            Ok(next) => next?,
            // The deadline passed while the reader was busy (a huge CSV being typed, say).
            Err(RecvTimeoutError::Timeout) => {
                shard.session.check_deadline()?;
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(None),
        };
        match next {
            Encoded::SourceSchema(ipc) => shard.session.declare_source_schema(shard.checker, &ipc)?,
            Encoded::Batch(ipc) => shard.session.feed(shard.checker, &ipc)?,
            Encoded::End if sharded => return shard.session.finish_shard_part(shard.checker).map(Some),
            Encoded::End => return Ok(Some(Vec::new())),
        }
    }
}

/// Encoded batches in flight between the reader thread and each engine: enough to keep both
/// busy, few enough to bound memory.
const BATCHES_IN_FLIGHT: usize = 2;

/// What the reader thread sends.
pub(crate) enum Encoded {
    /// The schema of every column of the data (an Arrow IPC stream without batches), first, so
    /// that schema rules see all columns while only the required ones are fed.
    SourceSchema(Vec<u8>),
    /// An Arrow IPC stream of the schema and one batch (or the schema alone when the data has no
    /// rows, so the engine can still resolve columns). Shards fed the same columns share it.
    Batch(Arc<Vec<u8>>),
    /// Every batch was sent.
    End,
}

/// Reads the data once on its own thread, so decoding overlaps with the engines' work, and sends
/// each shard the data's full schema, then its columns of every batch (`None`: every column),
/// IPC-encoded. A read error goes to every shard; the thread stops when a shard is gone (it
/// failed, or needs no more rows).
pub(crate) fn spawn_reader(
    uri: String,
    options: ReadOptions,
    shard_columns: Vec<Option<Vec<String>>>,
) -> Vec<Receiver<Result<Encoded, DataQualityError>>> {
    let (senders, receivers): (Vec<_>, Vec<_>) = shard_columns.iter().map(|_| sync_channel(BATCHES_IN_FLIGHT)).unzip();
    std::thread::spawn(move || {
        let send_all = || -> Result<(), DataQualityError> {
            let data = source::open(&uri, &options)?;
            let source_schema = encode_ipc(&data.source_schema, None)?;
            for sender in &senders {
                if sender.send(Ok(Encoded::SourceSchema(source_schema.clone()))).is_err() {
                    return Ok(());
                }
            }
            let projections: Vec<Option<Vec<usize>>> =
                shard_columns.iter().map(|columns| column_indices(&data.schema, columns.as_deref()?)).collect();
            let mut sent_any = false;
            for batch in data.batches {
                let batch = batch?;
                let mut encoded: Vec<(&Option<Vec<usize>>, Arc<Vec<u8>>)> = Vec::new();
                for (sender, projection) in senders.iter().zip(&projections) {
                    let ipc = match encoded.iter().find(|(done, _)| *done == projection) {
                        Some((_, ipc)) => ipc.clone(),
                        None => {
                            let batch = project_batch(&batch, projection)?;
                            let ipc = Arc::new(encode_ipc(&project(&data.schema, projection), Some(&batch))?);
                            encoded.push((projection, ipc.clone()));
                            ipc
                        }
                    };
                    if sender.send(Ok(Encoded::Batch(ipc))).is_err() {
                        return Ok(());
                    }
                }
                sent_any = true;
            }
            for (sender, projection) in senders.iter().zip(&projections) {
                if !sent_any {
                    let ipc = encode_ipc(&project(&data.schema, projection), None)?;
                    let _ = sender.send(Ok(Encoded::Batch(Arc::new(ipc))));
                }
                let _ = sender.send(Ok(Encoded::End));
            }
            Ok(())
        };
        if let Err(error) = send_all() {
            for sender in &senders {
                let _ = sender.send(Err(error.clone()));
            }
        }
    });
    receivers
}

/// Where a shard's columns are in the data, or `None` (send every column) when one is missing,
/// so that the engine names the missing column against the full list.
fn column_indices(schema: &Schema, columns: &[String]) -> Option<Vec<usize>> {
    let mut indices = columns.iter().map(|c| schema.index_of(c).ok()).collect::<Option<Vec<_>>>()?;
    indices.sort_unstable();
    Some(indices)
}

fn project(schema: &SchemaRef, projection: &Option<Vec<usize>>) -> SchemaRef {
    match projection {
        Some(indices) => Arc::new(schema.project(indices).expect("indices come from this schema")),
        None => schema.clone(),
    }
}

fn project_batch(batch: &RecordBatch, projection: &Option<Vec<usize>>) -> Result<RecordBatch, DataQualityError> {
    match projection {
        Some(indices) => batch
            .project(indices)
            .map_err(|e| DataQualityError::script("load_data", format!("cannot select columns: {e}"))),
        None => Ok(batch.clone()),
    }
}

/// An Arrow IPC stream of the schema, then `batch` if any.
pub(crate) fn encode_ipc(schema: &Schema, batch: Option<&RecordBatch>) -> Result<Vec<u8>, DataQualityError> {
    let fail = |e: arrow_schema::ArrowError| {
        DataQualityError::serialization("arrow_ipc", "serialize", format!("cannot encode a batch for the engine: {e}"))
    };
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
