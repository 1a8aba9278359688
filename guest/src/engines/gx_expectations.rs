//! The Great Expectations 1.x core expectations truthound runs: each one's rule, the shape of its
//! GX result, and how its kwargs become the rule's parameters. Kwargs a translation does not take
//! are errors (the suite parser reports them), so a setting is never silently dropped.

use super::params;
use crate::document::RuleParams;
use serde_json::{Map, Value};

/// What the `result` object of a GX validation result holds for an expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A column map over every row (`expect_column_values_to_not_be_null`): counts and unexpected
    /// values, without the `missing_*` fields.
    NullMap,
    /// A column, column-pair or multicolumn map over the non-missing rows: counts, unexpected
    /// values and the `missing_*` fields.
    Map,
    /// An aggregate: the `observed_value`.
    Aggregate,
    /// `expect_column_to_exist`: an empty result.
    Existence,
    /// `expect_table_columns_to_match_set`: the columns sorted, and which ones differ.
    ColumnSet,
    /// `expect_table_columns_to_match_ordered_list`: the columns, and the positions that differ.
    ColumnList,
    /// `expect_column_quantile_values_to_be_between`: the quantiles and which are in range.
    Quantiles,
}

/// Whether the expectation is about one column (its `column` kwarg) or the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The `column` kwarg names the rule's column.
    Column,
    /// The expectation is about the table or names its columns in its own kwargs.
    Table,
}

/// Takes an expectation's own kwargs and returns the rule's parameters.
type Translate = fn(&mut RuleParams) -> Result<Map<String, Value>, String>;

/// One supported expectation.
pub struct Expectation {
    /// The GX name, e.g. `expect_column_values_to_be_between`.
    pub name: &'static str,
    /// The truthound rule it runs as.
    pub rule: &'static str,
    /// Where its column comes from.
    pub scope: Scope,
    /// What GX shows as its result.
    pub shape: Shape,
    /// Its own kwargs as the rule's parameters.
    pub translate: Translate,
}

const fn column(name: &'static str, rule: &'static str, shape: Shape, translate: Translate) -> Expectation {
    Expectation { name, rule, scope: Scope::Column, shape, translate }
}

const fn table(name: &'static str, rule: &'static str, shape: Shape, translate: Translate) -> Expectation {
    Expectation { name, rule, scope: Scope::Table, shape, translate }
}

use Shape::{Aggregate, ColumnList, ColumnSet, Existence, Map as ColumnMap, NullMap, Quantiles};

