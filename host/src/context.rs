//! Where a run happens in Kestra (execution, flow, namespace, task, attempt, trigger), so that
//! results and errors are traceable to their execution.
//!
//! Sources, first usable one wins: the execution-context file Kestra writes for a script task
//! with `executionContext: true` (`.kestra-execution-context.json` in the working directory, or
//! the file named by `KESTRA_EXECUTION_CONTEXT_FILE`: Kestra's variable context as JSON, with
//! `flow`, `execution`, `task`, `taskrun`, `trigger`, `labels`...), then the `KESTRA_*`
//! variables the task maps in its `env:`, then a local context. A malformed source is a
//! warning and the next source is used.

use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// The file Kestra writes into the task's working directory.
pub const CONTEXT_FILE: &str = ".kestra-execution-context.json";
/// The variable naming another context file.
pub const CONTEXT_FILE_VARIABLE: &str = "KESTRA_EXECUTION_CONTEXT_FILE";

/// The reference's `ExecutionContext`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionContext {
    pub execution_id: String,
    pub flow_id: String,
    pub namespace: String,
    pub task_id: Option<String>,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub trigger_type: Option<String>,
    /// ISO 8601, as Kestra gave it.
    pub trigger_date: Option<String>,
    /// The flow's `vars` (from the context file).
    pub variables: Map<String, Value>,
    /// Execution labels as `key:value`, sorted.
    pub labels: Vec<String>,
}

/// Where a context came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextOrigin {
    /// Kestra's execution-context file.
    File(PathBuf),
    /// `KESTRA_*` environment variables.
    Environment,
    /// Neither: a run outside Kestra.
    Local,
}

/// A context, where it came from, and what was wrong with the sources passed over.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedContext {
    pub context: ExecutionContext,
    pub origin: ContextOrigin,
    /// One sentence per source that was present but unusable, or per value replaced by a default.
    pub warnings: Vec<String>,
}

impl ExecutionContext {
    /// The context of a run outside Kestra.
    pub fn local() -> ExecutionContext {
        ExecutionContext {
            execution_id: "local".into(),
            flow_id: "local".into(),
            namespace: "default".into(),
            task_id: None,
            attempt: 1,
            trigger_type: None,
            trigger_date: None,
            variables: Map::new(),
            labels: Vec::new(),
        }
    }

    /// The reference's `to_dict()` (labels as a list).
    pub fn to_dict(&self) -> Value {
        json!({
            "execution_id": self.execution_id,
            "flow_id": self.flow_id,
            "namespace": self.namespace,
            "task_id": self.task_id,
            "attempt": self.attempt,
            "trigger_type": self.trigger_type,
            "trigger_date": self.trigger_date,
            "variables": self.variables,
            "labels": self.labels,
        })
    }

    /// Keys for structured logs: `kestra.execution_id`, `kestra.flow_id`, `kestra.namespace`,
    /// `kestra.task_id`, `kestra.attempt`.
    pub fn to_log_context(&self) -> Value {
        json!({
            "kestra.execution_id": self.execution_id,
            "kestra.flow_id": self.flow_id,
            "kestra.namespace": self.namespace,
            "kestra.task_id": self.task_id,
            "kestra.attempt": self.attempt,
        })
    }

    /// The same context for another task.
    pub fn with_task_id(&self, task_id: &str) -> ExecutionContext {
        ExecutionContext { task_id: Some(task_id.into()), ..self.clone() }
    }

    /// The same context for another attempt.
    pub fn with_attempt(&self, attempt: u32) -> ExecutionContext {
        ExecutionContext { attempt, ..self.clone() }
    }

