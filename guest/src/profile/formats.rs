//! Named-format detection: the formats that every value of a string column has, tracked as a
//! bit set that only loses members, so it merges by intersection and does not depend on splits.

use crate::formats::Format;
use serde::{Deserialize, Serialize};

/// The formats every value seen so far has.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FormatCandidates {
    /// Bit `i` stands for `Format::ALL[i]`.
    alive: u16,
    /// Whether any value was seen (no value proves no format).
    seen: bool,
}

impl Default for FormatCandidates {
    fn default() -> Self {
        FormatCandidates { alive: (1u16 << Format::ALL.len()) - 1, seen: false }
    }
}

impl FormatCandidates {
    /// Whether a value could still rule a format out.
    pub fn open(&self) -> bool {
        self.alive != 0
    }

    /// Rules out the formats `text` lacks.
    #[inline]
    pub fn add(&mut self, text: &str) {
        self.seen = true;
        let mut alive = self.alive;
        while alive != 0 {
            let bit = alive.trailing_zeros();
            if !Format::ALL[bit as usize].matches(text) {
                self.alive &= !(1 << bit);
            }
            alive &= alive - 1;
        }
    }

    pub fn merge(&mut self, other: FormatCandidates) {
        self.alive &= other.alive;
        self.seen |= other.seen;
    }

    /// The most specific format every value has, if any.
    pub fn detected(&self) -> Option<Format> {
        if !self.seen || self.alive == 0 {
            return None;
        }
        Some(Format::ALL[self.alive.trailing_zeros() as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_common_format_wins_and_merges_intersect() {
        let mut emails = FormatCandidates::default();
        ["a@example.com", "b.c@d.org"].iter().for_each(|v| emails.add(v));
        assert_eq!(emails.detected().map(Format::name), Some("email"));
        let mut other = FormatCandidates::default();
        other.add("not an email");
        emails.merge(other);
        assert_eq!(emails.detected(), None);
        assert_eq!(FormatCandidates::default().detected(), None, "no value proves no format");
    }
}
