//! Counts the rows whose values break a predicate: the values of one column (set membership,
//! range, pattern, length) or of several columns together (a comparison of two columns, a sum
//! across columns). The predicate produces a bit mask per batch; counting is a popcount.

use super::{Analyzer, Metric, RowsState, column, decode, encode};
use crate::model::QualityError;
use crate::values::render_value;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::{BooleanBuffer, NullBuffer};
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

/// A property of each row's values in several columns.
pub trait RowsPredicate {
    /// Identifies the computation: predicates with equal keys on equal columns are computed once.
    fn key(&self) -> String;
    /// Whether columns of these types can be tested; `columns` are the rule's columns in order,
    /// with the parameter naming each. The error names the column and the parameter.
    fn check_types(&self, columns: &[ColumnType<'_>]) -> Result<(), String>;
    /// A mask with a set bit for every row that breaks the predicate. Rows with a null in any
    /// column may be set or not: the analyzer decides them. No array is of the null type.
    fn unexpected(&self, arrays: &[ArrayRef]) -> Result<BooleanBuffer, String>;
    /// Relative work per row (1: a comparison).
    fn cost(&self) -> u32 {
        1
    }
}

/// A column a rule reads, the parameter that names it, and its type.
#[derive(Debug, Clone, Copy)]
pub struct ColumnType<'a> {
    pub name: &'a str,
    pub parameter: &'a str,
    pub data_type: &'a DataType,
}

/// Which rows with missing values a rule leaves out, as Great Expectations' `ignore_row_if`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipRows {
    /// Rows with a null in any column (every single-column rule; GX `either_value_is_missing`,
    /// `any_value_is_missing`).
    AnyNull,
    /// Rows whose values are all null (GX's default for column pairs and multicolumn rules:
    /// `both_values_are_missing`, `all_values_are_missing`); a row with some nulls is unexpected.
    AllNull,
    /// None: every row is evaluated and a row with a null is unexpected (GX `neither`, `never`).
    Never,
}

enum Test {
    Values(Rc<dyn RowPredicate>),
    Rows(Rc<dyn RowsPredicate>),
}

pub struct UnexpectedRows {
    columns: Vec<String>,
    skip: SkipRows,
    test: Test,
    state: RowsState,
}

impl UnexpectedRows {
    /// Non-null values of `column` breaking `predicate`.
    pub fn values(column: &str, predicate: Rc<dyn RowPredicate>, sample_cap: u32) -> Self {
        UnexpectedRows {
            columns: vec![column.to_string()],
            skip: SkipRows::AnyNull,
            test: Test::Values(predicate),
            state: RowsState::new(sample_cap),
        }
    }

    /// Rows of `columns` breaking `predicate`, rows with missing values skipped as `skip` says.
    pub fn rows(columns: &[String], skip: SkipRows, predicate: Rc<dyn RowsPredicate>, sample_cap: u32) -> Self {
        UnexpectedRows {
            columns: columns.to_vec(),
            skip,
            test: Test::Rows(predicate),
            state: RowsState::new(sample_cap),
        }
    }

    /// The predicate's mask; dictionaries of a single column are tested once per distinct value.
    fn mask(&self, arrays: &[ArrayRef]) -> Result<BooleanBuffer, QualityError> {
        let fail = |e: String| match self.columns.as_slice() {
            [column] => QualityError::data(format!("column '{column}': {e}")),
            columns => QualityError::data(format!("columns '{}': {e}", columns.join("', '"))),
        };
        match &self.test {
            Test::Values(predicate) => {
                let array = arrays[0].as_ref();
                match array.data_type() {
                    DataType::Dictionary(_, _) => {
                        let dict = array.as_any_dictionary();
                        let per_value = predicate.unexpected(dict.values().as_ref()).map_err(fail)?;
                        let keys = dict.normalized_keys();
                        Ok(BooleanBuffer::collect_bool(keys.len(), |i| per_value.value(keys[i])))
                    }
                    _ => predicate.unexpected(array).map_err(fail),
                }
            }
            // A column of nothing but nulls decides every row by the null rule alone.
            Test::Rows(_) if arrays.iter().any(|a| *a.data_type() == DataType::Null) => {
                Ok(BooleanBuffer::new_unset(arrays[0].len()))
            }
            Test::Rows(predicate) => predicate.unexpected(arrays).map_err(fail),
        }
    }
}

/// Rows where every array is valid, and rows where any is (`None`: every row).
fn validity(arrays: &[ArrayRef]) -> (Option<BooleanBuffer>, Option<BooleanBuffer>) {
    let nulls: Vec<NullBuffer> =
        arrays.iter().filter_map(|a| a.logical_nulls()).filter(|n| n.null_count() > 0).collect();
    let all = nulls.iter().map(|n| n.inner().clone()).reduce(|a, b| &a & &b);
    let any =
        if nulls.len() < arrays.len() { None } else { nulls.iter().map(|n| n.inner().clone()).reduce(|a, b| &a | &b) };
    (all, any)
}

/// A row's values: the value alone for one column, `(a, b)` for several.
fn render_row(arrays: &[ArrayRef], row: usize) -> String {
    match arrays {
        [array] => render_value(array.as_ref(), row),
        _ => format!("({})", arrays.iter().map(|a| render_value(a.as_ref(), row)).collect::<Vec<_>>().join(", ")),
    }
}

impl Analyzer for UnexpectedRows {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        let arrays = self.columns.iter().map(|name| column(batch, name).cloned()).collect::<Result<Vec<_>, _>>()?;
        let (all_valid, any_valid) = validity(&arrays);
        let evaluated = match self.skip {
            SkipRows::AnyNull => all_valid.clone(),
            SkipRows::AllNull => any_valid,
            SkipRows::Never => None,
        };
        let evaluated_count = evaluated.as_ref().map_or(batch.num_rows(), BooleanBuffer::count_set_bits);
        self.state.evaluated += evaluated_count as u64;
        if evaluated_count == 0 {
            return Ok(());
        }
        let mut mask = self.mask(&arrays)?;
        // Evaluated rows with a null are unexpected (with `AnyNull` there are none).
        if let Some(valid) = &all_valid {
            mask = &(&mask & valid) | &!valid;
        }
        if let Some(evaluated) = &evaluated {
            mask = &mask & evaluated;
        }
        self.state.record(&mask, rows_before, |row| render_row(&arrays, row));
        Ok(())
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        Ok(encode(&self.state))
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        self.state.merge(decode(state, "rule")?, rows_before);
        Ok(())
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        Ok(Metric::Rows(self.state.metric()))
    }
}
