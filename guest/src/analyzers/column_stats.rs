//! Column statistics in one pass: non-null count, extremes, NaNs, zeros and negatives, exact
//! moments (sum, mean, variance) and string lengths. States merge exactly, so every statistic is
//! the same for any split of the data.

use super::{Analyzer, Metric, column, decode, encode};
use crate::model::QualityError;
use crate::stats::Moments;
use crate::values::{Number, ValueKind, for_each_number, for_each_str, value_kind};
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The smallest or largest value of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Extreme {
    /// Integers, dates and timestamps (in their storage unit).
    Int(i128),
    /// Floats (never NaN: NaNs are counted, not ordered).
    Float(f64),
    Text(String),
    Bool(bool),
}

impl Extreme {
    fn from_number(number: Number) -> Extreme {
        match number {
            Number::Int(v) => Extreme::Int(v),
            Number::Float(v) => Extreme::Float(v),
        }
    }

    /// The extreme as a number, for numeric and temporal columns.
    pub fn number(&self) -> Option<Number> {
        match *self {
            Extreme::Int(v) => Some(Number::Int(v)),
            Extreme::Float(v) => Some(Number::Float(v)),
            _ => None,
        }
    }

    fn order(&self, other: &Extreme) -> Ordering {
        match (self, other) {
            (Extreme::Int(a), Extreme::Int(b)) => a.cmp(b),
            (Extreme::Float(a), Extreme::Float(b)) => a.total_cmp(b),
            (Extreme::Text(a), Extreme::Text(b)) => a.cmp(b),
            (Extreme::Bool(a), Extreme::Bool(b)) => a.cmp(b),
            // A column has one kind of value; states of another column never merge.
            _ => Ordering::Equal,
        }
    }
}

/// Lengths of string values in characters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Lengths {
    pub min: u64,
    pub max: u64,
    pub total: u64,
}

/// What [`ColumnStats`] measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsState {
    /// Non-null values, NaNs included.
    pub non_null: u64,
    pub min: Option<Extreme>,
    pub max: Option<Extreme>,
    /// Float NaNs (left out of extremes and moments).
    pub nans: u64,
    pub zeros: u64,
    pub negatives: u64,
    /// Moments of the numeric values, when asked for.
    pub moments: Moments,
    /// String lengths, for string columns.
    pub lengths: Option<Lengths>,
    /// `true` values of a boolean column.
    pub trues: u64,
}

impl StatsState {
    fn widen(&mut self, low: Extreme, high: Extreme) {
        if self.min.as_ref().is_none_or(|m| low.order(m) == Ordering::Less) {
            self.min = Some(low);
        }
        if self.max.as_ref().is_none_or(|m| high.order(m) == Ordering::Greater) {
            self.max = Some(high);
        }
    }

    fn add_lengths(&mut self, lengths: Option<Lengths>) {
        self.lengths = match (self.lengths, lengths) {
            (Some(a), Some(b)) => {
                Some(Lengths { min: a.min.min(b.min), max: a.max.max(b.max), total: a.total + b.total })
            }
            (a, b) => a.or(b),
        };
    }

    fn merge(&mut self, other: StatsState) {
        self.non_null += other.non_null;
        if let (Some(low), Some(high)) = (other.min, other.max) {
            self.widen(low, high);
        }
        self.nans += other.nans;
        self.zeros += other.zeros;
        self.negatives += other.negatives;
        self.moments.merge(&other.moments);
        self.add_lengths(other.lengths);
        self.trues += other.trues;
    }
}

/// Statistics of one column, with the column's type for reading them.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsMetric {
    pub data_type: DataType,
    pub stats: StatsState,
}

pub struct ColumnStats {
    column: String,
    with_moments: bool,
    data_type: DataType,
    state: StatsState,
}

impl ColumnStats {
    /// Statistics of `column`; moments cost a few exact additions per value, so only when asked.
    pub fn new(column: &str, with_moments: bool) -> Self {
        ColumnStats {
            column: column.to_string(),
            with_moments,
            data_type: DataType::Null,
            state: StatsState::default(),
        }
    }

