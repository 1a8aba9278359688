//! `unique`: no non-null value occurs twice; every occurrence of a repeated value is unexpected.
//! With `columns:` instead of `column:`, the combinations of values of several columns are unique.

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::document::RuleSpec;
use serde_json::json;

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "unique",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "No non-null value occurs more than once.",
        shape: Shape::ColumnRows,
        params: &[ParamDoc {
            names: &["columns", "column_list"],
            meaning: "instead of `column`: two or more columns whose combinations of values must be unique \
                      (Great Expectations' compound columns)",
            default: Some("none: one `column`"),
        }],
        nulls: "ignored: nulls are neither evaluated nor duplicates of each other. With `columns`, only rows \
                missing every value are skipped, and a null counts as a value of its combination (as pandas \
                `duplicated` and Great Expectations' compound uniqueness do).",
        details: "Every occurrence of a repeated value is unexpected, the first one included (as in Great \
                  Expectations), so `mostly` bounds the share of rows involved in duplicates. Works on numbers, \
                  strings, booleans, dates, timestamps and decimals; `-0.0` equals `0.0` and NaN equals NaN. \
                  Counts are exact (no sketch). Each distinct value costs its bytes plus about 51 bytes in \
                  memory; past the memory budget (`--memory-budget`, default 64 MiB) the values spill to a \
                  private temporary directory and are counted one hash partition at a time, so memory stays \
                  bounded and the counts stay exact.",
        example: "- {type: unique, column: email, mostly: 0.99}\n- {type: unique, columns: [customer_id, order_date]}",
    },
}];

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let columns = spec.params.take(&["columns", "column_list"])?;
    match (spec.column.clone(), columns) {
        (Some(column), None) => Ok(ValueRule::boxed("unique", column, json!({}), Unexpected::Repeated, "be unique")),
        (None, Some(list)) => {
            let columns: Vec<String> = list
                .as_array()
                .map(|items| items.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
                .filter(|names: &Vec<String>| names.len() >= 2 && Some(names.len()) == list.as_array().map(Vec::len))
                .ok_or(format!("'columns' must list two or more column names, got {list}"))?;
            Ok(ValueRule::repeated_rows("unique", columns.clone(), json!({ "columns": columns })))
        }
        (Some(_), Some(_)) => Err("give 'column' or 'columns', not both".into()),
        (None, None) => Err("missing required field 'column' (or 'columns' for a combination)".into()),
    }
}
