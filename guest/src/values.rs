//! Access to Arrow columns without per-row allocation: validity-aware iteration, predicate
//! masks, value keys for hashing, and value rendering for failure samples.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_schema::{DataType, TimeUnit};
use serde_json::Value;

/// Calls `f` with the index of every non-null slot, scanning the validity bitmap 64 bits at a time.
#[inline]
pub fn for_each_valid(len: usize, nulls: Option<&NullBuffer>, mut f: impl FnMut(usize)) {
    match nulls.filter(|n| n.null_count() > 0) {
        None => (0..len).for_each(&mut f),
        Some(nulls) => nulls.inner().set_indices().for_each(f),
    }
}

/// A predicate mask over every slot (null slots included: callers AND it with validity).
/// `None` when the array is not of a kind the predicate handles.
pub type Mask = Option<BooleanBuffer>;

/// Evaluates `pred` on each string slot of a Utf8, LargeUtf8 or Utf8View array.
pub fn string_mask(array: &dyn Array, mut pred: impl FnMut(&str) -> bool) -> Mask {
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            Some(BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            Some(BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            Some(BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))))
        }
        _ => None,
    }
}

fn primitive_mask<T: ArrowPrimitiveType>(array: &dyn Array, pred: impl Fn(T::Native) -> bool) -> BooleanBuffer {
    let values = array.as_primitive::<T>().values();
    BooleanBuffer::collect_bool(values.len(), |i| pred(values[i]))
}

/// A number as a rule sees it: integers exactly, everything else as a float.
#[derive(Debug, Clone, Copy)]
pub enum Number {
    Int(i128),
    Float(f64),
}

/// Evaluates `pred` on each slot of a numeric or temporal array (temporal values in their
/// storage unit: days, milliseconds, ...). Decimals are compared as floats.
pub fn number_mask(array: &dyn Array, pred: impl Fn(Number) -> bool) -> Mask {
    macro_rules! int {
        ($t:ty) => {
            Some(primitive_mask::<$t>(array, |v| pred(Number::Int(v as i128))))
        };
    }
    match array.data_type() {
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Date32 => int!(Date32Type),
        DataType::Date64 => int!(Date64Type),
        DataType::Timestamp(TimeUnit::Second, _) => int!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => int!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => int!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => int!(TimestampNanosecondType),
        DataType::Float16 => Some(primitive_mask::<Float16Type>(array, |v| pred(Number::Float(v.to_f64())))),
        DataType::Float32 => Some(primitive_mask::<Float32Type>(array, |v| pred(Number::Float(v as f64)))),
        DataType::Float64 => Some(primitive_mask::<Float64Type>(array, |v| pred(Number::Float(v)))),
        DataType::Decimal128(_, scale) => {
            let divisor = 10f64.powi(*scale as i32);
            Some(primitive_mask::<Decimal128Type>(array, |v| pred(Number::Float(v as f64 / divisor))))
        }
        _ => None,
    }
}

/// Calls `f` with every non-null value of a numeric or temporal array (temporal values in their
/// storage unit, decimals as floats, as [`number_mask`] sees them). False for other types.
pub fn for_each_number(array: &dyn Array, mut f: impl FnMut(Number)) -> bool {
    let nulls = array.logical_nulls();
    macro_rules! each {
        ($t:ty, $convert:expr) => {{
            let values = array.as_primitive::<$t>().values();
            for_each_valid(values.len(), nulls.as_ref(), |i| f($convert(values[i])));
            true
        }};
    }
    let int = |v: i64| Number::Int(v as i128);
    match array.data_type() {
        DataType::Int8 => each!(Int8Type, |v: i8| int(v as i64)),
        DataType::Int16 => each!(Int16Type, |v: i16| int(v as i64)),
        DataType::Int32 => each!(Int32Type, |v: i32| int(v as i64)),
        DataType::Int64 => each!(Int64Type, int),
        DataType::UInt8 => each!(UInt8Type, |v: u8| int(v as i64)),
        DataType::UInt16 => each!(UInt16Type, |v: u16| int(v as i64)),
        DataType::UInt32 => each!(UInt32Type, |v: u32| int(v as i64)),
        DataType::UInt64 => each!(UInt64Type, |v: u64| Number::Int(v as i128)),
        DataType::Date32 => each!(Date32Type, |v: i32| int(v as i64)),
        DataType::Date64 => each!(Date64Type, int),
        DataType::Timestamp(TimeUnit::Second, _) => each!(TimestampSecondType, int),
        DataType::Timestamp(TimeUnit::Millisecond, _) => each!(TimestampMillisecondType, int),
        DataType::Timestamp(TimeUnit::Microsecond, _) => each!(TimestampMicrosecondType, int),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => each!(TimestampNanosecondType, int),
        DataType::Float16 => {
            each!(Float16Type, |v: <Float16Type as ArrowPrimitiveType>::Native| Number::Float(v.to_f64()))
        }
        DataType::Float32 => each!(Float32Type, |v: f32| Number::Float(v as f64)),
        DataType::Float64 => each!(Float64Type, Number::Float),
        DataType::Decimal128(_, scale) => {
            let divisor = 10f64.powi(*scale as i32);
            each!(Decimal128Type, |v: i128| Number::Float(v as f64 / divisor))
        }
        _ => false,
    }
}

