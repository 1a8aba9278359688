//! Data parallelism for `parallel`: one engine instance per contiguous row range of the file, or
//! range of whole files of a data set (see `source::split_rows`), each reading its own range and
//! checking every rule, then the first range's checker merges the others' states in range order.
//! The engine merges a state "as if its rows came next", so counts, sample row numbers, order
//! rules and the status equal a single instance's.
//!
//! The merge is serial and costs what the states hold: little for counting rules, but `unique`,
//! the distinct-value and the quantile rules keep every (distinct) value, and exporting and
//! merging those costs about as much as checking the rows again (bench/README.md has the
//! numbers), so such rule documents are not split by rows (`suits_row_ranges`).

use crate::check::{CheckConfig, encode_ipc};
use crate::error::DataQualityError;
use crate::runtime::{CheckOptions, CheckResult, CheckerHandle, RuleFormat, Runtime, Session};
use crate::source::{ReadOptions, RowRange};
use std::sync::atomic::{AtomicBool, Ordering};

/// The plan of `rule_document` made natively, outside the sandbox (microseconds), to decide how
/// to read and split the data; `None` when the document does not plan (the check reports it).
fn native_plan(rule_document: &str, config: &CheckConfig) -> Option<truthound_guest::checker::Checker> {
    use truthound_guest::model;
    let rule_format = match config.rule_format {
        RuleFormat::Truthound => model::RuleFormat::Truthound,
        RuleFormat::GreatExpectations => model::RuleFormat::GreatExpectations,
        RuleFormat::Pandera => model::RuleFormat::Pandera,
    };
    let options = model::CheckOptions { sample_failures: config.sample_failures, rule_format, ..Default::default() };
    truthound_guest::checker::Checker::spilling(rule_document, options, None).ok()
}

/// Whether checking `rule_document` by row ranges pays: its checkers' states merge cheaply.
pub(crate) fn suits_row_ranges(rule_document: &str, config: &CheckConfig) -> bool {
    native_plan(rule_document, config).is_some_and(|checker| checker.merges_cheaply())
}

/// Columns `rule_document` reads only for their nulls, which a Parquet reader need not decode
/// when statistics prove them null-free (`ReadOptions::valid_columns`). None for a plugin
/// engine: its reads are its own.
pub(crate) fn null_only_columns(runtime: &Runtime, rule_document: &str, config: &CheckConfig) -> Vec<String> {
    match runtime.plugin_name() {
        Some(_) => Vec::new(),
        None => {
            native_plan(rule_document, config).map(|checker| checker.null_only_columns().to_vec()).unwrap_or_default()
        }
    }
}

/// One engine instance and the range it checks.
struct Worker<'a> {
    session: Session,
    checker: CheckerHandle,
    read_options: ReadOptions,
    range: &'a RowRange,
}

/// Checks every range on a thread of its own and merges the states into the first range's
/// checker in range order; returns that checker's session (it renders the report) and the
/// result. The first failing range's error (in range order) is the run's; the other workers
/// stop early.
pub(crate) fn check_row_ranges(
    runtime: &Runtime,
    ranges: &[RowRange],
    rule_document: &str,
    config: &CheckConfig,
) -> Result<(Session, CheckResult), DataQualityError> {
    let limits = config.limits();
    let options = CheckOptions {
        sample_failures: config.sample_failures,
        min_severity: config.min_severity,
        shard_count: 1,
        shard_index: 0,
        rule_format: config.rule_format,
    };
    let valid_columns = null_only_columns(runtime, rule_document, config);
    let workers = ranges
        .iter()
        .map(|range| {
            let mut session = runtime.session(limits)?;
            let checker = session.create_checker(rule_document, options)?;
            let columns = session.required_columns(checker)?;
            let read_options = ReadOptions {
                columns: Some(columns),
                batch_size: config.batch_size,
                format: None,
                valid_columns: valid_columns.clone(),
                hive_root: None,
                dictionaries: true,
            };
            Ok(Worker { session, checker, read_options, range })
        })
        .collect::<Result<Vec<_>, DataQualityError>>()?;
    let failed = AtomicBool::new(false);
    let outcomes: Vec<(Worker, Result<Checked, DataQualityError>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(index, mut worker)| {
                let failed = &failed;
                scope.spawn(move || {
                    let outcome = check_range(&mut worker, failed, index > 0);
                    if outcome.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    (worker, outcome)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("range workers do not panic")).collect()
    });
    let (mut workers, outcomes): (Vec<Worker>, Vec<_>) = outcomes.into_iter().unzip();
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, DataQualityError>>()?;
    let first = workers.swap_remove(0);
    let mut session = first.session;
    for outcome in outcomes {
        match outcome {
            Checked::Exported(state) => session.merge_state(first.checker, &state)?,
            Checked::Kept => {}
            Checked::Stopped => unreachable!("a worker stops only when another fails"),
        }
    }
    let result = session.finish(first.checker)?;
    Ok((session, result))
}

/// How a worker's range ended.
enum Checked {
    /// Another worker failed.
    Stopped,
    /// Every row was checked; the state stays in the worker's checker.
    Kept,
    /// Every row was checked; the checker's state, to merge.
    Exported(Vec<u8>),
}

/// Streams the worker's range into its checker, then exports its state if `export`.
fn check_range(worker: &mut Worker, failed: &AtomicBool, export: bool) -> Result<Checked, DataQualityError> {
    let data = worker.range.open(&worker.read_options)?;
    let session = &mut worker.session;
    session.declare_source_schema(worker.checker, &encode_ipc(&data.source_schema, None)?)?;
    let mut fed_any = false;
    for batch in data.batches {
        if failed.load(Ordering::Relaxed) {
            return Ok(Checked::Stopped);
        }
        session.check_deadline()?;
        session.feed(worker.checker, &encode_ipc(&data.schema, Some(&batch?))?)?;
        fed_any = true;
    }
    if !fed_any {
        // No rows: the schema alone, so the engine can still resolve the columns.
        session.feed(worker.checker, &encode_ipc(&data.schema, None)?)?;
    }
    if !export {
        return Ok(Checked::Kept);
    }
    session.export_state(worker.checker).map(Checked::Exported)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Preset;

    #[test]
    fn only_rules_with_small_states_are_split_by_rows() {
        let config = Preset::Default.config();
        let counting =
            "- {type: not_null, column: id}\n- {type: increasing, column: id}\n- {type: row_count, min: 1}\n";
        assert!(suits_row_ranges(counting, &config));
        for heavy in ["- {type: unique, column: id}\n", "- {type: median_between, column: amount, min: 0, max: 9}\n"] {
            assert!(!suits_row_ranges(&format!("{counting}{heavy}"), &config), "{heavy}");
        }
        assert!(!suits_row_ranges("- {type: no_such_rule}\n", &config), "a broken document is left to the check");
    }
}
