//! The task tree (kestra-syntax.md §1.3, §2, §3): every task in `tasks`, `errors`, `finally`,
//! `afterExecution` and the children of flowable tasks (Parallel, Sequential, ForEach, If,
//! Switch, Dag), its common properties, unique ids, and the Dag graph.

use super::durations::check_duration;
use super::graph::find_cycle;
use super::ids::{IdKind, id_problem, is_qualified_type};
use super::retry::check_retry;
use super::{
    Findings, check_bool_field, check_enum_field, describe, field, item, kind, list_field, report_duplicate_ids,
    required_string, string_field,
};
use serde_yaml_ng::Value;

/// The Dag task, whose `tasks` are `{task, dependsOn}` wrappers.
const DAG: &str = "io.kestra.plugin.core.flow.Dag";
/// The loop over values (Kestra 0.19+).
const FOR_EACH: &str = "io.kestra.plugin.core.flow.ForEach";
/// Its deprecated predecessors (removed in 2.0), with `value` and (parallel) `concurrent`.
const DEPRECATED_LOOPS: &[&str] =
    &["io.kestra.plugin.core.flow.EachParallel", "io.kestra.plugin.core.flow.EachSequential"];
/// The Switch task, whose children are under `cases` and `defaults`.
const SWITCH: &str = "io.kestra.plugin.core.flow.Switch";
/// Task-list keys of the flow.
const FLOW_TASK_LISTS: &[&str] = &["tasks", "errors", "finally", "afterExecution"];
/// Task-list keys of flowable tasks.
const CHILD_TASK_LISTS: &[&str] = &["tasks", "then", "else", "errors", "finally"];
/// The package of script tasks, whose outputs are under `vars` (§3.5).
const SCRIPTS_PACKAGE: &str = "io.kestra.plugin.scripts.";
/// Python script tasks, with their Python-only properties.
const PYTHON_PACKAGE: &str = "io.kestra.plugin.scripts.python.";
/// The pre-0.17 package of core tasks, renamed to `io.kestra.plugin.core`.
const LEGACY_CORE_PACKAGE: &str = "io.kestra.core.tasks.";
/// Log levels of `logLevel`.
const LOG_LEVELS: &[&str] = &["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

/// A task found in the tree.
pub(crate) struct TaskInfo {
    /// Its id.
    pub id: String,
    /// Its `type`, when it is a string.
    pub task_type: Option<String>,
    /// Where it is (the task mapping).
    pub path: String,
}

impl TaskInfo {
    /// Whether the task is a script task whose outputs are `vars`, `exitCode`, `outputFiles`.
    pub(crate) fn is_script(&self) -> bool {
        self.task_type.as_deref().is_some_and(|t| {
            (t.starts_with(SCRIPTS_PACKAGE) && (t.ends_with(".Script") || t.ends_with(".Commands")))
                || t.starts_with("io.kestra.core.tasks.scripts.")
        })
    }
}

/// Every task of a flow, in document order.
#[derive(Default)]
pub(crate) struct TaskTree {
    /// The tasks.
    pub tasks: Vec<TaskInfo>,
}

impl TaskTree {
    /// The task with `id`.
    pub(crate) fn find(&self, id: &str) -> Option<&TaskInfo> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// Whether `task` runs once per value of a loop (its outputs are keyed by the value).
    pub(crate) fn is_in_loop(&self, task: &TaskInfo) -> bool {
        self.tasks.iter().any(|outer| {
            outer.task_type.as_deref().is_some_and(|t| t == FOR_EACH || DEPRECATED_LOOPS.contains(&t))
                && task.path.starts_with(&format!("{}.", outer.path))
        })
    }
}

/// Checks every task of the flow and returns the tree; `tasks` must be a non-empty list.
pub(crate) fn check_task_tree(document: &Value, findings: &mut Findings) -> TaskTree {
    match document.get("tasks") {
        None | Some(Value::Null) => findings.error("tasks", "a flow needs a non-empty 'tasks' list"),
        Some(Value::Sequence(items)) if items.is_empty() => findings.error("tasks", "'tasks' must not be empty"),
        _ => {}
    }
    let mut tree = TaskTree::default();
    for key in FLOW_TASK_LISTS {
        for (path, task) in list_field(document, "", key, findings) {
            check_task(task, &path, false, &mut tree, findings);
        }
    }
    report_duplicate_ids(tree.tasks.iter().map(|t| (t.id.as_str(), t.path.as_str())), "task", findings);
    tree
}

/// Checks one task and its children. `in_dag` is set for the `task:` of a Dag member.
fn check_task(task: &Value, path: &str, in_dag: bool, tree: &mut TaskTree, findings: &mut Findings) {
    if !task.is_mapping() {
        findings.error(path, format!("a task must be a mapping with id and type, found {}", kind(task)));
        return;
    }
    if task.get("task").is_some() && task.get("type").is_none() {
        findings.error(path, "{task, dependsOn} members belong in the tasks of an io.kestra.plugin.core.flow.Dag");
        return;
    }
    let id = required_string(task, path, "id", "a task", findings);
    if let Some(problem) = id.and_then(|id| id_problem(id, IdKind::Task)) {
        findings.error(field(path, "id"), format!("invalid task id: {problem}"));
    }
    let task_type = required_string(task, path, "type", "a task", findings);
    if let Some(name) = task_type {
        check_type(name, path, findings);
    }
    if let Some(id) = id {
        tree.tasks.push(TaskInfo { id: id.to_string(), task_type: task_type.map(str::to_string), path: path.into() });
    }
    if task.get("dependsOn").is_some() {
        let message = if in_dag {
            "inside a Dag, dependsOn goes next to 'task:' in the member, not inside the task"
        } else {
            "dependsOn is not a task property (tasks run in list order); use io.kestra.plugin.core.flow.Dag with \
             tasks: [{task: {...}, dependsOn: [...]}] for a graph"
        };
        findings.error(field(path, "dependsOn"), message);
    }
    check_common_properties(task, path, findings);
    match task_type {
        Some(FOR_EACH) => check_for_each(task, path, findings),
        Some(name) if DEPRECATED_LOOPS.contains(&name) => findings.warning(
            field(path, "type"),
            format!("'{name}' is deprecated since 0.19 and removed in 2.0; use {FOR_EACH} (values, concurrencyLimit)"),
        ),
        _ => {}
    }
    if let Some(script_type) = task_type.filter(|t| t.starts_with(SCRIPTS_PACKAGE)) {
        check_script_body(task, script_type, path, findings);
    }
    if let Some(required) = task_type.and_then(required_core_properties) {
        for key in required {
            if task.get(*key).is_none_or(Value::is_null) {
                findings.error(field(path, key), format!("{} requires '{key}'", task_type.unwrap_or_default()));
            }
        }
    }
    check_children(task, task_type, path, tree, findings);
}

/// Required properties of the core tasks generated flows use besides scripts (the KV store
/// tasks of SLA state; `execution.Fail` has none).
fn required_core_properties(task_type: &str) -> Option<&'static [&'static str]> {
    match task_type {
        "io.kestra.plugin.core.kv.Set" => Some(&["key", "value"]),
        "io.kestra.plugin.core.kv.Get" | "io.kestra.plugin.core.kv.Delete" => Some(&["key"]),
        _ => None,
    }
}

