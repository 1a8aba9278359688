//! Profile numbers against an independent computation on 1.2 million rows: exact numbers
//! exactly, sketched ones within their stated bounds; and the same profile for any split.

use arrow_array::types::Date32Type;
use arrow_array::{ArrayRef, Float64Array, Int64Array, PrimitiveArray, RecordBatch, StringArray};
use std::collections::HashMap;
use std::sync::Arc;
use truthound_guest::model::{ColumnProfile, ProfileOptions, ProfileResult};
use truthound_guest::profile::{Profiler, QUANTILES};
use truthound_guest::stats::distinct_sketch::STANDARD_ERROR;
use truthound_guest::stats::quantile_sketch::RELATIVE_ERROR;

const ROWS: usize = 1_200_000;

struct Columns {
    ids: Vec<i64>,
    amounts: Vec<Option<f64>>,
    codes: Vec<Option<String>>,
    days: Vec<i32>,
}

fn columns() -> Columns {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut c = Columns { ids: Vec::new(), amounts: Vec::new(), codes: Vec::new(), days: Vec::new() };
    for i in 0..ROWS {
        let r = next();
        c.ids.push(i as i64 * 3 - 1000);
        c.amounts.push(match r % 100 {
            0 => None,
            1 => Some(f64::NAN),
            2 => Some(0.0),
            _ => Some(((r >> 8) % 2_000_000) as f64 / 100.0 - 2000.0),
        });
        c.codes.push((r % 50 != 0).then(|| format!("C{}-{}", (r >> 20) % 40, "x".repeat(((r >> 30) % 3) as usize))));
        c.days.push(19_000 + ((r >> 40) % 400) as i32);
    }
    // A duplicate row: the last row repeats the first.
    let last = ROWS - 1;
    c.ids[last] = c.ids[0];
    c.amounts[last] = c.amounts[0];
    c.codes[last] = c.codes[0].clone();
    c.days[last] = c.days[0];
    c
}

fn batch(c: &Columns) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(c.ids.clone())) as ArrayRef),
        ("amount", Arc::new(Float64Array::from(c.amounts.clone())) as ArrayRef),
        ("code", Arc::new(StringArray::from(c.codes.clone())) as ArrayRef),
        ("day", Arc::new(PrimitiveArray::<Date32Type>::from(c.days.clone())) as ArrayRef),
    ])
    .unwrap()
}

fn options() -> ProfileOptions {
    ProfileOptions { include_histograms: true, top_n: 3, distinct_limit: 1_000_000, ..ProfileOptions::default() }
}

fn profile(data: &RecordBatch, batch_size: usize) -> ProfileResult {
    let mut profiler = Profiler::new(options()).unwrap();
    let mut offset = 0;
    while offset < data.num_rows() {
        let len = batch_size.min(data.num_rows() - offset);
        profiler.feed_batch(&data.slice(offset, len)).unwrap();
        offset += len;
    }
    profiler.finish().unwrap()
}

fn column<'a>(result: &'a ProfileResult, name: &str) -> &'a ColumnProfile {
    result.columns.iter().find(|c| c.name == name).unwrap()
}

