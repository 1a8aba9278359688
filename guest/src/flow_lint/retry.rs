//! Retry policies (kestra-syntax.md §1.6): `constant`, `exponential` or `random`, their required
//! durations and the inequalities of Kestra's retry validators.

use super::durations::check_duration;
use super::{Findings, check_bool_field, check_enum_field, describe, field, kind};
use serde_yaml_ng::Value;

/// Keys every retry type takes; flow-level retries also take `behavior`.
const COMMON_KEYS: &[&str] = &["type", "maxAttempt", "maxAttempts", "maxDuration", "warningOnRetry"];

/// The retry types, their required and optional interval keys.
const TYPES: &[(&str, &[&str], &[&str])] = &[
    ("constant", &["interval"], &[]),
    ("exponential", &["interval", "maxInterval"], &["delayFactor"]),
    ("random", &["minInterval", "maxInterval"], &[]),
];

/// Checks the retry at `path`; `flow_level` allows `behavior`.
pub(crate) fn check_retry(retry: &Value, path: &str, flow_level: bool, findings: &mut Findings) {
    let Value::Mapping(map) = retry else {
        findings.error(path, format!("retry must be a mapping with a type, found {}", kind(retry)));
        return;
    };
    let type_names = || TYPES.iter().map(|t| t.0).collect::<Vec<_>>().join(", ");
    let Some(type_value) = retry.get("type") else {
        findings.error(field(path, "type"), format!("retry needs a type: {}", type_names()));
        return;
    };
    let Some(&(type_name, required, optional)) = TYPES.iter().find(|t| type_value.as_str() == Some(t.0)) else {
        let hint = match type_value.as_str().map(str::to_ascii_lowercase) {
            Some(lower) if TYPES.iter().any(|t| t.0 == lower) => format!(" (types are lowercase: {lower})"),
            _ => String::new(),
        };
        findings.error(
            field(path, "type"),
            format!("unknown retry type {}; Kestra has {}{hint}", describe(type_value), type_names()),
        );
        return;
    };
    for key in map.keys().filter_map(Value::as_str) {
        let known = COMMON_KEYS.contains(&key)
            || required.contains(&key)
            || optional.contains(&key)
            || (flow_level && key == "behavior");
        if !known {
            findings.error(field(path, key), format!("'{key}' is not a property of retry type {type_name}"));
        }
    }
    for key in required {
        if retry.get(key).is_none() {
            findings.error(field(path, key), format!("retry type {type_name} requires '{key}'"));
        }
    }
    check_attempts(retry, path, findings);
    check_bool_field(retry, path, "warningOnRetry", findings);
    if flow_level {
        check_enum_field(retry, path, "behavior", &["RETRY_FAILED_TASK", "CREATE_NEW_EXECUTION"], findings);
    }
    if let Some(factor) = retry.get("delayFactor").filter(|f| !f.is_number()) {
        findings.error(field(path, "delayFactor"), format!("delayFactor must be a number, found {}", describe(factor)));
    }
    let duration = |key: &str, findings: &mut Findings| {
        retry.get(key).and_then(|value| check_duration(value, &field(path, key), false, findings))
    };
    let interval = duration("interval", findings);
    let min_interval = duration("minInterval", findings);
    let max_interval = duration("maxInterval", findings);
    let max_duration = duration("maxDuration", findings);
    let mut require_less = |smaller: (&str, Option<i128>), larger: (&str, Option<i128>)| {
        if let (Some(a), Some(b)) = (smaller.1, larger.1)
            && a >= b
        {
            findings.error(field(path, smaller.0), format!("{} must be shorter than {}", smaller.0, larger.0));
        }
    };
    require_less(("interval", interval), ("maxDuration", max_duration));
    require_less(("interval", interval), ("maxInterval", max_interval));
    require_less(("minInterval", min_interval), ("maxInterval", max_interval));
    if type_name == "random" {
        require_less(("maxInterval", max_interval), ("maxDuration", max_duration));
    }
}

/// `maxAttempt` (0.x spelling) or `maxAttempts` (1.x): total attempts including the first, >= 1.
fn check_attempts(retry: &Value, path: &str, findings: &mut Findings) {
    if retry.get("maxAttempt").is_some() && retry.get("maxAttempts").is_some() {
        findings.error(field(path, "maxAttempts"), "give maxAttempts or its older spelling maxAttempt, not both");
    }
    for key in ["maxAttempt", "maxAttempts"] {
        if let Some(value) = retry.get(key)
            && value.as_u64().is_none_or(|n| n < 1)
        {
            findings.error(
                field(path, key),
                format!("{key} is the total number of attempts (at least 1), found {}", describe(value)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(yaml: &str) -> Vec<String> {
        let retry: Value = serde_yaml_ng::from_str(yaml).unwrap();
        let mut findings = Findings::default();
        check_retry(&retry, "retry", false, &mut findings);
        findings.0.into_iter().map(|f| format!("{}: {}", f.path, f.message)).collect()
    }

    #[test]
    fn valid_retries_pass() {
        assert!(check("{type: constant, interval: PT10S, maxAttempt: 3, maxDuration: PT5M}").is_empty());
        assert!(
            check("{type: exponential, interval: PT1S, maxInterval: PT1M, delayFactor: 2, maxAttempts: 5}").is_empty()
        );
        assert!(check("{type: random, minInterval: PT1S, maxInterval: PT5S, maxDuration: PT1M}").is_empty());
    }

    #[test]
    fn invented_types_and_missing_fields_are_errors() {
        assert!(check("{type: linear, interval: PT1S}")[0].contains("unknown retry type 'linear'"));
        assert!(check("{type: EXPONENTIAL}")[0].contains("lowercase"));
        assert_eq!(
            check("{type: exponential, interval: PT1S}"),
            ["retry.maxInterval: retry type exponential requires 'maxInterval'"]
        );
        assert!(check("{interval: PT1S}")[0].starts_with("retry.type"));
    }

    #[test]
    fn inequalities_and_attempts_are_enforced() {
        assert_eq!(
            check("{type: constant, interval: PT5M, maxDuration: PT1M}"),
            ["retry.interval: interval must be shorter than maxDuration"]
        );
        assert_eq!(
            check("{type: random, minInterval: PT5S, maxInterval: PT5S}"),
            ["retry.minInterval: minInterval must be shorter than maxInterval"]
        );
        assert!(check("{type: constant, interval: PT1S, maxAttempt: 0}")[0].contains("at least 1"));
        assert!(check("{type: constant, interval: 10s}")[0].contains("ISO-8601"));
    }
}