/// `type` is a qualified class name, and not a pre-0.17 alias.
fn check_type(name: &str, path: &str, findings: &mut Findings) {
    let path = field(path, "type");
    if !is_qualified_type(name) {
        findings
            .error(path, format!("'{name}' is not a fully qualified task type (e.g. io.kestra.plugin.core.log.Log)"));
    } else if name.starts_with(LEGACY_CORE_PACKAGE) {
        findings.warning(
            path,
            format!("'{name}' is a deprecated pre-0.17 type name; use its io.kestra.plugin.core or io.kestra.plugin.scripts name"),
        );
    }
}

/// Properties of Kestra's `Task` class (§1.3) and the deprecated script properties (§3.2).
fn check_common_properties(task: &Value, path: &str, findings: &mut Findings) {
    string_field(task, path, "description", findings);
    for key in ["disabled", "allowFailure", "allowWarning", "logToFile"] {
        check_bool_field(task, path, key, findings);
    }
    check_enum_field(task, path, "logLevel", LOG_LEVELS, findings);
    if let Some(run_if) = task.get("runIf").filter(|v| !v.is_string() && !v.is_bool()) {
        findings.error(field(path, "runIf"), format!("runIf is one expression string, found {}", kind(run_if)));
    }
    if let Some(timeout) = task.get("timeout") {
        check_duration(timeout, &field(path, "timeout"), true, findings);
    }
    if let Some(retry) = task.get("retry") {
        check_retry(retry, &field(path, "retry"), false, findings);
    }
    if task.get("docker").is_some() {
        findings.warning(
            field(path, "docker"),
            "'docker' is deprecated; use taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker} and containerImage",
        );
    }
    if task.get("runner").is_some() {
        findings.warning(field(path, "runner"), "'runner' is deprecated (removed in 2.0); use taskRunner");
    }
}

