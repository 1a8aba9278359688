//! The rule document: a YAML or JSON list of `luhn` rules (or a mapping with `rules:`).

use crate::exports::truthound::quality::types::{ErrorKind, QualityError, Severity};
use serde::Deserialize;

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Always `luhn`.
    #[serde(rename = "type")]
    pub rule_type: String,
    /// The column holding the numbers (strings or integers).
    pub column: String,
    /// Fraction of non-null values that must be valid.
    #[serde(default = "all")]
    pub mostly: f64,
    /// `critical`, `error` (default), `warning` or `info`.
    #[serde(default)]
    pub severity: Option<String>,
    /// Reported instead of `luhn(<column>)`.
    #[serde(default)]
    pub name: Option<String>,
}

fn all() -> f64 {
    1.0
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Document {
    List(Vec<Rule>),
    Mapping { rules: Vec<Rule> },
}

/// The rules of `document`, each checked; errors name the rule by position.
pub fn parse(document: &str) -> Result<Vec<Rule>, QualityError> {
    let rules = match serde_yaml_ng::from_str::<Document>(document).map_err(|e| invalid(format!("{e}")))? {
        Document::List(rules) | Document::Mapping { rules } => rules,
    };
    for (index, rule) in rules.iter().enumerate() {
        if rule.rule_type != "luhn" {
            return Err(invalid(format!(
                "rule {index}: unknown rule type '{}'; this engine knows: luhn",
                rule.rule_type
            )));
        }
        if !(0.0..=1.0).contains(&rule.mostly) {
            return Err(invalid(format!("rule {index} (luhn): mostly must be between 0 and 1, got {}", rule.mostly)));
        }
        severity(rule).map_err(|e| invalid(format!("rule {index} (luhn): {e}")))?;
    }
    Ok(rules)
}

/// The rule's severity (default `error`).
pub fn severity(rule: &Rule) -> Result<Severity, String> {
    match rule.severity.as_deref().unwrap_or("error") {
        "critical" => Ok(Severity::Critical),
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        other => Err(format!("unknown severity '{other}'; use critical, error, warning or info")),
    }
}

fn invalid(message: String) -> QualityError {
    QualityError { kind: ErrorKind::RuleDocument, message }
}
