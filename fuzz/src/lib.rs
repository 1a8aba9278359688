//! What the fuzz targets share: a small table every rule type can run against, and a rule
//! document fitted to whatever schema a fuzzed Arrow IPC stream declares.

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::Schema;
use std::sync::Arc;
use truthound_guest::values::{ValueKind, value_kind};

/// An Arrow IPC stream of a few order rows with nulls, duplicates, NaN, negatives, empty and
/// non-ASCII strings: the columns the rule reference's examples name.
pub fn orders_ipc() -> Vec<u8> {
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("order_id", Arc::new(Int64Array::from(vec![Some(1), Some(2), Some(2), None, Some(-7), Some(i64::MAX)]))),
        (
            "email",
            Arc::new(StringArray::from(vec![
                Some("a@b.io"),
                Some("bad"),
                None,
                Some(""),
                Some("é@ü.de"),
                Some("a@b.io"),
            ])),
        ),
        (
            "amount",
            Arc::new(Float64Array::from(vec![Some(1.5), Some(-2.0), Some(f64::NAN), None, Some(0.0), Some(1e300)])),
        ),
        ("country", Arc::new(StringArray::from(vec![Some("US"), Some("BR"), Some("USA"), None, Some("US"), Some("")]))),
        (
            "status",
            Arc::new(StringArray::from(vec![
                Some("pending"),
                Some("shipped"),
                None,
                Some("lost"),
                Some("pending"),
                Some(""),
            ])),
        ),
        (
            "order_date",
            Arc::new(Date32Array::from(vec![Some(20_000), Some(-1), None, Some(20_001), Some(0), Some(20_000)])),
        ),
        (
            "shipped_at",
            Arc::new(
                TimestampMicrosecondArray::from(vec![
                    Some(1_700_000_000_000_000),
                    None,
                    Some(0),
                    Some(-1),
                    Some(5),
                    Some(5),
                ])
                .with_timezone("UTC"),
            ),
        ),
        ("quantity", Arc::new(Int64Array::from(vec![Some(0), Some(3), Some(3), Some(-1), None, Some(i64::MIN)]))),
        (
            "active",
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false), Some(true), Some(true), Some(false)])),
        ),
    ];
    let batch = RecordBatch::try_from_iter(columns).expect("the columns have one length");
    let mut bytes = Vec::new();
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema()).expect("an in-memory writer");
    writer.write(&batch).expect("an in-memory write");
    writer.finish().expect("an in-memory write");
    drop(writer);
    bytes
}

/// The schema a stream starts with, if its first message is one.
pub fn stream_schema(bytes: &[u8]) -> Option<Arc<Schema>> {
    arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None).ok().map(|r| r.schema())
}

/// A truthound rule document with rules fitting each column's type, so that fuzzed data reaches
/// the kernels instead of stopping at "unknown column" or "wrong type".
pub fn rules_for(schema: &Schema) -> String {
    let mut rules = vec![
        "- {type: row_count, min: 1}".to_string(),
        format!("- {{type: column_count, min: 1, max: {}}}", schema.fields().len().max(1)),
    ];
    for field in schema.fields() {
        let column = yaml_quoted(field.name());
        rules.push(format!("- {{type: not_null, column: {column}, mostly: 0.5}}"));
        rules.push(format!("- {{type: unique, column: {column}}}"));
        rules.push(format!("- {{type: distinct_count_between, column: {column}, min: 1, max: 5}}"));
        rules.push(format!("- {{type: column_exists, column: {column}}}"));
        let specific: &[&str] = match value_kind(field.data_type()) {
            ValueKind::String => &[
                "{type: regex, column: C, pattern: '^[a-z]+@[a-z]+\\.[a-z]{2,}$'}",
                "{type: length_between, column: C, min: 1, max: 8}",
                "{type: in_set, column: C, values: [pending, shipped, US]}",
                "{type: format, column: C, format: email}",
                "{type: json_parseable, column: C}",
                "{type: starts_with, column: C, prefix: a}",
                "{type: most_common_value_in_set, column: C, values: [a]}",
            ],
            ValueKind::Integer | ValueKind::Float | ValueKind::Decimal => &[
                "{type: in_range, column: C, min: -10, max: 1000}",
                "{type: greater_than, column: C, value: 0}",
                "{type: increasing, column: C}",
                "{type: quantile_between, column: C, quantiles: [0.5], ranges: [[0, 10]]}",
                "{type: in_set, column: C, values: [1, 2, 3]}",
            ],
            ValueKind::Date | ValueKind::Timestamp => &[
                "{type: between, column: C, min: '2020-01-01', max: '2030-01-01'}",
                "{type: increasing, column: C, strictly: true}",
                "{type: freshness, column: C, max_age: 24h}",
            ],
            ValueKind::Boolean | ValueKind::Other => &[],
        };
        rules.extend(
            specific.iter().map(|rule| format!("- {}", rule.replace("column: C", &format!("column: {column}")))),
        );
    }
    rules.join("\n")
}

/// `name` as a YAML double-quoted scalar: YAML refuses control characters raw (DEL and C1 too,
/// as the fuzzer found), so everything outside its printable set is escaped.
fn yaml_quoted(name: &str) -> String {
    let mut quoted = String::from("\"");
    for character in name.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => quoted.push(character),
            _ => quoted.push_str(&format!("\\U{:08X}", character as u32)),
        }
    }
    quoted.push('"');
    quoted
}
