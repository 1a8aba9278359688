//! pandera `DataFrameSchema` YAML (as `pandera.io.to_yaml` writes it, flat or with `checks:`
//! lists, minimal or full) as a truthound rule document: per column its `dtype`, `not_nullable`
//! (pandera's default), `field_uniqueness` and checks, then the schema's `unique`, `strict`,
//! `ordered` and dataframe checks, one rule each.

use super::pandera_checks::{self, Check};
use super::{Problems, parse_mapping};
use crate::document::{Origin, RuleDocument, RuleParams, RuleSpec};
use crate::model::{QualityError, RuleFormat, Severity};
use serde_json::{Map, Value, json};

/// Keys of a check's mapping that are options, not statistics (pandera's `CHECK_OPTION_KEYS`).
const CHECK_OPTIONS: &[&str] =
    &["check_name", "ignore_na", "raise_warning", "n_failure_cases", "groupby", "groups", "error", "name"];

/// pandas-API libraries a schema may be written for; their null and regex semantics are pandas'.
const PANDAS_APIS: &[&str] = &["pandas", "modin", "dask", "pyspark.pandas"];

/// Translates a schema (YAML or JSON) into a rule document.
pub fn translate(text: &str) -> Result<RuleDocument, QualityError> {
    let mut schema = parse_mapping(text, "pandera schema")?;
    let mut rules = Rules { specs: Vec::new(), problems: Problems::new(RuleFormat::Pandera) };
    let at = "the schema";
    match schema.remove("schema_type") {
        None | Some(Value::Null) => {}
        Some(Value::String(kind)) if kind == "dataframe" => {}
        Some(other) => rules.problems.add(at, format!("'schema_type' {other} is not supported (only dataframe)")),
    }
    for key in ["api", "dataframe_library"] {
        match schema.remove(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(api)) if PANDAS_APIS.contains(&api.as_str()) => {}
            Some(other) => rules.problems.add(at, format!("'{key}' {other} is not supported (only pandas)")),
        }
    }
    let name = take_string(&mut schema, "name", at, &mut rules.problems);
    let description = take_string(&mut schema, "description", at, &mut rules.problems);
    let coerce_all = take_flag(&mut schema, "coerce", false, at, &mut rules.problems);
    let strict = match schema.remove("strict") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        // Extra columns are dropped before validation, so nothing can fail.
        Some(Value::String(s)) if s == "filter" => false,
        Some(other) => {
            rules.problems.add(at, format!("'strict' must be true, false or \"filter\", got {other}"));
            false
        }
    };
    let ordered = take_flag(&mut schema, "ordered", false, at, &mut rules.problems);
    let unique = schema.remove("unique");
    let table_checks = schema.remove("checks");
    let columns = match schema.remove("columns") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(columns)) => columns,
        Some(_) => {
            rules
                .problems
                .add(at, "'columns' must map column names to columns (columns named by non-strings are not supported)");
            Map::new()
        }
    };
    refuse_settings(
        &mut schema,
        at,
        &mut rules.problems,
        &[
            ("dtype", Value::Null),
            ("index", Value::Null),
            ("report_duplicates", json!("all")),
            ("unique_column_names", json!(false)),
            ("add_missing_columns", json!(false)),
            ("drop_invalid_rows", json!(false)),
        ],
    );
    for informational in ["version", "title", "metadata"] {
        schema.remove(informational);
    }
    if let Some(key) = schema.keys().next() {
        rules.problems.add(at, format!("unknown key '{key}'"));
    }

    let mut optional_columns = Vec::new();
    for (column, spec) in &columns {
        if let Some(false) = rules.column(column, spec.clone(), coerce_all) {
            optional_columns.push(column.as_str());
        }
    }
    let declared: Vec<Value> = columns.keys().map(|c| Value::from(c.as_str())).collect();
    rules.table_rules(unique, strict, ordered, &declared, &optional_columns);
    if let Some(checks) = table_checks.filter(|c| !c.is_null()) {
        let columns: Vec<&str> = columns.keys().map(String::as_str).collect();
        rules.table_checks(checks, strict, &columns);
    }
    let Rules { specs, problems } = rules;
    if specs.is_empty() {
        return problems.into_result(()).and(Err(QualityError::rule_document("the pandera schema declares no checks")));
    }
    problems.into_result(RuleDocument { name, description, rules: specs })
}

/// Identifies a translated item as pandera's failure cases do.
struct Item<'a> {
    /// `Column` or `DataFrameSchema`.
    context: &'static str,
    column: Option<&'a str>,
    /// The check's name, e.g. `not_nullable`, `in_range(1, 3)`.
    check: String,
    /// Position among the column's (or the schema's) checks, for checks.
    number: Option<usize>,
}

