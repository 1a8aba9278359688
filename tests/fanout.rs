//! Fan-out across workers: `check --emit-state` on each of 8 partitions (CSV and Parquet) then
//! `merge` gives exactly what one `check` over all the data gives; the merge order defines row
//! numbers; broken, missing and foreign states are refused with their file named.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::data::Table;
use support::{Run, comparable, run_in};

const ROWS: usize = 24_000;
/// Partition boundaries: uneven sizes, one partition smaller than a Parquet row group.
const CUTS: [usize; 9] = [0, 1_000, 4_000, 4_500, 9_000, 13_000, 17_500, 21_000, ROWS];

/// Every kind of failure the data has: nulls, duplicates (across partitions too), out of range,
/// regex misses, unknown values, out-of-order ids.
const RULES: &str = r#"
name: fanout
rules:
  - {type: not_null, column: email}
  - {type: unique, column: email}
  - {type: unique, column: id}
  - {type: in_range, column: amount, min: 0, max: 1000}
  - {type: regex, column: email, pattern: '^[a-z0-9]+@example\.com$'}
  - {type: in_set, column: status, values: [pending, shipped, delivered]}
  - {type: increasing, column: id}
  - {type: row_count, min: 1}
"#;

/// The rows `range` of `table`.
/// Writes partition `index`: even ones as CSV, odd ones as Parquet.
fn write_partition(dir: &Path, index: usize, part: &Table) -> String {
    if index.is_multiple_of(2) {
        let name = format!("part-{index}.csv");
        part.write_csv(&dir.join(&name), b',');
        name
    } else {
        let name = format!("part-{index}.parquet");
        part.write_parquet(&dir.join(&name));
        name
    }
}

/// The data set: the whole table as one Parquet file and as 8 partition files.
struct DataSet {
    dir: tempfile::TempDir,
    table: Table,
    partitions: Vec<String>,
}

impl DataSet {
    fn new() -> DataSet {
        let dir = tempfile::tempdir().unwrap();
        let table = Table::generate(ROWS, 17);
        table.write_parquet(&dir.path().join("all.parquet"));
        std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();
        std::fs::write(dir.path().join("other.yaml"), "- {type: not_null, column: id}\n").unwrap();
        let partitions = CUTS
            .windows(2)
            .enumerate()
            .map(|(index, cut)| write_partition(dir.path(), index, &table.slice(cut[0]..cut[1])))
            .collect();
        DataSet { dir, table, partitions }
    }

    fn run(&self, args: &[&str]) -> Run {
        run_in(self.dir.path(), args)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `check --emit-state` on every partition in `order`, into `states/NN.tqstate`; the names
    /// of the state files in merge order.
    fn emit_states(&self, folder: &str, order: &[usize], extra: &[&str]) -> Vec<String> {
        std::fs::create_dir_all(self.path(folder)).unwrap();
        order
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                let state = format!("{folder}/{position:02}.tqstate");
                let mut args = vec!["check", &self.partitions[index], "--rules", "rules.yaml", "--emit-state", &state];
                args.extend_from_slice(extra);
                let run = self.run(&args);
                run.expect_code(0);
                let outputs = run.outputs();
                assert_eq!(outputs["status"], "partial", "{outputs}");
                assert_eq!(outputs["partial_state"]["file"], state.as_str());
                assert_eq!(outputs["partial_state"]["rows"], (CUTS[index + 1] - CUTS[index]) as u64);
                assert_eq!(run.metric("rows")["value"], (CUTS[index + 1] - CUTS[index]) as f64);
                state
            })
            .collect()
    }
}

