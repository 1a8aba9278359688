//! Statistic, distinct-value and freshness rules against answers computed here independently.

use arrow_array::types::TimestampMicrosecondType;
use arrow_array::{ArrayRef, Float64Array, Int64Array, PrimitiveArray, RecordBatch, StringArray};
use serde_json::Value;
use std::sync::Arc;
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, RuleResult, Status};

fn data() -> RecordBatch {
    let ints: Vec<Option<i64>> =
        (0..1001).map(|i| if i % 10 == 3 { None } else { Some((i * 37) % 101 - 20) }).collect();
    let floats: Vec<Option<f64>> =
        (0..1001).map(|i| if i % 7 == 0 { None } else { Some((i as f64 * 0.731).sin() * 100.0 + 1e6) }).collect();
    let words: Vec<Option<&str>> =
        (0..1001).map(|i| [Some("x"), Some("y"), Some("y"), None, Some("z")][i % 5]).collect();
    let stamps: Vec<Option<i64>> = (0..1001).map(|i| Some(1_700_000_000_000_000 + i * 1_000_000)).collect();
    RecordBatch::try_from_iter([
        ("i", Arc::new(Int64Array::from(ints)) as ArrayRef),
        ("f", Arc::new(Float64Array::from(floats)) as ArrayRef),
        ("w", Arc::new(StringArray::from(words)) as ArrayRef),
        ("t", Arc::new(PrimitiveArray::<TimestampMicrosecondType>::from(stamps)) as ArrayRef),
    ])
    .unwrap()
}

fn run(rule: &str) -> RuleResult {
    let mut checker = Checker::new(&format!("- {rule}"), CheckOptions::default()).unwrap();
    let data = data();
    checker.feed_batch(&data.slice(0, 400)).unwrap();
    checker.feed_batch(&data.slice(400, 601)).unwrap();
    checker.finish().unwrap().rule_results.remove(0)
}

fn observed(result: &RuleResult) -> Value {
    serde_json::from_str(&result.observed_value).unwrap()
}

fn column_values<T: Copy>(column: &dyn arrow_array::Array, get: impl Fn(usize) -> T) -> Vec<T> {
    (0..column.len()).filter(|&i| column.is_valid(i)).map(get).collect()
}

fn ints() -> Vec<i64> {
    let data = data();
    let column = data.column(0).as_any().downcast_ref::<Int64Array>().unwrap().clone();
    column_values(&column, |i| column.value(i))
}

fn floats() -> Vec<f64> {
    let data = data();
    let column = data.column(1).as_any().downcast_ref::<Float64Array>().unwrap().clone();
    column_values(&column, |i| column.value(i))
}

#[test]
fn extremes_sums_and_means_equal_a_direct_computation() {
    let ints = ints();
    let (min, max) = (*ints.iter().min().unwrap(), *ints.iter().max().unwrap());
    assert_eq!(observed(&run("{type: min_between, column: i, min: -20}")), Value::from(min));
    assert_eq!(observed(&run("{type: max_between, column: i, max: 80}")), Value::from(max));
    let sum: i64 = ints.iter().sum();
    let result = run(&format!("{{type: sum_between, column: i, min: {sum}, max: {sum}}}"));
    assert_eq!((observed(&result), result.status), (Value::from(sum as f64), Status::Passed));
    let outside = run(&format!("{{type: sum_between, column: i, max: {}}}", sum - 1));
    assert_eq!(outside.status, Status::Failed);
    assert!(outside.message.contains("is not <="), "{}", outside.message);
    let mean = sum as f64 / ints.len() as f64;
    assert_eq!(observed(&run("{type: mean_between, column: i, min: 0}")).as_f64(), Some(mean));
    assert_eq!(run("{type: mean_between, column: i, min: 0}").evaluated_count, ints.len() as u64);
}

#[test]
fn the_standard_deviation_is_the_sample_one_without_cancellation() {
    let floats = floats();
    let n = floats.len() as f64;
    // Two-pass reference in long arithmetic over the deviations (the mean is about 1e6).
    let mean = floats.iter().sum::<f64>() / n;
    let variance = floats.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    let ours = observed(&run("{type: stdev_between, column: f, min: 0}")).as_f64().unwrap();
    assert!((ours - variance.sqrt()).abs() < 1e-9 * variance.sqrt(), "{ours} vs {}", variance.sqrt());
}

