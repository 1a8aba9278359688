//! Reading CSV, TSV and Parquet bytes into an Arrow IPC stream, for hosts that have no Arrow
//! readers of their own (the browser page). Files are read as the CLI reads local files
//! (host/src/source/readers.rs): a header row, column types inferred from every row, a UTF-8
//! byte-order mark skipped, so a check in the browser counts what the CLI counts.

use crate::model::QualityError;
use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{ArrowError, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use std::io::Cursor;
use std::sync::Arc;

/// Formats [`to_arrow_ipc`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    Csv,
    Tsv,
    Parquet,
}

/// Rows per record batch, as the CLI's default `--batch-size`.
const BATCH_ROWS: usize = 65_536;

/// The rows of `data` (a whole file in `format`) as one Arrow IPC stream.
pub fn to_arrow_ipc(data: Vec<u8>, format: DataFormat) -> Result<Vec<u8>, QualityError> {
    let (schema, batches) = match format {
        DataFormat::Csv => read_delimited(&data, b',', "CSV")?,
        DataFormat::Tsv => read_delimited(&data, b'\t', "TSV")?,
        DataFormat::Parquet => read_parquet(data)?,
    };
    let mut bytes = Vec::new();
    let mut writer = StreamWriter::try_new(&mut bytes, &schema).map_err(encode_error)?;
    for batch in &batches {
        writer.write(batch).map_err(encode_error)?;
    }
    writer.finish().map_err(encode_error)?;
    drop(writer);
    Ok(bytes)
}

/// Reads delimited text with a header row, typing each column by inference over every row (so
/// a late "n/a" makes a numeric column text instead of failing the read halfway).
fn read_delimited(data: &[u8], delimiter: u8, name: &str) -> Result<(SchemaRef, Vec<RecordBatch>), QualityError> {
    let text = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let read_error = |e: ArrowError| QualityError::data(format!("cannot read the {name} data: {e}"));
    let format = arrow_csv::reader::Format::default().with_header(true).with_delimiter(delimiter);
    let (schema, _) = format.infer_schema(Cursor::new(text), None).map_err(read_error)?;
    let schema = Arc::new(schema);
    let reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_format(format)
        .with_batch_size(BATCH_ROWS)
        .build(Cursor::new(text))
        .map_err(read_error)?;
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(read_error)?;
    Ok((schema, batches))
}

/// Reads every row group of a Parquet file.
fn read_parquet(data: Vec<u8>) -> Result<(SchemaRef, Vec<RecordBatch>), QualityError> {
    let parquet_error =
        |e: parquet::errors::ParquetError| QualityError::data(format!("not a readable Parquet file: {e}"));
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(data)).map_err(parquet_error)?;
    // zstd is a C library this build leaves out; say so instead of failing on the first page.
    let zstd_column = builder
        .metadata()
        .row_groups()
        .iter()
        .flat_map(|group| group.columns())
        .find(|column| matches!(column.compression(), Compression::ZSTD(_)));
    if let Some(column) = zstd_column {
        return Err(QualityError::data(format!(
            "column {} is zstd-compressed, which this build cannot read; write the file with snappy \
             (pyarrow's default; polars: compression=\"snappy\") or check it with the CLI",
            column.column_path()
        )));
    }
    let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(parquet_error)?;
    let schema = arrow_array::RecordBatchReader::schema(&reader);
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| QualityError::data(format!("cannot read the Parquet data: {e}")))?;
    Ok((schema, batches))
}

fn encode_error(e: ArrowError) -> QualityError {
    QualityError::data(format!("cannot encode the data as Arrow IPC: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_ipc::reader::StreamReader;

    fn decoded(ipc: &[u8]) -> Vec<RecordBatch> {
        StreamReader::try_new(Cursor::new(ipc), None).unwrap().collect::<Result<_, _>>().unwrap()
    }

    #[test]
    fn csv_types_come_from_every_row_and_the_byte_order_mark_is_skipped() {
        let csv = b"\xEF\xBB\xBFid,amount\n1,2.5\n2,n/a\n3,\n".to_vec();
        let batches = decoded(&to_arrow_ipc(csv, DataFormat::Csv).unwrap());
        let schema = batches[0].schema();
        assert_eq!(schema.field(0).name(), "id");
        assert_eq!(schema.field(0).data_type(), &arrow_schema::DataType::Int64);
        assert_eq!(schema.field(1).data_type(), &arrow_schema::DataType::Utf8);
        assert_eq!(batches[0].num_rows(), 3);
        assert_eq!(batches[0].column(1).null_count(), 1);
    }

    #[test]
    fn tsv_splits_on_tabs() {
        let batches = decoded(&to_arrow_ipc(b"a\tb\nx\t1\n".to_vec(), DataFormat::Tsv).unwrap());
        assert_eq!(batches[0].num_columns(), 2);
    }

    #[test]
    fn parquet_rows_and_schema_survive_the_round_trip() {
        let column = arrow_array::Int64Array::from(vec![Some(1), None, Some(3)]);
        let batch = RecordBatch::try_from_iter([("id", Arc::new(column) as arrow_array::ArrayRef)]).unwrap();
        let mut file = Vec::new();
        let mut writer = parquet::arrow::ArrowWriter::try_new(&mut file, batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let batches = decoded(&to_arrow_ipc(file, DataFormat::Parquet).unwrap());
        assert_eq!(batches, vec![batch]);
    }

    #[test]
    fn bytes_that_are_not_parquet_are_a_data_error_naming_the_format() {
        let error = to_arrow_ipc(b"id\n1\n".to_vec(), DataFormat::Parquet).unwrap_err();
        assert_eq!(error.kind, crate::model::ErrorKind::Data);
        assert!(error.message.contains("Parquet"), "{}", error.message);
    }
}
