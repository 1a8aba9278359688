//! Small dictionary-encoded string columns of a Parquet file reach the engine as Arrow
//! dictionaries (the host keeps the file's encoding, see `source::dictionaries`). Every rule that
//! reads strings must answer exactly as over the same strings decoded: the same counts, sample
//! rows and values, with one engine instance or several, in batches that do or do not carry the
//! dictionaries; and a profile must be the same profile.

mod support;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use serde_json::Value;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use support::data::Random;
use support::{comparable, rule_results, run_in};

const ROWS: usize = 24_000;

/// Every rule that reads string values, on low-cardinality columns (and one pair with a column
/// whose dictionary is too large to keep).
const RULES: &str = r#"
name: dictionaries
rules:
  - {type: not_null, column: status}
  - {type: unique, column: status}
  - {type: unique, column: country}
  - {type: in_set, column: status, values: [pending, shipped, delivered]}
  - {type: not_in_set, column: status, values: [cancelled]}
  - {type: regex, column: country, pattern: '^[A-Z]{2}$'}
  - {type: not_regex, column: status, pattern: '^c'}
  - {type: min_length, column: status, min_length: 7}
  - {type: max_length, column: country, max_length: 2}
  - {type: length_between, column: payload, min: 2, max: 8}
  - {type: starts_with, column: country, prefix: D}
  - {type: ends_with, column: status, suffix: ed}
  - {type: json_parseable, column: payload}
  - {type: date_format, column: payload, format: '%Y-%m-%d'}
  - {type: format, column: contact, format: email}
  - {type: distinct_count_between, column: country, min: 10, max: 20}
  - {type: unique_ratio_between, column: status, min: 0.5}
  - {type: most_common_value_in_set, column: status, values: [cancelled]}
  - {type: completeness_ratio, column: status, min_ratio: 0.95}
  - {type: dtype, column: status, dtype: int64}
  - {type: column_pair_equal, column_a: country, column_b: shipped_to}
  - {type: column_pair_equal, column_a: status, column_b: email}
  - {type: row_count, min: 1}
"#;

/// Deterministic string columns: `status`, `country`, `shipped_to` (mostly `country`),
/// `payload` and `contact` with a handful of values each, `email` all but unique.
fn table() -> RecordBatch {
    let mut random = Random(0x5eed_d1c7);
    let countries = ["DE", "FR", "NL", "US", "BR", "JP", "IN", "ZA", "de", "D1", "CAN", "ES"];
    let payloads = [r#"{"a": 1}"#, "[1, 2]", "nope", "2024-01-05", "2024-13-01", "x"];
    let contacts = ["ops@example.com", "help at example", "sales@example.org"];
    let (mut status, mut country, mut shipped_to, mut payload, mut contact, mut email) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..ROWS {
        let r = random.next();
        status.push(match r % 17 {
            0 => None,
            1 => Some("cancelled"),
            n => Some(["pending", "shipped", "delivered"][(n % 3) as usize]),
        });
        let home = countries[(r >> 8) as usize % countries.len()];
        country.push(Some(home));
        shipped_to.push(if (r >> 16).is_multiple_of(29) {
            None
        } else if (r >> 16) % 29 == 1 {
            Some("FR")
        } else {
            Some(home)
        });
        payload.push(if (r >> 24).is_multiple_of(31) {
            None
        } else {
            Some(payloads[(r >> 24) as usize % payloads.len()])
        });
        contact.push(Some(contacts[(r >> 32) as usize % contacts.len()]));
        email.push(if (r >> 40).is_multiple_of(97) {
            Some("pending".to_string())
        } else {
            Some(format!("user{i}@example.com"))
        });
    }
    let strings = |values: Vec<Option<&str>>| Arc::new(StringArray::from(values)) as ArrayRef;
    RecordBatch::try_from_iter([
        ("status", strings(status)),
        ("country", strings(country)),
        ("shipped_to", strings(shipped_to)),
        ("payload", strings(payload)),
        ("contact", strings(contact)),
        ("email", Arc::new(StringArray::from(email)) as ArrayRef),
    ])
    .unwrap()
}

/// Parquet as most writers make it: dictionary-encoded strings, row groups of 5000 rows.
fn write_parquet(batch: &RecordBatch, path: &Path) {
    let properties = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(5000))
        .set_dictionary_enabled(true)
        .build();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(properties)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

/// The same strings decoded, as an Arrow IPC file.
fn write_arrow(batch: &RecordBatch, path: &Path) {
    let mut writer = arrow_ipc::writer::FileWriter::try_new(File::create(path).unwrap(), &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
}

/// The row rules alone: their states merge cheaply, so `--parallel` splits the file into ranges
/// of row groups, each read by its own reader.
fn row_rules() -> String {
    let keeps_values = ["unique", "distinct_count", "unique_ratio", "most_common"];
    RULES.lines().filter(|line| !keeps_values.iter().any(|rule| line.contains(rule))).collect::<Vec<_>>().join("\n")
}

fn check(dir: &Path, file: &str, rules: &str, batch_size: usize, parallel: bool) -> Vec<Value> {
    let report = dir.join(format!("{file}.{rules}.{batch_size}.{parallel}.json"));
    let batch_size = batch_size.to_string();
    let mut args =
        vec!["check", file, "--rules", rules, "--batch-size", &batch_size, "--output", report.to_str().unwrap()];
    if parallel {
        args.push("--parallel");
    }
    run_in(dir, &args).expect_code(1);
    rule_results(&report)
}

#[test]
fn dictionary_columns_answer_every_string_rule_as_decoded_strings() {
    let dir = tempfile::tempdir().unwrap();
    let batch = table();
    std::fs::write(dir.path().join("rules.yaml"), RULES).unwrap();
    std::fs::write(dir.path().join("row-rules.yaml"), row_rules()).unwrap();
    write_parquet(&batch, &dir.path().join("data.parquet"));
    write_arrow(&batch, &dir.path().join("data.arrow"));

    for rules in ["rules.yaml", "row-rules.yaml"] {
        let decoded = check(dir.path(), "data.arrow", rules, 65_536, false);
        let statuses: Vec<&str> = decoded.iter().map(|r| r["status"].as_str().unwrap()).collect();
        assert!(statuses.contains(&"passed") && statuses.contains(&"failed"), "both outcomes: {statuses:?}");
        // 64 Ki-row batches keep the small dictionaries, 16-row batches are too short to.
        for (batch_size, parallel) in [(65_536, false), (65_536, true), (3000, false), (16, false)] {
            let results = check(dir.path(), "data.parquet", rules, batch_size, parallel);
            for (got, want) in results.iter().zip(&decoded) {
                assert_eq!(got, want, "{rules} on Parquet in batches of {batch_size} (parallel: {parallel})");
            }
            assert_eq!(results.len(), decoded.len());
        }
    }
}

#[test]
fn dictionary_columns_profile_as_decoded_strings() {
    let dir = tempfile::tempdir().unwrap();
    let batch = table();
    write_parquet(&batch, &dir.path().join("data.parquet"));
    write_arrow(&batch, &dir.path().join("data.arrow"));
    let profile = |file: &str| {
        let report = dir.path().join(format!("{file}.profile.json"));
        run_in(dir.path(), &["profile", file, "--format", "json", "--output", report.to_str().unwrap()]).expect_code(0);
        let mut profile: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
        profile["result"]["metadata"]["source"] = Value::Null;
        comparable(profile)
    };
    assert_eq!(profile("data.parquet"), profile("data.arrow"));
}
