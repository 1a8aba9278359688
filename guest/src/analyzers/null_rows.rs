//! Rows with a null in a column (or in any of several columns), with the first such rows as
//! samples. Shared by `not_null`, `completeness_ratio` and the `null_count` field of every rule
//! that reads values.

use super::{Analyzer, Metric, RowsState, column, decode, encode};
use crate::model::QualityError;
use arrow_array::{Array, RecordBatch};
use arrow_buffer::BooleanBuffer;

/// Every row is evaluated; rows with a null are the unexpected ones.
pub struct NullRows {
    columns: Vec<String>,
    state: RowsState,
}

impl NullRows {
    pub fn new(columns: &[String], sample_cap: u32) -> Self {
        NullRows { columns: columns.to_vec(), state: RowsState::new(sample_cap) }
    }
}

impl Analyzer for NullRows {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        self.state.evaluated += batch.num_rows() as u64;
        let mut valid: Option<BooleanBuffer> = None;
        for name in &self.columns {
            let Some(nulls) = column(batch, name)?.logical_nulls().filter(|n| n.null_count() > 0) else { continue };
            valid = Some(match valid {
                Some(valid) => &valid & nulls.inner(),
                None => nulls.inner().clone(),
            });
        }
        match valid {
            Some(valid) if self.state.samples.room() == 0 => {
                self.state.unexpected += (valid.len() - valid.count_set_bits()) as u64;
            }
            Some(valid) => self.state.record(&!&valid, rows_before, |_| "null".to_string()),
            None => {}
        }
        Ok(())
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        Ok(encode(&self.state))
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        self.state.merge(decode(state, "null count")?, rows_before);
        Ok(())
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        Ok(Metric::Rows(self.state.metric()))
    }
}
