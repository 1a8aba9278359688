//! Profiling: per-column statistics and table facts in one streaming pass, with states that
//! merge like check states (exact parts exactly, sketches by their merge rules).

mod column;
mod distinct;
mod formats;
mod rows;
mod shape;

pub use column::QUANTILES;

use crate::analyzers::{decode, encode};
use crate::checker::{decode_ipc, schema_to_ipc};
use crate::model::{ErrorKind, ProfileOptions, ProfileResult, QualityError};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use column::ColumnProfiler;
use rows::{RowFingerprints, RowsState};
use serde::{Deserialize, Serialize};

/// Version of the exported profile state layout.
const STATE_FORMAT: u32 = 1;

/// A profile in progress.
pub struct Profiler {
    options: ProfileOptions,
    schema: Option<SchemaRef>,
    columns: Vec<ColumnProfiler>,
    rows: RowFingerprints,
    /// Rows profiled (at most `sample_size` when it is set).
    row_count: u64,
    /// Rows offered beyond `sample_size`.
    skipped: u64,
}

#[derive(Serialize, Deserialize)]
struct ProfilerState {
    format: u32,
    row_count: u64,
    skipped: u64,
    schema_ipc: Option<Vec<u8>>,
    rows: RowsState,
    columns: Vec<Vec<u8>>,
}

impl Profiler {
    pub fn new(options: ProfileOptions) -> Result<Profiler, QualityError> {
        if options.distinct_limit == 0 {
            return Err(QualityError::new(ErrorKind::Options, "distinct_limit must be at least 1"));
        }
        let rows = RowFingerprints::new(options.distinct_limit);
        Ok(Profiler { options, schema: None, columns: Vec::new(), rows, row_count: 0, skipped: 0 })
    }

    /// Whether more rows would be profiled (false once `sample_size` rows were seen).
    pub fn wants_rows(&self) -> bool {
        self.options.sample_size == 0 || self.row_count < self.options.sample_size
    }

    /// Feeds an Arrow IPC stream.
    pub fn feed_ipc(&mut self, bytes: Vec<u8>) -> Result<(), QualityError> {
        let schema = decode_ipc(bytes, |batch| self.feed_batch(&batch))?;
        self.bind_schema(schema)
    }

    /// Feeds one record batch (rows past `sample_size` are counted as skipped, not profiled).
    pub fn feed_batch(&mut self, batch: &RecordBatch) -> Result<(), QualityError> {
        self.bind_schema(batch.schema())?;
        let room = if self.options.sample_size == 0 {
            batch.num_rows()
        } else {
            (self.options.sample_size.saturating_sub(self.row_count) as usize).min(batch.num_rows())
        };
        self.skipped += (batch.num_rows() - room) as u64;
        if room == 0 {
            return Ok(());
        }
        let batch = batch.slice(0, room);
        for column in &mut self.columns {
            column.update(&batch)?;
        }
        self.rows.update(&batch);
        self.row_count += room as u64;
        Ok(())
    }

    fn bind_schema(&mut self, schema: SchemaRef) -> Result<(), QualityError> {
        if let Some(known) = &self.schema {
            return crate::checker::same_columns(known, &schema, "the data's schema changed between batches");
        }
        self.columns = schema.fields().iter().map(|f| ColumnProfiler::new(f, &self.options)).collect();
        self.schema = Some(schema);
        Ok(())
    }

    pub fn export_state(&self) -> Vec<u8> {
        encode(&ProfilerState {
            format: STATE_FORMAT,
            row_count: self.row_count,
            skipped: self.skipped,
            schema_ipc: self.schema.as_ref().map(|s| schema_to_ipc(s)),
            rows: self.rows.export(),
            columns: self.columns.iter().map(ColumnProfiler::export).collect(),
        })
    }

    /// Merges the state of a profiler with the same options (its rows come after these).
    pub fn merge_state(&mut self, bytes: &[u8]) -> Result<(), QualityError> {
        let state: ProfilerState = decode(bytes, "profile")?;
        if state.format != STATE_FORMAT {
            return Err(QualityError::state(format!(
                "the profile state has format {} but this engine reads format {STATE_FORMAT}",
                state.format
            )));
        }
        let Some(schema_ipc) = state.schema_ipc else { return Ok(()) };
        let schema = decode_ipc(schema_ipc, |_| Err(QualityError::state("the state's schema holds rows")))?;
        self.bind_schema(schema)?;
        if state.columns.len() != self.columns.len() {
            return Err(QualityError::state("the profile state does not match the data's columns"));
        }
        for (column, column_state) in self.columns.iter_mut().zip(&state.columns) {
            column.merge(column_state)?;
        }
        self.rows.merge(state.rows);
        self.row_count += state.row_count;
        self.skipped += state.skipped;
        Ok(())
    }

    pub fn finish(&self) -> Result<ProfileResult, QualityError> {
        let schema = self.schema.as_ref().ok_or_else(|| QualityError::data("no data was fed to the profile"))?;
        let (duplicate_row_count, duplicate_rows_estimated) = self.rows.duplicates();
        Ok(ProfileResult {
            row_count: self.row_count,
            column_count: schema.fields().len() as u32,
            duplicate_row_count,
            duplicate_rows_estimated,
            sampled: self.skipped > 0,
            columns: self.columns.iter().map(|c| c.finish(self.row_count, &self.options)).collect(),
        })
    }
}