fn report(path: &Path) -> Value {
    comparable(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
}

/// The metrics a check emits that do not depend on time.
fn counters(run: &Run) -> Vec<Value> {
    ["rows", "passed", "failed", "warnings"].iter().map(|name| run.metric(name)["value"].clone()).collect()
}

#[test]
fn eight_partitions_merged_equal_one_run() {
    let data = DataSet::new();
    let single = data.run(&["check", "all.parquet", "--rules", "rules.yaml", "--format", "json", "-o", "single.json"]);
    single.expect_code(1);
    let states = data.emit_states("states", &[0, 1, 2, 3, 4, 5, 6, 7], &[]);

    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--format", "json", "-o", "merged.json"]);
    let merged = data.run(&args);
    merged.expect_code(1);

    assert_eq!(comparable(merged.outputs()), comparable(single.outputs()));
    assert_eq!(counters(&merged), counters(&single));
    assert_eq!(report(&data.path("merged.json")), report(&data.path("single.json")));

    // The data really has every kind of failure, across partitions, with row numbers.
    let rules = report(&data.path("single.json"))["result"]["rule_results"].as_array().unwrap().clone();
    assert_eq!(rules.len(), 8);
    for rule in &rules[..7] {
        assert!(rule["unexpected_count"].as_u64().unwrap() > 0, "{rule}");
        let rows: Vec<u64> = rule["samples"].as_array().unwrap().iter().map(|s| s["row"].as_u64().unwrap()).collect();
        assert!(!rows.is_empty(), "{rule}");
    }
    let unique_ids = &rules[2]["samples"];
    let last_sample = unique_ids.as_array().unwrap().last().unwrap()["row"].as_u64().unwrap() as usize;
    assert!(last_sample >= CUTS[1], "duplicate ids span partitions: {unique_ids}");
    assert_eq!(rules[7]["status"], "passed");
    assert_eq!(merged.outputs()["result"]["total_rows"], ROWS as u64);
    assert_eq!(data.table.len(), ROWS);

    // A directory stands for its states in name order; the verdict options apply as in check.
    let from_dir = data.run(&["merge", "states", "--no-fail-on-error"]);
    from_dir.expect_code(0);
    let lenient_single = data.run(&["check", "all.parquet", "--rules", "rules.yaml", "--no-fail-on-error"]);
    assert_eq!(comparable(from_dir.outputs()), comparable(lenient_single.outputs()));

    // --parallel on a partition still writes a state holding every rule.
    let parallel = data.emit_states("parallel", &[0, 1, 2, 3, 4, 5, 6, 7], &["--parallel"]);
    let mut args = vec!["merge"];
    args.extend(parallel.iter().map(String::as_str));
    args.extend(["--rules", "rules.yaml"]);
    let merged_parallel = data.run(&args);
    merged_parallel.expect_code(1);
    assert_eq!(comparable(merged_parallel.outputs()), comparable(single.outputs()));
}

#[test]
fn the_merge_order_defines_row_numbers_and_nothing_else() {
    let data = DataSet::new();
    let reversed: Vec<usize> = (0..8).rev().collect();
    let states = data.emit_states("reversed", &reversed, &[]);
    let mut args = vec!["merge"];
    args.extend(states.iter().map(String::as_str));
    args.extend(["--format", "json", "-o", "reversed.json"]);
    data.run(&args).expect_code(1);

    // Exactly what one run over the partitions concatenated in that order gives ...
    let parts: Vec<Table> = reversed.iter().map(|&i| data.table.slice(CUTS[i]..CUTS[i + 1])).collect();
    let concatenated = Table {
        id: parts.iter().flat_map(|p| p.id.clone()).collect(),
        email: parts.iter().flat_map(|p| p.email.clone()).collect(),
        amount: parts.iter().flat_map(|p| p.amount.clone()).collect(),
        status: parts.iter().flat_map(|p| p.status.clone()).collect(),
    };
    concatenated.write_parquet(&data.path("reversed.parquet"));
    data.run(&["check", "reversed.parquet", "--rules", "rules.yaml", "--format", "json", "-o", "single_reversed.json"])
        .expect_code(1);
    let merged = report(&data.path("reversed.json"));
    assert_eq!(merged, report(&data.path("single_reversed.json")));

    // ... so row numbers change, and counts change only for the rule about row order.
    data.run(&["check", "all.parquet", "--rules", "rules.yaml", "--format", "json", "-o", "forward.json"])
        .expect_code(1);
    let forward = report(&data.path("forward.json"));
    let (merged, forward) =
        (merged["result"]["rule_results"].as_array().unwrap(), forward["result"]["rule_results"].as_array().unwrap());
    for (m, f) in merged.iter().zip(forward) {
        let order_rule = m["rule_type"] == "increasing";
        for key in ["element_count", "evaluated_count", "null_count"] {
            assert_eq!(m[key], f[key], "{key} of {}", m["name"]);
        }
        assert_eq!(m["unexpected_count"] != f["unexpected_count"], order_rule, "{}", m["name"]);
        if m["unexpected_count"].as_u64() > Some(0) {
            assert_ne!(m["samples"], f["samples"], "{}", m["name"]);
        }
    }
}

#[test]
fn foreign_broken_and_missing_states_are_refused_by_name() {
    let data = DataSet::new();
    let states = data.emit_states("states", &[0, 1], &[]);
    std::fs::create_dir_all(data.path("foreign")).unwrap();
    data.run(&["check", &data.partitions[2], "--rules", "other.yaml", "--emit-state", "foreign/02.tqstate"])
        .expect_code(0);

    let foreign = data.run(&["merge", &states[0], &states[1], "foreign/02.tqstate"]);
    foreign.expect_code(2);
    let error = &foreign.outputs()["error"];
    assert_eq!(error["type"], "ConfigurationError");
    assert!(error["message"].as_str().unwrap().contains("foreign/02.tqstate"), "{error}");
    assert!(error["message"].as_str().unwrap().contains("another rule document"), "{error}");

    let other_rules = data.run(&["merge", &states[0], "--rules", "other.yaml"]);
    other_rules.expect_code(2);
    assert!(other_rules.outputs()["error"]["message"].as_str().unwrap().contains(&states[0]));
    let other_engine = data.run(&["merge", &states[0], "--engine", "pandera"]);
    other_engine.expect_code(2);
    let message = other_engine.outputs()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains(&states[0]) && message.contains("truthound rules, not pandera"), "{message}");
    data.run(&["merge", &states[0], "--rules", "rules.yaml", "--engine", "truthound"]).expect_code(1);

    let other_samples = data.run(&[
        "check",
        &data.partitions[2],
        "--rules",
        "rules.yaml",
        "--sample-failures",
        "3",
        "--emit-state",
        "foreign/03.tqstate",
    ]);
    other_samples.expect_code(0);
    let mismatch = data.run(&["merge", &states[0], "foreign/03.tqstate"]);
    mismatch.expect_code(2);
    assert!(mismatch.outputs()["error"]["message"].as_str().unwrap().contains("samples per rule"));

    let bytes = std::fs::read(data.path(&states[1])).unwrap();
    std::fs::write(data.path("truncated.tqstate"), &bytes[..bytes.len() - 10]).unwrap();
    let truncated = data.run(&["merge", &states[0], "truncated.tqstate"]);
    truncated.expect_code(3);
    let message = truncated.outputs()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("truncated.tqstate") && message.contains("truncated"), "{message}");
    assert!(truncated.stderr.contains("truncated.tqstate"), "{}", truncated.stderr);

    std::fs::write(data.path("data.tqstate"), std::fs::read(data.path(&data.partitions[1])).unwrap()).unwrap();
    let not_a_state = data.run(&["merge", "data.tqstate"]);
    not_a_state.expect_code(3);
    assert!(not_a_state.outputs()["error"]["message"].as_str().unwrap().contains("data.tqstate"));

    let missing = data.run(&["merge", &states[0], "states/99.tqstate"]);
    missing.expect_code(3);
    assert!(missing.outputs()["error"]["message"].as_str().unwrap().contains("states/99.tqstate"));

    // CSV types are inferred per file: whole-number amounts read as integers, not floats.
    std::fs::write(data.path("ints.csv"), "id,email,amount,status\n1,a@example.com,5,pending\n").unwrap();
    data.run(&["check", "ints.csv", "--rules", "rules.yaml", "--emit-state", "ints.tqstate"]).expect_code(0);
    let retyped = data.run(&["merge", &states[0], "ints.tqstate"]);
    retyped.expect_code(3);
    let message = retyped.outputs()["error"]["message"].as_str().unwrap().to_string();
    assert!(message.contains("ints.tqstate") && message.contains("amount: Int64"), "{message}");

    std::fs::create_dir_all(data.path("empty")).unwrap();
    let empty = data.run(&["merge", "empty"]);
    empty.expect_code(3);
    assert!(empty.outputs()["error"]["message"].as_str().unwrap().contains("no partial state"));

    // A partial state is not a report.
    let both =
        data.run(&["check", &data.partitions[0], "--rules", "rules.yaml", "--emit-state", "x.tqstate", "-o", "r.json"]);
    both.expect_code(2);
}

