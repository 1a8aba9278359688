//! The `check` command as Kestra runs it: protocol lines on stdout, nothing on stderr, exit codes,
//! presets and report files.

mod support;

use serde_json::Value;
use support::{run, run_in};

const EXAMPLE: [&str; 4] = ["check", "examples/orders.csv", "--rules", "examples/orders.rules.yaml"];

#[test]
fn the_readme_example_prints_the_seed_envelope_and_metrics() {
    let run = run(&EXAMPLE);
    run.expect_code(0);
    assert!(run.stderr.is_empty(), "stderr turns a Kestra task into WARNING: {}", run.stderr);
    assert!(run.stdout.lines().all(|l| l.starts_with("::{") && l.ends_with("}::")), "{}", run.stdout);
    let outputs = run.outputs();
    for key in ["result", "status", "is_success", "timestamp", "summary"] {
        assert!(outputs.get(key).is_some(), "missing {key}");
    }
    let summary = &outputs["summary"];
    for key in ["passed_count", "failed_count", "total_count", "pass_rate", "pass_rate_formatted", "execution_time"] {
        assert!(summary.get(key).is_some(), "summary misses {key}");
    }
    assert_eq!(outputs["status"], "warning");
    assert_eq!(outputs["is_success"], true);
    assert_eq!(summary["passed_count"], 7);
    assert_eq!(summary["failed_count"], 0);
    assert_eq!(summary["warning_count"], 4);
    assert_eq!(summary["total_count"], 7, "warnings are not counted in total_count");
    assert_eq!(summary["pass_rate_formatted"], "100.0%");
    assert_eq!(outputs["result"]["total_rows"], 1000);
    assert_eq!(outputs["result"]["metadata"]["suite_name"], "orders");
    assert!(outputs["timestamp"].as_str().unwrap().ends_with("+00:00"));
    assert_eq!(run.metric("rows")["value"], 1000.0);
    assert_eq!(run.metric("warnings")["value"], 4.0);
    assert_eq!(run.metric("duration")["type"], "timer");
}

#[test]
fn failing_rules_exit_1_unless_fail_on_error_is_off() {
    let rule = r#"{"type": "in_range", "column": "amount", "min": 0}"#;
    let failing = run(&["check", "examples/orders.csv", "--rule", rule]);
    failing.expect_code(1);
    let outputs = failing.outputs();
    assert_eq!(outputs["status"], "failed");
    assert_eq!(outputs["summary"]["pass_rate"], 0.0);
    let failure = &outputs["result"]["failures"][0];
    assert_eq!(failure["rule_type"], "in_range");
    assert_eq!(failure["column"], "amount");
    assert_eq!(failure["severity"], "high");
    assert_eq!(failure["failed_count"], 6);
    run(&["check", "examples/orders.csv", "--rule", rule, "--no-fail-on-error"]).expect_code(0);
    run(&["check", "examples/orders.csv", "--rule", rule, "--preset", "lenient"]).expect_code(0);
    run(&["check", "examples/orders.csv", "--rule", rule, "--preset", "lenient", "--fail-on-error"]).expect_code(1);
}

#[test]
fn repeated_rule_options_form_one_document() {
    let run = run(&[
        "check",
        "examples/orders.csv",
        "--rule",
        r#"{"type": "not_null", "column": "order_id"}"#,
        "--rule",
        r#"{"check": "unique", "column": "order_id", "severity": "critical"}"#,
    ]);
    run.expect_code(0);
    let results = run.outputs()["result"]["rule_results"].as_array().unwrap().clone();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1]["rule_type"], "unique");
    assert_eq!(results[1]["severity"], "critical");
}

