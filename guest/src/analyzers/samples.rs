//! Counts of evaluated and unexpected rows with the first unexpected values, in row order, up
//! to a cap: the state of every row-by-row analyzer.

use super::RowsMetric;
use crate::model::FailureSample;
use arrow_buffer::BooleanBuffer;
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

    /// Adds a sample in row order, keeping the first `cap` rows.
    pub fn insert(&mut self, row: u64, value: String) {
        let position = self.rows.partition_point(|&r| r < row);
        if position < self.cap as usize {
            self.rows.insert(position, row);
            self.values.insert(position, value);
            self.rows.truncate(self.cap as usize);
            self.values.truncate(self.cap as usize);
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

/// Rows evaluated, rows unexpected, and samples of the latter; merges by adding counts and
/// appending samples.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RowsState {
    pub evaluated: u64,
    pub unexpected: u64,
    pub samples: SampleBuffer,
}

impl RowsState {
    pub fn new(sample_cap: u32) -> Self {
        RowsState { evaluated: 0, unexpected: 0, samples: SampleBuffer::new(sample_cap) }
    }

    /// Adds a state whose rows come after the `rows_before` rows seen so far.
    pub fn merge(&mut self, other: RowsState, rows_before: u64) {
        self.evaluated += other.evaluated;
        self.unexpected += other.unexpected;
        self.samples.append(other.samples, rows_before);
    }

    /// Counts the set bits of `mask` as unexpected rows and samples the first of them; rows are
    /// numbered after `rows_before`, and `render` gives a row's value.
    pub fn record(&mut self, mask: &BooleanBuffer, rows_before: u64, render: impl Fn(usize) -> String) {
        self.unexpected += mask.count_set_bits() as u64;
        for row in mask.set_indices().take(self.samples.room()) {
            self.samples.offer(rows_before + row as u64, || render(row));
        }
    }

    pub fn metric(&self) -> RowsMetric {
        RowsMetric { evaluated: self.evaluated, unexpected: self.unexpected, samples: self.samples.to_samples() }
    }
}
