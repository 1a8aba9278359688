//! Count, sum, mean and variance from exact sums, so they are the same for every split of the
//! data and every merge order (Welford's or Chan's updates are not).

use super::ExactSum;
use serde::{Deserialize, Serialize};

/// The first two moments of a set of numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    count: u64,
    sum: ExactSum,
    squares: ExactSum,
}

impl Moments {
    /// Adds a float (NaN and infinities make the sum non-finite).
    #[inline]
    pub fn add_f64(&mut self, value: f64) {
        self.count += 1;
        self.sum.add_f64(value);
        self.squares.add_square(value);
    }

    /// Adds an integer exactly (squares of magnitudes beyond 2^63 are rounded).
    #[inline]
    pub fn add_int(&mut self, value: i128) {
        self.count += 1;
        self.sum.add_i128(value);
        match value.checked_mul(value) {
            Some(square) => self.squares.add_i128(square),
            None => self.squares.add_square(value as f64),
        }
    }

    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum.merge(&other.sum);
        self.squares.merge(&other.squares);
    }

    /// Numbers added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The sum, rounded once.
    pub fn sum(&self) -> f64 {
        self.sum.to_f64()
    }

    /// The mean, or `None` without values.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| {
            let n = self.count as f64;
            let [high, low, _] = self.sum.parts();
            high / n + low / n
        })
    }

    /// The sample variance (divisor n - 1, as pandas and Great Expectations), or `None` with
    /// fewer than two values. Computed as the exact sum of squared deviations from the rounded
    /// mean m: sum(x^2) - 2 m sum(x) + n m^2, so there is no cancellation and no split effect.
    pub fn sample_variance(&self) -> Option<f64> {
        let mean = self.mean()?;
        if self.count < 2 {
            return None;
        }
        if !mean.is_finite() || !self.squares.to_f64().is_finite() {
            return Some(f64::NAN);
        }
        let n = self.count as f64;
        let mut deviations = self.squares.clone();
        for part in self.sum.parts() {
            deviations.add_product(-2.0 * mean, part);
        }
        // n * m^2 exactly: n * m = p + e (e recovered exactly), then p * m + e * m.
        let p = n * mean;
        let mut error = ExactSum::default();
        error.add_product(n, mean);
        error.add_f64(-p);
        deviations.add_product(p, mean);
        deviations.add_product(error.to_f64(), mean);
        Some(deviations.to_f64().max(0.0) / (n - 1.0))
    }

    /// The sample standard deviation.
    pub fn sample_stdev(&self) -> Option<f64> {
        self.sample_variance().map(f64::sqrt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_has_no_cancellation_with_a_large_mean() {
        let mut moments = Moments::default();
        for v in [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0] {
            moments.add_f64(v);
        }
        assert_eq!(moments.mean(), Some(1e9 + 10.0));
        assert_eq!(moments.sample_variance(), Some(30.0));
        let mut constant = Moments::default();
        (0..1000).for_each(|_| constant.add_f64(0.1));
        assert_eq!(constant.sample_variance(), Some(0.0));
    }

    #[test]
    fn merged_moments_equal_one_pass() {
        let values: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.37).sin() * 1e3).collect();
        let mut whole = Moments::default();
        values.iter().for_each(|&v| whole.add_f64(v));
        let (mut left, mut right) = (Moments::default(), Moments::default());
        values[..333].iter().for_each(|&v| left.add_f64(v));
        values[333..].iter().rev().for_each(|&v| right.add_f64(v));
        right.merge(&left);
        assert_eq!(right.mean(), whole.mean());
        assert_eq!(right.sample_variance(), whole.sample_variance());
        assert!(Moments::default().mean().is_none());
    }
}