impl Item<'_> {
    fn label(&self) -> String {
        match (self.context, self.column) {
            ("Column", Some(column)) => format!("column '{column}' check {}", self.check),
            (_, Some(column)) => format!("dataframe check {} on column '{column}'", self.check),
            (_, None) => format!("dataframe check {}", self.check),
        }
    }
}

/// The rules translated so far and the problems found.
struct Rules {
    specs: Vec<RuleSpec>,
    problems: Problems,
}

impl Rules {
    /// Adds the rule for `item`.
    fn push(
        &mut self,
        item: Item<'_>,
        rule: &str,
        column: Option<&str>,
        params: Map<String, Value>,
        severity: Severity,
    ) {
        let written = json!({
            "format": "pandera",
            "schema_context": item.context,
            "column": item.column,
            "check": item.check,
            "check_number": item.number,
        });
        let origin = Origin { label: item.label(), written };
        let mut spec = RuleSpec::translated(self.specs.len(), rule, column.map(str::to_string), params, origin);
        spec.name = Some(item.check);
        spec.severity = severity;
        self.specs.push(spec);
    }

    /// Translates one column; returns whether it is required (`None` if it could not be read).
    fn column(&mut self, column: &str, spec: Value, coerce_all: bool) -> Option<bool> {
        let at = format!("column '{column}'");
        let Value::Object(mut spec) = spec else {
            self.problems.add(&at, "must be a mapping of column settings");
            return None;
        };
        let problems = &mut self.problems;
        let nullable = take_flag(&mut spec, "nullable", false, &at, problems);
        let unique = take_flag(&mut spec, "unique", false, &at, problems);
        let coerce = take_flag(&mut spec, "coerce", false, &at, problems) || coerce_all;
        let required = take_flag(&mut spec, "required", true, &at, problems);
        refuse_settings(
            &mut spec,
            &at,
            problems,
            &[
                ("regex", json!(false)),
                ("default", Value::Null),
                ("report_duplicates", json!("all")),
                ("drop_invalid_rows", json!(false)),
            ],
        );
        match spec.remove("name") {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) if name == column => {}
            Some(other) => problems.add(&at, format!("'name' {other} differs from the column's key")),
        }
        for informational in ["title", "description"] {
            spec.remove(informational);
        }
        let dtype = spec.remove("dtype");
        let listed = spec.remove("checks").filter(|c| !c.is_null());
        // Every key left is a flat check (`greater_than: 0`).
        let checks = match (listed, spec.is_empty()) {
            (Some(_), false) => {
                let keys: Vec<&str> = spec.keys().map(String::as_str).collect();
                problems.add(&at, format!("give checks under 'checks:' or as keys ({}), not both", keys.join(", ")));
                return Some(required);
            }
            (Some(listed), true) => check_calls(listed),
            (None, _) => Ok(spec.into_iter().map(|(name, value)| flat_call(name, value)).collect()),
        };

