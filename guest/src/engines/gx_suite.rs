//! Great Expectations expectation suites (1.x `type`, and the older `expectation_type` key) as
//! truthound rule documents: one rule per expectation, at the expectation's index.

use super::gx_expectations::{self, Scope};
use super::gx_result::ResultFormat;
use super::{Problems, parse_mapping};
use crate::document::{Origin, RuleDocument, RuleParams, RuleSpec};
use crate::model::{QualityError, RuleFormat, Severity};
use crate::rules::edit_distance;
use serde_json::{Map, Value, json};

/// Keys of a suite. `result_format` is truthound's addition: the run's result format, which GX
/// takes from `validate()` or a checkpoint.
const SUITE_KEYS: &[&str] = &[
    "name",
    "expectation_suite_name",
    "expectations",
    "meta",
    "id",
    "ge_cloud_id",
    "notes",
    "data_asset_type",
    "suite_parameters",
    "evaluation_parameters",
    "result_format",
];

/// Keys of an expectation besides its type and kwargs; informational ones are kept in the origin.
const EXPECTATION_KEYS: &[&str] =
    &["meta", "id", "ge_cloud_id", "severity", "notes", "description", "rendered_content", "windows"];

/// Kwargs that configure a GX run rather than the check. GX 1.x echoes them and lets the run's
/// `result_format` win over an expectation's, and so does truthound.
const RUN_KWARGS: &[&str] = &["result_format", "include_config", "catch_exceptions", "batch_id"];

/// Translates a suite (JSON or YAML) into a rule document.
pub fn translate(text: &str) -> Result<RuleDocument, QualityError> {
    let mut suite = parse_mapping(text, "Great Expectations suite")?;
    let mut problems = Problems::new(RuleFormat::GreatExpectations);
    if let Some(key) = suite.keys().find(|k| !SUITE_KEYS.contains(&k.as_str())) {
        problems.add("the suite", format!("unknown key '{key}' (expected one of: {})", SUITE_KEYS.join(", ")));
    }
    let name = match (suite.remove("name"), suite.remove("expectation_suite_name")) {
        (Some(Value::String(name)), _) | (None, Some(Value::String(name))) => Some(name),
        (None | Some(Value::Null), None | Some(Value::Null)) => None,
        (Some(other), _) | (_, Some(other)) => {
            problems.add("the suite", format!("'name' must be a string, got {other}"));
            None
        }
    };
    for key in ["suite_parameters", "evaluation_parameters"] {
        if suite.get(key).is_some_and(|v| !v.is_null() && v != &json!({})) {
            problems.add("the suite", format!("'{key}' are not supported: write the values into the kwargs"));
        }
    }
    let run_format = match suite.remove("result_format").map(|v| ResultFormat::parse(&v)).transpose() {
        Ok(format) => format.unwrap_or_default(),
        Err(e) => {
            problems.add("the suite", e);
            ResultFormat::default()
        }
    };
    let expectations = match suite.remove("expectations") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) => {
            return Err(QualityError::rule_document("the Great Expectations suite has no expectations"));
        }
        None | Some(Value::Null) => {
            return Err(QualityError::rule_document("the Great Expectations suite has no 'expectations' list"));
        }
        Some(_) => return Err(QualityError::rule_document("the suite's 'expectations' must be a list")),
    };
    let mut rules = Vec::with_capacity(expectations.len());
    for (index, written) in expectations.into_iter().enumerate() {
        match expectation(index, written, &run_format) {
            Ok(spec) => rules.push(spec),
            Err((at, problem)) => problems.add(&at, problem),
        }
    }
    problems.into_result(RuleDocument { name, description: None, rules })
}

/// One expectation as a rule spec, or where it is and what is wrong with it.
fn expectation(index: usize, written: Value, run_format: &ResultFormat) -> Result<RuleSpec, (String, String)> {
    let position = format!("expectation {}", index + 1);
    let Value::Object(mut written) = written else {
        return Err((position, "must be a mapping with 'type' and 'kwargs'".into()));
    };
    let type_name = match (written.remove("type"), written.remove("expectation_type")) {
        (Some(Value::String(t)), None) | (None, Some(Value::String(t))) => t,
        (Some(_), Some(_)) => return Err((position, "give 'type' or 'expectation_type', not both".into())),
        (None, None) => return Err((position, "missing required field 'type'".into())),
        (Some(other), _) | (_, Some(other)) => return Err((position, format!("'type' must be a string, got {other}"))),
    };
    let kwargs = match written.remove("kwargs") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(kwargs)) => kwargs,
        Some(other) => {
            return Err((format!("{position} ({type_name})"), format!("'kwargs' must be a mapping, got {other}")));
        }
    };
    let column = kwargs.get("column").and_then(Value::as_str).map(str::to_string);
    let label = match &column {
        Some(column) => format!("{position} ({type_name} on '{column}')"),
        None => format!("{position} ({type_name})"),
    };
    translate_expectation(index, &type_name, kwargs, written, run_format).map_err(|problem| (label, problem))
}

