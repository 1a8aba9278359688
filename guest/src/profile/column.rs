//! The profile of one column, computed in one pass with mergeable parts: null and distinct
//! counts, statistics (shared with the statistic rules), a quantile sketch, value shapes.

use super::distinct::{DistinctCounter, DistinctState};
use super::formats::FormatCandidates;
use super::shape::ShapeSet;
use crate::analyzers::{Analyzer, ColumnStats, Extreme, decode, encode};
use crate::model::{ColumnProfile, HistogramBin, ProfileOptions, QualityError, Quantile, ValueCount};
use crate::stats::QuantileSketch;
use crate::stats::quantile_sketch::RELATIVE_ERROR;
use crate::values::{
    Number, ValueKind, for_each_number, for_each_str, for_each_value_key, logical_type_name, number_to_json,
    render_key, value_kind,
};
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field};
use serde::{Deserialize, Serialize};

/// The quantiles every numeric column reports.
pub const QUANTILES: [f64; 7] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
/// Bins of a histogram.
const HISTOGRAM_BINS: usize = 20;

pub struct ColumnProfiler {
    name: String,
    data_type: DataType,
    nulls: u64,
    stats: ColumnStats,
    distinct: DistinctCounter,
    /// Numeric columns, when statistics or histograms are asked for.
    sketch: Option<QuantileSketch>,
    /// String columns, when patterns are asked for.
    shapes: Option<ShapeSet>,
    /// String columns: the named formats every value has.
    formats: Option<FormatCandidates>,
}

#[derive(Serialize, Deserialize)]
struct ColumnState {
    nulls: u64,
    stats: Vec<u8>,
    distinct: DistinctState,
    sketch: Option<QuantileSketch>,
    shapes: Option<ShapeSet>,
    formats: Option<FormatCandidates>,
}

impl ColumnProfiler {
    pub fn new(field: &Field, options: &ProfileOptions) -> Self {
        let data_type = field.data_type().clone();
        let kind = value_kind(&data_type);
        let numeric = matches!(kind, ValueKind::Integer | ValueKind::Float | ValueKind::Decimal);
        let mut stats = ColumnStats::new(field.name(), options.include_stats);
        stats.bind(&arrow_schema::Schema::new(vec![field.clone()]));
        ColumnProfiler {
            name: field.name().clone(),
            nulls: 0,
            stats,
            distinct: DistinctCounter::new(options.distinct_limit),
            sketch: (numeric && (options.include_stats || options.include_histograms)).then(QuantileSketch::default),
            shapes: (kind == ValueKind::String && options.infer_patterns).then(ShapeSet::default),
            formats: (kind == ValueKind::String).then(FormatCandidates::default),
            data_type,
        }
    }

    pub fn update(&mut self, batch: &RecordBatch) -> Result<(), QualityError> {
        let array = crate::analyzers::column(batch, &self.name)?;
        self.nulls += array.logical_null_count() as u64;
        self.stats.update(batch, 0)?;
        let distinct = &mut self.distinct;
        for_each_value_key(array.as_ref(), |_, key| distinct.add(key, 1));
        if let Some(sketch) = &mut self.sketch {
            for_each_number(array.as_ref(), |number| sketch.add(as_f64(number)));
        }
        if let Some(shapes) = self.shapes.as_mut().filter(|s| s.open()) {
            for_each_str(array.as_ref(), |text| shapes.add(text));
        }
        if let Some(formats) = self.formats.as_mut().filter(|f| f.open()) {
            for_each_str(array.as_ref(), |text| formats.add(text));
        }
        Ok(())
    }

    pub fn export(&self) -> Vec<u8> {
        encode(&ColumnState {
            nulls: self.nulls,
            stats: encode(self.stats.state()),
            distinct: self.distinct.export(),
            sketch: self.sketch.clone(),
            shapes: self.shapes.clone(),
            formats: self.formats,
        })
    }

