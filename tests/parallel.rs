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
    let report = format!("{}.{rules}{mode}.json", file.replace(['/', '*'], "_"));
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

#[test]
fn a_data_set_of_indexed_files_is_split_by_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let table = table();
    // Five files of uneven sizes in Hive-style directories, the cuts where ranges start.
    let cuts = [0, 3000, 9000, 15000, 24000, ROWS];
    for (index, cut) in cuts.windows(2).enumerate() {
        let folder = dir.path().join(format!("events/batch={index}"));
        std::fs::create_dir_all(&folder).unwrap();
        table.slice(cut[0]..cut[1]).write_parquet(&folder.join("part.parquet"));
    }
    std::fs::write(dir.path().join("events/_SUCCESS"), "").unwrap();
    let rules = format!("{RANGE_RULES}  - {{type: in_set, column: batch, values: ['0', '1', '2']}}\n");
    std::fs::write(dir.path().join("ranges.yaml"), rules).unwrap();
    for source in ["events", "events/*/part.parquet"] {
        let single = check(dir.path(), source, "ranges.yaml", "--no-parallel");
        let parallel = check(dir.path(), source, "ranges.yaml", "--parallel");
        assert_eq!(parallel, single, "{source}");
        let results = single.0["result"]["rule_results"].as_array().unwrap().clone();
        let break_rows: Vec<u64> =
            results[4]["samples"].as_array().unwrap().iter().filter_map(|s| s["row"].as_u64()).collect();
        assert!([3000, 9000, 15000].iter().all(|row| break_rows.contains(row)), "{source}: {break_rows:?}");
        assert_eq!(results[8]["unexpected_count"], (ROWS - 15000) as u64, "{source}: the partition column");
    }

    let path = |name: &str| dir.path().join(name).display().to_string();
    let options = ReadOptions::default();
    for parts in [2, 3, 5, 9] {
        let ranges = split_rows(&path("events"), &options, parts).unwrap().expect("splits");
        assert!((2..=parts.min(5)).contains(&ranges.len()), "{parts}: whole files only, {} ranges", ranges.len());
        let rows: usize = ranges
            .iter()
            .map(|range| range.open(&options).unwrap().batches.map(|b| b.unwrap().num_rows()).sum::<usize>())
            .sum();
        assert_eq!(rows, ROWS, "{parts}: the ranges cover every row once");
    }
    // A CSV file among them: read by one reader.
    table.slice(0..10).write_csv(&dir.path().join("events/batch=4/extra.csv"), b',');
    assert_eq!(split_rows(&path("events"), &options, 2).unwrap(), None, "CSV files are read by one reader");
    std::fs::remove_file(dir.path().join("events/batch=4/extra.csv")).unwrap();
    // A file with other columns is refused by name: inside a range while it is read, at the
    // start of a range before any range is read (whichever of the two renamed files starts the
    // second range).
    // Same rows, so that the files keep their sizes and the ranges their starts.
    write_renamed_parquet(&table.slice(24000..ROWS), &dir.path().join("events/batch=4/part.parquet"));
    let refused = run_in(dir.path(), &["check", "events", "--rules", "ranges.yaml", "--parallel"]);
    refused.expect_code(3);
    assert!(refused.stdout.contains("batch=4/part.parquet: its columns"), "{}", refused.stdout);
    write_renamed_parquet(&table.slice(15000..24000), &dir.path().join("events/batch=3/part.parquet"));
    let refused = split_rows(&path("events"), &options, 2).unwrap_err();
    let named =
        ["batch=3", "batch=4"].iter().any(|b| refused.message.contains(&format!("{b}/part.parquet: its columns")));
    assert!(named, "{refused}");
}

/// Writes `table` as Parquet with its `amount` column renamed, so that its schema differs.
fn write_renamed_parquet(table: &Table, path: &Path) {
    table.write_parquet(path);
    let file = std::fs::File::open(path).unwrap();
    let batches: Vec<_> = parquet::arrow::arrow_reader::ParquetRecordBatchReader::try_new(file, 1 << 20)
        .unwrap()
        .map(|batch| batch.unwrap())
        .collect();
    let schema = batches[0].schema();
    let fields: Vec<_> =
        schema
            .fields()
            .iter()
            .map(|f| {
                if f.name() == "amount" {
                    std::sync::Arc::new(f.as_ref().clone().with_name("total"))
                } else {
                    f.clone()
                }
            })
            .collect();
    let renamed = std::sync::Arc::new(arrow_schema::Schema::new(fields));
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(path).unwrap(), renamed.clone(), None).unwrap();
    for batch in batches {
        writer.write(&arrow_array::RecordBatch::try_new(renamed.clone(), batch.columns().to_vec()).unwrap()).unwrap();
    }
    writer.close().unwrap();
}
