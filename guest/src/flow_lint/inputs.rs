//! Flow inputs (kestra-syntax.md §1.4) and typed flow outputs (§1.8): ids, types, the fields
//! each type requires, unique ids, and input `dependsOn` without unknown targets or cycles.

use super::durations::check_duration;
use super::graph::find_cycle;
use super::ids::{IdKind, id_problem};
use super::{Findings, check_bool_field, describe, field, kind, list_field, report_duplicate_ids, string_field};
use serde_yaml_ng::Value;

/// Input (and flow output) types of Kestra 0.20 to 1.x.
const TYPES: &[&str] = &[
    "STRING",
    "ENUM",
    "SELECT",
    "INT",
    "FLOAT",
    "BOOLEAN",
    "BOOL",
    "DATETIME",
    "DATE",
    "TIME",
    "DURATION",
    "FILE",
    "JSON",
    "URI",
    "SECRET",
    "ARRAY",
    "MULTISELECT",
    "YAML",
    "EMAIL",
];

/// Checks the flow's `inputs`.
pub(crate) fn check_inputs(document: &Value, findings: &mut Findings) {
    let inputs = list_field(document, "", "inputs", findings);
    let mut edges: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut dependencies = Vec::new();
    for (path, input) in &inputs {
        let Some(input_type) = check_typed_entry(input, path, "input", findings) else { continue };
        if let Some(id) = input.get("id").and_then(Value::as_str) {
            let targets = input_dependencies(input, path, findings);
            dependencies.extend(targets.iter().map(|(p, t)| (p.clone(), *t)));
            edges.push((id, targets.into_iter().map(|(_, t)| t).collect()));
        }
        check_bool_field(input, path, "required", findings);
        check_type_fields(input, input_type, path, findings);
    }
    report_duplicates(&inputs, "input", findings);
    for (path, target) in dependencies {
        if !edges.iter().any(|(id, _)| *id == target) {
            findings.error(path, format!("'{target}' is not the id of an input of this flow"));
        }
    }
    if let Some(cycle) = find_cycle(&edges) {
        findings.error("inputs", format!("cyclic input dependency: {}", cycle.join(" -> ")));
    }
}

/// Checks the flow's `outputs`: each needs an `id`, a known `type` and a `value`.
pub(crate) fn check_flow_outputs(document: &Value, findings: &mut Findings) {
    let outputs = list_field(document, "", "outputs", findings);
    for (path, output) in &outputs {
        check_typed_entry(output, path, "output", findings);
        if output.is_mapping() && output.get("value").is_none() {
            findings.error(field(path, "value"), "a flow output needs 'value'");
        }
    }
    report_duplicates(&outputs, "output", findings);
}

/// The `id` and `type` shared by inputs and outputs; returns the type when it is known.
fn check_typed_entry<'a>(entry: &'a Value, path: &str, what: &str, findings: &mut Findings) -> Option<&'a str> {
    if !entry.is_mapping() {
        findings.error(path, format!("an {what} must be a mapping with id and type, found {}", kind(entry)));
        return None;
    }
    match string_field(entry, path, "id", findings) {
        Some(id) => {
            if let Some(problem) = id_problem(id, IdKind::Input) {
                findings.error(field(path, "id"), format!("invalid {what} id: {problem}"));
            }
        }
        None if entry.get("name").is_some() => {
            findings.warning(field(path, "name"), format!("'name' is the deprecated alias of an {what}'s 'id'"))
        }
        None if entry.get("id").is_none() => findings.error(field(path, "id"), format!("an {what} needs 'id'")),
        None => {}
    }
    let type_path = field(path, "type");
    let Some(type_value) = entry.get("type") else {
        let example = if what == "output" { " (flow outputs are typed: STRING, JSON, INT, ...)" } else { "" };
        findings.error(type_path, format!("an {what} needs 'type'{example}"));
        return None;
    };
    let found = type_value.as_str().filter(|t| TYPES.contains(t));
    if found.is_none() {
        findings.error(
            type_path,
            format!("unknown {what} type {} (expected one of {})", describe(type_value), TYPES.join(", ")),
        );
    } else if found == Some("BOOL") {
        findings.warning(type_path, "BOOL exists only in Kestra 1.x; use BOOLEAN to stay compatible with 0.20");
    }
    found
}

/// The fields each input type requires (§1.4).
fn check_type_fields(input: &Value, input_type: &str, path: &str, findings: &mut Findings) {
    match input_type {
        "ENUM" => {
            findings.warning(field(path, "type"), "ENUM inputs are deprecated; use SELECT");
            require_values(input, path, input_type, false, findings);
        }
        "SELECT" | "MULTISELECT" => require_values(input, path, input_type, true, findings),
        "ARRAY" => match input.get("itemType") {
            None => findings.error(field(path, "itemType"), "an ARRAY input requires 'itemType' (e.g. STRING)"),
            Some(item) if !item.as_str().is_some_and(|t| TYPES.contains(&t)) => {
                findings.error(field(path, "itemType"), format!("unknown itemType {}", describe(item)))
            }
            Some(_) => {}
        },
        "DURATION" => {
            for key in ["defaults", "min", "max"] {
                if let Some(value) = input.get(key) {
                    check_duration(value, &field(path, key), true, findings);
                }
            }
        }
        _ => {}
    }
}

/// SELECT, MULTISELECT and ENUM need a non-empty `values` list (or an `expression` when allowed).
fn require_values(input: &Value, path: &str, input_type: &str, expression_allowed: bool, findings: &mut Findings) {
    if expression_allowed && input.get("expression").is_some() {
        return;
    }
    if input_type == "MULTISELECT" && input.get("options").is_some() {
        findings.warning(field(path, "options"), "'options' is deprecated; use 'values'");
        return;
    }
    match input.get("values") {
        Some(Value::Sequence(values)) if !values.is_empty() => {}
        _ => findings.error(field(path, "values"), format!("a {input_type} input requires a non-empty 'values' list")),
    }
}

/// The ids an input's `dependsOn: {inputs: [...]}` names, with their paths.
fn input_dependencies<'a>(input: &'a Value, path: &str, findings: &mut Findings) -> Vec<(String, &'a str)> {
    let Some(depends_on) = input.get("dependsOn") else { return Vec::new() };
    let path = field(path, "dependsOn");
    if !depends_on.is_mapping() {
        findings.error(
            &path,
            format!("an input's dependsOn is a mapping {{inputs, condition}}, found {}", kind(depends_on)),
        );
        return Vec::new();
    }
    list_field(depends_on, &path, "inputs", findings)
        .into_iter()
        .filter_map(|(p, v)| match v.as_str() {
            Some(id) => Some((p, id)),
            None => {
                findings.error(p, format!("an input dependency is an input id, found {}", kind(v)));
                None
            }
        })
        .collect()
}

/// Ids used twice in a list of inputs or outputs.
fn report_duplicates(entries: &[(String, &Value)], what: &str, findings: &mut Findings) {
    let ids = entries.iter().filter_map(|(path, entry)| Some((entry.get("id")?.as_str()?, path.as_str())));
    report_duplicate_ids(ids, what, findings);
}
