//! Rules on the distinct values of a column: `distinct_count_between`, `unique_ratio_between`
//! (distinct non-null values / non-null values), `distinct_values_in_set`,
//! `distinct_values_contain_set`, `distinct_values_equal_set` and `most_common_value_in_set`
//! (`ties_okay`). Nulls are not values, as in Great Expectations. Counting is exact.

use super::interval::{INTERVAL_PARAMS, Interval};
use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table, require_column};
use crate::analyzers::{SHOWN_VALUES, ValueSummary, ValuesMetric};
use crate::document::RuleSpec;
use crate::values::{Number, has_value_key, value_key};
use arrow_schema::{DataType, Schema};
use serde_json::{Value, json};
use std::collections::HashSet;

/// How the distinct-value rules treat nulls.
const NULLS: &str = "ignored: a null is not a value, so it is neither counted nor listed.";

/// The `values` parameter of the set rules.
const VALUES: ParamDoc = ParamDoc {
    names: &["values", "value_set"],
    meaning: "the listed values (strings, numbers, booleans; ISO text for dates and timestamps)",
    default: None,
};

/// How listed values are matched.
const MATCHING: &str = "Listed values match as the column's type reads them: `\"1\"` matches the integer 1, \
                        `'2024-01-31'` a date. Counting is exact; the observed value lists up to 20 distinct values.";

/// One set rule's registry entry.
macro_rules! set_rule {
    ($name:literal, $build:ident, $summary:literal, $example:literal) => {
        RuleType {
            name: $name,
            aliases: &[],
            build: $build,
            doc: RuleDoc {
                summary: $summary,
                shape: Shape::Column,
                params: &[VALUES],
                nulls: NULLS,
                details: MATCHING,
                example: $example,
            },
        }
    };
}

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "distinct_count_between",
        aliases: &[],
        build: build_distinct_count_between,
        doc: RuleDoc {
            summary: "The number of distinct values lies within the bounds.",
            shape: Shape::Column,
            params: INTERVAL_PARAMS,
            nulls: NULLS,
            details: "Exact: each distinct value costs its bytes and about 35 more, up to `--memory-budget`; past it the values spill to disk.",
            example: "- {type: distinct_count_between, column: country, min: 10, max: 250}",
        },
    },
    RuleType {
        name: "unique_ratio_between",
        aliases: &[],
        build: build_unique_ratio_between,
        doc: RuleDoc {
            summary: "Distinct values divided by non-null values lies within the bounds.",
            shape: Shape::Column,
            params: INTERVAL_PARAMS,
            nulls: NULLS,
            details: "Great Expectations' proportion of unique values; 0 for a column without values.",
            example: "- {type: unique_ratio_between, column: email, min: 0.99}",
        },
    },
    set_rule!(
        "distinct_values_in_set",
        build_distinct_values_in_set,
        "Every distinct value is listed (values may be missing).",
        "- {type: distinct_values_in_set, column: status, values: [active, inactive, pending]}"
    ),
    set_rule!(
        "distinct_values_contain_set",
        build_distinct_values_contain_set,
        "Every listed value occurs (other values may occur too).",
        "- {type: distinct_values_contain_set, column: country, values: [US, DE]}"
    ),
    set_rule!(
        "distinct_values_equal_set",
        build_distinct_values_equal_set,
        "The distinct values are exactly the listed ones.",
        "- {type: distinct_values_equal_set, column: status, values: [active, inactive, pending]}"
    ),
    RuleType {
        name: "most_common_value_in_set",
        aliases: &[],
        build: build_most_common_value_in_set,
        doc: RuleDoc {
            summary: "The most common value is listed.",
            shape: Shape::Column,
            params: &[
                VALUES,
                ParamDoc {
                    names: &["ties_okay"],
                    meaning: "with several equally common values, pass when one of them is listed (else a tie fails)",
                    default: Some("false"),
                },
            ],
            nulls: NULLS,
            details: MATCHING,
            example: "- {type: most_common_value_in_set, column: status, values: [active]}",
        },
    },
];

