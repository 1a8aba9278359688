//! Distinct values of a column: exact counts per value up to a limit, and a HyperLogLog sketch
//! always, which takes over (flagged as an estimate) once the column has more distinct values
//! than the limit. Whether the limit is passed depends only on the data, not on how it was split.

use crate::analyzers::value_table::{Slot, ValueTable};
use crate::model::QualityError;
use crate::stats::DistinctSketch;
use serde::{Deserialize, Serialize};

pub struct DistinctCounter {
    limit: usize,
    /// `None` once the limit was passed.
    exact: Option<(ValueTable, Vec<u64>)>,
    sketch: DistinctSketch,
    /// Hashes keys for the sketch once the table is gone (same seed, so the same hashes).
    hasher: ValueTable,
}

/// The exported form.
#[derive(Serialize, Deserialize)]
pub struct DistinctState {
    exact: Option<(Vec<u8>, Vec<u32>, Vec<u64>)>,
    sketch: DistinctSketch,
}

impl DistinctCounter {
    pub fn new(limit: u32) -> Self {
        DistinctCounter {
            limit: limit as usize,
            exact: Some((ValueTable::default(), Vec::new())),
            sketch: DistinctSketch::default(),
            hasher: ValueTable::default(),
        }
    }

    /// Counts `count` occurrences of `key`.
    #[inline]
    pub fn add(&mut self, key: &[u8], count: u64) {
        let hash = self.hasher.hash(key);
        self.sketch.add_hash(hash);
        self.count_exactly(key, hash, count);
    }

    /// Adds to the exact counts while they are kept; drops them once the limit is passed.
    #[inline]
    fn count_exactly(&mut self, key: &[u8], hash: u64, count: u64) {
        let Some((table, counts)) = &mut self.exact else { return };
        match table.insert_tagged(key, (hash >> 32) as u32) {
            Slot::Existing(id) => counts[id as usize] += count,
            Slot::New(_) => {
                counts.push(count);
                if counts.len() > self.limit {
                    self.exact = None;
                }
            }
        }
    }

    /// The number of distinct values, and whether it is an estimate.
    pub fn count(&self) -> (u64, bool) {
        match &self.exact {
            Some((_, counts)) => (counts.len() as u64, false),
            None => (self.sketch.estimate(), true),
        }
    }

    /// Every distinct value's key and count, while they are known exactly.
    pub fn values(&self) -> Option<impl Iterator<Item = (&[u8], u64)>> {
        let (table, counts) = self.exact.as_ref()?;
        Some(counts.iter().enumerate().map(|(id, &count)| (table.get(id as u32), count)))
    }

    pub fn export(&self) -> DistinctState {
        let exact = self.exact.as_ref().map(|(table, counts)| {
            let mut keys = Vec::new();
            let mut lens = Vec::with_capacity(counts.len());
            for id in 0..counts.len() as u32 {
                keys.extend_from_slice(table.get(id));
                lens.push(table.get(id).len() as u32);
            }
            (keys, lens, counts.clone())
        });
        DistinctState { exact, sketch: self.sketch.clone() }
    }

    pub fn merge(&mut self, state: DistinctState) -> Result<(), QualityError> {
        self.sketch.merge(&state.sketch);
        let Some((keys, lens, counts)) = state.exact else {
            self.exact = None;
            return Ok(());
        };
        if lens.len() != counts.len() {
            return Err(QualityError::state("the distinct-value state is corrupt: inconsistent lengths"));
        }
        let mut start = 0;
        for (len, count) in lens.into_iter().zip(counts) {
            if self.exact.is_none() {
                break;
            }
            let key = keys
                .get(start..start + len as usize)
                .ok_or_else(|| QualityError::state("the distinct-value state is corrupt: keys are cut short"))?;
            start += len as usize;
            // The sketch already holds these keys (merged above); count them exactly only.
            self.count_exactly(key, self.hasher.hash(key), count);
        }
        Ok(())
    }
}