/// Calls `f` with every non-null value of a string array (also dictionary-encoded). False for
/// other types.
pub fn for_each_str<'a>(array: &'a dyn Array, mut f: impl FnMut(&'a str)) -> bool {
    let nulls = array.logical_nulls();
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            for_each_valid(a.len(), nulls.as_ref(), |i| f(a.value(i)));
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            for_each_valid(a.len(), nulls.as_ref(), |i| f(a.value(i)));
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            for_each_valid(a.len(), nulls.as_ref(), |i| f(a.value(i)));
        }
        DataType::Dictionary(_, values) if value_kind(values) == ValueKind::String => {
            let dict = array.as_any_dictionary();
            let keys = dict.normalized_keys();
            let mut texts: Vec<&str> = Vec::with_capacity(dict.values().len());
            for_each_str_slot(dict.values().as_ref(), |text| texts.push(text));
            for_each_valid(keys.len(), nulls.as_ref(), |i| f(texts[keys[i]]));
        }
        _ => return false,
    }
    true
}

/// Every slot of a plain string array, nulls as "" (for dictionary values, looked up by key).
fn for_each_str_slot<'a>(array: &'a dyn Array, mut f: impl FnMut(&'a str)) {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().for_each(|v| f(v.unwrap_or(""))),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().for_each(|v| f(v.unwrap_or(""))),
        DataType::Utf8View => array.as_string_view().iter().for_each(|v| f(v.unwrap_or(""))),
        _ => {}
    }
}

/// A number of a column as JSON in the column's own terms: dates and timestamps as ISO text,
/// integers exactly, floats as numbers (non-finite ones as text, which JSON lacks).
pub fn number_to_json(data_type: &DataType, number: Number) -> serde_json::Value {
    let data_type = match data_type {
        DataType::Dictionary(_, values) => values.as_ref(),
        other => other,
    };
    match (value_kind(data_type), number) {
        (ValueKind::Date | ValueKind::Timestamp, Number::Int(v)) => {
            render_key(data_type, &(v as i64).to_le_bytes()).into()
        }
        (_, Number::Int(v)) => i64::try_from(v)
            .map(Value::from)
            .or_else(|_| u64::try_from(v).map(Value::from))
            .unwrap_or_else(|_| Value::from(v as f64)),
        (_, Number::Float(v)) if v.is_finite() => v.into(),
        (_, Number::Float(v)) => v.to_string().into(),
    }
}

/// Evaluates `pred` on each slot of a boolean array.
pub fn bool_mask(array: &dyn Array, pred: impl Fn(bool) -> bool) -> Mask {
    let a = array.as_boolean_opt()?;
    Some(BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))))
}

/// The broad kind of a column's type, which decides the rules that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Integer,
    Float,
    Decimal,
    String,
    Boolean,
    Date,
    Timestamp,
    Other,
}

/// The kind of `data_type`, looking through dictionary encoding.
pub fn value_kind(data_type: &DataType) -> ValueKind {
    match data_type {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => ValueKind::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ValueKind::Float,
        DataType::Decimal128(..) | DataType::Decimal256(..) => ValueKind::Decimal,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ValueKind::String,
        DataType::Boolean => ValueKind::Boolean,
        DataType::Date32 | DataType::Date64 => ValueKind::Date,
        DataType::Timestamp(..) => ValueKind::Timestamp,
        DataType::Dictionary(_, values) => value_kind(values),
        _ => ValueKind::Other,
    }
}

/// The logical type name reported for a column (`int64`, `string`, `timestamp[us, UTC]`, ...).
pub fn logical_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 => "float16".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Boolean => "bool".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(unit, tz) => {
            let unit = match unit {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "us",
                TimeUnit::Nanosecond => "ns",
            };
            match tz {
                Some(tz) => format!("timestamp[{unit}, {tz}]"),
                None => format!("timestamp[{unit}]"),
            }
        }
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p}, {s})"),
        DataType::Dictionary(_, values) => logical_type_name(values),
        DataType::Null => "null".into(),
        other => other.to_string().to_ascii_lowercase(),
    }
}

