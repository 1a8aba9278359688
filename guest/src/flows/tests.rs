//! Structural tests: every flow of the matrix parses back to what its parameters say.

use super::matrix::{MATRIX_RULES, matrix_cases, serde_json_document};
use super::templates::{FlowKind, FlowParams, generate};
use super::*;
use serde_yaml_ng::Value;

const TOP_LEVEL: &[&str] = &[
    "id",
    "namespace",
    "description",
    "disabled",
    "labels",
    "concurrency",
    "inputs",
    "variables",
    "tasks",
    "outputs",
    "triggers",
];

/// Script tasks anywhere in the tree, with a flag telling whether any `dependsOn` sits outside a Dag member.
fn script_tasks(tasks: &Value, found: &mut Vec<Value>) {
    for task in tasks.as_sequence().expect("tasks is a list") {
        assert!(task.get("dependsOn").is_none(), "task-level dependsOn: {task:?}");
        match task["type"].as_str().unwrap() {
            DAG_TYPE => {
                for member in task["tasks"].as_sequence().unwrap() {
                    let inner = &member["task"];
                    assert!(inner.get("dependsOn").is_none());
                    for key in member.as_mapping().unwrap().keys() {
                        assert!(matches!(key.as_str(), Some("task" | "dependsOn")), "{key:?}");
                    }
                    found.push(inner.clone());
                }
            }
            PARALLEL_TYPE => script_tasks(&task["tasks"], found),
            _ => found.push(task.clone()),
        }
    }
}

fn expected_tasks(kind: FlowKind, params: &FlowParams) -> Vec<&'static str> {
    match kind {
        FlowKind::Check => vec!["check_quality"],
        FlowKind::Profile => vec!["profile_data"],
        FlowKind::Learn => vec!["learn_schema"],
        _ => {
            let mut ids = Vec::new();
            if params.include_profile.unwrap_or(true) {
                ids.push("profile");
            }
            if params.include_learn.unwrap_or(false) {
                ids.push("learn");
            }
            ids.push("check");
            ids
        }
    }
}

/// With an SLA: the check reads its state from the KV store and runs `--sla`, then a `kv.Set`
/// stores it and a `Fail` gate (when the rules or the SLA may fail the execution) comes last.
fn check_sla_shape(label: &str, flow: &Value, follow_ups: &[Value], params: &FlowParams, kind: FlowKind) {
    let Some(sla) = &params.sla else {
        assert!(follow_ups.is_empty(), "{label}");
        assert!(flow["outputs"].as_sequence().unwrap().iter().all(|o| o["id"] != "sla_result"), "{label}");
        return;
    };
    let check_id = if kind == FlowKind::Check { "check_quality" } else { "check" };
    let flow_id = flow["id"].as_str().unwrap();
    let key = sla.kv_key.clone().unwrap_or_else(|| format!("{flow_id}_{check_id}_sla_state"));
    let gate = params.fail_on_error.unwrap_or(true) || sla.fail;
    let top_level = flow["tasks"].as_sequence().unwrap();
    let tail: Vec<&str> =
        top_level[top_level.len() - follow_ups.len()..].iter().map(|t| t["id"].as_str().unwrap()).collect();
    let expected: Vec<String> =
        [format!("{check_id}_sla_state"), format!("{check_id}_gate")].into_iter().take(1 + usize::from(gate)).collect();
    assert_eq!(tail, expected, "{label}: the SLA tasks run last");
    let store = &follow_ups[0];
    assert_eq!(store["key"].as_str(), Some(key.as_str()), "{label}");
    assert_eq!(store["value"].as_str(), Some(format!("{{{{ outputs.{check_id}.vars.sla_state }}}}").as_str()));
    if gate {
        let condition = follow_ups[1]["condition"].as_str().unwrap();
        assert_eq!(condition.contains("is_success == false"), params.fail_on_error.unwrap_or(true), "{label}");
        assert_eq!(condition.contains("sla.is_compliant == false"), sla.fail, "{label}");
    }
    let mut tasks = Vec::new();
    script_tasks(&flow["tasks"], &mut tasks);
    let check = tasks.iter().find(|t| t["id"].as_str() == Some(check_id)).unwrap();
    assert_eq!(
        check["env"]["SLA_STATE"].as_str(),
        Some(format!("{{{{ kv('{key}', errorOnMissing=false) }}}}").as_str()),
        "{label}"
    );
    let command = check["commands"].as_sequence().unwrap().last().unwrap().as_str().unwrap();
    assert!(command.contains("--no-fail-on-error") && !command.contains("--sla-fail"), "{label}: {command}");
    let spec =
        if sla.config.is_some() { SLA_CONFIG_FILE.to_string() } else { sla.preset.clone().unwrap_or("default".into()) };
    assert!(command.ends_with(&format!("--sla {spec} --sla-state {SLA_STATE_FILE}")), "{label}: {command}");
    assert_eq!(check["inputFiles"].get(SLA_CONFIG_FILE).is_some(), sla.config.is_some(), "{label}");
    let output = flow["outputs"].as_sequence().unwrap().iter().find(|o| o["id"] == "sla_result").expect("sla_result");
    assert_eq!(output["value"].as_str(), Some(format!("{{{{ outputs.{check_id}.vars.sla }}}}").as_str()));
}

