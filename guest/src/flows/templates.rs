//! The seed's template helpers: `generate_check_flow`, `generate_profile_flow`,
//! `generate_learn_flow`, `generate_quality_pipeline`, from one parameter record.

use super::config::{
    Concurrency, DEFAULT_CONTAINER_IMAGE, FlowConfig, InputConfig, Labels, OutputConfig, RetryConfig, RetryPolicy,
    Rules, TaskConfig, TaskRunner, TaskType, TriggerConfig, TriggerType,
};
use super::fanout::{FanoutRole, Partitions};
use super::sla::TaskSla;
use super::{FlowError, FlowGenerator};
use serde::Deserialize;

/// Which generator a document is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    Check,
    Profile,
    Learn,
    Pipeline,
    /// The document is a whole [`FlowConfig`].
    Custom,
    /// A check fanned out over partitions: a `ForEach` of partial checks, then a merge.
    Fanout,
}

/// Parameters of the seed's generators, with its defaults; a generator rejects the ones it
/// does not take. Deserialisable from a YAML/JSON document with the seed's snake_case names.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowParams {
    #[serde(alias = "id")]
    pub flow_id: String,
    pub namespace: String,
    /// The data; without it the flow declares a `data_uri` STRING input.
    pub input_uri: Option<String>,
    /// Default of the `data_uri` input (so that scheduled executions have data to read).
    pub data_uri_default: Option<String>,
    /// check, pipeline: a rule document (text) or a list of rules.
    pub rules: Option<Rules>,
    #[serde(alias = "engine")]
    pub engine_name: String,
    /// check, pipeline (default true).
    pub fail_on_error: Option<bool>,
    /// A cron for a `Schedule` trigger.
    pub schedule: Option<String>,
    pub timezone: Option<String>,
    /// Default per generator ("Data quality check flow", ...).
    pub description: Option<String>,
    /// Retry of every task (the documented `retry` argument); the pipeline defaults to the seed's
    /// exponential 3 attempts from 30 s.
    pub retry: Option<RetryConfig>,
    pub timeout_seconds: f64,
    /// learn, pipeline (default 0.8).
    pub min_confidence: Option<f64>,
    /// pipeline (default true).
    pub include_profile: Option<bool>,
    /// pipeline (default false); the check then uses the learned rules unless `rules` are given.
    pub include_learn: Option<bool>,
    pub task_runner: TaskRunner,
    pub container_image: String,
    pub sanitize_ids: bool,
    pub labels: Labels,
    pub concurrency: Option<Concurrency>,
    /// check, pipeline: an SLA on the check task, its state kept in the KV store; adds the
    /// `sla_result` output.
    pub sla: Option<TaskSla>,
    /// fanout: the partition URIs, in row order (one partial check each). Without them the flow
    /// lists the data files of `input_uri` (or of its `data_uri` input) when it runs.
    pub partitions: Option<Vec<String>>,
    /// fanout: partitions checked at once (Kestra's `concurrencyLimit`; 0: all; default 8).
    pub concurrency_limit: Option<u32>,
    /// Python `python.Script` tasks using the Python package instead of CLI tasks (`3.11`).
    pub python_version: Option<String>,
    /// What the Python tasks pip-install (see `FlowConfig::python_requirement`).
    pub python_requirement: Option<String>,
}

impl Default for FlowParams {
    fn default() -> Self {
        FlowParams {
            flow_id: String::new(),
            namespace: "default".into(),
            input_uri: None,
            data_uri_default: None,
            rules: None,
            engine_name: "truthound".into(),
            fail_on_error: None,
            schedule: None,
            timezone: None,
            description: None,
            retry: None,
            timeout_seconds: 300.0,
            min_confidence: None,
            include_profile: None,
            include_learn: None,
            task_runner: TaskRunner::Docker,
            container_image: DEFAULT_CONTAINER_IMAGE.into(),
            sanitize_ids: false,
            labels: Labels::default(),
            concurrency: None,
            sla: None,
            partitions: None,
            concurrency_limit: None,
            python_version: None,
            python_requirement: None,
        }
    }
}

