//! Generated flows run the way Kestra runs them: `flow generate` writes a flow, and each script
//! task's commands run as a Process task runner would (a working directory with the
//! `inputFiles` materialised, `env` rendered, `/bin/sh -c` with `set -e`, PATH with our binary),
//! with stdout parsed by Kestra's `^::(\{.*})::$` matcher into outputs and metrics.

mod support;

use regex::Regex;
use serde_json::{Map, Value as Json};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{binary, repo_root, run};
use truthound_kestra::flows::{self, FlowKind, PROCESS_RUNNER};
use truthound_kestra::runtime;

const DAG: &str = "io.kestra.plugin.core.flow.Dag";

/// What one task run produced, as Kestra would record it.
struct TaskRun {
    exit_code: i32,
    vars: Map<String, Json>,
    metrics: Vec<Json>,
    output_files: BTreeMap<String, PathBuf>,
}

/// Script tasks in execution order (a Dag's members are emitted in dependency order).
fn script_tasks(flow: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for task in flow["tasks"].as_sequence().unwrap() {
        if task["type"].as_str() == Some(DAG) {
            out.extend(task["tasks"].as_sequence().unwrap().iter().map(|m| m["task"].clone()));
        } else {
            out.push(task.clone());
        }
    }
    out
}

/// Renders the Pebble expressions the generator uses, as Kestra would for this execution.
/// Lists in the context are held as JSON text (so `| toJson` is the value itself).
fn render(template: &str, context: &BTreeMap<String, String>) -> String {
    let expression = Regex::new(r"\{\{\s*(.*?)\s*\}\}").unwrap();
    let rendered = expression
        .replace_all(&render_loops(template, context), |c: &regex::Captures| {
            let name = c[1].strip_suffix(" | toJson").unwrap_or(&c[1]);
            context.get(name).cloned().unwrap_or_else(|| panic!("unknown expression {}", &c[1]))
        })
        .into_owned();
    assert!(!rendered.contains("{{") && !rendered.contains("{%"), "{rendered}");
    rendered
}

/// Unrolls `{% for item in <list> %}body{% endfor %}` as Pebble does: `loop.index` counts from
/// 0, `{% if not loop.last %}x{% endif %}` keeps `x` but after the last item, and a subscript
/// `[item]` reads the item's entry.
fn render_loops(template: &str, context: &BTreeMap<String, String>) -> String {
    let each = Regex::new(r"(?s)\{%\s*for (\w+) in (\S+)\s*%\}(.*?)\{%\s*endfor\s*%\}").unwrap();
    let not_last = Regex::new(r"(?s)\{%\s*if not loop\.last\s*%\}(.*?)\{%\s*endif\s*%\}").unwrap();
    let loop_index = Regex::new(r"\{\{\s*loop\.index\s*\}\}").unwrap();
    each.replace_all(template, |c: &regex::Captures| {
        let (item, list, body) = (&c[1], &c[2], &c[3]);
        let items: Vec<String> = serde_json::from_str(&context[list]).unwrap();
        let mut out = String::new();
        for (index, value) in items.iter().enumerate() {
            let body = not_last.replace_all(body, if index + 1 == items.len() { "" } else { "$1" });
            let body = loop_index.replace_all(&body, index.to_string());
            out.push_str(&body.replace(&format!("[{item}]"), &format!("['{value}']")));
        }
        out
    })
    .into_owned()
}