    /// Reads Kestra's variable context (the execution-context file's JSON).
    fn from_kestra_variables(variables: &Value) -> Result<ExecutionContext, String> {
        if !variables.is_object() {
            return Err("it is not a JSON object".into());
        }
        let text = |pointer: &str| variables.pointer(pointer).and_then(Value::as_str).map(String::from);
        let attempt = match variables.pointer("/taskrun/attemptsCount") {
            None | Some(Value::Null) => 1,
            Some(count) => attempt_number(&count.to_string())
                .ok_or_else(|| format!("taskrun.attemptsCount {count} is not a whole number"))?,
        };
        Ok(ExecutionContext {
            execution_id: text("/execution/id").unwrap_or_else(|| "unknown".into()),
            flow_id: text("/flow/id").unwrap_or_else(|| "unknown".into()),
            namespace: text("/flow/namespace").unwrap_or_else(|| "default".into()),
            task_id: text("/task/id"),
            attempt,
            trigger_type: None,
            trigger_date: text("/trigger/date"),
            variables: variables.get("vars").and_then(Value::as_object).cloned().unwrap_or_default(),
            labels: labels(variables.get("labels")),
        })
    }
}

/// `"3"` → 3; Kestra counts attempts so far, so 0 (before the first ends) is attempt 1.
fn attempt_number(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().map(|n| n.max(1))
}

/// Kestra labels (a map, or a list of `{key, value}`) as sorted `key:value` strings.
fn labels(value: Option<&Value>) -> Vec<String> {
    let show = |v: &Value| v.as_str().map_or_else(|| v.to_string(), String::from);
    let mut labels: Vec<String> = match value {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| format!("{k}:{}", show(v))).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| Some(format!("{}:{}", show(item.get("key")?), show(item.get("value")?))))
            .collect(),
        _ => Vec::new(),
    };
    labels.sort();
    labels.dedup();
    labels
}

/// The context of this process: its environment and working directory.
pub fn get_execution_context() -> LoadedContext {
    let working_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    load_execution_context(&|name| std::env::var(name).ok(), &working_dir)
}

/// The context from `env` (a variable lookup) and the execution-context file in `working_dir`.
pub fn load_execution_context(env: &dyn Fn(&str) -> Option<String>, working_dir: &Path) -> LoadedContext {
    let mut warnings = Vec::new();
    let named = env(CONTEXT_FILE_VARIABLE).filter(|p| !p.trim().is_empty());
    let path = working_dir.join(named.as_deref().unwrap_or(CONTEXT_FILE));
    if path.exists() {
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| format!("not valid JSON: {e}")))
            .and_then(|variables| ExecutionContext::from_kestra_variables(&variables));
        match parsed {
            Ok(mut context) => {
                context.trigger_type = env("KESTRA_TRIGGER_TYPE");
                return LoadedContext { context, origin: ContextOrigin::File(path), warnings };
            }
            Err(reason) => {
                warnings.push(format!("ignoring the Kestra execution-context file {}: {reason}", path.display()))
            }
        }
    } else if named.is_some() {
        warnings.push(format!("{CONTEXT_FILE_VARIABLE} names {}, which does not exist", path.display()));
    }
    if env("KESTRA_EXECUTION_ID").is_some() || env("KESTRA_FLOW_ID").is_some() {
        let context = context_from_env(env, &mut warnings);
        return LoadedContext { context, origin: ContextOrigin::Environment, warnings };
    }
    LoadedContext { context: ExecutionContext::local(), origin: ContextOrigin::Local, warnings }
}

