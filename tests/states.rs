//! Partial states exported from the component merge into the result of a single run.

mod support;

use arrow_array::RecordBatch;
use support::data::Table;
use truthound_kestra::runtime::{CheckOptions, CheckResult, ReportSeverity, RuleFormat};
use truthound_kestra::{Limits, Runtime, Session};

const RULES: &str = r#"
- {type: not_null, column: email}
- {type: unique, column: email}
- {type: unique, column: id}
- {type: in_range, column: amount, min: 0, max: 1000}
- {type: regex, column: email, pattern: '^[a-z0-9]+@example\.com$'}
- {type: row_count, min: 1}
"#;

fn options() -> CheckOptions {
    CheckOptions {
        sample_failures: 50,
        min_severity: ReportSeverity::Low,
        shard_count: 1,
        shard_index: 0,
        rule_format: RuleFormat::Truthound,
    }
}

fn ipc(batch: &RecordBatch) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    bytes
}

fn check_parts(session: &mut Session, parts: &[RecordBatch]) -> CheckResult {
    let checker = session.create_checker(RULES, options()).unwrap();
    for part in parts {
        session.feed(checker, &ipc(part)).unwrap();
    }
    session.finish(checker).unwrap()
}

#[test]
fn merged_states_of_separate_instances_equal_one_run() {
    let batch = Table::generate(20_000, 5).to_batch();
    let runtime = Runtime::new().unwrap();
    let single = check_parts(&mut runtime.session(Limits::default()).unwrap(), std::slice::from_ref(&batch));
    assert!(single.rule_results.iter().take(5).all(|r| r.unexpected_count > 0));

    // Three "workers", each its own sandboxed instance, then a merging instance.
    let cuts = [0, 4_999, 5_000, 20_000];
    let states: Vec<Vec<u8>> = cuts
        .windows(2)
        .map(|w| {
            let mut worker = runtime.session(Limits::default()).unwrap();
            let checker = worker.create_checker(RULES, options()).unwrap();
            worker.feed(checker, &ipc(&batch.slice(w[0], w[1] - w[0]))).unwrap();
            worker.export_state(checker).unwrap()
        })
        .collect();
    let mut merger = runtime.session(Limits::default()).unwrap();
    let checker = merger.create_checker(RULES, options()).unwrap();
    for state in &states {
        merger.merge_state(checker, state).unwrap();
    }
    assert_eq!(merger.finish(checker).unwrap(), single);
}
