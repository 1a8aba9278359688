//! Bounded memory for `unique` and the distinct-value rules: with a small `--memory-budget` the
//! engine spills values to a private directory under TMPDIR and still reports exactly what it
//! reports in memory; the directory is gone after the run, and a TMPDIR that cannot hold it is a
//! clear error.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::data::{Table, duplicated_rows};
use support::{Run, binary, comparable, rule_results, run_in};

/// Enough distinct emails (about 20 MB of table) to pass a 1 MiB budget several times over.
const ROWS: usize = 400_000;
const SAMPLES: usize = 40;

const RULES: &str = r#"
rules:
  - {type: unique, column: email}
  - {type: unique, column: id}
  - {type: unique, columns: [email, status]}
  - {type: not_null, column: email}
  - {type: median_between, column: amount, min: 0, max: 100}
"#;

/// Rules that summarise the distinct values: the most common values, and the values outside
/// or missing from a list.
const LISTING_RULES: &str = r#"
rules:
  - {type: most_common_value_in_set, column: email, values: [shared3@example.com]}
  - {type: distinct_values_in_set, column: email, values: [shared0@example.com, shared1@example.com]}
  - {type: distinct_values_equal_set, column: amount, values: [1, 2.5, "-3"]}
  - {type: distinct_values_contain_set, column: status, values: [pending, shipped, unknown]}
  - {type: most_common_value_in_set, column: amount, values: [0], ties_okay: true}
  - {type: unique, column: email}
"#;

/// Rules that read values at sorted positions.
const QUANTILE_RULES: &str = r#"
rules:
  - {type: median_between, column: amount, min: 0, max: 100}
  - {type: quantile_between, column: amount, quantiles: [0, 0.1, 0.999, 1], ranges: [[null, 0], [0, 50], [0, 900], [0, 2000]]}
  - {type: quantile_between, column: id, quantiles: [0.25, 0.5], ranges: [[0, 10], [0, 100]], interpolation: nearest}
  - {type: median_between, column: id, min: 0}
"#;

/// Runs `check` on `data.parquet` in `dir` with `extra` arguments and TMPDIR set to `tmp`.
fn check(dir: &Path, tmp: &Path, extra: &[&str]) -> Run {
    check_rules(dir, tmp, "rules.yaml", extra)
}

