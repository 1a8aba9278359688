//! One reader per format, each yielding record batches lazily where the format allows it
//! (JSON arrays have to be parsed whole).

use super::dictionaries;
use super::parquet_object::ParquetObject;
use super::remote::{Location, runtime};
use super::stand_ins::{self, StandIns};
use super::{Format, ReadOptions, batch_size};
use crate::error::DataQualityError;
use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, Schema, SchemaRef};
use futures::StreamExt;
use object_store::ObjectMeta;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::async_reader::ParquetRecordBatchStreamBuilder;
use parquet::errors::ParquetError;
use serde_json::Value;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

type Batches = Box<dyn Iterator<Item = Result<RecordBatch, DataQualityError>> + Send>;

/// An open reader: the data's full schema, the schema of the batches it yields, the batches.
pub type Opened = (SchemaRef, SchemaRef, Batches);

/// Opens `path` (shown as `name`) as `format`, projected to the options' columns when all of
/// them exist.
pub fn open_reader(path: &Path, name: &str, format: Format, options: &ReadOptions) -> Result<Opened, DataQualityError> {
    let (columns, batch_size) = (options.columns.as_deref(), batch_size(options));
    let name = name.to_string();
    let arrow_error = arrow_error_of(name.clone(), format);
    let io_error = |e: std::io::Error| DataQualityError::load_data(&name, format!("{name}: {e}"));
    let open = || File::open(path).map_err(io_error);
    match format {
        Format::Csv | Format::Tsv => {
            let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
            let csv_format = arrow_csv::reader::Format::default().with_header(true).with_delimiter(delimiter);
            // Types are inferred from every row, so a late "n/a" in a numeric column makes the
            // column a string instead of failing the read halfway.
            let (schema, _) =
                csv_format.infer_schema(BufReader::new(open_text(path, &name)?), None).map_err(&arrow_error)?;
            let mut builder = arrow_csv::ReaderBuilder::new(Arc::new(schema.clone()))
                .with_format(csv_format)
                .with_batch_size(batch_size);
            if let Some(projection) = projection(&schema, columns) {
                builder = builder.with_projection(projection);
            }
            let reader = builder.build(open_text(path, &name)?).map_err(&arrow_error)?;
            Ok((Arc::new(schema), reader.schema(), Box::new(reader.map(move |b| b.map_err(&arrow_error)))))
        }
        Format::Parquet => open_parquet(path, options, None),
        Format::Json => {
            let bytes = std::fs::read(path).map_err(io_error)?;
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            let records: Vec<Value> = serde_json::from_slice(text).map_err(|e| {
                DataQualityError::load_data(&name, format!("{name}: not a valid JSON array of records: {e}"))
            })?;
            record_batches(&name, records, columns, batch_size)
        }
        Format::Ndjson => {
            let (source_schema, _) =
                arrow_json::reader::infer_json_schema(BufReader::new(open_text(path, &name)?), None)
                    .map_err(&arrow_error)?;
            let source_schema = Arc::new(source_schema);
            let schema = project_schema(&source_schema, columns);
            let reader = arrow_json::ReaderBuilder::new(schema.clone())
                .with_batch_size(batch_size)
                .build(BufReader::new(open_text(path, &name)?))
                .map_err(&arrow_error)?;
            Ok((source_schema, schema, Box::new(reader.map(move |b| b.map_err(&arrow_error)))))
        }
        Format::ArrowFile => open_arrow_file(path, columns, None),
        Format::ArrowStream => {
            let source_schema =
                arrow_ipc::reader::StreamReader::try_new(BufReader::new(open()?), None).map_err(&arrow_error)?.schema();
            let projection = projection(&source_schema, columns);
            let reader =
                arrow_ipc::reader::StreamReader::try_new(BufReader::new(open()?), projection).map_err(&arrow_error)?;
            Ok((source_schema, reader.schema(), Box::new(reader.map(move |b| b.map_err(&arrow_error)))))
        }
    }
}

