//! Rule learning: constraint suggestion over a profile (no second scan), after Deequ and the
//! seed's learn script. Every suggestion comes from an exact fact of the profile, so the learned
//! rule file holds on the data it was learned from; facts that are only estimates (distinct
//! counts beyond the exact limit) suggest nothing.

use crate::model::{ColumnProfile, ProfileOptions, ProfileResult};
use serde_json::{Map, Value, json};

/// Options of rule learning (the seed's `LearnScriptConfig`, plus the range margin).
#[derive(Debug, Clone, PartialEq)]
pub struct LearnOptions {
    /// Rules with a lower confidence are left out.
    pub min_confidence: f64,
    /// Suggest a named format or a generalised regex for string columns.
    pub include_patterns: bool,
    /// Suggest value ranges for numeric, date and timestamp columns.
    pub include_ranges: bool,
    /// Suggest value lists for categorical columns.
    pub include_categories: bool,
    /// Most distinct values a categorical column may have.
    pub categorical_threshold: u32,
    /// Numeric ranges are widened by this share of their width on each side.
    pub range_margin: f64,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            min_confidence: 0.8,
            include_patterns: true,
            include_ranges: true,
            include_categories: true,
            categorical_threshold: 50,
            range_margin: 0.1,
        }
    }
}

/// A suggested rule.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedRule {
    pub rule_type: String,
    pub column: String,
    /// The rule's parameters (a JSON object).
    pub parameters: Map<String, Value>,
    /// How sure the data makes the suggestion, from 0 to 1.
    pub confidence: f64,
    /// Why it was suggested.
    pub reason: String,
}

impl LearnedRule {
    /// The rule as a rule-document entry.
    pub fn to_rule(&self) -> Value {
        let mut rule = Map::new();
        rule.insert("type".into(), self.rule_type.clone().into());
        rule.insert("column".into(), self.column.clone().into());
        rule.extend(self.parameters.clone());
        Value::Object(rule)
    }
}

/// The rules learned from a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnResult {
    /// Rules at or above `min_confidence`, column by column.
    pub rules: Vec<LearnedRule>,
    /// Suggestions before the confidence filter.
    pub rules_before_filter: u32,
    /// The rules as a YAML rule document that `check` takes as it is.
    pub rule_document: String,
}

/// Distinct values learning counts exactly per column, so `unique` can be learned for columns of
/// up to this many rows (about 50 bytes of memory per distinct value).
pub const LEARN_DISTINCT_LIMIT: u32 = 2_000_000;

/// The profile options learning needs: every value of a categorical column listed, distinct
/// counts exact up to [`LEARN_DISTINCT_LIMIT`], shapes of strings when patterns are asked for.
pub fn profile_options(options: &LearnOptions, sample_size: u64) -> ProfileOptions {
    ProfileOptions {
        include_stats: false,
        include_histograms: false,
        sample_size,
        top_n: options.categorical_threshold,
        distinct_limit: LEARN_DISTINCT_LIMIT,
        infer_patterns: options.include_patterns,
    }
}

/// The lower end of the 95% Wilson score interval of a proportion `successes / trials`.
pub fn wilson_lower_bound(successes: u64, trials: u64) -> f64 {
    if trials == 0 {
        return 0.0;
    }
    let (n, p, z) = (trials as f64, successes as f64 / trials as f64, 1.96f64);
    let centre = p + z * z / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - spread) / (1.0 + z * z / n)).clamp(0.0, 1.0)
}