/// `check` with the rules of `rules` in `dir`.
fn check_rules(dir: &Path, tmp: &Path, rules: &str, extra: &[&str]) -> Run {
    let samples = SAMPLES.to_string();
    let output = Command::new(binary())
        .args(["check", "data.parquet", "--rules", rules, "--sample-failures", &samples])
        .args(extra)
        .current_dir(dir)
        .env("TMPDIR", tmp)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `check` (which fails) without spilling, then with a 1 MiB budget on one instance
/// (`spilled.json`) and with `--parallel` (`parallel.json`); both equal the in-memory run
/// (`memory.json`), which is returned.
fn spilled_equals_in_memory(dir: &Path, check: impl Fn(&[&str]) -> Run) -> Run {
    let in_memory = check(&["--memory-budget", "0", "--output", "memory.json"]);
    in_memory.expect_code(1);
    for (name, extra) in [("spilled", &[][..]), ("parallel", &["--parallel"][..])] {
        let output = format!("{name}.json");
        let run = check(&[&["--memory-budget", "1", "--output", &output], extra].concat());
        run.expect_code(1);
        assert_eq!(comparable(run.outputs()), comparable(in_memory.outputs()), "{name}");
        assert_eq!(
            comparable(Value::from(rule_results(&dir.join(output)))),
            comparable(Value::from(rule_results(&dir.join("memory.json")))),
            "{name}"
        );
    }
    in_memory
}

fn sample_rows(result: &Value) -> Vec<u64> {
    result["samples"].as_array().unwrap().iter().map(|s| s["row"].as_u64().unwrap()).collect()
}

#[test]
fn spilled_unique_counts_equal_in_memory_counts_and_direct_computation() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let table = Table::generate(ROWS, 7);
    table.write_parquet(&dir.path().join("data.parquet"));
    std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();

    let in_memory = check(dir.path(), tmp.path(), &["--memory-budget", "0", "--output", "memory.json"]);
    in_memory.expect_code(1);
    let spilled = check(dir.path(), tmp.path(), &["--memory-budget", "1", "--output", "spilled.json"]);
    spilled.expect_code(1);
    assert_eq!(comparable(spilled.outputs()), comparable(in_memory.outputs()));
    // Instances that each count and spill their part of the values, then exchange the counts.
    let parallel = check(dir.path(), tmp.path(), &["--memory-budget", "1", "--parallel", "--output", "parallel.json"]);
    parallel.expect_code(1);
    assert_eq!(comparable(parallel.outputs()), comparable(in_memory.outputs()));
    assert_eq!(
        comparable(Value::from(rule_results(&dir.path().join("parallel.json")))),
        comparable(Value::from(rule_results(&dir.path().join("memory.json"))))
    );
    let results = rule_results(&dir.path().join("spilled.json"));
    assert_eq!(
        comparable(Value::from(results.clone())),
        comparable(Value::from(rule_results(&dir.path().join("memory.json"))))
    );

    let ids: Vec<Option<i64>> = table.id.iter().copied().map(Some).collect();
    // A combination counts unless every value of it is missing.
    let pairs: Vec<Option<(Option<String>, Option<String>)>> = table
        .email
        .iter()
        .zip(&table.status)
        .map(|(e, s)| (e.is_some() || s.is_some()).then(|| (e.clone(), s.clone())))
        .collect();
    for (result, duplicates) in
        results.iter().zip([duplicated_rows(&table.email), duplicated_rows(&ids), duplicated_rows(&pairs)])
    {
        assert!(!duplicates.is_empty(), "the data has duplicates for {}", result["name"]);
        assert_eq!(result["unexpected_count"], duplicates.len() as u64, "{}", result["name"]);
        assert_eq!(sample_rows(result), duplicates[..SAMPLES], "{}", result["name"]);
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "the spill directory is removed after the run");
}

#[test]
fn distinct_value_rules_spill_with_the_same_results_in_memory_that_does_not_hold_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let table = Table::generate(ROWS, 11);
    table.write_parquet(&dir.path().join("data.parquet"));
    std::fs::write(dir.path().join("listing.yaml"), LISTING_RULES).unwrap();
    let listing = |extra: &[&str]| check_rules(dir.path(), tmp.path(), "listing.yaml", extra);
    let in_memory = spilled_equals_in_memory(dir.path(), listing);
    // The emails hold far more than 24 MiB: only spilled do they fit.
    listing(&["--memory-budget", "0", "--memory-limit", "24"]).expect_code(4);
    let limited = listing(&["--memory-budget", "1", "--memory-limit", "24"]);
    limited.expect_code(1);
    assert_eq!(comparable(limited.outputs()), comparable(in_memory.outputs()));

    // Against a direct count of the emails.
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    for email in table.email.iter().flatten() {
        *counts.entry(email).or_default() += 1;
    }
    let top = *counts.values().max().unwrap();
    let mut modes: Vec<&str> = counts.iter().filter(|(_, count)| **count == top).map(|(email, _)| *email).collect();
    modes.sort_unstable();
    modes.truncate(20);
    let results = rule_results(&dir.path().join("spilled.json"));
    assert_eq!(results[0]["observed_value"], Value::from(modes), "the most common emails");
    let listed = ["shared0@example.com", "shared1@example.com"].iter().filter(|e| counts.contains_key(*e)).count();
    let unlisted = format!("{} unlisted value(s)", counts.len() - listed);
    assert!(results[1]["message"].as_str().unwrap().contains(&unlisted), "{} / {unlisted}", results[1]["message"]);
}

