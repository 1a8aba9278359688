//! Test support: flows generated for a wide matrix of options, shared by the guest's structural
//! tests and the host's (which may also run the offline flow validator over them).

use super::config::{Labels, RetryConfig, RetryPolicy, Rules, TaskRunner};
use super::sla::TaskSla;
use super::templates::{FlowKind, FlowParams, generate};
use crate::sla::SlaConfig;

/// The rule document the matrix uses as text.
pub const MATRIX_RULES: &str = "rules:\n  - {type: not_null, column: order_id}\n  - type: in_range\n    column: amount\n    min: 0\n  - {type: regex, column: email, pattern: '^[^@]+@[^@]+$'}\n";

/// One case: a label, the generator and its parameters.
#[derive(Clone, Debug)]
pub struct MatrixCase {
    pub label: String,
    pub kind: FlowKind,
    pub params: FlowParams,
}

fn retries() -> Vec<(&'static str, Option<RetryConfig>)> {
    vec![
        ("default-retry", None),
        (
            "constant",
            Some(RetryConfig {
                policy: RetryPolicy::Constant,
                max_duration_seconds: Some(600.0),
                ..RetryConfig::default()
            }),
        ),
        ("exponential", Some(RetryConfig { max_attempts: 5, initial_delay_seconds: 0.25, ..RetryConfig::default() })),
        ("random", Some(RetryConfig { policy: RetryPolicy::Random, warning_on_retry: true, ..RetryConfig::default() })),
        ("no-retry", Some(RetryConfig { policy: RetryPolicy::None, ..RetryConfig::default() })),
    ]
}

/// The SLA shapes of check and pipeline flows, spread over the retry dimension so that the matrix
/// does not grow: none, a preset failing the execution, an inline config with its own KV key,
/// and the default preset without a gate beyond the rules.
fn sla_for(retry_label: &str) -> Option<TaskSla> {
    match retry_label {
        "constant" => Some(TaskSla { preset: Some("production".into()), fail: true, ..TaskSla::default() }),
        "random" => Some(TaskSla {
            config: Some(SlaConfig { min_row_count: Some(100), ..SlaConfig::STRICT }),
            kv_key: Some("orders.sla-state".into()),
            ..TaskSla::default()
        }),
        "no-retry" => Some(TaskSla::default()),
        _ => None,
    }
}