/// Rounds a confidence for reports (four decimals, like the seed's ratios).
fn round4(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Learns rules from `profile`.
pub fn learn(profile: &ProfileResult, options: &LearnOptions) -> LearnResult {
    let mut suggested = Vec::new();
    for column in &profile.columns {
        suggest_for_column(column, options, &mut suggested);
    }
    let rules_before_filter = suggested.len() as u32;
    let rules: Vec<LearnedRule> = suggested.into_iter().filter(|r| r.confidence >= options.min_confidence).collect();
    let rule_document = rule_document(&rules, profile.row_count);
    LearnResult { rules, rules_before_filter, rule_document }
}

fn suggest_for_column(column: &ColumnProfile, options: &LearnOptions, out: &mut Vec<LearnedRule>) {
    let mut suggest = |rule_type: &str, parameters: Value, confidence: f64, reason: String| {
        let parameters = match parameters {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        out.push(LearnedRule {
            rule_type: rule_type.into(),
            column: column.name.clone(),
            parameters,
            confidence: round4(confidence),
            reason,
        });
    };
    let non_null = column.count - column.null_count;
    let family = type_family(&column.logical_type);
    suggest(
        "dtype",
        json!({ "dtype": learned_dtype(&column.logical_type) }),
        1.0,
        format!("the column has type {}", column.logical_type),
    );
    if column.count > 0 && column.null_count == 0 {
        let confidence = wilson_lower_bound(column.count, column.count);
        suggest("not_null", json!({}), confidence, format!("no nulls in {} rows", column.count));
    } else if column.count > 0 && non_null > 0 {
        let lower = wilson_lower_bound(non_null, column.count);
        let precision = 1.0 - (non_null as f64 / column.count as f64 - lower);
        let reason = format!(
            "{non_null} of {} rows are not null; the ratio's 95% lower bound is {}",
            column.count,
            round4(lower)
        );
        suggest("completeness_ratio", json!({ "min_ratio": floor4(lower) }), precision, reason);
    }
    if non_null > 1 && !column.distinct_estimated && column.distinct_count == non_null && family != Family::Bool {
        let confidence = wilson_lower_bound(non_null, non_null);
        suggest("unique", json!({}), confidence, format!("all {non_null} values are distinct"));
    }
    if options.include_ranges
        && matches!(family, Family::Number | Family::Temporal)
        && let (Some(min), Some(max)) = (json_value(&column.min), json_value(&column.max))
    {
        let (min, max) = if family == Family::Number { widen(&min, &max, options.range_margin) } else { (min, max) };
        let reason = format!("values lie between {} and {}", show(&column.min), show(&column.max));
        suggest("in_range", json!({ "min": min, "max": max }), 1.0, reason);
    }
    let categorical = options.include_categories
        && !column.distinct_estimated
        && column.distinct_count > 0
        && column.distinct_count <= u64::from(options.categorical_threshold)
        && column.top_values.len() as u64 == column.distinct_count
        && non_null >= 2 * column.distinct_count
        // Dates and floats are measurements, not categories.
        && matches!(family, Family::Text | Family::Bool | Family::Number)
        && !column.logical_type.starts_with("float");
    if categorical {
        let mut values: Vec<Value> = column.top_values.iter().map(|v| typed_value(&v.value, family)).collect();
        values.sort_by_key(|v| v.to_string());
        let confidence = 1.0 - column.distinct_count as f64 / non_null as f64;
        let reason = format!("{} distinct values in {non_null} rows", column.distinct_count);
        suggest("in_set", json!({ "values": values }), confidence, reason);
    }
    if family == Family::Text && non_null > 0 {
        if let (Some(min), Some(max)) = (column.length_min, column.length_max) {
            suggest("min_length", json!({ "value": min }), 1.0, format!("the shortest value has {min} characters"));
            suggest("max_length", json!({ "value": max }), 1.0, format!("the longest value has {max} characters"));
        }
        if options.include_patterns && !categorical {
            let confidence = wilson_lower_bound(non_null, non_null);
            if let Some(format) = &column.format {
                suggest(format, json!({}), confidence, format!("every value is a valid {format}"));
            } else if let Some(pattern) = &column.pattern {
                suggest(
                    "regex",
                    json!({ "pattern": pattern }),
                    confidence,
                    "every value has one of a few shapes".into(),
                );
            }
        }
    }
}

/// Rounds a ratio down to four decimals, so the rounded bound still holds.
fn floor4(value: f64) -> f64 {
    (value * 10_000.0).floor() / 10_000.0
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Family {
    Number,
    Temporal,
    Text,
    Bool,
    Other,
}

fn type_family(logical_type: &str) -> Family {
    let starts = |prefix: &str| logical_type.starts_with(prefix);
    if starts("int") || starts("uint") || starts("float") || starts("decimal") {
        Family::Number
    } else if starts("date") || starts("timestamp") {
        Family::Temporal
    } else if logical_type == "string" {
        Family::Text
    } else if logical_type == "bool" {
        Family::Bool
    } else {
        Family::Other
    }
}

/// The dtype to assert: the exact width for numbers, the family otherwise (so a CSV and a
/// Parquet file of the same data agree on dates and timestamps).
fn learned_dtype(logical_type: &str) -> String {
    match type_family(logical_type) {
        Family::Temporal if logical_type.starts_with("timestamp") => "datetime".into(),
        _ if logical_type.starts_with("decimal") => "decimal".into(),
        _ => logical_type.into(),
    }
}

fn json_value(text: &Option<String>) -> Option<Value> {
    serde_json::from_str(text.as_deref()?).ok()
}

fn show(text: &Option<String>) -> String {
    match json_value(text) {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => "?".into(),
    }
}

/// Widens a numeric range by `margin` of its width on each side; integers stay integers.
fn widen(min: &Value, max: &Value, margin: f64) -> (Value, Value) {
    match (min.as_i64(), max.as_i64()) {
        (Some(low), Some(high)) => {
            let pad = ((high - low) as f64 * margin).ceil() as i64;
            (json!(low.saturating_sub(pad)), json!(high.saturating_add(pad)))
        }
        _ => match (min.as_f64(), max.as_f64()) {
            (Some(low), Some(high)) => {
                let pad = (high - low) * margin;
                (json!(low - pad), json!(high + pad))
            }
            _ => (min.clone(), max.clone()),
        },
    }
}

/// A listed value in the column's terms: numbers and booleans as JSON, the rest as text.
fn typed_value(text: &str, family: Family) -> Value {
    match family {
        Family::Number | Family::Bool => serde_json::from_str(text).unwrap_or_else(|_| text.into()),
        _ => text.into(),
    }
}

/// The rules as YAML, one flow mapping per rule with its confidence and reason as a comment.
pub fn rule_document(rules: &[LearnedRule], row_count: u64) -> String {
    let mut text =
        format!("# Learned by truthound-kestra from {row_count} rows; confidence per rule in its comment.\nrules:\n");
    if rules.is_empty() {
        text = text.replace("rules:\n", "rules: []\n");
    }
    for rule in rules {
        let fields: Vec<String> = rule
            .to_rule()
            .as_object()
            .map(|map| map.iter().map(|(key, value)| format!("{key}: {value}")).collect())
            .unwrap_or_default();
        text.push_str(&format!(
            "  - {{{}}}  # confidence {:.4}: {}\n",
            fields.join(", "),
            rule.confidence,
            rule.reason
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_bounds_grow_with_evidence() {
        assert!(wilson_lower_bound(10, 10) < 0.75);
        assert!(wilson_lower_bound(1000, 1000) > 0.996);
        assert!(wilson_lower_bound(950, 1000) < 0.95);
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
    }

    #[test]
    fn ranges_widen_and_integers_stay_integers() {
        assert_eq!(widen(&json!(0), &json!(100), 0.1), (json!(-10), json!(110)));
        assert_eq!(widen(&json!(1.0), &json!(2.0), 0.5), (json!(0.5), json!(2.5)));
    }
}