/// Runs one `shell.Commands` task with the Process runner's semantics.
fn run_task(task: &Value, context: &BTreeMap<String, String>, work: &Path) -> TaskRun {
    assert_eq!(task["type"].as_str(), Some("io.kestra.plugin.scripts.shell.Commands"));
    assert_eq!(task["taskRunner"]["type"].as_str(), Some(PROCESS_RUNNER));
    let id = task["id"].as_str().unwrap();
    let dir = work.join(id);
    std::fs::create_dir_all(&dir).unwrap();
    let mut context = context.clone();
    context.insert("task.id".into(), id.into());
    // `inputFiles` as a map, or as a template rendering a JSON object of internal-storage URIs.
    if let Some(template) = task.get("inputFiles").and_then(Value::as_str) {
        let files: BTreeMap<String, String> = serde_json::from_str(&render(template, &context)).unwrap();
        for (name, path) in files {
            std::fs::copy(path, dir.join(name)).unwrap();
        }
    }
    if let Some(files) = task.get("inputFiles").and_then(Value::as_mapping) {
        for (name, content) in files {
            let content = content.as_str().unwrap();
            // An internal-storage URI from an upstream task is downloaded; here it is a local path.
            let body = if content.trim_start().starts_with("{{") {
                std::fs::read(render(content, &context)).unwrap()
            } else {
                content.as_bytes().to_vec()
            };
            std::fs::write(dir.join(name.as_str().unwrap()), body).unwrap();
        }
    }
    let mut command = Command::new("/bin/sh");
    let commands: Vec<&str> = task["commands"].as_sequence().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for command in &commands {
        assert!(!command.contains("{{"), "commands read $ENV only: {command}");
    }
    command.arg("-c").arg(format!("set -e\n{}", commands.join("\n"))).current_dir(&dir);
    let path = std::env::var("PATH").unwrap_or_default();
    command.env("PATH", format!("{}:{path}", binary().parent().unwrap().display()));
    command.env("WORKING_DIR", &dir);
    for (key, value) in task["env"].as_mapping().unwrap() {
        command.env(key.as_str().unwrap(), render(value.as_str().unwrap(), &context));
    }
    let output = command.output().unwrap();
    let matcher = Regex::new(r"^::(\{.*})::$").unwrap();
    let (mut vars, mut metrics) = (Map::new(), Vec::new());
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        // Java's readLine splits on \n, \r and \r\n.
        for line in text.split(['\n', '\r']) {
            if let Some(captures) = matcher.captures(line) {
                let payload: Json = serde_json::from_str(&captures[1]).expect("valid protocol JSON");
                if let Some(outputs) = payload.get("outputs").and_then(Json::as_object) {
                    vars.extend(outputs.clone());
                }
                if let Some(list) = payload.get("metrics").and_then(Json::as_array) {
                    metrics.extend(list.iter().cloned());
                }
            }
        }
    }
    let mut output_files = BTreeMap::new();
    for name in task.get("outputFiles").and_then(Value::as_sequence).into_iter().flatten() {
        let name = name.as_str().unwrap();
        let file = dir.join(name);
        if file.exists() {
            output_files.insert(name.to_string(), file);
        }
    }
    TaskRun { exit_code: output.status.code().unwrap_or(-1), vars, metrics, output_files }
}

/// Runs every task of a generated flow in order, feeding outputFiles downstream.
fn run_flow(yaml: &str, data: &Path, work: &Path) -> BTreeMap<String, TaskRun> {
    let flow: Value = serde_yaml_ng::from_str(yaml).unwrap();
    let mut context = BTreeMap::from([
        ("inputs.data_uri".to_string(), data.display().to_string()),
        ("flow.id".into(), flow["id"].as_str().unwrap().into()),
        ("flow.namespace".into(), flow["namespace"].as_str().unwrap().into()),
        ("execution.id".into(), "4wjtkzwVGBM9yKnjm3yv8r".into()),
    ]);
    let mut runs = BTreeMap::new();
    for task in script_tasks(&flow) {
        if task["type"].as_str() == Some(flows::FOR_EACH_TYPE) {
            // One run of the child task per value; its outputs are keyed by the value.
            let child = &task["tasks"][0];
            let id = child["id"].as_str().unwrap();
            let values: Vec<String> = match &task["values"] {
                Value::String(template) => serde_json::from_str(&render(template, &context)).unwrap(),
                listed => listed.as_sequence().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            };
            for (index, value) in values.iter().enumerate() {
                let mut iteration = context.clone();
                iteration.insert("taskrun.value".into(), value.clone());
                let run = run_task(child, &iteration, &work.join(format!("{}-{index}", task["id"].as_str().unwrap())));
                for (name, path) in &run.output_files {
                    context
                        .insert(format!("outputs.{id}['{value}'].outputFiles['{name}']"), path.display().to_string());
                }
                let failed = run.exit_code != 0;
                runs.insert(format!("{id}[{value}]"), run);
                if failed {
                    return runs;
                }
            }
            continue;
        }
        let id = task["id"].as_str().unwrap().to_string();
        let run = run_task(&task, &context, work);
        for (name, path) in &run.output_files {
            context.insert(format!("outputs.{id}.outputFiles['{name}']"), path.display().to_string());
        }
        for (key, value) in &run.vars {
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            context.insert(format!("outputs.{id}.vars.{key}"), text);
        }
        let failed = run.exit_code != 0;
        runs.insert(id, run);
        if failed {
            break; // Kestra stops the flow at a failed task
        }
    }
    runs
}

