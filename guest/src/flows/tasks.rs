//! Script tasks running the `truthound-kestra` CLI, with retry and timeout.

use super::config::{FlowConfig, RetryConfig, RetryPolicy, Rules, TaskConfig, TaskRunner, TaskType};
use super::fanout::{FanoutRole, PARTIAL_STATE, Partitions, STATE_GLOB, listed_state_input_files, state_input_files};
use super::python::{PYTHON_SCRIPT_TYPE, PythonTasks};
use super::yaml::Node;
use super::{FlowError, render::text};

pub const COMMANDS_TYPE: &str = "io.kestra.plugin.scripts.shell.Commands";
pub const DOCKER_RUNNER: &str = "io.kestra.plugin.scripts.runner.docker.Docker";
pub const PROCESS_RUNNER: &str = "io.kestra.plugin.core.runner.Process";
/// The rule file a check task reads and a learn task writes.
pub const RULES_FILE: &str = "rules.yaml";
/// Report files of check and profile tasks.
pub const CHECK_REPORT: &str = "report.json";
pub const PROFILE_REPORT: &str = "profile.json";

/// A task with its final id and resolved dependencies.
#[derive(Clone, Debug)]
pub struct TaskPlan {
    pub index: usize,
    pub id: String,
    pub depends_on: Vec<String>,
    /// The learn task whose rule file this check task reads.
    pub rules_from: Option<String>,
    /// The KV key of a check task's SLA state.
    pub sla_key: Option<String>,
    pub task: TaskConfig,
}

/// The engine names `check --engine` takes, with the seed's spellings.
fn engine(name: &str, field: &str) -> Result<&'static str, FlowError> {
    Ok(match name.to_ascii_lowercase().replace('-', "_").as_str() {
        "truthound" => "truthound",
        "great_expectations" | "ge" | "gx" => "great_expectations",
        "pandera" => "pandera",
        _ => {
            return Err(FlowError::new(field, format!("{name:?} is not truthound, great_expectations or pandera")));
        }
    })
}

/// Seconds as an ISO-8601 duration Java's `Duration.parse` reads (`PT30S`, `PT0.25S`).
pub fn duration(seconds: f64, field: &str) -> Result<String, FlowError> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return Err(FlowError::new(field, format!("{seconds} is not a duration in seconds")));
    }
    let millis = (seconds * 1000.0).round() as u64;
    Ok(if millis.is_multiple_of(1000) {
        format!("PT{}S", millis / 1000)
    } else {
        let fraction = format!("{:03}", millis % 1000);
        format!("PT{}.{}S", millis / 1000, fraction.trim_end_matches('0'))
    })
}

fn rules_document(rules: &Rules) -> Result<String, String> {
    match rules {
        Rules::Document(text) => Ok(text.clone()),
        Rules::List(list) => serde_yaml_ng::to_string(list).map_err(|e| e.to_string()),
    }
}

