//! `check --engine great_expectations|ge|pandera` and `--format great_expectations` through the
//! real binary: the rule format is selected and reported, results map back to the suite or
//! schema, and problems in them exit 2 naming every culprit.

mod support;

use serde_json::Value;
use support::{run, run_in};

const DATA: &str = "examples/orders.csv";
const SUITE: &str = "examples/orders.gx.json";
const SCHEMA: &str = "examples/orders.pandera.yaml";

fn rule_results(outputs: &Value) -> Vec<Value> {
    outputs["result"]["rule_results"].as_array().unwrap().clone()
}

#[test]
fn the_engine_selects_the_rule_format_and_is_reported_under_every_spelling() {
    for spelling in [
        ["--engine", "great_expectations"],
        ["--engine", "ge"],
        ["--engine-name", "great-expectations"],
        ["--engine_name", "ge"],
    ] {
        let run = run(&["check", DATA, "--rules", SUITE, spelling[0], spelling[1]]);
        run.expect_code(0);
        let outputs = run.outputs();
        assert_eq!(outputs["result"]["metadata"]["engine"], "great_expectations", "{spelling:?}");
        assert_eq!(outputs["result"]["metadata"]["suite_name"], "orders");
        let results = rule_results(&outputs);
        assert_eq!(results.len(), 10, "one rule per expectation");
        assert_eq!(results[6]["index"], 6);
        assert_eq!(results[6]["name"], "expect_column_values_to_be_between(amount)");
        assert_eq!(results[6]["status"], "warning", "GX severity warning");
        assert_eq!(results[6]["unexpected_count"], 6);
        assert_eq!(results[6]["origin"]["expectation_config"]["kwargs"]["min_value"], 0);
    }
    let pandera = run(&["check", DATA, "--rules", SCHEMA, "--engine", "pandera"]);
    pandera.expect_code(0);
    let outputs = pandera.outputs();
    assert_eq!(outputs["result"]["metadata"]["engine"], "pandera");
    let results = rule_results(&outputs);
    let email = results.iter().find(|r| r["origin"]["check"].as_str().is_some_and(|c| c.starts_with("str_matches")));
    let email = email.expect("the email check");
    assert_eq!(email["origin"]["column"], "email");
    assert_eq!(email["origin"]["check_number"], 0);
    assert_eq!(email["status"], "warning", "raise_warning: true");
    assert_eq!(email["unexpected_count"], 4);
}

#[test]
fn the_gx_format_prints_a_validation_result_after_the_protocol_lines() {
    let run = run(&["check", DATA, "--rules", SUITE, "--engine", "ge", "--format", "great_expectations"]);
    run.expect_code(0);
    assert_eq!(run.protocol().len(), 3, "outputs, metrics and the summary log");
    let report: String = run.stdout.lines().skip_while(|l| l.starts_with("::")).collect::<Vec<_>>().join("\n");
    let validation: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(validation["success"], false, "warnings are unsuccessful expectations in GX");
    assert_eq!(validation["statistics"]["evaluated_expectations"], 10);
    assert_eq!(validation["statistics"]["unsuccessful_expectations"], 4);
    let between = &validation["results"][6];
    assert_eq!(between["expectation_config"]["type"], "expect_column_values_to_be_between");
    assert_eq!(between["result"]["unexpected_count"], 6);
    assert_eq!(between["result"]["partial_unexpected_index_list"].as_array().unwrap().len(), 6);
    assert_eq!(validation["results"][9]["result"], serde_json::json!({}), "expect_column_to_exist");

    let dir = tempfile::tempdir().unwrap();
    let root = support::repo_root();
    let path = dir.path().join("validation.json");
    let (data, rules) = (root.join(DATA), root.join("examples/orders.rules.yaml"));
    let args = [
        "check",
        data.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "ge",
        "--output",
        path.to_str().unwrap(),
    ];
    run_in(dir.path(), &args).expect_code(0);
    let validation: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(validation["results"][0]["expectation_config"]["type"], "not_null", "truthound rules keep their names");
}

#[test]
fn problems_in_a_suite_or_schema_exit_2_naming_each_culprit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = support::repo_root().join(DATA);
    let data = data.to_str().unwrap();
    std::fs::write(
        d.join("suite.json"),
        r#"{"expectations": [
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": "email"}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0, "maxx": 1}}
        ]}"#,
    )
    .unwrap();
    let suite = run_in(d, &["check", data, "--rules", "suite.json", "--engine", "ge"]);
    suite.expect_code(2);
    assert_eq!(suite.outputs()["error"]["type"], "ConfigurationError", "only the error output");
    for expected in [
        "the Great Expectations suite cannot be used (2 problems)",
        "expectation 1 (expect_column_values_to_be_null on 'email'): not supported",
        "expectation 3 (expect_column_values_to_be_between on 'amount'): unknown parameter 'maxx'",
    ] {
        assert!(suite.stderr.contains(expected), "{expected:?} not in {}", suite.stderr);
    }

    std::fs::write(
        d.join("schema.yaml"),
        "columns:\n  amount:\n    dtype: float64\n    gt: 0\n    is_positive: true\n",
    )
    .unwrap();
    let schema = run_in(d, &["check", data, "--rules", "schema.yaml", "--engine", "pandera"]);
    schema.expect_code(2);
    assert!(schema.stderr.contains("column 'amount' check is_positive: not a supported check"), "{}", schema.stderr);

    let missing_column = run_in(d, &["check", data, "--rules", "schema.yaml", "--engine", "ge"]);
    missing_column.expect_code(2);
    assert!(missing_column.stderr.contains("no 'expectations' list"), "{}", missing_column.stderr);

    let rule = run_in(d, &["check", data, "--engine", "pandera", "--rule", r#"{"type": "not_null", "column": "id"}"#]);
    rule.expect_code(2);
    assert!(rule.stderr.contains("--rule takes truthound rules"), "{}", rule.stderr);
}
