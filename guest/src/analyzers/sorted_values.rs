//! Exact quantiles: every non-null value of a numeric column is kept (8 bytes per value), and at
//! the end the values at the sorted positions the rules' quantiles read are picked out. Past the
//! memory budget the values are sorted and written out as runs (see `sorted_runs`), and the
//! positions are found by merging the runs with what is left in memory: exact in memory that
//! does not grow with the row count. Rules need exact answers; the profiler uses a sketch.

use super::sorted_runs::{SortedRuns, float_key, int_key, key_float, key_int};
use super::spill::SpillSettings;
use super::{Analyzer, Metric, column, decode, encode};
use crate::model::QualityError;
use crate::values::{Number, for_each_number};
use arrow_array::RecordBatch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

/// The number of non-null values of a column and the values at the sorted positions its rules'
/// quantiles read (a median is the 0.5 quantile's positions).
#[derive(Debug, Clone, PartialEq)]
pub struct SortedValues {
    len: usize,
    at: BTreeMap<usize, Number>,
}

impl SortedValues {
    /// Every value of a column, sorted (for tests and small columns).
    #[cfg(test)]
    fn of(values: &[Number]) -> SortedValues {
        SortedValues { len: values.len(), at: values.iter().copied().enumerate().collect() }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn at(&self, index: usize) -> Option<Number> {
        self.at.get(&index).copied()
    }

    /// The sorted positions quantile `q` reads among `len` values: below, above and nearest.
    fn positions(q: f64, len: usize) -> [usize; 3] {
        let position = q.clamp(0.0, 1.0) * len.saturating_sub(1) as f64;
        [position.floor() as usize, position.ceil() as usize, position.round_ties_even() as usize]
    }

    /// The `q` quantile (0 to 1), or `None` without values.
    pub fn quantile(&self, q: f64, interpolation: Interpolation) -> Option<Number> {
        if self.is_empty() {
            return None;
        }
        let position = q.clamp(0.0, 1.0) * (self.len - 1) as f64;
        let [lower, higher, nearest] = Self::positions(q, self.len);
        let fraction = position - lower as f64;
        let (a, b) = (self.at(lower)?, self.at(higher)?);
        Some(match interpolation {
            Interpolation::Lower => a,
            Interpolation::Higher => b,
            Interpolation::Nearest => self.at(nearest)?,
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
        let n = self.len;
        if n == 0 {
            return None;
        }
        if n % 2 == 1 {
            return self.at(n / 2);
        }
        Some(Number::Float((as_f64(self.at(n / 2 - 1)?) + as_f64(self.at(n / 2)?)) / 2.0))
    }
}

fn as_f64(number: Number) -> f64 {
    match number {
        Number::Int(v) => v as f64,
        Number::Float(v) => v,
    }
}

/// Non-null values of a column; integers exactly, NaN left out (as pandas does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Collected {
    Ints(Vec<i64>),
    Floats(Vec<f64>),
}

impl Collected {
    fn len(&self) -> usize {
        match self {
            Collected::Ints(v) => v.len(),
            Collected::Floats(v) => v.len(),
        }
    }

    fn is_floats(&self) -> bool {
        matches!(self, Collected::Floats(_))
    }

    /// The values' order keys (see `sorted_runs`), sorted.
    fn sorted_keys(&self) -> Vec<u64> {
        let mut keys: Vec<u64> = match self {
            Collected::Ints(v) => v.iter().map(|&i| int_key(i)).collect(),
            Collected::Floats(v) => v.iter().map(|&f| float_key(f)).collect(),
        };
        keys.sort_unstable();
        keys
    }

    /// The values of order keys, of floats or of integers.
    fn of_keys(keys: &[u64], floats: bool) -> Collected {
        if floats {
            Collected::Floats(keys.iter().map(|&key| key_float(key)).collect())
        } else {
            Collected::Ints(keys.iter().map(|&key| key_int(key)).collect())
        }
    }

    /// Adds `other`'s values; integers become floats when either holds floats.
    fn extend(&mut self, other: Collected) {
        *self = match (std::mem::replace(self, Collected::Ints(Vec::new())), other) {
            (Collected::Ints(mut a), Collected::Ints(b)) => {
                a.extend(b);
                Collected::Ints(a)
            }
            (Collected::Ints(a), Collected::Floats(mut b)) | (Collected::Floats(mut b), Collected::Ints(a)) => {
                b.extend(a.iter().map(|&i| i as f64));
                Collected::Floats(b)
            }
            (Collected::Floats(mut a), Collected::Floats(b)) => {
                a.extend(b);
                Collected::Floats(a)
            }
        };
    }
}

/// Collects the values of a column for [`SortedValues`].
pub struct CollectValues {
    column: String,
    /// The quantiles the rules read (0.5 for a median).
    quantiles: Vec<f64>,
    values: Collected,
    /// Where and when to spill; `None` keeps every value in memory.
    spill: Option<SpillSettings>,
    /// The runs spilled so far.
    runs: Option<SortedRuns>,
}

impl CollectValues {
    /// Collects `column` for the `quantiles`; `spill` says where to spill and when.
    pub fn new(column: &str, quantiles: Vec<f64>, spill: Option<SpillSettings>) -> Self {
        CollectValues { column: column.to_string(), quantiles, values: Collected::Ints(Vec::new()), spill, runs: None }
    }

    /// Writes the values in memory out as a sorted run once they outgrow the budget.
    fn spill_if_over_budget(&mut self) -> Result<(), QualityError> {
        let Some(settings) = &self.spill else { return Ok(()) };
        if (self.values.len() as u64) * 8 <= settings.budget_bytes {
            return Ok(());
        }
        let runs = match &mut self.runs {
            Some(runs) => runs,
            slot => slot.insert(SortedRuns::new(settings)?),
        };
        runs.append(&self.values.sorted_keys(), self.values.is_floats())?;
        // The allocation stays, for the next run.
        match &mut self.values {
            Collected::Ints(v) => v.clear(),
            Collected::Floats(v) => v.clear(),
        }
        Ok(())
    }

    /// Every value, spilled or not, in memory (to export them).
    fn gathered(&self) -> Result<Collected, QualityError> {
        let mut all = Collected::Ints(Vec::new());
        if let Some(runs) = &self.runs {
            runs.for_each_run(|keys, floats| all.extend(Collected::of_keys(keys, floats)))?;
        }
        all.extend(self.values.clone());
        Ok(all)
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
            (Number::Int(v), Collected::Ints(ints)) if i64::try_from(v).is_ok() => ints.push(v as i64),
            (Number::Float(v), Collected::Floats(floats)) if !v.is_nan() => floats.push(v),
            (Number::Float(v), Collected::Ints(ints)) if ints.is_empty() && !v.is_nan() => {
                *values = Collected::Floats(vec![v]);
            }
            // Integers beyond i64 (from UInt64) are kept as floats.
            (Number::Int(v), Collected::Ints(ints)) => {
                let mut floats: Vec<f64> = ints.iter().map(|&i| i as f64).collect();
                floats.push(v as f64);
                *values = Collected::Floats(floats);
            }
            (Number::Int(v), Collected::Floats(floats)) => floats.push(v as f64),
            (Number::Float(_), _) => {}
        });
        self.spill_if_over_budget()
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        // A state is self-contained (it may travel to another machine): gather the values.
        Ok(encode(&self.gathered()?))
    }