/// The reference's `from_kestra_env()`, also reading `KESTRA_TASKRUN_ATTEMPT` (what generated
/// flows map `taskrun.attemptsCount` to) and `KESTRA_TRIGGER_DATE`.
fn context_from_env(env: &dyn Fn(&str) -> Option<String>, warnings: &mut Vec<String>) -> ExecutionContext {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let attempt_variable = ["KESTRA_ATTEMPT", "KESTRA_TASKRUN_ATTEMPT"].into_iter().find_map(|n| Some((n, set(n)?)));
    let attempt = match attempt_variable {
        None => 1,
        Some((name, text)) => attempt_number(&text).unwrap_or_else(|| {
            warnings.push(format!("{name}={text:?} is not a whole number; using attempt 1"));
            1
        }),
    };
    ExecutionContext {
        execution_id: set("KESTRA_EXECUTION_ID").unwrap_or_else(|| "unknown".into()),
        flow_id: set("KESTRA_FLOW_ID").unwrap_or_else(|| "unknown".into()),
        namespace: set("KESTRA_NAMESPACE").unwrap_or_else(|| "default".into()),
        task_id: set("KESTRA_TASK_ID"),
        attempt,
        trigger_type: set("KESTRA_TRIGGER_TYPE"),
        trigger_date: set("KESTRA_TRIGGER_DATE"),
        variables: Map::new(),
        labels: Vec::new(),
    }
}

/// The reference's `get_kestra_variable`: `KESTRA_<NAME>` (upper-cased), JSON-decoded when it
/// is JSON, else the raw text; `default` when unset.
pub fn get_kestra_variable(name: &str, default: Value) -> Value {
    kestra_variable(&|n| std::env::var(n).ok(), name, default)
}