/// Renders slot `row` of `array` for a failure sample.
pub fn render_value(array: &dyn Array, row: usize) -> String {
    if array.is_null(row) {
        return "null".into();
    }
    macro_rules! prim {
        ($t:ty) => {
            array.as_primitive::<$t>().value(row).to_string()
        };
    }
    match array.data_type() {
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float16 => prim!(Float16Type),
        DataType::Float32 => prim!(Float32Type),
        DataType::Float64 => prim!(Float64Type),
        DataType::Utf8 => array.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => array.as_string_view().value(row).to_string(),
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Date32 => crate::temporal::format_date(array.as_primitive::<Date32Type>().value(row) as i64),
        DataType::Date64 => {
            crate::temporal::format_date(array.as_primitive::<Date64Type>().value(row).div_euclid(86_400_000))
        }
        DataType::Timestamp(unit, tz) => {
            let value = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(row),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(row),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row),
            };
            format_instant(value, *unit, tz.is_some())
        }
        DataType::Decimal128(_, scale) => {
            let a: &PrimitiveArray<Decimal128Type> = array.as_primitive();
            format_decimal(a.value(row), *scale)
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let key = dict.normalized_keys()[row];
            render_value(dict.values().as_ref(), key)
        }
        other => format!("<{other}>"),
    }
}

/// A timestamp as ISO 8601; columns with a time zone store UTC instants, so they get a `Z`.
fn format_instant(value: i64, unit: TimeUnit, zoned: bool) -> String {
    let mut text = crate::temporal::format_timestamp(value, unit);
    if zoned {
        text.push('Z');
    }
    text
}

fn format_decimal(value: i128, scale: i8) -> String {
    if scale <= 0 {
        return (value * 10i128.pow((-scale) as u32)).to_string();
    }
    let divisor = 10i128.pow(scale as u32);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / divisor as u128, abs % divisor as u128, width = scale as usize)
}

/// Whether [`for_each_value_key`] handles columns of this type.
pub fn has_value_key(data_type: &DataType) -> bool {
    match data_type {
        DataType::Dictionary(_, values) => has_value_key(values),
        DataType::Float16 | DataType::Decimal256(..) => false,
        other => !matches!(value_kind(other), ValueKind::Other),
    }
}

/// Calls `f(row, key)` for every non-null slot with a byte key that identifies the value within
/// a column of this type (integers little-endian, floats by normalised bits, strings as UTF-8).
/// Returns false when the type has no key form.
pub fn for_each_value_key(array: &dyn Array, mut f: impl FnMut(usize, &[u8])) -> bool {
    let len = array.len();
    let nulls = array.logical_nulls();
    macro_rules! prim {
        ($t:ty, $to_bytes:expr) => {{
            let values = array.as_primitive::<$t>().values();
            for_each_valid(len, nulls.as_ref(), |i| f(i, &$to_bytes(values[i])));
            true
        }};
    }
    match array.data_type() {
        DataType::Int8 => prim!(Int8Type, |v: i8| (v as i64).to_le_bytes()),
        DataType::Int16 => prim!(Int16Type, |v: i16| (v as i64).to_le_bytes()),
        DataType::Int32 => prim!(Int32Type, |v: i32| (v as i64).to_le_bytes()),
        DataType::Int64 => prim!(Int64Type, |v: i64| v.to_le_bytes()),
        DataType::UInt8 => prim!(UInt8Type, |v: u8| (v as i64).to_le_bytes()),
        DataType::UInt16 => prim!(UInt16Type, |v: u16| (v as i64).to_le_bytes()),
        DataType::UInt32 => prim!(UInt32Type, |v: u32| (v as i64).to_le_bytes()),
        DataType::UInt64 => prim!(UInt64Type, |v: u64| v.to_le_bytes()),
        DataType::Float32 => prim!(Float32Type, |v: f32| float_key(v as f64)),
        DataType::Float64 => prim!(Float64Type, float_key),
        DataType::Date32 => prim!(Date32Type, |v: i32| (v as i64).to_le_bytes()),
        DataType::Date64 => prim!(Date64Type, |v: i64| v.to_le_bytes()),
        DataType::Timestamp(TimeUnit::Second, _) => prim!(TimestampSecondType, |v: i64| v.to_le_bytes()),
        DataType::Timestamp(TimeUnit::Millisecond, _) => prim!(TimestampMillisecondType, |v: i64| v.to_le_bytes()),
        DataType::Timestamp(TimeUnit::Microsecond, _) => prim!(TimestampMicrosecondType, |v: i64| v.to_le_bytes()),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => prim!(TimestampNanosecondType, |v: i64| v.to_le_bytes()),
        DataType::Decimal128(..) => prim!(Decimal128Type, |v: i128| v.to_le_bytes()),
        DataType::Boolean => {
            let a = array.as_boolean();
            for_each_valid(len, nulls.as_ref(), |i| f(i, &[a.value(i) as u8]));
            true
        }
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            for_each_valid(len, nulls.as_ref(), |i| f(i, a.value(i).as_bytes()));
            true
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            for_each_valid(len, nulls.as_ref(), |i| f(i, a.value(i).as_bytes()));
            true
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            for_each_valid(len, nulls.as_ref(), |i| f(i, a.value(i).as_bytes()));
            true
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let keys = dict.normalized_keys();
            let Some(value_keys) = dictionary_value_keys(dict.values().as_ref()) else { return false };
            for_each_valid(len, nulls.as_ref(), |i| f(i, &value_keys[keys[i]]));
            true
        }
        _ => false,
    }
}

