//! Schedule, Flow and Webhook triggers with the modern `io.kestra.plugin.core.trigger.*` types.

use super::FlowError;
use super::config::{TriggerConfig, TriggerType};
use super::ids::{IdKind, checked};
use super::yaml::Node;

const NICKNAMES: &[&str] = &["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const STATES: &[&str] = &["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"];

/// Checks a 5-field cron (or nickname) with cron-utils' ranges; names and `L`/`W`/`#`/`?` pass through.
pub fn validate_cron(cron: &str) -> Result<(), String> {
    let cron = cron.trim();
    if cron.starts_with('@') {
        return if NICKNAMES.contains(&cron) { Ok(()) } else { Err(format!("unknown cron nickname {cron:?}")) };
    }
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("{cron:?} must have 5 fields (minute hour day-of-month month day-of-week)"));
    }
    let ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
    for (field, (low, high)) in fields.iter().zip(ranges) {
        for part in field.split(',') {
            let (range, step) = match part.split_once('/') {
                Some((range, step)) => (range, Some(step)),
                None => (part, None),
            };
            if let Some(step) = step
                && step.parse::<u32>().map_or(true, |s| s == 0)
            {
                return Err(format!("bad step in cron field {field:?}"));
            }
            if matches!(range, "*" | "?") {
                continue;
            }
            for bound in range.split('-') {
                if bound.chars().all(|c| c.is_ascii_alphabetic()) && !bound.is_empty() {
                    continue; // JAN, MON, L
                }
                let number = bound.trim_end_matches(['L', 'W']).split('#').next().unwrap_or("");
                match number.parse::<u32>() {
                    Ok(n) if (low..=high).contains(&n) => {}
                    _ => return Err(format!("{bound:?} is out of range {low}-{high} in cron field {field:?}")),
                }
            }
        }
    }
    Ok(())
}

fn validate_timezone(zone: &str) -> bool {
    let mut parts = zone.split('/');
    let valid_part = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c));
    matches!(parts.next(), Some(first) if valid_part(first) && first.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        && parts.all(valid_part)
}

pub fn render_trigger(
    trigger: &TriggerConfig,
    id: &str,
    flow_namespace: &str,
    field: &str,
    sanitize: bool,
) -> Result<Node, FlowError> {
    let at = |name: &str| format!("{field}.{name}");
    let mut entries = vec![("id".to_string(), Node::str(id))];
    match trigger.trigger_type {
        TriggerType::Schedule => {
            let cron = trigger.cron.as_deref().ok_or_else(|| FlowError::new(at("cron"), "a schedule needs a cron"))?;
            validate_cron(cron).map_err(|e| FlowError::new(at("cron"), e))?;
            entries.push(("type".into(), Node::str("io.kestra.plugin.core.trigger.Schedule")));
            entries.push(("cron".into(), Node::Quoted(cron.trim().to_string())));
            if let Some(zone) = &trigger.timezone {
                if !validate_timezone(zone) {
                    return Err(FlowError::new(at("timezone"), format!("{zone:?} is not a tz-database zone id")));
                }
                entries.push(("timezone".into(), Node::str(zone)));
            }
        }
        TriggerType::Flow => {
            let flow_id = trigger
                .flow_id
                .as_deref()
                .ok_or_else(|| FlowError::new(at("flow_id"), "a flow trigger needs flow_id"))?;
            let flow_id = checked(flow_id, IdKind::Flow, &at("flow_id"), sanitize)?;
            let namespace = match &trigger.namespace {
                Some(ns) => checked(ns, IdKind::Namespace, &at("namespace"), sanitize)?,
                None => flow_namespace.to_string(),
            };
            let states = if trigger.states.is_empty() { vec!["SUCCESS".to_string()] } else { trigger.states.clone() };
            let mut upper = Vec::new();
            for (i, state) in states.iter().enumerate() {
                let state = state.to_ascii_uppercase();
                if !STATES.contains(&state.as_str()) {
                    return Err(FlowError::new(
                        format!("{field}.states[{i}]"),
                        format!("{state:?} is not one of {STATES:?}"),
                    ));
                }
                upper.push(Node::Str(state));
            }
            entries.push(("type".into(), Node::str("io.kestra.plugin.core.trigger.Flow")));
            entries.push((
                "conditions".into(),
                Node::Seq(vec![
                    Node::Map(vec![
                        ("type".into(), Node::str("io.kestra.plugin.core.condition.ExecutionFlow")),
                        ("namespace".into(), Node::Str(namespace)),
                        ("flowId".into(), Node::Str(flow_id)),
                    ]),
                    Node::Map(vec![
                        ("type".into(), Node::str("io.kestra.plugin.core.condition.ExecutionStatus")),
                        ("in".into(), Node::Seq(upper)),
                    ]),
                ]),
            ));
        }
        TriggerType::Webhook => {
            let key = trigger.key.as_deref().unwrap_or("");
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || "_-".contains(c)) {
                return Err(FlowError::new(at("key"), "a webhook needs a key of letters, digits, '_' or '-'"));
            }
            entries.push(("type".into(), Node::str("io.kestra.plugin.core.trigger.Webhook")));
            entries.push(("key".into(), Node::str(key)));
        }
        TriggerType::Polling => {
            return Err(FlowError::new(
                at("type"),
                "Kestra has no generic polling trigger: use schedule, flow or webhook",
            ));
        }
    }
    Ok(Node::Map(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crons_follow_cron_utils_ranges() {
        for ok in ["0 9 * * *", "*/15 * * * *", "0 0 1 JAN MON-FRI", "@daily", "0 6 * * 1-5", "30 2 L * ?"] {
            assert!(validate_cron(ok).is_ok(), "{ok}");
        }
        for bad in ["0 24 * * *", "60 * * * *", "* * * *", "@often", "*/0 * * * *", "0 0 0 * *"] {
            assert!(validate_cron(bad).is_err(), "{bad}");
        }
        assert!(validate_timezone("Europe/Berlin") && validate_timezone("UTC") && !validate_timezone("berlin time"));
    }
}
