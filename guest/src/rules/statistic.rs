//! Rules on one statistic of a column: `min_between`, `max_between`, `mean_between`,
//! `median_between`, `stdev_between`, `sum_between` (bounds as `in_range`: `min`, `max`,
//! `strict_min`, `strict_max`), and `quantile_between` (`quantiles` with one `[low, high]` range
//! each, null for an open end). Nulls and NaNs are left out, as in pandas and Great
//! Expectations; the statistics are exact (sums are exact, quantiles come from every value).

use super::interval::{INTERVAL_PARAMS, Interval};
use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table, require_column};
use crate::analyzers::Interpolation;
use crate::document::RuleSpec;
use crate::values::{Number, ValueKind, number_to_json, value_kind};
use arrow_schema::{DataType, Schema};
use serde_json::{Value, json};

/// How the statistic rules treat nulls and NaN.
const NULLS: &str = "ignored, as are NaN values (pandas and Great Expectations leave them out too); a column without \
                     values fails the rule, except `sum_between`, for which the sum of no values is 0.";

/// One statistic rule's registry entry.
macro_rules! statistic_rule {
    ($name:literal, $build:ident, $summary:literal, $details:literal, $example:literal) => {
        RuleType {
            name: $name,
            aliases: &[],
            build: $build,
            doc: RuleDoc {
                summary: $summary,
                shape: Shape::Column,
                params: INTERVAL_PARAMS,
                nulls: NULLS,
                details: $details,
                example: $example,
            },
        }
    };
}

pub(super) const RULES: &[RuleType] = &[
    statistic_rule!(
        "min_between",
        build_min_between,
        "The smallest value lies within the bounds.",
        "Numbers, dates and timestamps (bounds as ISO text for the latter); integers compared exactly.",
        "- {type: min_between, column: amount, min: 0}\n- {type: min_between, column: shipped_at, min: '2024-01-01'}"
    ),
    statistic_rule!(
        "max_between",
        build_max_between,
        "The largest value lies within the bounds.",
        "Numbers, dates and timestamps (bounds as ISO text for the latter); integers compared exactly.",
        "- {type: max_between, column: amount, max: 10000}"
    ),
    statistic_rule!(
        "mean_between",
        build_mean_between,
        "The mean of the values lies within the bounds.",
        "Numeric columns. The mean comes from an exact sum, so it is the same for any split of the data.",
        "- {type: mean_between, column: amount, min: 10, max: 500}"
    ),
    statistic_rule!(
        "median_between",
        build_median_between,
        "The median lies within the bounds.",
        "Numeric columns. The exact median as pandas computes it: the middle value, or the mean of the two \
         middle values. Keeps every value (8 bytes each), past `--memory-budget` in sorted runs on disk.",
        "- {type: median_between, column: amount, min: 100, max: 300}"
    ),
    statistic_rule!(
        "stdev_between",
        build_stdev_between,
        "The sample standard deviation (divisor n - 1) lies within the bounds.",
        "Numeric columns. Computed from exact sums of values and squares around the mean, so there is no \
         cancellation and no dependence on how the data was split.",
        "- {type: stdev_between, column: amount, max: 250}"
    ),
    statistic_rule!(
        "sum_between",
        build_sum_between,
        "The sum of the values lies within the bounds.",
        "Numeric columns. The sum is exact before its final rounding to a float.",
        "- {type: sum_between, column: quantity, min: 1}"
    ),
    RuleType {
        name: "quantile_between",
        aliases: &[],
        build: build_quantile_between,
        doc: RuleDoc {
            summary: "Each listed quantile lies within its range.",
            shape: Shape::Column,
            params: &[
                ParamDoc { names: &["quantiles"], meaning: "the quantiles, each from 0 to 1", default: None },
                ParamDoc {
                    names: &["ranges", "value_ranges"],
                    meaning: "one `[low, high]` per quantile, inclusive; `null` leaves an end open",
                    default: None,
                },
                ParamDoc {
                    names: &["interpolation", "allow_relative_error"],
                    meaning: "how a quantile between two values is chosen: `nearest`, `linear`, `lower`, `higher` or \
                              `midpoint` (numpy's names)",
                    default: Some("nearest, as Great Expectations"),
                },
            ],
            nulls: NULLS,
            details: "Numeric columns. Quantiles are exact: every value is kept (8 bytes each; past `--memory-budget` \
                      in sorted runs on disk) and the values at the quantiles' positions are picked in sorted order. \
                      The observed value lists the quantiles and their values.",
            example: "- {type: quantile_between, column: amount, quantiles: [0.5, 0.9], ranges: [[100, 300], [null, 900]]}",
        },
    },
];

/// The statistic a rule bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Statistic {
    Min,
    Max,
    Mean,
    Median,
    Stdev,
    Sum,
}

