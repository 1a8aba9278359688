//! pandera's built-in checks that truthound runs: each one's rule, how its statistics become the
//! rule's parameters, and the name pandera gives it in failure cases.

use super::params;
use super::python::py_str;
use crate::document::RuleParams;
use serde_json::{Map, Value};

/// Takes a check's statistics and returns the rule's parameters.
type Translate = fn(&mut RuleParams) -> Result<Map<String, Value>, String>;

/// How pandera names a check in failure cases.
#[derive(Debug, Clone, Copy)]
pub enum Label {
    /// `name(a, b)`: the statistics in order, `None` when absent.
    Args(&'static [&'static str]),
    /// `name('text')`: one statistic between quotes, as written.
    Quoted(&'static str),
    /// `str_length(exact)` or `str_length(min, max)`.
    Length,
}

/// One supported built-in check.
pub struct Check {
    /// The name pandera serialises, e.g. `greater_than`.
    pub name: &'static str,
    /// Other names `Check` answers to, e.g. `gt`.
    pub aliases: &'static [&'static str],
    /// The truthound rule it runs as.
    pub rule: &'static str,
    /// The statistic a bare value stands for (`greater_than: 0` is `min_value: 0`).
    pub statistic: &'static str,
    /// How pandera names it.
    pub label: Label,
    /// Its statistics as the rule's parameters.
    pub translate: Translate,
}

const fn check(
    name: &'static str,
    aliases: &'static [&'static str],
    rule: &'static str,
    statistic: &'static str,
    label: Label,
    translate: Translate,
) -> Check {
    Check { name, aliases, rule, statistic, label, translate }
}

use Label::{Args, Length, Quoted};

/// Every supported check, in the order the README lists them.
pub const CHECKS: &[Check] = &[
    check("equal_to", &["eq"], "in_set", "value", Args(&["value"]), equal_value),
    check("not_equal_to", &["ne"], "not_in_set", "value", Args(&["value"]), equal_value),
    check("greater_than", &["gt"], "greater_than", "min_value", Args(&["min_value"]), above),
    check("greater_than_or_equal_to", &["ge"], "in_range", "min_value", Args(&["min_value"]), at_least),
    check("less_than", &["lt"], "less_than", "max_value", Args(&["max_value"]), below),
    check("less_than_or_equal_to", &["le"], "in_range", "max_value", Args(&["max_value"]), at_most),
    check("in_range", &["between"], "in_range", "", Args(&["min_value", "max_value"]), range),
    check("isin", &[], "in_set", "allowed_values", Args(&["allowed_values"]), allowed),
    check("notin", &[], "not_in_set", "forbidden_values", Args(&["forbidden_values"]), forbidden),
    check("str_matches", &[], "regex", "pattern", Quoted("pattern"), match_at_start),
    check("str_contains", &[], "regex", "pattern", Quoted("pattern"), search),
    check("str_startswith", &[], "starts_with", "string", Quoted("string"), prefix),
    check("str_endswith", &[], "ends_with", "string", Quoted("string"), suffix),
    check("str_length", &[], "length_between", "", Length, length),
    check("unique_values_eq", &[], "distinct_values_equal_set", "values", Args(&["values"]), unique_values),
];

/// The supported check called `name` (or one of its aliases).
pub fn find(name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.name == name || c.aliases.contains(&name))
}

impl Check {
    /// The name pandera reports for this check with these statistics.
    pub fn label(&self, stats: &Map<String, Value>) -> String {
        let shown = |name: &str| stats.get(name).map_or("None".to_string(), py_str);
        let args = match self.label {
            Args(names) => names.iter().map(|n| shown(n)).collect::<Vec<_>>().join(", "),
            Quoted(name) => format!("'{}'", shown(name)),
            Length if stats.get("exact_value").is_some_and(|v| !v.is_null()) => shown("exact_value"),
            Length => format!("{}, {}", shown("min_value"), shown("max_value")),
        };
        format!("{}({args})", self.name)
    }
}

type Params = Result<Map<String, Value>, String>;

fn required(stats: &mut RuleParams, names: &'static [&'static str]) -> Result<Value, String> {
    stats.take(names)?.ok_or_else(|| format!("missing required statistic '{}'", names[0]))
}

fn equal_value(stats: &mut RuleParams) -> Params {
    Ok(params([("values", Some(Value::Array(vec![required(stats, &["value"])?])))]))
}

fn above(stats: &mut RuleParams) -> Params {
    Ok(params([("value", Some(required(stats, &["min_value"])?))]))
}

fn below(stats: &mut RuleParams) -> Params {
    Ok(params([("value", Some(required(stats, &["max_value"])?))]))
}

fn at_least(stats: &mut RuleParams) -> Params {
    Ok(params([("min", Some(required(stats, &["min_value"])?))]))
}

fn at_most(stats: &mut RuleParams) -> Params {
    Ok(params([("max", Some(required(stats, &["max_value"])?))]))
}

fn range(stats: &mut RuleParams) -> Params {
    let min = required(stats, &["min_value"])?;
    let max = required(stats, &["max_value"])?;
    let include_min = stats.take_bool(&["include_min"])?.unwrap_or(true);
    let include_max = stats.take_bool(&["include_max"])?.unwrap_or(true);
    Ok(params([
        ("min", Some(min)),
        ("max", Some(max)),
        ("strict_min", Some(Value::from(!include_min))),
        ("strict_max", Some(Value::from(!include_max))),
    ]))
}