fn translate_expectation(
    index: usize,
    type_name: &str,
    kwargs: Map<String, Value>,
    mut fields: Map<String, Value>,
    run_format: &ResultFormat,
) -> Result<RuleSpec, String> {
    let Some(expectation) = gx_expectations::find(type_name) else {
        return Err(unsupported(type_name));
    };
    if let Some(key) = fields.keys().find(|k| !EXPECTATION_KEYS.contains(&k.as_str())) {
        return Err(format!("unknown key '{key}' (expected type, kwargs, {})", EXPECTATION_KEYS.join(", ")));
    }
    if fields.get("windows").is_some_and(|w| !w.is_null() && w != &json!([])) {
        return Err("'windows' (GX Cloud) are not supported".into());
    }
    let severity = match fields.get("severity") {
        None | Some(Value::Null) => Severity::Critical,
        Some(Value::String(s)) if matches!(s.as_str(), "critical" | "warning" | "info") => {
            Severity::parse(s).unwrap_or(Severity::Critical)
        }
        Some(other) => return Err(format!("'severity' must be critical, warning or info, got {other}")),
    };
    let echoed = kwargs.clone();
    let mut kwargs = kwargs;
    if let Some(format) = kwargs.remove("result_format").filter(|v| !v.is_null()) {
        ResultFormat::parse(&format)?;
    }
    for condition in ["row_condition", "condition_parser"] {
        if kwargs.remove(condition).is_some_and(|v| !v.is_null()) {
            return Err(format!("'{condition}' is not supported: filter the data before the check"));
        }
    }
    let mostly = match kwargs.remove("mostly").filter(|v| !v.is_null()) {
        None => 1.0,
        Some(m) => {
            m.as_f64().filter(|m| (0.0..=1.0).contains(m)).ok_or(format!("'mostly' must be from 0 to 1, got {m}"))?
        }
    };
    kwargs.retain(|k, _| !RUN_KWARGS.contains(&k.as_str()));
    let mut kwargs = RuleParams::new(kwargs);
    let column = match expectation.scope {
        Scope::Column => Some(kwargs.require_string(&["column"])?),
        Scope::Table => None,
    };
    let params = (expectation.translate)(&mut kwargs)?;
    kwargs.finish()?;
    let mut config = json!({
        "type": type_name,
        "kwargs": echoed,
        "meta": fields.remove("meta").filter(|m| !m.is_null()).unwrap_or(json!({})),
        "severity": severity.as_str(),
    });
    for key in ["id", "ge_cloud_id", "notes", "description"] {
        if let Some(value) = fields.remove(key).filter(|v| !v.is_null()) {
            config[key] = value;
        }
    }
    let name = match &column {
        Some(column) => format!("{type_name}({column})"),
        None => type_name.to_string(),
    };
    let label = match &column {
        Some(column) => format!("expectation {} ({type_name} on '{column}')", index + 1),
        None => format!("expectation {} ({type_name})", index + 1),
    };
    let written = json!({
        "format": "great_expectations",
        "expectation_config": config,
        "result_format": run_format.to_json(),
    });
    let mut spec = RuleSpec::translated(index, expectation.rule, column, params, Origin { label, written });
    spec.name = Some(name);
    spec.severity = severity;
    spec.mostly = mostly;
    Ok(spec)
}

