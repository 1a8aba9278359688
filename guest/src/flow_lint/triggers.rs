//! Triggers (kestra-syntax.md §1.5, reference-behaviour §5.1): ids unique and distinct from task
//! ids, modern `io.kestra.plugin.core.trigger.*` types, Schedule crons, Webhook keys.

use super::cron::cron_problem;
use super::ids::{IdKind, id_problem, is_qualified_type};
use super::tasks::TaskTree;
use super::{
    Findings, check_bool_field, check_enum_field, field, kind, list_field, report_duplicate_ids, required_string,
    string_field,
};
use serde_yaml_ng::Value;

/// The package of the core triggers.
const CORE_TRIGGERS: &str = "io.kestra.plugin.core.trigger.";
/// The pre-0.17 package of the core triggers.
const LEGACY_TRIGGERS: &str = "io.kestra.core.models.triggers.types.";
/// Core triggers that exist, by class name.
const CORE_TRIGGER_NAMES: &[&str] = &["Schedule", "Flow", "Webhook", "ScheduleOnDates", "Toggle"];

/// Checks the flow's `triggers`.
pub(crate) fn check_triggers(document: &Value, tree: &TaskTree, findings: &mut Findings) {
    let triggers = list_field(document, "", "triggers", findings);
    for (path, trigger) in &triggers {
        let (path, trigger) = (path.as_str(), *trigger);
        if !trigger.is_mapping() {
            findings.error(path, format!("a trigger must be a mapping with id and type, found {}", kind(trigger)));
            continue;
        }
        if let Some(id) = required_string(trigger, path, "id", "a trigger", findings) {
            if let Some(problem) = id_problem(id, IdKind::Task) {
                findings.error(field(path, "id"), format!("invalid trigger id: {problem}"));
            }
            if let Some(task) = tree.find(id) {
                findings.warning(
                    field(path, "id"),
                    format!("trigger id '{id}' is also the id of the task at {}; use distinct ids", task.path),
                );
            }
        }
        check_bool_field(trigger, path, "disabled", findings);
        if let Some(trigger_type) = required_string(trigger, path, "type", "a trigger", findings) {
            check_trigger_type(trigger, trigger_type, path, findings);
        }
    }
    let ids = triggers.iter().filter_map(|(path, trigger)| Some((trigger.get("id")?.as_str()?, path.as_str())));
    report_duplicate_ids(ids, "trigger", findings);
}

/// The type name, and the checks of the core triggers.
fn check_trigger_type(trigger: &Value, trigger_type: &str, path: &str, findings: &mut Findings) {
    let type_path = field(path, "type");
    let class = if let Some(class) = trigger_type.strip_prefix(LEGACY_TRIGGERS) {
        if CORE_TRIGGER_NAMES.contains(&class) {
            findings.warning(
                &type_path,
                format!("'{trigger_type}' is the deprecated pre-0.17 name; use {CORE_TRIGGERS}{class}"),
            );
        } else {
            findings.error(
                &type_path,
                format!("'{trigger_type}' does not exist (core triggers: {})", CORE_TRIGGER_NAMES.join(", ")),
            );
            return;
        }
        class
    } else if let Some(class) = trigger_type.strip_prefix(CORE_TRIGGERS) {
        if !CORE_TRIGGER_NAMES.contains(&class) {
            findings.error(
                &type_path,
                format!("'{trigger_type}' does not exist (core triggers: {})", CORE_TRIGGER_NAMES.join(", ")),
            );
            return;
        }
        class
    } else {
        if !is_qualified_type(trigger_type) {
            findings.error(&type_path, format!("'{trigger_type}' is not a fully qualified trigger type"));
        }
        return;
    };
    match class {
        "Schedule" => check_schedule(trigger, path, findings),
        "Webhook" if trigger.get("key").is_none() => {
            findings.error(field(path, "key"), "a Webhook trigger requires a 'key'");
        }
        "Flow" if trigger.get("inputs").and_then(|i| i.get("flowId")).is_some() => {
            findings.error(
                field(path, "inputs"),
                "a Flow trigger selects upstream flows with conditions or preconditions (flowId, namespace), not \
                 inputs.flowId",
            );
        }
        _ => {}
    }
}

/// `cron` is required and valid, 6 fields only with `withSeconds`.
fn check_schedule(trigger: &Value, path: &str, findings: &mut Findings) {
    check_bool_field(trigger, path, "withSeconds", findings);
    check_enum_field(trigger, path, "recoverMissedSchedules", &["ALL", "LAST", "NONE"], findings);
    string_field(trigger, path, "timezone", findings);
    let with_seconds = trigger.get("withSeconds").and_then(Value::as_bool).unwrap_or(false);
    match trigger.get("cron") {
        None => findings.error(field(path, "cron"), "a Schedule trigger requires a 'cron'"),
        Some(Value::String(cron)) => {
            if let Some(problem) = cron_problem(cron, with_seconds) {
                findings.error(field(path, "cron"), format!("invalid cron: {problem}"));
            }
        }
        Some(other) => {
            findings.error(field(path, "cron"), format!("cron must be a quoted string, found {}", kind(other)))
        }
    }
}