/// Every supported expectation, in the order the README lists them.
pub const EXPECTATIONS: &[Expectation] = &[
    column("expect_column_to_exist", "column_exists", Existence, column_position),
    column("expect_column_values_to_not_be_null", "not_null", NullMap, nothing),
    column("expect_column_values_to_be_unique", "unique", ColumnMap, nothing),
    column("expect_column_values_to_be_in_set", "in_set", ColumnMap, value_set),
    column("expect_column_values_to_not_be_in_set", "not_in_set", ColumnMap, value_set),
    column("expect_column_values_to_be_between", "in_range", ColumnMap, bounds),
    column("expect_column_values_to_match_regex", "regex", ColumnMap, regex),
    column("expect_column_values_to_not_match_regex", "not_regex", ColumnMap, regex),
    column("expect_column_values_to_match_regex_list", "regex", ColumnMap, any_regex),
    column("expect_column_values_to_not_match_regex_list", "not_regex", ColumnMap, regex_list),
    column("expect_column_values_to_match_like_pattern", "regex", ColumnMap, like),
    column("expect_column_values_to_not_match_like_pattern", "not_regex", ColumnMap, like),
    column("expect_column_values_to_match_like_pattern_list", "regex", ColumnMap, any_like),
    column("expect_column_values_to_not_match_like_pattern_list", "not_regex", ColumnMap, like_list),
    column("expect_column_value_lengths_to_be_between", "length_between", ColumnMap, count_bounds),
    column("expect_column_value_lengths_to_equal", "length_between", ColumnMap, count_equal),
    column("expect_column_values_to_be_of_type", "dtype", Aggregate, type_name),
    column("expect_column_type_to_be", "dtype", Aggregate, type_name),
    column("expect_column_proportion_of_non_null_values_to_be_between", "completeness_ratio", Aggregate, share_present),
    column("expect_column_values_to_be_increasing", "increasing", ColumnMap, strictly),
    column("expect_column_values_to_be_decreasing", "decreasing", ColumnMap, strictly),
    column("expect_column_values_to_be_json_parseable", "json_parseable", ColumnMap, nothing),
    column("expect_column_values_to_match_strftime_format", "date_format", ColumnMap, strftime_format),
    column("expect_column_min_to_be_between", "min_between", Aggregate, bounds),
    column("expect_column_max_to_be_between", "max_between", Aggregate, bounds),
    column("expect_column_mean_to_be_between", "mean_between", Aggregate, bounds),
    column("expect_column_median_to_be_between", "median_between", Aggregate, bounds),
    column("expect_column_stdev_to_be_between", "stdev_between", Aggregate, bounds),
    column("expect_column_sum_to_be_between", "sum_between", Aggregate, bounds),
    column("expect_column_quantile_values_to_be_between", "quantile_between", Quantiles, quantile_ranges),
    column("expect_column_unique_value_count_to_be_between", "distinct_count_between", Aggregate, bounds),
    column("expect_column_proportion_of_unique_values_to_be_between", "unique_ratio_between", Aggregate, bounds),
    column("expect_column_distinct_values_to_be_in_set", "distinct_values_in_set", Aggregate, value_set),
    column("expect_column_distinct_values_to_contain_set", "distinct_values_contain_set", Aggregate, value_set),
    column("expect_column_distinct_values_to_equal_set", "distinct_values_equal_set", Aggregate, value_set),
    column("expect_column_most_common_value_to_be_in_set", "most_common_value_in_set", Aggregate, most_common),
    table("expect_compound_columns_to_be_unique", "unique", ColumnMap, compound_columns),
    table("expect_column_pair_values_a_to_be_greater_than_b", "column_pair_greater_than", ColumnMap, pair_order),
    table("expect_column_pair_values_to_be_equal", "column_pair_equal", ColumnMap, pair),
    table("expect_multicolumn_sum_to_equal", "multicolumn_sum_equal", ColumnMap, multicolumn_sum),
    table("expect_table_row_count_to_be_between", "row_count", Aggregate, count_bounds),
    table("expect_table_row_count_to_equal", "row_count", Aggregate, count_equal),
    table("expect_table_column_count_to_be_between", "column_count", Aggregate, count_bounds),
    table("expect_table_column_count_to_equal", "column_count", Aggregate, count_value),
    table("expect_table_columns_to_match_set", "columns_match_set", ColumnSet, column_set),
    table("expect_table_columns_to_match_ordered_list", "columns_match_ordered_list", ColumnList, column_list),
];

/// Core expectations truthound does not run, and why.
pub const UNSUPPORTED: &[(&str, &str)] = &[
    ("expect_column_values_to_be_null", "no rule asserts that values are missing"),
    ("expect_column_values_to_be_in_type_list", "a dtype rule takes one type"),
    ("expect_column_values_to_be_dateutil_parseable", "dateutil's guessing parser has no equivalent"),
    ("expect_column_values_to_match_json_schema", "JSON Schema validation is not implemented"),
    ("expect_column_value_z_scores_to_be_less_than", "outlier tests are not implemented"),
    ("expect_column_values_to_not_be_outliers", "outlier tests are not implemented"),
    ("expect_column_kl_divergence_to_be_less_than", "distribution tests are not implemented"),
    ("expect_column_pair_values_to_be_in_set", "no rule tests pairs of values against a set"),
    ("expect_multicolumn_values_to_be_equal", "no rule compares more than two columns"),
    ("expect_multicolumn_values_to_be_unique", "deprecated in GX; use expect_compound_columns_to_be_unique"),
    ("expect_select_column_values_to_be_unique_within_record", "no rule compares values within a row"),
    ("expect_query_results_to_match_comparison", "runs SQL against a database"),
    ("expect_table_row_count_to_equal_other_table", "needs a second table"),
    ("unexpected_rows_expectation", "runs SQL against a database"),
];

/// The supported expectation called `name`.
pub fn find(name: &str) -> Option<&'static Expectation> {
    EXPECTATIONS.iter().find(|e| e.name == name)
}

