//! A mergeable quantile sketch with a relative-error guarantee (DDSketch, Masson et al. 2019):
//! values fall into logarithmic buckets whose bounds differ by at most a factor gamma, so the
//! value reported for a rank is within `RELATIVE_ERROR` of the true value at that rank. Buckets
//! merge by adding counts, so a merged sketch equals the sketch of all the data.

use serde::{Deserialize, Serialize};

/// The guaranteed relative error of a quantile.
pub const RELATIVE_ERROR: f64 = 0.01;

/// ln(gamma), gamma = (1 + a) / (1 - a): the widest bucket in log space.
fn log_gamma() -> f64 {
    ((1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR)).ln()
}

/// A cheap monotone stand-in for log2: the exponent plus the mantissa's fraction. Its slope
/// against ln(x) is the mantissa, at least 1, so buckets of width ln(gamma) in it are at most
/// gamma wide in value (the "linearly interpolated mapping" of DDSketch).
#[inline]
fn approx_log2(x: f64) -> f64 {
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mantissa = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    exponent as f64 + (mantissa - 1.0)
}

/// The inverse of [`approx_log2`].
fn inverse_approx_log2(y: f64) -> f64 {
    let exponent = y.floor();
    2f64.powi(exponent as i32) * (1.0 + (y - exponent))
}

/// Counts per bucket index, stored densely from `offset`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Buckets {
    offset: i32,
    counts: Vec<u64>,
}

impl Buckets {
    #[inline]
    fn add(&mut self, index: i32, count: u64) {
        if self.counts.is_empty() {
            self.offset = index;
        }
        if index < self.offset {
            let grow = (self.offset - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        }
        let slot = (index - self.offset) as usize;
        if slot >= self.counts.len() {
            self.counts.resize(slot + 1, 0);
        }
        self.counts[slot] += count;
    }

    fn merge(&mut self, other: &Buckets) {
        for (i, &count) in other.counts.iter().enumerate() {
            if count > 0 {
                self.add(other.offset + i as i32, count);
            }
        }
    }

    /// (index, count) of non-empty buckets in ascending index order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (i32, u64)> + '_ {
        self.counts.iter().enumerate().filter(|(_, c)| **c > 0).map(|(i, &c)| (self.offset + i as i32, c))
    }
}

/// The sketch of a set of finite numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QuantileSketch {
    positive: Buckets,
    negative: Buckets,
    zeros: u64,
    count: u64,
}

impl QuantileSketch {
    /// Adds a value; NaN and infinities are ignored.
    #[inline]
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.count += 1;
        if value == 0.0 {
            self.zeros += 1;
        } else if value > 0.0 {
            self.positive.add(Self::index(value), 1);
        } else {
            self.negative.add(Self::index(-value), 1);
        }
    }

    #[inline]
    fn index(magnitude: f64) -> i32 {
        (approx_log2(magnitude) / log_gamma()).floor() as i32
    }

    /// The value reported for bucket `index`: within the relative error of every value in it.
    fn representative(index: i32) -> f64 {
        let low = inverse_approx_log2(index as f64 * log_gamma());
        let high = inverse_approx_log2((index + 1) as f64 * log_gamma());
        2.0 * low * high / (low + high)
    }

    pub fn merge(&mut self, other: &QuantileSketch) {
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
        self.zeros += other.zeros;
        self.count += other.count;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Values in ascending order as (representative value, count) runs.
    pub fn runs(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let negative = self.negative.iter().rev().map(|(i, c)| (-Self::representative(i), c));
        let zeros = (self.zeros > 0).then_some((0.0, self.zeros));
        let positive = self.positive.iter().map(|(i, c)| (Self::representative(i), c));
        negative.chain(zeros).chain(positive)
    }

    /// The value at rank floor(q (n - 1)) of the sorted values, within `RELATIVE_ERROR`; `None`
    /// without values.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (self.count - 1) as f64).floor() as u64;
        let mut seen = 0;
        for (value, count) in self.runs() {
            seen += count;
            if seen > rank {
                return Some(value);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_relative_error_and_merge_exactly() {
        let values: Vec<f64> = (0..20_000).map(|i| ((i * 7919) % 20_011) as f64 * 0.37 - 1500.0).collect();
        let mut whole = QuantileSketch::default();
        values.iter().for_each(|&v| whole.add(v));
        let (mut left, mut right) = (QuantileSketch::default(), QuantileSketch::default());
        values[..7000].iter().for_each(|&v| left.add(v));
        values[7000..].iter().for_each(|&v| right.add(v));
        right.merge(&left);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0] {
            let truth = sorted[(q * (sorted.len() - 1) as f64).floor() as usize];
            let estimate = whole.quantile(q).unwrap();
            assert!((estimate - truth).abs() <= RELATIVE_ERROR * truth.abs() + 1e-12, "q{q}: {estimate} vs {truth}");
            assert_eq!(right.quantile(q), Some(estimate));
        }
    }
}