#[test]
fn profile_numbers_equal_an_independent_computation() {
    let c = columns();
    let data = batch(&c);
    let result = profile(&data, 65_536);
    assert_eq!((result.row_count, result.column_count), (ROWS as u64, 4));
    // More distinct rows than the exact limit: an estimate, within its bound.
    assert!(result.duplicate_rows_estimated);
    assert!((result.duplicate_row_count as f64 - 1.0).abs() < 4.0 * STANDARD_ERROR * ROWS as f64);

    // id: more distinct values than the exact limit: a flagged estimate within 4 standard errors.
    let id = column(&result, "id");
    let distinct_ids = c.ids.iter().collect::<std::collections::HashSet<_>>().len() as f64;
    assert!(id.distinct_estimated);
    assert!((id.distinct_count as f64 - distinct_ids).abs() < 4.0 * STANDARD_ERROR * distinct_ids);
    assert_eq!(id.min.as_deref(), Some("-1000"));
    let id_sum: i128 = c.ids.iter().map(|&v| v as i128).sum();
    assert_eq!(id.mean, Some(id_sum as f64 / ROWS as f64));
    assert!(id.top_values.is_empty());
    assert_eq!(id.quantile_error, RELATIVE_ERROR);
    let mut sorted_ids = c.ids.clone();
    sorted_ids.sort();
    for quantile in &id.quantiles {
        let truth = sorted_ids[(quantile.q * (ROWS - 1) as f64).floor() as usize] as f64;
        assert!((quantile.value - truth).abs() <= RELATIVE_ERROR * truth.abs(), "{quantile:?} vs {truth}");
    }

    // amount: nulls, NaNs, zeros and negatives exactly; quantiles exact (few distinct values).
    let amount = column(&result, "amount");
    let values: Vec<f64> = c.amounts.iter().flatten().copied().filter(|v| !v.is_nan()).collect();
    assert_eq!(amount.null_count, c.amounts.iter().filter(|v| v.is_none()).count() as u64);
    assert_eq!(amount.nan_count, c.amounts.iter().flatten().filter(|v| v.is_nan()).count() as u64);
    assert_eq!(amount.zero_count, Some(values.iter().filter(|&&v| v == 0.0).count() as u64));
    assert_eq!(amount.negative_count, Some(values.iter().filter(|&&v| v < 0.0).count() as u64));
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(amount.min, Some(serde_json::Value::from(sorted[0]).to_string()));
    assert!(!amount.distinct_estimated);
    assert_eq!(amount.quantile_error, 0.0);
    let expected: Vec<f64> =
        QUANTILES.iter().map(|q| sorted[(q * (sorted.len() - 1) as f64).floor() as usize]).collect();
    assert_eq!(amount.quantiles.iter().map(|q| q.value).collect::<Vec<_>>(), expected);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!((amount.mean.unwrap() - mean).abs() < 1e-9 * mean.abs().max(1.0));
    assert!((amount.stdev.unwrap() - variance.sqrt()).abs() < 1e-9 * variance.sqrt());
    assert_eq!(amount.histogram.iter().map(|b| b.count).sum::<u64>(), values.len() as u64);
    let first_bin = values.iter().filter(|&&v| v < amount.histogram[0].high).count() as u64;
    assert_eq!(amount.histogram[0].count, first_bin);

    // code: exact distinct count, top values, lengths, and a pattern every value matches.
    let code = column(&result, "code");
    let mut counts: HashMap<&str, u64> = HashMap::new();
    c.codes.iter().flatten().for_each(|v| *counts.entry(v.as_str()).or_default() += 1);
    assert_eq!((code.distinct_count, code.distinct_estimated), (counts.len() as u64, false));
    let mut top: Vec<(u64, &str)> = counts.iter().map(|(v, n)| (*n, *v)).collect();
    top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let ours: Vec<(u64, &str)> = code.top_values.iter().map(|v| (v.count, v.value.as_str())).collect();
    assert_eq!(ours, top[..3].to_vec());
    let lengths: Vec<usize> = c.codes.iter().flatten().map(|v| v.chars().count()).collect();
    assert_eq!(code.length_min, lengths.iter().min().map(|&l| l as u64));
    assert_eq!(code.length_max, lengths.iter().max().map(|&l| l as u64));
    assert_eq!(code.null_percent, c.codes.iter().filter(|v| v.is_none()).count() as f64 * 100.0 / ROWS as f64);

    // day: dates as ISO text.
    let day = column(&result, "day");
    assert_eq!(day.logical_type, "date");
    let first = truthound_guest::temporal::format_date(*c.days.iter().min().unwrap() as i64);
    assert_eq!(day.min, Some(format!("\"{first}\"")));
}

#[test]
fn a_higher_distinct_limit_makes_distinct_and_duplicate_counts_exact() {
    let c = columns();
    let mut profiler = Profiler::new(ProfileOptions { distinct_limit: 2_000_000, ..options() }).unwrap();
    profiler.feed_batch(&batch(&c)).unwrap();
    let result = profiler.finish().unwrap();
    assert_eq!((result.duplicate_row_count, result.duplicate_rows_estimated), (1, false));
    let distinct_ids = c.ids.iter().collect::<std::collections::HashSet<_>>().len() as u64;
    assert_eq!((column(&result, "id").distinct_count, column(&result, "id").distinct_estimated), (distinct_ids, false));
    assert_eq!(column(&result, "id").quantile_error, 0.0);
}

#[test]
fn patterns_match_every_value_when_asked_for() {
    let c = columns();
    let data = batch(&c).slice(0, 50_000);
    let mut profiler = Profiler::new(ProfileOptions { infer_patterns: true, ..ProfileOptions::default() }).unwrap();
    profiler.feed_batch(&data).unwrap();
    let result = profiler.finish().unwrap();
    let pattern = column(&result, "code").pattern.clone().expect("codes have few shapes");
    let regex = regex::Regex::new(&pattern).unwrap();
    assert!(c.codes[..50_000].iter().flatten().all(|v| regex.is_match(v)), "{pattern}");
    assert!(!regex.is_match("C1-xxxx"), "{pattern}");
}

#[test]
fn profiles_do_not_depend_on_batches_or_merges() {
    let c = columns();
    let data = batch(&c).slice(0, 300_000);
    let whole = profile(&data, 300_000);
    assert_eq!(profile(&data, 4_099), whole);
    let mut merged = Profiler::new(options()).unwrap();
    for (start, len) in [(0, 1), (1, 150_000), (150_001, 149_999)] {
        let mut part = Profiler::new(options()).unwrap();
        part.feed_batch(&data.slice(start, len)).unwrap();
        merged.merge_state(&part.export_state()).unwrap();
    }
    assert_eq!(merged.finish().unwrap(), whole);
}

#[test]
fn sample_size_limits_the_rows_profiled() {
    let c = columns();
    let data = batch(&c).slice(0, 10_000);
    let mut profiler = Profiler::new(ProfileOptions { sample_size: 2_500, ..ProfileOptions::default() }).unwrap();
    profiler.feed_batch(&data.slice(0, 2_000)).unwrap();
    assert!(profiler.wants_rows());
    profiler.feed_batch(&data.slice(2_000, 8_000)).unwrap();
    assert!(!profiler.wants_rows());
    let result = profiler.finish().unwrap();
    assert_eq!((result.row_count, result.sampled), (2_500, true));
    assert_eq!(column(&result, "id").max.as_deref(), Some(((2_499 * 3) - 1000).to_string().as_str()));
}
