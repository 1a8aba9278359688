//! Profile and learn runs: stream the data into one engine instance's profiler (reading on a
//! thread of its own), then learn rules from the profile and verify them on the data.

use crate::check::{Encoded, run_check, spawn_reader, utc_timestamp_now};
use crate::error::DataQualityError;
use crate::runtime::{
    LearnOptions, LearnResult, Limits, ProfileOptions, ProfileResult, ReportFormat, RunInfo, Runtime, Session,
};
use crate::source::ReadOptions;
use crate::{CheckConfig, Preset};
use std::time::{Duration, Instant};

/// Settings of a profile run (the seed's `ProfileScriptConfig` and the engine's limits).
#[derive(Debug, Clone)]
pub struct ProfileConfig {
    pub options: ProfileOptions,
    pub engine_name: String,
    pub timeout: Duration,
    pub memory_limit_bytes: u64,
    pub batch_size: usize,
}

impl Default for ProfileConfig {
    /// The engine's defaults (the seed's): statistics on, histograms off, every row, the top
    /// 10 values.
    fn default() -> Self {
        let defaults = truthound_guest::model::ProfileOptions::default();
        ProfileConfig {
            options: ProfileOptions {
                include_stats: defaults.include_stats,
                include_histograms: defaults.include_histograms,
                sample_size: defaults.sample_size,
                top_n: defaults.top_n,
                distinct_limit: defaults.distinct_limit,
                infer_patterns: defaults.infer_patterns,
            },
            engine_name: "truthound".into(),
            timeout: Duration::from_secs(300),
            memory_limit_bytes: Limits::default().memory_bytes,
            batch_size: 0,
        }
    }
}

/// A finished profile, with the session that can render it.
pub struct ProfileReport {
    pub result: ProfileResult,
    pub info: RunInfo,
    session: Session,
}

impl ProfileReport {
    /// Renders the profile (the seed's envelope as JSON or YAML, or the Markdown or HTML report).
    pub fn render(&mut self, format: ReportFormat) -> Result<String, DataQualityError> {
        self.session.render_profile(&self.result, &self.info, format)
    }
}

/// Profiles the data at `uri`.
pub fn run_profile(runtime: &Runtime, uri: &str, config: &ProfileConfig) -> Result<ProfileReport, DataQualityError> {
    let started = Instant::now();
    let mut session = runtime.session(Limits {
        memory_bytes: config.memory_limit_bytes,
        timeout: config.timeout,
        ..Limits::default()
    })?;
    let result = profile_with(&mut session, uri, config.options, config.batch_size)?;
    let info = run_info(started, &config.engine_name, uri);
    Ok(ProfileReport { result, info, session })
}

/// Streams the data into a new profiler of `session` until it has all the rows it wants.
fn profile_with(
    session: &mut Session,
    uri: &str,
    options: ProfileOptions,
    batch_size: usize,
) -> Result<ProfileResult, DataQualityError> {
    let profiler = session.create_profiler(options)?;
    let read_options = ReadOptions { batch_size, dictionaries: true, ..ReadOptions::default() };
    let input = spawn_reader(uri.to_string(), read_options, vec![None]).remove(0);
    loop {
        let next = match input.recv_timeout(session.remaining()) {
            Ok(next) => next?,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                session.check_deadline()?;
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(DataQualityError::load_data(uri, format!("{uri}: the reader stopped unexpectedly")));
            }
        };
        match next {
            Encoded::Batch(ipc) => {
                session.profiler_feed(profiler, &ipc)?;
                // Dropping the receiver stops the reader: a sample needs no more rows.
                if !session.profiler_wants_rows(profiler)? {
                    break;
                }
            }
            // The profiler is fed every column, so the schema comes with the batches.
            Encoded::SourceSchema(_) => {}
            Encoded::End => break,
        }
    }
    session.profiler_finish(profiler)
}

fn run_info(started: Instant, engine_name: &str, uri: &str) -> RunInfo {
    RunInfo {
        execution_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        timestamp: utc_timestamp_now(),
        engine_name: engine_name.to_string(),
        source: uri.to_string(),
    }
}

