//! Check results as a Great Expectations 1.x validation result (`success`, `statistics`,
//! `results[]` with `expectation_config` and `result`), shaped like GX's own output for the same
//! suite: the fields each `result_format` level adds, the percentages GX computes, the partial
//! lists cut at `partial_unexpected_count`. Unexpected values are shown as text.

use super::gx_expectations::{self, Shape};
use crate::model::{CheckResult, FailureSample, RuleResult, Status};
use crate::report::RunInfo;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// GX's `MAX_RESULT_RECORDS`: unexpected values listed at most, even at COMPLETE (row numbers
/// are not cut).
const MAX_RESULT_RECORDS: usize = 200;

/// How much of each expectation's result to show (GX's `result_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Detail {
    /// `success` only: an empty `result`.
    BooleanOnly,
    /// Counts, percentages and the partial list of unexpected values.
    Basic,
    /// BASIC plus the partial value counts and row numbers.
    Summary,
    /// SUMMARY plus every unexpected value and row number.
    Complete,
}

impl Detail {
    const NAMES: [(&'static str, Detail); 4] = [
        ("BOOLEAN_ONLY", Detail::BooleanOnly),
        ("BASIC", Detail::Basic),
        ("SUMMARY", Detail::Summary),
        ("COMPLETE", Detail::Complete),
    ];

    fn parse(name: &str) -> Result<Detail, String> {
        Self::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, d)| *d)
            .ok_or_else(|| format!("'result_format' must be BOOLEAN_ONLY, BASIC, SUMMARY or COMPLETE, got \"{name}\""))
    }

    fn name(self) -> &'static str {
        Self::NAMES.iter().find(|(_, d)| *d == self).map(|(n, _)| *n).unwrap_or("SUMMARY")
    }
}

/// GX's `result_format`: a level name, or a mapping with the level and its options.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultFormat {
    /// The level (`result_format` itself).
    pub detail: Detail,
    /// Length of the partial lists.
    pub partial_unexpected_count: u64,
    /// Leave the unexpected values out (their row numbers stay).
    pub exclude_unexpected_values: bool,
    /// Add `unexpected_index_query` at COMPLETE.
    pub return_unexpected_index_query: bool,
}

impl Default for ResultFormat {
    /// GX's default: SUMMARY with 20 partial values.
    fn default() -> Self {
        ResultFormat {
            detail: Detail::Summary,
            partial_unexpected_count: 20,
            exclude_unexpected_values: false,
            return_unexpected_index_query: true,
        }
    }
}

impl ResultFormat {
    /// Parses `"SUMMARY"` or `{result_format: COMPLETE, partial_unexpected_count: 5, ...}`.
    pub fn parse(value: &Value) -> Result<ResultFormat, String> {
        let mut format = ResultFormat::default();
        let options = match value {
            Value::String(name) => {
                format.detail = Detail::parse(name)?;
                return Ok(format);
            }
            Value::Object(options) => options,
            other => return Err(format!("'result_format' must be a level name or a mapping, got {other}")),
        };
        for (key, option) in options {
            let flag = || option.as_bool().ok_or(format!("'result_format.{key}' must be true or false, got {option}"));
            match key.as_str() {
                "result_format" => {
                    format.detail =
                        Detail::parse(option.as_str().ok_or("'result_format.result_format' must be a string")?)?
                }
                "partial_unexpected_count" => {
                    format.partial_unexpected_count = option.as_u64().ok_or(format!(
                        "'result_format.partial_unexpected_count' must be a whole number >= 0, got {option}"
                    ))?
                }
                "exclude_unexpected_values" => format.exclude_unexpected_values = flag()?,
                "return_unexpected_index_query" => format.return_unexpected_index_query = flag()?,
                "include_unexpected_rows" if !flag()? => {}
                "unexpected_index_column_names" if option.is_null() || option == &json!([]) => {}
                "include_unexpected_rows" | "unexpected_index_column_names" => {
                    return Err(format!(
                        "'result_format.{key}' is not supported: results carry values and row numbers"
                    ));
                }
                other => return Err(format!("unknown key '{other}' in 'result_format'")),
            }
        }
        Ok(format)
    }

    /// The mapping form, as kept in a rule's origin.
    pub fn to_json(&self) -> Value {
        json!({
            "result_format": self.detail.name(),
            "partial_unexpected_count": self.partial_unexpected_count,
            "exclude_unexpected_values": self.exclude_unexpected_values,
            "return_unexpected_index_query": self.return_unexpected_index_query,
        })
    }
}

