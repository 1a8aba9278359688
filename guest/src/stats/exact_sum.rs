//! An exact sum of floats and integers: a fixed-point accumulator wide enough for every finite
//! `f64` and every `i128`, so the sum does not depend on the order of the values. That makes
//! sums, means and variances identical for any batch split and any merge order.

use serde::{Deserialize, Serialize};

/// Bits below the units position: the smallest `f64` step is 2^-1074.
const FRACTION_BITS: i32 = 1088;
/// Bits per limb; every limb is an `i64`, so 31 bits of headroom absorb carries.
const LIMB_BITS: i32 = 32;
/// Limbs covering 2^-1088 to 2^1152: every finite `f64` (below 2^1024) with room for carries.
const LIMBS: usize = 70;
/// Additions after which carries must be propagated before a limb could overflow.
const ADDS_BEFORE_NORMALISE: u32 = 1 << 28;

/// The exact sum of the values added (apart from non-finite ones, which are counted instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    limbs: Vec<i64>,
    pending: u32,
    /// Infinities and NaNs added: they make the sum non-finite.
    positive_infinities: u64,
    negative_infinities: u64,
    nans: u64,
}

impl Default for ExactSum {
    fn default() -> Self {
        ExactSum { limbs: vec![0; LIMBS], pending: 0, positive_infinities: 0, negative_infinities: 0, nans: 0 }
    }
}

impl ExactSum {
    /// Adds a float exactly.
    #[inline]
    pub fn add_f64(&mut self, value: f64) {
        if !value.is_finite() {
            self.add_non_finite(value);
            return;
        }
        let bits = value.to_bits();
        let biased_exponent = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1u64 << 52) - 1);
        let (mantissa, exponent) =
            if biased_exponent == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), biased_exponent - 1075) };
        if mantissa == 0 {
            return;
        }
        let position = exponent + FRACTION_BITS;
        let (limb, shift) = ((position / LIMB_BITS) as usize, position % LIMB_BITS);
        let shifted = (mantissa as u128) << shift;
        let negative = value < 0.0;
        for (i, offset) in (0..3).zip([0, 32, 64]) {
            let digit = ((shifted >> offset) & 0xffff_ffff) as i64;
            self.limbs[limb + i] += if negative { -digit } else { digit };
        }
        self.count_add();
    }

    /// Adds an integer exactly.
    #[inline]
    pub fn add_i128(&mut self, value: i128) {
        let magnitude = value.unsigned_abs();
        let base = (FRACTION_BITS / LIMB_BITS) as usize;
        for i in 0..4 {
            let digit = ((magnitude >> (32 * i)) & 0xffff_ffff) as i64;
            self.limbs[base + i] += if value < 0 { -digit } else { digit };
        }
        self.count_add();
    }

    /// Adds the exact square of a float (split into halves whose products are exact, after
    /// Dekker), so sums of squares are exact too.
    #[inline]
    pub fn add_square(&mut self, value: f64) {
        if !value.is_finite() || value.abs() > 1e150 {
            self.add_non_finite(value * value);
            return;
        }
        let (high, low) = split(value);
        self.add_f64(high * high);
        self.add_f64(2.0 * high * low);
        self.add_f64(low * low);
    }

    /// Adds `a * b` exactly (for the few products of a finish, not per value).
    pub fn add_product(&mut self, a: f64, b: f64) {
        let product = a * b;
        if !product.is_finite() {
            self.add_non_finite(product);
            return;
        }
        let ((a_high, a_low), (b_high, b_low)) = (split(a), split(b));
        for (x, y) in [(a_high, b_high), (a_high, b_low), (a_low, b_high), (a_low, b_low)] {
            self.add_f64(x * y);
        }
    }

    /// Adds another sum to this one.
    pub fn merge(&mut self, other: &ExactSum) {
        self.normalise();
        for (limb, add) in self.limbs.iter_mut().zip(&other.limbs) {
            *limb += add;
        }
        self.positive_infinities += other.positive_infinities;
        self.negative_infinities += other.negative_infinities;
        self.nans += other.nans;
        self.normalise();
    }

    /// The sum rounded to a float (a function of the exact sum only).
    pub fn to_f64(&self) -> f64 {
        if self.nans > 0 || (self.positive_infinities > 0 && self.negative_infinities > 0) {
            return f64::NAN;
        }
        if self.positive_infinities > 0 {
            return f64::INFINITY;
        }
        if self.negative_infinities > 0 {
            return f64::NEG_INFINITY;
        }
        let mut magnitude = self.clone();
        magnitude.normalise();
        // A negative sum has a negative top limb over positive digits: convert its magnitude,
        // so the digits do not cancel in floating point.
        let negative = magnitude.limbs[LIMBS - 1] < 0;
        if negative {
            magnitude.limbs.iter_mut().for_each(|limb| *limb = -*limb);
            magnitude.normalise();
        }
        // Most significant limbs first; every limb is a non-negative digit, so this is within an ulp.
        let mut total = 0.0;
        for (i, &limb) in magnitude.limbs.iter().enumerate().rev() {
            if limb != 0 {
                total += limb as f64 * scale(i);
            }
        }
        if negative { -total } else { total }
    }

    /// The sum as up to three floats whose exact sum is the sum to about 150 bits, for the
    /// finishing arithmetic of variances.
    pub fn parts(&self) -> [f64; 3] {
        let mut rest = self.clone();
        let mut parts = [0.0; 3];
        for part in &mut parts {
            *part = rest.to_f64();
            if !part.is_finite() {
                break;
            }
            rest.add_f64(-*part);
        }
        parts
    }

    fn add_non_finite(&mut self, value: f64) {
        if value.is_nan() {
            self.nans += 1;
        } else if value > 0.0 {
            self.positive_infinities += 1;
        } else {
            self.negative_infinities += 1;
        }
    }

    #[inline]
    fn count_add(&mut self) {
        self.pending += 1;
        if self.pending >= ADDS_BEFORE_NORMALISE {
            self.normalise();
        }
    }

    /// Moves carries up so every limb but the top one lies in [0, 2^32).
    fn normalise(&mut self) {
        let mut carry = 0i64;
        let top = self.limbs.len() - 1;
        for limb in &mut self.limbs[..top] {
            let value = *limb + carry;
            carry = value >> LIMB_BITS;
            *limb = value & 0xffff_ffff;
        }
        self.limbs[top] += carry;
        self.pending = 0;
    }
}