#[test]
fn presets_set_min_severity_and_sample_size() {
    let rule = r#"{"type": "not_null", "column": "email"}"#;
    let strict = run(&["check", "examples/orders.csv", "--rule", rule, "--preset", "strict"]);
    strict.expect_code(1);
    assert_eq!(strict.outputs()["result"]["rule_results"][0]["samples"].as_array().unwrap().len(), 10);
    let few = run(&["check", "examples/orders.csv", "--rule", rule, "--sample-failures", "3"]);
    assert_eq!(few.outputs()["result"]["rule_results"][0]["samples"].as_array().unwrap().len(), 3);
    // An error-severity rule is "high": below a critical minimum it only warns.
    let warned = run(&["check", "examples/orders.csv", "--rule", rule, "--min-severity", "critical"]);
    warned.expect_code(0);
    assert_eq!(warned.outputs()["status"], "warning");
}

#[test]
fn reports_are_written_in_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let root = support::repo_root();
    let data = root.join("examples/orders.csv");
    let rules = root.join("examples/orders.rules.yaml");
    for (format, check) in [
        (
            "json",
            (|text: &str| serde_json::from_str::<Value>(text).unwrap()["status"] == "warning") as fn(&str) -> bool,
        ),
        ("yaml", |text: &str| text.contains("status: warning") && text.contains("pass_rate_formatted: 100.0%")),
        ("markdown", |text: &str| {
            text.starts_with("# Data Quality Report") && text.contains("| in_set(status) | status |")
        }),
    ] {
        let path = dir.path().join(format!("report.{format}"));
        let args = [
            "check",
            data.to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
            "--format",
            format,
            "--output",
            path.to_str().unwrap(),
        ];
        run_in(dir.path(), &args).expect_code(0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(check(&text), "{format} report:\n{text}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_format_without_output_prints_the_report_after_the_protocol_lines() {
    let mut args = EXAMPLE.to_vec();
    args.extend(["--format", "markdown"]);
    let run = run(&args);
    run.expect_code(0);
    assert_eq!(run.protocol().len(), 3, "outputs, metrics and the summary log");
    assert!(run.stdout.contains("# Data Quality Report"));
}

#[test]
fn the_component_is_written_for_other_hosts() {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), &["component", "--output", "engine.wasm"]).expect_code(0);
    let bytes = std::fs::read(dir.path().join("engine.wasm")).unwrap();
    // A WebAssembly component: the wasm magic, then the component-model layer.
    assert_eq!(&bytes[..8], b"\0asm\x0d\0\x01\0");
    assert!(bytes.len() > 100_000);
}

/// Schema rules, a rule on a column that is never read, and one value rule.
const SCHEMA_RULES: &str = r#"
rules:
  - {type: column_count, value: 4}
  - {type: column_count, min: 5}
  - {type: columns_match_set, columns: [status, amount, email, id]}
  - {type: columns_match_set, columns: [id, email], exact_match: false}
  - {type: columns_match_ordered_list, columns: [id, email, amount, status]}
  - {type: column_exists, column: status}
  - {type: column_exists, column: missing}
  - {type: dtype, column: id, dtype: int64}
  - {type: not_null, column: amount, mostly: 0.9}
"#;

#[test]
fn schema_rules_see_every_column_while_only_the_values_rules_read_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let table = support::data::Table::generate(5_000, 11);
    table.write_parquet(&dir.path().join("data.parquet"));
    table.write_csv(&dir.path().join("data.csv"), b',');
    std::fs::write(dir.path().join("rules.yaml"), SCHEMA_RULES).unwrap();
    for file in ["data.parquet", "data.csv"] {
        for parallel in ["--no-parallel", "--parallel"] {
            let run = run_in(dir.path(), &["check", file, "--rules", "rules.yaml", parallel, "--no-fail-on-error"]);
            run.expect_code(0);
            let result = &run.outputs()["result"];
            assert_eq!(result["metadata"]["columns_read"], serde_json::json!(["amount"]), "{file} {parallel}");
            let statuses: Vec<&str> =
                result["rule_results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
            let expected = ["passed", "failed", "passed", "passed", "passed", "passed", "failed", "passed", "passed"];
            assert_eq!(statuses, expected, "{file} {parallel}");
            let count = &result["rule_results"][1];
            assert_eq!(count["observed_value"], 4);
            assert_eq!(count["message"], "the data has 4 columns, expected: at least 5");
            assert_eq!(result["total_rows"], 5_000);
        }
    }
}