/// The validation result as indented JSON.
pub fn render(result: &CheckResult, info: &RunInfo) -> String {
    let mut text = serde_json::to_string_pretty(&validation_result(result, info)).expect("JSON values serialise");
    text.push('\n');
    text
}

/// The validation result: `success` when every expectation passed, whatever its severity.
pub fn validation_result(result: &CheckResult, info: &RunInfo) -> Value {
    let evaluated = result.rule_results.len();
    let successful = result.rule_results.iter().filter(|r| r.status == Status::Passed).count();
    json!({
        "success": successful == evaluated,
        "results": result.rule_results.iter().map(expectation_result).collect::<Vec<_>>(),
        "suite_name": result.suite_name,
        "suite_parameters": {},
        "statistics": {
            "evaluated_expectations": evaluated,
            "successful_expectations": successful,
            "unsuccessful_expectations": evaluated - successful,
            "success_percent": percent(successful as u64, evaluated as u64),
        },
        "meta": {
            "engine": info.engine_name,
            "data_source": info.source,
            "run_time": info.timestamp,
            "row_count": result.row_count,
        },
        "id": null,
    })
}

/// One expectation's validation result. Rules translated from a GX suite echo their
/// expectation and take its result shape; other rules show the counts of a column map plus
/// their observed value.
fn expectation_result(rule: &RuleResult) -> Value {
    let origin: Option<Value> = rule.origin.as_deref().and_then(|text| serde_json::from_str(text).ok());
    let (config, format, shape) = match origin.as_ref().filter(|o| o["format"] == "great_expectations") {
        Some(origin) => {
            let config = origin["expectation_config"].clone();
            let shape = config["type"].as_str().and_then(gx_expectations::find).map_or(Shape::Aggregate, |e| e.shape);
            (config, ResultFormat::parse(&origin["result_format"]).unwrap_or_default(), Some(shape))
        }
        None => (native_config(rule, origin), ResultFormat::default(), None),
    };
    let result = result_object(rule, shape, &config["kwargs"], &format);
    json!({
        "success": rule.status == Status::Passed,
        "expectation_config": config,
        "result": result,
        "meta": {},
        "exception_info": {"raised_exception": false, "exception_traceback": null, "exception_message": null},
    })
}

/// A truthound rule described in the form of an expectation configuration.
fn native_config(rule: &RuleResult, origin: Option<Value>) -> Value {
    let mut kwargs = Map::new();
    if let Some(column) = &rule.column {
        kwargs.insert("column".into(), Value::from(column.as_str()));
    }
    if let Ok(Value::Object(parameters)) = serde_json::from_str::<Value>(&rule.parameters) {
        kwargs.extend(parameters);
    }
    if rule.mostly < 1.0 {
        kwargs.insert("mostly".into(), Value::from(rule.mostly));
    }
    let meta = origin.map_or(json!({}), |origin| json!({ "origin": origin }));
    json!({"type": rule.rule_type, "kwargs": kwargs, "meta": meta, "severity": rule.severity.as_str()})
}

/// The `result` object; `kwargs` are the expectation's, for the details GX derives from them.
fn result_object(rule: &RuleResult, shape: Option<Shape>, kwargs: &Value, format: &ResultFormat) -> Value {
    let observed =
        || serde_json::from_str(&rule.observed_value).unwrap_or_else(|_| Value::from(rule.observed_value.as_str()));
    if format.detail == Detail::BooleanOnly {
        return json!({});
    }
    match shape {
        Some(Shape::Existence) => json!({}),
        Some(Shape::Aggregate) => json!({ "observed_value": observed() }),
        Some(Shape::ColumnSet) => column_set(&observed(), &kwargs["column_set"]),
        Some(Shape::ColumnList) => column_list(observed(), &kwargs["column_list"]),
        Some(Shape::Quantiles) => quantiles(observed(), &kwargs["quantile_ranges"]["value_ranges"]),
        Some(Shape::NullMap) => Value::Object(map_result(rule, None, format)),
        // GX counts the rows a map expectation skipped (nulls, ignored pairs) as missing.
        Some(Shape::Map) => Value::Object(map_result(rule, Some(rule.element_count - rule.evaluated_count), format)),
        None => {
            let mut result = map_result(rule, Some(rule.null_count), format);
            result.insert("observed_value".into(), observed());
            Value::Object(result)
        }
    }
}

