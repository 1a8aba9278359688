//! Duplicate rows: a 128-bit fingerprint per row (from every column's value hashes), counted
//! exactly up to a limit of distinct rows and estimated by HyperLogLog beyond it. Two different
//! rows share a fingerprint with a probability below 1e-20 at a billion rows.

use crate::analyzers::value_table::ValueTable;
use crate::stats::DistinctSketch;
use crate::stats::distinct_sketch::mix;
use crate::values::for_each_value_key;
use arrow_array::RecordBatch;
use hashbrown::HashSet;
use serde::{Deserialize, Serialize};

type FingerprintSet = HashSet<u128, foldhash::fast::FixedState>;

/// The hash that stands for a null in a fingerprint.
const NULL_HASH: u64 = 0x6e75_6c6c_6e75_6c6c;

pub struct RowFingerprints {
    limit: usize,
    rows: u64,
    exact: Option<FingerprintSet>,
    sketch: DistinctSketch,
    hasher: ValueTable,
}

#[derive(Serialize, Deserialize)]
pub struct RowsState {
    rows: u64,
    exact: Option<Vec<u128>>,
    sketch: DistinctSketch,
}

impl RowFingerprints {
    pub fn new(limit: u32) -> Self {
        RowFingerprints {
            limit: limit as usize,
            rows: 0,
            exact: Some(FingerprintSet::default()),
            sketch: DistinctSketch::default(),
            hasher: ValueTable::default(),
        }
    }

    pub fn update(&mut self, batch: &RecordBatch) {
        let n = batch.num_rows();
        let (mut high, mut low) = (vec![0u64; n], vec![0x9e37_79b9_7f4a_7c15u64; n]);
        let mut column_hashes = vec![NULL_HASH; n];
        for column in batch.columns() {
            column_hashes.fill(NULL_HASH);
            // Columns whose values have no key (lists, structs) do not tell rows apart.
            for_each_value_key(column.as_ref(), |row, key| column_hashes[row] = self.hasher.hash(key));
            for row in 0..n {
                let h = column_hashes[row];
                high[row] = mix(high[row] ^ h).rotate_left(17);
                low[row] = mix(low[row].wrapping_add(h.rotate_left(31)));
            }
        }
        for row in 0..n {
            self.add((high[row] as u128) << 64 | low[row] as u128);
        }
        self.rows += n as u64;
    }

    fn add(&mut self, fingerprint: u128) {
        self.sketch.add_hash(mix(fingerprint as u64 ^ (fingerprint >> 64) as u64));
        self.count_exactly(fingerprint);
    }

    /// Adds to the exact set while it is kept; drops it once the limit is passed.
    fn count_exactly(&mut self, fingerprint: u128) {
        let Some(set) = &mut self.exact else { return };
        set.insert(fingerprint);
        if set.len() > self.limit {
            self.exact = None;
        }
    }

    /// Rows equal to an earlier row, and whether that is an estimate.
    pub fn duplicates(&self) -> (u64, bool) {
        match &self.exact {
            Some(set) => (self.rows - set.len() as u64, false),
            None => (self.rows.saturating_sub(self.sketch.estimate()), true),
        }
    }

    pub fn export(&self) -> RowsState {
        let exact = self.exact.as_ref().map(|set| {
            let mut fingerprints: Vec<u128> = set.iter().copied().collect();
            fingerprints.sort_unstable();
            fingerprints
        });
        RowsState { rows: self.rows, exact, sketch: self.sketch.clone() }
    }

    pub fn merge(&mut self, state: RowsState) {
        self.rows += state.rows;
        self.sketch.merge(&state.sketch);
        match state.exact {
            None => self.exact = None,
            Some(fingerprints) => fingerprints.into_iter().for_each(|f| self.count_exactly(f)),
        }
    }
}
