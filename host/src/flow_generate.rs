//! `truthound-kestra flow generate`: Kestra flow YAML from options or a FlowConfig document.

use crate::error::{DataQualityError, exit_code};
use crate::outputs::write_atomically;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use truthound_guest::flows::{
    FlowConfig, FlowError, FlowParams, Labels, RetryConfig, RetryPolicy, Rules, TaskRunner, generate_check_flow,
    generate_fanout_flow, generate_flow_yaml, generate_learn_flow, generate_profile_flow, generate_quality_pipeline,
    parse_document,
};
use truthound_guest::sla::SlaConfig;

/// Which flow to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlowKindArg {
    /// One check task (the seed's generate_check_flow).
    Check,
    /// One profile task (generate_profile_flow).
    Profile,
    /// One learn task writing rules.yaml (generate_learn_flow).
    Learn,
    /// profile, learn (optional) and check (generate_quality_pipeline).
    Pipeline,
    /// A check fanned out over partitions: a ForEach of `check --emit-state` tasks with a
    /// concurrency limit, then one `merge` task (generate_fanout_flow). The partitions are the
    /// --partition URIs, or without them the data files a first task lists when the flow runs
    /// (of --input-uri, or of the flow's data_uri input).
    Fanout,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RetryPolicyArg {
    None,
    Constant,
    Exponential,
    Random,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TaskRunnerArg {
    /// io.kestra.plugin.scripts.runner.docker.Docker with --container-image.
    Docker,
    /// io.kestra.plugin.core.runner.Process: on the worker (truthound-kestra must be on its PATH).
    Process,
}

/// Options mirror the seed's generator parameters; they override a --config document.
#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// The flow to generate; without it, --config is a whole FlowConfig document.
    #[arg(value_enum)]
    pub kind: Option<FlowKindArg>,
    /// A YAML/JSON document: the generator's parameters (snake_case, as the seed's), or a
    /// FlowConfig (id, namespace, tasks, triggers, ...) when no kind is given.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Flow id (^[a-zA-Z0-9][a-zA-Z0-9._-]*).
    #[arg(long)]
    pub flow_id: Option<String>,
    /// Namespace (lowercase, dot-separated; default "default").
    #[arg(long)]
    pub namespace: Option<String>,
    /// The data the tasks read; without it the flow takes a `data_uri` STRING input.
    #[arg(long, value_name = "URI")]
    pub input_uri: Option<String>,
    /// Default of the `data_uri` input, so that scheduled executions have data to read.
    #[arg(long, value_name = "URI", conflicts_with = "input_uri")]
    pub data_uri_default: Option<String>,
    /// A rule document embedded in the flow (check, pipeline).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// What the rule document is written for: truthound, great_expectations, pandera.
    #[arg(long, aliases = ["engine-name"])]
    pub engine: Option<String>,
    /// The check task fails when rules fail (default).
    #[arg(long, overrides_with = "no_fail_on_error")]
    pub fail_on_error: bool,
    /// The check task succeeds even when rules fail.
    #[arg(long, overrides_with = "fail_on_error")]
    pub no_fail_on_error: bool,
    /// A cron for a Schedule trigger, e.g. "0 6 * * *" or @daily.
    #[arg(long, value_name = "CRON")]
    pub schedule: Option<String>,
    /// Time zone of the schedule, e.g. Europe/Berlin.
    #[arg(long)]
    pub timezone: Option<String>,
    /// Add the profile task to a pipeline (default).
    #[arg(long, overrides_with = "no_include_profile")]
    pub include_profile: bool,
    /// Leave the profile task out of a pipeline.
    #[arg(long, overrides_with = "include_profile")]
    pub no_include_profile: bool,
    /// Add a learn task to a pipeline; its rules.yaml becomes the check's rules unless --rules is given.
    #[arg(long)]
    pub include_learn: bool,
    /// Lowest confidence of learned rules (learn, pipeline with --include-learn; default 0.8).
    #[arg(long, value_name = "RATIO")]
    pub min_confidence: Option<f64>,
    /// Flow description (Markdown).
    #[arg(long)]
    pub description: Option<String>,
    /// Total attempts of a task including the first (Kestra's maxAttempt); 0 disables retries.
    #[arg(long, value_name = "N")]
    pub retry_attempts: Option<u32>,
    /// First retry interval in seconds (minInterval for random).
    #[arg(long, value_name = "SECONDS")]
    pub retry_interval: Option<f64>,
    /// Longest retry interval in seconds (exponential, random).
    #[arg(long, value_name = "SECONDS")]
    pub retry_max_interval: Option<f64>,
    /// Total retry budget in seconds (maxDuration).
    #[arg(long, value_name = "SECONDS")]
    pub retry_max_duration: Option<f64>,
    #[arg(long, value_enum)]
    pub retry_policy: Option<RetryPolicyArg>,
    /// Task timeout in seconds (0: none; default 300).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    #[arg(long, value_enum)]
    pub task_runner: Option<TaskRunnerArg>,
    /// Image of Docker-run tasks; it needs truthound-kestra on its PATH.
    #[arg(long, value_name = "IMAGE")]
    pub container_image: Option<String>,
    /// Replace characters Kestra does not allow in ids instead of failing.
    #[arg(long)]
    pub sanitize_ids: bool,
    /// A partition of the data (fanout), in row order; repeat for more. Without it the flow
    /// lists the partitions when it runs.
    #[arg(long, value_name = "URI")]
    pub partition: Vec<String>,
    /// Partitions checked at once (fanout; 0: all; default 8).
    #[arg(long, value_name = "N")]
    pub concurrency_limit: Option<u32>,
    /// A flow label KEY=VALUE; repeat for more.
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// An SLA on the check task (check, pipeline): a preset (default, strict, lenient,
    /// production) or a YAML/JSON SLA config file embedded in the flow. Its state is kept in
    /// Kestra's KV store between executions.
    #[arg(long, value_name = "PRESET|FILE")]
    pub sla: Option<String>,
    /// KV key of the SLA state (default <flow id>_<task id>_sla_state).
    #[arg(long, value_name = "KEY")]
    pub sla_kv_key: Option<String>,
    /// A violated SLA fails the execution (after its state is stored).
    #[arg(long)]
    pub sla_fail: bool,
    /// Write the flow to this file (atomically) instead of printing it.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn read(path: &PathBuf, what: &str) -> Result<String, DataQualityError> {
    std::fs::read_to_string(path)
        .map_err(|e| DataQualityError::configuration(what, format!("cannot read the {what} {}: {e}", path.display())))
}

