//! Access to Arrow columns without per-row allocation: validity-aware iteration, predicate
//! masks, value keys for hashing, and value rendering for failure samples.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, LargeStringArray, PrimitiveArray, StringArray, StringViewArray,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_schema::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;

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

/// The values of a Utf8, LargeUtf8 or Utf8View array, read slot by slot without copying.
#[derive(Clone, Copy)]
pub enum StringSlots<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> StringSlots<'a> {
    /// The slots of `array`, when it holds strings.
    pub fn of(array: &'a dyn Array) -> Option<StringSlots<'a>> {
        Some(match array.data_type() {
            DataType::Utf8 => StringSlots::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => StringSlots::Large(array.as_string::<i64>()),
            DataType::Utf8View => StringSlots::View(array.as_string_view()),
            _ => return None,
        })
    }

    /// Slot `i` (empty for a null slot).
    #[inline]
    pub fn get(&self, i: usize) -> &'a str {
        match self {
            StringSlots::Utf8(a) => a.value(i),
            StringSlots::Large(a) => a.value(i),
            StringSlots::View(a) => a.value(i),
        }
    }

    /// `pred` of every slot, with a loop specialised for each string layout.
    pub fn mask(&self, mut pred: impl FnMut(&str) -> bool) -> BooleanBuffer {
        match self {
            StringSlots::Utf8(a) => BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))),
            StringSlots::Large(a) => BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))),
            StringSlots::View(a) => BooleanBuffer::collect_bool(a.len(), |i| pred(a.value(i))),
        }
    }
}

/// Evaluates `pred` on each string slot of a Utf8, LargeUtf8 or Utf8View array.
pub fn string_mask(array: &dyn Array, pred: impl FnMut(&str) -> bool) -> Mask {
    StringSlots::of(array).map(|slots| slots.mask(pred))
}

/// A number as a rule sees it: integers exactly, everything else as a float.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Number {
    Int(i128),
    Float(f64),
}

/// Orders two numbers exactly: integers never go through floats. `None` when one is NaN.
pub fn compare_numbers(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(a), Number::Int(b)) => Some(a.cmp(&b)),
        (Number::Int(a), Number::Float(b)) => compare_int_float(a, b),
        (Number::Float(a), Number::Int(b)) => compare_int_float(b, a).map(Ordering::reverse),
        (Number::Float(a), Number::Float(b)) => a.partial_cmp(&b),
    }
}

/// Compares an integer with a float exactly (no rounding of large integers).
fn compare_int_float(value: i128, bound: f64) -> Option<Ordering> {
    // Integers up to 2^53 are exact as floats, so the float comparison is exact (None for NaN).
    if value.unsigned_abs() <= 1 << 53 {
        return (value as f64).partial_cmp(&bound);
    }
    if bound.is_nan() {
        return None;
    }
    if bound >= 1.0e38 {
        return Some(Ordering::Less);
    }
    if bound <= -1.0e38 {
        return Some(Ordering::Greater);
    }
    let floor = bound.floor();
    Some(match value.cmp(&(floor as i128)) {
        Ordering::Equal if bound > floor => Ordering::Less,
        other => other,
    })
}