impl FlowParams {
    pub fn new(flow_id: impl Into<String>) -> FlowParams {
        FlowParams { flow_id: flow_id.into(), ..FlowParams::default() }
    }
}

pub type CheckFlowParams = FlowParams;
pub type ProfileFlowParams = FlowParams;
pub type LearnFlowParams = FlowParams;
pub type PipelineParams = FlowParams;

fn reject(present: bool, field: &str, kind: &str) -> Result<(), FlowError> {
    if present { Err(FlowError::new(field, format!("a {kind} flow does not take {field}"))) } else { Ok(()) }
}

fn base(params: &FlowParams, description: &str) -> FlowConfig {
    let mut triggers = Vec::new();
    if let Some(cron) = &params.schedule {
        triggers.push(TriggerConfig {
            id: "schedule".into(),
            trigger_type: TriggerType::Schedule,
            cron: Some(cron.clone()),
            timezone: params.timezone.clone(),
            ..TriggerConfig::default()
        });
    }
    let mut inputs = Vec::new();
    if let Some(default) = &params.data_uri_default {
        inputs.push(InputConfig {
            name: "data_uri".into(),
            default: Some(serde_yaml_ng::Value::String(default.clone())),
            description: "URI of the data (defaults for scheduled executions)".into(),
            ..InputConfig::default()
        });
    }
    FlowConfig {
        inputs,
        id: params.flow_id.clone(),
        namespace: params.namespace.clone(),
        description: params.description.clone().unwrap_or_else(|| description.into()),
        triggers,
        retry: params.retry.clone(),
        labels: params.labels.clone(),
        concurrency: params.concurrency.clone(),
        task_runner: params.task_runner,
        container_image: params.container_image.clone(),
        sanitize_ids: params.sanitize_ids,
        python_version: params.python_version.clone(),
        python_requirement: params.python_requirement.clone(),
        ..FlowConfig::default()
    }
}

/// Rejects the fan-out parameters in a flow of another `kind`.
fn reject_fanout(params: &FlowParams, kind: &str) -> Result<(), FlowError> {
    reject(params.partitions.is_some(), "partitions", kind)?;
    reject(params.concurrency_limit.is_some(), "concurrency_limit", kind)
}

fn common_checks(params: &FlowParams) -> Result<(), FlowError> {
    if params.flow_id.is_empty() {
        return Err(FlowError::new("flow_id", "a flow needs an id"));
    }
    if params.data_uri_default.is_some() && params.input_uri.is_some() {
        return Err(FlowError::new("data_uri_default", "give either input_uri or data_uri_default"));
    }
    if params.timezone.is_some() && params.schedule.is_none() {
        return Err(FlowError::new("timezone", "a timezone needs a schedule"));
    }
    Ok(())
}

fn task(params: &FlowParams, id: &str, task_type: TaskType, description: &str) -> TaskConfig {
    TaskConfig {
        sla: if task_type == TaskType::Check { params.sla.clone() } else { None },
        id: id.into(),
        task_type,
        input_uri: params.input_uri.clone(),
        engine_name: params.engine_name.clone(),
        fail_on_error: params.fail_on_error.unwrap_or(true),
        timeout_seconds: params.timeout_seconds,
        description: description.into(),
        min_confidence: params.min_confidence.unwrap_or(0.8),
        ..TaskConfig::default()
    }
}

fn output(name: &str, output_type: &str, value: String, description: &str) -> OutputConfig {
    OutputConfig { name: name.into(), value, output_type: output_type.into(), description: description.into() }
}

/// `sla_result`, the check's SLA evaluation, when the flow has an SLA.
fn sla_output(params: &FlowParams, check: &str) -> Option<OutputConfig> {
    params.sla.as_ref().map(|_| output("sla_result", "JSON", vars(check, "sla"), "The SLA evaluation of the check"))
}

