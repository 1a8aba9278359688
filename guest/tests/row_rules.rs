//! Rules over several columns of a row (column pairs, sums across columns) and over the order of
//! rows (increasing, decreasing). The expected answers come from Great Expectations 1.24.1 on
//! the same values (pandas data source, result_format COMPLETE), or are counted by hand.

mod support;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Date32Array, DictionaryArray, Float64Array, Int64Array, TimestampMillisecondArray, TimestampSecondArray,
};
use std::sync::Arc;
use support::{batch, check, check_error, only, sample_rows, strings};
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, ErrorKind, Status};

fn ints(values: &[Option<i64>]) -> ArrayRef {
    Arc::new(Int64Array::from(values.to_vec()))
}

fn floats(values: &[Option<f64>]) -> ArrayRef {
    Arc::new(Float64Array::from(values.to_vec()))
}

/// GX's example pair: `a` and `b` with a row where both are missing and rows where one is.
fn pair() -> arrow_array::RecordBatch {
    batch(vec![
        ("a", ints(&[Some(5), Some(3), None, Some(4), None, Some(7), Some(1)])),
        ("b", ints(&[Some(3), Some(3), Some(2), None, None, Some(7), Some(2)])),
    ])
}

#[test]
fn pair_comparisons_skip_rows_missing_both_values_and_fail_rows_missing_one() {
    // GX: unexpected_index_list [1, 2, 3, 5, 6], missing_count 1, unexpected_percent 83.3.
    let result = check("- {type: column_pair_greater_than, column_a: a, column_b: b}", &[pair()]);
    let rule = only(&result);
    assert_eq!((rule.evaluated_count, rule.unexpected_count), (6, 5));
    assert_eq!(sample_rows(rule), [1, 2, 3, 5, 6]);
    let values: Vec<&str> = rule.samples.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(values, ["(3, 3)", "(null, 2)", "(4, null)", "(7, 7)", "(1, 2)"]);
    assert!((rule.unexpected_percent - 500.0 / 6.0).abs() < 1e-9);
    assert_eq!(rule.null_count, 3, "rows with a null in either column");
    assert_eq!((rule.column.as_deref(), rule.name.as_str()), (Some("a"), "column_pair_greater_than(a, b)"));
    assert!(rule.message.starts_with("5 of 6 rows of ('a', 'b')"), "{}", rule.message);

    // GX with or_equal: [2, 3, 6].
    let result = check("- {type: column_pair_greater_than, column_A: a, column_B: b, or_equal: true}", &[pair()]);
    assert_eq!(sample_rows(only(&result)), [2, 3, 6]);
    // GX expect_column_pair_values_to_be_equal: [0, 2, 3, 6].
    let result = check("- {type: column_pair_equal, column_a: a, column_b: b}", &[pair()]);
    assert_eq!(sample_rows(only(&result)), [0, 2, 3, 6]);
    assert_eq!(only(&result).evaluated_count, 6);
}

#[test]
fn ignore_row_if_chooses_the_rows_with_nulls_that_count() {
    let counts = |option: &str| {
        let rule = format!("- {{type: column_pair_greater_than, column_a: a, column_b: b, ignore_row_if: {option}}}");
        let result = check(&rule, &[pair()]);
        (only(&result).evaluated_count, sample_rows(only(&result)))
    };
    assert_eq!(counts("both_values_are_missing"), (6, vec![1, 2, 3, 5, 6]));
    assert_eq!(counts("either_value_is_missing"), (4, vec![1, 5, 6]));
    assert_eq!(counts("neither"), (7, vec![1, 2, 3, 4, 5, 6]));
}

#[test]
fn string_pairs_compare_for_equality() {
    // GX: unexpected [1, 3] (('b', 'c') and ('a', nan)), one row missing both.
    let data = batch(vec![
        ("s", strings(&[Some("a"), Some("b"), None, Some("a")])),
        ("t", strings(&[Some("a"), Some("c"), None, None])),
    ]);
    let result = check("- {type: column_pair_equal, column_a: s, column_b: t}", std::slice::from_ref(&data));
    let rule = only(&result);
    assert_eq!((rule.evaluated_count, rule.unexpected_count), (3, 2));
    assert_eq!(rule.samples[0].value, "(b, c)");
    let dictionary: DictionaryArray<Int32Type> = [Some("a"), Some("b"), None, Some("a")].into_iter().collect();
    let encoded = batch(vec![("s", Arc::new(dictionary) as ArrayRef), ("t", data.column(1).clone())]);
    let again = check("- {type: column_pair_equal, column_a: s, column_b: t}", &[encoded]);
    assert_eq!(again.rule_results, result.rule_results);
}