type Params = Result<Map<String, Value>, String>;

fn nothing(_: &mut RuleParams) -> Params {
    Ok(Map::new())
}

fn column_position(kwargs: &mut RuleParams) -> Params {
    match kwargs.take(&["column_index"])? {
        None => Ok(Map::new()),
        Some(_) => Err("'column_index' is not supported: truthound checks that a column exists, not where".into()),
    }
}

fn value_set(kwargs: &mut RuleParams) -> Params {
    Ok(params([("values", Some(Value::Array(kwargs.require_list(&["value_set"])?)))]))
}

/// `min_value`, `max_value`, `strict_min`, `strict_max` as they are.
fn bounds(kwargs: &mut RuleParams) -> Params {
    Ok(params([
        ("min", kwargs.take_bound(&["min_value"])?),
        ("max", kwargs.take_bound(&["max_value"])?),
        ("strict_min", kwargs.take_bool(&["strict_min"])?.map(Value::from)),
        ("strict_max", kwargs.take_bool(&["strict_max"])?.map(Value::from)),
    ]))
}

/// Bounds of a whole-number quantity (a count, a length): strict bounds become inclusive ones.
fn count_bounds(kwargs: &mut RuleParams) -> Params {
    let min = take_count(kwargs, &["min_value"])?;
    let max = take_count(kwargs, &["max_value"])?;
    let strict_min = kwargs.take_bool(&["strict_min"])?.unwrap_or(false);
    let strict_max = kwargs.take_bool(&["strict_max"])?.unwrap_or(false);
    let min = min.map(|m| m + u64::from(strict_min));
    let max = match max {
        Some(0) if strict_max => return Err("'max_value' 0 with 'strict_max' can never hold".into()),
        Some(m) => Some(m - u64::from(strict_max)),
        None => None,
    };
    Ok(params([("min", min.map(Value::from)), ("max", max.map(Value::from))]))
}

/// One exact whole-number `value`, as equal bounds.
fn count_equal(kwargs: &mut RuleParams) -> Params {
    let value = kwargs.require_count(&["value"])?;
    Ok(params([("min", Some(Value::from(value))), ("max", Some(Value::from(value)))]))
}

fn count_value(kwargs: &mut RuleParams) -> Params {
    Ok(params([("value", Some(Value::from(kwargs.require_count(&["value"])?)))]))
}

fn take_count(kwargs: &mut RuleParams, names: &'static [&'static str]) -> Result<Option<u64>, String> {
    kwargs
        .take_number(names)?
        .map(|v| {
            v.as_u64()
                .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0).map(|f| f as u64))
                .ok_or_else(|| format!("'{}' must be a whole number >= 0, got {v}", names[0]))
        })
        .transpose()
}

/// The share of non-null values: `completeness_ratio` bounds it from below only.
fn share_present(kwargs: &mut RuleParams) -> Params {
    refuse_strict(kwargs)?;
    let min = kwargs.take_number(&["min_value"])?.unwrap_or(Value::from(0));
    match kwargs.take_number(&["max_value"])? {
        Some(max) if max.as_f64() != Some(1.0) => {
            Err(format!("'max_value' {max} is not supported: the share of non-null values is bounded from below only"))
        }
        _ => Ok(params([("min_ratio", Some(min))])),
    }
}

fn refuse_strict(kwargs: &mut RuleParams) -> Result<(), String> {
    const STRICT: [&[&str]; 2] = [&["strict_min"], &["strict_max"]];
    for names in STRICT {
        if kwargs.take_bool(names)? == Some(true) {
            return Err(format!("'{}: true' is not supported by this expectation's rule", names[0]));
        }
    }
    Ok(())
}

fn regex(kwargs: &mut RuleParams) -> Params {
    Ok(params([("pattern", Some(Value::from(kwargs.require_string(&["regex"])?)))]))
}

/// `regex_list` with `match_on: any`: one pattern matching where any of them does.
fn any_regex(kwargs: &mut RuleParams) -> Params {
    require_any_match(kwargs)?;
    regex_list(kwargs)
}

fn regex_list(kwargs: &mut RuleParams) -> Params {
    let patterns = strings(kwargs.require_list(&["regex_list"])?, "regex_list")?;
    Ok(params([("pattern", Some(Value::from(alternation(patterns))))]))
}