/// What a distinct-value rule asserts.
#[derive(Debug, Clone, PartialEq)]
enum Assertion {
    /// The number of distinct values lies in the interval.
    Count(Interval),
    /// Distinct values / non-null values lies in the interval.
    Ratio(Interval),
    /// Every distinct value is listed.
    InSet(Vec<Value>),
    /// Every listed value occurs.
    ContainSet(Vec<Value>),
    /// Both.
    EqualSet(Vec<Value>),
    /// The most common value is listed (with `ties_okay`, one of several equally common ones).
    MostCommonInSet(Vec<Value>, bool),
}

struct DistinctRule {
    rule_type: &'static str,
    column: String,
    assertion: Assertion,
    analyzer: usize,
}

fn build(spec: &mut RuleSpec, rule_type: &'static str, assertion: Assertion) -> Result<Box<dyn Rule>, String> {
    spec.forbid_mostly()?;
    Ok(Box::new(DistinctRule { rule_type, column: spec.required_column()?, assertion, analyzer: usize::MAX }))
}

fn take_values(spec: &mut RuleSpec) -> Result<Vec<Value>, String> {
    let values = spec.params.require_list(&["values", "value_set"])?;
    if let Some(bad) = values.iter().find(|v| !(v.is_string() || v.is_number() || v.is_boolean())) {
        return Err(format!("the value list can hold strings, numbers and booleans, not {bad}"));
    }
    Ok(values)
}

fn build_distinct_count_between(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let interval = Interval::take(spec)?;
    build(spec, "distinct_count_between", Assertion::Count(interval))
}

fn build_unique_ratio_between(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let interval = Interval::take(spec)?;
    build(spec, "unique_ratio_between", Assertion::Ratio(interval))
}

fn build_distinct_values_in_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let values = take_values(spec)?;
    build(spec, "distinct_values_in_set", Assertion::InSet(values))
}

fn build_distinct_values_contain_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let values = take_values(spec)?;
    build(spec, "distinct_values_contain_set", Assertion::ContainSet(values))
}

fn build_distinct_values_equal_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let values = take_values(spec)?;
    build(spec, "distinct_values_equal_set", Assertion::EqualSet(values))
}

fn build_most_common_value_in_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let ties_okay = spec.params.take_bool(&["ties_okay"]);
    let values = take_values(spec)?;
    let ties_okay = ties_okay?.unwrap_or(false);
    build(spec, "most_common_value_in_set", Assertion::MostCommonInSet(values, ties_okay))
}

impl DistinctRule {
    /// The values a set assertion lists (none for the count assertions).
    fn listed_values(&self) -> Option<&[Value]> {
        match &self.assertion {
            Assertion::Count(_) | Assertion::Ratio(_) => None,
            Assertion::InSet(values)
            | Assertion::ContainSet(values)
            | Assertion::EqualSet(values)
            | Assertion::MostCommonInSet(values, _) => Some(values),
        }
    }

    fn listed_keys(values: &[Value], data_type: &DataType) -> HashSet<Vec<u8>> {
        values.iter().filter_map(|v| value_key(v, data_type)).collect()
    }