/// The fields GX's `_format_map_output` gives, level by level. `missing` is `None` for
/// expectations that evaluate every row (GX then leaves the `missing_*` fields out and shows
/// unexpected values as nulls).
fn map_result(rule: &RuleResult, missing: Option<u64>, format: &ResultFormat) -> Map<String, Value> {
    let (elements, unexpected) = (rule.element_count, rule.unexpected_count);
    let total_percent = percent(unexpected, elements);
    let nonmissing_percent = match missing {
        None => total_percent,
        Some(_) if elements == 0 => None,
        Some(_) => percent(unexpected, rule.evaluated_count),
    };
    let value = |sample: &FailureSample| match missing {
        None => Value::Null,
        Some(_) => Value::from(sample.value.as_str()),
    };
    let partial_count = (format.partial_unexpected_count as usize).min(MAX_RESULT_RECORDS);
    let partial = &rule.samples[..rule.samples.len().min(partial_count)];
    let show_values = !format.exclude_unexpected_values;
    let mut result = Map::new();
    result.insert("element_count".into(), Value::from(elements));
    result.insert("unexpected_count".into(), Value::from(unexpected));
    result.insert("unexpected_percent".into(), Value::from(nonmissing_percent));
    if show_values {
        result.insert("partial_unexpected_list".into(), partial.iter().map(value).collect());
    }
    if let Some(missing) = missing {
        result.insert("missing_count".into(), Value::from(missing));
        result.insert("missing_percent".into(), Value::from(percent(missing, elements)));
        result.insert("unexpected_percent_total".into(), Value::from(total_percent));
        result.insert("unexpected_percent_nonmissing".into(), Value::from(nonmissing_percent));
    }
    if format.detail == Detail::Basic {
        return result;
    }
    if format.partial_unexpected_count > 0 {
        if show_values {
            result.insert("partial_unexpected_counts".into(), value_counts(partial.iter().map(value)));
        }
        result.insert("partial_unexpected_index_list".into(), partial.iter().map(|s| s.row).collect());
    }
    if format.detail == Detail::Summary {
        return result;
    }
    let rows: Vec<u64> = rule.samples.iter().map(|s| s.row).collect();
    if show_values {
        result.insert("unexpected_list".into(), rule.samples.iter().take(MAX_RESULT_RECORDS).map(value).collect());
    }
    let query = format!("df.filter(items={rows:?}, axis=0)");
    result.insert("unexpected_index_list".into(), Value::from(rows));
    if format.return_unexpected_index_query {
        result.insert("unexpected_index_query".into(), Value::from(query));
    }
    result
}

/// The columns sorted, and when the sets differ, `details.mismatched` with the columns not
/// expected and the expected ones missing (each sorted, as GX does).
fn column_set(observed: &Value, expected: &Value) -> Value {
    let names = |list: &Value| -> BTreeSet<String> {
        list.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
    };
    let (actual, wanted) = (names(observed), names(expected));
    let mut result = json!({ "observed_value": actual });
    let mut mismatched = Map::new();
    for (key, names) in [("unexpected", actual.difference(&wanted)), ("missing", wanted.difference(&actual))] {
        let names: Vec<&String> = names.collect();
        if !names.is_empty() {
            mismatched.insert(key.into(), json!(names));
        }
    }
    if !mismatched.is_empty() {
        result["details"] = json!({ "mismatched": mismatched });
    }
    result
}

/// The columns in data order, and when they differ from the list, `details.mismatched` with
/// each position that differs (a position past either list's end shows null there).
fn column_list(observed: Value, expected: &Value) -> Value {
    let empty = Vec::new();
    let (actual, wanted) = (observed.as_array().unwrap_or(&empty), expected.as_array().unwrap_or(&empty));
    if actual == wanted {
        return json!({ "observed_value": observed });
    }
    let mismatched: Vec<Value> = (0..actual.len().max(wanted.len()))
        .filter(|&i| actual.get(i) != wanted.get(i))
        .map(|i| json!({"Expected Column Position": i, "Expected": wanted.get(i), "Found": actual.get(i)}))
        .collect();
    json!({ "observed_value": observed, "details": { "mismatched": mismatched } })
}

/// The quantiles, and `details.success_details`: whether each lies in its range (inclusive, a
/// null end open, as the rule decides; a missing quantile is never in range).
fn quantiles(observed: Value, ranges: &Value) -> Value {
    let values = observed["values"].as_array().cloned().unwrap_or_default();
    let inside = |value: &Value, range: &Value| -> bool {
        let Some(value) = value.as_f64() else { return false };
        range[0].as_f64().is_none_or(|low| low <= value) && range[1].as_f64().is_none_or(|high| value <= high)
    };
    let details: Vec<bool> = ranges
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, r)| values.get(i).is_some_and(|v| inside(v, r)))
        .collect();
    json!({ "observed_value": observed, "details": { "success_details": details } })
}