/// A SQL LIKE pattern as an anchored regular expression.
fn like(kwargs: &mut RuleParams) -> Params {
    let pattern = kwargs.require_string(&["like_pattern"])?;
    let escape = like_escape(kwargs)?;
    Ok(params([("pattern", Some(Value::from(like_to_regex(&pattern, escape))))]))
}

fn any_like(kwargs: &mut RuleParams) -> Params {
    require_any_match(kwargs)?;
    like_list(kwargs)
}

fn like_list(kwargs: &mut RuleParams) -> Params {
    let patterns = strings(kwargs.require_list(&["like_pattern_list"])?, "like_pattern_list")?;
    let escape = like_escape(kwargs)?;
    let regexes = patterns.iter().map(|p| like_to_regex(p, escape)).collect();
    Ok(params([("pattern", Some(Value::from(alternation(regexes))))]))
}

fn require_any_match(kwargs: &mut RuleParams) -> Result<(), String> {
    match kwargs.take(&["match_on"])? {
        None => Ok(()),
        Some(Value::String(on)) if on == "any" => Ok(()),
        Some(other) => Err(format!("'match_on' {other} is not supported (only \"any\")")),
    }
}

fn like_escape(kwargs: &mut RuleParams) -> Result<Option<char>, String> {
    match kwargs.take(&["escape"])? {
        None => Ok(None),
        Some(Value::String(s)) if s.chars().count() == 1 => Ok(s.chars().next()),
        Some(other) => Err(format!("'escape' must be one character, got {other}")),
    }
}

/// `%` is any run of characters, `_` one character, `escape` makes the next character literal.
fn like_to_regex(pattern: &str, escape: Option<char>) -> String {
    let mut regex = String::from("(?s)^");
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            c if Some(c) == escape => {
                if let Some(literal) = chars.next() {
                    regex.push_str(&regex::escape(&literal.to_string()));
                }
            }
            '%' => regex.push_str(".*"),
            '_' => regex.push('.'),
            c => regex.push_str(&regex::escape(&c.to_string())),
        }
    }
    regex.push('$');
    regex
}

/// Patterns joined so that the whole matches where any of them matches.
fn alternation(patterns: Vec<String>) -> String {
    patterns.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|")
}

fn strings(values: Vec<Value>, name: &str) -> Result<Vec<String>, String> {
    values
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s),
            other => Err(format!("'{name}' must list strings, got {other}")),
        })
        .collect()
}

/// A pandas, numpy or Python type name as a `dtype` rule understands it (`datetime64[ns]` is a
/// datetime of any unit).
fn type_name(kwargs: &mut RuleParams) -> Params {
    let written = kwargs.require_string(&["type_"])?;
    let base = written.split(['[', '(']).next().unwrap_or_default().trim().to_string();
    Ok(params([("dtype", Some(Value::from(base)))]))
}

fn strictly(kwargs: &mut RuleParams) -> Params {
    Ok(params([("strictly", kwargs.take_bool(&["strictly"])?.map(Value::from))]))
}

fn strftime_format(kwargs: &mut RuleParams) -> Params {
    Ok(params([("format", Some(Value::from(kwargs.require_string(&["strftime_format"])?)))]))
}

/// `quantile_ranges: {quantiles: [...], value_ranges: [[lo, hi], ...]}`. GX on pandas reads
/// `allow_relative_error` as the interpolation (`nearest` when false or absent).
fn quantile_ranges(kwargs: &mut RuleParams) -> Params {
    let interpolation = match kwargs.take(&["allow_relative_error"])? {
        None | Some(Value::Bool(false)) => None,
        Some(Value::String(name)) => Some(Value::from(name)),
        Some(other) => {
            return Err(format!("'allow_relative_error' {other} is not supported (only an interpolation name)"));
        }
    };
    let Some(Value::Object(mut ranges)) = kwargs.take(&["quantile_ranges"])? else {
        return Err("'quantile_ranges' must be a mapping with 'quantiles' and 'value_ranges'".into());
    };
    let (Some(quantiles), Some(value_ranges)) = (ranges.remove("quantiles"), ranges.remove("value_ranges")) else {
        return Err("'quantile_ranges' must give 'quantiles' and 'value_ranges'".into());
    };
    if let Some(key) = ranges.keys().next() {
        return Err(format!("unknown key '{key}' in 'quantile_ranges' (expected quantiles, value_ranges)"));
    }
    Ok(params([("quantiles", Some(quantiles)), ("ranges", Some(value_ranges)), ("interpolation", interpolation)]))
}

