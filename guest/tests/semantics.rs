//! Rule semantics through the public engine API, checked against hand-computed answers.

mod support;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int64Array};
use std::sync::Arc;
use support::{batch, check, check_with, only, strings};
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, ErrorKind, ReportSeverity, Status};

#[test]
fn unique_marks_every_occurrence_of_a_repeated_value_and_ignores_nulls() {
    let data =
        batch(vec![("e", strings(&[Some("a"), Some("b"), Some("a"), None, None, Some("c"), Some("a"), Some("b")]))]);
    let result = check("- {type: unique, column: e}", &[data]);
    let rule = only(&result);
    assert_eq!(rule.unexpected_count, 5, "three a's and two b's");
    assert_eq!(rule.evaluated_count, 6);
    assert_eq!(rule.null_count, 2);
    let rows: Vec<u64> = rule.samples.iter().map(|s| s.row).collect();
    assert_eq!(rows, vec![0, 1, 2, 6, 7]);
    assert_eq!(rule.samples[0].value, "a");
    assert_eq!(rule.status, Status::Failed);
}

#[test]
fn regex_is_a_search_unless_anchored() {
    let data = batch(vec![("s", strings(&[Some("abc"), Some("xabcx"), Some("ab"), None]))]);
    let search = check("- {type: regex, column: s, pattern: abc}", std::slice::from_ref(&data));
    assert_eq!(only(&search).unexpected_count, 1);
    let anchored = check("- {type: regex, column: s, pattern: '^abc$'}", std::slice::from_ref(&data));
    assert_eq!(only(&anchored).unexpected_count, 2);
    let negated = check("- {type: not_regex, column: s, pattern: abc}", &[data]);
    assert_eq!(only(&negated).unexpected_count, 2);
}

#[test]
fn lengths_count_characters() {
    let data = batch(vec![("s", strings(&[Some("héllo"), Some("日本語"), Some("abcdef"), None]))]);
    let max = check("- {type: max_length, column: s, max_length: 5}", std::slice::from_ref(&data));
    assert_eq!(only(&max).unexpected_count, 1, "only abcdef has more than 5 characters");
    let min = check("- {type: min_length, column: s, value: 4}", std::slice::from_ref(&data));
    assert_eq!(only(&min).unexpected_count, 1, "日本語 has 3 characters (9 bytes)");
    let between = check("- {type: length_between, column: s, min: 4, max: 5}", std::slice::from_ref(&data));
    assert_eq!(only(&between).unexpected_count, 2, "日本語 is too short, abcdef too long");
    let exact = check("- {type: length_between, column: s, min: 3, max: 3}", &[data]);
    assert_eq!(only(&exact).unexpected_count, 2, "only 日本語 has exactly 3 characters");
}

#[test]
fn ranges_are_inclusive_unless_strict_and_nan_is_outside() {
    let data = batch(vec![
        ("i", Arc::new(Int64Array::from(vec![Some(0), Some(5), Some(10), Some(11), None, Some(-1)])) as ArrayRef),
        ("f", Arc::new(Float64Array::from(vec![0.0, 5.0, 10.0, f64::NAN, 2.5, 10.5])) as ArrayRef),
    ]);
    let counts = |rules: &str| -> Vec<u64> {
        check(rules, std::slice::from_ref(&data)).rule_results.iter().map(|r| r.unexpected_count).collect()
    };
    assert_eq!(counts("- {type: in_range, column: i, min: 0, max: 10}"), vec![2]);
    assert_eq!(counts("- {type: in_range, column: i, min: 0, max: 10, strict_min: true, strict_max: true}"), vec![4]);
    assert_eq!(counts("- {type: in_range, column: i, min_value: 5}"), vec![2]);
    assert_eq!(counts("- {type: in_range, column: i, max: 4.5}"), vec![3]);
    assert_eq!(counts("- {type: in_range, column: f, min: 0, max: 10}"), vec![2], "NaN and 10.5");
    assert_eq!(counts("- {type: greater_than, column: i, value: 0}"), vec![2]);
    assert_eq!(counts("- {type: less_than, column: f, threshold: 10}"), vec![3]);
}

#[test]
fn sets_ignore_nulls_and_match_numbers_written_as_text() {
    let data = batch(vec![
        ("s", strings(&[Some("a"), Some("b"), Some("z"), None])),
        ("n", Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(3), None])) as ArrayRef),
    ]);
    let result = check(
        "- {type: in_set, column: s, values: [a, b]}\n- {type: not_in_set, column: s, value_set: [z]}\n- {type: in_set, column: n, allowed_values: ['1', 2]}",
        &[data],
    );
    let counts: Vec<u64> = result.rule_results.iter().map(|r| r.unexpected_count).collect();
    assert_eq!(counts, vec![1, 1, 1]);
    assert_eq!(result.rule_results[2].samples[0].value, "3");
}

