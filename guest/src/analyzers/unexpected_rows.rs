//! Counts the non-null rows of a column that break a row predicate (set membership, range,
//! pattern, length). The predicate produces a bit mask per batch; counting is a popcount.

use super::{Analyzer, Metric, RowsState, column, decode, encode, null_count};
use crate::model::QualityError;
use crate::values::render_value;
use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use std::rc::Rc;

/// A property every non-null value of a column must have.
pub trait RowPredicate {
    /// Identifies the computation: predicates with equal keys on one column are computed once.
    fn key(&self) -> String;
    /// Whether values of this type can be tested; the error says why not.
    fn check_type(&self, data_type: &DataType) -> Result<(), String>;
    /// A mask with a set bit for every slot that breaks the predicate. Null slots may be set or
    /// not: the analyzer masks them out.
    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String>;
    /// Relative work per value (1: a comparison).
    fn cost(&self) -> u32 {
        1
    }
}

pub struct UnexpectedRows {
    column: String,
    predicate: Rc<dyn RowPredicate>,
    state: RowsState,
}

impl UnexpectedRows {
    pub fn new(column: &str, predicate: Rc<dyn RowPredicate>, sample_cap: u32) -> Self {
        UnexpectedRows { column: column.to_string(), predicate, state: RowsState::new(sample_cap) }
    }

    /// The predicate's mask over `array`; dictionaries are tested once per distinct value.
    fn mask(&self, array: &dyn Array) -> Result<BooleanBuffer, QualityError> {
        let fail = |e: String| QualityError::data(format!("column '{}': {e}", self.column));
        match array.data_type() {
            DataType::Dictionary(_, _) => {
                let dict = array.as_any_dictionary();
                let per_value = self.predicate.unexpected(dict.values().as_ref()).map_err(fail)?;
                let keys = dict.normalized_keys();
                Ok(BooleanBuffer::collect_bool(keys.len(), |i| per_value.value(keys[i])))
            }
            _ => self.predicate.unexpected(array).map_err(fail),
        }
    }
}

impl Analyzer for UnexpectedRows {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        let array = column(batch, &self.column)?;
        let nulls = null_count(array.as_ref());
        self.state.evaluated += (array.len() - nulls) as u64;
        if nulls == array.len() {
            return Ok(());
        }
        let mut mask = self.mask(array.as_ref())?;
        if nulls > 0
            && let Some(valid) = array.logical_nulls()
        {
            mask = &mask & valid.inner();
        }
        self.state.unexpected += mask.count_set_bits() as u64;
        let room = self.state.samples.room();
        for row in mask.set_indices().take(room) {
            self.state.samples.offer(rows_before + row as u64, || render_value(array.as_ref(), row));
        }
        Ok(())
    }

    fn export(&self) -> Vec<u8> {
        encode(&self.state)
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        self.state.merge(decode(state, "rule")?, rows_before);
        Ok(())
    }

    fn metric(&self) -> Metric {
        Metric::Rows(self.state.metric())
    }
}
