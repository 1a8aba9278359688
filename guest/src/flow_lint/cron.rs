//! Cron expressions of Schedule triggers as Kestra's `ScheduleValidator` reads them (cron-utils
//! UNIX definition, strict ranges; kestra-syntax.md §1.5): five fields, six with `withSeconds`,
//! or a nickname such as `@daily`.

use super::{Findings, field, item};
use serde_yaml_ng::Value;

/// The nicknames cron-utils accepts in place of the fields.
const NICKNAMES: &[&str] = &["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const MONTHS: &[&str] = &["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One cron field: its name, range, and the names it takes (numbered from `low`).
struct CronField {
    name: &'static str,
    low: u32,
    high: u32,
    names: &'static [&'static str],
}

const SECOND: CronField = CronField { name: "second", low: 0, high: 59, names: &[] };
const STANDARD_FIELDS: [CronField; 5] = [
    CronField { name: "minute", low: 0, high: 59, names: &[] },
    CronField { name: "hour", low: 0, high: 23, names: &[] },
    CronField { name: "day of month", low: 1, high: 31, names: &[] },
    CronField { name: "month", low: 1, high: 12, names: MONTHS },
    CronField { name: "day of week", low: 0, high: 7, names: WEEKDAYS },
];

/// Why `expression` is not a valid cron for a Schedule trigger, or `None` when it is.
pub(crate) fn cron_problem(expression: &str, with_seconds: bool) -> Option<String> {
    let expression = expression.trim();
    if expression.starts_with('@') {
        return (!NICKNAMES.contains(&expression.to_ascii_lowercase().as_str()))
            .then(|| format!("unknown cron nickname '{expression}' (expected one of {})", NICKNAMES.join(", ")));
    }
    let parts: Vec<&str> = expression.split_whitespace().collect();
    let fields: Vec<&CronField> = if with_seconds {
        std::iter::once(&SECOND).chain(&STANDARD_FIELDS).collect()
    } else {
        STANDARD_FIELDS.iter().collect()
    };
    if parts.len() != fields.len() {
        let hint = if with_seconds { " (withSeconds is true)" } else { " (6 fields need withSeconds: true)" };
        return Some(format!("'{expression}' has {} fields, a cron needs {}{hint}", parts.len(), fields.len()));
    }
    parts.iter().zip(fields).find_map(|(part, spec)| field_problem(part, spec))
}

/// Checks one field: a comma-separated list of `*`, `?` (days only), values or ranges, each
/// with an optional `/step`.
fn field_problem(text: &str, spec: &CronField) -> Option<String> {
    let is_day = spec.name.starts_with("day");
    for element in text.split(',') {
        let (range, step) = match element.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (element, None),
        };
        if let Some(step) = step
            && !step.parse::<u32>().is_ok_and(|s| s >= 1)
        {
            return Some(format!("the {} field has an invalid step '/{step}' in '{text}'", spec.name));
        }
        if range == "*" || (range == "?" && is_day && step.is_none()) {
            continue;
        }
        let bounds: Vec<&str> = range.split('-').collect();
        if bounds.len() > 2 || bounds.iter().any(|b| b.is_empty()) {
            return Some(format!("the {} field has an invalid element '{element}'", spec.name));
        }
        for bound in bounds {
            let value = match bound.parse::<u32>() {
                Ok(value) => value,
                Err(_) => match spec.names.iter().position(|n| n.eq_ignore_ascii_case(bound)) {
                    // Names count from the field's lowest value: JAN = 1, SUN = 0.
                    Some(index) => spec.low + index as u32,
                    None => return Some(format!("the {} field has an invalid value '{bound}'", spec.name)),
                },
            };
            if value < spec.low || value > spec.high {
                return Some(format!(
                    "the {} field value {value} is out of range {}-{}",
                    spec.name, spec.low, spec.high
                ));
            }
        }
    }
    None
}

/// Warns about Schedule crons written unquoted: a cron starting with `*` or `@` is not even YAML,
/// and quoting every cron keeps editing safe (kestra-syntax.md §1.5). The parsed value does not
/// keep the quoting, so the text is searched for an unquoted `cron:` line holding the same value.
pub(crate) fn check_cron_quoting(text: &str, document: &Value, findings: &mut Findings) {
    let Some(triggers) = document.get("triggers").and_then(Value::as_sequence) else { return };
    for (index, trigger) in triggers.iter().enumerate() {
        let Some(cron) = trigger.get("cron").and_then(Value::as_str) else { continue };
        let unquoted = text.lines().any(|line| {
            let line = line.trim_start().trim_start_matches("- ");
            line.strip_prefix("cron:").is_some_and(|rest| rest.split(" #").next().unwrap_or("").trim() == cron)
        });
        if unquoted {
            findings.warning(
                field(&item("triggers", index), "cron"),
                format!("quote the cron expression: cron: \"{cron}\""),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_standard_crons_and_nicknames() {
        for cron in
            ["0 9 * * *", "*/15 * * * *", "0 0 1 1-6/2 MON-FRI", "30 2 * * 0,7", "0 0 ? * SUN", "@daily", "@HOURLY"]
        {
            assert_eq!(cron_problem(cron, false), None, "{cron}");
        }
        assert_eq!(cron_problem("*/10 0 9 * * *", true), None);
        assert_eq!(cron_problem("0 0 1 JAN *", false), None);
    }

    #[test]
    fn rejects_wrong_field_counts_ranges_and_syntax() {
        assert!(cron_problem("0 9 * *", false).unwrap().contains("4 fields"));
        assert!(cron_problem("0 0 9 * * *", false).unwrap().contains("withSeconds"));
        assert!(cron_problem("0 24 * * *", false).unwrap().contains("hour field value 24 is out of range 0-23"));
        assert!(cron_problem("0 0 0 * *", false).unwrap().contains("day of month"));
        assert!(cron_problem("0 0 * 13 *", false).is_some());
        assert!(cron_problem("0 0 * * 8", false).is_some());
        assert!(cron_problem("*/0 * * * *", false).unwrap().contains("step"));
        assert!(cron_problem("0 0 * * FOO", false).is_some());
        assert!(cron_problem("@every5m", false).unwrap().contains("nickname"));
        assert!(cron_problem("? * * * *", false).is_some());
    }

    #[test]
    fn unquoted_crons_are_a_warning() {
        let text = "triggers:\n  - id: a\n    cron: 0 9 * * *\n  - id: b\n    cron: \"0 10 * * *\"\n";
        let document: Value = serde_yaml_ng::from_str(text).unwrap();
        let mut findings = Findings::default();
        check_cron_quoting(text, &document, &mut findings);
        assert_eq!(findings.0.len(), 1);
        assert_eq!(findings.0[0].path, "triggers[0].cron");
    }
}
