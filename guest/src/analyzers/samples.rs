//! The first unexpected values of a rule, in row order, up to a cap.

use crate::model::FailureSample;
use serde::{Deserialize, Serialize};

/// Keeps the first `cap` samples by row. Rows arrive in increasing order within a run, and a
/// merged state's rows come after the rows already seen, so appending keeps the order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SampleBuffer {
    cap: u32,
    rows: Vec<u64>,
    values: Vec<String>,
}

impl SampleBuffer {
    pub fn new(cap: u32) -> Self {
        SampleBuffer { cap, rows: Vec::new(), values: Vec::new() }
    }

    /// How many more samples fit.
    pub fn room(&self) -> usize {
        (self.cap as usize).saturating_sub(self.rows.len())
    }

    /// Adds a sample if there is room; `value` is only rendered then.
    pub fn offer(&mut self, row: u64, value: impl FnOnce() -> String) {
        if self.room() > 0 {
            self.rows.push(row);
            self.values.push(value());
        }
    }

    /// Appends another buffer's samples, shifting its rows by `row_offset`.
    pub fn append(&mut self, other: SampleBuffer, row_offset: u64) {
        for (row, value) in other.rows.into_iter().zip(other.values) {
            self.offer(row + row_offset, || value);
        }
    }

    pub fn to_samples(&self) -> Vec<FailureSample> {
        self.rows.iter().zip(&self.values).map(|(&row, value)| FailureSample { row, value: value.clone() }).collect()
    }
}