#[test]
fn dictionary_columns_give_the_same_answers_as_plain_ones() {
    let values = ["x", "y", "x", "w", "y", "x"];
    let plain = batch(vec![("c", strings(&values.map(Some)))]);
    let dictionary: DictionaryArray<Int32Type> = values.into_iter().collect();
    let encoded = batch(vec![("c", Arc::new(dictionary) as ArrayRef)]);
    let rules = "- {type: in_set, column: c, values: [x, y]}\n- {type: unique, column: c}\n- {type: regex, column: c, pattern: '^x$'}";
    assert_eq!(check(rules, &[plain]).rule_results, check(rules, &[encoded]).rule_results);
}

#[test]
fn mostly_tolerates_a_share_of_failures() {
    let values: Vec<Option<i64>> = (0..100).map(|i| if i < 5 { None } else { Some(i) }).collect();
    let data = batch(vec![("v", Arc::new(Int64Array::from(values)) as ArrayRef)]);
    let passing = check("- {type: not_null, column: v, mostly: 0.95}", std::slice::from_ref(&data));
    assert_eq!(only(&passing).status, Status::Passed);
    assert_eq!(only(&passing).unexpected_count, 5);
    let failing = check("- {type: not_null, column: v, mostly: 0.96}", &[data]);
    assert_eq!(only(&failing).status, Status::Failed);
}

#[test]
fn severities_decide_failures_and_warnings_and_the_pass_rate() {
    let data = batch(vec![("v", Arc::new(Int64Array::from(vec![None, Some(1)])) as ArrayRef)]);
    let rules = "- {type: not_null, column: v}\n- {type: not_null, column: v, severity: warning}\n- {type: not_null, column: v, severity: info}\n- {type: row_count, min: 1}";
    let result = check(rules, std::slice::from_ref(&data));
    assert_eq!((result.passed_count, result.failed_count, result.warning_count), (1, 1, 2));
    assert_eq!(result.status, Status::Failed);
    let lenient =
        CheckOptions { sample_failures: 10, min_severity: ReportSeverity::Critical, ..CheckOptions::default() };
    let result = check_with(rules, lenient, &[data]);
    assert_eq!((result.passed_count, result.failed_count, result.warning_count), (1, 0, 3));
    assert_eq!(result.status, Status::Warning);
}

#[test]
fn table_rules_read_the_schema_and_row_count() {
    let data = batch(vec![("v", Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])) as ArrayRef)]);
    let rules = "- {type: column_exists, column: missing}\n- {type: dtype, column: v, dtype: int}\n- {type: dtype, column: v, dtype: int32}\n- {type: row_count, min: 1, max: 2}\n- {type: completeness_ratio, column: v, min_ratio: 0.6}";
    let statuses: Vec<Status> = check(rules, &[data]).rule_results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Status::Failed, Status::Passed, Status::Failed, Status::Failed, Status::Passed]);
}

#[test]
fn unknown_columns_and_unusable_types_are_errors_naming_the_rule() {
    let data = batch(vec![("amount", Arc::new(Int64Array::from(vec![1])) as ArrayRef)]);
    let mut checker = Checker::new("- {type: not_null, column: amout}", CheckOptions::default()).unwrap();
    let error = checker.feed_batch(&data).unwrap_err();
    assert_eq!(error.kind, ErrorKind::UnknownColumn);
    assert!(
        error.message.contains("unknown column 'amout'") && error.message.contains("did you mean 'amount'"),
        "{}",
        error.message
    );
    let mut checker = Checker::new("- {type: regex, column: amount, pattern: x}", CheckOptions::default()).unwrap();
    let error = checker.feed_batch(&data).unwrap_err();
    assert_eq!(error.kind, ErrorKind::RuleDocument);
    assert!(
        error.message.contains("rule 1 (regex on 'amount')") && error.message.contains("string column"),
        "{}",
        error.message
    );
}