/// Opens the Parquet object `meta` names through ranged reads: the footer, then only the
/// column chunks of the options' columns (when all of them exist), batch by batch.
pub fn open_object_parquet(
    location: &Location,
    meta: ObjectMeta,
    uri: &str,
    options: &ReadOptions,
) -> Result<Opened, DataQualityError> {
    let parquet_error = {
        let uri = uri.to_string();
        move |e: parquet::errors::ParquetError| {
            DataQualityError::load_data(&uri, format!("{uri}: not a readable Parquet object: {e}"))
        }
    };
    let mut reader = ParquetObject { store: location.store.clone(), path: meta.location, size: meta.size };
    let metadata = runtime()
        .block_on(ArrowReaderMetadata::load_async(&mut reader, ArrowReaderOptions::new()))
        .map_err(&parquet_error)?;
    let source_schema = metadata.schema().clone();
    let (plan, metadata) = ParquetPlan::new(metadata, options, None).map_err(&parquet_error)?;
    let mut builder =
        ParquetRecordBatchStreamBuilder::new_with_metadata(reader, metadata).with_batch_size(batch_size(options));
    if let Some(mask) = plan.mask.clone() {
        builder = builder.with_projection(mask);
    }
    let mut stream = builder.build().map_err(&parquet_error)?;
    let schema = plan.schema(stream.schema());
    let batches = std::iter::from_fn(move || runtime().block_on(stream.next()));
    let arrow_error = arrow_error_of(uri.to_string(), Format::Parquet);
    let batches = batches.map(move |b| plan.complete(b.map_err(&parquet_error)?).map_err(&arrow_error));
    Ok((source_schema, schema, Box::new(batches)))
}

/// What a Parquet read decodes: the columns asked for, less those whose statistics prove them
/// null-free when the caller reads them only for nulls (`ReadOptions::valid_columns`), which
/// get stand-ins instead (see `stand_ins`); with `ReadOptions::dictionaries`, its small
/// dictionary-encoded string columns as dictionaries (see `dictionaries`).
struct ParquetPlan {
    mask: Option<ProjectionMask>,
    stand_ins: Option<StandIns>,
}

impl ParquetPlan {
    /// Plans a read of the file `file` describes; returns the plan and the metadata to build the
    /// reader from (the dictionary columns typed as dictionaries).
    fn new(
        file: ArrowReaderMetadata,
        options: &ReadOptions,
        row_groups: Option<&[usize]>,
    ) -> Result<(ParquetPlan, ArrowReaderMetadata), ParquetError> {
        let (schema, metadata) = (file.schema(), file.metadata());
        let all: Vec<usize> = (0..schema.fields().len()).collect();
        let indices = projection(schema, options.columns.as_deref());
        let skipped: Vec<usize> = match &indices {
            Some(indices) => stand_ins::null_free(metadata, schema, &options.valid_columns, row_groups)
                .into_iter()
                .filter(|index| indices.contains(index))
                .collect(),
            None => Vec::new(),
        };
        let decoded: Vec<usize> =
            indices.as_ref().unwrap_or(&all).iter().copied().filter(|index| !skipped.contains(index)).collect();
        let dictionary_schema = options
            .dictionaries
            .then(|| dictionaries::dictionary_schema(schema, metadata, &decoded, batch_size(options)))
            .flatten();
        let plan = match indices {
            None => ParquetPlan { mask: None, stand_ins: None },
            Some(indices) => {
                let mask = Some(ProjectionMask::roots(file.parquet_schema(), decoded));
                let stand_ins = (!skipped.is_empty()).then(|| {
                    let read_schema = dictionary_schema.as_ref().unwrap_or(schema);
                    let projected = Arc::new(read_schema.project(&indices).expect("indices come from this schema"));
                    let positions: Vec<usize> =
                        skipped.iter().filter_map(|s| indices.iter().position(|i| i == s)).collect();
                    StandIns::new(projected, &positions)
                });
                ParquetPlan { mask, stand_ins }
            }
        };
        let reader_metadata = match dictionary_schema {
            Some(schema) => {
                ArrowReaderMetadata::try_new(file.metadata().clone(), ArrowReaderOptions::new().with_schema(schema))?
            }
            None => file,
        };
        Ok((plan, reader_metadata))
    }

