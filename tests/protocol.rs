//! Protocol hygiene: every command, passing, failing or broken, prints only well-formed Kestra
//! protocol lines on stdout (never on stderr), outputs of the reference's shapes, the
//! `DataQualityError` of a failure as `outputs.error`, and the documented exit code per kind.

mod support;

use regex::Regex;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{Run, binary, repo_root};

const ORDERS: &str = "examples/orders.csv";
const NOT_NULL_ID: &str = r#"{"type": "not_null", "column": "order_id"}"#;
const NOT_NULL_EMAIL: &str = r#"{"type": "not_null", "column": "email"}"#;

/// Runs the binary in `dir` with only the given `KESTRA_*` variables set.
fn run_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(binary());
    command.args(args).current_dir(dir);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("KESTRA_")) {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(&repo_root(), args, &[])
}

fn keys(value: &Value) -> Vec<&str> {
    value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().map(String::as_str).collect()
}

/// Every `::` line on stdout is one Kestra message of the right shape; stderr has none.
fn assert_protocol_hygiene(run: &Run) {
    let pattern = Regex::new(r"^::(\{.*})::$").unwrap();
    for line in run.stdout.lines().filter(|l| l.starts_with("::")) {
        let json = &pattern.captures(line).unwrap_or_else(|| panic!("not Kestra's pattern: {line}"))[1];
        let message: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {line}"));
        for (key, value) in message.as_object().unwrap() {
            match key.as_str() {
                "outputs" => assert!(value.is_object(), "{line}"),
                "metrics" => {
                    for metric in value.as_array().unwrap() {
                        assert_eq!(keys(metric), ["name", "type", "value", "tags"], "{line}");
                        assert!(metric["name"].is_string() && metric["value"].is_number(), "{line}");
                        assert!(["counter", "timer"].contains(&metric["type"].as_str().unwrap()), "{line}");
                        assert!(metric["tags"].as_object().unwrap().values().all(Value::is_string), "{line}");
                    }
                }
                "logs" => {
                    for log in value.as_array().unwrap() {
                        let level = log["level"].as_str().unwrap();
                        assert!(["ERROR", "WARN", "INFO", "DEBUG", "TRACE"].contains(&level), "{line}");
                        assert!(log["message"].is_string(), "{line}");
                    }
                }
                other => panic!("unexpected key {other} in {line}"),
            }
        }
    }
    assert!(!run.stderr.lines().any(|l| l.starts_with("::")), "protocol line on stderr:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// The outputs of every `::{"outputs":..}::` line merged like Kestra does (later keys win).
fn merged_outputs(run: &Run) -> Value {
    let mut merged = serde_json::Map::new();
    for message in run.protocol() {
        if let Some(Value::Object(outputs)) = message.get("outputs") {
            merged.extend(outputs.clone());
        }
    }
    Value::Object(merged)
}

fn logs(run: &Run) -> Vec<Value> {
    run.protocol().iter().filter_map(|m| m.get("logs").and_then(Value::as_array)).flatten().cloned().collect()
}

/// The reference's `create_kestra_output` envelope with its `summary`.
fn assert_envelope(outputs: &Value, extra: &[&str]) {
    let mut expected = vec!["result", "status", "is_success", "timestamp", "summary"];
    expected.extend_from_slice(extra);
    assert_eq!(keys(outputs), expected);
    assert_eq!(
        keys(&outputs["summary"]),
        [
            "passed_count",
            "failed_count",
            "warning_count",
            "total_count",
            "total_rows",
            "pass_rate",
            "pass_rate_formatted",
            "execution_time"
        ]
    );
    assert_eq!(outputs["result"]["metadata"]["context"]["flow_id"], "local", "runs carry their context");
}

/// The error output of a broken run: `{error: to_dict, status: "error", is_success: false}`,
/// with the kind's fields, and the exit code of that kind.
fn assert_error(run: &Run, code: i32, class_name: &str, fields: &[&str], message: &str) -> Value {
    assert_protocol_hygiene(run);
    assert_eq!(run.code, code, "{class_name}; stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let outputs = merged_outputs(run);
    assert_eq!((&outputs["status"], &outputs["is_success"]), (&Value::from("error"), &Value::from(false)));
    let error = &outputs["error"];
    let mut expected = vec!["type", "message", "result", "metadata"];
    expected.extend_from_slice(fields);
    assert_eq!(keys(error), expected);
    assert_eq!(error["type"], class_name);
    assert!(error["message"].as_str().unwrap().contains(message), "{message:?} not in {error}");
    assert!(run.stderr.starts_with("error: "), "the human message: {}", run.stderr);
    assert!(run.stderr.contains(message), "{}", run.stderr);
    error.clone()
}

const CONFIGURATION: [&str; 3] = ["field", "value", "reason"];
const SCRIPT: [&str; 3] = ["script_name", "task_id", "execution_id"];

#[test]
fn a_passing_check_prints_its_envelope_metrics_and_an_info_summary() {
    let run = run(&["check", ORDERS, "--rule", NOT_NULL_ID]);
    assert_protocol_hygiene(&run);
    run.expect_code(0);
    let outputs = run.outputs();
    assert_envelope(&outputs, &[]);
    assert_eq!(outputs["status"], "passed");
    let logs = logs(&run);
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["level"], "INFO");
    assert!(logs[0]["message"].as_str().unwrap().starts_with("Check passed: 1 passed, 0 failed ("), "{logs:?}");
}

#[test]
fn a_failing_check_adds_its_data_quality_error_to_its_outputs() {
    let run = run(&["check", ORDERS, "--rule", NOT_NULL_ID, "--rule", NOT_NULL_EMAIL]);
    assert_protocol_hygiene(&run);
    run.expect_code(1);
    assert!(run.stderr.is_empty(), "failed rules are not a broken run: {}", run.stderr);
    let outputs = run.outputs();
    assert_envelope(&outputs, &["error"]);
    assert_eq!(outputs["status"], "failed", "the check's own status, not 'error'");
    let error = &outputs["error"];
    assert_eq!(keys(error), ["type", "message", "result", "metadata"]);
    assert_eq!(error["type"], "DataQualityError");
    assert_eq!(error["message"], "Data quality check failed: 1 failures");
    assert_eq!((&error["result"]["status"], &error["result"]["failed_count"]), (&"failed".into(), &1.into()));
    assert_eq!(error["metadata"]["context"]["execution_id"], "local");
    assert_eq!(logs(&run)[0]["level"], "WARN");

    let lenient = self::run(&["check", ORDERS, "--rule", NOT_NULL_EMAIL, "--no-fail-on-error"]);
    lenient.expect_code(0);
    assert!(lenient.outputs().get("error").is_none(), "no error when the task does not fail");
}

#[test]
fn bad_input_gets_the_error_output_and_the_exit_code_of_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let orders = repo_root().join(ORDERS);
    let orders = orders.to_str().unwrap();
    let check = |args: &[&str]| run_with(d, &[&["check"], args].concat(), &[]);

    let missing =
        assert_error(&check(&["missing.csv", "--rule", NOT_NULL_ID]), 3, "ScriptError", &SCRIPT, "no such file");
    assert_eq!(missing["script_name"], "load_data");
    assert_eq!(missing["metadata"]["source"], "missing.csv");

    let column = r#"{"type": "not_null", "column": "emial"}"#;
    let unknown = assert_error(&check(&[orders, "--rule", column]), 2, "ConfigurationError", &CONFIGURATION, "emial");
    assert_eq!(unknown["field"], "column");

    let malformed = r#"{"type": "not_null"}"#;
    let rule = assert_error(&check(&[orders, "--rule", malformed]), 2, "ConfigurationError", &CONFIGURATION, "column");
    assert_eq!(rule["field"], "rules");

    std::fs::write(d.join("bad.yaml"), "rules:\n  - {type: not_null, column: id\n").unwrap();
    let yaml = check(&[orders, "--rules", "bad.yaml"]);
    assert_error(&yaml, 2, "ConfigurationError", &CONFIGURATION, "not valid YAML or JSON");

    support::data::Table::generate(2000, 1).write_parquet(&d.join("good.parquet"));
    let bytes = std::fs::read(d.join("good.parquet")).unwrap();
    std::fs::write(d.join("corrupt.parquet"), &bytes[..bytes.len() / 2]).unwrap();
    let corrupt = check(&["corrupt.parquet", "--rule", NOT_NULL_ID]);
    assert_error(&corrupt, 3, "ScriptError", &SCRIPT, "corrupt.parquet");

    let timeout = check(&[orders, "--rule", NOT_NULL_ID, "--timeout", "0.000000001"]);
    let engine_fields = ["engine_name", "operation", "original_error", "original_error_type"];
    let engine = assert_error(&timeout, 4, "EngineError", &engine_fields, "exceeded its timeout");
    assert_eq!((&engine["engine_name"], &engine["original_error_type"]), (&"truthound".into(), &"Timeout".into()));

    let option = check(&[orders, "--rule", NOT_NULL_ID, "--batch-size", "0"]);
    let option = assert_error(&option, 2, "ConfigurationError", &CONFIGURATION, "--batch-size must be at least 1");
    assert_eq!((&option["field"], &option["value"]), (&"batch-size".into(), &0.into()));

    let usage = check(&[orders, "--no-such-flag"]);
    assert_error(&usage, 2, "ConfigurationError", &CONFIGURATION, "--no-such-flag");
}

#[test]
fn an_output_that_cannot_be_written_turns_the_outputs_into_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no/such/dir/report.json");
    let run = run(&["check", ORDERS, "--rule", NOT_NULL_ID, "--output", target.to_str().unwrap()]);
    let error = assert_error(&run, 6, "OutputError", &["output_name", "output_type"], "report.json");
    assert_eq!(error["output_type"], "file");
    assert_eq!(run.protocol().iter().filter(|m| m.get("outputs").is_some()).count(), 2, "result, then error");
}

