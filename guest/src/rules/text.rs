//! Rules that test string values one by one without a regex: `starts_with`, `ends_with`,
//! `json_parseable`, and (through [`TextTest`]) the named-format and date-format rules.

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::formats::Format;
use crate::json_syntax::JsonSyntax;
use crate::strptime::DateFormat;
use crate::values::{ValueKind, string_mask, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use serde_json::{Value, json};
use std::rc::Rc;

const PREFIX: &[&str] = &["prefix"];
const SUFFIX: &[&str] = &["suffix"];

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "starts_with",
        aliases: &[],
        build: build_starts_with,
        doc: RuleDoc {
            summary: "Every non-null string starts with `prefix`.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: PREFIX,
                meaning: "the text every value must begin with (not empty)",
                default: None,
            }],
            nulls: "ignored.",
            details: "Case-sensitive and literal: no pattern characters, no trimming of whitespace. Applies to \
                      string columns.",
            example: "- {type: starts_with, column: iban, prefix: DE}",
        },
    },
    RuleType {
        name: "ends_with",
        aliases: &[],
        build: build_ends_with,
        doc: RuleDoc {
            summary: "Every non-null string ends with `suffix`.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: SUFFIX,
                meaning: "the text every value must end with (not empty)",
                default: None,
            }],
            nulls: "ignored.",
            details: "Case-sensitive and literal: no pattern characters, no trimming of whitespace. Applies to \
                      string columns.",
            example: "- {type: ends_with, column: file_name, suffix: .csv}",
        },
    },
    RuleType {
        name: "json_parseable",
        aliases: &[],
        build: build_json_parseable,
        doc: RuleDoc {
            summary: "Every non-null string is one JSON document.",
            shape: Shape::ColumnRows,
            params: &[],
            nulls: "ignored.",
            details: "A value parses when Python's `json.loads` accepts it, as in Great Expectations \
                      (`expect_column_values_to_be_json_parseable`): any JSON value (object, array, string, \
                      number, `true`, `false`, `null`), surrounded by optional spaces, tabs or line breaks; \
                      `NaN`, `Infinity` and `-Infinity` are accepted, trailing commas, single quotes, leading \
                      zeros, `1.`, `.5` and raw control characters in strings are not. Duplicate keys are \
                      allowed. Applies to string columns.",
            example: "- {type: json_parseable, column: payload}",
        },
    },
];

fn build_starts_with(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let prefix = spec.params.require_string(PREFIX)?;
    let column = spec.required_column()?;
    if prefix.is_empty() {
        return Err("'prefix' must not be empty".into());
    }
    let expectation = format!("start with {}", Value::from(prefix.as_str()));
    let parameters = json!({ "prefix": prefix });
    Ok(text_rule("starts_with", column, parameters, TextTest::Prefix(prefix), expectation))
}

fn build_ends_with(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let suffix = spec.params.require_string(SUFFIX)?;
    let column = spec.required_column()?;
    if suffix.is_empty() {
        return Err("'suffix' must not be empty".into());
    }
    let expectation = format!("end with {}", Value::from(suffix.as_str()));
    let parameters = json!({ "suffix": suffix });
    Ok(text_rule("ends_with", column, parameters, TextTest::Suffix(suffix), expectation))
}

fn build_json_parseable(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    Ok(text_rule("json_parseable", column, json!({}), TextTest::Json, "be parseable as JSON"))
}

/// What a string value must be.
pub(super) enum TextTest {
    Prefix(String),
    Suffix(String),
    Json,
    Format(Format),
    Date(DateFormat),
}

/// A rule on the string values of `column`.
pub(super) fn text_rule(
    rule_type: &'static str,
    column: String,
    parameters: Value,
    test: TextTest,
    expectation: impl Into<String>,
) -> Box<dyn Rule> {
    let predicate = TextPredicate { rule_type, test };
    ValueRule::boxed(rule_type, column, parameters, Unexpected::Breaking(Rc::new(predicate)), expectation)
}

struct TextPredicate {
    /// For error messages only: rules with equal tests share one analyzer whatever their type.
    rule_type: &'static str,
    test: TextTest,
}

impl TextPredicate {
    fn type_error(&self, data_type: &DataType) -> String {
        format!("has type {data_type}; {} needs a string column", self.rule_type)
    }
}

impl RowPredicate for TextPredicate {
    fn key(&self) -> String {
        match &self.test {
            TextTest::Prefix(prefix) => format!("prefix:{prefix}"),
            TextTest::Suffix(suffix) => format!("suffix:{suffix}"),
            TextTest::Json => "json".into(),
            TextTest::Format(format) => format!("format:{}", format.name()),
            TextTest::Date(format) => format!("date_format:{}", format.text()),
        }
    }

    fn check_type(&self, data_type: &DataType) -> Result<(), String> {
        match value_kind(data_type) {
            ValueKind::String => Ok(()),
            _ => Err(self.type_error(data_type)),
        }
    }

    fn cost(&self) -> u32 {
        match self.test {
            TextTest::Prefix(_) | TextTest::Suffix(_) | TextTest::Format(_) => 1,
            TextTest::Json | TextTest::Date(_) => 3,
        }
    }

    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String> {
        let mask = match &self.test {
            TextTest::Prefix(prefix) => string_mask(array, |s| !s.starts_with(prefix.as_str())),
            TextTest::Suffix(suffix) => string_mask(array, |s| !s.ends_with(suffix.as_str())),
            TextTest::Json => {
                let mut json = JsonSyntax::default();
                string_mask(array, |s| !json.is_document(s))
            }
            TextTest::Format(format) => string_mask(array, |s| !format.matches(s)),
            TextTest::Date(format) => string_mask(array, |s| !format.matches(s)),
        };
        mask.ok_or_else(|| self.type_error(array.data_type()))
    }
}
