//! What the set rules read of a column's distinct values, in memory that does not grow with
//! their number: the occurrences of each value some rule lists, the first values in text order
//! and the most common values. Values are added one distinct value at a time with its full
//! count, in any order, so the summary of a spilled column is built one partition at a time, and
//! the summaries of disjoint sets of values (the shards' parts) combine into the whole's.

use crate::values::render_key;
use arrow_schema::DataType;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Most values a summary shows (and a message lists).
pub const SHOWN_VALUES: usize = 20;

/// A bounded summary of distinct values with their counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueSummary {
    /// The watched values' keys with their occurrences (0 for a value that never occurs).
    watched: BTreeMap<Vec<u8>, u64>,
    /// The first values in text order: enough that the first [`SHOWN_VALUES`] outside any set
    /// of watched values are among them.
    first: FirstInTextOrder,
    /// The highest count of a value.
    top_count: u64,
    /// How many values occur `top_count` times.
    top_values: u64,
    /// The first of those in text order.
    top_first: FirstInTextOrder,
}

impl ValueSummary {
    /// An empty summary that counts the occurrences of the values with these keys.
    pub fn watching(keys: impl IntoIterator<Item = Vec<u8>>) -> ValueSummary {
        let watched: BTreeMap<Vec<u8>, u64> = keys.into_iter().map(|key| (key, 0)).collect();
        ValueSummary {
            first: FirstInTextOrder::new(SHOWN_VALUES + watched.len()),
            watched,
            top_count: 0,
            top_values: 0,
            top_first: FirstInTextOrder::new(SHOWN_VALUES),
        }
    }

    /// Adds a distinct value, with all its occurrences, of a column of `data_type`.
    pub fn add(&mut self, data_type: &DataType, key: &[u8], count: u64) {
        if let Some(occurrences) = self.watched.get_mut(key) {
            *occurrences += count;
        }
        self.first.offer(data_type, key);
        if count > self.top_count {
            self.top_count = count;
            self.top_values = 0;
            self.top_first = FirstInTextOrder::new(SHOWN_VALUES);
        }
        if count == self.top_count {
            self.top_values += 1;
            self.top_first.offer(data_type, key);
        }
    }

    /// Adds the summary of other values, watching the same ones.
    pub fn combine(&mut self, other: &ValueSummary) {
        for (key, occurrences) in &other.watched {
            if let Some(mine) = self.watched.get_mut(key) {
                *mine += occurrences;
            }
        }
        self.first.combine(&other.first);
        if other.top_count > self.top_count {
            (self.top_count, self.top_values, self.top_first) =
                (other.top_count, 0, FirstInTextOrder::new(SHOWN_VALUES));
        }
        if other.top_count == self.top_count {
            self.top_values += other.top_values;
            self.top_first.combine(&other.top_first);
        }
    }

    /// Occurrences of a watched value (0 for any other).
    pub fn count_of(&self, key: &[u8]) -> u64 {
        self.watched.get(key).copied().unwrap_or(0)
    }

    /// The first [`SHOWN_VALUES`] values in text order, leaving out those `skip` picks among
    /// the watched ones.
    pub fn first_values(&self, skip: impl Fn(&[u8]) -> bool) -> Vec<String> {
        self.first.texts(skip)
    }

    /// The highest count of a value (0 without values), how many values occur that often, and
    /// the first [`SHOWN_VALUES`] of them in text order.
    pub fn most_common(&self) -> (u64, u64, Vec<String>) {
        (self.top_count, self.top_values, self.top_first.texts(|_| false))
    }
}

/// The first `cap` values in text order, with their keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FirstInTextOrder {
    cap: usize,
    entries: BTreeSet<(String, Vec<u8>)>,
}

impl FirstInTextOrder {
    fn new(cap: usize) -> FirstInTextOrder {
        FirstInTextOrder { cap, entries: BTreeSet::new() }
    }

    /// Keeps the value of `key` if it is among the first. A string's key is its text, so a
    /// string that comes too late is passed over without rendering it.
    fn offer(&mut self, data_type: &DataType, key: &[u8]) {
        let last = self.entries.last().filter(|_| self.entries.len() >= self.cap);
        if let Some((last_text, _)) = last
            && is_text(data_type)
            && key >= last_text.as_bytes()
        {
            return;
        }
        let text = render_key(data_type, key);
        if last.is_some_and(|(last_text, _)| text >= *last_text) {
            return;
        }
        self.insert((text, key.to_vec()));
    }