fn most_common(kwargs: &mut RuleParams) -> Params {
    let values = kwargs.require_list(&["value_set"])?;
    Ok(params([
        ("values", Some(Value::Array(values))),
        ("ties_okay", kwargs.take_bool(&["ties_okay"])?.map(Value::from)),
    ]))
}

/// `unique` over several columns has no `ignore_row_if`: only GX's default is supported.
fn default_row_filter(kwargs: &mut RuleParams, default: &str) -> Result<(), String> {
    match kwargs.take(&["ignore_row_if"])? {
        None => Ok(()),
        Some(Value::String(s)) if s == default => Ok(()),
        Some(other) => Err(format!("'ignore_row_if' {other} is not supported (only \"{default}\")")),
    }
}

/// The rules over pairs and several columns take GX's `ignore_row_if` values as they are.
fn row_filter(kwargs: &mut RuleParams) -> Result<Option<Value>, String> {
    kwargs.take(&["ignore_row_if"])
}

fn pair(kwargs: &mut RuleParams) -> Params {
    Ok(params([
        ("column_a", Some(Value::from(kwargs.require_string(&["column_A"])?))),
        ("column_b", Some(Value::from(kwargs.require_string(&["column_B"])?))),
        ("ignore_row_if", row_filter(kwargs)?),
    ]))
}

fn pair_order(kwargs: &mut RuleParams) -> Params {
    let mut translated = pair(kwargs)?;
    if let Some(or_equal) = kwargs.take_bool(&["or_equal"])? {
        translated.insert("or_equal".into(), Value::from(or_equal));
    }
    Ok(translated)
}

fn compound_columns(kwargs: &mut RuleParams) -> Params {
    default_row_filter(kwargs, "all_values_are_missing")?;
    Ok(params([("columns", Some(Value::Array(kwargs.require_list(&["column_list"])?)))]))
}

fn multicolumn_sum(kwargs: &mut RuleParams) -> Params {
    let columns = kwargs.require_list(&["column_list"])?;
    let total = kwargs.take_number(&["sum_total"])?.ok_or("missing required field 'sum_total'")?;
    Ok(params([
        ("columns", Some(Value::Array(columns))),
        ("sum_total", Some(total)),
        ("ignore_row_if", row_filter(kwargs)?),
    ]))
}

/// `exact_match` defaults to true in GX; it is passed on explicitly.
fn column_set(kwargs: &mut RuleParams) -> Params {
    let columns = kwargs.require_list(&["column_set"])?;
    let exact = kwargs.take_bool(&["exact_match"])?.unwrap_or(true);
    Ok(params([("columns", Some(Value::Array(columns))), ("exact_match", Some(Value::from(exact)))]))
}

