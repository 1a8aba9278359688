//! `FlowGenerator`: a validated [`FlowConfig`] rendered as Kestra flow YAML.

use super::config::{Concurrency, FlowConfig, InputConfig, Labels, OutputConfig, TaskConfig, TaskRunner};
use super::fanout::{FanoutRole, for_each};
use super::ids::{IdKind, checked};
use super::tasks::{TaskPlan, render_task};
use super::triggers::render_trigger;
use super::yaml::{Node, to_yaml};
use super::{FlowError, layout};
use std::collections::{BTreeMap, BTreeSet};

/// Input types that need no further fields (SELECT, ENUM, MULTISELECT, ARRAY need values/itemType).
const INPUT_TYPES: &[&str] = &[
    "STRING", "INT", "FLOAT", "BOOLEAN", "DATETIME", "DATE", "TIME", "DURATION", "FILE", "JSON", "URI", "SECRET",
    "YAML", "EMAIL",
];
/// Flow output types the generator emits.
const OUTPUT_TYPES: &[&str] =
    &["STRING", "INT", "FLOAT", "BOOLEAN", "DATETIME", "DATE", "TIME", "DURATION", "FILE", "JSON", "URI", "YAML"];

/// Renders flows (the seed's `FlowGenerator`; the seed's `python_version` has no use here).
#[derive(Clone, Copy, Debug, Default)]
pub struct FlowGenerator;

impl FlowGenerator {
    pub fn new() -> FlowGenerator {
        FlowGenerator
    }

    /// The flow as YAML text.
    pub fn generate(&self, config: &FlowConfig) -> Result<String, FlowError> {
        Ok(to_yaml(&self.generate_tree(config)?))
    }

    /// The flow as an ordered tree (the seed's `generate_dict`).
    pub fn generate_tree(&self, config: &FlowConfig) -> Result<Vec<(String, Node)>, FlowError> {
        let sanitize = config.sanitize_ids;
        let id = checked(&config.id, IdKind::Flow, "id", sanitize)?;
        let namespace = checked(&config.namespace, IdKind::Namespace, "namespace", sanitize)?;
        if config.tasks.is_empty() {
            return Err(FlowError::new("tasks", "a flow needs at least one task"));
        }
        if config.task_runner == TaskRunner::Docker && config.container_image.trim().is_empty() {
            return Err(FlowError::new("container_image", "the Docker task runner needs an image"));
        }

        // Task ids, renamed consistently when sanitised.
        let mut renames = BTreeMap::new();
        let mut seen = BTreeSet::new();
        for (i, task) in config.tasks.iter().enumerate() {
            let field = format!("tasks[{i}].id");
            let new = checked(&task.id, IdKind::Task, &field, sanitize)?;
            if !seen.insert(new.clone()) {
                return Err(FlowError::new(field, format!("duplicate task id {new:?}")));
            }
            renames.insert(task.id.clone(), new);
        }
        let plans = plan_tasks(config, &renames, &id)?;

        let mut root = vec![("id".to_string(), Node::Str(id)), ("namespace".into(), Node::Str(namespace.clone()))];
        if !config.description.is_empty() {
            root.push(("description".into(), text(&config.description)));
        }
        if config.disabled {
            root.push(("disabled".into(), Node::Bool(true)));
        }
        if let Some(labels) = labels(&config.labels)? {
            root.push(("labels".into(), labels));
        }
        if let Some(concurrency) = &config.concurrency {
            root.push(("concurrency".into(), concurrency_node(concurrency)?));
        }
        let inputs = inputs(config, sanitize)?;
        if !inputs.is_empty() {
            root.push(("inputs".into(), Node::Seq(inputs)));
        }
        if !config.variables.is_empty() {
            let vars = config.variables.iter().map(|(k, v)| (k.clone(), Node::from_value(v))).collect();
            root.push(("variables".into(), Node::Map(vars)));
        }
        let rendered: Vec<(String, Node, Vec<String>)> = plans
            .iter()
            .map(|plan| {
                let node = match &plan.task.fanout {
                    Some(FanoutRole::Partition { for_each_id, partitions, concurrency_limit }) => {
                        for_each(render_task(config, plan)?, for_each_id, partitions, *concurrency_limit)
                    }
                    _ => render_task(config, plan)?,
                };
                Ok((plan.id.clone(), node, plan.depends_on.clone()))
            })
            .collect::<Result<_, _>>()?;
        let mut tasks = layout::arrange(rendered, config.parallel);
        // SLA state and gate tasks run after every other task (see `flows::sla`).
        for plan in &plans {
            if let (Some(sla), Some(key)) = (&plan.task.sla, &plan.sla_key) {
                for (task_id, node) in sla.follow_up_tasks(&plan.id, key, plan.task.fail_on_error) {
                    if !seen.insert(task_id.clone()) {
                        let field = format!("tasks[{}].sla", plan.index);
                        return Err(FlowError::new(field, format!("the SLA task id {task_id:?} is taken")));
                    }
                    tasks.push(node);
                }
            }
        }
        root.push(("tasks".into(), Node::Seq(tasks)));
        let outputs = outputs(&config.outputs, &renames, sanitize)?;
        if !outputs.is_empty() {
            root.push(("outputs".into(), Node::Seq(outputs)));
        }
        let mut trigger_ids = BTreeSet::new();
        let mut triggers = Vec::new();
        for (i, trigger) in config.triggers.iter().enumerate() {
            let field = format!("triggers[{i}]");
            let trigger_id = checked(&trigger.id, IdKind::Task, &format!("{field}.id"), sanitize)?;
            if !trigger_ids.insert(trigger_id.clone()) || seen.contains(&trigger_id) {
                return Err(FlowError::new(format!("{field}.id"), format!("duplicate id {trigger_id:?}")));
            }
            triggers.push(render_trigger(trigger, &trigger_id, &namespace, &field, sanitize)?);
        }
        if !triggers.is_empty() {
            root.push(("triggers".into(), Node::Seq(triggers)));
        }
        Ok(root)
    }
}