#[test]
fn every_generated_flow_passes_the_offline_validator() {
    let matrix = matrix::generation_matrix();
    assert!(matrix.iter().any(|(_, yaml)| yaml.contains(KV_SET_TYPE)), "the matrix has SLA flows");
    assert!(matrix.iter().any(|(_, yaml)| yaml.contains(FOR_EACH_TYPE)), "the matrix has fan-out flows");
    for (label, yaml) in &matrix {
        let findings = crate::flow_lint::validate_flow(yaml);
        assert_eq!(findings, Vec::new(), "{label}:\n{yaml}");
    }
}

fn seconds(duration: &Value) -> f64 {
    let text = duration.as_str().expect("durations are strings");
    text.strip_prefix("PT").and_then(|t| t.strip_suffix('S')).unwrap().parse().unwrap()
}

#[test]
fn every_matrix_flow_parses_back_to_its_configuration() {
    let cases = matrix_cases();
    assert!(cases.len() > 500, "{}", cases.len());
    let reference = regex::Regex::new(r"outputs\.([A-Za-z0-9_-]+)\.(\w+)").unwrap();
    for case in cases {
        let label = &case.label;
        let params = &case.params;
        let document = serde_json_document(params);
        let yaml = generate(case.kind, &document).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(yaml, generate(case.kind, &document).unwrap(), "{label}: deterministic");
        let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap_or_else(|e| panic!("{label}: {e}\n{yaml}"));
        let keys: Vec<&str> = flow.as_mapping().unwrap().keys().map(|k| k.as_str().unwrap()).collect();
        let mut order =
            keys.iter().map(|k| TOP_LEVEL.iter().position(|t| t == k).unwrap_or_else(|| panic!("{label}: {k}")));
        assert!(order.clone().zip(order.by_ref().skip(1)).all(|(a, b)| a < b), "{label}: key order {keys:?}");
        let (id, namespace) = if params.sanitize_ids {
            ("Orders_Check_v2", "company.data_team")
        } else {
            (params.flow_id.as_str(), params.namespace.as_str())
        };
        assert_eq!(flow["id"].as_str(), Some(id), "{label}");
        assert_eq!(flow["namespace"].as_str(), Some(namespace), "{label}");
        assert_eq!(flow["labels"]["tier"].as_str(), Some("1"), "{label}: label values are strings");

        let mut all_tasks = Vec::new();
        script_tasks(&flow["tasks"], &mut all_tasks);
        let (follow_ups, tasks): (Vec<Value>, Vec<Value>) =
            all_tasks.into_iter().partition(|t| matches!(t["type"].as_str(), Some(KV_SET_TYPE | FAIL_TYPE)));
        check_sla_shape(label, &flow, &follow_ups, params, case.kind);
        let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
        let mut expected = expected_tasks(case.kind, params);
        let mut sorted_ids = ids.clone();
        sorted_ids.sort();
        expected.sort();
        assert_eq!(sorted_ids, expected, "{label}");
        // profile and learn are independent and check depends on one of them: a graph; else a chain.
        let graph = case.kind == FlowKind::Pipeline
            && params.include_learn == Some(true)
            && params.include_profile != Some(false);
        let is_dag = flow["tasks"][0]["type"].as_str() == Some(DAG_TYPE);
        assert_eq!(is_dag, graph, "{label}: Dag only for a real graph");

        let python = params.python_version.is_some();
        for task in &tasks {
            let task_type = if python { PYTHON_SCRIPT_TYPE } else { COMMANDS_TYPE };
            assert_eq!(task["type"].as_str(), Some(task_type), "{label}");
            let runner = task["taskRunner"]["type"].as_str().unwrap();
            match params.task_runner {
                TaskRunner::Docker => {
                    assert_eq!(runner, DOCKER_RUNNER);
                    let image = if python { "python:3.11-slim" } else { DEFAULT_CONTAINER_IMAGE };
                    assert_eq!(task["containerImage"].as_str(), Some(image), "{label}");
                }
                TaskRunner::Process => {
                    assert_eq!(runner, PROCESS_RUNNER);
                    assert!(task.get("containerImage").is_none());
                }
            }
            let env = &task["env"];
            let data_uri = params.input_uri.as_deref().unwrap_or("{{ inputs.data_uri }}");
            assert_eq!(env["DATA_URI"].as_str(), Some(data_uri), "{label}");
            assert_eq!(env["KESTRA_EXECUTION_ID"].as_str(), Some("{{ execution.id }}"));
            assert_eq!(env["KESTRA_FLOW_ID"].as_str(), Some("{{ flow.id }}"));
            assert_eq!(env["KESTRA_NAMESPACE"].as_str(), Some("{{ flow.namespace }}"));
            assert_eq!(env["KESTRA_TASK_ID"].as_str(), Some("{{ task.id }}"));
            let is_check = if python {
                let script = task["script"].as_str().unwrap();
                assert!(script.starts_with("import os\n") && !script.contains("{{"), "{label}: {script}");
                let install = task["beforeCommands"][0].as_str().unwrap();
                assert!(install.starts_with("pip install --quiet ") && install.contains(PYTHON_REQUIREMENT), "{label}");
                assert!(task.get("commands").is_none(), "{label}");
                script.contains("check_quality_script(")
            } else {
                for command in task["commands"].as_sequence().unwrap() {
                    let command = command.as_str().unwrap();
                    let reads_state = command == format!("printf '%s' \"$SLA_STATE\" > {SLA_STATE_FILE}");
                    assert!(command.starts_with("truthound-kestra ") || reads_state, "{label}: {command}");
                    assert!(!command.contains("{{"), "{label}: commands use $ENV only: {command}");
                }
                assert!(!task["outputFiles"].as_sequence().unwrap().is_empty());
                task["commands"].as_sequence().unwrap().iter().any(|c| c.as_str().unwrap().contains(" check "))
            };
            assert_eq!(task["timeout"].as_str(), Some("PT300S"));
            let retry = match (&params.retry, case.kind) {
                (Some(r), _) => Some(r.clone()),
                (None, FlowKind::Pipeline) => Some(RetryConfig::new(3, 30.0, RetryPolicy::Exponential)),
                (None, _) => None,
            };
            match retry.filter(|r| r.policy != RetryPolicy::None) {
                None => assert!(task.get("retry").is_none(), "{label}"),
                Some(r) => {
                    let node = &task["retry"];
                    assert_eq!(node["maxAttempt"].as_u64(), Some(u64::from(r.max_attempts)));
                    match node["type"].as_str().unwrap() {
                        "constant" => assert!(seconds(&node["interval"]) < seconds(&node["maxDuration"])),
                        "exponential" => assert!(seconds(&node["interval"]) < seconds(&node["maxInterval"])),
                        "random" => assert!(seconds(&node["minInterval"]) < seconds(&node["maxInterval"])),
                        other => panic!("{label}: retry type {other}"),
                    }
                }
            }
            if is_check {
                let rules = task["inputFiles"][RULES_FILE].as_str().unwrap();
                match &params.rules {
                    Some(Rules::Document(text)) => assert_eq!(rules, text, "{label}"),
                    Some(Rules::List(list)) => {
                        let parsed: Value = serde_yaml_ng::from_str(rules).unwrap();
                        assert_eq!(parsed, Value::Sequence(list.clone()), "{label}");
                    }
                    None => assert_eq!(rules, "{{ outputs.learn.outputFiles['rules.yaml'] }}", "{label}"),
                }
            } else {
                assert!(task.get("inputFiles").is_none());
            }
        }

        let inputs = flow.get("inputs").and_then(Value::as_sequence).cloned().unwrap_or_default();
        if params.input_uri.is_none() {
            assert_eq!(inputs.len(), 1, "{label}");
            assert_eq!(inputs[0]["id"].as_str(), Some("data_uri"));
            assert_eq!(inputs[0]["type"].as_str(), Some("STRING"));
            assert_eq!(
                inputs[0].get("defaults").and_then(Value::as_str),
                params.data_uri_default.as_deref(),
                "{label}"
            );
        } else {
            assert!(inputs.is_empty(), "{label}");
        }
        for output in flow["outputs"].as_sequence().unwrap() {
            assert!(output["id"].is_string() && output["type"].is_string() && output["value"].is_string(), "{label}");
        }
        for captures in reference.captures_iter(&yaml) {
            assert!(ids.contains(&&captures[1]), "{label}: reference to {}", &captures[1]);
            assert!(matches!(&captures[2], "vars" | "outputFiles"), "{label}: {}", &captures[0]);
        }
        match &params.schedule {
            Some(cron) => {
                let trigger = &flow["triggers"][0];
                assert_eq!(trigger["type"].as_str(), Some("io.kestra.plugin.core.trigger.Schedule"));
                assert_eq!(trigger["cron"].as_str(), Some(cron.as_str()));
                assert!(yaml.contains(&format!("cron: \"{cron}\"")), "{label}: cron quoted");
                assert_eq!(trigger["timezone"].as_str(), params.timezone.as_deref());
            }
            None => assert!(flow.get("triggers").is_none()),
        }
    }
}

