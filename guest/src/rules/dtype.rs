//! `dtype`: the column has the expected type. Family names (`int`, `float`, `string`, `bool`,
//! `date`, `datetime`) accept every width of the family; exact names (`int32`, `float64`, ...)
//! accept that width only. The pandera and Arrow spellings are both understood.

use super::{Outcome, ParamDoc, Planner, Rule, RuleDoc, RuleType, Shape, Table, require_column};
use crate::document::RuleSpec;
use crate::values::{ValueKind, logical_type_name, value_kind};
use arrow_schema::Schema;
use serde_json::{Value, json};

/// What an expected type name accepts.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Family(ValueKind),
    Exact(&'static str),
}

const EXACT: &[&str] =
    &["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64"];

fn parse_expected(name: &str) -> Option<Expected> {
    let name = name.trim().to_ascii_lowercase();
    let family = match name.as_str() {
        "int" | "integer" => ValueKind::Integer,
        "float" | "number" | "numeric" => ValueKind::Float,
        "str" | "string" | "utf8" | "large_string" | "large_utf8" | "text" => ValueKind::String,
        "bool" | "boolean" => ValueKind::Boolean,
        "date" | "date32" | "date64" => ValueKind::Date,
        "datetime" | "timestamp" | "datetime64" => ValueKind::Timestamp,
        "decimal" => ValueKind::Decimal,
        "double" => return Some(Expected::Exact("float64")),
        "long" => return Some(Expected::Exact("int64")),
        other => return EXACT.iter().find(|e| **e == other).map(|e| Expected::Exact(e)),
    };
    Some(Expected::Family(family))
}

const DTYPE: &[&str] = &["dtype", "data_type", "type_"];

pub(super) const RULES: &[RuleType] = &[RuleType {
    name: "dtype",
    aliases: &[],
    build,
    doc: RuleDoc {
        summary: "The column has the expected type.",
        shape: Shape::Column,
        params: &[ParamDoc {
            names: DTYPE,
            meaning: "a type family (`int`, `float`, `string`, `bool`, `date`, `datetime`, `decimal`) or an exact \
                      width (`int8` ... `int64`, `uint8` ... `uint64`, `float16`, `float32`, `float64`)",
            default: None,
        }],
        nulls: "not read: only the column's type matters.",
        details: "A family accepts every width of the family (`int` accepts `int32` and `uint8`); an exact name \
                  accepts that width only. pandera and Arrow spellings are understood too: `integer`, `number`, \
                  `str`, `utf8`, `boolean`, `timestamp`, `datetime64`, `double` (`float64`), `long` (`int64`). \
                  CSV columns get the type the reader infers from every row.",
        example: "- {type: dtype, column: amount, dtype: float}\n- {type: dtype, column: order_id, dtype: int64}",
    },
}];

struct Dtype {
    column: String,
    written: String,
    expected: Expected,
}

fn build(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let written = spec.params.require_string(DTYPE)?;
    let column = spec.required_column()?;
    spec.forbid_mostly()?;
    let expected = parse_expected(&written).ok_or_else(|| {
        format!(
            "unknown dtype '{written}' (expected int, float, string, bool, date, datetime, decimal, or one of {})",
            EXACT.join(", ")
        )
    })?;
    Ok(Box::new(Dtype { column, written, expected }))
}

impl Rule for Dtype {
    fn rule_type(&self) -> &'static str {
        "dtype"
    }
    fn column(&self) -> Option<&str> {
        Some(&self.column)
    }
    fn reads_values(&self) -> bool {
        false
    }
    fn parameters(&self) -> Value {
        json!({ "dtype": self.written })
    }
    fn plan(&mut self, _planner: &mut Planner) {}
    fn check_schema(&self, schema: &Schema) -> Result<(), String> {
        require_column(schema, &self.column)
    }
    fn evaluate(&self, table: &Table<'_>, _mostly: f64) -> Outcome {
        let data_type = table.schema.field_with_name(&self.column).map(|f| f.data_type().clone()).ok();
        let actual = data_type.as_ref().map(logical_type_name).unwrap_or_else(|| "missing".into());
        let passed = data_type.as_ref().is_some_and(|dt| match &self.expected {
            Expected::Family(kind) => value_kind(dt) == *kind,
            Expected::Exact(name) => logical_type_name(dt) == *name,
        });
        let message = if passed {
            format!("column '{}' has type {actual}, which is {}", self.column, self.written)
        } else {
            format!("column '{}' has type {actual}, expected {}", self.column, self.written)
        };
        Outcome { passed, evaluated: 0, unexpected: 0, samples: Vec::new(), observed: Value::from(actual), message }
    }
}