    /// The schema of the batches: the decoder's, or every column asked for with stand-ins.
    fn schema(&self, decoded: &SchemaRef) -> SchemaRef {
        self.stand_ins.as_ref().map_or_else(|| decoded.clone(), |stand_ins| stand_ins.schema())
    }

    /// A decoded batch with the stand-ins in place.
    fn complete(&self, decoded: RecordBatch) -> Result<RecordBatch, ArrowError> {
        match &self.stand_ins {
            Some(stand_ins) => stand_ins.complete(decoded),
            None => Ok(decoded),
        }
    }
}

/// Opens a Parquet file projected to the options' columns (when all of them exist), reading
/// only `row_groups` (in order) when given.
pub fn open_parquet(
    path: &Path,
    options: &ReadOptions,
    row_groups: Option<Vec<usize>>,
) -> Result<Opened, DataQualityError> {
    let name = path.display().to_string();
    let parquet_error = |e: parquet::errors::ParquetError| {
        DataQualityError::load_data(&name, format!("{name}: not a readable Parquet file: {e}"))
    };
    let file = File::open(path).map_err(|e| DataQualityError::load_data(&name, format!("{name}: {e}")))?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(parquet_error)?;
    let source_schema = metadata.schema().clone();
    let (plan, metadata) = ParquetPlan::new(metadata, options, row_groups.as_deref()).map_err(parquet_error)?;
    let mut builder =
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata).with_batch_size(batch_size(options));
    if let Some(mask) = plan.mask.clone() {
        builder = builder.with_projection(mask);
    }
    if let Some(row_groups) = row_groups {
        builder = builder.with_row_groups(row_groups);
    }
    let reader = builder.build().map_err(parquet_error)?;
    let schema = plan.schema(&arrow_array::RecordBatchReader::schema(&reader));
    let arrow_error = arrow_error_of(name.clone(), Format::Parquet);
    Ok((source_schema, schema, Box::new(reader.map(move |b| b.and_then(|b| plan.complete(b)).map_err(&arrow_error)))))
}

/// Opens an Arrow IPC file projected to `columns` (when all of them exist), reading only the
/// record batches `batches` when given.
pub fn open_arrow_file(
    path: &Path,
    columns: Option<&[String]>,
    batches: Option<Range<usize>>,
) -> Result<Opened, DataQualityError> {
    let name = path.display().to_string();
    let arrow_error = arrow_error_of(name.clone(), Format::ArrowFile);
    let open = || File::open(path).map_err(|e| DataQualityError::load_data(&name, format!("{name}: {e}")));
    let source_schema = arrow_ipc::reader::FileReader::try_new(open()?, None).map_err(&arrow_error)?.schema();
    let projection = projection(&source_schema, columns);
    let mut reader = arrow_ipc::reader::FileReader::try_new(open()?, projection).map_err(&arrow_error)?;
    let schema = reader.schema();
    let Some(batches) = batches else {
        return Ok((source_schema, schema, Box::new(reader.map(move |b| b.map_err(&arrow_error)))));
    };
    reader.set_index(batches.start).map_err(&arrow_error)?;
    Ok((source_schema, schema, Box::new(reader.take(batches.len()).map(move |b| b.map_err(&arrow_error)))))
}

/// How many record batches an Arrow IPC file holds.
pub fn arrow_file_batches(path: &Path) -> Result<usize, DataQualityError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| DataQualityError::load_data(&name, format!("{name}: {e}")))?;
    let reader = arrow_ipc::reader::FileReader::try_new(file, None).map_err(arrow_error_of(name, Format::ArrowFile))?;
    Ok(reader.num_batches())
}

/// The error of a failed read of `format` data from the file `name`.
fn arrow_error_of(name: String, format: Format) -> impl Fn(ArrowError) -> DataQualityError {
    move |e: ArrowError| DataQualityError::load_data(&name, format!("{name}: cannot read {format} data: {}", clean(e)))
}

