//! Rule documents: YAML or JSON text holding a list of rules, or a mapping with a `rules:` list
//! plus an optional `name`, `description` and `defaults`.

use crate::model::{QualityError, Severity};
use serde_json::{Map, Value};

/// A parsed rule document.
#[derive(Debug, Clone)]
pub struct RuleDocument {
    pub name: Option<String>,
    pub description: Option<String>,
    pub rules: Vec<RuleSpec>,
}

/// One rule as written, with the keys every rule shares already taken out.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    /// Position in the document (0-based).
    pub index: usize,
    /// The rule type as written (`type:` or `check:`), lowercased.
    pub rule_type: String,
    pub column: Option<String>,
    pub name: Option<String>,
    pub severity: Severity,
    pub mostly: f64,
    /// Everything else: the rule's own parameters.
    pub params: RuleParams,
    /// Where the rule came from when it was translated from another tool's format.
    pub origin: Option<Origin>,
}

/// A rule translated from another tool's format (a Great Expectations expectation, a pandera
/// check): how messages name it there, and what was written, so results map back to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// How messages name the source item, e.g.
    /// `expectation 3 (expect_column_values_to_be_unique on 'id')`.
    pub label: String,
    /// The source item as JSON, reported with the rule's result.
    pub written: Value,
}

impl RuleSpec {
    /// A rule translated from another format: `params` are in truthound's vocabulary.
    pub fn translated(
        index: usize,
        rule_type: &str,
        column: Option<String>,
        params: Map<String, Value>,
        origin: Origin,
    ) -> RuleSpec {
        RuleSpec {
            index,
            rule_type: rule_type.to_string(),
            column,
            name: None,
            severity: Severity::Error,
            mostly: 1.0,
            params: RuleParams::new(params),
            origin: Some(origin),
        }
    }

    /// `rule 3 (in_range on 'amount')`: how messages name a rule. A translated rule is named as
    /// in its source, e.g. `expectation 3 (expect_column_values_to_be_between on 'amount')`.
    pub fn label(&self) -> String {
        match (&self.origin, &self.column) {
            (Some(origin), _) => origin.label.clone(),
            (None, Some(column)) => format!("rule {} ({} on '{}')", self.index + 1, self.rule_type, column),
            (None, None) => format!("rule {} ({})", self.index + 1, self.rule_type),
        }
    }

    /// An error about this rule in the rule document.
    pub fn error(&self, what: impl std::fmt::Display) -> QualityError {
        QualityError::rule_document(format!("{}: {what}", self.label()))
    }

    /// The column, or an error saying the rule needs one. Like every constructor error, the
    /// message is plain: `build_rule` prefixes the rule's label.
    pub fn required_column(&self) -> Result<String, String> {
        self.column.clone().ok_or_else(|| "missing required field 'column'".to_string())
    }

    /// Refuses a column on table-level rules.
    pub fn forbid_column(&self) -> Result<(), String> {
        match self.column {
            Some(_) => Err("this rule is about the whole table and takes no 'column'".into()),
            None => Ok(()),
        }
    }

    /// Refuses `mostly` on rules that assert one metric rather than a row-by-row property.
    pub fn forbid_mostly(&self) -> Result<(), String> {
        if self.mostly < 1.0 {
            return Err("'mostly' applies to row-by-row rules only".into());
        }
        Ok(())
    }
}

/// A rule's own parameters. Constructors take what they understand; `finish` rejects the rest,
/// so a misspelt parameter is an error instead of a silently ignored setting.
#[derive(Debug, Clone, Default)]
pub struct RuleParams {
    remaining: Map<String, Value>,
    /// Every parameter asked for, each as its name and aliases.
    taken: Vec<&'static [&'static str]>,
}

impl RuleParams {
    /// Parameters to be taken by a constructor.
    pub fn new(params: Map<String, Value>) -> RuleParams {
        RuleParams { remaining: params, taken: Vec::new() }
    }