fn metric(run: &TaskRun, name: &str) -> f64 {
    run.metrics.iter().find(|m| m["name"] == name).unwrap_or_else(|| panic!("no metric {name}"))["value"]
        .as_f64()
        .unwrap()
}

fn generate(args: &[&str]) -> String {
    let generated = run(args);
    generated.expect_code(0);
    generated.stdout
}

#[test]
fn a_generated_check_flow_runs_like_kestra_and_reports_the_example() {
    let root = repo_root();
    let work = tempfile::tempdir().unwrap();
    let flow_file = work.path().join("flow.yaml");
    let rules = root.join("examples/orders.rules.yaml");
    let generated = run(&[
        "flow",
        "generate",
        "check",
        "--flow-id",
        "orders_check",
        "--namespace",
        "company.data",
        "--rules",
        rules.to_str().unwrap(),
        "--task-runner",
        "process",
        "--output",
        flow_file.to_str().unwrap(),
    ]);
    generated.expect_code(0);
    let yaml = std::fs::read_to_string(&flow_file).unwrap();
    let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(flow["inputs"][0]["id"].as_str(), Some("data_uri"));
    let task = &script_tasks(&flow)[0];
    assert_eq!(task["inputFiles"]["rules.yaml"].as_str(), Some(std::fs::read_to_string(&rules).unwrap().as_str()));

    let runs = run_flow(&yaml, &root.join("examples/orders.csv"), work.path());
    let check = &runs["check_quality"];
    assert_eq!(check.exit_code, 0, "warnings do not fail the task");
    assert_eq!(check.vars["status"], "warning");
    assert_eq!(check.vars["is_success"], true);
    assert_eq!(check.vars["summary"]["passed_count"], 7);
    assert_eq!(check.vars["summary"]["warning_count"], 4);
    assert_eq!(metric(check, "rows"), 1000.0);
    assert_eq!(metric(check, "warnings"), 4.0);
    let report: Json =
        serde_json::from_str(&std::fs::read_to_string(&check.output_files["report.json"]).unwrap()).unwrap();
    assert_eq!(report["status"], "warning");
    // The flow outputs read what the task produced.
    let outputs = flow["outputs"].as_sequence().unwrap();
    assert_eq!(outputs[1]["value"].as_str(), Some("{{ outputs.check_quality.vars.status }}"));
}