/// Reads inline JSON data: a list of records, a mapping of columns (`{"id": [1, 2]}`) or one
/// record.
pub fn open_inline_json(text: &str, columns: Option<&[String]>, batch_size: usize) -> Result<Opened, DataQualityError> {
    let shown: String = text.chars().take(100).collect();
    let fail = |why: String| DataQualityError::load_data(&shown, format!("cannot parse inline data {shown}: {why}"));
    let records = match serde_json::from_str::<Value>(text).map_err(|e| fail(e.to_string()))? {
        Value::Array(records) => records,
        Value::Object(map) if !map.is_empty() && map.values().all(Value::is_array) => {
            let height = map.values().map(|c| c.as_array().map_or(0, Vec::len)).max().unwrap_or(0);
            if let Some((name, _)) = map.iter().find(|(_, c)| c.as_array().map_or(0, Vec::len) != height) {
                return Err(fail(format!("column {name:?} is shorter than the others ({height} values)")));
            }
            (0..height)
                .map(|row| {
                    Value::Object(map.iter().map(|(name, column)| (name.clone(), column[row].clone())).collect())
                })
                .collect()
        }
        record @ Value::Object(_) => vec![record],
        _ => return Err(fail("expected a list of records or a mapping of columns".into())),
    };
    record_batches("inline data", records, columns, batch_size)
}

/// Record batches of JSON records (objects), typed by inference over all of them.
fn record_batches(
    name: &str,
    records: Vec<Value>,
    columns: Option<&[String]>,
    batch_size: usize,
) -> Result<Opened, DataQualityError> {
    let arrow_error =
        |e: ArrowError| DataQualityError::load_data(name, format!("{name}: cannot read JSON data: {}", clean(e)));
    if let Some(position) = records.iter().position(|r| !r.is_object()) {
        let message = format!("{name}: element {position} of the JSON array is not a record");
        return Err(DataQualityError::load_data(name, message));
    }
    let source_schema =
        Arc::new(arrow_json::reader::infer_json_schema_from_iterator(records.iter().map(Ok)).map_err(arrow_error)?);
    let schema = project_schema(&source_schema, columns);
    let mut decoder = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(batch_size)
        .build_decoder()
        .map_err(arrow_error)?;
    let mut batches = Vec::new();
    for chunk in records.chunks(batch_size) {
        decoder.serialize(chunk).map_err(arrow_error)?;
        batches.extend(decoder.flush().map_err(arrow_error)?.map(Ok));
    }
    Ok((source_schema, schema, Box::new(batches.into_iter())))
}

/// Opens a text file positioned after its UTF-8 byte-order mark, if it has one (spreadsheet
/// exports often do, and the mark would otherwise become part of the first column's name).
fn open_text(path: &Path, name: &str) -> Result<File, DataQualityError> {
    let fail = |e: std::io::Error| DataQualityError::load_data(name, format!("{name}: {e}"));
    let mut file = File::open(path).map_err(fail)?;
    let mut start = [0u8; 3];
    let read = file.read(&mut start).map_err(fail)?;
    let skip = if read == 3 && start == [0xEF, 0xBB, 0xBF] { 3 } else { 0 };
    file.seek(SeekFrom::Start(skip)).map_err(fail)?;
    Ok(file)
}

/// Indices of `columns` in `schema`, in schema order, when every one of them exists (none at all
/// when the rules need no column, e.g. only `row_count`). Otherwise `None`: read everything, so
/// the engine can name a missing column against the full column list.
fn projection(schema: &Schema, columns: Option<&[String]>) -> Option<Vec<usize>> {
    let mut indices = columns?.iter().map(|c| schema.index_of(c).ok()).collect::<Option<Vec<_>>>()?;
    indices.sort_unstable();
    indices.dedup();
    Some(indices)
}

fn project_schema(schema: &SchemaRef, columns: Option<&[String]>) -> SchemaRef {
    match projection(schema, columns) {
        Some(indices) => Arc::new(schema.project(&indices).expect("indices come from this schema")),
        None => schema.clone(),
    }
}

/// Arrow error text without the redundant variant prefixes (`Parser error: `, ...).
fn clean(error: ArrowError) -> String {
    match error {
        ArrowError::ParseError(m) | ArrowError::CsvError(m) | ArrowError::JsonError(m) | ArrowError::IpcError(m) => m,
        ArrowError::IoError(m, _) => m,
        other => other.to_string(),
    }
}
