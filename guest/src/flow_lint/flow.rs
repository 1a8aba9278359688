//! Top-level keys of a flow (kestra-syntax.md §1.1, §1.2, §1.9): required and known keys,
//! deprecated keys, id and namespace, labels, concurrency, pluginDefaults, flow-level retry.

use super::ids::{IdKind, id_problem, is_qualified_type};
use super::retry::check_retry;
use super::{
    Findings, check_bool_field, check_enum_field, describe, field, item, kind, list_field, required_string,
    string_field,
};
use serde_yaml_ng::Value;

/// Keys of `io.kestra.core.models.flows.Flow` a flow may be written with.
const KNOWN_KEYS: &[&str] = &[
    "id",
    "namespace",
    "description",
    "labels",
    "inputs",
    "variables",
    "tasks",
    "errors",
    "finally",
    "afterExecution",
    "triggers",
    "pluginDefaults",
    "concurrency",
    "outputs",
    "retry",
    "sla",
    "disabled",
];
/// Keys a server accepts but that are deprecated, removed later, or managed by the server.
const DISCOURAGED_KEYS: &[(&str, &str)] = &[
    ("taskDefaults", "'taskDefaults' is deprecated (removed in newer 1.x); use 'pluginDefaults'"),
    ("listeners", "'listeners' is deprecated (removed in 2.0); use errors, finally or a Flow trigger"),
    ("checks", "'checks' exists only in newer Kestra 1.x; leave it out for 0.20 compatibility"),
    ("revision", "'revision' is managed by the server; leave it out"),
    ("deleted", "'deleted' is managed by the server; leave it out"),
    ("tenantId", "'tenantId' is managed by the server; leave it out"),
    ("workerSelector", "'workerSelector' is an Enterprise Edition key; leave it out for portable flows"),
];

/// Checks the top-level keys of a flow (tasks, triggers, inputs and outputs have their own modules).
pub(crate) fn check_top_level(document: &Value, findings: &mut Findings) {
    let Value::Mapping(map) = document else { return };
    for key in map.keys() {
        let Some(key) = key.as_str() else {
            findings.error("", format!("top-level keys must be strings, found {}", describe(key)));
            continue;
        };
        if let Some((_, message)) = DISCOURAGED_KEYS.iter().find(|(k, _)| *k == key) {
            findings.warning(key, *message);
        } else if key == "timeout" {
            findings.error(key, "there is no flow-level timeout; set 'timeout' on tasks (or use an SLA)");
        } else if !KNOWN_KEYS.contains(&key) {
            findings.error(key, format!("unknown top-level key '{key}' (Kestra rejects unknown properties)"));
        }
    }
    for (key, kind_of_id) in [("id", IdKind::Flow), ("namespace", IdKind::Namespace)] {
        let value = required_string(document, "", key, "a flow", findings);
        if let Some(problem) = value.and_then(|v| id_problem(v, kind_of_id)) {
            findings.error(key, format!("invalid flow {key}: {problem}"));
        }
    }
    string_field(document, "", "description", findings);
    check_bool_field(document, "", "disabled", findings);
    if let Some(variables) = document.get("variables").filter(|v| !v.is_mapping()) {
        findings.error("variables", format!("'variables' must be a mapping, found {}", kind(variables)));
    }
    check_labels(document, findings);
    check_concurrency(document, findings);
    check_plugin_defaults(document, findings);
    if let Some(retry) = document.get("retry") {
        check_retry(retry, "retry", true, findings);
    }
}

/// Labels: a map of scalar values or a list of `{key, value}`; no `system.` keys but
/// `system.readOnly`.
fn check_labels(document: &Value, findings: &mut Findings) {
    let check_key = |key: &str, path: &str, findings: &mut Findings| {
        if key.starts_with("system.") && key != "system.readOnly" {
            findings.error(path, format!("label '{key}': system labels are reserved"));
        }
    };
    match document.get("labels") {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(labels)) => {
            for (key, value) in labels {
                let key = key.as_str().map(str::to_string).unwrap_or_else(|| describe(key));
                let path = field("labels", &key);
                check_key(&key, &path, findings);
                if value.is_mapping() || value.is_sequence() {
                    findings.error(path, format!("label values are scalars, found {}", kind(value)));
                }
            }
        }
        Some(Value::Sequence(labels)) => {
            for (index, label) in labels.iter().enumerate() {
                let path = item("labels", index);
                match (label.get("key").and_then(Value::as_str), label.get("value")) {
                    (Some(key), Some(value)) if !value.is_mapping() && !value.is_sequence() => {
                        check_key(key, &path, findings)
                    }
                    _ => findings.error(
                        path,
                        format!("labels are a map (env: prod) or a list of {{key, value}}, found {}", describe(label)),
                    ),
                }
            }
        }
        Some(other) => findings.error("labels", format!("labels must be a map, found {}", kind(other))),
    }
}

/// `concurrency: {limit: n >= 1, behavior: QUEUE|CANCEL|FAIL}`.
fn check_concurrency(document: &Value, findings: &mut Findings) {
    let Some(concurrency) = document.get("concurrency") else { return };
    if !concurrency.is_mapping() {
        findings.error(
            "concurrency",
            format!("concurrency must be a mapping {{limit, behavior}}, found {}", kind(concurrency)),
        );
        return;
    }
    match concurrency.get("limit") {
        Some(limit) if limit.as_u64().is_some_and(|n| n >= 1) => {}
        Some(limit) => findings
            .error("concurrency.limit", format!("limit must be an integer of at least 1, found {}", describe(limit))),
        None => findings.error("concurrency.limit", "concurrency requires a 'limit'"),
    }
    check_enum_field(concurrency, "concurrency", "behavior", &["QUEUE", "CANCEL", "FAIL"], findings);
}

/// `pluginDefaults: [{type, values, forced}]`.
fn check_plugin_defaults(document: &Value, findings: &mut Findings) {
    for (path, default) in list_field(document, "", "pluginDefaults", findings) {
        if let Some(name) = required_string(default, &path, "type", "a plugin default", findings)
            && !is_qualified_type(name)
        {
            findings.error(field(&path, "type"), format!("'{name}' is not a qualified type or package name"));
        }
        if !default.get("values").is_some_and(Value::is_mapping) {
            findings.error(field(&path, "values"), "a plugin default needs a 'values' mapping");
        }
        check_bool_field(default, &path, "forced", findings);
    }
}
