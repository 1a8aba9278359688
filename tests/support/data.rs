//! A deterministic table with every kind of defect, the expected answers computed directly from
//! it, and writers for each file format the host reads.

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Rows of the generated table, kept as plain vectors for independent computations.
pub struct Table {
    pub id: Vec<i64>,
    pub email: Vec<Option<String>>,
    pub amount: Vec<Option<f64>>,
    pub status: Vec<Option<String>>,
}

/// Xorshift: the same sequence on every machine.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

impl Table {
    /// `rows` rows with nulls, duplicate ids and emails, negative and huge amounts, malformed
    /// emails and unknown statuses, spread across the whole table.
    pub fn generate(rows: usize, seed: u64) -> Table {
        let mut random = Random(seed | 1);
        let mut table = Table { id: Vec::new(), email: Vec::new(), amount: Vec::new(), status: Vec::new() };
        for i in 0..rows {
            let r = random.next();
            table.id.push(if r.is_multiple_of(101) { (i / 3) as i64 } else { i as i64 });
            table.email.push(match r % 23 {
                0 => None,
                1 => Some(format!("User {i} at example")),
                2 => Some(format!("shared{}@example.com", r % 7)),
                3 => Some(format!("ü{i}@exämple.com")),
                _ => Some(format!("user{i}@example.com")),
            });
            table.amount.push(match r % 41 {
                0 => None,
                1 => Some(-((r % 5000) as f64) / 100.0),
                2 => Some(1000.0 + (r % 90) as f64),
                _ => Some((r % 100_000) as f64 / 100.0),
            });
            table.status.push(match r % 13 {
                0 => None,
                1 => Some("cancelled".to_string()),
                _ => Some(["pending", "shipped", "delivered"][(r % 3) as usize].to_string()),
            });
        }
        table
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    pub fn to_batch(&self) -> RecordBatch {
        RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from(self.id.clone())) as ArrayRef),
            ("email", Arc::new(StringArray::from(self.email.clone())) as ArrayRef),
            ("amount", Arc::new(Float64Array::from(self.amount.clone())) as ArrayRef),
            ("status", Arc::new(StringArray::from(self.status.clone())) as ArrayRef),
        ])
        .unwrap()
    }

    /// Writes the table as Parquet with small row groups, so readers stream many batches.
    /// The rows `range` of the table.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Table {
        Table {
            id: self.id[range.clone()].to_vec(),
            email: self.email[range.clone()].to_vec(),
            amount: self.amount[range.clone()].to_vec(),
            status: self.status[range].to_vec(),
        }
    }

    pub fn write_parquet(&self, path: &Path) {
        let batch = self.to_batch();
        let properties =
            parquet::file::properties::WriterProperties::builder().set_max_row_group_row_count(Some(3000)).build();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(properties))
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    pub fn write_csv(&self, path: &Path, delimiter: u8) {
        let builder = arrow_csv::WriterBuilder::new().with_header(true).with_delimiter(delimiter);
        let mut writer = builder.build(File::create(path).unwrap());
        writer.write(&self.to_batch()).unwrap();
    }

    pub fn write_ndjson(&self, path: &Path) {
        let mut writer = arrow_json::LineDelimitedWriter::new(File::create(path).unwrap());
        writer.write(&self.to_batch()).unwrap();
        writer.finish().unwrap();
    }

    pub fn write_json_array(&self, path: &Path) {
        let mut writer = arrow_json::ArrayWriter::new(File::create(path).unwrap());
        writer.write(&self.to_batch()).unwrap();
        writer.finish().unwrap();
    }

    pub fn write_arrow_file(&self, path: &Path) {
        let batch = self.to_batch();
        let mut writer = arrow_ipc::writer::FileWriter::try_new(File::create(path).unwrap(), &batch.schema()).unwrap();
        for offset in (0..batch.num_rows()).step_by(5000) {
            writer.write(&batch.slice(offset, 5000.min(batch.num_rows() - offset))).unwrap();
        }
        writer.finish().unwrap();
    }

    pub fn write_arrow_stream(&self, path: &Path) {
        let batch = self.to_batch();
        let mut writer =
            arrow_ipc::writer::StreamWriter::try_new(File::create(path).unwrap(), &batch.schema()).unwrap();
        writer.write(&batch).unwrap();
        writer.finish().unwrap();
    }
}

/// Rows (0-based) whose value is `Some` and occurs more than once among the `Some` values.
pub fn duplicated_rows<T: std::hash::Hash + Eq>(values: &[Option<T>]) -> Vec<u64> {
    let mut counts = std::collections::HashMap::new();
    for v in values.iter().flatten() {
        *counts.entry(v).or_insert(0u64) += 1;
    }
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.as_ref().is_some_and(|v| counts[v] > 1))
        .map(|(i, _)| i as u64)
        .collect()
}

/// Rows whose value is `Some` and fails `ok`.
pub fn failing_rows<T>(values: &[Option<T>], ok: impl Fn(&T) -> bool) -> Vec<u64> {
    values.iter().enumerate().filter(|(_, v)| v.as_ref().is_some_and(|v| !ok(v))).map(|(i, _)| i as u64).collect()
}

/// Rows whose value is `None`.
pub fn null_rows<T>(values: &[Option<T>]) -> Vec<u64> {
    values.iter().enumerate().filter(|(_, v)| v.is_none()).map(|(i, _)| i as u64).collect()
}
