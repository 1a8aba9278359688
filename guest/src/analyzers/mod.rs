//! Analyzers compute mergeable metrics over record batches (the Deequ model). Rules only read
//! their metrics, so rules that need the same metric share one analyzer and one pass.

mod column_stats;
mod duplicate_values;
mod null_rows;
mod order_breaks;
mod samples;
mod shard_part;
mod sorted_runs;
mod sorted_values;
pub mod spill;
mod spill_files;
mod unexpected_rows;
mod value_summary;
pub(crate) mod value_table;

pub use column_stats::{ColumnStats, Extreme, Lengths, StatsMetric, StatsState};
pub use duplicate_values::DuplicateValues;
pub use null_rows::NullRows;
pub use order_breaks::{Order, OrderBreaks};
pub use samples::RowsState;
pub use shard_part::{BatchTurns, Part};
pub use sorted_values::{CollectValues, Interpolation, SortedValues};
pub use unexpected_rows::{ColumnType, RowPredicate, RowsPredicate, SkipRows, UnexpectedRows};
pub use value_summary::{SHOWN_VALUES, ValueSummary};

use crate::model::{FailureSample, QualityError};
use arrow_array::{Array, ArrayRef, RecordBatch};

/// Rows a rule evaluated, how many of them broke it, and the first of those.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsMetric {
    pub evaluated: u64,
    pub unexpected: u64,
    pub samples: Vec<FailureSample>,
}

/// The distinct values of a column.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuesMetric {
    /// Non-null rows, and the rows whose value occurs more than once.
    pub rows: RowsMetric,
    /// Distinct non-null values.
    pub distinct: u64,
    /// What the set rules read of the values, when a rule asked for it.
    pub summary: Option<ValueSummary>,
    /// The column's type, to read the keys.
    pub data_type: arrow_schema::DataType,
}

/// What an analyzer measured; each rule knows which kind its analyzers give.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// Rows evaluated and unexpected, for row-by-row rules.
    Rows(RowsMetric),
    /// Distinct values of a column (and its duplicate rows).
    Values(ValuesMetric),
    /// Statistics of a column.
    Stats(Box<StatsMetric>),
    /// Every non-null value of a numeric column, sorted.
    Sorted(SortedValues),
}

impl Metric {
    /// The row counts of a row analyzer.
    pub fn rows(&self) -> &RowsMetric {
        match self {
            Metric::Rows(metric) => metric,
            Metric::Values(metric) => &metric.rows,
            other => unreachable!("a row rule was planned onto {other:?}"),
        }
    }

    /// The distinct values of a distinct-value analyzer.
    pub fn values(&self) -> &ValuesMetric {
        match self {
            Metric::Values(metric) => metric,
            other => unreachable!("a distinct-value rule was planned onto {other:?}"),
        }
    }

    /// The statistics of a column-statistics analyzer.
    pub fn stats(&self) -> &StatsMetric {
        match self {
            Metric::Stats(metric) => metric,
            other => unreachable!("a statistics rule was planned onto {other:?}"),
        }
    }

    /// The sorted values of a value-collecting analyzer.
    pub fn sorted(&self) -> &SortedValues {
        match self {
            Metric::Sorted(values) => values,
            other => unreachable!("a quantile rule was planned onto {other:?}"),
        }
    }
}

/// A metric computation with a state that merges exactly.
pub trait Analyzer {
    /// Folds one batch in. `rows_before` is the number of rows fed before it, so sample rows are
    /// numbered across the whole data set.
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError>;
    /// The state, to be merged by a checker of the same plan.
    fn export(&self) -> Result<Vec<u8>, QualityError>;
    /// Merges an exported state whose rows come after the `rows_before` rows seen so far.
    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError>;
    /// The metric so far (an analyzer that spilled reads its values back, which can fail).
    fn metric(&self) -> Result<Metric, QualityError>;
    /// Learns the data's schema (before the first batch, or from a merged state).
    fn bind(&mut self, _schema: &arrow_schema::Schema) {}
    /// Whether the state keeps every distinct value or every value, so that exporting and
    /// merging it cost about as much as computing it (rather than a bounded summary).
    fn state_grows_with_data(&self) -> bool {
        false
    }
}

/// The column `name` of `batch`; the plan validated column names before any batch arrives.
pub(crate) fn column<'a>(batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef, QualityError> {
    batch.column_by_name(name).ok_or_else(|| {
        QualityError::new(crate::model::ErrorKind::UnknownColumn, format!("column '{name}' is missing from a batch"))
    })
}

/// Rows of `array` that are null, looking through dictionaries and null-typed columns.
pub(crate) fn null_count(array: &dyn Array) -> usize {
    array.logical_null_count()
}

pub(crate) fn encode<T: serde::Serialize>(state: &T) -> Vec<u8> {
    postcard::to_allocvec(state).expect("analyzer states are plain data and always encode")
}

pub(crate) fn decode<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8], what: &str) -> Result<T, QualityError> {
    postcard::from_bytes(bytes).map_err(|e| QualityError::state(format!("the {what} state is corrupt: {e}")))
}