    /// Takes the first present key of `names` (the canonical name first, then its aliases).
    /// Two aliases of the same parameter in one rule are an error.
    pub fn take(&mut self, names: &'static [&'static str]) -> Result<Option<Value>, String> {
        self.taken.push(names);
        let mut found: Option<(&str, Value)> = None;
        for name in names {
            if let Some(value) = self.remaining.remove(*name) {
                if let Some((first, _)) = &found {
                    return Err(format!("'{first}' and '{name}' are the same parameter; give one"));
                }
                found = Some((name, value));
            }
        }
        Ok(found.map(|(_, value)| value).filter(|value| !value.is_null()))
    }

    /// Takes an optional number.
    pub fn take_number(&mut self, names: &'static [&'static str]) -> Result<Option<Value>, String> {
        match self.take(names)? {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(Value::Number(n))),
            Some(other) => Err(format!("'{}' must be a number, got {other}", names[0])),
        }
    }

    /// Takes an optional number or string (bounds of dates and timestamps are strings).
    pub fn take_bound(&mut self, names: &'static [&'static str]) -> Result<Option<Value>, String> {
        match self.take(names)? {
            None => Ok(None),
            Some(value @ (Value::Number(_) | Value::String(_))) => Ok(Some(value)),
            Some(other) => Err(format!("'{}' must be a number or a date string, got {other}", names[0])),
        }
    }

    /// Takes an optional boolean.
    pub fn take_bool(&mut self, names: &'static [&'static str]) -> Result<Option<bool>, String> {
        match self.take(names)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(format!("'{}' must be true or false, got {other}", names[0])),
        }
    }

    /// Takes a choice among named values: `choices` pairs each accepted name with its meaning,
    /// the first being the default. Returns the chosen name and its meaning.
    pub fn take_choice<T: Copy>(
        &mut self,
        names: &'static [&'static str],
        choices: &[(&'static str, T)],
    ) -> Result<(&'static str, T), String> {
        let Some(value) = self.take(names)? else { return Ok(choices[0]) };
        match value.as_str().and_then(|text| choices.iter().find(|(name, _)| *name == text)) {
            Some(choice) => Ok(*choice),
            None => {
                let accepted: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
                Err(format!("'{}' must be one of {}, got {value}", names[0], accepted.join(", ")))
            }
        }
    }

    /// Takes a required string.
    pub fn require_string(&mut self, names: &'static [&'static str]) -> Result<String, String> {
        match self.take(names)? {
            None => Err(format!("missing required field '{}'", names[0])),
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(format!("'{}' must be a string, got {other}", names[0])),
        }
    }

    /// Takes a required non-negative integer.
    pub fn require_count(&mut self, names: &'static [&'static str]) -> Result<u64, String> {
        match self.take(names)? {
            None => Err(format!("missing required field '{}'", names[0])),
            Some(Value::Number(n)) => {
                n.as_u64().ok_or_else(|| format!("'{}' must be a whole number >= 0, got {n}", names[0]))
            }
            Some(other) => Err(format!("'{}' must be a whole number, got {other}", names[0])),
        }
    }

    /// Takes a required non-empty list.
    pub fn require_list(&mut self, names: &'static [&'static str]) -> Result<Vec<Value>, String> {
        match self.take(names)? {
            None => Err(format!("missing required field '{}'", names[0])),
            Some(Value::Array(items)) if !items.is_empty() => Ok(items),
            Some(Value::Array(_)) => Err(format!("'{}' must list at least one value", names[0])),
            Some(other) => Err(format!("'{}' must be a list, got {other}", names[0])),
        }
    }

    /// The parameters not taken yet.
    #[cfg(test)]
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.remaining
    }

    /// The names of the parameters not taken yet.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.remaining.keys().map(String::as_str)
    }

    /// The parameters asked for so far, each as its name and aliases.
    pub fn taken(&self) -> &[&'static [&'static str]] {
        &self.taken
    }

    /// Fails if parameters are left that no constructor took.
    pub fn finish(self) -> Result<(), String> {
        let Some(unknown) = self.remaining.keys().next() else { return Ok(()) };
        let known = if self.taken.is_empty() {
            "this rule takes no parameters besides column, severity, mostly and name".to_string()
        } else {
            let names: Vec<&str> = self.taken.iter().map(|names| names[0]).collect();
            format!("expected one of: {}", names.join(", "))
        };
        Err(format!("unknown parameter '{unknown}' ({known})"))
    }
}

/// Keys of a document mapping.
const DOCUMENT_KEYS: &[&str] = &["rules", "name", "description", "defaults", "severity", "mostly"];