#[test]
fn the_matrix_is_exposed_as_label_and_yaml() {
    let matrix = matrix::generation_matrix();
    assert_eq!(matrix.len(), matrix_cases().len() + matrix::fanout_cases().len() + matrix::CUSTOM_DOCUMENTS.len());
    let by_label = |label: &str| -> Value {
        serde_yaml_ng::from_str(&matrix.iter().find(|(l, _)| l == label).unwrap().1).unwrap()
    };
    let dag = by_label("custom/dag");
    assert_eq!(dag["tasks"][0]["type"].as_str(), Some(DAG_TYPE));
    let members = dag["tasks"][0]["tasks"].as_sequence().unwrap();
    let order: Vec<&str> = members.iter().map(|m| m["task"]["id"].as_str().unwrap()).collect();
    assert_eq!(order, ["learn_a", "learn_b", "check_a", "check_b"]);
    assert_eq!(members[3]["dependsOn"], serde_yaml_ng::from_str::<Value>("[check_a, learn_b]").unwrap());
    assert_eq!(
        members[2]["task"]["inputFiles"]["rules.yaml"].as_str(),
        Some("{{ outputs.learn_a.outputFiles['rules.yaml'] }}")
    );
    assert_eq!(dag["outputs"][1]["type"].as_str(), Some("BOOLEAN"));
    let parallel = by_label("custom/parallel");
    assert_eq!(parallel["tasks"][0]["type"].as_str(), Some(PARALLEL_TYPE));
    assert_eq!(parallel["labels"]["team"].as_str(), Some("data"));
    assert_eq!(parallel["concurrency"]["behavior"].as_str(), Some("CANCEL"));
    assert_eq!(parallel["tasks"][0]["tasks"][0]["timeout"].as_str(), Some("PT0.5S"));
    assert_eq!(parallel["triggers"][0]["conditions"][0]["namespace"].as_str(), Some("company.raw"));
    let production = by_label("custom/production-like");
    assert_eq!(production["disabled"], Value::Bool(true));
    assert_eq!(production["variables"]["threshold"].as_f64(), Some(0.9));
    assert!(matrix.iter().all(|(label, yaml)| !label.is_empty() && yaml.starts_with("id: ")));
}