    fn update_numbers(&mut self, array: &dyn Array, numeric: bool) {
        let (with_moments, state) = (self.with_moments && numeric, &mut self.state);
        let (mut low, mut high): (Option<Number>, Option<Number>) = (None, None);
        let (mut nans, mut zeros, mut negatives) = (0u64, 0u64, 0u64);
        for_each_number(array, |number| {
            if let Number::Float(v) = number
                && v.is_nan()
            {
                nans += 1;
                return;
            }
            let (is_zero, is_negative) = match number {
                Number::Int(v) => (v == 0, v < 0),
                Number::Float(v) => (v == 0.0, v < 0.0),
            };
            zeros += u64::from(is_zero);
            negatives += u64::from(is_negative);
            if low.is_none_or(|l| less(number, l)) {
                low = Some(number);
            }
            if high.is_none_or(|h| less(h, number)) {
                high = Some(number);
            }
            if with_moments {
                match number {
                    Number::Int(v) => state.moments.add_int(v),
                    Number::Float(v) => state.moments.add_f64(v),
                }
            }
        });
        state.nans += nans;
        if numeric {
            state.zeros += zeros;
            state.negatives += negatives;
        }
        if let (Some(low), Some(high)) = (low, high) {
            state.widen(Extreme::from_number(low), Extreme::from_number(high));
        }
    }

    fn update_strings(&mut self, array: &dyn Array) {
        // Extremes with their 8-byte prefixes: most comparisons are decided by one integer compare.
        let (mut low, mut high): (Option<Prefixed>, Option<Prefixed>) = (None, None);
        let mut lengths = Lengths { min: u64::MAX, max: 0, total: 0 };
        for_each_str(array, |text| {
            let length = if text.is_ascii() { text.len() } else { text.chars().count() } as u64;
            lengths =
                Lengths { min: lengths.min.min(length), max: lengths.max.max(length), total: lengths.total + length };
            let key = prefix(text);
            if low.is_none_or(|(p, l)| key < p || (key == p && text < l)) {
                low = Some((key, text));
            }
            if high.is_none_or(|(p, h)| key > p || (key == p && text > h)) {
                high = Some((key, text));
            }
        });
        if let (Some((_, low)), Some((_, high))) = (low, high) {
            self.state.widen(Extreme::Text(low.to_string()), Extreme::Text(high.to_string()));
            self.state.add_lengths(Some(lengths));
        }
    }

    fn update_booleans(&mut self, array: &dyn Array) {
        let values = array.as_boolean();
        let trues = match values.logical_nulls() {
            Some(valid) => (values.values() & valid.inner()).count_set_bits(),
            None => values.true_count(),
        } as u64;
        let valid = (array.len() - array.logical_null_count()) as u64;
        self.state.trues += trues;
        let low = Extreme::Bool(trues == valid);
        let high = Extreme::Bool(trues > 0);
        if valid > 0 {
            self.state.widen(low, high);
        }
    }
}

/// A string with its [`prefix`].
type Prefixed<'a> = (u64, &'a str);

/// The first 8 bytes of `text` as a big-endian integer (zero-padded): ordered like the strings
/// wherever the prefixes differ.
#[inline]
fn prefix(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut buffer = [0u8; 8];
    let n = bytes.len().min(8);
    buffer[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(buffer)
}

/// `a < b` for numbers of one column (both integers or both non-NaN floats).
fn less(a: Number, b: Number) -> bool {
    match (a, b) {
        (Number::Int(a), Number::Int(b)) => a < b,
        (Number::Float(a), Number::Float(b)) => a < b,
        (Number::Int(a), Number::Float(b)) => (a as f64) < b,
        (Number::Float(a), Number::Int(b)) => a < b as f64,
    }
}

impl ColumnStats {
    /// The statistics so far.
    pub fn state(&self) -> &StatsState {
        &self.state
    }
}

impl Analyzer for ColumnStats {
    fn update(&mut self, batch: &RecordBatch, _rows_before: u64) -> Result<(), QualityError> {
        let array = column(batch, &self.column)?;
        self.state.non_null += (array.len() - array.logical_null_count()) as u64;
        match value_kind(array.data_type()) {
            ValueKind::Integer | ValueKind::Float | ValueKind::Decimal => self.update_numbers(array.as_ref(), true),
            ValueKind::Date | ValueKind::Timestamp => self.update_numbers(array.as_ref(), false),
            ValueKind::String => self.update_strings(array.as_ref()),
            ValueKind::Boolean if array.data_type() == &DataType::Boolean => self.update_booleans(array.as_ref()),
            _ => {}
        }
        Ok(())
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        Ok(encode(&self.state))
    }

    fn merge(&mut self, state: &[u8], _rows_before: u64) -> Result<(), QualityError> {
        self.state.merge(decode(state, "column statistics")?);
        Ok(())
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        Ok(Metric::Stats(Box::new(StatsMetric { data_type: self.data_type.clone(), stats: self.state.clone() })))
    }

    fn bind(&mut self, schema: &Schema) {
        if let Ok(field) = schema.field_with_name(&self.column) {
            self.data_type = field.data_type().clone();
        }
    }
}
