//! A table with the values validators disagree about: nulls, duplicates, NaN next to nulls,
//! integers beyond 2^53, Unicode (combining marks, emoji, CJK), empty strings, quotes and commas,
//! and a column mixing numeric and text codes. Written as CSV and Parquet for the conformance
//! tests, which compare truthound with the real Great Expectations and pandera on it.

use super::data::Random;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// 2^62: large integers sit around it and around 2^53, where floats lose whole numbers.
pub const BIG: i64 = 1 << 62;

/// The columns, as plain vectors so tests can compute facts about them directly.
#[derive(Default)]
pub struct Mixed {
    /// Unique but for a few repeats; never null (pandas keeps it int64).
    pub id: Vec<i64>,
    /// Integers around 2^62 and 2^53 (and the int64 extremes); never null.
    pub big: Vec<i64>,
    /// Money with cents, some negative or above 1000, some null.
    pub amount: Vec<Option<f64>>,
    /// A share in 0..=1 with NaN, nulls and values outside.
    pub ratio: Vec<Option<f64>>,
    /// Unicode names, empty strings, quotes and commas.
    pub name: Vec<Option<String>>,
    pub email: Vec<Option<String>>,
    /// Codes mixing letters and numbers ("A1", "17", "3.5"), so every reader types it as text.
    pub code: Vec<Option<String>>,
    pub status: Vec<Option<String>>,
}

const NAMES: &[&str] = &["héllo", "日本語", "🦀", "e\u{301}", "", "a,b", "say \"hi\"", "  pad  ", "abcdef", "x", "Zoë"];
const EMAILS: &[&str] = &["User at example", "ü@exämple.com", "c.d@example.org", " e@example.com", ""];
const CODES: &[&str] = &["A1", "17", "x-9", "3.5", "B2", "42", "ZZ", "7", "C-3"];
const STATUSES: &[&str] = &["pending", "shipped", "delivered"];
const ODD_STATUSES: &[&str] = &["cancelled", "Pending", "lost"];