/// Settings of a learn run (the seed's `LearnScriptConfig` and the engine's limits).
#[derive(Debug, Clone)]
pub struct LearnConfig {
    pub options: LearnOptions,
    /// Rows learned from: the first `sample_size` (0: all).
    pub sample_size: u64,
    /// Check the learned rules on the same data and drop any that fail.
    pub verify: bool,
    pub engine_name: String,
    pub timeout: Duration,
    pub memory_limit_bytes: u64,
    pub batch_size: usize,
}

impl Default for LearnConfig {
    /// The engine's defaults (the seed's: confidence 0.8, patterns, ranges and categories on,
    /// up to 50 categories; ranges widened by 10%), verified.
    fn default() -> Self {
        let defaults = truthound_guest::learn::LearnOptions::default();
        LearnConfig {
            options: LearnOptions {
                min_confidence: defaults.min_confidence,
                include_patterns: defaults.include_patterns,
                include_ranges: defaults.include_ranges,
                include_categories: defaults.include_categories,
                categorical_threshold: defaults.categorical_threshold,
                range_margin: defaults.range_margin,
            },
            sample_size: 0,
            verify: true,
            engine_name: "truthound".into(),
            timeout: Duration::from_secs(300),
            memory_limit_bytes: Limits::default().memory_bytes,
            batch_size: 0,
        }
    }
}

/// Learned rules, with the session that can render them.
pub struct LearnReport {
    pub result: LearnResult,
    /// Rows learned from.
    pub row_count: u64,
    /// Rules dropped because they failed on the data they were learned from (names).
    pub dropped: Vec<String>,
    pub info: RunInfo,
    session: Session,
}

impl LearnReport {
    /// Renders the learned rules (the seed's envelope as JSON or YAML, or the Markdown or HTML report).
    pub fn render(&mut self, format: ReportFormat) -> Result<String, DataQualityError> {
        self.session.render_learn(&self.result, self.row_count, &self.info, format)
    }
}

/// Learns rules from the data at `uri`: one profiling pass, inference in the engine, and with
/// `verify` a check of the learned rules on the same data (a learned rule that fails there is
/// dropped and named in `dropped`).
pub fn run_learn(runtime: &Runtime, uri: &str, config: &LearnConfig) -> Result<LearnReport, DataQualityError> {
    let started = Instant::now();
    let limits = Limits { memory_bytes: config.memory_limit_bytes, timeout: config.timeout, ..Limits::default() };
    let mut session = runtime.session(limits)?;
    let profile_options = session.profile_options_for(config.options, config.sample_size)?;
    let profile = profile_with(&mut session, uri, profile_options, config.batch_size)?;
    let mut result = session.learn(&profile, config.options)?;
    let mut dropped = Vec::new();
    if config.verify && !result.rules.is_empty() && !profile.sampled {
        let check_config = CheckConfig {
            timeout: config.timeout.saturating_sub(started.elapsed()),
            memory_limit_bytes: config.memory_limit_bytes,
            batch_size: config.batch_size,
            sample_failures: 0,
            ..Preset::Default.config()
        };
        let check = run_check(runtime, uri, &result.rule_document, &check_config)?;
        let failed: Vec<usize> = check
            .result
            .rule_results
            .iter()
            .filter(|r| !matches!(r.status, crate::runtime::Status::Passed))
            .map(|r| r.index as usize)
            .collect();
        if !failed.is_empty() {
            dropped = failed.iter().map(|&i| check.result.rule_results[i].name.clone()).collect();
            let kept: Vec<_> =
                result.rules.iter().enumerate().filter(|(i, _)| !failed.contains(i)).map(|(_, r)| r.clone()).collect();
            result.rule_document = session.rule_document(&kept, profile.row_count)?;
            result.rules = kept;
        }
    }
    let info = run_info(started, &config.engine_name, uri);
    Ok(LearnReport { result, row_count: profile.row_count, dropped, info, session })
}