/// Every case of the matrix: kind x task runner x input URI x schedule x retry x sanitising x
/// rules form (x include_profile/include_learn for pipelines), with SLAs on check and pipeline
/// flows along the retry dimension.
pub fn matrix_cases() -> Vec<MatrixCase> {
    let mut cases = Vec::new();
    let kinds = [FlowKind::Check, FlowKind::Profile, FlowKind::Learn, FlowKind::Pipeline];
    for kind in kinds {
        let pipeline_options: &[(Option<bool>, Option<bool>)] = if kind == FlowKind::Pipeline {
            &[(None, None), (Some(false), None), (Some(true), Some(true)), (Some(false), Some(true))]
        } else {
            &[(None, None)]
        };
        for runner in [TaskRunner::Docker, TaskRunner::Process] {
            for input_uri in [None, Some("/data/orders 2024.csv")] {
                for (schedule, timezone) in
                    [(None, None), (Some("0 9 * * *"), Some("Europe/Berlin")), (Some("@daily"), None)]
                {
                    for (retry_label, retry) in retries() {
                        for sanitize in [false, true] {
                            for (ri, &(include_profile, include_learn)) in pipeline_options.iter().enumerate() {
                                for rules_as_list in [false, true] {
                                    let takes_rules = match kind {
                                        FlowKind::Check => true,
                                        FlowKind::Pipeline => include_learn != Some(true) || rules_as_list,
                                        _ => false,
                                    };
                                    if rules_as_list && !matches!(kind, FlowKind::Check | FlowKind::Pipeline) {
                                        continue;
                                    }
                                    let rules = takes_rules.then(|| {
                                        if rules_as_list {
                                            Rules::List(
                                                serde_yaml_ng::from_str::<serde_yaml_ng::Value>(MATRIX_RULES).unwrap()
                                                    ["rules"]
                                                    .as_sequence()
                                                    .unwrap()
                                                    .clone(),
                                            )
                                        } else {
                                            Rules::Document(MATRIX_RULES.into())
                                        }
                                    });
                                    let (flow_id, namespace) = if sanitize {
                                        ("Orders Check/v2", "Company.Data Team")
                                    } else {
                                        ("orders_check", "company.data")
                                    };
                                    let params = FlowParams {
                                        flow_id: flow_id.into(),
                                        namespace: namespace.into(),
                                        input_uri: input_uri.map(str::to_string),
                                        data_uri_default: (input_uri.is_none() && schedule.is_some())
                                            .then(|| "/data/orders.csv".to_string()),
                                        rules,
                                        fail_on_error: matches!(kind, FlowKind::Check | FlowKind::Pipeline)
                                            .then_some(!rules_as_list),
                                        schedule: schedule.map(str::to_string),
                                        timezone: timezone.map(str::to_string),
                                        retry: retry.clone(),
                                        min_confidence: (include_learn == Some(true) || kind == FlowKind::Learn)
                                            .then_some(0.9),
                                        include_profile,
                                        include_learn,
                                        task_runner: runner,
                                        sanitize_ids: sanitize,
                                        labels: Labels::Map(
                                            [("team".to_string(), "data".into()), ("tier".to_string(), 1.into())]
                                                .into(),
                                        ),
                                        engine_name: if rules_as_list { "truthound".into() } else { "ge".into() },
                                        sla: matches!(kind, FlowKind::Check | FlowKind::Pipeline)
                                            .then(|| sla_for(retry_label))
                                            .flatten(),
                                        description: sanitize
                                            .then(|| "Checks orders.\nSecond line: with *markdown*.".into()),
                                        ..FlowParams::default()
                                    };
                                    let label = format!(
                                        "{kind:?}/{runner:?}/uri={}/schedule={}/{retry_label}/sanitize={sanitize}/variant={ri}/rules-list={rules_as_list}",
                                        input_uri.is_some(),
                                        schedule.unwrap_or("none")
                                    );
                                    cases.push(MatrixCase { label, kind, params });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // The same flows with python.Script tasks (SLA gates run the CLI only).
    let python: Vec<MatrixCase> = cases
        .iter()
        .filter(|case| case.params.sla.is_none())
        .map(|case| MatrixCase {
            label: format!("{}/python=3.11", case.label),
            kind: case.kind,
            params: FlowParams { python_version: Some("3.11".into()), ..case.params.clone() },
        })
        .collect();
    cases.extend(python);
    cases
}

/// Whole FlowConfig documents: graphs (Dag), independent tasks (Parallel), every trigger type,
/// inputs, labels as a list, concurrency with behaviour, per-task retries and conditions.
pub const CUSTOM_DOCUMENTS: &[(&str, &str)] = &[
    (
        "custom/dag",
        "id: graph\nnamespace: company.data\ntask_runner: process\ntasks:\n  - {id: learn_a, task_type: learn, input_uri: /a.csv}\n  - {id: learn_b, task_type: learn, input_uri: /b.csv, min_confidence: 0.95}\n  - {id: check_a, rules_from: learn_a, input_uri: /a.csv, retry: {policy: constant, initial_delay_seconds: 5, max_duration_seconds: 60}}\n  - {id: check_b, rules_from: learn_b, depends_on: [check_a], input_uri: /b.csv, fail_on_error: false}\noutputs:\n  - {name: a_status, value: \"{{ outputs.check_a.vars.status }}\"}\n  - {name: b_passed, type: BOOLEAN, value: \"{{ outputs.check_b.vars.is_success }}\"}\n",
    ),
    (
        "custom/parallel",
        "id: profiles\nnamespace: company.data\nparallel: true\nlabels: [\"env=prod\", \"team: data\"]\nconcurrency: {limit: 2, behavior: cancel}\ninputs:\n  - {name: run_b, type: BOOLEAN, required: false, default: true}\ntasks:\n  - {id: profile_a, task_type: profile, input_uri: /a.csv, timeout_seconds: 0.5}\n  - {id: profile_b, task_type: profile, input_uri: /b.csv, conditions: [\"{{ inputs.run_b }}\"]}\ntriggers:\n  - {id: after_load, type: flow, flow_id: load, namespace: company.raw, states: [SUCCESS, WARNING]}\n  - {id: hook, type: webhook, key: abc-123}\n  - {id: nightly, type: schedule, cron: \"30 2 * * 1-5\", timezone: America/New_York}\n",
    ),
    (
        "custom/sla-in-dag",
        "id: graph_sla\nnamespace: company.data\ntask_runner: process\ntasks:\n  - {id: learn_a, task_type: learn, input_uri: /a.csv}\n  - {id: profile_a, task_type: profile, input_uri: /a.csv}\n  - {id: check_a, rules_from: learn_a, depends_on: [profile_a], input_uri: /a.csv, sla: {preset: strict, fail: true}}\n  - {id: check_b, input_uri: /b.csv, fail_on_error: false, rules: [{type: not_null, column: id}], sla: {config: {min_pass_rate: 0.9, alert_on_warning: true}, kv_key: b_state}}\noutputs:\n  - {name: a_sla, type: JSON, value: \"{{ outputs.check_a.vars.sla }}\"}\n",
    ),
    (
        "custom/production-like",
        "id: prod_orders\nnamespace: production\nretry: {max_attempts: 3, initial_delay_seconds: 30, policy: exponential}\nconcurrency: 1\ndisabled: true\nvariables: {owner: data-team, threshold: 0.9}\ntasks:\n  - id: check\n    rules:\n      - {type: not_null, column: id}\n      - {type: unique, column: id}\n",
    ),
];

/// Fan-out flows: task runner x retry x sanitising x partition list x concurrency limit.
pub fn fanout_cases() -> Vec<MatrixCase> {
    let list = |uris: &[&str]| Some(uris.iter().map(|uri| uri.to_string()).collect::<Vec<_>>());
    // (partitions listed now, or the URI they are listed from when the flow runs)
    let sources: [(Option<Vec<String>>, Option<String>); 4] = [
        (list(&["/data/orders/part-0.csv", "/data/orders/part-1.parquet", "/data/orders/part 2.csv"]), None),
        (list(&["s3://bucket/orders/day=2026-11-01/a.parquet", "s3://bucket/orders/day=2026-11-02/a.parquet"]), None),
        (None, Some("s3://bucket/orders/day=2026-11-*/*.parquet".into())),
        // Listed from the flow's `data_uri` input.
        (None, None),
    ];
    let mut cases = Vec::new();
    for runner in [TaskRunner::Docker, TaskRunner::Process] {
        for (retry_label, retry) in retries() {
            for sanitize in [false, true] {
                for (source_index, (partitions, input_uri)) in sources.iter().enumerate() {
                    for concurrency_limit in [None, Some(0), Some(2)] {
                        let params = FlowParams {
                            flow_id: if sanitize { "Orders Fan-out/v2" } else { "orders_fanout" }.into(),
                            namespace: "company.data".into(),
                            rules: Some(Rules::Document(MATRIX_RULES.into())),
                            fail_on_error: Some(!sanitize),
                            retry: retry.clone(),
                            task_runner: runner,
                            sanitize_ids: sanitize,
                            partitions: partitions.clone(),
                            input_uri: input_uri.clone(),
                            concurrency_limit,
                            ..FlowParams::default()
                        };
                        let label = format!(
                            "Fanout/{runner:?}/{retry_label}/sanitize={sanitize}/partitions={source_index}/limit={concurrency_limit:?}"
                        );
                        cases.push(MatrixCase { label, kind: FlowKind::Fanout, params });
                    }
                }
            }
        }
    }
    cases
}

/// `(label, yaml)` for every case of the matrix and the fan-out cases, then the custom
/// documents.
pub fn generation_matrix() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = matrix_cases()
        .into_iter()
        .chain(fanout_cases())
        .map(|case| {
            let document = serde_json_document(&case.params);
            let yaml = generate(case.kind, &document).unwrap_or_else(|e| panic!("{}: {e}", case.label));
            (case.label, yaml)
        })
        .collect();
    for (label, document) in CUSTOM_DOCUMENTS {
        let yaml = generate(FlowKind::Custom, document).unwrap_or_else(|e| panic!("{label}: {e}"));
        out.push((label.to_string(), yaml));
    }
    out
}

/// An SLA option as a JSON document.
fn sla_document(sla: &TaskSla) -> serde_json::Value {
    let mut document = serde_json::json!({"fail": sla.fail});
    if let Some(preset) = &sla.preset {
        document["preset"] = preset.clone().into();
    }
    if let Some(config) = &sla.config {
        document["config"] = serde_json::to_value(config).expect("configs serialise");
    }
    if let Some(key) = &sla.kv_key {
        document["kv_key"] = key.clone().into();
    }
    document
}

/// The parameters as the JSON document a host would pass (exercises deserialisation too).
pub fn serde_json_document(params: &FlowParams) -> String {
    use serde_json::{Value, json};
    let retry = params.retry.as_ref().map(|r| {
        json!({
            "max_attempts": r.max_attempts, "initial_delay_seconds": r.initial_delay_seconds,
            "max_delay_seconds": r.max_delay_seconds,
            "policy": format!("{:?}", r.policy).to_lowercase(), "multiplier": r.multiplier,
            "max_duration_seconds": r.max_duration_seconds, "warning_on_retry": r.warning_on_retry,
        })
    });
    let rules = params.rules.as_ref().map(|r| match r {
        Rules::Document(text) => Value::String(text.clone()),
        Rules::List(list) => serde_json::to_value(list).expect("rules serialise"),
    });
    let labels = match &params.labels {
        Labels::Map(map) => serde_json::to_value(map).expect("labels serialise"),
        Labels::List(list) => json!(list),
    };
    let mut document = json!({
        "flow_id": params.flow_id, "namespace": params.namespace, "engine": params.engine_name,
        "task_runner": format!("{:?}", params.task_runner).to_lowercase(),
        "container_image": params.container_image, "sanitize_ids": params.sanitize_ids, "labels": labels,
        "timeout_seconds": params.timeout_seconds,
    });
    let optional = [
        ("input_uri", params.input_uri.clone().map(Value::String)),
        ("data_uri_default", params.data_uri_default.clone().map(Value::String)),
        ("rules", rules),
        ("fail_on_error", params.fail_on_error.map(Value::Bool)),
        ("schedule", params.schedule.clone().map(Value::String)),
        ("timezone", params.timezone.clone().map(Value::String)),
        ("description", params.description.clone().map(Value::String)),
        ("retry", retry),
        ("min_confidence", params.min_confidence.map(|c| json!(c))),
        ("include_profile", params.include_profile.map(Value::Bool)),
        ("include_learn", params.include_learn.map(Value::Bool)),
        ("sla", params.sla.as_ref().map(sla_document)),
        ("partitions", params.partitions.as_ref().map(|p| json!(p))),
        ("concurrency_limit", params.concurrency_limit.map(|n| json!(n))),
        ("python_version", params.python_version.clone().map(Value::String)),
        ("python_requirement", params.python_requirement.clone().map(Value::String)),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            document[key] = value;
        }
    }
    document.to_string()
}