/// Expands `$body` once per storage type of a [`NumberSlots`], with `$values` bound to its slice
/// and `$number` to the conversion of one of its elements into a [`Number`], so each loop is
/// specialised for its type.
macro_rules! per_storage_type {
    ($slots:expr, |$values:ident, $number:ident| $body:expr) => {
        match $slots {
            NumberSlots::I8($values) => {
                let $number = |x: i8| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::I16($values) => {
                let $number = |x: i16| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::I32($values) => {
                let $number = |x: i32| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::I64($values) => {
                let $number = |x: i64| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::U8($values) => {
                let $number = |x: u8| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::U16($values) => {
                let $number = |x: u16| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::U32($values) => {
                let $number = |x: u32| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::U64($values) => {
                let $number = |x: u64| Number::Int(i128::from(x));
                $body
            }
            NumberSlots::F16($values) => {
                let $number = |x: F16| Number::Float(x.to_f64());
                $body
            }
            NumberSlots::F32($values) => {
                let $number = |x: f32| Number::Float(f64::from(x));
                $body
            }
            NumberSlots::F64($values) => {
                let $number = Number::Float;
                $body
            }
            NumberSlots::Decimal($values, divisor) => {
                let $number = |x: i128| Number::Float(x as f64 / divisor);
                $body
            }
        }
    };
}

/// Arrow's half-precision float.
type F16 = <Float16Type as ArrowPrimitiveType>::Native;

/// The values of a numeric, decimal, date or timestamp array, read slot by slot as [`Number`]s
/// without copying. Dates and timestamps are in their storage unit (days, milliseconds, ...);
/// decimals are read as floats.
#[derive(Debug, Clone, Copy)]
pub enum NumberSlots<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
    F16(&'a [F16]),
    F32(&'a [f32]),
    F64(&'a [f64]),
    /// Unscaled values and `10^scale`.
    Decimal(&'a [i128], f64),
}

impl<'a> NumberSlots<'a> {
    /// The slots of `array`, when it holds numbers, dates or timestamps.
    pub fn of(array: &'a dyn Array) -> Option<NumberSlots<'a>> {
        fn values<T: ArrowPrimitiveType>(array: &dyn Array) -> &[T::Native] {
            array.as_primitive::<T>().values()
        }
        Some(match array.data_type() {
            DataType::Int8 => NumberSlots::I8(values::<Int8Type>(array)),
            DataType::Int16 => NumberSlots::I16(values::<Int16Type>(array)),
            DataType::Int32 => NumberSlots::I32(values::<Int32Type>(array)),
            DataType::Int64 => NumberSlots::I64(values::<Int64Type>(array)),
            DataType::UInt8 => NumberSlots::U8(values::<UInt8Type>(array)),
            DataType::UInt16 => NumberSlots::U16(values::<UInt16Type>(array)),
            DataType::UInt32 => NumberSlots::U32(values::<UInt32Type>(array)),
            DataType::UInt64 => NumberSlots::U64(values::<UInt64Type>(array)),
            DataType::Float16 => NumberSlots::F16(values::<Float16Type>(array)),
            DataType::Float32 => NumberSlots::F32(values::<Float32Type>(array)),
            DataType::Float64 => NumberSlots::F64(values::<Float64Type>(array)),
            DataType::Date32 => NumberSlots::I32(values::<Date32Type>(array)),
            DataType::Date64 => NumberSlots::I64(values::<Date64Type>(array)),
            DataType::Timestamp(TimeUnit::Second, _) => NumberSlots::I64(values::<TimestampSecondType>(array)),
            DataType::Timestamp(TimeUnit::Millisecond, _) => {
                NumberSlots::I64(values::<TimestampMillisecondType>(array))
            }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                NumberSlots::I64(values::<TimestampMicrosecondType>(array))
            }
            DataType::Timestamp(TimeUnit::Nanosecond, _) => NumberSlots::I64(values::<TimestampNanosecondType>(array)),
            DataType::Decimal128(_, scale) => {
                NumberSlots::Decimal(values::<Decimal128Type>(array), 10f64.powi(i32::from(*scale)))
            }
            _ => return None,
        })
    }

    /// Whether the slots hold integers (or dates and timestamps) rather than floats or decimals.
    pub fn is_integer(&self) -> bool {
        !matches!(self, NumberSlots::F16(_) | NumberSlots::F32(_) | NumberSlots::F64(_) | NumberSlots::Decimal(..))
    }

    /// Slot `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Number {
        match *self {
            NumberSlots::I8(v) => Number::Int(i128::from(v[i])),
            NumberSlots::I16(v) => Number::Int(i128::from(v[i])),
            NumberSlots::I32(v) => Number::Int(i128::from(v[i])),
            NumberSlots::I64(v) => Number::Int(i128::from(v[i])),
            NumberSlots::U8(v) => Number::Int(i128::from(v[i])),
            NumberSlots::U16(v) => Number::Int(i128::from(v[i])),
            NumberSlots::U32(v) => Number::Int(i128::from(v[i])),
            NumberSlots::U64(v) => Number::Int(i128::from(v[i])),
            NumberSlots::F16(v) => Number::Float(v[i].to_f64()),
            NumberSlots::F32(v) => Number::Float(f64::from(v[i])),
            NumberSlots::F64(v) => Number::Float(v[i]),
            NumberSlots::Decimal(v, divisor) => Number::Float(v[i] as f64 / divisor),
        }
    }

    /// `pred` of every slot, with a loop specialised for each storage type.
    pub fn mask(&self, pred: impl Fn(Number) -> bool) -> BooleanBuffer {
        per_storage_type!(*self, |values, number| BooleanBuffer::collect_bool(values.len(), |i| pred(number(
            values[i]
        ))))
    }

    /// Calls `f` with every non-null slot, with a loop specialised for each storage type.
    pub fn for_each_valid(&self, nulls: Option<&NullBuffer>, mut f: impl FnMut(Number)) {
        per_storage_type!(*self, |values, number| for_each_valid(values.len(), nulls, |i| f(number(values[i]))))
    }
}

/// Whether [`NumberSlots`] reads columns of this type (looking through dictionaries).
pub fn has_number_slots(data_type: &DataType) -> bool {
    match data_type {
        DataType::Dictionary(_, values) => has_number_slots(values),
        other => NumberSlots::of(arrow_array::new_empty_array(other).as_ref()).is_some(),
    }
}

/// Evaluates `pred` on each slot of a numeric or temporal array (temporal values in their
/// storage unit: days, milliseconds, ...). Decimals are compared as floats.
pub fn number_mask(array: &dyn Array, pred: impl Fn(Number) -> bool) -> Mask {
    NumberSlots::of(array).map(|slots| slots.mask(pred))
}

/// Nanoseconds per stored unit of a date or timestamp type, to compare columns of different
/// units (`None` for other types).
pub fn nanoseconds_per_unit(data_type: &DataType) -> Option<i128> {
    match data_type {
        DataType::Date32 => Some(86_400_000_000_000),
        DataType::Date64 => Some(1_000_000),
        DataType::Timestamp(TimeUnit::Second, _) => Some(1_000_000_000),
        DataType::Timestamp(TimeUnit::Millisecond, _) => Some(1_000_000),
        DataType::Timestamp(TimeUnit::Microsecond, _) => Some(1_000),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => Some(1),
        _ => None,
    }
}

/// Calls `f` with every non-null value of a numeric or temporal array (temporal values in their
/// storage unit, decimals as floats, as [`number_mask`] sees them). False for other types.
pub fn for_each_number(array: &dyn Array, f: impl FnMut(Number)) -> bool {
    let Some(slots) = NumberSlots::of(array) else { return false };
    slots.for_each_valid(array.logical_nulls().as_ref(), f);
    true
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

/// The array with dictionary encoding removed (other arrays as they are).
pub fn decode_dictionary(array: &ArrayRef) -> Result<ArrayRef, String> {
    match array.data_type() {
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            arrow_select::take::take(dict.values().as_ref(), dict.keys(), None).map_err(|e| e.to_string())
        }
        _ => Ok(array.clone()),
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

/// Calls `f(row, key)` for every row with a value in at least one of `arrays` (rows missing
/// every value are skipped, Great Expectations' default for compound uniqueness), with a key that
/// identifies the combination of the row's values, nulls included: per column a marker byte (0
/// for null, 1 for a value), then for a value its key's length (4 bytes) and its
/// [`for_each_value_key`] key. `scratch` holds the keys and is reused between calls. False when a
/// column has no key form.
pub fn for_each_row_key(arrays: &[&dyn Array], scratch: &mut Vec<u8>, mut f: impl FnMut(usize, &[u8])) -> bool {
    let rows = arrays.first().map_or(0, |a| a.len());
    let mut lengths = vec![arrays.len(); rows];
    let mut present = vec![false; rows];
    for array in arrays {
        let keyed = for_each_value_key(*array, |row, key| {
            lengths[row] += 4 + key.len();
            present[row] = true;
        });
        if !keyed {
            return false;
        }
    }
    let mut starts = Vec::with_capacity(rows + 1);
    starts.push(0);
    for length in &lengths {
        starts.push(starts[starts.len() - 1] + length);
    }
    scratch.clear();
    scratch.resize(starts[rows], 0);
    let mut cursor = starts[..rows].to_vec();
    let mut valued = vec![false; rows];
    for array in arrays {
        valued.fill(false);
        for_each_value_key(*array, |row, key| {
            let at = cursor[row];
            scratch[at] = 1;
            scratch[at + 1..at + 5].copy_from_slice(&(key.len() as u32).to_le_bytes());
            scratch[at + 5..at + 5 + key.len()].copy_from_slice(key);
            cursor[row] += 5 + key.len();
            valued[row] = true;
        });
        // Null slots keep their zero marker.
        for row in (0..rows).filter(|&row| !valued[row]) {
            cursor[row] += 1;
        }
    }
    for row in (0..rows).filter(|&row| present[row]) {
        f(row, &scratch[starts[row]..starts[row + 1]]);
    }
    true
}

/// Renders a key made by [`for_each_row_key`] back into text: `(a, null, 3)`.
pub fn render_row_key(data_types: &[DataType], mut key: &[u8]) -> String {
    let mut parts = Vec::with_capacity(data_types.len());
    for data_type in data_types {
        match key.split_first() {
            Some((1, rest)) if rest.len() >= 4 => {
                let length = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
                let end = (4 + length).min(rest.len());
                parts.push(render_key(data_type, &rest[4..end]));
                key = &rest[end..];
            }
            Some((_, rest)) => {
                parts.push("null".to_string());
                key = rest;
            }
            None => parts.push("null".to_string()),
        }
    }
    format!("({})", parts.join(", "))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_compare_exactly_with_fractional_and_huge_floats() {
        assert_eq!(compare_int_float(3, 2.5), Some(Ordering::Greater));
        assert_eq!(compare_int_float(2, 2.5), Some(Ordering::Less));
        assert_eq!(compare_int_float(-3, -2.5), Some(Ordering::Less));
        assert_eq!(compare_int_float(2, 2.0), Some(Ordering::Equal));
        let big = (1i128 << 60) + 1;
        assert_eq!(compare_int_float(big, (1u64 << 60) as f64), Some(Ordering::Greater));
        assert_eq!(compare_int_float(0, f64::NAN), None);
        // At 2^53 the float path is still exact; just above it the integer path takes over.
        assert_eq!(compare_int_float(1 << 53, 9_007_199_254_740_992.0), Some(Ordering::Equal));
        assert_eq!(compare_int_float((1 << 53) + 1, 9_007_199_254_740_992.0), Some(Ordering::Greater));
        assert_eq!(compare_int_float(-(1 << 53) - 1, -9_007_199_254_740_992.0), Some(Ordering::Less));
        assert_eq!(compare_numbers(Number::Float(2.5), Number::Int(3)), Some(Ordering::Less));
        assert_eq!(compare_numbers(Number::Float((1u64 << 60) as f64), Number::Int(big)), Some(Ordering::Less));
        assert_eq!(compare_numbers(Number::Float(f64::NAN), Number::Float(f64::NAN)), None);
    }
}
