//! Results must not depend on how the data was split: batch sizes, or partial states merged.

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use std::sync::Arc;
use truthound_guest::Checker;
use truthound_guest::analyzers::spill::SpillSettings;
use truthound_guest::model::{CheckOptions, CheckResult};

const RULES: &str = r#"
rules:
  - {type: not_null, column: email}
  - {type: unique, column: email}
  - {type: unique, column: id}
  - {type: regex, column: email, pattern: '^[a-z0-9]+@example\.com$'}
  - {type: in_range, column: amount, min: 0, max: 900}
  - {type: in_set, column: status, values: [a, b, c]}
  - {type: max_length, column: status, value: 1}
  - {type: row_count, min: 10}
  - {type: email, column: email}
  - {type: column_pair_greater_than, column_a: amount, column_b: score, or_equal: true}
  - {type: column_pair_equal, column_a: status, column_b: email, ignore_row_if: neither}
  - {type: multicolumn_sum_equal, columns: [id, score, seq], sum_total: 1000}
  - {type: increasing, column: seq}
  - {type: increasing, column: seq, strictly: true}
  - {type: decreasing, column: score}
  - {type: mean_between, column: amount, min: 0}
  - {type: stdev_between, column: amount, max: 1000}
  - {type: sum_between, column: amount, min: 0}
  - {type: min_between, column: id, min: 0}
  - {type: max_between, column: amount, max: 1000}
  - {type: median_between, column: amount, min: 0}
  - {type: quantile_between, column: amount, quantiles: [0.1, 0.9], ranges: [[null, 500], [0, null]]}
  - {type: distinct_count_between, column: email, min: 1}
  - {type: unique_ratio_between, column: email, min: 0.5}
  - {type: distinct_values_in_set, column: status, values: [a, b, c, dd, e]}
  - {type: most_common_value_in_set, column: status, values: [a, b, c, dd, e], ties_okay: true}
"#;

/// The row-by-row rules of `RULES` (the first 15), which all find unexpected rows in `table`;
/// the aggregate rules after them pass.
const ROW_RULES: usize = 15;

/// Deterministic pseudo-random data with nulls, duplicates, out-of-range values, bad strings,
/// rows whose sums are right or wrong, and a mostly increasing sequence with drops, repeats, NaN
/// and runs of nulls (so parts of a split may hold no value to order).
fn table(rows: usize) -> RecordBatch {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ids = Vec::new();
    let mut emails = Vec::new();
    let mut amounts = Vec::new();
    let mut statuses = Vec::new();
    let mut scores = Vec::new();
    let mut seqs: Vec<Option<f64>> = Vec::new();
    for i in 0..rows {
        let r = next();
        ids.push(if r % 50 == 0 { (i / 2) as i64 } else { i as i64 });
        emails.push(match r % 20 {
            0 => None,
            1 => Some("Bad Address".to_string()),
            2 => Some(format!("u{}@example.com", r % 40)),
            _ => Some(format!("u{i}x@example.com")),
        });
        amounts.push(if r % 30 == 0 { None } else { Some((r % 1000) as f64 - 50.0) });
        statuses.push(Some(["a", "b", "c", "dd", "e"][(r % 5) as usize]).filter(|_| r % 17 != 0));
        let seq = match r % 41 {
            0..=2 => None,
            3 => Some(f64::NAN),
            4 => Some(i as f64 - 25.0),
            5 => seqs.iter().rev().flatten().next().copied(),
            _ => Some(i as f64),
        };
        seqs.push(if i % 1000 < 30 { None } else { seq });
        scores.push(match r % 13 {
            0 => None,
            1 => Some((r % 2000) as i64),
            // Sums to 1000 with id and seq when seq is the plain sequence number.
            _ => Some(1000 - ids[i] - i as i64),
        });
    }
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(ids)) as ArrayRef),
        ("email", Arc::new(StringArray::from(emails)) as ArrayRef),
        ("amount", Arc::new(Float64Array::from(amounts)) as ArrayRef),
        ("status", Arc::new(StringArray::from(statuses)) as ArrayRef),
        ("score", Arc::new(Int64Array::from(scores)) as ArrayRef),
        ("seq", Arc::new(Float64Array::from(seqs)) as ArrayRef),
    ])
    .unwrap()
}

/// A small cap keeps samples in the first part; a large one makes every part's samples count.
const SAMPLE_CAPS: [u32; 2] = [7, 5000];

