//! The engine runs sealed: it cannot read host files or see the environment, a deadline stops it
//! mid-computation, a memory limit holds, and the host stays healthy after a trap.

mod support;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use std::sync::Arc;
use std::time::{Duration, Instant};
use truthound_kestra::runtime::{CheckOptions, ReportSeverity, RuleFormat};
use truthound_kestra::{ErrorKind, Limits, Runtime};

fn options() -> CheckOptions {
    CheckOptions {
        sample_failures: 10,
        min_severity: ReportSeverity::Low,
        shard_count: 1,
        shard_index: 0,
        rule_format: RuleFormat::Truthound,
    }
}

/// An Arrow IPC stream of `rows` distinct strings: enough work to outlast a short deadline.
fn big_ipc(rows: usize) -> Vec<u8> {
    let values: Vec<String> = (0..rows).map(|i| format!("value-{i:09}-{}", i % 7919)).collect();
    let batch = RecordBatch::try_from_iter([("v", Arc::new(StringArray::from(values)) as ArrayRef)]).unwrap();
    let mut bytes = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema()).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    bytes
}

#[test]
fn the_engine_cannot_read_a_host_file_even_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "top secret").unwrap();
    let runtime = Runtime::new().unwrap();
    let mut session = runtime.session(Limits::default()).unwrap();
    let report = session.probe_sandbox(secret.to_str().unwrap()).unwrap();
    assert!(report.file_read.is_err(), "the guest read {:?}", report.file_read);
    // The host's environment stays outside; the engine sees only its spill settings.
    assert_eq!(report.environment_variables, ["TRUTHOUND_SPILL_DIR", "TRUTHOUND_SPILL_BUDGET"]);
    let without_spill =
        runtime.session(Limits { spill_budget_bytes: 0, ..Limits::default() }).unwrap().probe_sandbox("/").unwrap();
    assert!(without_spill.environment_variables.is_empty());
    // The same through the CLI, whose exit code says whether the sandbox held.
    let run = support::run(&["doctor", "--probe-file", secret.to_str().unwrap()]);
    run.expect_code(0);
    assert!(run.stdout.contains("the engine cannot read"), "{}", run.stdout);
    assert!(run.stdout.contains("0 of the host's"), "{}", run.stdout);
}

#[test]
fn a_deadline_interrupts_the_engine_mid_call_and_the_runtime_stays_usable() {
    // Checking 3M distinct strings takes well over a second; the deadline is 0.15 s.
    let ipc = big_ipc(3_000_000);
    let runtime = Runtime::new().unwrap();
    let mut session = runtime.session(Limits { timeout: Duration::from_millis(150), ..Limits::default() }).unwrap();
    let checker = session.create_checker("- {type: unique, column: v}", options()).unwrap();
    let started = Instant::now();
    let error = session.feed(checker, &ipc).unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Engine { .. }), "{error}");
    assert!(error.message.contains("exceeded its timeout of 0.15 s"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "the interrupt came late: {:?}", started.elapsed());
    assert_eq!(error.exit_code(), 4);

    let mut fresh = runtime.session(Limits::default()).unwrap();
    let checker = fresh.create_checker("- {type: unique, column: v}", options()).unwrap();
    fresh.feed(checker, &big_ipc(1000)).unwrap();
    assert_eq!(fresh.finish(checker).unwrap().passed_count, 1);
}

#[test]
fn the_memory_limit_stops_the_engine_with_a_clear_error() {
    let runtime = Runtime::new().unwrap();
    let mut session = runtime.session(Limits { memory_bytes: 16 << 20, ..Limits::default() }).unwrap();
    let checker = session.create_checker("- {type: unique, column: v}", options()).unwrap();
    let error = session.feed(checker, &big_ipc(1_000_000)).unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Engine { .. }), "{error}");
    assert!(error.message.contains("memory limit of 16 MiB"), "{error}");
}

#[test]
fn the_cli_reports_a_timeout_with_exit_code_4() {
    let dir = tempfile::tempdir().unwrap();
    support::data::Table::generate(400_000, 9).write_parquet(&dir.path().join("big.parquet"));
    let run = support::run_in(
        dir.path(),
        &[
            "check",
            "big.parquet",
            "--rule",
            r#"{"type": "unique", "column": "email"}"#,
            "--timeout",
            "0.02",
            "--output",
            "r.json",
        ],
    );
    run.expect_code(4);
    assert!(run.stderr.contains("exceeded its timeout of 0.02 s"), "{}", run.stderr);
    assert!(!dir.path().join("r.json").exists());
}