/// Multi-line strings as block scalars, others as plain or quoted strings.
pub(crate) fn text(s: &str) -> Node {
    if s.contains('\n') { Node::Text(s.to_string()) } else { Node::Str(s.to_string()) }
}

/// Resolves dependencies (explicit and through `rules_from`) and rejects unknown ids and cycles.
fn plan_tasks(
    config: &FlowConfig,
    renames: &BTreeMap<String, String>,
    flow_id: &str,
) -> Result<Vec<TaskPlan>, FlowError> {
    let mut plans = Vec::new();
    for (i, task) in config.tasks.iter().enumerate() {
        let id = renames[&task.id].clone();
        let resolve = |name: &str, field: String| {
            renames.get(name).cloned().ok_or_else(|| FlowError::new(field, format!("no task has the id {name:?}")))
        };
        let mut depends_on = Vec::new();
        for (j, dep) in task.depends_on.iter().enumerate() {
            let dep = resolve(dep, format!("tasks[{i}].depends_on[{j}]"))?;
            if dep == id {
                return Err(FlowError::new(format!("tasks[{i}].depends_on[{j}]"), "a task cannot depend on itself"));
            }
            if !depends_on.contains(&dep) {
                depends_on.push(dep);
            }
        }
        let rules_from = match &task.rules_from {
            Some(from) => {
                let field = format!("tasks[{i}].rules_from");
                let from_id = resolve(from, field.clone())?;
                let source = config.tasks.iter().find(|t| renames[&t.id] == from_id).expect("resolved");
                if source.task_type != super::TaskType::Learn {
                    return Err(FlowError::new(field, format!("{from:?} is not a learn task")));
                }
                if from_id == id {
                    return Err(FlowError::new(field, "a task cannot read its own rules"));
                }
                if !depends_on.contains(&from_id) {
                    depends_on.push(from_id.clone());
                }
                Some(from_id)
            }
            None => None,
        };
        let sla_key = task.sla.as_ref().map(|sla| sla.key(flow_id, &id, &format!("tasks[{i}].sla"))).transpose()?;
        plans.push(TaskPlan { index: i, id, depends_on, rules_from, sla_key, task: task.clone() });
    }
    if let Some(cycle) =
        layout::find_cycle(&plans.iter().map(|p| (p.id.clone(), p.depends_on.clone())).collect::<Vec<_>>())
    {
        return Err(FlowError::new("tasks", format!("cyclic dependency through {cycle:?}")));
    }
    Ok(plans)
}