#[test]
fn quantiles_of_spilled_values_equal_the_in_memory_ones_and_a_direct_computation() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let table = Table::generate(ROWS, 12);
    table.write_parquet(&dir.path().join("data.parquet"));
    std::fs::write(dir.path().join("quantiles.yaml"), QUANTILE_RULES).unwrap();
    let quantiles = |extra: &[&str]| check_rules(dir.path(), tmp.path(), "quantiles.yaml", extra);
    // 1 MiB holds 131,072 values: each column spills several sorted runs.
    spilled_equals_in_memory(dir.path(), quantiles);
    let mut amounts: Vec<f64> = table.amount.iter().flatten().copied().collect();
    amounts.sort_by(f64::total_cmp);
    let n = amounts.len();
    let median = if n % 2 == 1 { amounts[n / 2] } else { (amounts[n / 2 - 1] + amounts[n / 2]) / 2.0 };
    let results = rule_results(&dir.path().join("spilled.json"));
    assert_eq!(results[0]["observed_value"].as_f64(), Some(median));
    let values = &results[1]["observed_value"]["values"];
    assert_eq!(values[0].as_f64(), Some(amounts[0]), "the smallest amount");
    assert_eq!(values[3].as_f64(), Some(amounts[n - 1]), "the largest amount");
    let mut ids = table.id.clone();
    ids.sort_unstable();
    let nearest = |q: f64| ids[(q * (ids.len() - 1) as f64).round_ties_even() as usize];
    assert_eq!(results[2]["observed_value"]["values"], serde_json::json!([nearest(0.25), nearest(0.5)]));
}

#[test]
fn a_partial_state_of_spilled_values_merges_into_the_single_run_result() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    Table::generate(ROWS, 8).write_parquet(&dir.path().join("data.parquet"));
    std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();
    let single = check(dir.path(), tmp.path(), &["--memory-budget", "0"]);
    check(dir.path(), tmp.path(), &["--memory-budget", "1", "--emit-state", "part.tqstate"]).expect_code(0);
    let merged = run_in(dir.path(), &["merge", "part.tqstate", "--rules", "rules.yaml", "--memory-budget", "1"]);
    merged.expect_code(1);
    assert_eq!(comparable(merged.outputs()), comparable(single.outputs()));
}

#[test]
fn a_temporary_directory_that_cannot_hold_the_spill_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    Table::generate(100, 9).write_parquet(&dir.path().join("data.parquet"));
    std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();
    let missing = dir.path().join("no-such-dir");
    let run = check(dir.path(), &missing, &[]);
    run.expect_code(4);
    assert!(run.stderr.contains("spill directory") && run.stderr.contains("no-such-dir"), "{}", run.stderr);
    // Without spilling, no directory is needed.
    check(dir.path(), &missing, &["--memory-budget", "0"]).expect_code(1);
}

#[test]
fn spill_directories_of_killed_runs_are_removed_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    Table::generate(100, 10).write_parquet(&dir.path().join("data.parquet"));
    std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();
    // A killed run's directory: its lock file is held by nobody, spilled values are still there.
    let abandoned = tmp.path().join("truthound-spill-killed");
    std::fs::create_dir(&abandoned).unwrap();
    std::fs::write(abandoned.join(".lock"), "").unwrap();
    std::fs::write(abandoned.join("values-0-1.spill"), vec![0u8; 4096]).unwrap();
    // A running session's directory: its lock is held (here by this test).
    let live = tmp.path().join("truthound-spill-running");
    std::fs::create_dir(&live).unwrap();
    let lock = std::fs::File::create(live.join(".lock")).unwrap();
    lock.try_lock().unwrap();
    check(dir.path(), tmp.path(), &[]).expect_code(1);
    assert!(!abandoned.exists(), "the killed run's spill directory is removed");
    assert!(live.join(".lock").exists(), "a directory whose lock is held is kept");
    drop(lock);
    check(dir.path(), tmp.path(), &[]).expect_code(1);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "once released, it goes too");
}