/// The task as a `shell.Commands` node.
pub fn render_task(config: &FlowConfig, plan: &TaskPlan) -> Result<Node, FlowError> {
    let task = &plan.task;
    let at = |name: &str| format!("tasks[{}].{name}", plan.index);
    let python = PythonTasks::of(config)?;
    let task_type = if python.is_some() { PYTHON_SCRIPT_TYPE } else { COMMANDS_TYPE };
    let mut entries = vec![("id".to_string(), Node::Str(plan.id.clone())), ("type".into(), Node::str(task_type))];
    if !task.description.is_empty() {
        entries.push(("description".into(), text(&task.description)));
    }
    match config.task_runner {
        TaskRunner::Docker => {
            entries.push(("taskRunner".into(), Node::Map(vec![("type".into(), Node::str(DOCKER_RUNNER))])));
            let image =
                python.as_ref().map_or_else(|| config.container_image.clone(), |p| p.image(&config.container_image));
            entries.push(("containerImage".into(), Node::Str(image)));
        }
        TaskRunner::Process => {
            entries.push(("taskRunner".into(), Node::Map(vec![("type".into(), Node::str(PROCESS_RUNNER))])));
        }
    }
    let data_uri = match &task.input_uri {
        Some(uri) if uri.trim().is_empty() => return Err(FlowError::new(at("input_uri"), "must not be empty")),
        Some(uri) => uri.clone(),
        None => "{{ inputs.data_uri }}".into(),
    };
    // A merge reads partial states, not data.
    let mut env = match task.fanout {
        Some(FanoutRole::Merge { .. }) => vec![],
        _ => vec![("DATA_URI".to_string(), Node::Str(data_uri))],
    };
    let mut input_files = Vec::new();
    // `inputFiles` as one Pebble template rendering a JSON object, instead of `input_files`.
    let mut input_files_template = None;
    let mut output_files = Vec::new();
    let mut before_command = None;
    let command = match (&task.fanout, task.task_type) {
        (Some(FanoutRole::List), _) => "truthound-kestra partitions \"$DATA_URI\"".to_string(),
        (_, TaskType::Check) => {
            let engine = engine(&task.engine_name, &at("engine_name"))?;
            let rules = match (&task.rules, &plan.rules_from) {
                (Some(_), Some(_)) => {
                    return Err(FlowError::new(at("rules"), "give either rules or rules_from, not both"));
                }
                (Some(rules), None) => {
                    let document = rules_document(rules).map_err(|e| FlowError::new(at("rules"), e))?;
                    if document.trim().is_empty() {
                        return Err(FlowError::new(at("rules"), "the rule document is empty"));
                    }
                    text(&document)
                }
                (None, Some(from)) => Node::Str(format!("{{{{ outputs.{from}.outputFiles['{RULES_FILE}'] }}}}")),
                (None, None) => {
                    return Err(FlowError::new(at("rules"), "a check task needs rules (a rule document or list)"));
                }
            };
            // With an SLA the check never fails the task: a gate task after the state is stored does.
            let fail = if task.fail_on_error && task.sla.is_none() { "--fail-on-error" } else { "--no-fail-on-error" };
            let listed_at_run_time =
                matches!(&task.fanout, Some(FanoutRole::Merge { partitions: Partitions::AtRunTime { .. }, .. }));
            if !listed_at_run_time {
                input_files.push((RULES_FILE.to_string(), rules));
                env.push(("RULE_ENGINE".into(), Node::str(engine)));
            }
            match &task.fanout {
                None => {
                    output_files.push(Node::str(CHECK_REPORT));
                    let mut sla_arguments = String::new();
                    if let (Some(sla), Some(key)) = (&task.sla, &plan.sla_key) {
                        let part = sla.check_task(key, &at("sla"))?;
                        env.push(part.env);
                        input_files.extend(part.input_file);
                        before_command = Some(part.before_check);
                        sla_arguments = format!(" {}", part.check_arguments);
                    }
                    format!(
                        "truthound-kestra check \"$DATA_URI\" --rules {RULES_FILE} --engine \"$RULE_ENGINE\" {fail} --format json --output {CHECK_REPORT}{sla_arguments}"
                    )
                }
                Some(FanoutRole::Partition { partitions, .. }) => {
                    output_files.push(Node::str(PARTIAL_STATE));
                    let mut hive_root = "";
                    if let Partitions::AtRunTime { list_task } = partitions {
                        // The partition columns a check of the listed glob would add.
                        env.push(("HIVE_ROOT".into(), Node::Str(format!("{{{{ outputs.{list_task}.vars.root }}}}"))));
                        hive_root = " --hive-root \"$HIVE_ROOT\"";
                    }
                    format!(
                        "truthound-kestra check \"$DATA_URI\" --rules {RULES_FILE} --engine \"$RULE_ENGINE\" --emit-state {PARTIAL_STATE}{hive_root}"
                    )
                }
                Some(FanoutRole::Merge { from, partitions: Partitions::Fixed(partitions) }) => {
                    input_files.extend(state_input_files(from, partitions));
                    output_files.push(Node::str(CHECK_REPORT));
                    format!(
                        "truthound-kestra merge {STATE_GLOB} --rules {RULES_FILE} --engine \"$RULE_ENGINE\" {fail} --format json --output {CHECK_REPORT}"
                    )
                }
                Some(FanoutRole::Merge { from, partitions: Partitions::AtRunTime { list_task } }) => {
                    // The states carry their rules and rule engine. Their names are rendered at run
                    // time, so `inputFiles` is one JSON template, without the rule file.
                    input_files_template = Some(listed_state_input_files(from, list_task));
                    output_files.push(Node::str(CHECK_REPORT));
                    format!("truthound-kestra merge . {fail} --format json --output {CHECK_REPORT}")
                }
                Some(FanoutRole::List) => unreachable!("a listing task is rendered by the first arm"),
            }
        }
        (_, TaskType::Profile) => {
            output_files.push(Node::str(PROFILE_REPORT));
            format!("truthound-kestra profile \"$DATA_URI\" --format json --output {PROFILE_REPORT}")
        }
        (_, TaskType::Learn) => {
            if !(0.0..=1.0).contains(&task.min_confidence) {
                return Err(FlowError::new(
                    at("min_confidence"),
                    format!("{} is not from 0 to 1", task.min_confidence),
                ));
            }
            env.push(("MIN_CONFIDENCE".into(), Node::Str(task.min_confidence.to_string())));
            output_files.push(Node::str(RULES_FILE));
            format!("truthound-kestra learn \"$DATA_URI\" --min-confidence \"$MIN_CONFIDENCE\" --output {RULES_FILE}")
        }
        (_, TaskType::PythonScript) => {
            return Err(FlowError::new(
                at("task_type"),
                "python_script is not supported: generated tasks run the truthound-kestra CLI (check, profile, learn)",
            ));
        }
    };
    if task.task_type != TaskType::Check && (task.rules.is_some() || plan.rules_from.is_some()) {
        return Err(FlowError::new(at("rules"), "only check tasks take rules"));
    }
    if task.task_type != TaskType::Check && task.sla.is_some() {
        return Err(FlowError::new(at("sla"), "only check tasks take an SLA"));
    }
    for (name, expression) in [
        ("KESTRA_FLOW_ID", "{{ flow.id }}"),
        ("KESTRA_NAMESPACE", "{{ flow.namespace }}"),
        ("KESTRA_EXECUTION_ID", "{{ execution.id }}"),
        ("KESTRA_TASK_ID", "{{ task.id }}"),
    ] {
        env.push((name.into(), Node::str(expression)));
    }
    entries.push(("env".into(), Node::Map(env)));
    if let Some(template) = input_files_template {
        entries.push(("inputFiles".into(), Node::Str(template)));
    } else if !input_files.is_empty() {
        entries.push(("inputFiles".into(), Node::Map(input_files)));
    }
    match &python {
        None => {
            let commands = before_command.into_iter().chain([command]).map(Node::Str).collect();
            entries.push(("commands".into(), Node::Seq(commands)));
            if !output_files.is_empty() {
                entries.push(("outputFiles".into(), Node::Seq(output_files)));
            }
        }
        Some(python) => {
            // The script's results travel as outputs; only the learned rule file is a file.
            let before: Vec<Node> = python.before_commands().into_iter().map(Node::Str).collect();
            if !before.is_empty() {
                entries.push(("beforeCommands".into(), Node::Seq(before)));
            }
            entries.push(("script".into(), text(&python.script(plan)?)));
            if task.task_type == TaskType::Learn {
                entries.push(("outputFiles".into(), Node::Seq(vec![Node::str(RULES_FILE)])));
            }
        }
    }
    if task.timeout_seconds != 0.0 {
        entries.push(("timeout".into(), Node::Str(duration(task.timeout_seconds, &at("timeout_seconds"))?)));
    }
    let (retry, retry_field) = match (&task.retry, &config.retry) {
        (Some(retry), _) => (Some(retry), at("retry")),
        (None, Some(retry)) => (Some(retry), "retry".to_string()),
        (None, None) => (None, String::new()),
    };
    if let Some(retry) = retry
        && let Some(node) = retry_node(retry, &retry_field)?
    {
        entries.push(("retry".into(), node));
    }
    match task.conditions.as_slice() {
        [] => {}
        [condition] => entries.push(("runIf".into(), Node::Str(condition.clone()))),
        _ => return Err(FlowError::new(at("conditions"), "Kestra's runIf takes one expression; combine them in one")),
    }
    Ok(Node::Map(entries))
}