impl GenerateArgs {
    /// A generator error as a `FlowError` naming the flow asked for.
    fn flow_error(&self, error: FlowError) -> DataQualityError {
        let message = format!("invalid flow configuration: {error}");
        DataQualityError::flow(self.flow_id.as_deref(), self.namespace.as_deref(), &error.field, message)
    }

    /// Whether any generator option is set (they need a kind).
    fn has_options(&self) -> bool {
        self.flow_id.is_some()
            || self.namespace.is_some()
            || self.input_uri.is_some()
            || self.rules.is_some()
            || self.data_uri_default.is_some()
            || self.engine.is_some()
            || self.fail_on_error
            || self.no_fail_on_error
            || self.schedule.is_some()
            || self.timezone.is_some()
            || self.include_profile
            || self.no_include_profile
            || self.include_learn
            || self.min_confidence.is_some()
            || self.description.is_some()
            || self.retry_attempts.is_some()
            || self.retry_interval.is_some()
            || self.retry_max_interval.is_some()
            || self.retry_max_duration.is_some()
            || self.retry_policy.is_some()
            || self.timeout.is_some()
            || self.task_runner.is_some()
            || self.container_image.is_some()
            || self.sanitize_ids
            || !self.label.is_empty()
            || self.sla.is_some()
            || self.sla_kv_key.is_some()
            || self.sla_fail
            || !self.partition.is_empty()
            || self.concurrency_limit.is_some()
    }

