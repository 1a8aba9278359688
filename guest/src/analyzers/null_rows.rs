//! Null count of a column, with the first null rows as samples. Shared by `not_null`,
//! `completeness_ratio` and the `null_count` field of every column rule.

use super::{Analyzer, Metric, RowsState, column, decode, encode, null_count};
use crate::model::QualityError;
use arrow_array::{Array, RecordBatch};

/// Every row is evaluated; null rows are the unexpected ones.
pub struct NullRows {
    column: String,
    state: RowsState,
}

impl NullRows {
    pub fn new(column: &str, sample_cap: u32) -> Self {
        NullRows { column: column.to_string(), state: RowsState::new(sample_cap) }
    }
}

impl Analyzer for NullRows {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        let array = column(batch, &self.column)?;
        let nulls = null_count(array.as_ref());
        self.state.evaluated += array.len() as u64;
        self.state.unexpected += nulls as u64;
        if nulls > 0 && self.state.samples.room() > 0 {
            let logical = array.logical_nulls();
            let null_rows = logical.iter().flat_map(|n| n.iter().enumerate().filter(|(_, valid)| !valid));
            for (row, _) in null_rows.take(self.state.samples.room()) {
                self.state.samples.offer(rows_before + row as u64, || "null".to_string());
            }
        }
        Ok(())
    }

    fn export(&self) -> Vec<u8> {
        encode(&self.state)
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        self.state.merge(decode(state, "null count")?, rows_before);
        Ok(())
    }

    fn metric(&self) -> Metric {
        Metric::Rows(self.state.metric())
    }
}
