//! `check --sla` end to end: the consecutive-failure counter carried over in a state file across
//! real runs, the SLA outputs and alert, exit 5, corrupt state files, and runs killed midway.

mod support;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{Run, binary, repo_root, run};

const FAILING_RULE: &str = r#"{"type": "in_range", "column": "amount", "min": 0}"#;
const PASSING_RULE: &str = r#"{"type": "not_null", "column": "order_id"}"#;

fn orders() -> String {
    repo_root().join("examples/orders.csv").display().to_string()
}

/// `check orders.csv --rule RULE --sla production --sla-state STATE` plus `extra`.
fn check_with_sla(rule: &str, state: &Path, extra: &[&str]) -> Run {
    let state = state.display().to_string();
    let orders = orders();
    let mut args = vec!["check", &orders, "--rule", rule, "--sla", "production", "--sla-state", &state];
    args.extend_from_slice(extra);
    run(&args)
}

/// The `outputs` payload that carries the check envelope (the one with `sla`).
fn sla_outputs(run: &Run) -> Value {
    run.protocol()
        .into_iter()
        .filter_map(|line| line.get("outputs").cloned())
        .find(|outputs| outputs.get("sla").is_some())
        .unwrap_or_else(|| panic!("no sla output in:\n{}", run.stdout))
}

/// Every `sla_alert` output, in order.
fn alerts(run: &Run) -> Vec<Value> {
    run.protocol().into_iter().filter_map(|line| line["outputs"].get("sla_alert").cloned()).collect()
}

fn violation_types(outputs: &Value) -> Vec<String> {
    outputs["sla"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["violation_type"].as_str().unwrap().to_string())
        .collect()
}

fn stored_counter(state: &Path) -> u64 {
    let state: Value = serde_json::from_str(&std::fs::read_to_string(state).unwrap()).unwrap();
    assert_eq!(state["version"], 1);
    state["consecutive_failures"].as_u64().unwrap()
}

#[test]
fn the_third_failing_run_raises_consecutive_failures_and_a_pass_resets_the_counter() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sla-state.json");
    for run_number in 1..=3u64 {
        let run = check_with_sla(FAILING_RULE, &state, &["--no-fail-on-error"]);
        run.expect_code(0);
        let outputs = sla_outputs(&run);
        assert_eq!(outputs["sla"]["consecutive_failures"], run_number);
        assert_eq!(stored_counter(&state), run_number);
        let stored: Value = serde_json::from_str(outputs["sla_state"].as_str().unwrap()).unwrap();
        assert_eq!(stored["consecutive_failures"], run_number, "sla_state is what a kv.Set task stores");
        assert_eq!(run.metric("sla_violations")["value"], if run_number == 3 { 3.0 } else { 2.0 });
        let types = violation_types(&outputs);
        assert_eq!(types[..2], ["failure_rate_exceeded", "pass_rate_below_minimum"]);
        if run_number < 3 {
            assert_eq!(types.len(), 2, "run {run_number}: {types:?}");
        } else {
            let consecutive = &outputs["sla"]["violations"][2];
            assert_eq!(consecutive["violation_type"], "consecutive_failures");
            assert_eq!(consecutive["message"], "3 consecutive failures (max: 3)");
            assert_eq!(consecutive["alert_level"], "critical");
            let alerts = alerts(&run);
            assert_eq!(alerts.len(), 2, "the violation alert, then the consecutive-failures alert");
            assert_eq!(alerts[1]["level"], "critical");
            assert!(alerts[1]["message"].as_str().unwrap().contains("3 consecutive SLA failures"));
        }
    }
    let passing = check_with_sla(PASSING_RULE, &state, &[]);
    passing.expect_code(0);
    let outputs = sla_outputs(&passing);
    assert_eq!(outputs["sla"]["is_compliant"], true);
    assert_eq!(outputs["sla"]["consecutive_failures"], 0);
    assert!(alerts(&passing).is_empty());
    assert_eq!(passing.metric("sla_violations")["value"], 0.0);
    assert_eq!(stored_counter(&state), 0);
}

