//! `multicolumn_sum_equal`: in every row, the values of `columns` add up to `sum_total`. Rows
//! where every value is missing are skipped and rows with some missing values are unexpected
//! (their sum is unknown), as Great Expectations does by default (`ignore_row_if:
//! all_values_are_missing`, pandas `sum(axis=1, skipna=False)`).

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, ValueRule};
use crate::analyzers::{ColumnType, RowsPredicate, SkipRows};
use crate::document::RuleSpec;
use crate::values::{Number, NumberSlots, ValueKind, compare_numbers, decode_dictionary, has_number_slots, value_kind};
use arrow_array::{Array, ArrayRef};
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::{Value, json};
use std::cmp::Ordering;
use std::rc::Rc;

const COLUMNS: &[&str] = &["columns", "column_list"];
const SUM_TOTAL: &[&str] = &["sum_total"];
const IGNORE_ROW_IF: &[&str] = &["ignore_row_if"];

/// Great Expectations' `ignore_row_if` choices for multicolumn rules, the default first.
const SKIPS: &[(&str, SkipRows)] = &[
    ("all_values_are_missing", SkipRows::AllNull),
    ("any_value_is_missing", SkipRows::AnyNull),
    ("never", SkipRows::Never),
];

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "multicolumn_sum_equal",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "In every row, the values of `columns` add up to `sum_total`.",
        shape: Shape::Rows,
        params: &[
            ParamDoc { names: COLUMNS, meaning: "the numeric columns to add, at least two", default: None },
            ParamDoc { names: SUM_TOTAL, meaning: "the sum every row must have", default: None },
            ParamDoc {
                names: IGNORE_ROW_IF,
                meaning: "which rows with missing values to skip: `all_values_are_missing`, `any_value_is_missing` \
                          or `never` (then a row with a null is unexpected)",
                default: Some("`all_values_are_missing`"),
            },
        ],
        nulls: "rows where every value is null are skipped; a row with some nulls is evaluated and unexpected \
                (Great Expectations' default `ignore_row_if: all_values_are_missing`).",
        details: "Integer columns are added exactly; with a float or decimal column the sum is a float, added left \
                  to right and compared exactly (`0.1 + 0.2` is not `0.3`). Great Expectations: \
                  `expect_multicolumn_sum_to_equal`.",
        example: "- {type: multicolumn_sum_equal, columns: [cash, card, voucher], sum_total: 100}",
    },
}];

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let listed = spec.params.require_list(COLUMNS)?;
    let total = spec.params.take_number(SUM_TOTAL)?;
    let (ignore_row_if, skip) = spec.params.take_choice(IGNORE_ROW_IF, SKIPS)?;
    spec.forbid_column()?;
    let mut columns: Vec<String> = Vec::new();
    for item in listed {
        let Value::String(name) = item else { return Err(format!("'columns' must list column names, got {item}")) };
        if columns.contains(&name) {
            return Err(format!("'columns' lists '{name}' twice"));
        }
        columns.push(name);
    }
    if columns.len() < 2 {
        return Err("'columns' must list at least two columns".into());
    }
    let total_value = total.ok_or("missing required field 'sum_total'")?;
    let total = match (total_value.as_i64(), total_value.as_u64(), total_value.as_f64()) {
        (Some(i), _, _) => Number::Int(i128::from(i)),
        (None, Some(u), _) => Number::Int(i128::from(u)),
        (None, None, Some(f)) => Number::Float(f),
        _ => return Err(format!("'sum_total' must be a number, got {total_value}")),
    };
    let parameters = json!({ "columns": columns, "sum_total": total_value, "ignore_row_if": ignore_row_if });
    let expectation = format!("add up to {total_value}");
    let columns = columns.into_iter().map(|c| (c, COLUMNS[0])).collect();
    Ok(ValueRule::over_rows(
        "multicolumn_sum_equal",
        columns,
        parameters,
        skip,
        Rc::new(SumPredicate { total }),
        expectation,
    ))
}

struct SumPredicate {
    total: Number,
}

impl RowsPredicate for SumPredicate {
    fn key(&self) -> String {
        format!("sum:{:?}", self.total)
    }

    fn check_types(&self, columns: &[ColumnType<'_>]) -> Result<(), String> {
        for column in columns {
            let numeric =
                matches!(value_kind(column.data_type), ValueKind::Integer | ValueKind::Float | ValueKind::Decimal)
                    && has_number_slots(column.data_type);
            if !numeric && *column.data_type != DataType::Null {
                return Err(format!(
                    "column '{}' (in '{}') has type {}; multicolumn_sum_equal adds numeric columns",
                    column.name, column.parameter, column.data_type
                ));
            }
        }
        Ok(())
    }

    fn cost(&self) -> u32 {
        2
    }

    fn unexpected(&self, arrays: &[ArrayRef]) -> Result<BooleanBuffer, String> {
        let decoded = arrays.iter().map(decode_dictionary).collect::<Result<Vec<_>, _>>()?;
        let slots = decoded
            .iter()
            .map(|a| NumberSlots::of(a.as_ref()).ok_or_else(|| format!("cannot add values of type {}", a.data_type())))
            .collect::<Result<Vec<_>, _>>()?;
        let len = arrays.first().map_or(0, |a| a.len());
        if slots.iter().all(NumberSlots::is_integer) {
            let mut sums = vec![0i128; len];
            for column in &slots {
                for (i, sum) in sums.iter_mut().enumerate() {
                    if let Number::Int(v) = column.get(i) {
                        *sum += v;
                    }
                }
            }
            let total = self.total;
            return Ok(BooleanBuffer::collect_bool(len, |i| {
                compare_numbers(Number::Int(sums[i]), total) != Some(Ordering::Equal)
            }));
        }
        let mut sums = vec![0f64; len];
        for column in &slots {
            for (i, sum) in sums.iter_mut().enumerate() {
                *sum += match column.get(i) {
                    Number::Int(v) => v as f64,
                    Number::Float(v) => v,
                };
            }
        }
        let total = match self.total {
            Number::Int(v) => v as f64,
            Number::Float(v) => v,
        };
        Ok(BooleanBuffer::collect_bool(len, |i| sums[i] != total))
    }
}