fn kestra_variable(env: &dyn Fn(&str) -> Option<String>, name: &str, default: Value) -> Value {
    match env(&format!("KESTRA_{}", name.to_uppercase())) {
        Some(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn without_kestra_the_context_is_local() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load_execution_context(&env_of(&[]), dir.path());
        assert_eq!(
            loaded,
            LoadedContext { context: ExecutionContext::local(), origin: ContextOrigin::Local, warnings: vec![] }
        );
    }

    #[test]
    fn kestra_variables_fill_the_context() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_of(&[
            ("KESTRA_EXECUTION_ID", "4wjtkzwVGBM9yKnjm3yv8r"),
            ("KESTRA_FLOW_ID", "orders_check"),
            ("KESTRA_NAMESPACE", "company.data"),
            ("KESTRA_TASK_ID", "check"),
            ("KESTRA_TASKRUN_ATTEMPT", "2"),
            ("KESTRA_TRIGGER_TYPE", "schedule"),
            ("KESTRA_TRIGGER_DATE", "2026-11-26T06:00:00Z"),
        ]);
        let loaded = load_execution_context(&env, dir.path());
        assert_eq!(loaded.origin, ContextOrigin::Environment);
        assert!(loaded.warnings.is_empty());
        let context = loaded.context;
        assert_eq!(context.to_dict()["execution_id"], "4wjtkzwVGBM9yKnjm3yv8r");
        assert_eq!(
            context.to_log_context(),
            json!({
                "kestra.execution_id": "4wjtkzwVGBM9yKnjm3yv8r",
                "kestra.flow_id": "orders_check",
                "kestra.namespace": "company.data",
                "kestra.task_id": "check",
                "kestra.attempt": 2,
            })
        );
        assert_eq!(context.trigger_type.as_deref(), Some("schedule"));
        assert_eq!(context.trigger_date.as_deref(), Some("2026-11-26T06:00:00Z"));
        assert_eq!(context.with_attempt(3).attempt, 3);
        assert_eq!(context.with_task_id("profile").task_id.as_deref(), Some("profile"));
    }

    #[test]
    fn a_malformed_attempt_is_a_warning_and_attempt_1() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_of(&[("KESTRA_EXECUTION_ID", "e1"), ("KESTRA_ATTEMPT", "second")]);
        let loaded = load_execution_context(&env, dir.path());
        assert_eq!(loaded.context.attempt, 1);
        assert_eq!(loaded.context.flow_id, "unknown", "the reference's default");
        assert_eq!(loaded.warnings, ["KESTRA_ATTEMPT=\"second\" is not a whole number; using attempt 1"]);
    }

    #[test]
    fn the_execution_context_file_wins_over_variables() {
        let dir = tempfile::tempdir().unwrap();
        let file = json!({
            "flow": {"id": "orders_check", "namespace": "company.data", "revision": 3},
            "execution": {"id": "exec-9", "startDate": "2026-11-26T06:00:01Z"},
            "task": {"id": "check", "type": "io.kestra.plugin.scripts.shell.Commands"},
            "taskrun": {"id": "tr-1", "attemptsCount": 0},
            "trigger": {"date": "2026-11-26T06:00:00Z"},
            "labels": {"team": "data", "env": "prod"},
            "vars": {"max_failures": 10},
        });
        std::fs::write(dir.path().join(CONTEXT_FILE), file.to_string()).unwrap();
        let env = env_of(&[("KESTRA_EXECUTION_ID", "from-env"), ("KESTRA_TRIGGER_TYPE", "schedule")]);
        let loaded = load_execution_context(&env, dir.path());
        assert_eq!(loaded.origin, ContextOrigin::File(dir.path().join(CONTEXT_FILE)));
        let context = loaded.context;
        assert_eq!((context.execution_id.as_str(), context.flow_id.as_str()), ("exec-9", "orders_check"));
        assert_eq!(context.namespace, "company.data");
        assert_eq!(context.task_id.as_deref(), Some("check"));
        assert_eq!(context.attempt, 1, "attemptsCount 0 is the first attempt");
        assert_eq!(context.trigger_date.as_deref(), Some("2026-11-26T06:00:00Z"));
        assert_eq!(context.trigger_type.as_deref(), Some("schedule"));
        assert_eq!(context.labels, ["env:prod", "team:data"]);
        assert_eq!(context.variables["max_failures"], 10);
    }

    #[test]
    fn a_named_file_is_read_and_a_broken_one_falls_back_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ctx.json"), r#"{"flow": {"id": "f"}, "execution": {"id": "e"}}"#).unwrap();
        let named = load_execution_context(&env_of(&[(CONTEXT_FILE_VARIABLE, "ctx.json")]), dir.path());
        assert_eq!((named.context.flow_id.as_str(), named.context.execution_id.as_str()), ("f", "e"));

        std::fs::write(dir.path().join(CONTEXT_FILE), "{not json").unwrap();
        let broken = load_execution_context(&env_of(&[("KESTRA_FLOW_ID", "env-flow")]), dir.path());
        assert_eq!(broken.origin, ContextOrigin::Environment);
        assert_eq!(broken.context.flow_id, "env-flow");
        assert_eq!(broken.warnings.len(), 1);
        assert!(broken.warnings[0].contains("not valid JSON"), "{:?}", broken.warnings);

        let missing = load_execution_context(&env_of(&[(CONTEXT_FILE_VARIABLE, "nope.json")]), dir.path());
        assert_eq!(missing.origin, ContextOrigin::Local);
        assert!(missing.warnings[0].contains("nope.json, which does not exist"), "{:?}", missing.warnings);

        std::fs::write(dir.path().join(CONTEXT_FILE), r#"{"taskrun": {"attemptsCount": "x"}}"#).unwrap();
        let bad_attempt = load_execution_context(&env_of(&[]), dir.path());
        assert_eq!(bad_attempt.origin, ContextOrigin::Local);
        assert!(bad_attempt.warnings[0].contains("attemptsCount"), "{:?}", bad_attempt.warnings);
    }

    #[test]
    fn kestra_variables_are_json_decoded_when_they_can_be() {
        let env = env_of(&[("KESTRA_MAX_FAILURES", "10"), ("KESTRA_OWNER", "data team"), ("KESTRA_TAGS", "[\"a\"]")]);
        assert_eq!(kestra_variable(&env, "max_failures", json!(5)), json!(10));
        assert_eq!(kestra_variable(&env, "owner", Value::Null), json!("data team"));
        assert_eq!(kestra_variable(&env, "tags", Value::Null), json!(["a"]));
        assert_eq!(kestra_variable(&env, "missing", json!(5)), json!(5));
    }
}
