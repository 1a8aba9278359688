//! `in_set` and `not_in_set`: values must (not) be among a list.

use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape, Unexpected, ValueRule};
use crate::analyzers::RowPredicate;
use crate::document::RuleSpec;
use crate::short_bytes::equal_short;
use crate::temporal::{parse_date, parse_timestamp};
use crate::values::{Number, ValueKind, bool_mask, number_mask, string_mask, value_kind};
use arrow_array::Array;
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;
use hashbrown::HashSet;
use serde_json::{Value, json};
use std::rc::Rc;

type FastSet<T> = HashSet<T, foldhash::fast::FixedState>;

const ALLOWED: &[&str] = &["values", "value_set", "allowed_values"];
const FORBIDDEN: &[&str] = &["values", "value_set", "forbidden_values"];

/// How values are compared with the list, for both rules.
const MATCHING: &str = "Strings match exactly (case-sensitive). Numbers match numerically, also when listed as \
                        text (`'1'` matches the integer 1, `1.0` matches 1). Date and timestamp columns match ISO \
                        strings such as `'2024-01-31'`; booleans match `true` and `false`.";

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "in_set",
        aliases: &[],
        build: build_in_set,
        doc: RuleDoc {
            summary: "Every non-null value is one of the listed values.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: ALLOWED,
                meaning: "the allowed values: a non-empty list of strings, numbers or booleans",
                default: None,
            }],
            nulls: "ignored (a null is never tested against the list; `null` cannot be listed).",
            details: MATCHING,
            example: "- {type: in_set, column: status, values: [pending, shipped, delivered]}",
        },
    },
    RuleType {
        name: "not_in_set",
        aliases: &[],
        build: build_not_in_set,
        doc: RuleDoc {
            summary: "No non-null value is one of the listed values.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: FORBIDDEN,
                meaning: "the forbidden values: a non-empty list of strings, numbers or booleans",
                default: None,
            }],
            nulls: "ignored (a null is never tested against the list; `null` cannot be listed).",
            details: MATCHING,
            example: "- {type: not_in_set, column: country, values: [XX, ZZ]}",
        },
    },
];

fn build_in_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    build(spec, false)
}

fn build_not_in_set(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    build(spec, true)
}

fn build(spec: &mut RuleSpec, forbidden: bool) -> Result<Box<dyn Rule>, String> {
    let values = spec.params.require_list(if forbidden { FORBIDDEN } else { ALLOWED })?;
    let column = spec.required_column()?;
    let set = ValueSet::new(&values)?;
    let listed = values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ");
    let expectation = if forbidden { format!("be outside [{listed}]") } else { format!("be one of [{listed}]") };
    let rule_type = if forbidden { "not_in_set" } else { "in_set" };
    let predicate = SetPredicate { set, forbidden, key: format!("{forbidden}{}", Value::Array(values.clone())) };
    Ok(ValueRule::boxed(
        rule_type,
        column,
        json!({ "values": values }),
        Unexpected::Breaking(Rc::new(predicate)),
        expectation,
    ))
}

/// Sets of at most this many strings are searched in order: comparing a few short strings costs
/// less than hashing one.
const SCANNED_TEXTS: usize = 8;

/// The listed values in every form a column may hold them: text, exact integers, float bits.
struct ValueSet {
    texts: FastSet<String>,
    /// The strings of `texts` when there are at most `SCANNED_TEXTS` of them.
    text_list: Vec<String>,
    integers: FastSet<i128>,
    floats: FastSet<u64>,
    booleans: [bool; 2],
    /// The listed strings, for temporal columns (parsed in the column's unit).
    raw_texts: Vec<String>,
}