/// A Kestra retry block obeying its validators (kestra-syntax.md §1.6); `None` for no retry.
pub fn retry_node(retry: &RetryConfig, field: &str) -> Result<Option<Node>, FlowError> {
    if retry.policy == RetryPolicy::None || retry.max_attempts == 0 {
        return Ok(None);
    }
    let at = |name: &str| format!("{field}.{name}");
    let initial = duration(retry.initial_delay_seconds, &at("initial_delay_seconds"))?;
    let max_delay = duration(retry.max_delay_seconds, &at("max_delay_seconds"))?;
    let budget = retry.max_duration_seconds.map(|s| duration(s, &at("max_duration_seconds"))).transpose()?;
    let mut entries = vec![];
    let lower_bound = match retry.policy {
        RetryPolicy::Constant => {
            entries.push(("type".to_string(), Node::str("constant")));
            entries.push(("maxAttempt".into(), Node::Int(i64::from(retry.max_attempts))));
            entries.push(("interval".into(), Node::Str(initial)));
            retry.initial_delay_seconds
        }
        RetryPolicy::Exponential => {
            if retry.initial_delay_seconds >= retry.max_delay_seconds {
                return Err(FlowError::new(at("max_delay_seconds"), "must be greater than initial_delay_seconds"));
            }
            if !(retry.multiplier.is_finite() && retry.multiplier >= 1.0) {
                return Err(FlowError::new(at("multiplier"), "must be a number of at least 1"));
            }
            entries.push(("type".to_string(), Node::str("exponential")));
            entries.push(("maxAttempt".into(), Node::Int(i64::from(retry.max_attempts))));
            entries.push(("interval".into(), Node::Str(initial)));
            entries.push(("maxInterval".into(), Node::Str(max_delay)));
            entries.push(("delayFactor".into(), Node::Float(retry.multiplier)));
            retry.initial_delay_seconds
        }
        RetryPolicy::Random => {
            if retry.initial_delay_seconds >= retry.max_delay_seconds {
                return Err(FlowError::new(at("max_delay_seconds"), "must be greater than initial_delay_seconds"));
            }
            entries.push(("type".to_string(), Node::str("random")));
            entries.push(("maxAttempt".into(), Node::Int(i64::from(retry.max_attempts))));
            entries.push(("minInterval".into(), Node::Str(initial)));
            entries.push(("maxInterval".into(), Node::Str(max_delay)));
            retry.max_delay_seconds
        }
        RetryPolicy::Linear => {
            return Err(FlowError::new(
                at("policy"),
                "Kestra has no linear retry: use constant, exponential or random (or none)",
            ));
        }
        RetryPolicy::None => unreachable!("handled above"),
    };
    if let (Some(budget), Some(seconds)) = (budget, retry.max_duration_seconds) {
        if seconds <= lower_bound {
            return Err(FlowError::new(at("max_duration_seconds"), "must be greater than the retry intervals"));
        }
        entries.push(("maxDuration".into(), Node::Str(budget)));
    }
    if retry.warning_on_retry {
        entries.push(("warningOnRetry".into(), Node::Bool(true)));
    }
    Ok(Some(Node::Map(entries)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(duration(30.0, "f").unwrap(), "PT30S");
        assert_eq!(duration(0.25, "f").unwrap(), "PT0.25S");
        assert_eq!(duration(1.5, "f").unwrap(), "PT1.5S");
        assert!(duration(-1.0, "f").is_err());
    }

    #[test]
    fn retries_obey_kestra_validators() {
        let exp = RetryConfig::default();
        let node = retry_node(&exp, "retry").unwrap().unwrap();
        let Node::Map(entries) = node else { panic!() };
        assert_eq!(entries[0], ("type".into(), Node::str("exponential")));
        assert!(entries.iter().any(|(k, _)| k == "maxInterval"));
        let bad = RetryConfig { initial_delay_seconds: 400.0, ..RetryConfig::default() };
        assert!(retry_node(&bad, "retry").unwrap_err().to_string().contains("retry.max_delay_seconds"));
        let linear = RetryConfig { policy: RetryPolicy::Linear, ..RetryConfig::default() };
        assert!(retry_node(&linear, "retry").is_err());
        let none = RetryConfig { policy: RetryPolicy::None, ..RetryConfig::default() };
        assert!(retry_node(&none, "retry").unwrap().is_none());
        let budget =
            RetryConfig { policy: RetryPolicy::Random, max_duration_seconds: Some(100.0), ..RetryConfig::default() };
        assert!(retry_node(&budget, "retry").is_err());
    }
}