impl Mixed {
    /// A hand-written table with every edge case at least once.
    pub fn edge_cases() -> Mixed {
        let text = |values: &[Option<&str>]| values.iter().map(|v| v.map(str::to_string)).collect::<Vec<_>>();
        Mixed {
            id: vec![1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            big: vec![
                BIG,
                BIG + 1,
                BIG - 1,
                (1 << 53) + 1,
                1 << 53,
                i64::MIN,
                i64::MAX,
                0,
                BIG + 2,
                -(1 << 53) - 1,
                BIG + 3,
                BIG + 4,
                BIG + 5,
                BIG + 6,
                BIG + 7,
                BIG + 8,
            ],
            amount: vec![
                Some(12.5),
                Some(-0.5),
                None,
                Some(1000.0),
                Some(999.99),
                Some(0.0),
                Some(1500.25),
                Some(3.75),
                Some(0.01),
                None,
                Some(7.5),
                Some(0.5),
                Some(1.25),
                Some(2.5),
                Some(8.75),
                Some(9.5),
            ],
            ratio: vec![
                Some(0.5),
                Some(f64::NAN),
                None,
                Some(1.0),
                Some(1.5),
                Some(f64::NAN),
                Some(0.0),
                Some(-0.1),
                Some(0.25),
                None,
                Some(0.75),
                Some(0.9),
                Some(0.1),
                Some(0.2),
                Some(0.3),
                Some(0.4),
            ],
            name: text(&[
                Some("héllo"),
                Some("日本語"),
                Some("🦀"),
                Some("e\u{301}"),
                Some(""),
                None,
                Some("a,b"),
                Some("say \"hi\""),
                Some("  pad  "),
                Some("abcdef"),
                Some("x"),
                Some("Zoë"),
                None,
                Some("ok"),
                Some("fine"),
                Some("ab"),
            ]),
            email: text(&[
                Some("a@example.com"),
                Some("b@example.com"),
                None,
                Some("a@example.com"),
                Some("User at example"),
                Some("ü@exämple.com"),
                Some("c.d@example.org"),
                Some(" e@example.com"),
                Some(""),
                Some("f@example.com"),
                Some("g@example.com"),
                None,
                Some("h@example.com"),
                Some("i@example.com"),
                Some("j@example.com"),
                Some("k@example.com"),
            ]),
            code: text(&[
                Some("A1"),
                Some("17"),
                Some("x-9"),
                Some("3.5"),
                Some("B2"),
                Some("42"),
                None,
                Some("ZZ"),
                Some("7"),
                Some("A1"),
                Some("C-3"),
                Some("D4"),
                Some("E5"),
                Some("F6"),
                Some("G7"),
                Some("H8"),
            ]),
            status: text(&[
                Some("pending"),
                Some("shipped"),
                Some("delivered"),
                Some("cancelled"),
                None,
                Some("Pending"),
                Some("lost"),
                Some("pending"),
                Some("shipped"),
                Some("delivered"),
                Some("pending"),
                Some("pending"),
                Some("shipped"),
                Some("delivered"),
                Some("pending"),
                Some("shipped"),
            ]),
        }
    }

    /// `rows` random rows; about `defect_percent` of the values are nulls, repeats, NaN, out of
    /// range or malformed (0 makes a table that passes every conformance check).
    pub fn generate(rows: usize, seed: u64, defect_percent: u64) -> Mixed {
        let mut random = Random(seed | 1);
        let mut t = Mixed::default();
        let pick = |r: u64, pool: &[&str]| pool[(r % pool.len() as u64) as usize].to_string();
        for i in 0..rows {
            let mut roll = || random.next();
            let defect = |r: u64| r % 100 < defect_percent;
            let r = roll();
            t.id.push(if defect(r) && i > 0 { (r % i as u64) as i64 } else { i as i64 });
            let r = roll();
            t.big.push(if defect(r) { BIG - 1 - (r % 3) as i64 } else { BIG + i as i64 });
            let r = roll();
            let cents = (r >> 8) % 99_900 + 1;
            t.amount.push(match defect(r).then_some(r % 3) {
                Some(0) => None,
                Some(1) => Some(-(cents as f64) / 100.0 - 0.5),
                Some(_) => Some(1000.25 + cents as f64),
                None => Some(cents as f64 / 100.0 + 0.005),
            });
            let r = roll();
            t.ratio.push(match defect(r).then_some(r % 3) {
                Some(0) => None,
                Some(1) => Some(f64::NAN),
                Some(_) => Some(1.0 + (r >> 8) as f64 % 100.0 / 100.0 + 0.01),
                None => Some(((r >> 8) % 1000) as f64 / 1000.0),
            });
            let r = roll();
            t.name.push(match defect(r).then_some(r % 4) {
                Some(0) => None,
                Some(1) => Some(String::new()),
                Some(_) => Some("too long a name".into()),
                None => Some(pick(r >> 8, &NAMES[..4])),
            });
            let r = roll();
            t.email.push(match defect(r).then_some(r % 3) {
                Some(0) => None,
                Some(1) => Some(pick(r >> 8, EMAILS)),
                Some(_) => Some(format!("shared{}@example.com", r % 5)),
                None => Some(format!("user{i}@example.com")),
            });
            let r = roll();
            t.code.push(match defect(r).then_some(r % 2) {
                Some(0) => None,
                Some(_) => Some(pick(r >> 8, &["x-9", "3.5", "17"])),
                None => Some(pick(r >> 8, &["A1", "B2", "ZZ", "D4"])),
            });
            let r = roll();
            t.status.push(match defect(r).then_some(r % 2) {
                Some(0) => None,
                Some(_) => Some(pick(r >> 8, ODD_STATUSES)),
                None => Some(pick(r >> 8, STATUSES)),
            });
        }
        t
    }

    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// Rows whose `ratio` is NaN (a value to Arrow, a missing value to pandas).
    pub fn ratio_nans(&self) -> u64 {
        self.ratio.iter().filter(|r| r.is_some_and(f64::is_nan)).count() as u64
    }

    pub fn to_batch(&self) -> RecordBatch {
        RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from(self.id.clone())) as ArrayRef),
            ("big", Arc::new(Int64Array::from(self.big.clone())) as ArrayRef),
            ("amount", Arc::new(Float64Array::from(self.amount.clone())) as ArrayRef),
            ("ratio", Arc::new(Float64Array::from(self.ratio.clone())) as ArrayRef),
            ("name", Arc::new(StringArray::from(self.name.clone())) as ArrayRef),
            ("email", Arc::new(StringArray::from(self.email.clone())) as ArrayRef),
            ("code", Arc::new(StringArray::from(self.code.clone())) as ArrayRef),
            ("status", Arc::new(StringArray::from(self.status.clone())) as ArrayRef),
        ])
        .unwrap()
    }

    /// Parquet in row groups of 1000, so the engine sees several batches.
    pub fn write_parquet(&self, path: &Path) {
        let batch = self.to_batch();
        let properties =
            parquet::file::properties::WriterProperties::builder().set_max_row_group_row_count(Some(1000)).build();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), Some(properties))
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    /// CSV with a header; nulls and empty strings both become empty fields.
    pub fn write_csv(&self, path: &Path) {
        let mut writer = arrow_csv::WriterBuilder::new().with_header(true).build(File::create(path).unwrap());
        writer.write(&self.to_batch()).unwrap();
    }
}
