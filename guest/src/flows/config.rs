//! The seed's flow configuration types, deserialisable from a YAML/JSON "FlowConfig document"
//! with the seed's snake_case keys.

use super::fanout::FanoutRole;
use super::sla::TaskSla;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a task runs (the seed's `TaskType`). `python_script` has no meaning for a CLI-based
/// flow and is rejected with a clear error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    #[default]
    #[serde(alias = "CHECK")]
    Check,
    #[serde(alias = "PROFILE")]
    Profile,
    #[serde(alias = "LEARN")]
    Learn,
    #[serde(alias = "PYTHON_SCRIPT")]
    PythonScript,
}

/// How an execution starts (the seed's `TriggerType`); `polling` does not exist in Kestra and is rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerType {
    #[default]
    #[serde(alias = "SCHEDULE")]
    Schedule,
    #[serde(alias = "FLOW")]
    Flow,
    #[serde(alias = "WEBHOOK")]
    Webhook,
    #[serde(alias = "POLLING")]
    Polling,
}

/// Retry strategy (the seed's `RetryPolicy` plus Kestra's `random`); `linear` has no Kestra
/// equivalent and is rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryPolicy {
    #[serde(alias = "NONE")]
    None,
    #[serde(alias = "CONSTANT")]
    Constant,
    #[default]
    #[serde(alias = "EXPONENTIAL")]
    Exponential,
    #[serde(alias = "RANDOM")]
    Random,
    #[serde(alias = "LINEAR")]
    Linear,
}

/// Where the task's commands run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskRunner {
    /// `io.kestra.plugin.scripts.runner.docker.Docker` with `containerImage`.
    #[default]
    Docker,
    /// `io.kestra.plugin.core.runner.Process`: on the worker, which needs `truthound-kestra` on PATH.
    Process,
}

/// The image Docker-run tasks use unless configured: any image with `truthound-kestra` on PATH.
pub const DEFAULT_CONTAINER_IMAGE: &str = "truthound-kestra:latest";

/// Retry of a task (the seed's `RetryConfig`). `max_attempts` is Kestra's `maxAttempt`: total
/// attempts including the first; 0 (or policy `none`) means no retry.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryConfig {
    pub max_attempts: u32,
    /// `interval` (constant, exponential) or `minInterval` (random).
    #[serde(alias = "interval_seconds")]
    pub initial_delay_seconds: f64,
    /// `maxInterval` (exponential, random).
    pub max_delay_seconds: f64,
    pub policy: RetryPolicy,
    /// `delayFactor` of exponential retries.
    pub multiplier: f64,
    /// `maxDuration`: the total retry budget, emitted only when given.
    pub max_duration_seconds: Option<f64>,
    /// `warningOnRetry`.
    pub warning_on_retry: bool,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_delay_seconds: 10.0,
            max_delay_seconds: 300.0,
            policy: RetryPolicy::Exponential,
            multiplier: 2.0,
            max_duration_seconds: None,
            warning_on_retry: false,
        }
    }
}

impl RetryConfig {
    /// The seed's `RetryConfig(max_attempts, initial_delay_seconds, policy)`.
    pub fn new(max_attempts: u32, initial_delay_seconds: f64, policy: RetryPolicy) -> RetryConfig {
        RetryConfig { max_attempts, initial_delay_seconds, policy, ..RetryConfig::default() }
    }

    pub fn with_max_attempts(mut self, max_attempts: u32) -> RetryConfig {
        self.max_attempts = max_attempts;
        self
    }
}

/// Rules of a check task: a rule document as text (embedded verbatim) or a list of rules.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Rules {
    Document(String),
    List(Vec<serde_yaml_ng::Value>),
}

/// One task (the seed's `TaskConfig`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskConfig {
    pub id: String,
    #[serde(alias = "type")]
    pub task_type: TaskType,
    /// The data; `None` reads the flow input `data_uri`.
    pub input_uri: Option<String>,
    /// Rules of a check task (delivered as `rules.yaml` through `inputFiles`).
    pub rules: Option<Rules>,
    /// A learn task whose `rules.yaml` output file this check task uses as its rules.
    pub rules_from: Option<String>,
    #[serde(alias = "engine")]
    pub engine_name: String,
    pub fail_on_error: bool,
    /// Task `timeout`; 0 omits it.
    pub timeout_seconds: f64,
    /// Overrides the flow's retry.
    pub retry: Option<RetryConfig>,
    /// Tasks that must finish first (a chain stays a list, a graph becomes a Dag).
    pub depends_on: Vec<String>,
    /// `runIf` expressions, joined with `and`.
    pub conditions: Vec<String>,
    pub description: String,
    /// `--min-confidence` of a learn task.
    pub min_confidence: f64,
    /// SLA of a check task: its state lives in the KV store, and the execution fails after the
    /// state is stored (see `flows::sla`).
    pub sla: Option<TaskSla>,
    /// The part a check task plays in a fan-out (set by the fan-out template, not by documents).
    #[serde(skip)]
    pub fanout: Option<FanoutRole>,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            id: String::new(),
            task_type: TaskType::Check,
            input_uri: None,
            rules: None,
            rules_from: None,
            engine_name: "truthound".into(),
            fail_on_error: true,
            timeout_seconds: 300.0,
            retry: None,
            depends_on: Vec::new(),
            conditions: Vec::new(),
            description: String::new(),
            min_confidence: 0.8,
            sla: None,
            fanout: None,
        }
    }
}

impl TaskConfig {
    pub fn new(id: impl Into<String>, task_type: TaskType) -> TaskConfig {
        TaskConfig { id: id.into(), task_type, ..TaskConfig::default() }
    }