/// pandera tests a string's characters when the values are one string; truthound needs a list.
fn value_list(stats: &mut RuleParams, names: &'static [&'static str]) -> Params {
    let name = names[0];
    match required(stats, names)? {
        Value::Array(values) => Ok(params([("values", Some(Value::Array(values)))])),
        Value::String(_) => {
            Err(format!("'{name}' as one string (a set of characters) is not supported: list the values"))
        }
        other => Err(format!("'{name}' must be a list, got {other}")),
    }
}

fn allowed(stats: &mut RuleParams) -> Params {
    value_list(stats, &["allowed_values"])
}

fn forbidden(stats: &mut RuleParams) -> Params {
    value_list(stats, &["forbidden_values"])
}

fn unique_values(stats: &mut RuleParams) -> Params {
    value_list(stats, &["values"])
}

fn pattern(stats: &mut RuleParams) -> Result<String, String> {
    stats.require_string(&["pattern"])
}

/// pandas `str.match`: Python's `re.match`, anchored at the start only.
fn match_at_start(stats: &mut RuleParams) -> Params {
    Ok(params([("pattern", Some(Value::from(format!(r"\A(?:{})", pattern(stats)?))))]))
}

/// pandas `str.contains`: a search anywhere in the value.
fn search(stats: &mut RuleParams) -> Params {
    Ok(params([("pattern", Some(Value::from(pattern(stats)?)))]))
}

fn prefix(stats: &mut RuleParams) -> Params {
    Ok(params([("prefix", Some(Value::from(stats.require_string(&["string"])?)))]))
}

fn suffix(stats: &mut RuleParams) -> Params {
    Ok(params([("suffix", Some(Value::from(stats.require_string(&["string"])?)))]))
}

fn length(stats: &mut RuleParams) -> Params {
    let min = stats.take_number(&["min_value"])?;
    let max = stats.take_number(&["max_value"])?;
    match stats.take_number(&["exact_value"])? {
        Some(exact) if min.is_none() && max.is_none() => {
            Ok(params([("min", Some(exact.clone())), ("max", Some(exact))]))
        }
        Some(_) => Err("give 'exact_value' or 'min_value'/'max_value', not both".into()),
        None => Ok(params([("min", min), ("max", max)])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn translate(name: &str, stats: Value) -> Result<(&'static str, Value, String), String> {
        let check = find(name).unwrap();
        let stats = stats.as_object().unwrap().clone();
        let label = check.label(&stats);
        let mut taken = RuleParams::new(stats);
        let translated = (check.translate)(&mut taken)?;
        taken.finish()?;
        Ok((check.rule, Value::Object(translated), label))
    }

    #[test]
    fn comparisons_map_onto_ranges_and_sets() {
        assert_eq!(
            translate("gt", json!({"min_value": 0})).unwrap(),
            ("greater_than", json!({"value": 0}), "greater_than(0)".into())
        );
        assert_eq!(
            translate("greater_than_or_equal_to", json!({"min_value": 1.5})).unwrap(),
            ("in_range", json!({"min": 1.5}), "greater_than_or_equal_to(1.5)".into())
        );
        assert_eq!(
            translate("in_range", json!({"min_value": 1, "max_value": 3, "include_min": false})).unwrap(),
            ("in_range", json!({"min": 1, "max": 3, "strict_min": true, "strict_max": false}), "in_range(1, 3)".into())
        );
        assert_eq!(
            translate("isin", json!({"allowed_values": ["a", "b"]})).unwrap(),
            ("in_set", json!({"values": ["a", "b"]}), "isin(['a', 'b'])".into())
        );
        assert_eq!(translate("ne", json!({"value": 2})).unwrap().1, json!({"values": [2]}));
        assert!(translate("isin", json!({"allowed_values": "abc"})).unwrap_err().contains("characters"));
    }

    #[test]
    fn string_checks_keep_pandas_anchoring() {
        assert_eq!(
            translate("str_matches", json!({"pattern": "a|b"})).unwrap(),
            ("regex", json!({"pattern": r"\A(?:a|b)"}), "str_matches('a|b')".into())
        );
        assert_eq!(translate("str_contains", json!({"pattern": "a|b"})).unwrap().1, json!({"pattern": "a|b"}));
        assert_eq!(
            translate("str_startswith", json!({"string": "ab"})).unwrap(),
            ("starts_with", json!({"prefix": "ab"}), "str_startswith('ab')".into())
        );
        assert_eq!(translate("str_endswith", json!({"string": "z"})).unwrap().1, json!({"suffix": "z"}));
    }

    #[test]
    fn lengths_take_a_range_or_an_exact_value() {
        assert_eq!(
            translate("str_length", json!({"min_value": 2, "max_value": null})).unwrap(),
            ("length_between", json!({"min": 2}), "str_length(2, None)".into())
        );
        assert_eq!(
            translate("str_length", json!({"exact_value": 3})).unwrap(),
            ("length_between", json!({"min": 3, "max": 3}), "str_length(3)".into())
        );
        assert!(translate("str_length", json!({"exact_value": 3, "min_value": 1})).is_err());
    }

    #[test]
    fn unknown_statistics_are_refused() {
        assert!(translate("greater_than", json!({"min_value": 0, "max_value": 1})).unwrap_err().contains("max_value"));
    }
}