    /// Keeps `entry` if it is among the first.
    fn insert(&mut self, entry: (String, Vec<u8>)) {
        self.entries.insert(entry);
        if self.entries.len() > self.cap {
            self.entries.pop_last();
        }
    }

    /// Keeps the first of `other`'s entries too.
    fn combine(&mut self, other: &FirstInTextOrder) {
        other.entries.iter().for_each(|entry| self.insert(entry.clone()));
    }

    /// The first [`SHOWN_VALUES`] distinct texts of the values `skip` does not pick.
    fn texts(&self, skip: impl Fn(&[u8]) -> bool) -> Vec<String> {
        let mut texts: Vec<String> = Vec::new();
        for (text, _) in self.entries.iter().filter(|(_, key)| !skip(key)) {
            if texts.last() != Some(text) {
                texts.push(text.clone());
            }
        }
        texts.truncate(SHOWN_VALUES);
        texts
    }
}

/// Whether a key of `data_type` is its value's text as UTF-8, so keys sort as the texts do.
fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Dictionary(_, values) => is_text(values),
        data_type => matches!(data_type, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_values_in_text_order_and_the_modes() {
        let mut summary = ValueSummary::watching([b"m07".to_vec(), b"zz".to_vec()]);
        // Added out of order, counted 10 to 16 times but for the two most common.
        for i in (0..50u64).rev() {
            let key = format!("m{i:02}");
            summary.add(&DataType::Utf8, key.as_bytes(), if i >= 48 { 49 } else { 10 + i % 7 });
        }
        assert_eq!(summary.count_of(b"m07"), 10);
        assert_eq!(summary.count_of(b"zz"), 0);
        assert_eq!(summary.count_of(b"m08"), 0, "only watched values are counted");
        let expected: Vec<String> = (0..20).map(|i| format!("m{i:02}")).collect();
        assert_eq!(summary.first_values(|_| false), expected);
        let without_m07: Vec<String> = (0..21).filter(|&i| i != 7).map(|i| format!("m{i:02}")).collect();
        assert_eq!(summary.first_values(|key| key == b"m07"), without_m07);
        assert_eq!(summary.most_common(), (49, 2, vec!["m48".to_string(), "m49".to_string()]));
    }

    #[test]
    fn numbers_sort_by_their_text() {
        let mut summary = ValueSummary::watching([]);
        for i in 0..100i64 {
            summary.add(&DataType::Int64, &i.to_le_bytes(), 1);
        }
        let mut texts: Vec<String> = (0..100).map(|i: i64| i.to_string()).collect();
        texts.sort();
        texts.truncate(SHOWN_VALUES);
        assert_eq!(summary.first_values(|_| false), texts);
        assert_eq!(summary.most_common(), (1, 100, texts));
    }

    #[test]
    fn summaries_of_disjoint_values_combine_into_the_summary_of_all() {
        let watched = || ValueSummary::watching([3i64.to_le_bytes().to_vec(), 40i64.to_le_bytes().to_vec()]);
        let (mut all, mut even, mut odd) = (watched(), watched(), watched());
        for i in 0..60i64 {
            let count = if i == 41 || i == 44 { 9 } else { 1 + (i % 3) as u64 };
            all.add(&DataType::Int64, &i.to_le_bytes(), count);
            let part = if i % 2 == 0 { &mut even } else { &mut odd };
            part.add(&DataType::Int64, &i.to_le_bytes(), count);
        }
        even.combine(&odd);
        assert_eq!(even.first_values(|_| false), all.first_values(|_| false));
        assert_eq!(
            even.first_values(|key| key == 3i64.to_le_bytes()),
            all.first_values(|key| key == 3i64.to_le_bytes())
        );
        assert_eq!(even.most_common(), all.most_common());
        assert_eq!(even.most_common().1, 2);
        assert_eq!((even.count_of(&3i64.to_le_bytes()), even.count_of(&40i64.to_le_bytes())), (1, 2));
    }
}
