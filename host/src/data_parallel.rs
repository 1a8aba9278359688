//! Data parallelism for `parallel`: one engine instance per contiguous row range of the file
//! (see `source::split_rows`), each reading its own range and checking every rule, then one
//! checker merges their states in range order. The engine merges a state "as if its rows came
//! next", so counts, sample row numbers, order rules and the status equal a single instance's.

use crate::check::{CheckConfig, encode_ipc};
use crate::error::DataQualityError;
use crate::runtime::{CheckOptions, CheckResult, CheckerHandle, Limits, Runtime, Session};
use crate::source::{ReadOptions, RowRange};
use std::sync::atomic::{AtomicBool, Ordering};

/// One engine instance and the range it checks.
struct Worker<'a> {
    session: Session,
    checker: CheckerHandle,
    read_options: ReadOptions,
    range: &'a RowRange,
}

/// Checks every range on a thread of its own and merges the states in range order; returns the
/// session that holds the merged checker (it renders the report) and the result. The first
/// failing range's error (in range order) is the run's; the other workers stop early.
pub(crate) fn check_row_ranges(
    runtime: &Runtime,
    ranges: &[RowRange],
    rule_document: &str,
    config: &CheckConfig,
) -> Result<(Session, CheckResult), DataQualityError> {
    let limits = Limits { memory_bytes: config.memory_limit_bytes, timeout: config.timeout };
    let options = CheckOptions {
        sample_failures: config.sample_failures,
        min_severity: config.min_severity,
        shard_count: 1,
        shard_index: 0,
        rule_format: config.rule_format,
    };
    let workers = ranges
        .iter()
        .map(|range| {
            let mut session = runtime.session(limits)?;
            let checker = session.create_checker(rule_document, options)?;
            let columns = session.required_columns(checker)?;
            let read_options = ReadOptions { columns: Some(columns), batch_size: config.batch_size, format: None };
            Ok(Worker { session, checker, read_options, range })
        })
        .collect::<Result<Vec<_>, DataQualityError>>()?;
    let failed = AtomicBool::new(false);
    let outcomes: Vec<(Session, Result<Option<Vec<u8>>, DataQualityError>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = workers
            .into_iter()
            .map(|mut worker| {
                let failed = &failed;
                scope.spawn(move || {
                    let outcome = check_range(&mut worker, failed);
                    if outcome.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    (worker.session, outcome)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("range workers do not panic")).collect()
    });
    let (mut sessions, outcomes): (Vec<Session>, Vec<_>) = outcomes.into_iter().unzip();
    let states = outcomes.into_iter().collect::<Result<Vec<_>, DataQualityError>>()?;
    let states: Vec<Vec<u8>> = states.into_iter().map(|s| s.expect("no worker stops unless one failed")).collect();
    let mut session = sessions.swap_remove(0);
    let merged = session.create_checker(rule_document, options)?;
    for state in &states {
        session.merge_state(merged, state)?;
    }
    let result = session.finish(merged)?;
    Ok((session, result))
}

/// Streams the worker's range into its checker and exports the state; `None` when it stopped
/// because another worker failed.
fn check_range(worker: &mut Worker, failed: &AtomicBool) -> Result<Option<Vec<u8>>, DataQualityError> {
    let data = worker.range.open(&worker.read_options)?;
    let session = &mut worker.session;
    session.declare_source_schema(worker.checker, &encode_ipc(&data.source_schema, None)?)?;
    let mut fed_any = false;
    for batch in data.batches {
        if failed.load(Ordering::Relaxed) {
            return Ok(None);
        }
        session.check_deadline()?;
        session.feed(worker.checker, &encode_ipc(&data.schema, Some(&batch?))?)?;
        fed_any = true;
    }
    if !fed_any {
        // No rows: the schema alone, so the engine can still resolve the columns.
        session.feed(worker.checker, &encode_ipc(&data.schema, None)?)?;
    }
    session.export_state(worker.checker).map(Some)
}