/// `*.Commands` script tasks need `commands` (a list), `*.Script` tasks need `script`.
fn check_script_body(task: &Value, script_type: &str, path: &str, findings: &mut Findings) {
    let (body, other) = if script_type.ends_with(".Commands") {
        ("commands", "script")
    } else if script_type.ends_with(".Script") {
        ("script", "commands")
    } else {
        return;
    };
    match (body, task.get(body)) {
        (_, None) => findings.error(field(path, body), format!("{script_type} requires '{body}'")),
        ("commands", Some(value)) => check_string_list(path, "commands", value, findings),
        (_, Some(Value::String(_))) => {}
        (_, Some(value)) => findings.error(
            field(path, body),
            format!("'script' must be one string (a literal block `script: |`), found {}", kind(value)),
        ),
    }
    if task.get(other).is_some() {
        findings.error(field(path, other), format!("{script_type} has no '{other}'; it runs '{body}'"));
    }
    if let Some(value) = task.get("beforeCommands") {
        check_string_list(path, "beforeCommands", value, findings);
    }
    if script_type.starts_with(PYTHON_PACKAGE) {
        check_python_properties(task, path, findings);
    }
}

/// The Python-only properties of plugin-scripts 0.23+ (kestra-syntax.md §3.2).
fn check_python_properties(task: &Value, path: &str, findings: &mut Findings) {
    if let Some(value) = task.get("dependencies") {
        check_string_list(path, "dependencies", value, findings);
        findings.warning(
            field(path, "dependencies"),
            "'dependencies' needs plugin-scripts 0.23+; for Kestra 0.20 to 0.22 pip-install in beforeCommands",
        );
    }
    string_field(task, path, "pythonVersion", findings);
    check_enum_field(task, path, "packageManager", &["UV", "PIP"], findings);
    check_bool_field(task, path, "dependencyCacheEnabled", findings);
}

/// Reports a `key` that is not a list of strings.
fn check_string_list(path: &str, key: &str, value: &Value, findings: &mut Findings) {
    match value {
        Value::Sequence(items) => {
            for (index, entry) in items.iter().enumerate().filter(|(_, e)| !e.is_string()) {
                findings.error(
                    item(&field(path, key), index),
                    format!("'{key}' entries are strings, found {}", kind(entry)),
                );
            }
        }
        other => findings.error(field(path, key), format!("'{key}' must be a list of strings, found {}", kind(other))),
    }
}