    /// Evaluates a set assertion over the value list.
    fn evaluate_set(&self, metric: &ValuesMetric) -> (bool, Value, String) {
        let Some(listed_values) = self.listed_values() else { unreachable!("count assertions are not set assertions") };
        let data_type = &metric.data_type;
        let empty = ValueSummary::watching([]);
        let summary = metric.summary.as_ref().unwrap_or(&empty);
        let listed = Self::listed_keys(listed_values, data_type);
        let column = &self.column;
        if let Assertion::MostCommonInSet(_, ties_okay) = self.assertion {
            let (top, mode_count, shown) = summary.most_common();
            let listed_modes = listed.iter().filter(|key| top > 0 && summary.count_of(key) == top).count();
            let passed = if ties_okay { listed_modes > 0 } else { mode_count == 1 && listed_modes == 1 };
            let message = if mode_count == 0 {
                format!("'{column}' has no values")
            } else {
                let verdict = if passed { "satisfies" } else { "does not satisfy" };
                format!(
                    "the most common value of '{column}' ({top} times): {}, which {verdict} the list",
                    shown.join(", ")
                )
            };
            return (passed, json!(shown), message);
        }
        let present_listed = listed.iter().filter(|key| summary.count_of(key) > 0).count() as u64;
        let missing: Vec<&Value> = listed_values
            .iter()
            .filter(|v| value_key(v, data_type).is_none_or(|key| summary.count_of(&key) == 0))
            .collect();
        let (check_unlisted, check_missing) = match self.assertion {
            Assertion::InSet(_) => (true, false),
            Assertion::ContainSet(_) => (false, true),
            _ => (true, true),
        };
        let mut problems = Vec::new();
        let unlisted_count = metric.distinct - present_listed;
        if check_unlisted && unlisted_count > 0 {
            let shown = summary.first_values(|key| listed.contains(key));
            problems.push(format!("{unlisted_count} unlisted value(s): {}", shown.join(", ")));
        }
        if check_missing && !missing.is_empty() {
            let shown: Vec<String> = missing.iter().take(SHOWN_VALUES).map(|v| v.to_string()).collect();
            problems.push(format!("{} listed value(s) never occur: {}", missing.len(), shown.join(", ")));
        }
        let observed = json!(summary.first_values(|_| false));
        let message = if problems.is_empty() {
            format!("the {} distinct values of '{column}' match the list", metric.distinct)
        } else {
            format!("the distinct values of '{column}' do not match the list: {}", problems.join("; "))
        };
        (problems.is_empty(), observed, message)
    }
}

impl Rule for DistinctRule {
    fn rule_type(&self) -> &'static str {
        self.rule_type
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        match &self.assertion {
            Assertion::Count(interval) | Assertion::Ratio(interval) => interval.parameters(),
            Assertion::MostCommonInSet(values, ties_okay) => json!({ "values": values, "ties_okay": ties_okay }),
            Assertion::InSet(values) | Assertion::ContainSet(values) | Assertion::EqualSet(values) => {
                json!({ "values": values })
            }
        }
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = planner.distinct_values(std::slice::from_ref(&self.column), self.listed_values());
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)?;
        let data_type = schema.field_with_name(&self.column).map_err(|e| e.to_string())?.data_type();
        if !(has_value_key(data_type) || *data_type == DataType::Null) {
            return Err(format!("column '{}' has type {data_type}, whose values cannot be compared", self.column));
        }
        match &self.assertion {
            Assertion::Count(interval) => interval.resolve(&DataType::Int64).map(|_| ()),
            Assertion::Ratio(interval) => interval.resolve(&DataType::Float64).map(|_| ()),
            _ => Ok(()),
        }
        .map_err(|e| format!("the bounds do not fit: the count {e}"))
    }
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let metric = table.metrics[self.analyzer].values();
        let evaluated = metric.rows.evaluated;
        let (passed, observed, message) = match &self.assertion {
            Assertion::Count(interval) => {
                let count = Number::Int(metric.distinct as i128);
                let passed = interval.resolve(&DataType::Int64).is_ok_and(|r| r.contains(count));
                let verdict = if passed { "is" } else { "is not" };
                let message = format!(
                    "'{}' has {} distinct values, which {verdict} {}",
                    self.column,
                    metric.distinct,
                    interval.describe()
                );
                (passed, json!(metric.distinct), message)
            }
            Assertion::Ratio(interval) => {
                let ratio = if evaluated == 0 { 0.0 } else { metric.distinct as f64 / evaluated as f64 };
                let passed = interval.resolve(&DataType::Float64).is_ok_and(|r| r.contains(Number::Float(ratio)));
                let verdict = if passed { "is" } else { "is not" };
                let message = format!(
                    "{} of {evaluated} values of '{}' are distinct (ratio {ratio}), which {verdict} {}",
                    metric.distinct,
                    self.column,
                    interval.describe()
                );
                (passed, json!(ratio), message)
            }
            _ => self.evaluate_set(metric),
        };
        Outcome { passed, evaluated, unexpected: 0, samples: Vec::new(), observed, message }
    }
    fn cost(&self) -> u32 {
        10
    }
}