fn vars(task: &str, key: &str) -> String {
    format!("{{{{ outputs.{task}.vars.{key} }}}}")
}

fn file(task: &str, name: &str) -> String {
    format!("{{{{ outputs.{task}.outputFiles['{name}'] }}}}")
}

/// The seed's `generate_check_flow`: task `check_quality`, outputs `check_result`, `status`.
pub fn generate_check_flow(params: &FlowParams) -> Result<String, FlowError> {
    FlowGenerator.generate(&check_flow_config(params)?).map_err(params_field)
}

pub fn check_flow_config(params: &FlowParams) -> Result<FlowConfig, FlowError> {
    common_checks(params)?;
    reject_fanout(params, "check")?;
    for (present, field) in [
        (params.min_confidence.is_some(), "min_confidence"),
        (params.include_profile.is_some(), "include_profile"),
        (params.include_learn.is_some(), "include_learn"),
    ] {
        reject(present, field, "check")?;
    }
    if params.rules.is_none() {
        return Err(FlowError::new("rules", "a check flow needs rules (a rule document or a list of rules)"));
    }
    let mut config = base(params, "Data quality check flow");
    let mut check = task(params, "check_quality", TaskType::Check, "");
    check.rules = params.rules.clone();
    config.tasks.push(check);
    config.outputs = vec![
        output("check_result", "JSON", vars("check_quality", "result"), "The check result"),
        output("status", "STRING", vars("check_quality", "status"), "passed, failed, warning, skipped or error"),
    ];
    config.outputs.extend(sla_output(params, "check_quality"));
    Ok(config)
}

/// The seed's `generate_profile_flow`: task `profile_data`, output `profile_result`.
pub fn generate_profile_flow(params: &FlowParams) -> Result<String, FlowError> {
    FlowGenerator.generate(&profile_flow_config(params)?).map_err(params_field)
}

pub fn profile_flow_config(params: &FlowParams) -> Result<FlowConfig, FlowError> {
    common_checks(params)?;
    reject_fanout(params, "profile")?;
    for (present, field) in [
        (params.rules.is_some(), "rules"),
        (params.fail_on_error.is_some(), "fail_on_error"),
        (params.min_confidence.is_some(), "min_confidence"),
        (params.include_profile.is_some(), "include_profile"),
        (params.include_learn.is_some(), "include_learn"),
        (params.sla.is_some(), "sla"),
    ] {
        reject(present, field, "profile")?;
    }
    let mut config = base(params, "Data profiling flow");
    config.tasks.push(task(params, "profile_data", TaskType::Profile, ""));
    config.outputs = vec![output("profile_result", "JSON", vars("profile_data", "result"), "The profile")];
    Ok(config)
}

/// The seed's `generate_learn_flow`: task `learn_schema`, outputs `learn_result`, `learned_rules`.
pub fn generate_learn_flow(params: &FlowParams) -> Result<String, FlowError> {
    FlowGenerator.generate(&learn_flow_config(params)?).map_err(params_field)
}

pub fn learn_flow_config(params: &FlowParams) -> Result<FlowConfig, FlowError> {
    common_checks(params)?;
    reject_fanout(params, "learn")?;
    for (present, field) in [
        (params.rules.is_some(), "rules"),
        (params.fail_on_error.is_some(), "fail_on_error"),
        (params.include_profile.is_some(), "include_profile"),
        (params.include_learn.is_some(), "include_learn"),
        (params.sla.is_some(), "sla"),
    ] {
        reject(present, field, "learn")?;
    }
    let mut config = base(params, "Schema learning flow");
    config.tasks.push(task(params, "learn_schema", TaskType::Learn, ""));
    config.outputs = vec![
        output("learn_result", "JSON", vars("learn_schema", "result"), "The learned rules and their confidence"),
        output("learned_rules", "FILE", file("learn_schema", super::RULES_FILE), "The learned rule file"),
    ];
    Ok(config)
}