#[test]
fn pairs_compare_integers_with_floats_exactly_and_dates_with_timestamps_across_units() {
    let big = 1i64 << 53;
    let data = batch(vec![
        ("i", ints(&[Some(big + 1), Some(2), Some(3)])),
        ("f", floats(&[Some(big as f64), Some(2.0), Some(f64::NAN)])),
    ]);
    let greater = check("- {type: column_pair_greater_than, column_a: i, column_b: f}", std::slice::from_ref(&data));
    assert_eq!(sample_rows(only(&greater)), [1, 2], "2^53 + 1 > 2^53 exactly; nothing is greater than NaN");
    let equal = check("- {type: column_pair_equal, column_a: f, column_b: i}", &[data]);
    assert_eq!(sample_rows(only(&equal)), [0, 2], "2.0 equals 2; NaN equals nothing");

    let day = 86_400i64;
    let data = batch(vec![
        ("ordered", Arc::new(Date32Array::from(vec![19_000, 19_000, 19_001])) as ArrayRef),
        (
            "shipped",
            Arc::new(TimestampMillisecondArray::from(vec![
                19_000 * day * 1000,
                19_000 * day * 1000 + 1,
                19_000 * day * 1000,
            ])) as ArrayRef,
        ),
        ("seconds", Arc::new(TimestampSecondArray::from(vec![19_000 * day, 19_000 * day, 19_001 * day])) as ArrayRef),
    ]);
    let rules = "- {type: column_pair_greater_than, column_a: shipped, column_b: ordered}\n- {type: column_pair_equal, column_a: ordered, column_b: seconds}";
    let result = check(rules, &[data]);
    assert_eq!(sample_rows(&result.rule_results[0]), [0, 2], "midnight is not after the day; a day earlier neither");
    assert_eq!(result.rule_results[1].unexpected_count, 0, "a date equals the timestamp of its midnight");
}

#[test]
fn sums_across_columns_skip_rows_missing_every_value() {
    // GX expect_multicolumn_sum_to_equal(sum_total=3): unexpected [1, 3], missing_count 1;
    // with mostly 0.5 it succeeds.
    let data = batch(vec![
        ("x", floats(&[Some(1.0), Some(2.0), None, None, Some(1.5)])),
        ("y", floats(&[Some(2.0), None, None, Some(3.0), Some(1.5)])),
        ("z", ints(&[Some(0), Some(1), None, Some(0), Some(0)])),
    ]);
    let result =
        check("- {type: multicolumn_sum_equal, columns: [x, y, z], sum_total: 3}", std::slice::from_ref(&data));
    let rule = only(&result);
    assert_eq!((rule.evaluated_count, rule.unexpected_count, rule.status), (4, 2, Status::Failed));
    assert_eq!(sample_rows(rule), [1, 3]);
    assert_eq!(rule.samples[0].value, "(2, null, 1)");
    let mostly = check("- {type: multicolumn_sum_equal, column_list: [x, y, z], sum_total: 3, mostly: 0.5}", &[data]);
    assert_eq!(only(&mostly).status, Status::Passed);
}

#[test]
fn integer_sums_are_exact_and_float_sums_are_compared_exactly() {
    let data = batch(vec![
        ("a", ints(&[Some(i64::MAX), Some(1), Some(2)])),
        ("b", ints(&[Some(i64::MAX), Some(2), Some(2)])),
        ("p", floats(&[Some(0.1), Some(0.5), Some(1.0)])),
        ("q", floats(&[Some(0.2), Some(0.25), Some(0.0)])),
    ]);
    let total = i128::from(i64::MAX) * 2;
    let rules = format!(
        "- {{type: multicolumn_sum_equal, columns: [a, b], sum_total: {total}}}\n- {{type: multicolumn_sum_equal, columns: [p, q], sum_total: 0.75}}\n- {{type: multicolumn_sum_equal, columns: [a, b], sum_total: 4.0}}"
    );
    let result = check(&rules, &[data]);
    let rows: Vec<Vec<u64>> = result.rule_results.iter().map(sample_rows).collect();
    assert_eq!(rows[0], [1, 2], "2 * i64::MAX is added without overflow or rounding");
    assert_eq!(rows[1], [0, 2], "0.1 + 0.2 is not 0.75, 0.5 + 0.25 is, 1 + 0 is not");
    assert_eq!(rows[2], [0, 1], "only 2 + 2 equals 4.0");
}