#[test]
fn check_flow_matches_the_seed_shape() {
    let params = FlowParams { rules: Some(Rules::Document(MATRIX_RULES.into())), ..FlowParams::new("orders") };
    let yaml = generate_check_flow(&params).unwrap();
    let expected_start = "id: orders\nnamespace: default\ndescription: Data quality check flow\ninputs:\n  - id: data_uri\n    type: STRING\n    description: URI of data to validate\ntasks:\n  - id: check_quality\n    type: io.kestra.plugin.scripts.shell.Commands\n";
    assert!(yaml.starts_with(expected_start), "{yaml}");
    assert!(
        yaml.contains(
            "    inputFiles:\n      rules.yaml: |\n        rules:\n          - {type: not_null, column: order_id}\n"
        ),
        "{yaml}"
    );
    assert!(yaml.contains("value: \"{{ outputs.check_quality.vars.status }}\""), "{yaml}");
}

#[test]
fn invalid_configurations_name_the_field() {
    let rules = Some(Rules::Document(MATRIX_RULES.into()));
    let cases: Vec<(FlowKind, String, &str)> = vec![
        (FlowKind::Check, r#"{"flow_id": "bad id", "rules": "[]"}"#.into(), "flow_id"),
        (FlowKind::Check, r#"{"flow_id": "ok", "namespace": "Upper", "rules": "x"}"#.into(), "namespace"),
        (FlowKind::Check, r#"{"flow_id": "ok"}"#.into(), "rules"),
        (FlowKind::Check, r#"{"flow_id": "ok", "rules": "x", "schedule": "0 25 * * *"}"#.into(), "schedule"),
        (FlowKind::Check, r#"{"flow_id": "ok", "rules": "x", "engine": "spark"}"#.into(), "engine"),
        (FlowKind::Check, r#"{"flow_id": "ok", "rules": "x", "retry": {"policy": "linear"}}"#.into(), "retry.policy"),
        (FlowKind::Check, r#"{"flow_id": "ok", "rules": "x", "retyr": {}}"#.into(), "retyr"),
        (FlowKind::Profile, r#"{"flow_id": "ok", "rules": "x"}"#.into(), "rules"),
        (FlowKind::Learn, r#"{"flow_id": "ok", "min_confidence": 2}"#.into(), "min_confidence"),
        (FlowKind::Pipeline, r#"{"flow_id": "ok"}"#.into(), "rules"),
        (FlowKind::Check, r#"{"flow_id": "ok", "rules": "x", "timezone": "UTC"}"#.into(), "timezone"),
        (
            FlowKind::Custom,
            r#"{"id": "f", "tasks": [{"id": "a", "rules": "x", "depends_on": ["b"]}, {"id": "b", "rules": "x", "depends_on": ["a"]}]}"#.into(),
            "tasks",
        ),
        (FlowKind::Custom, r#"{"id": "f", "tasks": [{"id": "a.b", "rules": "x"}]}"#.into(), "tasks[0].id"),
        (FlowKind::Custom, r#"{"id": "f", "tasks": [{"id": "a", "rules": "x"}], "outputs": [{"name": "o", "value": "{{ outputs.a.result }}"}]}"#.into(), "outputs[0].value"),
        (FlowKind::Custom, r#"{"id": "f", "tasks": [{"id": "a", "rules": "x"}], "triggers": [{"id": "t", "type": "polling"}]}"#.into(), "triggers[0].type"),
        (FlowKind::Custom, r#"{"id": "f", "tasks": [{"id": "a", "rules": "x"}], "triggers": [{"id": "t", "type": "webhook"}]}"#.into(), "triggers[0].key"),
    ];
    let _ = rules;
    for (kind, document, field) in cases {
        let error = generate(kind, &document).expect_err(&document);
        assert_eq!(error.field, field, "{document}: {error}");
    }
}

#[test]
fn custom_flows_support_graphs_triggers_and_presets() {
    let document = r#"
id: nightly
namespace: company.data
labels: ["env=prod"]
concurrency: {limit: 1, behavior: QUEUE}
task_runner: process
parallel: true
tasks:
  - {id: profile_a, task_type: profile, input_uri: /a.csv, timeout_seconds: 0}
  - {id: profile_b, task_type: profile, input_uri: /b.csv, conditions: ["{{ inputs.run_b }}"]}
inputs:
  - {name: run_b, type: BOOLEAN, required: false, default: true}
triggers:
  - {id: after_load, type: flow, flow_id: load, states: [success, warning]}
  - {id: hook, type: webhook, key: abc-123}
"#;
    let yaml = generate(FlowKind::Custom, document).unwrap();
    let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(flow["tasks"][0]["type"].as_str(), Some(PARALLEL_TYPE), "{yaml}");
    assert_eq!(flow["tasks"][0]["tasks"][1]["runIf"].as_str(), Some("{{ inputs.run_b }}"));
    assert!(flow["tasks"][0]["tasks"][0].get("timeout").is_none());
    assert_eq!(flow["labels"]["env"].as_str(), Some("prod"));
    assert_eq!(flow["concurrency"]["limit"].as_u64(), Some(1));
    assert_eq!(flow["inputs"][0]["defaults"], Value::Bool(true));
    let conditions = &flow["triggers"][0]["conditions"];
    assert_eq!(conditions[0]["flowId"].as_str(), Some("load"));
    assert_eq!(conditions[0]["namespace"].as_str(), Some("company.data"));
    assert_eq!(conditions[1]["in"][1].as_str(), Some("WARNING"));
    assert_eq!(flow["triggers"][1]["key"].as_str(), Some("abc-123"));

    let production = PRODUCTION_FLOW_CONFIG.clone().add_task(TaskConfig {
        rules: Some(Rules::Document("- {type: not_null, column: id}\n".into())),
        ..TaskConfig::new("check", TaskType::Check)
    });
    let flow: Value = serde_yaml_ng::from_str(&FlowGenerator::new().generate(&production).unwrap()).unwrap();
    assert_eq!(flow["namespace"].as_str(), Some("production"));
    assert_eq!(flow["concurrency"]["limit"].as_u64(), Some(1));
    assert_eq!(flow["tasks"][0]["retry"]["interval"].as_str(), Some("PT30S"));
    assert_eq!(DEFAULT_FLOW_CONFIG.id, "data_quality");
}

#[test]
fn fanout_flows_check_each_partition_then_merge_in_partition_order() {
    for case in matrix::fanout_cases() {
        let label = &case.label;
        let yaml = generate(case.kind, &serde_json_document(&case.params)).unwrap_or_else(|e| panic!("{label}: {e}"));
        let flow: Value = serde_yaml_ng::from_str(&yaml).unwrap();
        let mut tasks = flow["tasks"].as_sequence().unwrap().iter();
        let listed_now = case.params.partitions.clone();
        if listed_now.is_none() {
            let list = tasks.next().unwrap();
            assert_eq!(list["id"].as_str(), Some("list_partitions"), "{label}");
            let listed = case.params.input_uri.as_deref().unwrap_or("{{ inputs.data_uri }}");
            assert_eq!(list["env"]["DATA_URI"].as_str(), Some(listed), "{label}");
            assert_eq!(list["commands"][0].as_str(), Some("truthound-kestra partitions \"$DATA_URI\""));
            assert!(list.get("inputFiles").is_none() && list.get("outputFiles").is_none(), "{label}");
            let declares_input = flow["inputs"].as_sequence().is_some_and(|inputs| inputs[0]["id"] == "data_uri");
            assert_eq!(declares_input, case.params.input_uri.is_none(), "{label}");
        } else {
            assert!(flow.get("inputs").is_none(), "{label}: the partitions are the data");
        }
        let for_each = tasks.next().unwrap();
        assert_eq!(for_each["type"].as_str(), Some(FOR_EACH_TYPE), "{label}");
        match &listed_now {
            Some(partitions) => {
                let values: Vec<&str> =
                    for_each["values"].as_sequence().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                assert_eq!(&values, partitions, "{label}");
            }
            None => assert_eq!(
                for_each["values"].as_str(),
                Some("{{ outputs.list_partitions.vars.partitions | toJson }}"),
                "{label}"
            ),
        }
        assert_eq!(for_each["concurrencyLimit"].as_u64(), Some(u64::from(case.params.concurrency_limit.unwrap_or(8))));
        let check = &for_each["tasks"][0];
        assert_eq!(check["id"].as_str(), Some("check_partition"));
        assert_eq!(check["env"]["DATA_URI"].as_str(), Some("{{ taskrun.value }}"), "{label}");
        let command = check["commands"][0].as_str().unwrap();
        assert!(command.starts_with("truthound-kestra check \"$DATA_URI\" --rules rules.yaml "), "{command}");
        let hive_root = if listed_now.is_none() {
            assert_eq!(check["env"]["HIVE_ROOT"].as_str(), Some("{{ outputs.list_partitions.vars.root }}"), "{label}");
            " --hive-root \"$HIVE_ROOT\""
        } else {
            assert!(check["env"].get("HIVE_ROOT").is_none(), "{label}");
            ""
        };
        assert!(command.ends_with(&format!("--emit-state {PARTIAL_STATE}{hive_root}")), "{command}");
        assert_eq!(check["outputFiles"][0].as_str(), Some(PARTIAL_STATE));
        assert_eq!(check["inputFiles"][RULES_FILE].as_str(), Some(MATRIX_RULES));

        let merge = tasks.next().unwrap();
        assert!(tasks.next().is_none(), "{label}");
        assert_eq!(merge["id"].as_str(), Some("merge_states"));
        assert!(merge["env"].get("DATA_URI").is_none(), "{label}: a merge reads no data");
        let command = merge["commands"][0].as_str().unwrap();
        let fail = if case.params.fail_on_error == Some(false) { "--no-fail-on-error" } else { "--fail-on-error" };
        assert!(command.contains(fail), "{label}: {command}");
        match &listed_now {
            Some(partitions) => assert_fixed_states(merge, partitions, label),
            None => {
                assert!(command.starts_with("truthound-kestra merge . --"), "{command}");
                assert!(merge["env"].get("RULE_ENGINE").is_none(), "{label}: the states carry their rules");
                let template = merge["inputFiles"].as_str().unwrap();
                assert!(template.contains("outputs.check_partition[partition].outputFiles['partial.tqstate']"));
            }
        }
        assert_eq!(flow["outputs"][0]["value"].as_str(), Some("{{ outputs.merge_states.vars.result }}"));
    }
}

/// The merge of partitions listed when the flow was generated receives each state by name,
/// numbered so that the shell glob lists them in partition order.
fn assert_fixed_states(merge: &Value, partitions: &[String], label: &str) {
    let command = merge["commands"][0].as_str().unwrap();
    assert!(command.starts_with(&format!("truthound-kestra merge {STATE_GLOB} --rules rules.yaml ")), "{command}");
    let inputs = merge["inputFiles"].as_mapping().unwrap();
    assert_eq!(inputs[RULES_FILE].as_str(), Some(MATRIX_RULES));
    let states: Vec<(&str, &str)> = inputs
        .iter()
        .filter(|(k, _)| k.as_str() != Some(RULES_FILE))
        .map(|(k, v)| (k.as_str().unwrap(), v.as_str().unwrap()))
        .collect();
    assert_eq!(states.len(), partitions.len(), "{label}");
    let mut names: Vec<&str> = states.iter().map(|(name, _)| *name).collect();
    names.sort();
    for ((name, reference), (sorted, partition)) in states.iter().zip(names.iter().zip(partitions)) {
        assert_eq!(name, sorted, "{label}: the glob lists states in partition order");
        assert_eq!(
            *reference,
            format!("{{{{ outputs.check_partition['{partition}'].outputFiles['{PARTIAL_STATE}'] }}}}")
        );
    }
}

#[test]
fn fanout_parameters_belong_to_fanout_flows() {
    let cases: Vec<(FlowKind, &str, &str)> = vec![
        (
            FlowKind::Fanout,
            r#"{"flow_id": "f", "rules": "x", "partitions": ["a"], "data_uri_default": "b"}"#,
            "data_uri_default",
        ),
        (FlowKind::Fanout, r#"{"flow_id": "f", "partitions": ["a"]}"#, "rules"),
        (FlowKind::Fanout, r#"{"flow_id": "f", "rules": "x", "partitions": []}"#, "partitions"),
        (FlowKind::Fanout, r#"{"flow_id": "f", "rules": "x", "partitions": ["a", "a"]}"#, "partitions[1]"),
        (FlowKind::Fanout, r#"{"flow_id": "f", "rules": "x", "partitions": ["a"], "input_uri": "b"}"#, "input_uri"),
        (FlowKind::Check, r#"{"flow_id": "f", "rules": "x", "partitions": ["a"]}"#, "partitions"),
        (FlowKind::Pipeline, r#"{"flow_id": "f", "rules": "x", "concurrency_limit": 2}"#, "concurrency_limit"),
    ];
    for (kind, document, field) in cases {
        let error = generate(kind, document).expect_err(document);
        assert_eq!(error.field, field, "{document}: {error}");
    }
}