#[test]
fn medians_and_quantiles_follow_pandas() {
    let mut ints = ints();
    ints.sort();
    let n = ints.len();
    let median = if n % 2 == 1 { ints[n / 2] as f64 } else { (ints[n / 2 - 1] + ints[n / 2]) as f64 / 2.0 };
    assert_eq!(observed(&run("{type: median_between, column: i, min: -100}")).as_f64(), Some(median));
    let position = 0.9 * (n - 1) as f64;
    let nearest = ints[position.round_ties_even() as usize];
    let result =
        run(&format!("{{type: quantile_between, column: i, quantiles: [0.9], ranges: [[{nearest}, {nearest}]]}}"));
    assert_eq!(result.status, Status::Passed, "{}", result.message);
    assert_eq!(observed(&result)["values"][0], Value::from(nearest));
    let wrong = run("{type: quantile_between, column: i, quantiles: [0.5, 0.9], ranges: [[null, 1000], [1000, null]]}");
    assert_eq!(wrong.status, Status::Failed);
    assert!(wrong.message.contains("q0.9"), "{}", wrong.message);
}

#[test]
fn distinct_value_rules_count_exactly_and_ignore_nulls() {
    let ints = ints();
    let distinct: std::collections::BTreeSet<i64> = ints.iter().copied().collect();
    let count = run("{type: distinct_count_between, column: i, min: 1}");
    assert_eq!(observed(&count), Value::from(distinct.len()));
    let ratio = run("{type: unique_ratio_between, column: i, max: 1}");
    assert_eq!(observed(&ratio).as_f64(), Some(distinct.len() as f64 / ints.len() as f64));
    assert_eq!(run("{type: distinct_values_in_set, column: w, values: [x, y, z]}").status, Status::Passed);
    let unlisted = run("{type: distinct_values_in_set, column: w, values: [x, y]}");
    assert_eq!(unlisted.status, Status::Failed);
    assert!(unlisted.message.contains("1 unlisted value(s): z"), "{}", unlisted.message);
    assert_eq!(run("{type: distinct_values_contain_set, column: w, values: [x]}").status, Status::Passed);
    assert_eq!(run("{type: distinct_values_contain_set, column: w, values: [x, q]}").status, Status::Failed);
    assert_eq!(run("{type: distinct_values_equal_set, column: w, values: [z, y, x]}").status, Status::Passed);
    assert_eq!(run("{type: distinct_values_equal_set, column: w, values: [y, x]}").status, Status::Failed);
    assert_eq!(run("{type: distinct_values_in_set, column: i, values: [\"-20\", 1]}").status, Status::Failed);
    let mode = run("{type: most_common_value_in_set, column: w, values: [y]}");
    assert_eq!((mode.status, observed(&mode)), (Status::Passed, serde_json::json!(["y"])));
    assert_eq!(run("{type: most_common_value_in_set, column: w, values: [x, z]}").status, Status::Failed);
}

#[test]
fn distinct_value_messages_show_the_first_twenty_values_in_text_order() {
    let rendered: std::collections::BTreeSet<String> = ints().iter().map(|i| i.to_string()).collect();
    let unlisted: Vec<String> = rendered.iter().filter(|v| *v != "0").take(20).cloned().collect();
    let result = run("{type: distinct_values_in_set, column: i, values: [0]}");
    let expected = format!("{} unlisted value(s): {}", rendered.len() - 1, unlisted.join(", "));
    assert!(result.message.contains(&expected), "{}", result.message);
    let first: Vec<String> = rendered.iter().take(20).cloned().collect();
    assert_eq!(observed(&result), serde_json::json!(first));
}

#[test]
fn freshness_measures_the_newest_timestamp_against_now() {
    // The newest stamp is 1_700_000_000 + 1000 s = 2023-11-14T22:30:00Z.
    let fresh = run("{type: freshness, column: t, max_age: 1h, now: '2023-11-14T23:30:00Z'}");
    assert_eq!(fresh.status, Status::Passed, "{}", fresh.message);
    assert_eq!(observed(&fresh)["age_seconds"].as_f64(), Some(3600.0));
    assert_eq!(observed(&fresh)["newest"], Value::from("2023-11-14T22:30:00"));
    let stale = run("{type: freshness, column: t, max_age: PT59M, now: '2023-11-14T23:30:00Z'}");
    assert_eq!(stale.status, Status::Failed);
    let error = Checker::new("- {type: freshness, column: t, max_age: soon}", CheckOptions::default()).err().unwrap();
    assert!(error.message.contains("'max_age' must be seconds or a duration"), "{}", error.message);
}

#[test]
fn statistic_rules_refuse_columns_they_cannot_measure() {
    let mut checker = Checker::new("- {type: mean_between, column: w, min: 0}", CheckOptions::default()).unwrap();
    let error = checker.feed_batch(&data()).unwrap_err();
    assert!(error.message.contains("column 'w' has type Utf8; the rule needs numbers"), "{}", error.message);
}