#[test]
fn failing_rules_fail_the_task_unless_told_otherwise() {
    let root = repo_root();
    let work = tempfile::tempdir().unwrap();
    let rules = work.path().join("strict.yaml");
    // Quotes, `$`, backticks and `#` would break a shell-quoted rule; inputFiles carry them as is.
    std::fs::write(
        &rules,
        "rules:\n  - {type: in_range, column: amount, min: 0}  # $HOME `x` 'q' \"d\"\n  - {type: not_null, column: order_id}\n",
    )
    .unwrap();
    for (flag, code) in [("--fail-on-error", 1), ("--no-fail-on-error", 0)] {
        let data = root.join("examples/orders.csv");
        let yaml = generate(&[
            "flow",
            "generate",
            "check",
            "--flow-id",
            "strict",
            "--rules",
            rules.to_str().unwrap(),
            "--input-uri",
            data.to_str().unwrap(),
            "--task-runner",
            "process",
            flag,
        ]);
        let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert!(flow.get("inputs").is_none(), "a given URI needs no input");
        let runs = run_flow(&yaml, Path::new("/nonexistent"), &work.path().join(flag));
        let check = &runs["check_quality"];
        assert_eq!(check.exit_code, code, "{flag}");
        assert_eq!(check.vars["status"], "failed");
        assert_eq!(metric(check, "failed"), 1.0);
    }
}

#[test]
fn a_generated_pipeline_learns_rules_and_checks_with_them() {
    let root = repo_root();
    let work = tempfile::tempdir().unwrap();
    let yaml = generate(&[
        "flow",
        "generate",
        "pipeline",
        "--flow-id",
        "orders_pipeline",
        "--include-learn",
        "--task-runner",
        "process",
        "--min-confidence",
        "0.9",
    ]);
    let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(flow["tasks"][0]["type"].as_str(), Some(DAG), "profile and learn run side by side");
    let runs = run_flow(&yaml, &root.join("examples/orders.csv"), work.path());
    assert_eq!(runs.keys().collect::<Vec<_>>(), ["check", "learn", "profile"]);
    assert_eq!(runs["profile"].exit_code, 0);
    assert_eq!(runs["profile"].vars["result"]["total_rows"], 1000);
    assert!(runs["learn"].output_files.contains_key("rules.yaml"));
    let check = &runs["check"];
    assert_eq!(check.exit_code, 0);
    assert_eq!(check.vars["status"], "passed", "rules learned from the data hold on it");
    assert!(metric(check, "passed") > 0.0);
}

