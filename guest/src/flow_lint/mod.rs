//! Offline validation of Kestra flow YAML against the rules of Kestra 0.20 to 1.x
//! (shared/spec/kestra-syntax.md §1-§3): what a server would reject, and what it accepts but
//! deprecates. Pure: it reads the text it is given and returns findings, each with the path of
//! the offending value (`tasks[2].retry.maxAttempts`, `triggers[0].cron`).

mod cron;
mod durations;
mod flow;
mod graph;
mod ids;
mod inputs;
mod references;
mod retry;
mod tasks;
mod triggers;

use serde_yaml_ng::Value;
use std::collections::HashMap;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingSeverity {
    /// A Kestra server rejects the flow (or the flow cannot work as written).
    Error,
    /// The flow is accepted but uses deprecated or non-portable syntax.
    Warning,
}

/// One problem in a flow document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where the problem is, e.g. `tasks[2].retry.maxAttempts`; empty for the whole document.
    pub path: String,
    /// Whether the server rejects it.
    pub severity: FindingSeverity,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Validates a Kestra flow document. No finding means the flow passes every check.
pub fn validate_flow(yaml: &str) -> Vec<Finding> {
    let mut findings = Findings::default();
    let document: Value = match serde_yaml_ng::from_str(yaml) {
        Ok(value) => value,
        Err(error) => {
            findings.error("", format!("the flow is not valid YAML: {error}"));
            return findings.0;
        }
    };
    let Value::Mapping(_) = document else {
        findings.error("", format!("a flow must be a YAML mapping, found {}", kind(&document)));
        return findings.0;
    };
    flow::check_top_level(&document, &mut findings);
    let tree = tasks::check_task_tree(&document, &mut findings);
    triggers::check_triggers(&document, &tree, &mut findings);
    inputs::check_inputs(&document, &mut findings);
    inputs::check_flow_outputs(&document, &mut findings);
    references::check_output_references(&document, &tree, &mut findings);
    cron::check_cron_quoting(yaml, &document, &mut findings);
    findings.0
}

/// Findings collected while walking a document.
#[derive(Default)]
pub(crate) struct Findings(Vec<Finding>);

impl Findings {
    /// Records a problem the server rejects.
    pub(crate) fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Finding { path: path.into(), severity: FindingSeverity::Error, message: message.into() });
    }

    /// Records deprecated or non-portable syntax.
    pub(crate) fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Finding { path: path.into(), severity: FindingSeverity::Warning, message: message.into() });
    }
}

/// The path of `key` inside the mapping at `path`.
pub(crate) fn field(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// The path of item `index` of the sequence at `path`.
pub(crate) fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// What a YAML value is, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// The items of the list under `key` of `parent` with their paths; a present non-list value is
/// reported and yields nothing.
pub(crate) fn list_field<'a>(
    parent: &'a Value,
    path: &str,
    key: &str,
    findings: &mut Findings,
) -> Vec<(String, &'a Value)> {
    let path = field(path, key);
    match parent.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Sequence(items)) => items.iter().enumerate().map(|(i, v)| (item(&path, i), v)).collect(),
        Some(other) => {
            findings.error(path, format!("'{key}' must be a list, found {}", kind(other)));
            Vec::new()
        }
    }
}

/// The string under `key`, reporting a value of another kind.
pub(crate) fn string_field<'a>(parent: &'a Value, path: &str, key: &str, findings: &mut Findings) -> Option<&'a str> {
    match parent.get(key)? {
        Value::String(text) => Some(text),
        other => {
            findings.error(field(path, key), format!("'{key}' must be a string, found {}", kind(other)));
            None
        }
    }
}

/// The string under `key`, reporting it missing (`<what> needs '<key>'`) or of another kind.
pub(crate) fn required_string<'a>(
    parent: &'a Value,
    path: &str,
    key: &str,
    what: &str,
    findings: &mut Findings,
) -> Option<&'a str> {
    if parent.get(key).is_none() {
        findings.error(field(path, key), format!("{what} needs '{key}'"));
        return None;
    }
    string_field(parent, path, key, findings)
}

/// Reports a value under `key` that is not a boolean.
pub(crate) fn check_bool_field(parent: &Value, path: &str, key: &str, findings: &mut Findings) {
    if let Some(value) = parent.get(key).filter(|v| !v.is_bool()) {
        findings.error(field(path, key), format!("'{key}' must be true or false, found {}", kind(value)));
    }
}

/// Reports a value under `key` that is not one of `allowed` (exact spelling).
pub(crate) fn check_enum_field(parent: &Value, path: &str, key: &str, allowed: &[&str], findings: &mut Findings) {
    let Some(value) = parent.get(key) else { return };
    if !value.as_str().is_some_and(|v| allowed.contains(&v)) {
        findings.error(
            field(path, key),
            format!("'{key}' must be one of {}, found {}", allowed.join(", "), describe(value)),
        );
    }
}

/// Reports every id used again; `entries` are (id, path of the entry) in document order.
pub(crate) fn report_duplicate_ids<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    what: &str,
    findings: &mut Findings,
) {
    let mut first_use: HashMap<&str, &str> = HashMap::new();
    for (id, path) in entries {
        match first_use.get(id) {
            Some(first) => {
                findings.error(field(path, "id"), format!("duplicate {what} id '{id}' (also used at {first})"))
            }
            None => {
                first_use.insert(id, path);
            }
        }
    }
}

/// A value quoted for messages: strings and numbers as written, other kinds by their kind.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::String(text) => format!("'{text}'"),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => kind(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_flow_has_no_findings() {
        let yaml = "id: my_flow\nnamespace: company.team\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: Hello\n";
        assert_eq!(validate_flow(yaml), Vec::new());
    }

    #[test]
    fn broken_yaml_and_non_mappings_are_one_finding_at_the_root() {
        for text in ["id: [", "- a\n- b\n", "just text"] {
            let findings = validate_flow(text);
            assert_eq!(findings.len(), 1, "{text}: {findings:?}");
            assert_eq!(findings[0].path, "");
            assert_eq!(findings[0].severity, FindingSeverity::Error);
        }
    }

    #[test]
    fn kv_set_needs_a_key_and_a_value() {
        let yaml = "id: f\nnamespace: n\ntasks:\n  - id: store\n    type: io.kestra.plugin.core.kv.Set\n    key: k\n";
        let findings = validate_flow(yaml);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].path, "tasks[0].value");
        let complete = format!("{yaml}    value: \"{{{{ kv('k', errorOnMissing=false) }}}}\"\n");
        assert_eq!(validate_flow(&complete), Vec::new());
    }

    #[test]
    fn duplicate_yaml_keys_are_rejected_like_kestras_strict_parser() {
        let findings = validate_flow("id: a\nid: b\nnamespace: n\ntasks: []\n");
        assert!(findings[0].message.contains("duplicate"), "{findings:?}");
    }
}