fn column_list(kwargs: &mut RuleParams) -> Params {
    Ok(params([("columns", Some(Value::Array(kwargs.require_list(&["column_list"])?)))]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn translate(name: &str, kwargs: Value) -> Result<Value, String> {
        let expectation = find(name).unwrap();
        let mut kwargs = RuleParams::new(kwargs.as_object().unwrap().clone());
        let translated = (expectation.translate)(&mut kwargs)?;
        kwargs.finish()?;
        Ok(Value::Object(translated))
    }

    #[test]
    fn names_are_unique_and_none_is_both_supported_and_unsupported() {
        for (i, expectation) in EXPECTATIONS.iter().enumerate() {
            assert!(EXPECTATIONS[..i].iter().all(|e| e.name != expectation.name), "{}", expectation.name);
            assert!(UNSUPPORTED.iter().all(|(name, _)| *name != expectation.name), "{}", expectation.name);
        }
    }

    #[test]
    fn bounds_pass_through_and_counts_fold_strictness() {
        let between = json!({"min_value": 0, "max_value": 9.5, "strict_max": true});
        assert_eq!(
            translate("expect_column_values_to_be_between", between).unwrap(),
            json!({"min": 0, "max": 9.5, "strict_max": true})
        );
        let lengths = json!({"min_value": 2, "max_value": 5, "strict_min": true, "strict_max": true});
        assert_eq!(
            translate("expect_column_value_lengths_to_be_between", lengths).unwrap(),
            json!({"min": 3, "max": 4})
        );
        assert_eq!(
            translate("expect_table_row_count_to_equal", json!({"value": 7})).unwrap(),
            json!({"min": 7, "max": 7})
        );
        let error = translate("expect_table_row_count_to_be_between", json!({"max_value": 0, "strict_max": true}));
        assert!(error.unwrap_err().contains("never hold"));
    }

    #[test]
    fn regex_lists_and_like_patterns_become_one_pattern() {
        let any = json!({"regex_list": ["^a", "b$"], "match_on": "any"});
        assert_eq!(
            translate("expect_column_values_to_match_regex_list", any).unwrap(),
            json!({"pattern": "(?:^a)|(?:b$)"})
        );
        let all =
            translate("expect_column_values_to_match_regex_list", json!({"regex_list": ["a"], "match_on": "all"}));
        assert!(all.unwrap_err().contains("'match_on'"));
        assert_eq!(like_to_regex("a%b_c.", None), r"(?s)^a.*b.c\.$");
        assert_eq!(like_to_regex(r"100\%", Some('\\')), r"(?s)^100%$");
        let listed = json!({"like_pattern_list": ["x%", "%y"]});
        assert_eq!(
            translate("expect_column_values_to_not_match_like_pattern_list", listed).unwrap(),
            json!({"pattern": "(?:(?s)^x.*$)|(?:(?s)^.*y$)"})
        );
    }

    #[test]
    fn aggregates_and_multicolumn_expectations_use_the_vocabulary_names() {
        let quantiles = json!({"quantile_ranges": {"quantiles": [0.5], "value_ranges": [[1, null]]}});
        assert_eq!(
            translate("expect_column_quantile_values_to_be_between", quantiles).unwrap(),
            json!({"quantiles": [0.5], "ranges": [[1, null]]})
        );
        let linear = json!({"quantile_ranges": {"quantiles": [0.5], "value_ranges": [[1, 2]]}, "allow_relative_error": "linear"});
        assert_eq!(
            translate("expect_column_quantile_values_to_be_between", linear).unwrap()["interpolation"],
            "linear"
        );
        let pair = json!({"column_A": "end", "column_B": "start", "or_equal": true, "ignore_row_if": "neither"});
        assert_eq!(
            translate("expect_column_pair_values_a_to_be_greater_than_b", pair).unwrap(),
            json!({"column_a": "end", "column_b": "start", "ignore_row_if": "neither", "or_equal": true})
        );
        assert_eq!(
            translate("expect_table_columns_to_match_set", json!({"column_set": ["a"]})).unwrap(),
            json!({"columns": ["a"], "exact_match": true})
        );
        assert_eq!(
            translate("expect_multicolumn_sum_to_equal", json!({"column_list": ["a", "b"], "sum_total": 10})).unwrap(),
            json!({"columns": ["a", "b"], "sum_total": 10})
        );
        let filtered = json!({"column_list": ["a"], "ignore_row_if": "any_value_is_missing"});
        assert!(translate("expect_compound_columns_to_be_unique", filtered).unwrap_err().contains("ignore_row_if"));
    }

    #[test]
    fn type_names_lose_their_unit_and_shares_their_upper_bound() {
        assert_eq!(
            translate("expect_column_values_to_be_of_type", json!({"type_": "datetime64[ns]"})).unwrap(),
            json!({"dtype": "datetime64"})
        );
        let share = "expect_column_proportion_of_non_null_values_to_be_between";
        assert_eq!(translate(share, json!({"min_value": 0.9, "max_value": 1})).unwrap(), json!({"min_ratio": 0.9}));
        assert!(translate(share, json!({"max_value": 0.5})).unwrap_err().contains("from below only"));
    }

    #[test]
    fn unknown_kwargs_are_refused() {
        let error = translate("expect_column_values_to_be_in_set", json!({"value_set": [1], "valueset": [2]}));
        assert!(error.unwrap_err().contains("unknown parameter 'valueset'"));
    }
}
