//! Bad input gets a clear message naming the culprit, the right exit code, the error output on
//! stdout, no panic text and no output file.

mod support;

use support::run_in;

const RULE: &str = r#"{"type": "not_null", "column": "id"}"#;

/// Runs `check` with `--output` and asserts the exit code, a message containing `expected`, and
/// that no report (or temporary file) was left behind.
fn expect_failure(dir: &std::path::Path, args: &[&str], code: i32, expected: &str) {
    let report = dir.join("report.json");
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend(["--output", report.to_str().unwrap()]);
    let run = run_in(dir, &all);
    run.expect_code(code);
    assert!(run.stderr.contains(expected), "{args:?}: expected {expected:?} in stderr: {}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "only the error output on error: {}", run.stdout);
    let outputs = run.outputs();
    assert_eq!(outputs["status"], "error");
    assert!(outputs["error"]["message"].as_str().unwrap().contains(expected), "{args:?}: {outputs}");
    let entries: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    assert!(!entries.iter().any(|n| n.contains("report.json")), "{args:?} left {entries:?}");
}

#[test]
fn unreadable_data_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    expect_failure(d, &["missing.csv", "--rule", RULE], 3, "missing.csv: no such file");
    std::fs::write(d.join("empty.csv"), "").unwrap();
    expect_failure(d, &["empty.csv", "--rule", RULE], 3, "empty.csv: the file is empty");
    support::data::Table::generate(5000, 1).write_parquet(&d.join("good.parquet"));
    let bytes = std::fs::read(d.join("good.parquet")).unwrap();
    std::fs::write(d.join("truncated.parquet"), &bytes[..bytes.len() / 2]).unwrap();
    expect_failure(d, &["truncated.parquet", "--rule", RULE], 3, "truncated.parquet");
    std::fs::write(d.join("fake.parquet"), "id\n1\n").unwrap();
    expect_failure(d, &["fake.parquet", "--rule", RULE], 3, "does not start like one");
    std::fs::write(d.join("broken.json"), "[{\"id\": 1}, {\"id\": ").unwrap();
    expect_failure(d, &["broken.json", "--rule", RULE], 3, "not a valid JSON array");
    std::fs::create_dir(d.join("folder")).unwrap();
    expect_failure(d, &["folder", "--rule", RULE], 3, "folder: no data files match");
}

#[test]
fn rule_problems_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("data.csv"), "id,amount\n1,5\n2,7\n").unwrap();
    expect_failure(
        d,
        &["data.csv", "--rule", r#"{"type": "not_null", "column": "amout"}"#],
        2,
        "unknown column 'amout' (did you mean 'amount'?)",
    );
    expect_failure(
        d,
        &["data.csv", "--rule", r#"{"type": "is_positive", "column": "amount"}"#],
        2,
        "unknown rule type 'is_positive'",
    );
    std::fs::write(d.join("bad.yaml"), "rules:\n  - {type: not_null, column: id\n").unwrap();
    expect_failure(d, &["data.csv", "--rules", "bad.yaml"], 2, "not valid YAML or JSON");
    std::fs::write(d.join("typo.yaml"), "rules:\n  - {type: in_range, column: amount, minimum: 0}\n").unwrap();
    expect_failure(
        d,
        &["data.csv", "--rules", "typo.yaml"],
        2,
        "rule 1 (in_range on 'amount'): unknown parameter 'minimum'",
    );
    expect_failure(d, &["data.csv", "--rules", "nowhere.yaml"], 2, "cannot read the rule document nowhere.yaml");
    expect_failure(
        d,
        &["data.csv", "--rule", r#"{"type": "regex", "column": "amount", "pattern": "x"}"#],
        2,
        "pattern rules need a string column",
    );
    expect_failure(d, &["data.csv", "--rule", RULE, "--timeout=0"], 2, "--timeout must be a positive number");
    let usage = support::run_in(d, &["check", "data.csv"]);
    assert_eq!(usage.code, 2, "clap usage errors exit 2");
}

#[test]
fn a_header_only_csv_is_zero_rows_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("header.csv"), "id,email\n").unwrap();
    let run =
        run_in(dir.path(), &["check", "header.csv", "--rule", RULE, "--rule", r#"{"type": "row_count", "min": 1}"#]);
    run.expect_code(1);
    let outputs = run.outputs();
    assert_eq!(outputs["result"]["total_rows"], 0);
    let results = outputs["result"]["rule_results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "passed", "not_null holds on no rows");
    assert_eq!(results[1]["status"], "failed", "row_count min 1 fails");
}

#[test]
fn a_byte_order_mark_does_not_rename_the_first_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bom.csv"), "\u{feff}id,name\n1,a\n,b\n").unwrap();
    let run = run_in(dir.path(), &["check", "bom.csv", "--rule", RULE, "--no-fail-on-error"]);
    run.expect_code(0);
    assert_eq!(run.outputs()["result"]["rule_results"][0]["unexpected_count"], 1);
}

#[test]
fn an_error_in_one_parallel_shard_is_reported_once_with_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rows: String = (0..200_000).map(|i| format!("{i},u{i}@x.io\n")).collect();
    std::fs::write(d.join("data.csv"), format!("id,email\n{rows}")).unwrap();
    // unique is heavy and gets a shard of its own; the misspelt column sits in the other one,
    // which fails on the first of many batches while the reader is still sending.
    let args = [
        "data.csv",
        "--parallel",
        "--batch-size",
        "1000",
        "--rule",
        r#"{"type": "unique", "column": "email"}"#,
        "--rule",
        r#"{"type": "not_null", "column": "idd"}"#,
    ];
    expect_failure(d, &args, 2, "rule 2 (not_null on 'idd'): unknown column 'idd' (did you mean 'id'?)");
    expect_failure(
        d,
        &["missing.csv", "--parallel", "--rule", RULE, "--rule", r#"{"type": "unique", "column": "id"}"#],
        3,
        "missing.csv: no such file",
    );
}