#[test]
fn sla_fail_exits_5_with_an_alert_and_wins_over_failed_rules() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let failed = check_with_sla(FAILING_RULE, &state, &["--sla-fail"]);
    failed.expect_code(5);
    let alert = &alerts(&failed)[0];
    assert_eq!(alert["channel"], "slack");
    assert_eq!(alert["level"], "error");
    assert!(alert["message"].as_str().unwrap().starts_with("\u{1F6A8} SLA Violation Alert"));
    check_with_sla(FAILING_RULE, &state, &[]).expect_code(1);
    check_with_sla(PASSING_RULE, &state, &["--sla-fail"]).expect_code(0);
}

#[test]
fn without_sla_the_outputs_do_not_change() {
    let orders = orders();
    let plain = run(&["check", &orders, "--rule", PASSING_RULE]);
    let outputs = plain.outputs();
    assert!(outputs.get("sla").is_none() && outputs.get("sla_state").is_none());
    assert!(plain.protocol().iter().all(|line| {
        line["metrics"].as_array().is_none_or(|metrics| metrics.iter().all(|m| m["name"] != "sla_violations"))
    }));
}

#[test]
fn sla_config_files_and_bad_specs() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sla.yaml");
    std::fs::write(&config, "min_row_count: 5000\nalert_level: warning\n").unwrap();
    let orders = orders();
    let config_arg = config.display().to_string();
    let run_ = run(&["check", &orders, "--rule", PASSING_RULE, "--sla", &config_arg]);
    run_.expect_code(0);
    let outputs = sla_outputs(&run_);
    assert_eq!(outputs["sla"]["violations"][0]["message"], "Row count 1,000 below minimum 5,000");
    assert_eq!(outputs["sla"]["violations"][0]["alert_level"], "warning");
    std::fs::write(&config, "max_failure_rate: 5\n").unwrap();
    let bad = run(&["check", &orders, "--rule", PASSING_RULE, "--sla", &config_arg]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("max_failure_rate") && bad.stderr.contains("sla.yaml"), "{}", bad.stderr);
    run(&["check", &orders, "--rule", PASSING_RULE, "--sla", "platinum"]).expect_code(2);
}

#[test]
fn a_corrupt_state_file_exits_2_and_stays_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let corrupt = b"{\"version\": 1, \"consecutive_fa";
    std::fs::write(&state, corrupt).unwrap();
    let run = check_with_sla(FAILING_RULE, &state, &[]);
    run.expect_code(2);
    assert!(run.stderr.contains("state.json"), "the error names the file: {}", run.stderr);
    let error = &run.outputs()["error"];
    assert_eq!((&error["type"], &error["field"]), (&json!("ConfigurationError"), &json!("sla_state")), "{error}");
    assert!(run.outputs().get("result").is_none(), "nothing ran: {}", run.stdout);
    assert_eq!(std::fs::read(&state).unwrap(), corrupt);
    std::fs::write(&state, "").unwrap();
    check_with_sla(PASSING_RULE, &state, &[]).expect_code(0);
    assert_eq!(stored_counter(&state), 0, "an empty file is a fresh state");
}

/// A CSV big enough for a run to take a while.
fn write_big_csv(path: &Path, rows: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(file, "id,amount,name").unwrap();
    for i in 0..rows {
        let amount = if i % 1000 == 0 { -1.0 } else { (i % 977) as f64 / 7.0 };
        writeln!(file, "{i},{amount},name{}", i % 313).unwrap();
    }
}