#[test]
fn profile_and_learn_print_envelopes_and_summaries() {
    let profile = run(&["profile", ORDERS]);
    assert_protocol_hygiene(&profile);
    profile.expect_code(0);
    assert_envelope(&profile.outputs(), &["column_count", "row_count"]);
    assert!(logs(&profile)[0]["message"].as_str().unwrap().starts_with("Profile completed: "));

    let learn = run(&["learn", ORDERS]);
    assert_protocol_hygiene(&learn);
    learn.expect_code(0);
    assert_envelope(&learn.outputs(), &["rule_count", "learned_rules"]);
    assert!(logs(&learn)[0]["message"].as_str().unwrap().starts_with("Learn completed: "));

    let inline = run(&["profile", r#"{"id": [1, 2, 3], "name": ["a", "b", null]}"#]);
    inline.expect_code(0);
    assert_eq!(inline.outputs()["result"]["total_rows"], 3, "inline JSON data");
    let missing = run(&["learn", "nowhere.parquet"]);
    assert_error(&missing, 3, "ScriptError", &SCRIPT, "nowhere.parquet: no such file");
}

#[test]
fn flow_commands_keep_their_stdout_free_of_protocol_lines_unless_they_fail() {
    let generated = run(&["flow", "generate", "check", "--flow-id", "orders", "--rules", "examples/orders.rules.yaml"]);
    assert_protocol_hygiene(&generated);
    generated.expect_code(0);
    assert!(generated.protocol().is_empty() && generated.stdout.starts_with("id: orders"), "{}", generated.stdout);

    let invalid = run(&["flow", "generate", "check", "--flow-id", "bad id", "--rules", "examples/orders.rules.yaml"]);
    let error = assert_error(&invalid, 2, "FlowError", &["flow_id", "namespace", "trigger"], "flow_id");
    assert_eq!(error["flow_id"], "bad id");

    let validated = run(&["flow", "validate", "tests/fixtures/flows/good/minimal.yaml"]);
    assert_protocol_hygiene(&validated);
    validated.expect_code(0);
    assert!(validated.protocol().is_empty());
}

#[test]
fn the_execution_context_reaches_outputs_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let orders = repo_root().join(ORDERS);
    let orders = orders.to_str().unwrap();
    let env = [
        ("KESTRA_EXECUTION_ID", "exec-42"),
        ("KESTRA_FLOW_ID", "orders_quality"),
        ("KESTRA_NAMESPACE", "company.data"),
        ("KESTRA_TASK_ID", "check"),
        ("KESTRA_TASKRUN_ATTEMPT", "2"),
    ];
    let passed = run_with(dir.path(), &["check", orders, "--rule", NOT_NULL_ID], &env);
    passed.expect_code(0);
    let context = &passed.outputs()["result"]["metadata"]["context"];
    assert_eq!((&context["execution_id"], &context["namespace"]), (&"exec-42".into(), &"company.data".into()));
    assert_eq!((&context["task_id"], &context["attempt"]), (&"check".into(), &2.into()));

    let missing = run_with(dir.path(), &["check", "gone.csv", "--rule", NOT_NULL_ID], &env);
    let error = assert_error(&missing, 3, "ScriptError", &SCRIPT, "gone.csv");
    assert_eq!((&error["task_id"], &error["execution_id"]), (&"check".into(), &"exec-42".into()));

    let file =
        r#"{"flow": {"id": "from_file", "namespace": "ns"}, "execution": {"id": "e-file"}, "task": {"id": "t"}}"#;
    std::fs::write(dir.path().join(".kestra-execution-context.json"), file).unwrap();
    let from_file = run_with(dir.path(), &["profile", orders], &env);
    from_file.expect_code(0);
    assert_eq!(from_file.outputs()["result"]["metadata"]["context"]["flow_id"], "from_file");

    std::fs::write(dir.path().join(".kestra-execution-context.json"), "{broken").unwrap();
    let broken = run_with(dir.path(), &["profile", orders], &[("KESTRA_ATTEMPT", "x"), ("KESTRA_FLOW_ID", "f")]);
    assert_protocol_hygiene(&broken);
    broken.expect_code(0);
    let warnings: Vec<Value> = logs(&broken).into_iter().filter(|l| l["level"] == "WARN").collect();
    assert_eq!(warnings.len(), 2, "the broken file and the attempt: {warnings:?}");
    assert_eq!(broken.outputs()["result"]["metadata"]["context"]["flow_id"], "f");
}

#[test]
fn a_partial_check_and_its_merge_speak_the_protocol() {
    let work = tempfile::tempdir().unwrap();
    let state = work.path().join("orders.tqstate");
    let orders = repo_root().join(ORDERS);
    let partial =
        run(&["check", orders.to_str().unwrap(), "--rule", NOT_NULL_EMAIL, "--emit-state", state.to_str().unwrap()]);
    assert_protocol_hygiene(&partial);
    partial.expect_code(0);
    assert_eq!(keys(&partial.outputs()), ["status", "is_success", "partial_state"]);
    assert_eq!(keys(&partial.outputs()["partial_state"]), ["file", "source", "rows", "version"]);
    let logs = logs(&partial);
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["level"], "INFO");
    assert!(logs[0]["message"].as_str().unwrap().starts_with("Partial state written to "), "{logs:?}");

    let merged = run(&["merge", state.to_str().unwrap()]);
    assert_protocol_hygiene(&merged);
    let whole = run(&["check", ORDERS, "--rule", NOT_NULL_EMAIL]);
    merged.expect_code(whole.code);
    assert_envelope(&merged.outputs(), if whole.code == 0 { &[] } else { &["error"] });

    let broken = run(&["merge", ORDERS]);
    assert_protocol_hygiene(&broken);
    assert_error(&broken, 3, "ScriptError", &SCRIPT, ORDERS);
}