fn labels(labels: &Labels) -> Result<Option<Node>, FlowError> {
    let mut entries = Vec::new();
    match labels {
        Labels::Map(map) => {
            for (k, v) in map {
                let value = match v {
                    serde_yaml_ng::Value::String(s) => s.clone(),
                    serde_yaml_ng::Value::Bool(b) => b.to_string(),
                    serde_yaml_ng::Value::Number(n) => n.to_string(),
                    _ => return Err(FlowError::new(format!("labels.{k}"), "a label value must be a scalar")),
                };
                entries.push((k.clone(), Node::Str(value)));
            }
        }
        Labels::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let Some((k, v)) = item.split_once('=').or_else(|| item.split_once(':')) else {
                    return Err(FlowError::new(format!("labels[{i}]"), format!("{item:?} is not key=value")));
                };
                entries.push((k.trim().to_string(), Node::Str(v.trim().to_string())));
            }
        }
    }
    for (k, _) in &entries {
        if k.is_empty() || (k.starts_with("system.") && k != "system.readOnly") {
            return Err(FlowError::new(format!("labels.{k}"), "label keys must be non-empty and not system labels"));
        }
    }
    Ok(if entries.is_empty() { None } else { Some(Node::Map(entries)) })
}

fn concurrency_node(concurrency: &Concurrency) -> Result<Node, FlowError> {
    let (limit, behavior) = match concurrency {
        Concurrency::Limit(limit) => (*limit, None),
        Concurrency::Full { limit, behavior } => (*limit, behavior.clone()),
    };
    if limit == 0 {
        return Err(FlowError::new("concurrency.limit", "must be at least 1"));
    }
    let mut entries = vec![("limit".to_string(), Node::Int(i64::from(limit)))];
    if let Some(behavior) = behavior {
        let upper = behavior.to_ascii_uppercase();
        if !["QUEUE", "CANCEL", "FAIL"].contains(&upper.as_str()) {
            return Err(FlowError::new("concurrency.behavior", format!("{behavior:?} is not QUEUE, CANCEL or FAIL")));
        }
        entries.push(("behavior".into(), Node::Str(upper)));
    }
    Ok(Node::Map(entries))
}