    /// The generator parameters: the --config document, then the options over it.
    pub fn params(&self) -> Result<FlowParams, DataQualityError> {
        let mut params: FlowParams = match &self.config {
            Some(path) => parse_document(&read(path, "flow configuration")?).map_err(|e| self.flow_error(e))?,
            None => FlowParams::default(),
        };
        macro_rules! set {
            ($($field:ident),*) => {$(if let Some(value) = &self.$field { params.$field = value.clone().into(); })*};
        }
        set!(flow_id, namespace, container_image);
        if let Some(uri) = &self.input_uri {
            params.input_uri = Some(uri.clone());
        }
        if let Some(uri) = &self.data_uri_default {
            params.data_uri_default = Some(uri.clone());
        }
        if let Some(path) = &self.rules {
            params.rules = Some(Rules::Document(read(path, "rule document")?));
        }
        if let Some(engine) = &self.engine {
            params.engine_name = engine.clone();
        }
        if self.fail_on_error || self.no_fail_on_error {
            params.fail_on_error = Some(self.fail_on_error);
        }
        if let Some(cron) = &self.schedule {
            params.schedule = Some(cron.clone());
        }
        if let Some(zone) = &self.timezone {
            params.timezone = Some(zone.clone());
        }
        if self.include_profile || self.no_include_profile {
            params.include_profile = Some(self.include_profile);
        }
        if self.include_learn {
            params.include_learn = Some(true);
        }
        if let Some(confidence) = self.min_confidence {
            params.min_confidence = Some(confidence);
        }
        if let Some(description) = &self.description {
            params.description = Some(description.clone());
        }
        let retry_given = self.retry_attempts.is_some()
            || self.retry_interval.is_some()
            || self.retry_max_interval.is_some()
            || self.retry_max_duration.is_some()
            || self.retry_policy.is_some();
        if retry_given {
            let mut retry = params.retry.clone().unwrap_or_else(|| match self.kind {
                // The pipeline's default retry, so that one option only changes one thing.
                Some(FlowKindArg::Pipeline) => RetryConfig::new(3, 30.0, RetryPolicy::Exponential),
                _ => RetryConfig::default(),
            });
            if let Some(n) = self.retry_attempts {
                retry.max_attempts = n;
            }
            if let Some(seconds) = self.retry_interval {
                retry.initial_delay_seconds = seconds;
            }
            if let Some(seconds) = self.retry_max_interval {
                retry.max_delay_seconds = seconds;
            }
            if let Some(seconds) = self.retry_max_duration {
                retry.max_duration_seconds = Some(seconds);
            }
            if let Some(policy) = self.retry_policy {
                retry.policy = match policy {
                    RetryPolicyArg::None => RetryPolicy::None,
                    RetryPolicyArg::Constant => RetryPolicy::Constant,
                    RetryPolicyArg::Exponential => RetryPolicy::Exponential,
                    RetryPolicyArg::Random => RetryPolicy::Random,
                };
            }
            params.retry = Some(retry);
        }
        if let Some(seconds) = self.timeout {
            params.timeout_seconds = seconds;
        }
        if let Some(runner) = self.task_runner {
            params.task_runner = match runner {
                TaskRunnerArg::Docker => TaskRunner::Docker,
                TaskRunnerArg::Process => TaskRunner::Process,
            };
        }
        if self.sanitize_ids {
            params.sanitize_ids = true;
        }
        if !self.partition.is_empty() {
            params.partitions = Some(self.partition.clone());
        }
        if let Some(limit) = self.concurrency_limit {
            params.concurrency_limit = Some(limit);
        }
        if !self.label.is_empty() {
            let mut map = match std::mem::take(&mut params.labels) {
                Labels::Map(map) => map,
                Labels::List(_) => {
                    return Err(DataQualityError::configuration(
                        "label",
                        "--label cannot extend a list of labels; write them as a map",
                    ));
                }
            };
            for label in &self.label {
                let (key, value) = label.split_once('=').ok_or_else(|| {
                    DataQualityError::configuration("label", format!("--label {label:?} is not KEY=VALUE"))
                })?;
                map.insert(key.to_string(), serde_yaml_ng_string(value));
            }
            params.labels = Labels::Map(map);
        }
        self.apply_sla(&mut params)?;
        Ok(params)
    }

    /// `--sla`, `--sla-kv-key` and `--sla-fail` over the document's `sla`.
    fn apply_sla(&self, params: &mut FlowParams) -> Result<(), DataQualityError> {
        if self.sla.is_none() && self.sla_kv_key.is_none() && !self.sla_fail {
            return Ok(());
        }
        let mut sla = params.sla.clone().unwrap_or_default();
        if let Some(spec) = &self.sla {
            (sla.preset, sla.config) = match SlaConfig::preset(spec) {
                Some(_) => (Some(spec.clone()), None),
                None => {
                    let text =
                        read(&PathBuf::from(spec), "SLA config (or preset: default, strict, lenient, production)")?;
                    let config = SlaConfig::from_document(&text)
                        .map_err(|e| DataQualityError::configuration("sla", format!("--sla {spec}: {e}")))?;
                    (None, Some(config))
                }
            };
        }
        if let Some(key) = &self.sla_kv_key {
            sla.kv_key = Some(key.clone());
        }
        sla.fail |= self.sla_fail;
        params.sla = Some(sla);
        Ok(())
    }

    /// The flow YAML these options describe.
    pub fn yaml(&self) -> Result<String, DataQualityError> {
        let Some(kind) = self.kind else {
            let Some(path) = &self.config else {
                return Err(DataQualityError::configuration(
                    "kind",
                    "give a kind (check, profile, learn, pipeline, fanout) or --config with a FlowConfig document",
                ));
            };
            if self.has_options() {
                return Err(DataQualityError::configuration(
                    "kind",
                    "options need a kind: `flow generate check|profile|learn|pipeline|fanout --config ...`; without a kind \
                     --config is a whole FlowConfig",
                ));
            }
            let config: FlowConfig =
                parse_document(&read(path, "flow configuration")?).map_err(|e| self.flow_error(e))?;
            return generate_flow_yaml(&config).map_err(|e| self.flow_error(e));
        };
        let params = self.params()?;
        match kind {
            FlowKindArg::Check => generate_check_flow(&params),
            FlowKindArg::Profile => generate_profile_flow(&params),
            FlowKindArg::Learn => generate_learn_flow(&params),
            FlowKindArg::Pipeline => generate_quality_pipeline(&params),
            FlowKindArg::Fanout => generate_fanout_flow(&params),
        }
        .map_err(|e| self.flow_error(e))
    }
}

fn serde_yaml_ng_string(value: &str) -> truthound_guest::flows::LabelValue {
    truthound_guest::flows::LabelValue::String(value.to_string())
}

/// Runs `flow generate`.
pub fn run_generate(args: &GenerateArgs) -> Result<i32, DataQualityError> {
    let yaml = args.yaml()?;
    match &args.output {
        Some(path) => write_atomically(path, yaml.as_bytes())?,
        None => print!("{yaml}"),
    }
    Ok(exit_code::SUCCESS)
}
