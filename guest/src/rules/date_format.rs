//! `date_format`: strings parse with a strftime format, with Python's `strptime` semantics.

use super::text::{TextTest, text_rule};
use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape};
use crate::document::RuleSpec;
use crate::strptime::DateFormat;
use serde_json::json;

const FORMAT: &[&str] = &["format", "strftime_format"];

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "date_format",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "Every non-null string parses with the strftime format into an existing date and time.",
        shape: Shape::ColumnRows,
        params: &[ParamDoc {
            names: FORMAT,
            meaning: "a strftime format such as `%Y-%m-%d` or `%d/%m/%Y %H:%M`",
            default: None,
        }],
        nulls: "ignored.",
        details: "Python's `datetime.strptime` decides, as in Great Expectations \
                  (`expect_column_values_to_match_strftime_format`): the whole value must parse, letters and \
                  month or day names ignore case, a space in the format matches one or more whitespace \
                  characters, `%d`, `%m`, `%H`, `%M`, `%S` accept one digit, `%Y` exactly four, `%f` one to six, \
                  and the result must exist: `2023-02-29`, second 60 and offsets of 24 hours fail; without \
                  `%Y` the year is 1900 (so `02-29` fails). Directives: `%a %A %b %B %c %d %f %G %H %I %j %m \
                  %M %p %S %u %U %V %w %W %x %X %y %Y %z %Z %%`; others are errors, as are `%G` without `%V` \
                  and a weekday, and `%V` without `%G`. Names are English; `%Z` accepts `UTC` and `GMT`; \
                  digits are ASCII. Applies to string columns (a date column has no format to check).",
        example: "- {type: date_format, column: order_date, format: '%Y-%m-%d'}\n\
                  - {type: date_format, column: shipped, format: '%d/%m/%Y %H:%M', mostly: 0.99}",
    },
}];

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let text = spec.params.require_string(FORMAT)?;
    let column = spec.required_column()?;
    let format = DateFormat::new(&text).map_err(|e| format!("invalid 'format': {e}"))?;
    let expectation = format!("match the date format '{text}'");
    Ok(text_rule("date_format", column, json!({ "format": text }), TextTest::Date(format), expectation))
}
