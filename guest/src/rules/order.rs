//! `increasing` and `decreasing`: each non-null value is at least (or, `strictly`, more than)
//! the previous non-null value in row order, or at most (less than) it.

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::Order;
use crate::document::RuleSpec;
use serde_json::json;

const STRICTLY: &[&str] = &["strictly"];

/// How values are compared and what counts, for both rules.
macro_rules! order_details {
    () => {
        "Each value is compared with the previous non-null value in row order (not with the largest or \
         smallest so far), as Great Expectations does, so one out-of-place value is one unexpected row and the \
         first value is never unexpected. Applies to numeric, decimal, date and timestamp columns; NaN is \
         always unexpected and is skipped as the value the next one is compared with. Row order is the order \
         of the data as read (batches, then merged states, in order)."
    };
}

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "increasing",
        aliases: &[],
        build: build_increasing,
        doc: RuleDoc {
            summary: "Every non-null value is at least the previous one (more than it, with `strictly`).",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: STRICTLY,
                meaning: "`true` makes a value equal to the previous one unexpected",
                default: Some("`false`"),
            }],
            nulls: "skipped: a value is compared with the previous non-null value.",
            details: concat!(order_details!(), " Great Expectations: `expect_column_values_to_be_increasing`."),
            example: "- {type: increasing, column: event_time}\n- {type: increasing, column: invoice_number, strictly: true}",
        },
    },
    RuleType {
        name: "decreasing",
        aliases: &[],
        build: build_decreasing,
        doc: RuleDoc {
            summary: "Every non-null value is at most the previous one (less than it, with `strictly`).",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: STRICTLY,
                meaning: "`true` makes a value equal to the previous one unexpected",
                default: Some("`false`"),
            }],
            nulls: "skipped: a value is compared with the previous non-null value.",
            details: concat!(order_details!(), " Great Expectations: `expect_column_values_to_be_decreasing`."),
            example: "- {type: decreasing, column: remaining_stock}",
        },
    },
];

fn build_increasing(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    build(spec, false)
}

fn build_decreasing(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    build(spec, true)
}

fn build(spec: &mut RuleSpec, descending: bool) -> Result<Box<dyn Rule>, String> {
    let strictly = spec.params.take_bool(STRICTLY)?.unwrap_or(false);
    let column = spec.required_column()?;
    let rule_type = if descending { "decreasing" } else { "increasing" };
    let relation = match (descending, strictly) {
        (false, false) => ">=",
        (false, true) => ">",
        (true, false) => "<=",
        (true, true) => "<",
    };
    let expectation = format!("be {relation} the previous value");
    let order = Unexpected::OutOfOrder(Order { descending, strictly });
    Ok(ValueRule::boxed(rule_type, column, json!({ "strictly": strictly }), order, expectation))
}