fn options(sample_failures: u32) -> CheckOptions {
    CheckOptions { sample_failures, ..CheckOptions::default() }
}

fn run_in_batches(data: &RecordBatch, batch_size: usize, cap: u32) -> CheckResult {
    run_spilling_in_batches(data, batch_size, cap, None)
}

fn run_spilling_in_batches(data: &RecordBatch, batch_size: usize, cap: u32, spill: Option<&SpillDir>) -> CheckResult {
    let mut checker = Checker::spilling(RULES, options(cap), spill.map(SpillDir::settings)).unwrap();
    let mut offset = 0;
    while offset < data.num_rows() {
        let len = batch_size.min(data.num_rows() - offset);
        checker.feed_batch(&data.slice(offset, len)).unwrap();
        offset += len;
    }
    checker.finish().unwrap()
}

/// Splits the rows at `cuts`, checks each part in its own checker, and merges the states in order.
fn run_merged(data: &RecordBatch, cuts: &[usize], cap: u32) -> CheckResult {
    run_spilling_merged(data, cuts, cap, None)
}

fn run_spilling_merged(data: &RecordBatch, cuts: &[usize], cap: u32, spill: Option<&SpillDir>) -> CheckResult {
    let checker = || Checker::spilling(RULES, options(cap), spill.map(SpillDir::settings)).unwrap();
    let mut bounds = vec![0];
    bounds.extend_from_slice(cuts);
    bounds.push(data.num_rows());
    let states: Vec<Vec<u8>> = bounds
        .windows(2)
        .map(|w| {
            let mut part = checker();
            part.feed_batch(&data.slice(w[0], w[1] - w[0])).unwrap();
            part.export_state().unwrap()
        })
        .collect();
    let mut merged = checker();
    for state in &states {
        merged.merge_state(state).unwrap();
    }
    merged.finish().unwrap()
}

#[test]
fn batch_sizes_do_not_change_any_result() {
    let data = table(20_000);
    for cap in SAMPLE_CAPS {
        let whole = run_in_batches(&data, data.num_rows(), cap);
        assert!(whole.rule_results[..ROW_RULES].iter().all(|r| r.unexpected_count > 0 || r.rule_type == "row_count"));
        assert!(whole.rule_results[ROW_RULES..].iter().all(|r| r.status == truthound_guest::model::Status::Passed));
        for size in [1, 7, 1000, 4096, 19_999] {
            assert_eq!(run_in_batches(&data, size, cap), whole, "batch size {size}, {cap} samples");
        }
    }
}

#[test]
fn merged_partial_states_equal_a_single_run() {
    let data = table(20_000);
    for cap in SAMPLE_CAPS {
        let whole = run_in_batches(&data, 5000, cap);
        for cuts in [vec![10_000], vec![1, 2, 3], vec![333, 7000, 7001, 19_000], vec![]] {
            assert_eq!(run_merged(&data, &cuts, cap), whole, "cuts {cuts:?}, {cap} samples");
        }
    }
}

#[test]
fn states_merge_exactly_whichever_row_they_are_cut_at() {
    // Every cut puts a different row first in the second part: a break of the order there, a
    // NaN, a null run, a repeated value; and the last cut gives single-row parts throughout.
    let data = table(300);
    let every_row: Vec<usize> = (1..300).collect();
    for cap in SAMPLE_CAPS {
        let whole = run_in_batches(&data, 300, cap);
        for cut in 1..300 {
            assert_eq!(run_merged(&data, &[cut], cap), whole, "cut at {cut}, {cap} samples");
        }
        assert_eq!(run_merged(&data, &every_row, cap), whole, "one row per part, {cap} samples");
    }
}

#[test]
fn a_value_repeated_across_a_merge_boundary_is_sampled_at_both_rows() {
    let rules = "- {type: unique, column: v}";
    let part = |values: Vec<i64>| {
        let mut checker = Checker::new(rules, options(10)).unwrap();
        let data = RecordBatch::try_from_iter([("v", Arc::new(Int64Array::from(values)) as ArrayRef)]).unwrap();
        checker.feed_batch(&data).unwrap();
        checker.export_state().unwrap()
    };
    let mut merged = Checker::new(rules, options(10)).unwrap();
    merged.merge_state(&part(vec![1, 2, 3])).unwrap();
    merged.merge_state(&part(vec![4, 2, 5, 1])).unwrap();
    let result = merged.finish().unwrap();
    let rows: Vec<u64> = result.rule_results[0].samples.iter().map(|s| s.row).collect();
    assert_eq!(rows, vec![0, 1, 4, 6]);
    assert_eq!(result.rule_results[0].unexpected_count, 4);
}