fn check_for_each(task: &Value, path: &str, findings: &mut Findings) {
    match task.get("values") {
        None => {
            let hint =
                if task.get("value").is_some() { " ('value' is the deprecated EachParallel's name)" } else { "" };
            findings.error(field(path, "values"), format!("a ForEach needs 'values' (a list or a JSON string){hint}"));
        }
        Some(Value::Sequence(values)) if values.is_empty() => {
            findings.error(field(path, "values"), "'values' is empty: the loop would do nothing")
        }
        Some(Value::Sequence(_) | Value::String(_)) => {}
        Some(other) => findings
            .error(field(path, "values"), format!("'values' must be a list or a JSON string, found {}", kind(other))),
    }
    if let Some(limit) = task.get("concurrencyLimit")
        && limit.as_u64().is_none_or(|n| n > i32::MAX as u64)
    {
        findings.error(
            field(path, "concurrencyLimit"),
            format!("'concurrencyLimit' must be an integer of 0 or more (0: all at once), found {}", describe(limit)),
        );
    }
    for (old, new) in [("value", "values"), ("concurrent", "concurrencyLimit")] {
        if task.get(old).is_some() {
            findings.error(field(path, old), format!("a ForEach has no '{old}' (EachParallel's name); use '{new}'"));
        }
    }
    if task.get("tasks").and_then(Value::as_sequence).is_none_or(|tasks| tasks.is_empty()) {
        findings.error(field(path, "tasks"), "a ForEach needs a non-empty 'tasks' list");
    }
}

/// Walks the child task lists of flowable tasks.
fn check_children(task: &Value, task_type: Option<&str>, path: &str, tree: &mut TaskTree, findings: &mut Findings) {
    for key in CHILD_TASK_LISTS {
        if *key == "tasks" && task_type == Some(DAG) {
            check_dag(task, path, tree, findings);
            continue;
        }
        if !task.get(key).is_some_and(Value::is_sequence) {
            continue;
        }
        for (child_path, child) in list_field(task, path, key, findings) {
            check_task(child, &child_path, false, tree, findings);
        }
    }
    if task_type == Some(SWITCH) {
        for (child_path, child) in list_field(task, path, "defaults", findings) {
            check_task(child, &child_path, false, tree, findings);
        }
        if let Some(Value::Mapping(cases)) = task.get("cases") {
            for (case, tasks) in cases {
                let case_path = field(&field(path, "cases"), case.as_str().unwrap_or("?"));
                let Value::Sequence(tasks) = tasks else { continue };
                for (index, child) in tasks.iter().enumerate() {
                    check_task(child, &item(&case_path, index), false, tree, findings);
                }
            }
        }
    }
}

/// A Dag's members: `{task: {...}, dependsOn: [ids]}`, targets among the members, no cycle.
fn check_dag(dag: &Value, path: &str, tree: &mut TaskTree, findings: &mut Findings) {
    let members = list_field(dag, path, "tasks", findings);
    if members.is_empty() {
        findings.error(field(path, "tasks"), "a Dag needs a non-empty 'tasks' list of {task, dependsOn} members");
    }
    let mut edges: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut dependencies: Vec<(String, &str)> = Vec::new();
    for (member_path, member) in &members {
        let Value::Mapping(map) = member else {
            findings.error(
                member_path,
                format!("a Dag member must be a mapping {{task, dependsOn}}, found {}", kind(member)),
            );
            continue;
        };
        for key in map.keys().filter_map(Value::as_str).filter(|k| !matches!(*k, "task" | "dependsOn")) {
            let hint = if key == "type" || key == "id" { " (wrap the task in 'task:')" } else { "" };
            findings.error(field(member_path, key), format!("a Dag member has only 'task' and 'dependsOn'{hint}"));
        }
        let Some(task) = member.get("task") else {
            findings.error(field(member_path, "task"), "a Dag member needs a 'task'");
            continue;
        };
        check_task(task, &field(member_path, "task"), true, tree, findings);
        let Some(id) = task.get("id").and_then(Value::as_str) else { continue };
        let mut targets = Vec::new();
        for (dependency_path, dependency) in list_field(member, member_path, "dependsOn", findings) {
            match dependency.as_str() {
                Some(target) => {
                    targets.push(target);
                    dependencies.push((dependency_path, target));
                }
                None => {
                    findings.error(dependency_path, format!("a dependency is a task id, found {}", kind(dependency)))
                }
            }
        }
        edges.push((id, targets));
    }
    for (dependency_path, target) in dependencies {
        if !edges.iter().any(|(id, _)| *id == target) {
            findings.error(dependency_path, format!("'{target}' is not the id of a task of this Dag"));
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        findings.error(field(path, "tasks"), format!("cyclic dependency: {}", cycle.join(" -> ")));
    }
}