#[test]
fn the_engine_component_generates_the_same_flows_as_the_native_library() {
    let runtime = truthound_kestra::Runtime::new().unwrap();
    let mut session = runtime.session(Default::default()).unwrap();
    let kinds = [
        (runtime::FlowKind::Check, FlowKind::Check),
        (runtime::FlowKind::Profile, FlowKind::Profile),
        (runtime::FlowKind::Learn, FlowKind::Learn),
        (runtime::FlowKind::Pipeline, FlowKind::Pipeline),
        (runtime::FlowKind::Fanout, FlowKind::Fanout),
    ];
    for (wit_kind, kind) in kinds {
        let document = match kind {
            FlowKind::Profile | FlowKind::Learn => r#"{"flow_id": "f"}"#,
            FlowKind::Fanout => {
                r#"{"flow_id": "f", "rules": "- {type: not_null, column: id}\n", "partitions": ["a.csv", "b.csv"]}"#
            }
            _ => r#"{"flow_id": "f", "rules": "- {type: not_null, column: id}\n", "schedule": "@daily"}"#,
        };
        assert_eq!(session.generate_flow(wit_kind, document).unwrap(), flows::generate(kind, document).unwrap());
    }
    let error = session.generate_flow(runtime::FlowKind::Check, r#"{"flow_id": "bad id", "rules": "x"}"#).unwrap_err();
    assert!(error.to_string().contains("flow_id"), "{error}");
    assert_eq!(error.exit_code(), 2);
}

#[test]
fn invalid_options_are_usage_errors_naming_the_field() {
    for (args, needle) in [
        (vec!["flow", "generate", "check", "--flow-id", "x"], "rules"),
        (vec!["flow", "generate", "profile", "--flow-id", "a.b", "--namespace", "Bad"], "namespace"),
        (vec!["flow", "generate", "learn", "--flow-id", "x", "--schedule", "0 0 * *"], "schedule"),
        (
            vec!["flow", "generate", "learn", "--flow-id", "x", "--retry-policy", "random", "--retry-interval", "500"],
            "retry",
        ),
        (vec!["flow", "generate", "learn"], "flow_id"),
    ] {
        let result = run(&args);
        result.expect_code(2);
        assert!(result.stderr.contains(needle), "{args:?}: {}", result.stderr);
    }
    let sanitized =
        generate(&["flow", "generate", "profile", "--flow-id", "My Flow", "--namespace", "Team.A", "--sanitize-ids"]);
    assert!(sanitized.starts_with("id: My_Flow\nnamespace: team.a\n"), "{sanitized}");
}

#[test]
fn the_generation_matrix_is_available_to_host_tests() {
    // guest/tests/generated_flows.rs runs the validator over the same matrix.
    let matrix = flows::matrix::generation_matrix();
    assert!(matrix.len() > 500);
    for (label, yaml) in &matrix {
        let flow: Value = serde_yaml_ng::from_str(yaml).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(!script_tasks(&flow).is_empty(), "{label}");
    }
}

#[test]
fn a_flow_config_document_generates_a_dag_through_the_cli() {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("flow.yaml");
    let document = flows::matrix::CUSTOM_DOCUMENTS.iter().find(|(label, _)| *label == "custom/dag").unwrap().1;
    std::fs::write(&config, document).unwrap();
    let yaml = generate(&["flow", "generate", "--config", config.to_str().unwrap()]);
    assert_eq!(yaml, flows::generate(FlowKind::Custom, document).unwrap());
    let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(flow["tasks"][0]["type"].as_str(), Some(DAG));
    // Options need a kind; a kind takes parameters, not a FlowConfig.
    run(&["flow", "generate", "--config", config.to_str().unwrap(), "--flow-id", "x"]).expect_code(2);
    let wrong = run(&["flow", "generate", "check", "--config", config.to_str().unwrap()]);
    wrong.expect_code(2);
    assert!(wrong.stderr.contains("unknown field"), "{}", wrong.stderr);
}

/// Splits the example orders into CSV files of `rows_per_part` rows, named by `name` from the
/// part's number; their paths.
fn split_example(rows_per_part: usize, name: impl Fn(usize) -> PathBuf) -> Vec<String> {
    let data = std::fs::read_to_string(repo_root().join("examples/orders.csv")).unwrap();
    let (header, rows) = data.split_once('\n').unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    let parts = rows.chunks(rows_per_part).enumerate().map(|(index, chunk)| {
        let file = name(index);
        std::fs::write(&file, format!("{header}\n{}\n", chunk.join("\n"))).unwrap();
        file.display().to_string()
    });
    parts.collect()
}

/// `flow generate` with `args`, checked by `flow validate` (no error, no warning); the YAML.
fn generate_valid(args: &[&str], work: &Path) -> String {
    let yaml = generate(args);
    let flow_file = work.join("generated.yaml");
    std::fs::write(&flow_file, &yaml).unwrap();
    let validated = run(&["flow", "validate", flow_file.to_str().unwrap()]);
    validated.expect_code(0);
    assert!(validated.stdout.ends_with("0 errors, 0 warnings\n"), "{}", validated.stdout);
    yaml
}

#[test]
fn a_generated_fanout_flow_checks_partitions_then_merges_like_one_check() {
    let root = repo_root();
    let work = tempfile::tempdir().unwrap();
    let partitions = split_example(300, |index| work.path().join(format!("orders part {index}.csv")));
    assert_eq!(partitions.len(), 4);
    let rules = root.join("examples/orders.rules.yaml");
    let mut args = vec!["flow", "generate", "fanout", "--flow-id", "orders_fanout", "--task-runner", "process"];
    args.extend(["--rules", rules.to_str().unwrap(), "--no-fail-on-error", "--concurrency-limit", "2"]);
    for partition in &partitions {
        args.extend(["--partition", partition.as_str()]);
    }
    let yaml = generate_valid(&args, work.path());
    let runs = run_flow(&yaml, Path::new("/nonexistent"), work.path());
    for partition in &partitions {
        let partial = &runs[&format!("check_partition[{partition}]")];
        assert_eq!(partial.exit_code, 0);
        assert_eq!(partial.vars["status"], "partial");
        assert!(partial.output_files.contains_key(flows::PARTIAL_STATE));
    }
    let merge = &runs["merge_states"];
    assert_eq!(merge.exit_code, 0, "--no-fail-on-error");
    assert_eq!(metric(merge, "rows"), 1000.0);

    let single =
        run(&["check", root.join("examples/orders.csv").to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
    let single = single.outputs();
    assert_eq!(merge.vars["status"], single["status"]);
    assert_eq!(merge.vars["result"]["rule_results"], single["result"]["rule_results"]);
    assert_eq!(merge.vars["summary"]["passed_count"], single["summary"]["passed_count"]);
    let report: Json =
        serde_json::from_str(&std::fs::read_to_string(&merge.output_files["report.json"]).unwrap()).unwrap();
    assert_eq!(report["result"]["rule_results"], single["result"]["rule_results"]);
}

#[test]
fn a_fanout_flow_lists_its_partitions_when_it_runs_and_merges_them_in_listing_order() {
    let root = repo_root();
    let work = tempfile::tempdir().unwrap();
    // Twelve Hive-style partitions: their states are numbered 0-11, so `merge .` must read
    // state-10 after state-9 (not after state-1) for the row numbers to follow the listing, and
    // a rule on the partition column `batch` needs each partition's `--hive-root`.
    let folder = work.path().join("orders");
    let mut expected = split_example(84, |index| {
        let partition = folder.join(format!("batch={index}"));
        std::fs::create_dir_all(&partition).unwrap();
        partition.join("part.csv")
    });
    expected.sort();
    assert_eq!(expected.len(), 12);
    std::fs::write(folder.join("_SUCCESS"), "").unwrap();
    let rules = work.path().join("rules.yaml");
    let example_rules = std::fs::read_to_string(root.join("examples/orders.rules.yaml")).unwrap();
    let batch_rule = "  - {type: in_set, column: batch, values: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']}\n";
    std::fs::write(&rules, example_rules + batch_rule).unwrap();
    let mut args = vec!["flow", "generate", "fanout", "--flow-id", "orders_fanout", "--task-runner", "process"];
    args.extend(["--rules", rules.to_str().unwrap(), "--no-fail-on-error", "--concurrency-limit", "3"]);
    let yaml = generate_valid(&args, work.path());

    let runs = run_flow(&yaml, &folder, work.path());
    let listed = &runs["list_partitions"];
    assert_eq!(listed.exit_code, 0);
    let partitions: Vec<String> = serde_json::from_value(listed.vars["partitions"].clone()).unwrap();
    assert_eq!(partitions, expected, "every data file, in name order, without markers");
    assert_eq!(listed.vars["count"], 12);
    assert_eq!(metric(listed, "partitions"), 12.0);
    for partition in &partitions {
        assert_eq!(runs[&format!("check_partition[{partition}]")].vars["status"], "partial");
    }
    let merge = &runs["merge_states"];
    assert_eq!(merge.exit_code, 0, "--no-fail-on-error");
    assert_eq!(metric(merge, "rows"), 1000.0);

    // One check of the folder reads the same files in the same order.
    let single = run(&["check", folder.to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
    let single = single.outputs();
    assert_eq!(merge.vars["status"], single["status"]);
    assert_eq!(merge.vars["result"]["rule_results"], single["result"]["rule_results"]);
    let samples = single["result"]["rule_results"].as_array().unwrap().iter().flat_map(|r| r["samples"].as_array());
    assert!(samples.flatten().any(|s| s["row"].as_u64() > Some(840)), "samples name rows of the later partitions");
    let batch = single["result"]["rule_results"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((batch["column"].as_str(), batch["unexpected_count"].as_u64()), (Some("batch"), Some(1000 - 840)));
}