/// The key of every dictionary value (a separate function so that the generic
/// [`for_each_value_key`] is not instantiated recursively).
fn dictionary_value_keys(values: &dyn Array) -> Option<Vec<Vec<u8>>> {
    let mut keys: Vec<Vec<u8>> = vec![Vec::new(); values.len()];
    for_each_value_key(values, |i, key| keys[i] = key.to_vec()).then_some(keys)
}

/// The key [`for_each_value_key`] gives `value` (from a rule document) in a column of
/// `data_type`, or `None` when the value cannot occur in such a column. Numbers may be written as
/// text and vice versa; dates and timestamps are ISO text.
pub fn value_key(value: &Value, data_type: &DataType) -> Option<Vec<u8>> {
    let text = match value {
        Value::String(text) => text.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    let integer = || -> Option<i128> {
        text.parse::<i128>().ok().or_else(|| text.parse::<f64>().ok().filter(|f| f.fract() == 0.0).map(|f| f as i128))
    };
    let le64 = |v: i64| v.to_le_bytes().to_vec();
    Some(match data_type {
        DataType::Dictionary(_, values) => return value_key(value, values),
        DataType::UInt64 => u64::try_from(integer()?).ok()?.to_le_bytes().to_vec(),
        DataType::Float32 | DataType::Float64 => float_key(text.parse::<f64>().ok()?).to_vec(),
        DataType::Date32 => le64(crate::temporal::parse_date(&text)?),
        DataType::Date64 => le64(crate::temporal::parse_date(&text)? * 86_400_000),
        DataType::Timestamp(unit, _) => le64(crate::temporal::parse_timestamp(&text, *unit)?),
        DataType::Decimal128(_, scale) => {
            let unscaled = text.parse::<f64>().ok()? * 10f64.powi(*scale as i32);
            (unscaled.round() as i128).to_le_bytes().to_vec()
        }
        DataType::Boolean => vec![match text.as_str() {
            "true" => 1,
            "false" => 0,
            _ => return None,
        }],
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => match value {
            Value::String(original) => original.as_bytes().to_vec(),
            _ => text.into_bytes(),
        },
        other if value_kind(other) == ValueKind::Integer => le64(i64::try_from(integer()?).ok()?),
        _ => return None,
    })
}

/// Renders a key made by [`for_each_value_key`] back into text.
pub fn render_key(data_type: &DataType, key: &[u8]) -> String {
    let int = || i64::from_le_bytes(key.try_into().unwrap_or([0; 8]));
    match data_type {
        DataType::Dictionary(_, values) => render_key(values, key),
        DataType::UInt64 => u64::from_le_bytes(key.try_into().unwrap_or([0; 8])).to_string(),
        DataType::Float32 | DataType::Float64 => f64::from_bits(int() as u64).to_string(),
        DataType::Boolean => (key.first() == Some(&1)).to_string(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => String::from_utf8_lossy(key).into_owned(),
        DataType::Date32 => crate::temporal::format_date(int()),
        DataType::Date64 => crate::temporal::format_date(int().div_euclid(86_400_000)),
        DataType::Timestamp(unit, tz) => format_instant(int(), *unit, tz.is_some()),
        DataType::Decimal128(_, scale) => {
            format_decimal(i128::from_le_bytes(key.try_into().unwrap_or([0; 16])), *scale)
        }
        _ => int().to_string(),
    }
}

/// Float key: -0.0 equals 0.0 and every NaN equals every other NaN, as in SQL `DISTINCT`.
fn float_key(v: f64) -> [u8; 8] {
    let normalised = if v == 0.0 {
        0.0f64
    } else if v.is_nan() {
        f64::NAN
    } else {
        v
    };
    normalised.to_bits().to_le_bytes()
}
