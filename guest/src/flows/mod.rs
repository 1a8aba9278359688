//! Kestra flow generation (the seed's `flows` module), valid for Kestra 0.20 to 1.x
//! (see kestra-syntax.md): `shell.Commands` tasks running the `truthound-kestra` CLI (or, with
//! `python_version`, `python.Script` tasks using the Python package), rules through
//! `inputFiles`, context through `env`, results as `outputs.<task>.vars.<key>`.

mod config;
mod fanout;
mod ids;
mod layout;
#[doc(hidden)]
pub mod matrix;
mod python;
mod render;
mod sla;
mod tasks;
mod templates;
mod triggers;
pub mod yaml;

#[cfg(test)]
mod tests;

pub use config::{
    Concurrency, DEFAULT_CONTAINER_IMAGE, FlowConfig, InputConfig, Labels, OutputConfig, RetryConfig, RetryPolicy,
    Rules, TaskConfig, TaskRunner, TaskType, TriggerConfig, TriggerType, default_flow_config, production_flow_config,
};
pub use fanout::{FOR_EACH_TYPE, FanoutRole, PARTIAL_STATE, STATE_EXTENSION, STATE_GLOB};
pub use ids::{IdKind, is_valid as is_valid_id, sanitize as sanitize_id};
pub use layout::{DAG_TYPE, PARALLEL_TYPE};
pub use python::{PYTHON_REQUIREMENT, PYTHON_SCRIPT_TYPE};
pub use render::FlowGenerator;
pub use serde_yaml_ng::Value as LabelValue;
pub use sla::{FAIL_TYPE, KV_SET_TYPE, SLA_CONFIG_FILE, SLA_STATE_FILE, TaskSla};
pub use tasks::{COMMANDS_TYPE, DOCKER_RUNNER, PROCESS_RUNNER, RULES_FILE};
pub use templates::{
    CheckFlowParams, FlowKind, FlowParams, LearnFlowParams, PipelineParams, ProfileFlowParams, generate,
    generate_check_flow, generate_fanout_flow, generate_flow_yaml, generate_learn_flow, generate_profile_flow,
    generate_quality_pipeline, parse_document,
};

use std::sync::LazyLock;

/// The seed's `DEFAULT_FLOW_CONFIG`.
pub static DEFAULT_FLOW_CONFIG: LazyLock<FlowConfig> = LazyLock::new(default_flow_config);
/// The seed's `PRODUCTION_FLOW_CONFIG`.
pub static PRODUCTION_FLOW_CONFIG: LazyLock<FlowConfig> = LazyLock::new(production_flow_config);

/// A configuration the generator cannot turn into a valid flow, naming the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowError {
    /// Path of the field in the FlowConfig document (`tasks[0].id`, `retry.policy`, `schedule`).
    pub field: String,
    pub message: String,
}

impl FlowError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FlowError {
        FlowError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for FlowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FlowError {}
