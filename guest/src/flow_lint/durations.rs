//! ISO-8601 durations as `java.time.Duration.parse` reads them (kestra-syntax.md §1.6): days,
//! hours, minutes and seconds, only seconds fractional, case-insensitive; `P1W`, `P1M` and
//! `PT3.5H` are rejected.

use super::{Findings, describe};
use regex::Regex;
use serde_yaml_ng::Value;
use std::sync::LazyLock;

/// `Duration.parse`'s grammar.
static ISO_DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$")
        .expect("valid regex")
});

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// The length of an ISO-8601 duration in nanoseconds, or `None` when Java would not parse it.
pub(crate) fn parse_duration(text: &str) -> Option<i128> {
    let caps = ISO_DURATION.captures(text)?;
    let time_part = caps.get(3);
    let units = [(2, 86_400), (4, 3_600), (5, 60), (6, 1)];
    let present = units.iter().any(|(group, _)| caps.get(*group).is_some());
    // `P`, `PT` and `P1DT` are rejected: each part needs at least one component.
    if !present || time_part.is_some_and(|t| t.as_str().len() == 1) {
        return None;
    }
    let mut nanos: i128 = 0;
    for (group, seconds) in units {
        if let Some(m) = caps.get(group) {
            nanos += m.as_str().parse::<i128>().ok()? * seconds * NANOS_PER_SECOND;
        }
    }
    if let Some(fraction) = caps.get(7).filter(|f| !f.as_str().is_empty()) {
        let digits = fraction.as_str();
        let scaled: i128 = format!("{digits:0<9}").parse().ok()?;
        let seconds_negative = caps.get(6).is_some_and(|s| s.as_str().starts_with('-'));
        nanos += if seconds_negative { -scaled } else { scaled };
    }
    Some(if &caps[1] == "-" { -nanos } else { nanos })
}

/// Whether a string is a Pebble expression rendered at run time.
pub(crate) fn is_expression(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Checks a duration value and returns its length when it is a literal ISO-8601 duration.
/// `dynamic` allows a Pebble expression (properties typed `Property<Duration>`, like `timeout`).
pub(crate) fn check_duration(value: &Value, path: &str, dynamic: bool, findings: &mut Findings) -> Option<i128> {
    match value {
        Value::String(text) if dynamic && is_expression(text) => None,
        Value::String(text) => {
            let nanos = parse_duration(text);
            if nanos.is_none() {
                findings.error(
                    path,
                    format!(
                        "'{text}' is not an ISO-8601 duration (write e.g. PT30S, PT5M, PT1H30M or P1D; only seconds \
                         may have a fraction; weeks and months are not accepted)"
                    ),
                );
            }
            nanos
        }
        Value::Number(number) => {
            findings.warning(
                path,
                format!(
                    "{number} is read as seconds only by some Kestra versions; write an ISO-8601 duration (PT{number}S)"
                ),
            );
            number.as_f64().map(|s| (s * 1e9) as i128)
        }
        other => {
            findings
                .error(path, format!("a duration must be an ISO-8601 string such as PT30S, found {}", describe(other)));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> Option<f64> {
        parse_duration(text).map(|n| n as f64 / 1e9)
    }

    #[test]
    fn accepts_what_java_accepts() {
        assert_eq!(seconds("PT30S"), Some(30.0));
        assert_eq!(seconds("PT0.25S"), Some(0.25));
        assert_eq!(seconds("PT0.25s"), Some(0.25));
        assert_eq!(seconds("PT1M"), Some(60.0));
        assert_eq!(seconds("PT3H30M"), Some(12_600.0));
        assert_eq!(seconds("P1D"), Some(86_400.0));
        assert_eq!(seconds("P1DT2H"), Some(93_600.0));
        assert_eq!(seconds("-PT5S"), Some(-5.0));
        assert_eq!(seconds("PT-1.5S"), Some(-1.5));
    }

    #[test]
    fn rejects_what_java_rejects() {
        for text in ["PT3.5H", "P1W", "P1M", "P", "PT", "P1DT", "30s", "30", "PT30", "", "1 minute"] {
            assert_eq!(parse_duration(text), None, "{text}");
        }
    }

    #[test]
    fn numbers_are_a_warning_and_expressions_pass_only_where_dynamic() {
        let mut findings = Findings::default();
        assert_eq!(check_duration(&Value::from(30), "t", false, &mut findings), Some(30 * NANOS_PER_SECOND));
        assert!(check_duration(&Value::from("{{ vars.t }}"), "t", true, &mut findings).is_none());
        assert_eq!(findings.0.len(), 1);
        check_duration(&Value::from("{{ vars.t }}"), "t", false, &mut findings);
        assert_eq!(findings.0.len(), 2);
    }
}