#[test]
fn malformed_rules_are_rejected_before_any_data() {
    let cases = [
        ("- {type: not_nul, column: a}", "did you mean 'not_null'"),
        ("- {type: in_range, column: a}", "give 'min', 'max' or both"),
        ("- {type: in_range, column: a, min: 1, mn: 2}", "unknown parameter 'mn'"),
        ("- {type: in_set, column: a, values: []}", "at least one value"),
        ("- {type: most_common_value_in_set, column: a, values: [], ties_okay: true}", "at least one value"),
        ("- {type: regex, column: a, pattern: '('}", "invalid pattern"),
        ("- {type: row_count, column: a, min: 1}", "takes no 'column'"),
        ("- {type: dtype, column: a, dtype: blob}", "unknown dtype 'blob'"),
        ("- {type: unique}", "missing required field 'column'"),
        ("- {type: row_count, min: 1, mostly: 0.5}", "'mostly' applies to row-by-row rules only"),
        ("- {type: length_between, column: a, min: 5, max: 2}", "'min' (5) is greater than 'max' (2)"),
    ];
    for (rules, expected) in cases {
        let error =
            Checker::new(rules, CheckOptions::default()).err().unwrap_or_else(|| panic!("{rules} was accepted"));
        assert_eq!(error.kind, ErrorKind::RuleDocument);
        assert!(error.message.contains(expected), "{rules}: {}", error.message);
        assert_eq!(error.message.matches("rule 1 (").count(), 1, "the rule is named once: {}", error.message);
    }
}

#[test]
fn timestamps_compare_with_iso_bounds_and_zoned_samples_say_utc() {
    use arrow_array::TimestampMillisecondArray;
    let day = 86_400_000i64;
    let zoned =
        TimestampMillisecondArray::from(vec![Some(19_723 * day), Some(19_000 * day), None]).with_timezone("UTC");
    let naive = TimestampMillisecondArray::from(vec![Some(19_723 * day), Some(19_000 * day), None]);
    let data = batch(vec![("z", Arc::new(zoned) as ArrayRef), ("n", Arc::new(naive) as ArrayRef)]);
    let rules = "- {type: in_range, column: z, min: '2024-01-01'}\n- {type: in_range, column: n, min: '2024-01-01T00:00:00Z', strict_min: true}\n- {type: unique, column: z}";
    let result = check(rules, &[data]);
    assert_eq!(result.rule_results[0].unexpected_count, 1);
    assert_eq!(result.rule_results[0].samples[0].value, "2022-01-08T00:00:00Z");
    assert_eq!(result.rule_results[1].unexpected_count, 2, "2024-01-01 itself fails a strict minimum");
    assert_eq!(result.rule_results[1].samples[1].value, "2022-01-08T00:00:00");
    assert_eq!(result.rule_results[2].unexpected_count, 0);
}

#[test]
fn a_column_of_nothing_but_nulls_passes_value_rules_and_fails_not_null() {
    let data = batch(vec![("empty", Arc::new(arrow_array::NullArray::new(3)) as ArrayRef)]);
    let rules = "- {type: in_range, column: empty, min: 0}\n- {type: regex, column: empty, pattern: x}\n- {type: unique, column: empty}\n- {type: in_set, column: empty, values: [a]}\n- {type: max_length, column: empty, value: 1}\n- {type: not_null, column: empty}";
    let result = check(rules, &[data]);
    let statuses: Vec<Status> = result.rule_results.iter().map(|r| r.status).collect();
    assert_eq!(statuses[..5], [Status::Passed; 5]);
    assert!(result.rule_results[..5].iter().all(|r| r.evaluated_count == 0 && r.null_count == 3));
    assert_eq!((statuses[5], result.rule_results[5].unexpected_count), (Status::Failed, 3));
}

#[test]
fn compound_unique_counts_combinations_and_skips_rows_missing_every_value() {
    // Great Expectations 1.24.1 (expect_compound_columns_to_be_unique) on the same rows:
    // unexpected_index_list [0, 2, 5, 6], missing_count 2.
    let data = batch(vec![
        ("a", strings(&[Some("a"), Some("a"), Some("a"), None, None, Some("b"), Some("b")])),
        ("b", Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(1), None, None, None, None])) as ArrayRef),
    ]);
    let result = check("- {type: unique, columns: [a, b]}", &[data]);
    let rule = only(&result);
    assert_eq!((rule.unexpected_count, rule.evaluated_count), (4, 5));
    let rows: Vec<u64> = rule.samples.iter().map(|s| s.row).collect();
    assert_eq!(rows, vec![0, 2, 5, 6]);
    assert_eq!(rule.samples[2].value, "(b, null)");
    let error = Checker::new("- {type: unique, column: a, columns: [a, b]}", CheckOptions::default()).err().unwrap();
    assert!(error.message.contains("give 'column' or 'columns'"), "{}", error.message);
}
