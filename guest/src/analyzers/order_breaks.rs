//! Values out of order, for `increasing` and `decreasing`: each non-null value is compared with
//! the previous non-null value in row order (not with the largest so far), as Great Expectations
//! does; the first value has nothing to break. NaN has no place in an order: it is unexpected
//! and does not become the value the next one is compared with.
//!
//! A state keeps its part's first and last orderable values, so parts merge exactly: the first
//! value of a later part is compared with the last value of the parts before it.

use super::{Analyzer, Metric, RowsState, column, decode, encode};
use crate::model::QualityError;
use crate::values::{Number, NumberSlots, compare_numbers, decode_dictionary, render_value};
use arrow_array::{Array, RecordBatch};
use arrow_buffer::BooleanBuffer;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The order values must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub descending: bool,
    /// Equal neighbours break a strict order.
    pub strictly: bool,
}

impl Order {
    /// Whether `value` may follow `previous`.
    fn allows(self, previous: Number, value: Number) -> bool {
        match compare_numbers(value, previous) {
            Some(Ordering::Equal) => !self.strictly,
            Some(Ordering::Greater) => !self.descending,
            Some(Ordering::Less) => self.descending,
            None => false,
        }
    }
}

fn is_nan(value: Number) -> bool {
    matches!(value, Number::Float(f) if f.is_nan())
}

#[derive(Serialize, Deserialize)]
struct OrderState {
    rows: RowsState,
    /// The part's first orderable value: its row, the value, and the value rendered for a sample.
    first: Option<(u64, Number, String)>,
    /// The part's last orderable value.
    last: Option<Number>,
}

pub struct OrderBreaks {
    column: String,
    order: Order,
    state: OrderState,
}

impl OrderBreaks {
    pub fn new(column: &str, order: Order, sample_cap: u32) -> Self {
        OrderBreaks {
            column: column.to_string(),
            order,
            state: OrderState { rows: RowsState::new(sample_cap), first: None, last: None },
        }
    }
}

impl Analyzer for OrderBreaks {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        let array = decode_dictionary(column(batch, &self.column)?).map_err(QualityError::data)?;
        let valid = array.logical_nulls();
        self.state.rows.evaluated += (array.len() - valid.as_ref().map_or(0, |n| n.null_count())) as u64;
        if valid.as_ref().is_some_and(|n| n.null_count() == array.len()) {
            return Ok(());
        }
        let slots = NumberSlots::of(array.as_ref()).ok_or_else(|| {
            QualityError::data(format!("column '{}' has type {}, which has no order", self.column, array.data_type()))
        })?;
        let (order, mut previous, mut first) = (self.order, self.state.last, None);
        let mask = BooleanBuffer::collect_bool(array.len(), |i| {
            if valid.as_ref().is_some_and(|n| n.is_null(i)) {
                return false;
            }
            let value = slots.get(i);
            if is_nan(value) {
                return true;
            }
            first.get_or_insert(i);
            let breaks = previous.is_some_and(|p| !order.allows(p, value));
            previous = Some(value);
            breaks
        });
        if self.state.first.is_none()
            && let Some(row) = first
        {
            self.state.first = Some((rows_before + row as u64, slots.get(row), render_value(array.as_ref(), row)));
        }
        self.state.last = previous;
        self.state.rows.record(&mask, rows_before, |row| render_value(array.as_ref(), row));
        Ok(())
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        Ok(encode(&self.state))
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        let mut other: OrderState = decode(state, "order")?;
        if let (Some(last), Some((row, value, text))) = (self.state.last, &other.first)
            && !self.order.allows(last, *value)
        {
            other.rows.unexpected += 1;
            other.rows.samples.insert(*row, text.clone());
        }
        if self.state.first.is_none() {
            self.state.first = other.first.map(|(row, value, text)| (row + rows_before, value, text));
        }
        self.state.last = other.last.or(self.state.last);
        self.state.rows.merge(other.rows, rows_before);
        Ok(())
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        Ok(Metric::Rows(self.state.rows.metric()))
    }
}