/// The seed's `generate_quality_pipeline`: `profile` and `learn` (optional) then `check`, which
/// reads the learned rule file when no rules are given. Retry defaults to the seed's.
pub fn generate_quality_pipeline(params: &FlowParams) -> Result<String, FlowError> {
    FlowGenerator.generate(&pipeline_config(params)?).map_err(params_field)
}

pub fn pipeline_config(params: &FlowParams) -> Result<FlowConfig, FlowError> {
    common_checks(params)?;
    reject_fanout(params, "pipeline")?;
    let include_profile = params.include_profile.unwrap_or(true);
    let include_learn = params.include_learn.unwrap_or(false);
    if params.rules.is_none() && !include_learn {
        return Err(FlowError::new("rules", "a pipeline needs rules unless include_learn is set"));
    }
    if params.min_confidence.is_some() && !include_learn {
        return Err(FlowError::new("min_confidence", "min_confidence needs include_learn"));
    }
    let mut config = base(params, "Data quality pipeline");
    if config.retry.is_none() {
        config.retry = Some(RetryConfig::new(3, 30.0, RetryPolicy::Exponential));
    }
    let mut outputs = Vec::new();
    if include_profile {
        config.tasks.push(task(params, "profile", TaskType::Profile, "Generate data profile"));
        outputs.push(output("profile_result", "JSON", vars("profile", "result"), "The profile"));
    }
    if include_learn {
        config.tasks.push(task(params, "learn", TaskType::Learn, "Learn rules from data"));
    }
    let mut check = task(params, "check", TaskType::Check, "Run quality checks");
    match &params.rules {
        Some(rules) => {
            check.rules = Some(rules.clone());
            if include_profile {
                check.depends_on.push("profile".into());
            }
        }
        None => check.rules_from = Some("learn".into()),
    }
    config.tasks.push(check);
    outputs.push(output("check_result", "JSON", vars("check", "result"), "The check result"));
    outputs.push(output(
        "check_status",
        "STRING",
        vars("check", "status"),
        "passed, failed, warning, skipped or error",
    ));
    if include_learn {
        outputs.push(output("learned_rules", "FILE", file("learn", super::RULES_FILE), "The learned rule file"));
    }
    outputs.extend(sla_output(params, "check"));
    config.outputs = outputs;
    Ok(config)
}

/// Partitions checked at once when `concurrency_limit` is not given.
const DEFAULT_CONCURRENCY_LIMIT: u32 = 8;

/// A check fanned out over partitions: `ForEach` task `partitions` runs `check_partition`
/// (`check --emit-state`) once per partition, at most `concurrency_limit` at once, then
/// `merge_states` merges the states in partition order and decides like `check_quality` of the
/// check flow (outputs `check_result`, `status`). The partitions are `params.partitions`, or,
/// without them, the data files task `list_partitions` lists when the flow runs (of `input_uri`,
/// or of the flow's `data_uri` input).
pub fn generate_fanout_flow(params: &FlowParams) -> Result<String, FlowError> {
    FlowGenerator.generate(&fanout_flow_config(params)?).map_err(params_field)
}

/// Id of the task listing the partitions of a fan-out at run time.
const LIST_TASK: &str = "list_partitions";