/// Starts a check of `data` with the SLA state in `state`, stdout piped.
fn spawn_check(data: &Path, state: &Path) -> std::process::Child {
    Command::new(binary())
        .args(["check", &data.display().to_string(), "--rule", r#"{"type": "in_range", "column": "amount", "min": 0}"#])
        .args(["--rule", r#"{"type": "unique", "column": "id"}"#, "--no-fail-on-error"])
        .args(["--sla", "strict", "--sla-state", &state.display().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

/// The state file is absent or a whole state; temporary files it left behind.
fn assert_state_whole(state: &Path) -> Vec<PathBuf> {
    if state.exists() {
        let text = std::fs::read_to_string(state).unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("partial state {text:?}: {e}"));
        assert_eq!(parsed["version"], 1);
        assert!(parsed["consecutive_failures"].is_u64());
    }
    std::fs::read_dir(state.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
        .collect()
}

#[test]
fn runs_killed_midway_never_leave_a_partial_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("big.csv");
    write_big_csv(&data, 300_000);
    let state_dir = dir.path().join("state");
    std::fs::create_dir(&state_dir).unwrap();
    let state = state_dir.join("sla-state.json");

    let mut kills = 0u64;
    let mut completed = 0u64;
    // Kill after a delay, at points spread over the run (start-up, reading, evaluating).
    for delay_ms in [0u64, 5, 20, 60, 120, 200, 300, 450, 700] {
        let mut child = spawn_check(&data, &state);
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            completed += 1;
        } else {
            kills += 1;
        }
        assert_state_whole(&state);
    }
    // Kill right after the outputs line came out (the state was written before it).
    for _ in 0..3 {
        let mut child = spawn_check(&data, &state);
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap() > 0 && !line.contains("\"sla_state\"") {
            line.clear();
        }
        assert!(line.contains("\"sla_state\""), "the run printed its outputs");
        let _ = child.kill();
        child.wait().unwrap();
        completed += 1;
        assert_state_whole(&state);
        let printed: Value = serde_json::from_str(&line.trim()[2..line.trim().len() - 2]).unwrap();
        let printed_state = printed["outputs"]["sla_state"].as_str().unwrap();
        assert_eq!(std::fs::read_to_string(&state).unwrap(), printed_state, "the file holds what was printed");
    }
    assert!(kills >= 3, "the data is big enough to kill runs midway ({kills} killed)");
    let leftovers = assert_state_whole(&state);
    assert!(leftovers.len() <= 2, "temporary files pile up: {leftovers:?}");
    // Every run that got as far as writing its state counted one failure (strict: any failed
    // rule breaks the SLA): at least the ones that printed their outputs, at most all of them.
    let counter = stored_counter(&state);
    assert!((completed..=kills + completed).contains(&counter), "counter {counter}, {completed} completed");
}

/// Runs the generated check task the way a Process task runner would: `inputFiles` written,
/// `env` rendered (`kv()` from `kv_store`), the commands under `/bin/sh -c` with `set -e`.
fn run_generated_check(task: &serde_yaml_ng::Value, kv_store: &BTreeMap<String, String>, work: &Path) -> Run {
    std::fs::create_dir_all(work).unwrap();
    for (name, content) in task["inputFiles"].as_mapping().unwrap() {
        std::fs::write(work.join(name.as_str().unwrap()), content.as_str().unwrap()).unwrap();
    }
    let kv_call = regex::Regex::new(r"^\{\{ kv\('([^']+)', errorOnMissing=false\) \}\}$").unwrap();
    let mut command = Command::new("/bin/sh");
    for (key, value) in task["env"].as_mapping().unwrap() {
        let value = value.as_str().unwrap();
        // A missing key renders as empty, like Pebble's null.
        let rendered = match kv_call.captures(value) {
            Some(call) => kv_store.get(&call[1]).cloned().unwrap_or_default(),
            None if value.starts_with("{{") => format!("rendered {value}"),
            None => value.to_string(),
        };
        command.env(key.as_str().unwrap(), rendered);
    }
    let commands: Vec<&str> = task["commands"].as_sequence().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let path = std::env::var("PATH").unwrap_or_default();
    command.env("PATH", format!("{}:{path}", binary().parent().unwrap().display()));
    let output = command.arg("-c").arg(format!("set -e\n{}", commands.join("\n"))).current_dir(work).output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn a_generated_flow_carries_the_counter_through_the_kv_store() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, "- {type: in_range, column: amount, min: 0}\n").unwrap();
    let orders = orders();
    let generated = run(&[
        "flow",
        "generate",
        "check",
        "--flow-id",
        "orders",
        "--namespace",
        "company.data",
        "--input-uri",
        &orders,
        "--rules",
        rules.to_str().unwrap(),
        "--task-runner",
        "process",
        "--sla",
        "production",
    ]);
    generated.expect_code(0);
    let flow: serde_yaml_ng::Value = serde_yaml_ng::from_str(&generated.stdout).unwrap();
    let tasks = flow["tasks"].as_sequence().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["check_quality", "check_quality_sla_state", "check_quality_gate"]);
    let (store, gate) = (&tasks[1], &tasks[2]);
    assert_eq!(store["value"].as_str(), Some("{{ outputs.check_quality.vars.sla_state }}"));
    let gate_condition = gate["condition"].as_str().unwrap();
    assert_eq!(gate_condition, "{{ outputs.check_quality.vars.is_success == false }}");
    let key = store["key"].as_str().unwrap().to_string();

    let mut kv_store = BTreeMap::new();
    for execution in 1..=3u64 {
        let check = run_generated_check(&tasks[0], &kv_store, &dir.path().join(format!("run{execution}")));
        check.expect_code(0); // failed rules do not stop the flow before the state is stored
        let outputs = sla_outputs(&check);
        assert_eq!(outputs["sla"]["consecutive_failures"], execution);
        assert_eq!(outputs["is_success"], false, "the gate task then fails the execution");
        // kv.Set stores the rendered string output as a string.
        kv_store.insert(key.clone(), outputs["sla_state"].as_str().unwrap().to_string());
        if execution == 3 {
            assert!(violation_types(&outputs).contains(&"consecutive_failures".to_string()));
        }
    }
}

#[test]
fn the_components_sla_interface_agrees_with_the_native_evaluation() {
    use truthound_kestra::runtime::sla_records::{AlertLevel as WitLevel, SlaMetrics as WitMetrics};
    use truthound_kestra::sla::{SlaConfig, SlaMetrics, evaluate};
    use truthound_kestra::{Limits, Runtime};
    let runtime = Runtime::new().unwrap();
    let mut session = runtime.session(Limits::default()).unwrap();
    for name in SlaConfig::PRESET_NAMES {
        let (wit, native) = (session.sla_preset(name).unwrap().unwrap(), SlaConfig::preset(name).unwrap());
        assert_eq!(wit.min_pass_rate, native.min_pass_rate, "{name}");
        assert_eq!(wit.max_failure_rate, native.max_failure_rate, "{name}");
        assert_eq!(wit.max_execution_time_seconds, native.max_execution_time_seconds, "{name}");
        assert_eq!(wit.max_consecutive_failures, native.max_consecutive_failures, "{name}");
        assert_eq!(wit.alert_on_warning, native.alert_on_warning, "{name}");
    }
    assert_eq!(session.sla_preset("gold").unwrap(), None);
    let strict = session.sla_preset("strict").unwrap().unwrap();
    assert_eq!(strict.alert_level, WitLevel::Critical);
    let metrics = WitMetrics {
        passed_count: 90,
        failed_count: 10,
        warning_count: 0,
        execution_time_ms: 120_000.0,
        row_count: Some(1_234),
        timestamp: Some("2026-11-26T00:00:00+00:00".into()),
        flow_id: None,
        task_id: None,
        execution_id: None,
    };
    let wit = session.evaluate_sla(&strict, &metrics, 4).unwrap();
    let native_metrics = SlaMetrics {
        passed_count: 90,
        failed_count: 10,
        execution_time_ms: 120_000.0,
        row_count: Some(1_234),
        ..SlaMetrics::default()
    };
    let native = evaluate(&SlaConfig::STRICT, &native_metrics, 4);
    let wit_messages: Vec<&str> = wit.violations.iter().map(|v| v.message.as_str()).collect();
    let native_messages: Vec<&str> = native.violations.iter().map(|v| v.message.as_str()).collect();
    assert_eq!(wit_messages, native_messages);
    assert_eq!(wit.violations.len(), 4, "failure rate, pass rate, execution time, consecutive");
    assert_eq!((wit.consecutive_failures, native.consecutive_failures), (5, 5));
    assert_eq!(wit.max_alert_level, Some(WitLevel::Critical));
    assert!(!wit.is_compliant);
    assert_eq!(wit.evaluated_at.as_deref(), Some("2026-11-26T00:00:00+00:00"));
    let invalid = truthound_kestra::runtime::sla_records::SlaConfig { min_pass_rate: Some(2.0), ..strict };
    let error = session.evaluate_sla(&invalid, &metrics, 0).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("min_pass_rate"), "{error}");
}