/// Parses a rule document. JSON is accepted as the YAML subset it is.
pub fn parse_document(text: &str) -> Result<RuleDocument, QualityError> {
    if text.trim().is_empty() {
        return Err(QualityError::rule_document("the rule document is empty"));
    }
    let value: Value = serde_yaml_ng::from_str(text)
        .map_err(|e| QualityError::rule_document(format!("the rule document is not valid YAML or JSON: {e}")))?;
    let (name, description, defaults, rules) = match value {
        Value::Array(rules) => (None, None, Defaults::default(), rules),
        Value::Object(mut map) => {
            if let Some(key) = map.keys().find(|k| !DOCUMENT_KEYS.contains(&k.as_str())) {
                return Err(QualityError::rule_document(format!(
                    "unknown key '{key}' in the rule document (expected: {})",
                    DOCUMENT_KEYS.join(", ")
                )));
            }
            let name = optional_string(&mut map, "name")?;
            let description = optional_string(&mut map, "description")?;
            let mut defaults = match map.remove("defaults") {
                None | Some(Value::Null) => Defaults::default(),
                Some(Value::Object(d)) => Defaults::from_map(d, "defaults")?,
                Some(_) => return Err(QualityError::rule_document("'defaults' must be a mapping")),
            };
            defaults.overlay(&mut map)?;
            let rules = match map.remove("rules") {
                Some(Value::Array(rules)) => rules,
                None | Some(Value::Null) => {
                    return Err(QualityError::rule_document("the rule document has no 'rules:' list"));
                }
                Some(_) => return Err(QualityError::rule_document("'rules' must be a list of rules")),
            };
            (name, description, defaults, rules)
        }
        _ => {
            return Err(QualityError::rule_document(
                "a rule document must be a list of rules or a mapping with a 'rules:' list",
            ));
        }
    };
    if rules.is_empty() {
        return Err(QualityError::rule_document("the rule document has no rules"));
    }
    let rules = rules
        .into_iter()
        .enumerate()
        .map(|(index, rule)| parse_rule(index, rule, &defaults))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleDocument { name, description, rules })
}

/// Document-wide defaults for the shared rule keys.
#[derive(Debug, Clone, Copy)]
struct Defaults {
    severity: Severity,
    mostly: f64,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults { severity: Severity::Error, mostly: 1.0 }
    }
}

impl Defaults {
    fn from_map(mut map: Map<String, Value>, place: &str) -> Result<Defaults, QualityError> {
        let mut defaults = Defaults::default();
        defaults.overlay(&mut map)?;
        if let Some(key) = map.keys().next() {
            return Err(QualityError::rule_document(format!(
                "unknown key '{key}' in {place} (expected: severity, mostly)"
            )));
        }
        Ok(defaults)
    }

    /// Takes `severity` and `mostly` out of `map` where present.
    fn overlay(&mut self, map: &mut Map<String, Value>) -> Result<(), QualityError> {
        if let Some(value) = map.remove("severity") {
            self.severity = parse_severity(&value).map_err(QualityError::rule_document)?;
        }
        if let Some(value) = map.remove("mostly") {
            self.mostly = parse_mostly(&value).map_err(QualityError::rule_document)?;
        }
        Ok(())
    }
}

fn parse_rule(index: usize, value: Value, defaults: &Defaults) -> Result<RuleSpec, QualityError> {
    let at = format!("rule {}", index + 1);
    let Value::Object(mut map) = value else {
        return Err(QualityError::rule_document(format!(
            "{at}: must be a mapping like {{type: not_null, column: id}}, got {}",
            type_name(&value)
        )));
    };
    let rule_type = match (map.remove("type"), map.remove("check")) {
        (Some(_), Some(_)) => {
            return Err(QualityError::rule_document(format!("{at}: give 'type' or its alias 'check', not both")));
        }
        (Some(Value::String(t)), None) | (None, Some(Value::String(t))) => t.trim().to_ascii_lowercase(),
        (Some(other), None) | (None, Some(other)) => {
            return Err(QualityError::rule_document(format!("{at}: 'type' must be a string, got {other}")));
        }
        (None, None) => return Err(QualityError::rule_document(format!("{at}: missing required field 'type'"))),
    };
    let at = format!("{at} ({rule_type})");
    let column = match map.remove("column") {
        None | Some(Value::Null) => None,
        Some(Value::String(c)) => Some(c),
        Some(other) => {
            return Err(QualityError::rule_document(format!("{at}: 'column' must be a string, got {other}")));
        }
    };
    let name = optional_string(&mut map, "name").map_err(|e| prefix(&at, e))?;
    let mut local = *defaults;
    local.overlay(&mut map).map_err(|e| prefix(&at, e))?;
    map.remove("description");
    Ok(RuleSpec {
        index,
        rule_type,
        column,
        name,
        severity: local.severity,
        mostly: local.mostly,
        params: RuleParams::new(map),
        origin: None,
    })
}

