//! Every count the CLI reports equals a direct computation on the same data, whatever the file
//! format and however the data is split into batches.

mod support;

use serde_json::Value;
use std::path::Path;
use support::data::{Table, duplicated_rows, failing_rows, null_rows};
use support::{rule_results, run_in};

const ROWS: usize = 30_000;
const SAMPLES: usize = 25;

const RULES: &str = r#"
name: exactness
rules:
  - {type: not_null, column: email}
  - {type: unique, column: email}
  - {type: unique, column: id}
  - {type: in_range, column: amount, min: 0, max: 1000}
  - {type: in_range, column: amount, min: 0, max: 1000, strict_max: true}
  - {type: in_set, column: status, values: [pending, shipped, delivered]}
  - {type: not_in_set, column: status, values: [cancelled]}
  - {type: regex, column: email, pattern: '^[a-z0-9]+@example\.com$'}
  - {type: not_regex, column: email, pattern: 'at example'}
  - {type: min_length, column: email, value: 18}
  - {type: max_length, column: status, value: 7}
  - {type: greater_than, column: id, value: 10}
  - {type: completeness_ratio, column: email, min_ratio: 0.9}
  - {type: row_count, min: 1}
"#;

/// What a rule must report: the unexpected rows, the rows it evaluated and the column's nulls.
struct Expected {
    unexpected: Vec<u64>,
    evaluated: usize,
    nulls: usize,
}

fn value_rule<T>(values: &[Option<T>], unexpected: Vec<u64>) -> Expected {
    let nulls = null_rows(values).len();
    Expected { unexpected, evaluated: values.len() - nulls, nulls }
}

/// The regex `^[a-z0-9]+@example\.com$`, spelled out by hand.
fn plain_example_address(s: &str) -> bool {
    s.strip_suffix("@example.com")
        .is_some_and(|local| !local.is_empty() && local.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn expectations(t: &Table) -> Vec<Expected> {
    let ids: Vec<Option<i64>> = t.id.iter().copied().map(Some).collect();
    let known = |s: &String| ["pending", "shipped", "delivered"].contains(&s.as_str());
    let email_nulls = null_rows(&t.email);
    vec![
        Expected { unexpected: email_nulls.clone(), evaluated: t.len(), nulls: email_nulls.len() },
        value_rule(&t.email, duplicated_rows(&t.email)),
        value_rule(&ids, duplicated_rows(&ids)),
        value_rule(&t.amount, failing_rows(&t.amount, |a| (0.0..=1000.0).contains(a))),
        value_rule(&t.amount, failing_rows(&t.amount, |a| *a >= 0.0 && *a < 1000.0)),
        value_rule(&t.status, failing_rows(&t.status, known)),
        value_rule(&t.status, failing_rows(&t.status, |s| s != "cancelled")),
        value_rule(&t.email, failing_rows(&t.email, |s| plain_example_address(s))),
        value_rule(&t.email, failing_rows(&t.email, |s| !s.contains("at example"))),
        value_rule(&t.email, failing_rows(&t.email, |s| s.chars().count() >= 18)),
        value_rule(&t.status, failing_rows(&t.status, |s| s.chars().count() <= 7)),
        value_rule(&ids, failing_rows(&ids, |i| *i > 10)),
        Expected { unexpected: email_nulls.clone(), evaluated: t.len(), nulls: email_nulls.len() },
        Expected { unexpected: vec![], evaluated: 0, nulls: 0 },
    ]
}

fn assert_matches(results: &[Value], expected: &[Expected], what: &str) {
    assert_eq!(results.len(), expected.len(), "{what}");
    for (result, expected) in results.iter().zip(expected) {
        let name = format!("{what}: rule {} {}", result["index"], result["name"]);
        assert_eq!(result["unexpected_count"], expected.unexpected.len() as u64, "{name}");
        assert_eq!(result["evaluated_count"], expected.evaluated as u64, "{name}");
        assert_eq!(result["null_count"], expected.nulls as u64, "{name}");
        assert_eq!(result["element_count"], ROWS as u64, "{name}");
        let rows: Vec<u64> = result["samples"].as_array().unwrap().iter().map(|s| s["row"].as_u64().unwrap()).collect();
        let first: Vec<u64> = expected.unexpected.iter().copied().take(SAMPLES).collect();
        assert_eq!(rows, first, "{name}: sample rows");
    }
}

fn check_file(dir: &Path, file: &str, batch_size: usize, parallel: bool) -> Vec<Value> {
    let report = dir.join(format!("{file}.{batch_size}.{parallel}.report.json"));
    let (samples, batch_size) = (SAMPLES.to_string(), batch_size.to_string());
    let mut args = vec![
        "check",
        file,
        "--rules",
        "rules.yaml",
        "--sample-failures",
        &samples,
        "--batch-size",
        &batch_size,
        "--output",
        report.to_str().unwrap(),
    ];
    if parallel {
        args.push("--parallel");
    }
    let run = run_in(dir, &args);
    run.expect_code(1);
    assert_eq!(run.outputs()["summary"]["total_rows"], ROWS as u64);
    rule_results(&report)
}

#[test]
fn counts_equal_direct_computation_in_every_format_and_batch_size() {
    let dir = tempfile::tempdir().unwrap();
    let table = Table::generate(ROWS, 42);
    let expected = expectations(&table);
    assert!(expected.iter().take(12).all(|e| !e.unexpected.is_empty()), "the data has defects for every rule");
    std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();
    table.write_parquet(&dir.path().join("data.parquet"));
    table.write_csv(&dir.path().join("data.csv"), b',');
    table.write_csv(&dir.path().join("data.tsv"), b'\t');
    table.write_ndjson(&dir.path().join("data.ndjson"));
    table.write_json_array(&dir.path().join("data.json"));
    table.write_arrow_file(&dir.path().join("data.arrow"));
    table.write_arrow_stream(&dir.path().join("data.arrows"));

    let reference = check_file(dir.path(), "data.parquet", 65_536, false);
    assert_matches(&reference, &expected, "parquet");
    for (file, batch_size, parallel) in [
        ("data.parquet", 7, false),
        ("data.parquet", 1000, false),
        ("data.parquet", 4096, true),
        ("data.csv", 333, false),
        ("data.csv", 5000, true),
        ("data.tsv", 65_536, false),
        ("data.ndjson", 4096, false),
        ("data.json", 10_000, false),
        ("data.arrow", 65_536, false),
        ("data.arrows", 2500, true),
    ] {
        let results = check_file(dir.path(), file, batch_size, parallel);
        assert_eq!(
            results, reference,
            "{file} in batches of {batch_size} (parallel: {parallel}) differs from the Parquet run"
        );
    }
}

#[test]
fn row_counts_need_no_column_data_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let table = Table::generate(12_345, 7);
    let d = dir.path();
    table.write_parquet(&d.join("t.parquet"));
    table.write_csv(&d.join("t.csv"), b',');
    table.write_ndjson(&d.join("t.ndjson"));
    table.write_json_array(&d.join("t.json"));
    table.write_arrow_file(&d.join("t.arrow"));
    table.write_arrow_stream(&d.join("t.arrows"));
    for file in ["t.parquet", "t.csv", "t.ndjson", "t.json", "t.arrow", "t.arrows"] {
        let run = run_in(d, &["check", file, "--rule", r#"{"type": "row_count", "min": 12345, "max": 12345}"#]);
        run.expect_code(0);
        assert_eq!(run.outputs()["result"]["total_rows"], 12_345, "{file}");
    }
}