/// `[{value, count}]`, most frequent first, then by value (GX sorts by `(-count, value)`).
fn value_counts(values: impl Iterator<Item = Value>) -> Value {
    let mut counts: BTreeMap<String, (Value, u64)> = BTreeMap::new();
    for value in values {
        let key = value.as_str().map_or_else(|| value.to_string(), str::to_string);
        counts.entry(key).or_insert((value, 0)).1 += 1;
    }
    let mut sorted: Vec<(String, Value, u64)> = counts.into_iter().map(|(key, (value, n))| (key, value, n)).collect();
    sorted.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    sorted.into_iter().map(|(_, value, count)| json!({"value": value, "count": count})).collect()
}

/// `part / whole * 100`, or null when `whole` is 0 (as GX gives `None`).
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn rule(origin: Option<Value>, samples: &[(u64, &str)]) -> RuleResult {
        RuleResult {
            index: 0,
            rule_type: "in_range".into(),
            name: "r".into(),
            column: Some("a".into()),
            parameters: r#"{"min":2,"max":3}"#.into(),
            severity: Severity::Critical,
            status: Status::Failed,
            element_count: 5,
            evaluated_count: 4,
            unexpected_count: samples.len() as u64,
            unexpected_percent: 75.0,
            null_count: 1,
            mostly: 1.0,
            observed_value: "0.25".into(),
            samples: samples.iter().map(|(row, value)| FailureSample { row: *row, value: value.to_string() }).collect(),
            message: String::new(),
            origin: origin.map(|o| o.to_string()),
        }
    }

    fn gx_origin(type_name: &str, format: Value) -> Value {
        json!({
            "format": "great_expectations",
            "expectation_config": {"type": type_name, "kwargs": {"column": "a"}, "meta": {}, "severity": "critical"},
            "result_format": ResultFormat::parse(&format).unwrap().to_json(),
        })
    }

    #[test]
    fn a_column_map_result_has_the_fields_gx_prints_at_each_level() {
        let samples = [(0, "1"), (3, "4"), (4, "4")];
        let summary = rule(Some(gx_origin("expect_column_values_to_be_between", json!("SUMMARY"))), &samples);
        // GX 1.24.1 printed this for [1, 2, None, 4, 4] between 2 and 3 (numbers shown as text here).
        assert_eq!(
            expectation_result(&summary)["result"],
            json!({
                "element_count": 5, "unexpected_count": 3, "unexpected_percent": 75.0,
                "partial_unexpected_list": ["1", "4", "4"],
                "missing_count": 1, "missing_percent": 20.0, "unexpected_percent_total": 60.0,
                "unexpected_percent_nonmissing": 75.0,
                "partial_unexpected_counts": [{"value": "4", "count": 2}, {"value": "1", "count": 1}],
                "partial_unexpected_index_list": [0, 3, 4],
            })
        );
        let basic = rule(Some(gx_origin("expect_column_values_to_be_between", json!("BASIC"))), &samples);
        assert!(expectation_result(&basic)["result"].get("partial_unexpected_counts").is_none());
        let complete = json!({"result_format": "COMPLETE", "partial_unexpected_count": 1});
        let complete =
            expectation_result(&rule(Some(gx_origin("expect_column_values_to_be_between", complete)), &samples));
        assert_eq!(complete["result"]["partial_unexpected_list"], json!(["1"]));
        assert_eq!(complete["result"]["unexpected_index_list"], json!([0, 3, 4]));
        assert_eq!(complete["result"]["unexpected_index_query"], "df.filter(items=[0, 3, 4], axis=0)");
        let boolean = rule(Some(gx_origin("expect_column_values_to_be_between", json!("BOOLEAN_ONLY"))), &samples);
        assert_eq!(expectation_result(&boolean)["result"], json!({}));
    }

    #[test]
    fn value_lists_stop_at_200_as_in_gx_but_row_numbers_do_not() {
        let values: Vec<(u64, String)> = (0..250).map(|row| (row, row.to_string())).collect();
        let samples: Vec<(u64, &str)> = values.iter().map(|(row, value)| (*row, value.as_str())).collect();
        let complete = json!({"result_format": "COMPLETE", "partial_unexpected_count": 300});
        let result =
            expectation_result(&rule(Some(gx_origin("expect_column_values_to_be_unique", complete)), &samples));
        assert_eq!(result["result"]["unexpected_list"].as_array().unwrap().len(), 200);
        assert_eq!(result["result"]["partial_unexpected_list"].as_array().unwrap().len(), 200);
        assert_eq!(result["result"]["unexpected_index_list"].as_array().unwrap().len(), 250);
    }

    #[test]
    fn not_null_results_have_no_missing_fields_and_null_values() {
        let mut not_null =
            rule(Some(gx_origin("expect_column_values_to_not_be_null", json!("SUMMARY"))), &[(2, "null")]);
        not_null.evaluated_count = 5;
        assert_eq!(
            expectation_result(&not_null)["result"],
            json!({
                "element_count": 5, "unexpected_count": 1, "unexpected_percent": 20.0,
                "partial_unexpected_list": [null],
                "partial_unexpected_counts": [{"value": null, "count": 1}],
                "partial_unexpected_index_list": [2],
            })
        );
    }

    #[test]
    fn aggregates_show_the_observed_value_and_statistics_count_successes() {
        let mut rows = rule(Some(gx_origin("expect_table_row_count_to_be_between", json!("SUMMARY"))), &[]);
        rows.observed_value = "5".into();
        let mut passed = rule(Some(gx_origin("expect_column_to_exist", json!("SUMMARY"))), &[]);
        passed.status = Status::Passed;
        let result = CheckResult {
            status: Status::Failed,
            passed_count: 1,
            failed_count: 1,
            warning_count: 0,
            row_count: 5,
            columns_read: vec![],
            suite_name: Some("s".into()),
            rule_results: vec![rows, passed],
        };
        let info =
            RunInfo { execution_time_ms: 1.0, timestamp: "t".into(), engine_name: "e".into(), source: "d".into() };
        let validation = validation_result(&result, &info);
        assert_eq!(validation["success"], false);
        assert_eq!(validation["results"][0]["result"], json!({"observed_value": 5}));
        assert_eq!(validation["results"][1]["result"], json!({}));
        assert_eq!(
            validation["statistics"],
            json!({"evaluated_expectations": 2, "successful_expectations": 1, "unsuccessful_expectations": 1, "success_percent": 50.0})
        );
    }

    #[test]
    fn column_sets_lists_and_quantiles_carry_the_details_gx_adds() {
        let observed = json!(["id", "b", "a"]);
        assert_eq!(
            column_set(&observed, &json!(["a", "id", "x"])),
            json!({"observed_value": ["a", "b", "id"], "details": {"mismatched": {"unexpected": ["b"], "missing": ["x"]}}})
        );
        assert_eq!(column_set(&observed, &json!(["a", "b", "id"])), json!({"observed_value": ["a", "b", "id"]}));
        assert_eq!(
            column_list(observed.clone(), &json!(["id", "a"])),
            json!({"observed_value": ["id", "b", "a"], "details": {"mismatched": [
                {"Expected Column Position": 1, "Expected": "a", "Found": "b"},
                {"Expected Column Position": 2, "Expected": null, "Found": "a"},
            ]}})
        );
        assert_eq!(column_list(observed.clone(), &observed), json!({"observed_value": ["id", "b", "a"]}));
        let observed = json!({"quantiles": [0.25, 0.5, 0.75], "values": [1.0, 5.0, 9.0]});
        let result = quantiles(observed, &json!([[0, 1], [null, 4], [9, null]]));
        assert_eq!(result["details"], json!({"success_details": [true, false, true]}));
    }

    #[test]
    fn truthound_rules_render_as_their_own_configuration() {
        let result = expectation_result(&rule(None, &[(0, "1")]));
        assert_eq!(result["expectation_config"]["type"], "in_range");
        assert_eq!(result["expectation_config"]["kwargs"], json!({"column": "a", "min": 2, "max": 3}));
        assert_eq!(result["result"]["missing_count"], 1);
        assert_eq!(result["result"]["observed_value"], 0.25);
    }

    #[test]
    fn result_formats_parse_from_names_and_mappings() {
        assert_eq!(ResultFormat::parse(&json!("complete")).unwrap().detail, Detail::Complete);
        let parsed = ResultFormat::parse(&json!({"result_format": "BASIC", "partial_unexpected_count": 3})).unwrap();
        assert_eq!((parsed.detail, parsed.partial_unexpected_count), (Detail::Basic, 3));
        assert!(ResultFormat::parse(&json!("FULL")).unwrap_err().contains("BOOLEAN_ONLY, BASIC"));
        assert!(ResultFormat::parse(&json!({"include_unexpected_rows": true})).unwrap_err().contains("not supported"));
        assert_eq!(ResultFormat::parse(&ResultFormat::default().to_json()).unwrap(), ResultFormat::default());
    }
}
