//! Exact quantiles: every non-null value of a numeric column is kept (8 bytes per value) and
//! sorted once at the end. Rules need exact answers; the profiler uses a sketch instead.

use super::{Analyzer, Metric, column, decode, encode};
use crate::model::QualityError;
use crate::values::{Number, for_each_number};
use arrow_array::RecordBatch;
use serde::{Deserialize, Serialize};

/// How a quantile between two values is chosen, as numpy and pandas `quantile(interpolation=)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    Linear,
    Lower,
    Higher,
    Midpoint,
    /// The value at the nearest position (ties to the even position), Great Expectations' default.
    Nearest,
}

impl Interpolation {
    /// Parses a numpy interpolation name.
    pub fn from_name(name: &str) -> Option<Interpolation> {
        Some(match name {
            "linear" => Interpolation::Linear,
            "lower" => Interpolation::Lower,
            "higher" => Interpolation::Higher,
            "midpoint" => Interpolation::Midpoint,
            "nearest" => Interpolation::Nearest,
            _ => return None,
        })
    }
}

/// Non-null values of a column; integers exactly, NaN left out (as pandas does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortedValues {
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

impl SortedValues {
    pub fn len(&self) -> usize {
        match self {
            SortedValues::Ints(v) => v.len(),
            SortedValues::Floats(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn at(&self, index: usize) -> Number {
        match self {
            SortedValues::Ints(v) => Number::Int(v[index] as i128),
            SortedValues::Floats(v) => Number::Float(v[index]),
        }
    }

    /// The `q` quantile (0 to 1), or `None` without values.
    pub fn quantile(&self, q: f64, interpolation: Interpolation) -> Option<Number> {
        if self.is_empty() {
            return None;
        }
        let position = q.clamp(0.0, 1.0) * (self.len() - 1) as f64;
        let (lower, higher) = (position.floor() as usize, position.ceil() as usize);
        let fraction = position - lower as f64;
        let (a, b) = (self.at(lower), self.at(higher));
        Some(match interpolation {
            Interpolation::Lower => a,
            Interpolation::Higher => b,
            Interpolation::Nearest => self.at(position.round_ties_even() as usize),
            Interpolation::Midpoint => Number::Float((as_f64(a) + as_f64(b)) / 2.0),
            // numpy's lerp: from the nearer end, so the ends are exact.
            Interpolation::Linear if lower == higher => a,
            Interpolation::Linear => {
                let (a, b) = (as_f64(a), as_f64(b));
                Number::Float(if fraction < 0.5 { a + (b - a) * fraction } else { b - (b - a) * (1.0 - fraction) })
            }
        })
    }

    /// The median as pandas computes it: the middle value, or the mean of the two middle ones.
    pub fn median(&self) -> Option<Number> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        if n % 2 == 1 {
            return Some(self.at(n / 2));
        }
        Some(Number::Float((as_f64(self.at(n / 2 - 1)) + as_f64(self.at(n / 2))) / 2.0))
    }
}

fn as_f64(number: Number) -> f64 {
    match number {
        Number::Int(v) => v as f64,
        Number::Float(v) => v,
    }
}

/// Collects the values of a column for [`SortedValues`].
pub struct CollectValues {
    column: String,
    values: SortedValues,
}

impl CollectValues {
    pub fn new(column: &str) -> Self {
        CollectValues { column: column.to_string(), values: SortedValues::Ints(Vec::new()) }
    }
}

impl Analyzer for CollectValues {
    fn state_grows_with_data(&self) -> bool {
        true
    }

    fn update(&mut self, batch: &RecordBatch, _rows_before: u64) -> Result<(), QualityError> {
        let array = column(batch, &self.column)?;
        let values = &mut self.values;
        for_each_number(array.as_ref(), |number| match (number, &mut *values) {
            (Number::Int(v), SortedValues::Ints(ints)) if i64::try_from(v).is_ok() => ints.push(v as i64),
            (Number::Float(v), SortedValues::Floats(floats)) if !v.is_nan() => floats.push(v),
            (Number::Float(v), SortedValues::Ints(ints)) if ints.is_empty() && !v.is_nan() => {
                *values = SortedValues::Floats(vec![v]);
            }
            // Integers beyond i64 (from UInt64) are kept as floats.
            (Number::Int(v), SortedValues::Ints(ints)) => {
                let mut floats: Vec<f64> = ints.iter().map(|&i| i as f64).collect();
                floats.push(v as f64);
                *values = SortedValues::Floats(floats);
            }
            (Number::Int(v), SortedValues::Floats(floats)) => floats.push(v as f64),
            (Number::Float(_), _) => {}
        });
        Ok(())
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        Ok(encode(&self.values))
    }

    fn merge(&mut self, state: &[u8], _rows_before: u64) -> Result<(), QualityError> {
        let other: SortedValues = decode(state, "collected values")?;
        self.values = match (std::mem::replace(&mut self.values, SortedValues::Ints(Vec::new())), other) {
            (SortedValues::Ints(mut a), SortedValues::Ints(b)) => {
                a.extend(b);
                SortedValues::Ints(a)
            }
            (SortedValues::Ints(a), SortedValues::Floats(mut b))
            | (SortedValues::Floats(mut b), SortedValues::Ints(a)) => {
                b.extend(a.iter().map(|&i| i as f64));
                SortedValues::Floats(b)
            }
            (SortedValues::Floats(mut a), SortedValues::Floats(b)) => {
                a.extend(b);
                SortedValues::Floats(a)
            }
        };
        Ok(())
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        let mut sorted = self.values.clone();
        match &mut sorted {
            SortedValues::Ints(v) => v.sort_unstable(),
            SortedValues::Floats(v) => v.sort_unstable_by(f64::total_cmp),
        }
        Ok(Metric::Sorted(sorted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_follow_numpy_interpolations() {
        let values = SortedValues::Ints(vec![1, 2, 3, 4]);
        let float = |n: Option<Number>| match n {
            Some(Number::Float(v)) => v,
            Some(Number::Int(v)) => v as f64,
            None => f64::NAN,
        };
        assert_eq!(float(values.quantile(0.5, Interpolation::Linear)), 2.5);
        assert_eq!(float(values.quantile(0.5, Interpolation::Lower)), 2.0);
        assert_eq!(float(values.quantile(0.5, Interpolation::Higher)), 3.0);
        assert_eq!(float(values.quantile(0.5, Interpolation::Midpoint)), 2.5);
        // Position 1.5 rounds to the even position 2.
        assert_eq!(float(values.quantile(0.5, Interpolation::Nearest)), 3.0);
        assert_eq!(float(values.median()), 2.5);
        assert_eq!(float(SortedValues::Floats(vec![1.0, 5.0, 9.0]).median()), 5.0);
        assert!(SortedValues::Floats(Vec::new()).median().is_none());
    }
}