        match dtype {
            None | Some(Value::Null) => {}
            Some(Value::String(written)) => match dtype_name(&written, coerce) {
                Ok(dtype) => {
                    let item = Item {
                        context: "Column",
                        column: Some(column),
                        check: format!("dtype('{written}')"),
                        number: None,
                    };
                    self.push(item, "dtype", Some(column), single("dtype", dtype), Severity::Error);
                }
                Err(e) => self.problems.add(&at, e),
            },
            Some(other) => self.problems.add(&at, format!("'dtype' must be a string, got {other}")),
        }
        if !nullable {
            let item = Item { context: "Column", column: Some(column), check: "not_nullable".into(), number: None };
            self.push(item, "not_null", Some(column), Map::new(), Severity::Error);
        }
        if unique {
            let item = Item { context: "Column", column: Some(column), check: "field_uniqueness".into(), number: None };
            self.push(item, "unique", Some(column), Map::new(), Severity::Error);
        }
        match checks {
            Ok(calls) => {
                for (number, call) in calls.into_iter().enumerate() {
                    self.check(call, "Column", column, number);
                }
            }
            Err(e) => self.problems.add(&at, e),
        }
        Some(required)
    }

    /// Translates one check on `column`.
    fn check(&mut self, call: Result<CheckCall, String>, context: &'static str, column: &str, number: usize) {
        let at = |check: &str| {
            Item { context, column: Some(column), check: check.to_string(), number: Some(number) }.label()
        };
        let call = match call {
            Ok(call) => call,
            Err(e) => return self.problems.add(&at(&format!("#{number}")), e),
        };
        let Some(check) = pandera_checks::find(&call.name) else {
            let known: Vec<&str> = pandera_checks::CHECKS.iter().map(|c| c.name).collect();
            let message = format!("not a supported check (supported: {})", known.join(", "));
            return self.problems.add(&at(&call.name), message);
        };
        match translate_check(check, call) {
            Ok(Translated { label, params, severity }) => {
                let item = Item { context, column: Some(column), check: label, number: Some(number) };
                self.push(item, check.rule, Some(column), params, severity);
            }
            Err((label, e)) => self.problems.add(&at(&label), e),
        }
    }

    /// The schema's `unique`, `strict` and `ordered`.
    fn table_rules(
        &mut self,
        unique: Option<Value>,
        strict: bool,
        ordered: bool,
        declared: &[Value],
        optional: &[&str],
    ) {
        let at = "the schema";
        let table_item =
            |check: &str| Item { context: "DataFrameSchema", column: None, check: check.into(), number: None };
        match unique {
            None | Some(Value::Null) => {}
            Some(Value::String(column)) => {
                let params = single("columns", json!([column]));
                self.push(table_item("multiple_fields_uniqueness"), "unique", None, params, Severity::Error);
            }
            Some(Value::Array(columns)) if columns.iter().all(Value::is_string) => {
                let params = single("columns", Value::Array(columns));
                self.push(table_item("multiple_fields_uniqueness"), "unique", None, params, Severity::Error);
            }
            Some(other) => self.problems.add(at, format!("'unique' must list column names, got {other}")),
        }
        if strict && !optional.is_empty() {
            let message = format!(
                "'strict: true' with optional columns ({}) is not supported: columns_match_set needs every column",
                optional.join(", ")
            );
            self.problems.add(at, message);
        } else if strict {
            let params = json!({"columns": declared, "exact_match": true}).as_object().cloned().unwrap_or_default();
            self.push(table_item("column_in_schema"), "columns_match_set", None, params, Severity::Error);
        }
        match (ordered, strict) {
            (false, _) => {}
            (true, true) => {
                let params = single("columns", Value::Array(declared.to_vec()));
                self.push(table_item("column_ordered"), "columns_match_ordered_list", None, params, Severity::Error);
            }
            (true, false) => {
                self.problems.add(at, "'ordered: true' needs 'strict: true' (extra columns could sit anywhere)")
            }
        }
    }

    /// Dataframe-level checks apply to every column; with `strict: true` those are the declared
    /// ones, otherwise the data may have columns the translation cannot know.
    fn table_checks(&mut self, checks: Value, strict: bool, columns: &[&str]) {
        if !strict {
            let message = "dataframe-level checks apply to every column of the data, which only 'strict: true' fixes; \
                           move them under the columns";
            return self.problems.add("the schema's checks", message);
        }
        match check_calls(checks) {
            Ok(calls) => {
                for (number, call) in calls.into_iter().enumerate() {
                    for column in columns {
                        self.check(call.clone(), "DataFrameSchema", column, number);
                    }
                }
            }
            Err(e) => self.problems.add("the schema's checks", e),
        }
    }
}

/// A check as written: its name, its statistics and its options.
#[derive(Debug, Clone)]
struct CheckCall {
    name: String,
    stats: Map<String, Value>,
    options: Map<String, Value>,
}

/// `checks:` as a list of `{<statistics>, options: {check_name: ...}}` or a mapping of flat checks.
fn check_calls(checks: Value) -> Result<Vec<Result<CheckCall, String>>, String> {
    match checks {
        Value::Object(map) => Ok(map.into_iter().map(|(name, value)| flat_call(name, value)).collect()),
        Value::Array(list) => Ok(list.into_iter().map(listed_call).collect()),
        other => Err(format!("'checks' must be a list or a mapping, got {other}")),
    }
}

/// `greater_than: 0`, `isin: [a, b]` or `in_range: {min_value: 1, max_value: 3, raise_warning: true}`.
fn flat_call(name: String, value: Value) -> Result<CheckCall, String> {
    match value {
        Value::Object(mut map) => {
            let mut options = match map.remove("options") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(options)) => options,
                Some(other) => return Err(format!("check '{name}': 'options' must be a mapping, got {other}")),
            };
            let (option_keys, stats): (Map<String, Value>, Map<String, Value>) =
                map.into_iter().partition(|(k, _)| CHECK_OPTIONS.contains(&k.as_str()));
            options.extend(option_keys);
            Ok(CheckCall { name, stats, options })
        }
        value => Ok(CheckCall { name, stats: single("value", value), options: Map::new() }),
    }
}

