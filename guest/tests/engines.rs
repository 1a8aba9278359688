//! Great Expectations suites and pandera schemas run through the engine's public API: results
//! keep each expectation's index, name, severity and origin, so they map back 1:1.

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use serde_json::{Value, json};
use std::sync::Arc;
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, CheckResult, RuleFormat, Status};
use truthound_guest::report::{ReportFormat, RunInfo, render_check};

fn data() -> RecordBatch {
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(2), None, Some(9)])) as ArrayRef),
        ("code", Arc::new(StringArray::from(vec![Some("ab1"), Some("xab"), None, Some(""), Some("abc")])) as ArrayRef),
    ])
    .unwrap()
}

fn check(text: &str, rule_format: RuleFormat) -> CheckResult {
    let mut checker = Checker::new(text, CheckOptions { rule_format, ..CheckOptions::default() }).unwrap();
    checker.feed_batch(&data()).unwrap();
    checker.finish().unwrap()
}

fn origin(result: &CheckResult, index: usize) -> Value {
    serde_json::from_str(result.rule_results[index].origin.as_deref().unwrap()).unwrap()
}

#[test]
fn a_gx_suite_runs_one_rule_per_expectation_at_its_index() {
    let suite = json!({"name": "codes", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id", "mostly": 0.8}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}, "severity": "warning"},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "code", "regex": "ab"}},
        {"type": "expect_column_value_lengths_to_equal", "kwargs": {"column": "code", "value": 3}},
        {"expectation_type": "expect_table_row_count_to_equal", "kwargs": {"value": 5}},
    ]});
    let result = check(&suite.to_string(), RuleFormat::GreatExpectations);
    let summary: Vec<(u32, &str, u64, Status)> =
        result.rule_results.iter().map(|r| (r.index, r.rule_type.as_str(), r.unexpected_count, r.status)).collect();
    assert_eq!(
        summary,
        [
            (0, "not_null", 1, Status::Passed),
            (1, "unique", 2, Status::Warning),
            (2, "regex", 1, Status::Failed),
            (3, "length_between", 1, Status::Failed),
            (4, "row_count", 0, Status::Passed),
        ],
        "a regex is a search (xab matches ab), lengths count the empty string"
    );
    assert_eq!(result.suite_name.as_deref(), Some("codes"));
    assert_eq!(result.rule_results[1].name, "expect_column_values_to_be_unique(id)");
    assert_eq!(origin(&result, 4)["expectation_config"]["type"], "expect_table_row_count_to_equal");

    let info = RunInfo {
        execution_time_ms: 1.0,
        timestamp: "now".into(),
        engine_name: "great_expectations".into(),
        source: "mem".into(),
    };
    let rendered: Value = serde_json::from_str(&render_check(&result, &info, ReportFormat::GreatExpectations)).unwrap();
    assert_eq!(rendered["success"], false);
    assert_eq!(rendered["statistics"]["successful_expectations"], 2);
    assert_eq!(rendered["results"][0]["expectation_config"]["kwargs"], json!({"column": "id", "mostly": 0.8}));
    assert_eq!(rendered["results"][2]["result"]["partial_unexpected_list"], json!([""]));
    assert_eq!(rendered["results"][4]["result"], json!({"observed_value": 5}));
}

#[test]
fn a_pandera_schema_runs_one_rule_per_check_named_as_in_failure_cases() {
    let schema = "
schema_type: dataframe
columns:
  id:
    dtype: int64
    unique: true
    in_range: {min_value: 1, max_value: 5}
  code:
    dtype: str
    nullable: true
    str_matches: ab
    str_contains: ab
";
    let result = check(schema, RuleFormat::Pandera);
    let summary: Vec<(&str, &str, u64)> =
        result.rule_results.iter().map(|r| (r.name.as_str(), r.rule_type.as_str(), r.unexpected_count)).collect();
    assert_eq!(
        summary,
        [
            ("dtype('int64')", "dtype", 0),
            ("not_nullable", "not_null", 1),
            ("field_uniqueness", "unique", 2),
            ("in_range(1, 5)", "in_range", 1),
            ("dtype('str')", "dtype", 0),
            ("str_matches('ab')", "regex", 2),
            ("str_contains('ab')", "regex", 1),
        ],
        "str_matches is anchored at the start (xab and the empty string fail), str_contains searches"
    );
    assert_eq!(
        origin(&result, 5),
        json!({"format": "pandera", "schema_context": "Column", "column": "code", "check": "str_matches('ab')", "check_number": 0})
    );
}

#[test]
fn errors_in_translated_rules_name_the_expectation() {
    let suite = json!({"expectations": [
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "code", "regex": "(?<=a)b"}},
    ]});
    let options = CheckOptions { rule_format: RuleFormat::GreatExpectations, ..CheckOptions::default() };
    let error = Checker::new(&suite.to_string(), options).err().unwrap();
    assert!(
        error.message.starts_with("expectation 1 (expect_column_values_to_match_regex on 'code'): invalid pattern"),
        "{}",
        error.message
    );
}