#[test]
fn empty_partitions_add_nothing() {
    let data = DataSet::new();
    let header_only = "id,email,amount,status\n";
    std::fs::write(data.path("empty-a.csv"), header_only).unwrap();
    std::fs::write(data.path("empty-b.csv"), header_only).unwrap();
    std::fs::create_dir_all(data.path("states")).unwrap();
    for (input, state) in [("empty-a.csv", "states/0.tqstate"), ("empty-b.csv", "states/2.tqstate")] {
        let run = data.run(&["check", input, "--rules", "rules.yaml", "--emit-state", state]);
        run.expect_code(0);
        assert_eq!(run.outputs()["partial_state"]["rows"], 0);
    }
    let states = data.emit_states("partitions", &[0, 1], &[]);
    let merged = data.run(&["merge", "states/0.tqstate", &states[0], "states/2.tqstate", &states[1]]);
    merged.expect_code(1);
    let both = data.table.slice(0..CUTS[2]);
    both.write_parquet(&data.path("first-two.parquet"));
    let single = data.run(&["check", "first-two.parquet", "--rules", "rules.yaml"]);
    assert_eq!(comparable(merged.outputs()), comparable(single.outputs()));

    // Only empty partitions: the result of checking no rows.
    let nothing = data.run(&["merge", "states/0.tqstate", "states/2.tqstate"]);
    nothing.expect_code(1);
    let alone = data.run(&["check", "empty-a.csv", "--rules", "rules.yaml"]);
    assert_eq!(comparable(nothing.outputs()), comparable(alone.outputs()));
}

