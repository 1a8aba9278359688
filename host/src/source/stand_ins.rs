//! Parquet statistics that decide a rule without decoding: a column the rules read only for its
//! nulls (`not_null`, `completeness_ratio`, the `null_count` of results; see
//! `Checker::null_only_columns`) whose column chunks all record a null count of zero holds no
//! null, so its values are not decoded at all. An all-valid stand-in of the column's type (zeros,
//! empty strings, `false`) takes their place in the batches, with the same schema, so the
//! engine counts the same rows and the same (no) nulls.

use arrow_array::{
    ArrayRef, ArrowPrimitiveType, BinaryArray, BooleanArray, LargeBinaryArray, LargeStringArray, PrimitiveArray,
    RecordBatch, StringArray, downcast_primitive,
};
use arrow_schema::{ArrowError, DataType, Schema, SchemaRef};
use parquet::file::metadata::ParquetMetaData;
use std::sync::Arc;

/// Indices (in `schema`) of the columns among `candidates` that every row group read
/// (`row_groups`, all when `None`) records as null-free: top-level columns of a type a stand-in
/// exists for, with a null count in the statistics of every column chunk.
pub fn null_free(
    metadata: &ParquetMetaData,
    schema: &Schema,
    candidates: &[String],
    row_groups: Option<&[usize]>,
) -> Vec<usize> {
    let all: Vec<usize> = (0..metadata.num_row_groups()).collect();
    let row_groups = row_groups.unwrap_or(&all);
    if row_groups.is_empty() {
        return Vec::new();
    }
    let leaves = metadata.file_metadata().schema_descr().columns();
    candidates
        .iter()
        .filter_map(|name| {
            let index = schema.index_of(name).ok()?;
            all_valid(schema.field(index).data_type(), 0)?;
            let leaf = leaves.iter().position(|leaf| leaf.path().parts() == std::slice::from_ref(name))?;
            let no_nulls = row_groups.iter().all(|&group| {
                let statistics = metadata.row_group(group).column(leaf).statistics();
                statistics.and_then(|s| s.null_count_opt()) == Some(0)
            });
            no_nulls.then_some(index)
        })
        .collect()
}

/// An array of `len` valid values of `data_type`, `None` for a type without a stand-in.
pub fn all_valid(data_type: &DataType, len: usize) -> Option<ArrayRef> {
    fn zeros<T: ArrowPrimitiveType>(len: usize, data_type: &DataType) -> Option<ArrayRef> {
        Some(Arc::new(PrimitiveArray::<T>::from_value(T::Native::default(), len).with_data_type(data_type.clone())))
    }
    macro_rules! primitive_zeros {
        ($t:ty, $len:expr, $data_type:expr) => {
            zeros::<$t>($len, $data_type)
        };
    }
    let empty = || std::iter::repeat_n("", len);
    match data_type {
        DataType::Utf8 => Some(Arc::new(StringArray::from_iter_values(empty()))),
        DataType::LargeUtf8 => Some(Arc::new(LargeStringArray::from_iter_values(empty()))),
        DataType::Binary => Some(Arc::new(BinaryArray::from_iter_values(empty()))),
        DataType::LargeBinary => Some(Arc::new(LargeBinaryArray::from_iter_values(empty()))),
        DataType::Boolean => Some(Arc::new(BooleanArray::from(vec![false; len]))),
        data_type => downcast_primitive! {
            data_type => (primitive_zeros, len, data_type),
            _ => None,
        },
    }
}

/// Puts stand-ins back into the batches of a reader that skipped the null-free columns.
pub struct StandIns {
    /// The schema the batches must have (every column asked for).
    schema: SchemaRef,
    /// Per column of `schema`: whether a stand-in takes its place.
    stand_in: Vec<bool>,
}

impl StandIns {
    /// For batches of `schema` read without the columns at `stand_in` (indices in `schema`).
    pub fn new(schema: SchemaRef, stand_in: &[usize]) -> StandIns {
        let stand_in = (0..schema.fields().len()).map(|i| stand_in.contains(&i)).collect();
        StandIns { schema, stand_in }
    }