/// The declared inputs, plus `data_uri` when a task reads its data from it.
fn inputs(config: &FlowConfig, sanitize: bool) -> Result<Vec<Node>, FlowError> {
    let mut declared: Vec<InputConfig> = config.inputs.clone();
    let needs_data_uri =
        config.tasks.iter().any(|t| t.input_uri.is_none() && !matches!(t.fanout, Some(FanoutRole::Merge { .. })));
    if needs_data_uri && !declared.iter().any(|i| i.name == "data_uri") {
        let description = data_uri_description(&config.tasks);
        declared.insert(
            0,
            InputConfig { name: "data_uri".into(), description: description.into(), ..InputConfig::default() },
        );
    }
    let mut ids = BTreeSet::new();
    let mut nodes = Vec::new();
    for (i, input) in declared.iter().enumerate() {
        let field = format!("inputs[{i}]");
        let id = checked(&input.name, IdKind::Io, &format!("{field}.name"), sanitize)?;
        if !ids.insert(id.clone()) {
            return Err(FlowError::new(format!("{field}.name"), format!("duplicate input {id:?}")));
        }
        let kind = input.input_type.to_ascii_uppercase();
        if !INPUT_TYPES.contains(&kind.as_str()) {
            return Err(FlowError::new(
                format!("{field}.type"),
                format!(
                    "{:?} is not an input type the generator supports ({})",
                    input.input_type,
                    INPUT_TYPES.join(", ")
                ),
            ));
        }
        let mut entries = vec![("id".to_string(), Node::Str(id)), ("type".into(), Node::Str(kind))];
        if !input.description.is_empty() {
            entries.push(("description".into(), text(&input.description)));
        }
        if !input.required {
            entries.push(("required".into(), Node::Bool(false)));
        }
        if let Some(default) = &input.default {
            entries.push(("defaults".into(), Node::from_value(default)));
        }
        nodes.push(Node::Map(entries));
    }
    Ok(nodes)
}

fn data_uri_description(tasks: &[TaskConfig]) -> &'static str {
    use super::TaskType;
    let kinds: BTreeSet<_> = tasks.iter().map(|t| t.task_type as u8).collect();
    match tasks.first().map(|t| t.task_type) {
        _ if kinds.len() > 1 => "URI of data to process",
        Some(TaskType::Profile) => "URI of data to profile",
        Some(TaskType::Learn) => "URI of baseline data",
        _ => "URI of data to validate",
    }
}

/// Typed flow outputs; references to task results must go through `vars`, `outputFiles` or `exitCode`.
fn outputs(
    outputs: &[OutputConfig],
    renames: &BTreeMap<String, String>,
    sanitize: bool,
) -> Result<Vec<Node>, FlowError> {
    let reference = regex::Regex::new(r"outputs\.([A-Za-z0-9_-]+)(\.([A-Za-z]+)|\[)?").expect("valid regex");
    let mut ids = BTreeSet::new();
    let mut nodes = Vec::new();
    for (i, output) in outputs.iter().enumerate() {
        let field = format!("outputs[{i}]");
        let id = checked(&output.name, IdKind::Io, &format!("{field}.name"), sanitize)?;
        if !ids.insert(id.clone()) {
            return Err(FlowError::new(format!("{field}.name"), format!("duplicate output {id:?}")));
        }
        let kind = output.output_type.to_ascii_uppercase();
        if !OUTPUT_TYPES.contains(&kind.as_str()) {
            return Err(FlowError::new(
                format!("{field}.type"),
                format!("{:?} is not an output type ({})", output.output_type, OUTPUT_TYPES.join(", ")),
            ));
        }
        if output.value.trim().is_empty() {
            return Err(FlowError::new(format!("{field}.value"), "an output needs a value"));
        }
        let mut value = output.value.clone();
        for captures in reference.captures_iter(&output.value.clone()) {
            let task = &captures[1];
            let Some(new) = renames.get(task) else {
                return Err(FlowError::new(format!("{field}.value"), format!("no task has the id {task:?}")));
            };
            match captures.get(3).map(|m| m.as_str()) {
                Some("vars" | "outputFiles" | "exitCode") => {}
                other => {
                    return Err(FlowError::new(
                        format!("{field}.value"),
                        format!(
                            "script task results are read as outputs.{task}.vars.<key>, outputFiles or exitCode, not {:?}",
                            other.unwrap_or("")
                        ),
                    ));
                }
            }
            if new != task {
                value = value.replace(&format!("outputs.{task}."), &format!("outputs.{new}."));
            }
        }
        let mut entries =
            vec![("id".to_string(), Node::Str(id)), ("type".into(), Node::Str(kind)), ("value".into(), text(&value))];
        if !output.description.is_empty() {
            entries.push(("description".into(), text(&output.description)));
        }
        nodes.push(Node::Map(entries));
    }
    Ok(nodes)
}