    pub fn with_rules(mut self, rules: Rules) -> TaskConfig {
        self.rules = Some(rules);
        self
    }

    pub fn with_depends_on<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> TaskConfig {
        self.depends_on.extend(ids.into_iter().map(Into::into));
        self
    }
}

/// A trigger (the seed's `TriggerConfig`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriggerConfig {
    pub id: String,
    #[serde(alias = "type")]
    pub trigger_type: TriggerType,
    /// Schedule: a 5-field cron or a nickname such as `@daily`.
    pub cron: Option<String>,
    /// Schedule: a tz-database zone such as `Europe/Berlin`.
    pub timezone: Option<String>,
    /// Flow: the upstream flow.
    pub flow_id: Option<String>,
    /// Flow: the upstream flow's namespace.
    pub namespace: Option<String>,
    /// Flow: upstream execution states that start this flow (default SUCCESS).
    pub states: Vec<String>,
    /// Webhook: the secret key of the webhook URL.
    pub key: Option<String>,
}

/// A flow input (the seed's `InputConfig`).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    #[serde(alias = "id")]
    pub name: String,
    #[serde(rename = "type", alias = "input_type")]
    pub input_type: String,
    pub required: bool,
    pub default: Option<serde_yaml_ng::Value>,
    pub description: String,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            name: String::new(),
            input_type: "STRING".into(),
            required: true,
            default: None,
            description: String::new(),
        }
    }
}

/// A typed flow output (the seed's `OutputConfig`, plus the `type` Kestra requires).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutputConfig {
    #[serde(alias = "id")]
    pub name: String,
    pub value: String,
    #[serde(rename = "type", alias = "output_type")]
    pub output_type: String,
    pub description: String,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            name: String::new(),
            value: String::new(),
            output_type: "STRING".into(),
            description: String::new(),
        }
    }
}

/// `concurrency`: a bare limit (the seed's int) or `{limit, behavior}`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Concurrency {
    Limit(u32),
    Full {
        limit: u32,
        #[serde(default)]
        behavior: Option<String>,
    },
}

/// Labels: a map, or the seed's list of `key=value` / `key:value` strings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Labels {
    Map(BTreeMap<String, serde_yaml_ng::Value>),
    List(Vec<String>),
}

impl Default for Labels {
    fn default() -> Self {
        Labels::Map(BTreeMap::new())
    }
}

/// A whole flow (the seed's `FlowConfig`), plus how tasks run.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowConfig {
    pub id: String,
    pub namespace: String,
    pub description: String,
    pub tasks: Vec<TaskConfig>,
    pub inputs: Vec<InputConfig>,
    pub outputs: Vec<OutputConfig>,
    pub triggers: Vec<TriggerConfig>,
    /// Default retry of every task.
    pub retry: Option<RetryConfig>,
    pub labels: Labels,
    pub disabled: bool,
    pub variables: BTreeMap<String, serde_yaml_ng::Value>,
    pub concurrency: Option<Concurrency>,
    pub task_runner: TaskRunner,
    /// Image of Docker-run tasks.
    pub container_image: String,
    /// Replace characters Kestra does not allow in ids instead of failing.
    pub sanitize_ids: bool,
    /// Run tasks without dependencies side by side in a `Parallel` task.
    pub parallel: bool,
    /// Tasks become `python.Script` tasks using the Python package, on this Python (`3.11`).
    pub python_version: Option<String>,
    /// What their `beforeCommands` pip-installs (default: the package at this version; empty:
    /// nothing, the image has it).
    pub python_requirement: Option<String>,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            id: String::new(),
            namespace: "default".into(),
            description: String::new(),
            tasks: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            triggers: Vec::new(),
            retry: None,
            labels: Labels::default(),
            disabled: false,
            variables: BTreeMap::new(),
            concurrency: None,
            task_runner: TaskRunner::Docker,
            container_image: DEFAULT_CONTAINER_IMAGE.into(),
            sanitize_ids: false,
            parallel: false,
            python_version: None,
            python_requirement: None,
        }
    }
}

impl FlowConfig {
    pub fn new(id: impl Into<String>, namespace: impl Into<String>) -> FlowConfig {
        FlowConfig { id: id.into(), namespace: namespace.into(), ..FlowConfig::default() }
    }

    pub fn with_namespace(mut self, namespace: impl Into<String>) -> FlowConfig {
        self.namespace = namespace.into();
        self
    }

    pub fn with_tasks(mut self, tasks: Vec<TaskConfig>) -> FlowConfig {
        self.tasks = tasks;
        self
    }

    pub fn add_task(mut self, task: TaskConfig) -> FlowConfig {
        self.tasks.push(task);
        self
    }

    pub fn with_triggers(mut self, triggers: Vec<TriggerConfig>) -> FlowConfig {
        self.triggers = triggers;
        self
    }
}

/// The seed's `DEFAULT_FLOW_CONFIG`: `FlowConfig("data_quality", "default")`.
pub fn default_flow_config() -> FlowConfig {
    FlowConfig::new("data_quality", "default")
}

/// The seed's `PRODUCTION_FLOW_CONFIG`: namespace `production`, exponential retry (3 attempts,
/// 30 s first interval), one execution at a time.
pub fn production_flow_config() -> FlowConfig {
    FlowConfig {
        retry: Some(RetryConfig::new(3, 30.0, RetryPolicy::Exponential)),
        concurrency: Some(Concurrency::Limit(1)),
        ..FlowConfig::new("data_quality", "production")
    }
}