    pub fn merge(&mut self, bytes: &[u8]) -> Result<(), QualityError> {
        let state: ColumnState = decode(bytes, "column profile")?;
        self.nulls += state.nulls;
        self.stats.merge(&state.stats, 0)?;
        self.distinct.merge(state.distinct)?;
        if let (Some(mine), Some(theirs)) = (&mut self.sketch, &state.sketch) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.shapes, state.shapes) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.formats, state.formats) {
            mine.merge(theirs);
        }
        Ok(())
    }

    /// The numeric values with their counts, sorted, when every distinct value is known.
    fn exact_numbers(&self) -> Option<Vec<(f64, u64)>> {
        let mut numbers: Vec<(f64, u64)> = self
            .distinct
            .values()?
            .filter_map(|(key, count)| key_number(&self.data_type, key).map(|v| (v, count)))
            .filter(|(v, _)| !v.is_nan())
            .collect();
        numbers.sort_by(|a, b| a.0.total_cmp(&b.0));
        Some(numbers)
    }

    pub fn finish(&self, rows: u64, options: &ProfileOptions) -> ColumnProfile {
        let stats = self.stats.state();
        let (distinct_count, distinct_estimated) = self.distinct.count();
        let percent = |part: u64| if rows == 0 { 0.0 } else { part as f64 * 100.0 / rows as f64 };
        let extreme = |e: &Option<Extreme>| -> Option<String> {
            Some(match e.as_ref()? {
                Extreme::Text(text) => serde_json::Value::from(text.as_str()).to_string(),
                Extreme::Bool(b) => b.to_string(),
                other => number_to_json(&self.data_type, other.number()?).to_string(),
            })
        };
        let numeric = self.sketch.is_some();
        let exact_numbers = if numeric { self.exact_numbers() } else { None };
        let (quantiles, histogram) = match &self.sketch {
            Some(sketch) => {
                let runs: Vec<(f64, u64)> = match &exact_numbers {
                    Some(numbers) => numbers.clone(),
                    None => sketch.runs().collect(),
                };
                let quantiles = if options.include_stats { quantiles_of(&runs) } else { Vec::new() };
                let histogram = match (options.include_histograms, stats.min.as_ref(), stats.max.as_ref()) {
                    (true, Some(low), Some(high)) => histogram_of(&runs, as_extreme_f64(low), as_extreme_f64(high)),
                    _ => Vec::new(),
                };
                (quantiles, histogram)
            }
            None => (Vec::new(), Vec::new()),
        };
        let quantile_error = if exact_numbers.is_some() || !numeric { 0.0 } else { RELATIVE_ERROR };
        let lengths = stats.lengths;
        let non_nan = stats.non_null - stats.nans;
        let numeric_stat = |value: u64| (numeric && options.include_stats).then_some(value);
        ColumnProfile {
            name: self.name.clone(),
            logical_type: logical_type_name(&self.data_type),
            count: rows,
            null_count: self.nulls,
            null_percent: percent(self.nulls),
            distinct_count,
            distinct_estimated,
            unique_percent: percent(distinct_count),
            min: extreme(&stats.min),
            max: extreme(&stats.max),
            mean: stats.moments.mean().filter(|_| numeric && options.include_stats),
            stdev: stats.moments.sample_stdev().filter(|_| numeric && options.include_stats),
            quantiles,
            quantile_error,
            histogram,
            top_values: self.top_values(options.top_n as usize),
            length_min: lengths.map(|l| l.min),
            length_mean: lengths.filter(|_| non_nan > 0).map(|l| l.total as f64 / non_nan as f64),
            length_max: lengths.map(|l| l.max),
            zero_count: numeric_stat(stats.zeros),
            negative_count: numeric_stat(stats.negatives),
            nan_count: stats.nans,
            format: self.formats.and_then(|f| f.detected()).map(|f| f.name().to_string()),
            pattern: self.shapes.as_ref().and_then(ShapeSet::pattern),
        }
    }

    /// The `n` most common values, most common first, ties by value; none when the distinct
    /// values are not known exactly.
    fn top_values(&self, n: usize) -> Vec<ValueCount> {
        let Some(values) = self.distinct.values() else { return Vec::new() };
        let mut counted: Vec<(u64, String)> =
            values.map(|(key, count)| (count, render_key(&self.data_type, key))).collect();
        counted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        counted.into_iter().take(n).map(|(count, value)| ValueCount { value, count }).collect()
    }
}

fn as_f64(number: Number) -> f64 {
    match number {
        Number::Int(v) => v as f64,
        Number::Float(v) => v,
    }
}

fn as_extreme_f64(extreme: &Extreme) -> f64 {
    extreme.number().map_or(f64::NAN, as_f64)
}

/// The number a value key of a numeric column stands for.
fn key_number(data_type: &DataType, key: &[u8]) -> Option<f64> {
    let bytes8 = || <[u8; 8]>::try_from(key).ok();
    match data_type {
        DataType::Dictionary(_, values) => key_number(values, key),
        DataType::UInt64 => Some(u64::from_le_bytes(bytes8()?) as f64),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            Some(f64::from_bits(u64::from_le_bytes(bytes8()?)))
        }
        DataType::Decimal128(_, scale) => {
            Some(i128::from_le_bytes(key.try_into().ok()?) as f64 / 10f64.powi(*scale as i32))
        }
        other if value_kind(other) == ValueKind::Integer => Some(i64::from_le_bytes(bytes8()?) as f64),
        _ => None,
    }
}

/// Quantiles at rank floor(q (n - 1)) over sorted (value, count) runs.
fn quantiles_of(runs: &[(f64, u64)]) -> Vec<Quantile> {
    let total: u64 = runs.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return Vec::new();
    }
    QUANTILES
        .iter()
        .map(|&q| {
            let rank = (q * (total - 1) as f64).floor() as u64;
            let mut seen = 0;
            let value = runs.iter().find(|(_, count)| {
                seen += count;
                seen > rank
            });
            Quantile { q, value: value.map_or(f64::NAN, |(v, _)| *v) }
        })
        .collect()
}

/// Equal-width bins from `low` to `high` over sorted (value, count) runs.
fn histogram_of(runs: &[(f64, u64)], low: f64, high: f64) -> Vec<HistogramBin> {
    if !(low.is_finite() && high.is_finite()) {
        return Vec::new();
    }
    let bins = if high > low { HISTOGRAM_BINS } else { 1 };
    let width = (high - low) / bins as f64;
    let mut histogram: Vec<HistogramBin> = (0..bins)
        .map(|i| HistogramBin {
            low: low + width * i as f64,
            high: if i + 1 == bins { high } else { low + width * (i + 1) as f64 },
            count: 0,
        })
        .collect();
    for &(value, count) in runs {
        let index =
            if width > 0.0 { ((value - low) / width).floor().clamp(0.0, (bins - 1) as f64) as usize } else { 0 };
        histogram[index].count += count;
    }
    histogram
}