#[test]
fn increasing_and_decreasing_compare_each_value_with_the_previous_non_null_one() {
    // GX on [None, 1, 3, 2, None, 2, 5, 5, 4]: increasing [3, 8], strictly [3, 5, 7, 8];
    // decreasing [2, 6], strictly [2, 5, 6, 7]; 7 values evaluated.
    let values = [None, Some(1), Some(3), Some(2), None, Some(2), Some(5), Some(5), Some(4)];
    let data = batch(vec![("v", ints(&values))]);
    let rules = "- {type: increasing, column: v}\n- {type: increasing, column: v, strictly: true}\n- {type: decreasing, column: v}\n- {type: decreasing, column: v, strictly: true}";
    let result = check(rules, std::slice::from_ref(&data));
    let rows: Vec<Vec<u64>> = result.rule_results.iter().map(sample_rows).collect();
    assert_eq!(rows, [vec![3, 8], vec![3, 5, 7, 8], vec![2, 6], vec![2, 5, 6, 7]]);
    assert!(result.rule_results.iter().all(|r| r.evaluated_count == 7 && r.null_count == 2));
    // The same values one row per batch: the order carries across batches.
    let mut checker = Checker::new(rules, CheckOptions::default()).unwrap();
    for row in 0..data.num_rows() {
        checker.feed_batch(&data.slice(row, 1)).unwrap();
    }
    assert_eq!(checker.finish().unwrap().rule_results, result.rule_results);
}

#[test]
fn nan_breaks_every_order_without_becoming_the_reference() {
    let data = batch(vec![("v", floats(&[Some(f64::NAN), Some(1.0), Some(f64::NAN), Some(0.5), Some(2.0)]))]);
    let result = check("- {type: increasing, column: v}", &[data]);
    assert_eq!(sample_rows(only(&result)), [0, 2, 3], "NaN twice, and 0.5 after 1.0");
    assert_eq!(only(&result).samples[0].value, "NaN");
}

#[test]
fn increasing_dates_and_timestamps() {
    let data = batch(vec![("d", Arc::new(Date32Array::from(vec![Some(3), None, Some(3), Some(2)])) as ArrayRef)]);
    let result = check("- {type: increasing, column: d, strictly: true}", &[data]);
    assert_eq!(sample_rows(only(&result)), [2, 3]);
    assert_eq!(only(&result).samples[1].value, "1970-01-03");
}

#[test]
fn incomparable_columns_are_errors_naming_columns_and_parameters() {
    let data = batch(vec![("n", ints(&[Some(1)])), ("s", strings(&[Some("x")])), ("t", strings(&[Some("y")]))]);
    let cases = [
        (
            "- {type: column_pair_equal, column_a: n, column_b: s}",
            "column 'n' (column_a) has type Int64 and column 's' (column_b) has type Utf8",
        ),
        (
            "- {type: column_pair_greater_than, column_a: s, column_b: t}",
            "has type Utf8; column_pair_greater_than compares numbers with numbers and dates or timestamps with each other",
        ),
        ("- {type: multicolumn_sum_equal, columns: [n, s], sum_total: 1}", "column 's' (in 'columns') has type Utf8"),
        ("- {type: increasing, column: s}", "column 's' has type Utf8; increasing needs numbers"),
        ("- {type: column_pair_equal, column_a: n, column_b: missing}", "unknown column 'missing'"),
    ];
    for (rule, expected) in cases {
        let error = check_error(rule, std::slice::from_ref(&data));
        assert!(error.message.contains(expected), "{rule}: {}", error.message);
        assert!(error.message.starts_with("rule 1 ("), "{}", error.message);
    }
}

#[test]
fn malformed_row_rules_are_rejected_before_any_data() {
    let cases = [
        ("- {type: column_pair_equal, column_a: a}", "missing required field 'column_b'"),
        ("- {type: column_pair_equal, column: a, column_a: a, column_b: b}", "takes no 'column'"),
        (
            "- {type: column_pair_equal, column_a: a, column_b: b, ignore_row_if: always}",
            "'ignore_row_if' must be one of both_values_are_missing",
        ),
        (
            "- {type: column_pair_greater_than, column_a: a, column_b: b, or_equal: 1}",
            "'or_equal' must be true or false",
        ),
        ("- {type: multicolumn_sum_equal, columns: [a, a], sum_total: 1}", "lists 'a' twice"),
        ("- {type: multicolumn_sum_equal, columns: [a], sum_total: 1}", "at least two columns"),
        ("- {type: multicolumn_sum_equal, columns: [a, b]}", "missing required field 'sum_total'"),
        ("- {type: multicolumn_sum_equal, columns: [a, 1], sum_total: 1}", "must list column names"),
        ("- {type: increasing, column: a, strict: true}", "unknown parameter 'strict'"),
    ];
    for (rules, expected) in cases {
        let error =
            Checker::new(rules, CheckOptions::default()).err().unwrap_or_else(|| panic!("{rules} was accepted"));
        assert_eq!(error.kind, ErrorKind::RuleDocument);
        assert!(error.message.contains(expected), "{rules}: {}", error.message);
    }
}

#[test]
fn rules_over_several_columns_require_all_of_them() {
    let rules = "- {type: column_pair_equal, column_a: b, column_b: a}\n- {type: multicolumn_sum_equal, columns: [c, a, d], sum_total: 1}\n- {type: increasing, column: e}";
    let checker = Checker::new(rules, CheckOptions::default()).unwrap();
    assert_eq!(checker.required_columns(), ["b", "a", "c", "d", "e"]);
}