#[test]
fn partitions_lists_the_data_files_a_fanout_iterates_over() {
    let data = DataSet::new();
    std::fs::create_dir_all(data.path("parts")).unwrap();
    let mut expected = Vec::new();
    for partition in &data.partitions {
        let copy = data.path("parts").join(partition);
        std::fs::copy(data.path(partition), &copy).unwrap();
        expected.push(copy.display().to_string());
    }
    expected.sort();
    std::fs::write(data.path("parts/_SUCCESS"), "").unwrap();
    std::fs::write(data.path("parts/.part-0.csv.crc"), "").unwrap();
    for listed in ["parts", "parts/", "parts/part-*"] {
        let run = data.run(&["partitions", listed]);
        run.expect_code(0);
        let outputs = run.outputs();
        assert_eq!(outputs["partitions"], serde_json::json!(expected), "{listed}: data files only, sorted");
        assert_eq!(outputs["count"], expected.len());
        assert_eq!(outputs["root"], data.path("parts").display().to_string(), "{listed}");
        assert_eq!(run.metric("partitions")["value"], expected.len() as f64);
    }
    let one = data.run(&["partitions", "all.parquet"]);
    assert_eq!(one.outputs()["partitions"], serde_json::json!(["all.parquet"]), "one file is its own partition");
    assert_eq!(one.outputs()["root"], "", "a file alone has no partition directories");

    for (uri, expected) in [
        ("missing.parquet", "missing.parquet: no such file"),
        ("parts/*.json", "parts/*.json: no data files match"),
        ("[{\"id\": 1}]", "inline data is one data set"),
        ("{{ outputs.list.vars.partitions }}", "unrendered"),
    ] {
        let run = data.run(&["partitions", uri]);
        run.expect_code(3);
        assert!(run.stdout.contains(expected), "{uri}: {}", run.stdout);
    }
}