#[test]
fn states_of_other_rules_are_refused() {
    let data = table(100);
    let mut part = Checker::new("- {type: not_null, column: id}", options(7)).unwrap();
    part.feed_batch(&data).unwrap();
    let mut other = Checker::new(RULES, options(7)).unwrap();
    let error = other.merge_state(&part.export_state().unwrap()).unwrap_err();
    assert!(error.message.contains("other rules"), "{}", error.message);
    assert!(other.merge_state(b"garbage").unwrap_err().message.contains("corrupt"));
}

/// Checks `data` in `shard_count` shards (batches of 4096 rows) with the shard protocol: feed
/// every shard, finish each one's part of the shared counts, add every other shard's part, finish
/// and combine.
fn run_shards(data: &RecordBatch, shard_count: u32, cap: u32, spill: Option<&SpillDir>) -> CheckResult {
    let mut shards: Vec<Checker> = (0..shard_count)
        .map(|shard_index| {
            let options = CheckOptions { shard_count, shard_index, ..options(cap) };
            let mut shard = Checker::spilling(RULES, options, spill.map(SpillDir::settings)).unwrap();
            for offset in (0..data.num_rows()).step_by(4096) {
                shard.feed_batch(&data.slice(offset, 4096.min(data.num_rows() - offset))).unwrap();
            }
            shard
        })
        .collect();
    let parts: Vec<Vec<u8>> = shards.iter_mut().map(|shard| shard.finish_shard_part().unwrap()).collect();
    let results = shards
        .iter_mut()
        .enumerate()
        .map(|(index, shard)| {
            for (other, part) in parts.iter().enumerate().filter(|(other, _)| *other != index) {
                shard.merge_shard_part(part).unwrap_or_else(|e| panic!("shard {index} adding {other}: {e:?}"));
            }
            shard.finish().unwrap()
        })
        .collect();
    let mut combined = truthound_guest::checker::combine_results(results).unwrap();
    // Shards read only their columns, so only the order of the columns read may differ.
    combined.columns_read.sort();
    combined
}

#[test]
fn shards_of_the_rules_combine_into_the_single_checker_result() {
    let data = table(20_000);
    for cap in SAMPLE_CAPS {
        let mut whole = run_in_batches(&data, 4096, cap);
        whole.columns_read.sort();
        for shard_count in [1, 2, 3, 8, 20] {
            assert_eq!(run_shards(&data, shard_count, cap, None), whole, "{shard_count} shards, {cap} samples");
        }
    }
}

#[test]
fn shards_that_spill_their_part_of_the_values_combine_into_the_same_result() {
    let data = table(60_000);
    let spill = SpillDir::new("shards", 16 << 10);
    for cap in SAMPLE_CAPS {
        let mut whole = run_in_batches(&data, 4096, cap);
        whole.columns_read.sort();
        for shard_count in [2, 3] {
            assert_eq!(run_shards(&data, shard_count, cap, Some(&spill)), whole, "{shard_count} shards, {cap} samples");
        }
    }
    assert_eq!(spill.files(), 0, "spilled files are removed with their checker");
}

