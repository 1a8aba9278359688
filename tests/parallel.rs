//! `check --parallel` gives exactly the result of `--no-parallel`: Parquet files with many row
//! groups and multi-batch Arrow IPC files are checked by one instance per row range whose states
//! merge in order, unless the rules keep every distinct value (`unique`); CSV is read once. Then
//! the rules are spread over the instances. The data breaks every kind of rule, with duplicates
//! and order breaks placed across every possible range boundary.

mod support;

use serde_json::Value;
use std::path::Path;
use support::data::Table;
use support::{comparable, run_in};
use truthound_kestra::source::{ReadOptions, split_rows};

const ROWS: usize = 30_000;

/// The Parquet writer's row group size and the Arrow writer's batch size in `support::data`:
/// ranges can only start at multiples of these.
const UNIT_ROWS: [usize; 2] = [3000, 5000];

/// Rules whose states merge cheaply (checked by row ranges), every one broken by the data.
const RANGE_RULES: &str = r#"
name: parallel
rules:
  - {type: not_null, column: email}
  - {type: in_range, column: amount, min: 0, max: 1000}
  - {type: in_set, column: status, values: [pending, shipped, delivered]}
  - {type: regex, column: email, pattern: '^[a-z0-9]+@example\.com$'}
  - {type: increasing, column: id}
  - {type: increasing, column: id, strictly: true}
  - {type: completeness_ratio, column: amount, min_ratio: 0.99}
  - {type: row_count, min: 1}
"#;

/// Rules whose states keep every distinct value (checked with the rules spread over instances).
const UNIQUE_RULES: &str = "  - {type: unique, column: email}\n  - {type: unique, column: id}\n";

/// The generated table, with a duplicate email and an order break straddling every row where a
/// range may start, and one duplicate between the first and last rows.
fn table() -> Table {
    let mut table = Table::generate(ROWS, 29);
    for boundary in UNIT_ROWS.iter().flat_map(|&unit| (unit..ROWS).step_by(unit)) {
        table.email[boundary] = table.email[boundary - 1].clone().or(Some(format!("edge{boundary}@example.com")));
        table.email[boundary - 1] = table.email[boundary].clone();
        table.id[boundary] = table.id[boundary - 1] - 1;
    }
    table.email[ROWS - 1] = Some("first@example.com".into());
    table.email[0] = Some("first@example.com".into());
    table
}

/// Checks `file` against `rules` with `mode` (`--parallel` or `--no-parallel`); the report,
/// the outputs and the exit code.
fn check(dir: &Path, file: &str, rules: &str, mode: &str) -> (Value, Value, i32) {
    let report = format!("{file}.{rules}{mode}.json");
    let args = ["check", file, "--rules", rules, mode, "--sample-failures", "1000", "--format", "json", "-o", &report];
    let run = run_in(dir, &args);
    run.expect_code(1);
    let text = std::fs::read_to_string(dir.join(&report)).unwrap();
    (comparable(serde_json::from_str(&text).unwrap()), comparable(run.outputs()), run.code)
}

#[test]
fn parallel_checks_equal_single_instance_checks_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let table = table();
    table.write_parquet(&dir.path().join("data.parquet"));
    table.write_arrow_file(&dir.path().join("data.arrow"));
    table.write_csv(&dir.path().join("data.csv"), b',');
    std::fs::write(dir.path().join("ranges.yaml"), RANGE_RULES).unwrap();
    std::fs::write(dir.path().join("all.yaml"), format!("{RANGE_RULES}{UNIQUE_RULES}")).unwrap();

    for file in ["data.parquet", "data.arrow", "data.csv"] {
        for (rules, count) in [("ranges.yaml", 8), ("all.yaml", 10)] {
            let single = check(dir.path(), file, rules, "--no-parallel");
            let parallel = check(dir.path(), file, rules, "--parallel");
            assert_eq!(parallel, single, "{file} {rules}");
            let results = single.0["result"]["rule_results"].as_array().unwrap().clone();
            assert_eq!(results.len(), count, "{file} {rules}");
            // Every rule but row_count fails, so every kind of state is merged.
            for rule in results.iter().filter(|rule| rule["rule_type"] != "row_count") {
                let failed = rule["status"] == "failed" && rule["unexpected_count"].as_u64() > Some(0);
                assert!(failed, "{file} {rules}: {rule}");
            }
            // The order breaks placed where ranges start are found, with their rows in the file.
            let break_rows: Vec<u64> =
                results[4]["samples"].as_array().unwrap().iter().filter_map(|s| s["row"].as_u64()).collect();
            assert!([3000, 5000, 15000].iter().all(|row| break_rows.contains(row)), "{file}: {break_rows:?}");
        }
    }
}

#[test]
fn indexed_files_split_into_contiguous_ranges_text_files_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let table = table();
    let path = |name: &str| dir.path().join(name).display().to_string();
    table.write_parquet(dir.path().join("data.parquet").as_path());
    table.write_arrow_file(dir.path().join("data.arrow").as_path());
    table.write_csv(dir.path().join("data.csv").as_path(), b',');
    let options = ReadOptions::default();
    for (file, parts) in [("data.parquet", 4), ("data.arrow", 4), ("data.parquet", 20)] {
        let ranges = split_rows(&path(file), &options, parts).unwrap().expect("splits");
        let rows: usize = ranges
            .iter()
            .map(|range| range.open(&options).unwrap().batches.map(|b| b.unwrap().num_rows()).sum::<usize>())
            .sum();
        assert_eq!(rows, ROWS, "{file}: the ranges cover every row once");
        assert_eq!(ranges.len(), parts.min(ROWS / if file.ends_with("parquet") { 3000 } else { 5000 }), "{file}");
    }
    assert_eq!(split_rows(&path("data.csv"), &options, 4).unwrap(), None);
    assert_eq!(split_rows(&path("data.parquet"), &options, 1).unwrap(), None);
    assert!(split_rows(&path("missing.parquet"), &options, 4).unwrap_err().message.contains("no such file"));
}