fn listed_call(entry: Value) -> Result<CheckCall, String> {
    let Value::Object(mut entry) = entry else {
        return Err(format!("a listed check must be a mapping with 'options: {{check_name: ...}}', got {entry}"));
    };
    let name = entry
        .get("options")
        .and_then(|o| o.get("check_name"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or("a listed check needs 'options: {check_name: ...}'")?;
    if let Some(Value::Object(options)) = entry.get_mut("options") {
        options.remove("check_name");
    }
    flat_call(name, Value::Object(entry))
}

/// A check ready to become a rule.
struct Translated {
    /// Its name in pandera's failure cases.
    label: String,
    params: Map<String, Value>,
    severity: Severity,
}

/// Translates a check; on failure, its name and what is wrong.
fn translate_check(check: &Check, call: CheckCall) -> Result<Translated, (String, String)> {
    let CheckCall { mut stats, options, .. } = call;
    if let Some(value) = stats.remove("value") {
        if check.statistic.is_empty() {
            return Err((check.name.into(), "takes a mapping of statistics, not one value".into()));
        }
        stats.insert(check.statistic.into(), value);
    }
    let default_label = check.label(&stats);
    let mut severity = Severity::Error;
    let mut label = None;
    for (key, option) in &options {
        let problem = match (key.as_str(), option) {
            ("ignore_na", Value::Bool(true)) | ("raise_warning", Value::Bool(false)) => None,
            ("raise_warning", Value::Bool(true)) => {
                severity = Severity::Warning;
                None
            }
            ("n_failure_cases", _) | ("groupby" | "groups", Value::Null) => None,
            ("error" | "name", Value::String(text)) => {
                label = label.or(Some(text.clone()));
                None
            }
            ("ignore_na", _) => Some("'ignore_na: false' is not supported: checks ignore nulls".to_string()),
            ("groupby" | "groups", _) => Some(format!("'{key}' is not supported")),
            (key, option) => Some(format!("unsupported option '{key}': {option}")),
        };
        if let Some(problem) = problem {
            return Err((default_label, problem));
        }
    }
    let label = label.unwrap_or(default_label);
    let mut taken = RuleParams::new(stats);
    let params = (check.translate)(&mut taken).and_then(|params| taken.finish().map(|()| params));
    match params {
        Ok(params) => Ok(Translated { label, params, severity }),
        Err(e) => Err((label, e)),
    }
}

/// A pandas dtype name as a `dtype` rule takes it. `coerce` makes pandera convert values to the
/// dtype before checking; the data's types are already fixed, so the width is not checked.
fn dtype_name(written: &str, coerce: bool) -> Result<String, String> {
    let base = written.split(['[', '(']).next().unwrap_or_default().trim().to_ascii_lowercase();
    if matches!(base.as_str(), "object" | "category") {
        return Err(format!("dtype '{written}' is not supported: give the values' type (e.g. str, int64)"));
    }
    Ok(match base.as_str() {
        b if coerce && (b.starts_with("int") || b.starts_with("uint")) => "int".into(),
        b if coerce && b.starts_with("float") => "float".into(),
        _ => base,
    })
}

fn single(key: &str, value: impl Into<Value>) -> Map<String, Value> {
    Map::from_iter([(key.to_string(), value.into())])
}

fn take_flag(map: &mut Map<String, Value>, key: &str, default: bool, at: &str, problems: &mut Problems) -> bool {
    match map.remove(key) {
        None | Some(Value::Null) => default,
        Some(Value::Bool(b)) => b,
        Some(other) => {
            problems.add(at, format!("'{key}' must be true or false, got {other}"));
            default
        }
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str, at: &str, problems: &mut Problems) -> Option<String> {
    match map.remove(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            problems.add(at, format!("'{key}' must be a string, got {other}"));
            None
        }
    }
}

/// Settings truthound supports only at their default value (absent or null also means default).
fn refuse_settings(map: &mut Map<String, Value>, at: &str, problems: &mut Problems, defaults: &[(&str, Value)]) {
    for (key, default) in defaults {
        if let Some(value) = map.remove(*key).filter(|v| !v.is_null() && v != default) {
            problems.add(at, format!("'{key}: {value}' is not supported (only {default})"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(String, Option<String>, Value, Value)> {
        translate(text)
            .unwrap()
            .rules
            .into_iter()
            .map(|mut r| {
                let params = Value::Object(std::mem::take(&mut r.params).into_map());
                let origin = r.origin.unwrap().written;
                (r.rule_type, r.column, params, json!([origin["check"], origin["check_number"]]))
            })
            .collect()
    }

    /// What `pandera.io.to_yaml` 0.35 writes (minimal, flat checks).
    const MINIMAL: &str = "
schema_type: dataframe
api: pandas
columns:
  a:
    dtype: int64
    unique: true
    greater_than: 0
    in_range: {min_value: 1, max_value: 3, include_min: false, include_max: true}
  s:
    dtype: string[pyarrow]
    nullable: true
    str_matches: x
    str_length: {min_value: 1, max_value: 2, exact_value: null}
strict: true
name: demo
unique: [a, s]
";

    #[test]
    fn a_minimal_schema_becomes_one_rule_per_pandera_check() {
        let translated = rules(MINIMAL);
        let expected = [
            ("dtype", Some("a"), json!({"dtype": "int64"}), json!(["dtype('int64')", null])),
            ("not_null", Some("a"), json!({}), json!(["not_nullable", null])),
            ("unique", Some("a"), json!({}), json!(["field_uniqueness", null])),
            ("greater_than", Some("a"), json!({"value": 0}), json!(["greater_than(0)", 0])),
            (
                "in_range",
                Some("a"),
                json!({"min": 1, "max": 3, "strict_min": true, "strict_max": false}),
                json!(["in_range(1, 3)", 1]),
            ),
            ("dtype", Some("s"), json!({"dtype": "string"}), json!(["dtype('string[pyarrow]')", null])),
            ("regex", Some("s"), json!({"pattern": r"\A(?:x)"}), json!(["str_matches('x')", 0])),
            ("length_between", Some("s"), json!({"min": 1, "max": 2}), json!(["str_length(1, 2)", 1])),
            ("unique", None, json!({"columns": ["a", "s"]}), json!(["multiple_fields_uniqueness", null])),
            (
                "columns_match_set",
                None,
                json!({"columns": ["a", "s"], "exact_match": true}),
                json!(["column_in_schema", null]),
            ),
        ];
        assert_eq!(translated.len(), expected.len(), "{translated:#?}");
        for (got, (rule, column, params, origin)) in translated.iter().zip(expected) {
            assert_eq!(got, &(rule.to_string(), column.map(str::to_string), params, origin));
        }
    }

    #[test]
    fn listed_and_legacy_mapped_checks_read_alike() {
        let listed = "
columns:
  a:
    dtype: float64
    nullable: true
    checks:
      - {min_value: 0, options: {check_name: greater_than, raise_warning: true}}
      - {value: 5, options: {check_name: less_than_or_equal_to, ignore_na: true}}
";
        let mapped = "
columns:
  a:
    dtype: float64
    nullable: true
    checks:
      greater_than: {value: 0, raise_warning: true}
      less_than_or_equal_to: 5
";
        assert_eq!(rules(listed), rules(mapped));
        let document = translate(listed).unwrap();
        assert_eq!(document.rules[1].severity, Severity::Warning);
        assert_eq!(document.rules[2].params.clone().into_map(), single("max", 5));
    }

    #[test]
    fn coerce_checks_the_type_family_only() {
        let translated = rules("coerce: true\ncolumns:\n  a: {dtype: int32, nullable: true}");
        assert_eq!(translated[0].2, json!({"dtype": "int"}));
    }

    #[test]
    fn every_problem_is_named_with_its_column_and_check() {
        let text = "
columns:
  a:
    dtype: object
    greater_than: 0
    is_monotonic: true
    regex: true
  b:
    nullable: true
    checks:
      - {value: 1, options: {check_name: less_than, ignore_na: false}}
  c:
    checks: {greater_than: 1}
    less_than: 4
checks:
  - {value: 0, options: {check_name: greater_than}}
ordered: true
";
        let message = translate(text).unwrap_err().message;
        for expected in [
            "column 'a': 'regex: true' is not supported",
            "column 'a': dtype 'object' is not supported",
            "column 'a' check is_monotonic: not a supported check",
            "column 'b' check less_than(1): 'ignore_na: false' is not supported",
            "column 'c': give checks under 'checks:' or as keys (less_than), not both",
            "the schema's checks: dataframe-level checks apply to every column",
            "the schema: 'ordered: true' needs 'strict: true'",
        ] {
            assert!(message.contains(expected), "{expected:?} not in:\n{message}");
        }
    }

    #[test]
    fn dataframe_checks_apply_to_every_declared_column_of_a_strict_schema() {
        let text = "
strict: true
columns: {a: {nullable: true}, b: {nullable: true}}
checks: {greater_than_or_equal_to: 0}
";
        let translated = rules(text);
        let columns: Vec<Option<String>> = translated.iter().map(|r| r.1.clone()).collect();
        assert_eq!(columns, [None, Some("a".into()), Some("b".into())]);
        assert_eq!(translated[1].0, "in_range");
    }
}