impl ValueSet {
    fn new(values: &[Value]) -> Result<ValueSet, String> {
        let mut set = ValueSet {
            texts: FastSet::default(),
            text_list: Vec::new(),
            integers: FastSet::default(),
            floats: FastSet::default(),
            booleans: [false; 2],
            raw_texts: Vec::new(),
        };
        for value in values {
            match value {
                Value::String(text) => {
                    set.raw_texts.push(text.clone());
                    set.add_number_text(text);
                    set.texts.insert(text.clone());
                }
                Value::Number(n) => {
                    set.texts.insert(n.to_string());
                    set.add_number_text(&n.to_string());
                }
                Value::Bool(b) => {
                    set.booleans[usize::from(*b)] = true;
                    set.texts.insert(b.to_string());
                }
                Value::Null => return Err("the value list cannot hold null (nulls are never tested)".into()),
                other => return Err(format!("the value list can hold strings, numbers and booleans, not {other}")),
            }
        }
        if set.texts.len() <= SCANNED_TEXTS {
            set.text_list = set.texts.iter().cloned().collect();
        }
        Ok(set)
    }

    /// Whether `text` is one of the listed strings.
    fn contains_text(&self, text: &str) -> bool {
        if self.texts.len() <= SCANNED_TEXTS {
            return self.text_list.iter().any(|listed| equal_short(listed.as_bytes(), text.as_bytes()));
        }
        self.texts.contains(text)
    }

    /// Registers the numeric meaning of `text`, if it has one, so "1" matches an integer 1.
    fn add_number_text(&mut self, text: &str) {
        if let Ok(i) = text.trim().parse::<i128>() {
            self.integers.insert(i);
            self.floats.insert(float_bits(i as f64));
        } else if let Ok(f) = text.trim().parse::<f64>() {
            self.floats.insert(float_bits(f));
            if f.fract() == 0.0 && f.abs() < 1e38 {
                self.integers.insert(f as i128);
            }
        }
    }

    fn contains_number(&self, n: Number) -> bool {
        match n {
            Number::Int(i) => self.integers.contains(&i),
            Number::Float(f) => self.floats.contains(&float_bits(f)),
        }
    }

    /// The listed strings as raw values of a temporal column.
    fn temporal_values(&self, data_type: &DataType) -> FastSet<i128> {
        let parse = |text: &str| -> Option<i64> {
            match data_type {
                DataType::Date32 => parse_date(text),
                DataType::Date64 => parse_date(text).map(|d| d * 86_400_000),
                DataType::Timestamp(unit, _) => parse_timestamp(text, *unit),
                _ => None,
            }
        };
        let mut values: FastSet<i128> = self.raw_texts.iter().filter_map(|t| parse(t)).map(i128::from).collect();
        values.extend(self.integers.iter().copied());
        values
    }
}

fn float_bits(f: f64) -> u64 {
    if f == 0.0 { 0 } else { f.to_bits() }
}

struct SetPredicate {
    set: ValueSet,
    forbidden: bool,
    key: String,
}

impl RowPredicate for SetPredicate {
    fn key(&self) -> String {
        format!("set:{}", self.key)
    }

    fn check_type(&self, data_type: &DataType) -> Result<(), String> {
        match value_kind(data_type) {
            ValueKind::Other => Err(format!("has type {data_type}, which set rules cannot test")),
            _ => Ok(()),
        }
    }

    fn unexpected(&self, array: &dyn Array) -> Result<BooleanBuffer, String> {
        let forbidden = self.forbidden;
        let data_type = array.data_type();
        let mask = match value_kind(data_type) {
            ValueKind::String => string_mask(array, |s| self.set.contains_text(s) == forbidden),
            ValueKind::Boolean => bool_mask(array, |b| self.set.booleans[usize::from(b)] == forbidden),
            ValueKind::Date | ValueKind::Timestamp => {
                let values = self.set.temporal_values(data_type);
                number_mask(array, |n| match n {
                    Number::Int(i) => values.contains(&i) == forbidden,
                    Number::Float(_) => !forbidden,
                })
            }
            _ => number_mask(array, |n| self.set.contains_number(n) == forbidden),
        };
        mask.ok_or_else(|| format!("has type {data_type}, which set rules cannot test"))
    }
}