pub fn fanout_flow_config(params: &FlowParams) -> Result<FlowConfig, FlowError> {
    common_checks(params)?;
    for (present, field) in [
        (params.min_confidence.is_some(), "min_confidence"),
        (params.include_profile.is_some(), "include_profile"),
        (params.include_learn.is_some(), "include_learn"),
        // `merge` evaluates no SLA yet: the state would have to travel with the partial states.
        (params.sla.is_some(), "sla"),
    ] {
        reject(present, field, "fanout")?;
    }
    if params.rules.is_none() {
        return Err(FlowError::new("rules", "a fanout flow needs rules (a rule document or a list of rules)"));
    }
    let mut config = base(params, "Data quality check fanned out over partitions");
    let partitions = match &params.partitions {
        Some(partitions) => {
            for (present, field) in
                [(params.input_uri.is_some(), "input_uri"), (params.data_uri_default.is_some(), "data_uri_default")]
            {
                if present {
                    let why = "give either the partitions or the input_uri to list them from when the flow runs";
                    return Err(FlowError::new(field, why));
                }
            }
            super::fanout::check_partitions(partitions, "partitions")?;
            Partitions::Fixed(partitions.clone())
        }
        None => {
            let mut list = task(params, LIST_TASK, TaskType::Check, "List the partitions: the data files of the URI");
            list.fanout = Some(FanoutRole::List);
            config.tasks.push(list);
            Partitions::AtRunTime { list_task: LIST_TASK.into() }
        }
    };
    let mut partition = task(params, "check_partition", TaskType::Check, "Check one partition into a partial state");
    partition.input_uri = Some("{{ taskrun.value }}".into());
    partition.rules = params.rules.clone();
    partition.depends_on.extend(config.tasks.iter().map(|t| t.id.clone()));
    partition.fanout = Some(FanoutRole::Partition {
        for_each_id: "partitions".into(),
        partitions: partitions.clone(),
        concurrency_limit: params.concurrency_limit.unwrap_or(DEFAULT_CONCURRENCY_LIMIT),
    });
    let mut merge = task(params, "merge_states", TaskType::Check, "Merge the partial states in partition order");
    merge.rules = params.rules.clone();
    merge.depends_on.push("check_partition".into());
    merge.fanout = Some(FanoutRole::Merge { from: "check_partition".into(), partitions });
    config.tasks.extend([partition, merge]);
    config.outputs = vec![
        output("check_result", "JSON", vars("merge_states", "result"), "The check result over all partitions"),
        output("status", "STRING", vars("merge_states", "status"), "passed, failed, warning, skipped or error"),
    ];
    Ok(config)
}

/// Names a field of the generated FlowConfig by the parameter it came from.
fn params_field(mut error: FlowError) -> FlowError {
    let field = error.field.as_str();
    let task_field = field.strip_prefix("tasks[").and_then(|rest| rest.split_once("].")).map(|(_, name)| name);
    let renamed = match (field, task_field) {
        ("id", _) => "flow_id",
        ("triggers[0].cron", _) => "schedule",
        ("triggers[0].timezone", _) => "timezone",
        (_, Some("engine_name")) => "engine",
        (_, Some(name @ ("min_confidence" | "timeout_seconds" | "input_uri" | "rules"))) => name,
        (_, Some(sla)) if sla.starts_with("sla") => sla,
        _ => return error,
    };
    error.field = renamed.to_string();
    error
}

/// The seed's `generate_flow_yaml(config)`.
pub fn generate_flow_yaml(config: &FlowConfig) -> Result<String, FlowError> {
    FlowGenerator.generate(config)
}

/// Reads a YAML or JSON document into `T`, naming the offending field in errors.
pub fn parse_document<T: serde::de::DeserializeOwned>(document: &str) -> Result<T, FlowError> {
    serde_yaml_ng::from_str(document).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split_once("unknown field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map_or("document".to_string(), |(field, _)| field.to_string());
        FlowError::new(field, format!("invalid flow document: {message}"))
    })
}

/// One entry point for every host: `kind` picks the generator, `document` is its parameters
/// (or a whole FlowConfig for `custom`) as YAML or JSON.
pub fn generate(kind: FlowKind, document: &str) -> Result<String, FlowError> {
    let document = if document.trim().is_empty() { "{}" } else { document };
    match kind {
        FlowKind::Custom => generate_flow_yaml(&parse_document::<FlowConfig>(document)?),
        kind => {
            let params: FlowParams = parse_document(document)?;
            match kind {
                FlowKind::Check => generate_check_flow(&params),
                FlowKind::Profile => generate_profile_flow(&params),
                FlowKind::Learn => generate_learn_flow(&params),
                FlowKind::Fanout => generate_fanout_flow(&params),
                _ => generate_quality_pipeline(&params),
            }
        }
    }
}