/// 2^(32 i - 1088), the weight of limb `i` (0 for subnormal weights: they cannot matter to the
/// rounded sum; infinite above the float range, where the sum overflows).
fn scale(limb: usize) -> f64 {
    let exponent = limb as i32 * LIMB_BITS - FRACTION_BITS;
    if exponent < -1022 { 0.0 } else { 2f64.powi(exponent) }
}

/// Veltkamp's split: `high + low == value` with both halves of at most 26 significant bits, so
/// products of halves are exact.
fn split(value: f64) -> (f64, f64) {
    let scaled = value * 134_217_729.0; // 2^27 + 1
    let high = scaled - (scaled - value);
    (high, value - high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_exact_and_order_independent() {
        let values = [1e100, 1.0, -1e100, 1e-300, 0.1, 0.2, -0.3, 3.5e-320];
        let mut forward = ExactSum::default();
        values.iter().for_each(|&v| forward.add_f64(v));
        let mut backward = ExactSum::default();
        values.iter().rev().for_each(|&v| backward.add_f64(v));
        forward.normalise();
        backward.normalise();
        assert_eq!(forward.limbs, backward.limbs);
        // The floats nearest 0.1, 0.2 and 0.3 add up to exactly 2^-55 (not the 2^-54 of
        // `0.1 + 0.2 - 0.3` in floating point), which rounds away next to 1.0.
        assert_eq!(forward.to_f64(), 1.0);
        assert_eq!(forward.parts()[1], 2f64.powi(-55));
    }

    #[test]
    fn integers_and_merges_are_exact() {
        let mut a = ExactSum::default();
        a.add_i128(i64::MAX as i128 * i64::MAX as i128);
        let mut b = ExactSum::default();
        b.add_i128(-(i64::MAX as i128 * i64::MAX as i128));
        b.add_i128(7);
        a.merge(&b);
        assert_eq!(a.to_f64(), 7.0);
        let mut negative = ExactSum::default();
        negative.add_f64(-0.1);
        negative.add_i128(-3);
        assert_eq!(negative.to_f64(), -3.1);
    }

    #[test]
    fn squares_and_products_are_exact() {
        let mut sum = ExactSum::default();
        sum.add_square(0.1);
        sum.add_product(-0.1, 0.1);
        assert_eq!(sum.to_f64(), 0.0);
        let mut non_finite = ExactSum::default();
        non_finite.add_f64(f64::INFINITY);
        non_finite.add_f64(1.0);
        assert_eq!(non_finite.to_f64(), f64::INFINITY);
        non_finite.add_f64(f64::NEG_INFINITY);
        assert!(non_finite.to_f64().is_nan());
    }

    #[test]
    fn parts_carry_the_digits_a_float_cannot() {
        let mut sum = ExactSum::default();
        sum.add_f64(1.0);
        sum.add_f64(2f64.powi(-80));
        let [high, low, rest] = sum.parts();
        assert_eq!((high, low, rest), (1.0, 2f64.powi(-80), 0.0));
    }
}