#[test]
fn every_shard_counts_its_part_of_the_values_and_needs_the_others_to_finish() {
    let data = table(20_000);
    let rules = "- {type: unique, column: email}\n- {type: regex, column: email, pattern: '@'}\n";
    let shard = |shard_index| {
        let options = CheckOptions { shard_count: 3, shard_index, ..options(7) };
        let mut shard = Checker::new(rules, options).unwrap();
        assert_eq!(shard.required_columns(), vec!["email".to_string()], "every shard reads the shared counts' columns");
        shard.feed_batch(&data).unwrap();
        shard
    };
    let (mut first, mut second, mut third) = (shard(0), shard(1), shard(2));
    let error = first.finish().unwrap_err().message;
    assert!(error.contains("add the parts of shards 1, 2 before finishing"), "{error}");
    let (part_1, part_2) = (second.finish_shard_part().unwrap(), third.finish_shard_part().unwrap());
    assert!(second.feed_batch(&data).unwrap_err().message.contains("after this shard's part"));
    assert!(second.finish_shard_part().unwrap_err().message.contains("already finished"));
    assert!(second.merge_shard_part(&part_1).unwrap_err().message.contains("its own part"));
    first.merge_shard_part(&part_1).unwrap();
    assert!(first.merge_shard_part(&part_1).unwrap_err().message.contains("added twice"));
    let mut other_check =
        Checker::new("- {type: unique, column: id}", CheckOptions { shard_count: 3, shard_index: 0, ..options(7) })
            .unwrap();
    assert!(other_check.merge_shard_part(&part_2).unwrap_err().message.contains("another check"));
    assert!(first.merge_shard_part(b"garbage").unwrap_err().message.contains("corrupt"));
    first.merge_shard_part(&part_2).unwrap();
    let result = first.finish().unwrap();
    let single = {
        let mut single = Checker::new(rules, options(7)).unwrap();
        single.feed_batch(&data).unwrap();
        single.finish().unwrap()
    };
    assert_eq!(result.rule_results.len(), 2, "shard 0 evaluates both rules (they only count)");
    assert_eq!(result.rule_results, single.rule_results);
}

#[test]
fn heavy_rules_go_to_different_shards_and_bad_shards_are_refused() {
    let shards = truthound_guest::checker::assign_shards(&[1, 10, 4, 1, 10, 1], 2);
    assert_ne!(shards[1], shards[4], "the two unique rules share a shard: {shards:?}");
    let bad = CheckOptions { shard_count: 2, shard_index: 2, ..options(7) };
    assert!(Checker::new(RULES, bad).err().unwrap().message.contains("shard 2 of 2 does not exist"));
}

/// A private directory for spilled values, removed at the end; `budget_bytes` small enough that
/// the table spills part-way through the data.
struct SpillDir {
    path: std::path::PathBuf,
    budget_bytes: u64,
}

impl SpillDir {
    fn new(name: &str, budget_bytes: u64) -> SpillDir {
        let path = std::env::temp_dir().join(format!("truthound-splits-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        SpillDir { path, budget_bytes }
    }

    fn settings(&self) -> SpillSettings {
        SpillSettings { dir: self.path.clone(), budget_bytes: self.budget_bytes }
    }

    fn files(&self) -> usize {
        std::fs::read_dir(&self.path).unwrap().count()
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[test]
fn spilling_values_to_disk_changes_no_result() {
    let data = table(60_000);
    // 16 KiB spills in the first batch; 600 KiB part-way, after repeats were recorded in memory.
    for (name, budget) in [("tiny", 16 << 10), ("midway", 600 << 10)] {
        let spill = SpillDir::new(name, budget);
        for cap in SAMPLE_CAPS {
            let in_memory = run_in_batches(&data, 4_096, cap);
            assert_eq!(run_spilling_in_batches(&data, 4_096, cap, Some(&spill)), in_memory, "{name}, cap {cap}");
            let cuts = [17_000, 17_001, 40_000];
            assert_eq!(run_spilling_merged(&data, &cuts, cap, Some(&spill)), in_memory, "{name} merged, cap {cap}");
        }
        assert_eq!(spill.files(), 0, "spilled files are removed with their checker");
    }
}

#[test]
fn a_spilling_checker_writes_its_values_to_the_spill_directory() {
    let data = table(60_000);
    let spill = SpillDir::new("writes", 16 << 10);
    let mut checker = Checker::spilling(RULES, options(7), Some(spill.settings())).unwrap();
    checker.feed_batch(&data).unwrap();
    assert!(spill.files() > 0, "60,000 distinct emails outgrow 16 KiB");
    let in_memory = run_in_batches(&data, data.num_rows(), 7);
    assert_eq!(checker.finish().unwrap(), in_memory);
}

#[test]
fn columns_read_only_for_their_nulls_are_named() {
    let rules = "- {type: not_null, column: a}\n- {type: unique, column: b}\n- {type: not_null, column: b}\n\
                 - {type: completeness_ratio, column: c, min_ratio: 0.5}\n- {type: in_range, column: d, min: 0}\n\
                 - {type: not_null, column: d}\n- {type: row_count, min: 1}\n";
    let checker = Checker::new(rules, options(7)).unwrap();
    // b and d are also read for their values (uniqueness, range); a and c only for nulls.
    assert_eq!(checker.null_only_columns(), ["a".to_string(), "c".to_string()]);
}