impl Statistic {
    fn rule_type(self) -> &'static str {
        match self {
            Statistic::Min => "min_between",
            Statistic::Max => "max_between",
            Statistic::Mean => "mean_between",
            Statistic::Median => "median_between",
            Statistic::Stdev => "stdev_between",
            Statistic::Sum => "sum_between",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Statistic::Min => "minimum",
            Statistic::Max => "maximum",
            Statistic::Mean => "mean",
            Statistic::Median => "median",
            Statistic::Stdev => "standard deviation",
            Statistic::Sum => "sum",
        }
    }

    /// Minimum and maximum are in the column's own terms (so dates work); the others are numbers.
    fn in_column_terms(self) -> bool {
        matches!(self, Statistic::Min | Statistic::Max)
    }
}

struct StatisticRule {
    statistic: Statistic,
    column: String,
    interval: Interval,
    analyzer: usize,
}

macro_rules! builder {
    ($name:ident, $statistic:expr) => {
        fn $name(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
            build(spec, $statistic)
        }
    };
}
builder!(build_min_between, Statistic::Min);
builder!(build_max_between, Statistic::Max);
builder!(build_mean_between, Statistic::Mean);
builder!(build_median_between, Statistic::Median);
builder!(build_stdev_between, Statistic::Stdev);
builder!(build_sum_between, Statistic::Sum);

fn build(spec: &mut RuleSpec, statistic: Statistic) -> Result<Box<dyn Rule>, String> {
    let interval = Interval::take(spec)?;
    spec.forbid_mostly()?;
    Ok(Box::new(StatisticRule { statistic, column: spec.required_column()?, interval, analyzer: usize::MAX }))
}

/// Checks the column holds numbers (or, for extremes, dates and timestamps too).
fn check_numeric(schema: &Schema, column: &str, temporal_too: bool) -> Result<DataType, String> {
    require_column(schema, column)?;
    let data_type = schema.field_with_name(column).map_err(|e| e.to_string())?.data_type().clone();
    match value_kind(&data_type) {
        ValueKind::Integer | ValueKind::Float | ValueKind::Decimal => Ok(data_type),
        ValueKind::Date | ValueKind::Timestamp if temporal_too => Ok(data_type),
        _ if data_type == DataType::Null => Ok(data_type),
        _ => Err(format!(
            "column '{column}' has type {data_type}; the rule needs numbers{}",
            if temporal_too { ", dates or timestamps" } else { "" }
        )),
    }
}

impl Rule for StatisticRule {
    fn rule_type(&self) -> &'static str {
        self.statistic.rule_type()
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        self.interval.parameters()
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = match self.statistic {
            Statistic::Median => planner.sorted_values(&self.column, &[0.5]),
            Statistic::Min | Statistic::Max => planner.column_stats(&self.column, false),
            Statistic::Mean | Statistic::Stdev | Statistic::Sum => planner.column_stats(&self.column, true),
        };
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        let data_type = check_numeric(schema, &self.column, self.statistic.in_column_terms())?;
        let terms = if self.statistic.in_column_terms() { data_type } else { DataType::Float64 };
        self.interval.resolve(&terms).map(|_| ()).map_err(|e| format!("the bounds do not fit: '{}' {e}", self.column))
    }
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let (observed, evaluated, terms) = match self.statistic {
            Statistic::Median => {
                let sorted = table.metrics[self.analyzer].sorted();
                (sorted.median(), sorted.len() as u64, DataType::Float64)
            }
            statistic => {
                let metric = table.metrics[self.analyzer].stats();
                let stats = &metric.stats;
                let observed = match statistic {
                    Statistic::Min => stats.min.as_ref().and_then(|m| m.number()),
                    Statistic::Max => stats.max.as_ref().and_then(|m| m.number()),
                    Statistic::Mean => stats.moments.mean().map(Number::Float),
                    Statistic::Stdev => stats.moments.sample_stdev().map(Number::Float),
                    // The sum of no values is 0, as in pandas.
                    _ => Some(Number::Float(stats.moments.sum())),
                };
                let terms = if statistic.in_column_terms() { metric.data_type.clone() } else { DataType::Float64 };
                (observed, stats.non_null - stats.nans, terms)
            }
        };
        bounded_outcome(self.statistic.noun(), &self.column, observed, evaluated, &terms, &self.interval)
    }
    fn cost(&self) -> u32 {
        match self.statistic {
            Statistic::Median => 3,
            _ => 2,
        }
    }
}