    fn merge(&mut self, state: &[u8], _rows_before: u64) -> Result<(), QualityError> {
        self.values.extend(decode(state, "collected values")?);
        self.spill_if_over_budget()
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        let (memory_floats, keys) = (self.values.is_floats(), self.values.sorted_keys());
        let floats = memory_floats || self.runs.as_ref().is_some_and(SortedRuns::holds_floats);
        let len = keys.len() + self.runs.as_ref().map_or(0, SortedRuns::len);
        let mut wanted: Vec<usize> = self.quantiles.iter().flat_map(|&q| SortedValues::positions(q, len)).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let number = |key: u64| if floats { Number::Float(key_float(key)) } else { Number::Int(key_int(key) as i128) };
        wanted.retain(|&index| index < len);
        let keys_at: Vec<u64> = match &self.runs {
            None => wanted.iter().map(|&index| keys[index]).collect(),
            Some(runs) => runs.select(&keys, memory_floats, floats, &wanted)?,
        };
        let at = wanted.into_iter().zip(keys_at.into_iter().map(number)).collect();
        Ok(Metric::Sorted(SortedValues { len, at }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_follow_numpy_interpolations() {
        let values = SortedValues::of(&[1, 2, 3, 4].map(Number::Int));
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
        assert_eq!(float(SortedValues::of(&[1.0, 5.0, 9.0].map(Number::Float)).median()), 5.0);
        assert!(SortedValues::of(&[]).median().is_none());
    }
}