fn prefix(at: &str, error: QualityError) -> QualityError {
    QualityError::rule_document(format!("{at}: {}", error.message))
}

fn parse_severity(value: &Value) -> Result<Severity, String> {
    value
        .as_str()
        .and_then(Severity::parse)
        .ok_or_else(|| format!("'severity' must be one of critical, error, warning, info; got {value}"))
}

fn parse_mostly(value: &Value) -> Result<f64, String> {
    match value.as_f64() {
        Some(m) if (0.0..=1.0).contains(&m) => Ok(m),
        _ => Err(format!("'mostly' must be a number from 0 to 1, got {value}")),
    }
}

fn optional_string(map: &mut Map<String, Value>, key: &str) -> Result<Option<String>, QualityError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(QualityError::rule_document(format!("'{key}' must be a string, got {other}"))),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_and_mapping_forms_parse_alike() {
        let list = parse_document("- {type: not_null, column: id}\n- {check: unique, column: email}").unwrap();
        let map = parse_document(
            r#"{"name": "orders", "rules": [{"type": "not_null", "column": "id"}, {"check": "unique", "column": "email"}]}"#,
        )
        .unwrap();
        assert_eq!(list.rules.len(), 2);
        assert_eq!(map.name.as_deref(), Some("orders"));
        assert_eq!(map.rules[1].rule_type, "unique");
        assert_eq!(list.rules[1].column.as_deref(), Some("email"));
    }

    #[test]
    fn defaults_apply_and_rules_override_them() {
        let doc = parse_document(
            "defaults: {severity: warning, mostly: 0.9}\nrules:\n  - {type: not_null, column: a}\n  - {type: not_null, column: b, severity: critical, mostly: 1}",
        )
        .unwrap();
        assert_eq!(doc.rules[0].severity, Severity::Warning);
        assert_eq!(doc.rules[0].mostly, 0.9);
        assert_eq!(doc.rules[1].severity, Severity::Critical);
        assert_eq!(doc.rules[1].mostly, 1.0);
    }

    #[test]
    fn malformed_documents_name_the_problem() {
        let cases = [
            ("", "empty"),
            ("rules: [", "not valid YAML"),
            ("rulez: []", "unknown key 'rulez'"),
            ("rules: []", "no rules"),
            ("- {column: id}", "missing required field 'type'"),
            ("- not_a_mapping", "must be a mapping"),
            ("- {type: not_null, column: id, severity: loud}", "'severity' must be one of"),
            ("- {type: not_null, column: id, mostly: 2}", "'mostly' must be a number from 0 to 1"),
            ("- {type: not_null, check: unique, column: id}", "not both"),
        ];
        for (text, expected) in cases {
            let error = parse_document(text).unwrap_err();
            assert!(error.message.contains(expected), "{text:?} gave {:?}", error.message);
        }
    }

    #[test]
    fn aliases_are_taken_and_leftovers_rejected() {
        let mut doc = parse_document("- {type: in_range, column: a, min_value: 1, mx: 3}").unwrap();
        let params = &mut doc.rules[0].params;
        assert_eq!(params.take_number(&["min", "min_value"]).unwrap(), Some(Value::from(1)));
        assert_eq!(params.take_number(&["max", "max_value"]).unwrap(), None);
        let error = doc.rules[0].params.clone().finish().unwrap_err();
        assert!(error.contains("unknown parameter 'mx'") && error.contains("min, max"), "{error}");
    }

    #[test]
    fn two_aliases_of_one_parameter_are_refused() {
        let mut doc = parse_document("- {type: in_range, column: a, min: 1, min_value: 2}").unwrap();
        let error = doc.rules[0].params.take(&["min", "min_value"]).unwrap_err();
        assert!(error.contains("same parameter"), "{error}");
    }
}
