//! A fast decision of "does this string contain a match of the pattern" for the many short
//! strings of a column. The pattern `P` is compiled into a dense DFA of `(?s:.*)P(?s:.*)`, anchored:
//! a string contains a match of `P` exactly when it matches that whole. Deciding a string is then
//! one table lookup per byte with no branch, and four strings are walked side by side so that
//! their lookups overlap instead of each waiting for the one before (a DFA step depends on the
//! previous state, so one string at a time is bound by memory latency).
//!
//! Patterns whose DFA would be large, or that a DFA cannot decide (Unicode word boundaries),
//! get no `LaneMatcher`; the caller falls back to `regex::Regex`.

use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use regex_automata::util::primitives::StateID;
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::{Dot, Hir, Repetition};

/// Strings walked side by side.
const LANES: usize = 4;
/// The largest DFA (and determinization) built, in bytes.
const SIZE_LIMIT: usize = 2 << 20;

/// A dense DFA deciding whether whole strings contain a match.
pub struct LaneMatcher {
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
}

impl LaneMatcher {
    /// The matcher of `pattern` (regex crate syntax, Unicode on), or `None` when a small DFA
    /// cannot decide it.
    pub fn new(pattern: &str) -> Option<LaneMatcher> {
        let hir = regex_syntax::ParserBuilder::new().build().parse(pattern).ok()?;
        let anything =
            Hir::repetition(Repetition { min: 0, max: None, greedy: true, sub: Box::new(Hir::dot(Dot::AnyChar)) });
        let whole = Hir::concat(vec![anything.clone(), hir, anything]);
        let nfa = thompson::Compiler::new().build_from_hir(&whole).ok()?;
        let config = dense::Config::new()
            .match_kind(MatchKind::All)
            .start_kind(StartKind::Anchored)
            .accelerate(false)
            .dfa_size_limit(Some(SIZE_LIMIT))
            .determinize_size_limit(Some(SIZE_LIMIT));
        let dfa = dense::Builder::new().configure(config).build_from_nfa(&nfa).ok()?;
        // Every string starts at the start of a text, so one start state serves all.
        let start = dfa.start_state_forward(&Input::new("").anchored(Anchored::Yes)).ok()?;
        Some(LaneMatcher { dfa, start })
    }

    /// Whether `value` contains a match.
    pub fn is_match(&self, value: &[u8]) -> bool {
        let state = value.iter().fold(self.start, |state, &byte| self.dfa.next_state(state, byte));
        self.dfa.is_match_state(self.dfa.next_eoi_state(state))
    }

    /// Whether each of `LANES` strings contains a match: their common prefix length walked side
    /// by side, then each one's rest.
    fn decide_lanes(&self, values: [&[u8]; LANES]) -> [bool; LANES] {
        let dfa = &self.dfa;
        let mut states = [self.start; LANES];
        let common = values.iter().map(|v| v.len()).min().unwrap_or(0);
        for i in 0..common {
            for lane in 0..LANES {
                states[lane] = dfa.next_state(states[lane], values[lane][i]);
            }
        }
        let mut decided = [false; LANES];
        for lane in 0..LANES {
            let state = values[lane][common..].iter().fold(states[lane], |state, &byte| dfa.next_state(state, byte));
            decided[lane] = dfa.is_match_state(dfa.next_eoi_state(state));
        }
        decided
    }

    /// Whether each of the `len` strings `value(i)` contains a match.
    pub fn decide_all<'a>(&self, len: usize, value: impl Fn(usize) -> &'a [u8]) -> Vec<bool> {
        let mut decided = Vec::with_capacity(len);
        let grouped = len - len % LANES;
        for first in (0..grouped).step_by(LANES) {
            decided.extend(self.decide_lanes(std::array::from_fn(|lane| value(first + lane))));
        }
        decided.extend((grouped..len).map(|i| self.is_match(value(i))));
        decided
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to four characters over an alphabet that exercises the patterns below,
    /// and some longer ones.
    fn strings() -> Vec<String> {
        let alphabet = ["a", "b", "x", "Z", "9", "@", ".", "é", "\n", " "];
        let mut strings = vec![String::new()];
        let mut shorter = vec![String::new()];
        for _ in 0..4 {
            shorter = shorter.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            strings.extend(shorter.iter().cloned());
        }
        let longer = ["user@example.com", "bad@", "ABC-1234", "x<script>y", "ΩΩΩ", "abcdefghij@k.lmno"];
        strings.extend(longer.into_iter().map(String::from));
        strings
    }

    #[test]
    fn decides_like_the_regex_crate() {
        let patterns = [
            r"^[^@]+@[^@]+\.[^@]+$",
            r"^[A-Z]{3}-[0-9]{4}$",
            "<script",
            "(?i)ABC",
            "^$",
            "",
            "a|b",
            r"\d+",
            "(?m)^x$",
            "é+",
            "[[:alpha:]]+z",
            r"\w+@",
            "^.{3,5}$",
            r"\p{Greek}",
            r"(?-u:\w)",
            r"a\z",
            r"\Ab",
            "(?s)a.b",
            "a.b",
            r"(?x) a b  # a comment",
        ];
        let strings = strings();
        for pattern in patterns {
            let regex = regex::Regex::new(pattern).unwrap();
            let matcher = LaneMatcher::new(pattern).unwrap_or_else(|| panic!("{pattern} should build"));
            let decided = matcher.decide_all(strings.len(), |i| strings[i].as_bytes());
            for (string, decided) in strings.iter().zip(decided) {
                assert_eq!(decided, regex.is_match(string), "/{pattern}/ on {string:?}");
                assert_eq!(matcher.is_match(string.as_bytes()), decided, "/{pattern}/ on {string:?}");
            }
        }
    }

    #[test]
    fn unicode_word_boundaries_and_huge_automata_fall_back() {
        assert!(LaneMatcher::new(r"\bword\b").is_none());
        assert!(LaneMatcher::new(r"\w{200}x\w{200}").is_none());
    }
}