/// The outcome of asserting that a statistic lies in an interval; no value fails the rule.
fn bounded_outcome(
    noun: &str,
    column: &str,
    observed: Option<Number>,
    evaluated: u64,
    terms: &DataType,
    interval: &Interval,
) -> Outcome {
    let resolved = interval.resolve(terms);
    let (passed, observed_json, message) = match (observed, resolved) {
        (None, _) => (false, Value::Null, format!("'{column}' has no values to compute the {noun} of")),
        (Some(value), Ok(resolved)) => {
            let passed = resolved.contains(value);
            let shown = number_to_json(terms, value);
            let verdict = if passed { "is" } else { "is not" };
            let message = format!("the {noun} of '{column}' is {shown}, which {verdict} {}", interval.describe());
            (passed, shown, message)
        }
        (Some(_), Err(e)) => (false, Value::Null, format!("'{column}' {e}")),
    };
    Outcome { passed, evaluated, unexpected: 0, samples: Vec::new(), observed: observed_json, message }
}

/// `quantile_between`: each listed quantile lies in its range.
struct QuantileRule {
    column: String,
    quantiles: Vec<f64>,
    ranges: Vec<(Option<Value>, Option<Value>)>,
    interpolation: (String, Interpolation),
    analyzer: usize,
}

fn build_quantile_between(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let quantiles = spec.params.require_list(&["quantiles"])?;
    let ranges = spec.params.require_list(&["ranges", "value_ranges"])?;
    let interpolation = spec.params.take(&["interpolation", "allow_relative_error"])?;
    spec.forbid_mostly()?;
    let column = spec.required_column()?;
    let quantiles = quantiles
        .iter()
        .map(|q| {
            q.as_f64().filter(|q| (0.0..=1.0).contains(q)).ok_or(format!("quantile {q} is not a number from 0 to 1"))
        })
        .collect::<Result<Vec<f64>, String>>()?;
    if ranges.len() != quantiles.len() {
        return Err(format!("give one range per quantile: {} quantiles, {} ranges", quantiles.len(), ranges.len()));
    }
    let ranges = ranges
        .iter()
        .map(|range| match range.as_array().map(Vec::as_slice) {
            Some([low, high]) => {
                let bound = |v: &Value| (!v.is_null()).then(|| v.clone());
                Ok((bound(low), bound(high)))
            }
            _ => Err(format!("range {range} must be a list [low, high] (null for an open end)")),
        })
        .collect::<Result<Vec<_>, String>>()?;
    let name = match interpolation {
        None => "nearest".to_string(),
        Some(Value::String(name)) => name,
        Some(other) => return Err(format!("'interpolation' must be a name, got {other}")),
    };
    let method = Interpolation::from_name(&name)
        .ok_or(format!("unknown interpolation '{name}'; use linear, lower, higher, midpoint or nearest"))?;
    Ok(Box::new(QuantileRule { column, quantiles, ranges, interpolation: (name, method), analyzer: usize::MAX }))
}

impl QuantileRule {
    fn interval(&self, index: usize) -> Interval {
        let (min, max) = self.ranges[index].clone();
        Interval { min, max, strict_min: false, strict_max: false }
    }
}

impl Rule for QuantileRule {
    fn rule_type(&self) -> &'static str {
        "quantile_between"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn parameters(&self) -> Value {
        let ranges: Vec<Value> = self.ranges.iter().map(|(low, high)| json!([low, high])).collect();
        json!({ "quantiles": self.quantiles, "ranges": ranges, "interpolation": self.interpolation.0 })
    }
    fn plan(&mut self, planner: &mut Planner) {
        self.analyzer = planner.sorted_values(&self.column, &self.quantiles);
    }
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        check_numeric(schema, &self.column, false)?;
        for index in 0..self.quantiles.len() {
            self.interval(index).resolve(&DataType::Float64).map_err(|e| format!("a range does not fit: {e}"))?;
        }
        Ok(())
    }
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let sorted = table.metrics[self.analyzer].sorted();
        let mut values = Vec::new();
        let mut misses = Vec::new();
        for (index, &q) in self.quantiles.iter().enumerate() {
            let value = sorted.quantile(q, self.interpolation.1);
            let interval = self.interval(index);
            let inside = match (value, interval.resolve(&DataType::Float64)) {
                (Some(v), Ok(resolved)) => resolved.contains(v),
                _ => false,
            };
            let shown = value.map_or(Value::Null, |v| number_to_json(&DataType::Float64, v));
            if !inside {
                misses.push(format!("q{q} = {shown} is not {}", interval.describe()));
            }
            values.push(shown);
        }
        let passed = misses.is_empty() && !sorted.is_empty();
        let message = if sorted.is_empty() {
            format!("'{}' has no values to compute quantiles of", self.column)
        } else if passed {
            format!("every quantile of '{}' is within its range", self.column)
        } else {
            format!("quantiles of '{}' out of range: {}", self.column, misses.join("; "))
        };
        Outcome {
            passed,
            evaluated: sorted.len() as u64,
            unexpected: 0,
            samples: Vec::new(),
            observed: json!({ "quantiles": self.quantiles, "values": values }),
            message,
        }
    }
    fn cost(&self) -> u32 {
        3
    }
}