/// Why `type_name` cannot run: a known expectation truthound lacks, or a name GX does not have.
fn unsupported(type_name: &str) -> String {
    if let Some((_, why)) = gx_expectations::UNSUPPORTED.iter().find(|(name, _)| *name == type_name) {
        return format!("not supported: {why}");
    }
    let closest = gx_expectations::EXPECTATIONS
        .iter()
        .map(|e| (edit_distance(type_name, e.name), e.name))
        .min()
        .filter(|(distance, _)| *distance <= 4)
        .map(|(_, name)| format!(" (did you mean '{name}'?)"))
        .unwrap_or_default();
    format!("not a supported expectation type{closest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite(expectations: Value) -> String {
        json!({"name": "orders", "expectations": expectations}).to_string()
    }

    #[test]
    fn expectations_become_rules_at_their_index() {
        let text = suite(json!([
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id", "mostly": 0.9}},
            {"expectation_type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}, "meta": {"n": 1}},
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "s", "value_set": ["a"]}, "severity": "warning"},
        ]));
        let document = translate(&text).unwrap();
        assert_eq!(document.name.as_deref(), Some("orders"));
        let [not_null, rows, in_set] = &document.rules[..] else { panic!("three rules") };
        assert_eq!((not_null.index, not_null.rule_type.as_str(), not_null.mostly), (0, "not_null", 0.9));
        assert_eq!(not_null.name.as_deref(), Some("expect_column_values_to_not_be_null(id)"));
        assert_eq!(not_null.severity, Severity::Critical);
        assert_eq!((rows.index, rows.rule_type.as_str(), rows.column.as_deref()), (1, "row_count", None));
        let origin = &rows.origin.as_ref().unwrap().written;
        assert_eq!(origin["expectation_config"]["meta"], json!({"n": 1}));
        assert_eq!(origin["expectation_config"]["kwargs"], json!({"min_value": 1}));
        assert_eq!(origin["result_format"]["result_format"], "SUMMARY");
        assert_eq!(in_set.severity, Severity::Warning);
        assert_eq!(in_set.label(), "expectation 3 (expect_column_values_to_be_in_set on 's')");
    }

    #[test]
    fn every_unsupported_expectation_is_named_at_once() {
        let text = suite(json!([
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": "id"}},
            {"type": "expect_column_values_to_be_uniqe", "kwargs": {"column": "id"}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "min_value": 0, "maxvalue": 3}},
            {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "x", "regex": "a", "row_condition": "x>1"}},
        ]));
        let message = translate(&text).unwrap_err().message;
        assert!(message.starts_with("the Great Expectations suite cannot be used (4 problems)"), "{message}");
        for expected in [
            "expectation 2 (expect_column_values_to_be_null on 'id'): not supported: no rule asserts",
            "expectation 3 (expect_column_values_to_be_uniqe on 'id'): not a supported expectation type (did you mean 'expect_column_values_to_be_unique'?)",
            "expectation 4 (expect_column_values_to_be_between on 'x'): unknown parameter 'maxvalue'",
            "expectation 5 (expect_column_values_to_match_regex on 'x'): 'row_condition' is not supported",
        ] {
            assert!(message.contains(expected), "{expected} not in {message}");
        }
    }

    #[test]
    fn the_suite_result_format_wins_over_the_kwargs_as_in_gx() {
        let text = json!({
            "expectation_suite_name": "legacy",
            "result_format": {"result_format": "COMPLETE", "partial_unexpected_count": 5},
            "expectations": [
                {"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"column": "a"}},
                {"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"column": "b", "result_format": "BOOLEAN_ONLY"}},
            ],
        });
        let document = translate(&text.to_string()).unwrap();
        assert_eq!(document.name.as_deref(), Some("legacy"));
        let formats: Vec<&Value> =
            document.rules.iter().map(|r| &r.origin.as_ref().unwrap().written["result_format"]).collect();
        assert_eq!(formats[0]["result_format"], "COMPLETE");
        assert_eq!(formats[0]["partial_unexpected_count"], 5);
        assert_eq!(formats[0], formats[1]);
        let kwargs = &document.rules[1].origin.as_ref().unwrap().written["expectation_config"]["kwargs"];
        assert_eq!(kwargs, &json!({"column": "b", "result_format": "BOOLEAN_ONLY"}), "kwargs are echoed as written");
        let bad = text.to_string().replace("BOOLEAN_ONLY", "EVERYTHING");
        assert!(translate(&bad).unwrap_err().message.contains("'result_format' must be BOOLEAN_ONLY"));
    }

    #[test]
    fn malformed_suites_name_the_problem() {
        for (text, expected) in [
            ("", "is empty"),
            ("[]", "must be a mapping"),
            ("{\"expectations\": []}", "has no expectations"),
            ("{\"name\": \"x\"}", "no 'expectations' list"),
            ("{\"expectations\": [1], \"colour\": 1}", "unknown key 'colour'"),
            ("{\"expectations\": [{\"kwargs\": {}}]}", "expectation 1: missing required field 'type'"),
        ] {
            let message = translate(text).unwrap_err().message;
            assert!(message.contains(expected), "{text:?} gave {message}");
        }
    }
}