    /// The schema of the completed batches.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// `decoded` (the other columns, in order) with the stand-ins in their places.
    pub fn complete(&self, decoded: RecordBatch) -> Result<RecordBatch, ArrowError> {
        let rows = decoded.num_rows();
        let mut decoded_columns = decoded.columns().iter();
        let columns = self
            .schema
            .fields()
            .iter()
            .zip(&self.stand_in)
            .map(|(field, &stand_in)| match stand_in {
                true => all_valid(field.data_type(), rows).expect("only types with a stand-in are skipped"),
                false => decoded_columns.next().expect("the reader decoded every other column").clone(),
            })
            .collect();
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_schema::TimeUnit;

    #[test]
    fn stand_ins_are_valid_and_keep_the_type() {
        let types = [
            DataType::Int64,
            DataType::Float64,
            DataType::Utf8,
            DataType::LargeUtf8,
            DataType::Boolean,
            DataType::Date32,
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            DataType::Decimal128(12, 2),
        ];
        for data_type in types {
            let array = all_valid(&data_type, 5).unwrap();
            assert_eq!((array.len(), array.null_count(), array.data_type()), (5, 0, &data_type));
        }
        assert!(
            all_valid(&DataType::List(Arc::new(arrow_schema::Field::new("x", DataType::Int64, true))), 5).is_none()
        );
    }

    use crate::source::{ReadOptions, open, split_rows};
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Int64Array, StringArray};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::{EnabledStatistics, WriterProperties};

    /// A Parquet file of 4 row groups of 250 rows: `id` and `name` without nulls, `score` with a
    /// null in the first row group only; with or without statistics.
    fn write(path: &std::path::Path, statistics: bool) {
        let rows = 1000;
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from_iter_values(1..=rows)) as ArrayRef),
            ("name", Arc::new(StringArray::from_iter_values((1..=rows).map(|i| format!("n{i}")))) as ArrayRef),
            ("score", Arc::new(Int64Array::from_iter((1..=rows).map(|i| (i != 7).then_some(i))))),
        ])
        .unwrap();
        let level = if statistics { EnabledStatistics::Chunk } else { EnabledStatistics::None };
        let properties =
            WriterProperties::builder().set_max_row_group_row_count(Some(250)).set_statistics_enabled(level).build();
        let file = std::fs::File::create(path).unwrap();
        let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
    }

    fn options(valid: &[&str]) -> ReadOptions {
        ReadOptions {
            columns: Some(["id", "name", "score"].map(String::from).to_vec()),
            valid_columns: valid.iter().map(|c| c.to_string()).collect(),
            ..ReadOptions::default()
        }
    }

    /// The sum of `id`, the bytes of `name`, the nulls of `score` and the rows of the batches.
    fn read(source: crate::source::BatchSource) -> (i64, usize, usize, usize) {
        let (mut ids, mut name_bytes, mut score_nulls, mut rows) = (0, 0, 0, 0);
        for batch in source.batches {
            let batch = batch.unwrap();
            let names: Vec<&str> = batch.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(names, ["id", "name", "score"]);
            ids += batch.column(0).as_primitive::<Int64Type>().values().iter().sum::<i64>();
            name_bytes += batch.column(1).as_string::<i32>().values().len();
            score_nulls += batch.column(2).null_count();
            rows += batch.num_rows();
        }
        (ids, name_bytes, score_nulls, rows)
    }

    #[test]
    fn null_free_columns_read_only_for_nulls_are_not_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let with = dir.path().join("with.parquet");
        let without = dir.path().join("without.parquet");
        write(&with, true);
        write(&without, false);
        let decoded = read(open(with.to_str().unwrap(), &options(&[])).unwrap());
        assert_eq!(decoded, (500_500, 3893, 1, 1000), "everything decoded");
        // Statistics prove id and name null-free: stand-ins (zeros, empty strings) replace them.
        // score has a null, so it is decoded whatever the caller says.
        let skipped = read(open(with.to_str().unwrap(), &options(&["id", "name", "score"])).unwrap());
        assert_eq!(skipped, (0, 0, 1, 1000));
        // Without statistics nothing is proven.
        let unproven = read(open(without.to_str().unwrap(), &options(&["id", "name", "score"])).unwrap());
        assert_eq!(unproven, decoded);
        // A row range proves it for its own row groups: score is null-free after the first one.
        let ranges = split_rows(with.to_str().unwrap(), &options(&[]), 2).unwrap().unwrap();
        let second = read(ranges[1].open(&options(&["score"])).unwrap());
        assert_eq!((second.2, second.3), (0, 500));
        let first = read(ranges[0].open(&options(&["score"])).unwrap());
        assert_eq!((first.2, first.3), (1, 500));
    }
}
