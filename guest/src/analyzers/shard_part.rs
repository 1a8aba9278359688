//! A shard's part of the data in a sharded check: the analyzers that count (rows, nulls,
//! unexpected values, occurrences of values) are run by every shard over a disjoint part of the
//! data, so that their work spreads over the shards and their metrics add up. Row counts split
//! by batch (each shard takes its turn), value counts by the values' hashes (every occurrence of
//! a value falls in the same part).

use super::{Analyzer, Metric};
use crate::model::QualityError;
use arrow_array::RecordBatch;

/// Part `index` of `count` disjoint parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub index: u32,
    pub count: u32,
}

impl Part {
    /// Whether the value with this hash is in the part. It reads the low half of the hash: value
    /// tables and spill partitions read the high half.
    #[inline]
    pub fn owns_value(self, hash: u64) -> bool {
        (hash as u32) % self.count == self.index
    }

    /// Whether batch number `batch` (counting from 0 in the order fed) is in the part.
    pub fn owns_batch(self, batch: u64) -> bool {
        batch % u64::from(self.count) == u64::from(self.index)
    }
}

/// An analyzer fed only the batches of its part. Its metric is that of the part's rows.
pub struct BatchTurns {
    inner: Box<dyn Analyzer>,
    part: Part,
    /// Batches seen, own or not.
    batches: u64,
}

impl BatchTurns {
    pub fn new(inner: Box<dyn Analyzer>, part: Part) -> BatchTurns {
        BatchTurns { inner, part, batches: 0 }
    }
}

impl Analyzer for BatchTurns {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        let own = self.part.owns_batch(self.batches);
        self.batches += 1;
        if own { self.inner.update(batch, rows_before) } else { Ok(()) }
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        self.inner.export()
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        self.inner.merge(state, rows_before)
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        self.inner.metric()
    }

    fn bind(&mut self, schema: &arrow_schema::Schema) {
        self.inner.bind(schema);
    }

    fn state_grows_with_data(&self) -> bool {
        self.inner.state_grows_with_data()
    }
}
