//! Fan-out across workers: each worker checks one partition into a partial state
//! (`check --emit-state`), and one task merges the states, in partition order, into the result a
//! single run over all the data gives (`merge`).
//!
//! A partial check always runs one engine instance over every rule, whatever `parallel` says: a
//! state must hold every rule's metrics to merge, and the shards of `parallel` depend on the
//! worker's cores, which differ between workers. Parallelism in a fan-out comes from the
//! partitions.

use crate::check::{CheckConfig, CheckReport, check_shards, run_info};
use crate::error::DataQualityError;
use crate::partial_state::{PartialState, StateIdentity};
use crate::runtime::{CheckOptions, CheckResult, Runtime};
use std::path::PathBuf;
use std::time::Instant;

/// A partition checked into a partial state.
pub struct PartialCheck {
    /// The state to write.
    pub state: PartialState,
    /// The partition's own result (for its logs only: the merge decides pass or fail).
    pub result: CheckResult,
    /// How long the partial check took, in milliseconds.
    pub execution_time_ms: f64,
}

/// Checks the partition at `uri` and keeps its partial state instead of deciding.
pub fn run_partial_check(
    runtime: &Runtime,
    uri: &str,
    rule_document: &str,
    config: &CheckConfig,
) -> Result<PartialCheck, DataQualityError> {
    let started = Instant::now();
    let config = CheckConfig { parallel: false, ..config.clone() };
    let (mut shards, mut results) = check_shards(runtime, uri, rule_document, &config, false)?;
    let (shard, result) = (&mut shards[0], results.remove(0));
    let engine_state = shard.session.export_state(shard.checker)?;
    let state = PartialState {
        identity: StateIdentity::new(rule_document, config.rule_format, config.sample_failures),
        source: uri.to_string(),
        rows: result.row_count,
        engine_state,
    };
    Ok(PartialCheck { state, result, execution_time_ms: started.elapsed().as_secs_f64() * 1000.0 })
}

/// Merges the states in order (the rows of each count as coming after those of the states
/// before it, so the order defines row numbers) and finishes the check. Every state must have
/// the identity of the first; `config` decides how the result is judged (severity, limits).
///
/// A partition without rows adds nothing to the data, and its column types may be unknown (a
/// header-only CSV reads as untyped columns), so it is left out unless every partition is empty.
pub fn merge_states(
    runtime: &Runtime,
    states: &[(PathBuf, PartialState)],
    config: &CheckConfig,
) -> Result<CheckReport, DataQualityError> {
    let started = Instant::now();
    let Some((first_file, first)) = states.first() else {
        return Err(DataQualityError::configuration("states", "merge needs at least one partial state"));
    };
    for (file, state) in &states[1..] {
        if let Some(difference) = state.identity.difference(&first.identity) {
            return Err(DataQualityError::configuration(
                "states",
                format!(
                    "{}: cannot merge with {}: {difference}; merge only states of one check",
                    file.display(),
                    first_file.display()
                ),
            ));
        }
    }
    let rule_format = first.identity.format().map_err(|e| {
        DataQualityError::load_data(&first_file.display().to_string(), format!("{}: {e}", first_file.display()))
    })?;
    let mut session = runtime.session(config.limits())?;
    let options = CheckOptions {
        sample_failures: first.identity.sample_failures,
        min_severity: config.min_severity,
        shard_count: 1,
        shard_index: 0,
        rule_format,
    };
    let checker = session.create_checker(&first.identity.rule_document, options)?;
    let all_empty = states.iter().all(|(_, state)| state.rows == 0);
    for (file, state) in states.iter().filter(|(_, state)| all_empty || state.rows > 0) {
        session.merge_state(checker, &state.engine_state).map_err(|mut error| {
            error.message = format!("{}: cannot merge this partial state: {}", file.display(), error.message);
            error
        })?;
    }
    let result = session.finish(checker)?;
    let sources: Vec<&str> = states.iter().map(|(_, state)| state.source.as_str()).collect();
    let info = run_info(started, config, sources.join(", "));
    Ok(CheckReport::new(result, info, session))
}
