//! Data sources: where the data is (a local path or `file://` URI) and how to stream it as Arrow
//! record batches, reading only the columns the rules need where the format allows.

mod format;
mod readers;

pub use format::{Format, detect_format};

use crate::error::RunError;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use std::io::Read;
use std::path::PathBuf;

/// Rows per record batch handed to the engine.
pub const DEFAULT_BATCH_SIZE: usize = 64 * 1024;

/// An open data set: its schemas and a stream of record batches.
pub struct BatchSource {
    pub format: Format,
    /// Every column of the data.
    pub source_schema: SchemaRef,
    /// The columns read (the requested ones, when the format can read only those).
    pub schema: SchemaRef,
    pub batches: Box<dyn Iterator<Item = Result<RecordBatch, RunError>> + Send>,
}

/// Options of a read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read only these columns (when all of them exist); `None` reads every column.
    pub columns: Option<Vec<String>>,
    /// Rows per batch (`DEFAULT_BATCH_SIZE` when 0).
    pub batch_size: usize,
}

/// Resolves a URI to a local file path, or explains why it cannot be read.
pub fn local_path(uri: &str) -> Result<PathBuf, RunError> {
    let uri = uri.trim();
    if uri.is_empty() {
        return Err(RunError::Usage("no data URI was given".into()));
    }
    if let Some(path) = uri.strip_prefix("file://") {
        return Ok(PathBuf::from(path));
    }
    if let Some((scheme, _)) = uri.split_once("://") {
        return Err(RunError::Data(format!(
            "{uri}: '{scheme}://' sources are not supported by this build; use a local path or file://"
        )));
    }
    Ok(PathBuf::from(uri))
}

/// Opens `uri` and streams it as record batches.
pub fn open(uri: &str, options: &ReadOptions) -> Result<BatchSource, RunError> {
    let path = local_path(uri)?;
    let data_error = |what: &str, e: std::io::Error| RunError::Data(format!("{}: {what}: {e}", path.display()));
    let metadata = std::fs::metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => RunError::Data(format!("{}: no such file", path.display())),
        _ => data_error("cannot open", e),
    })?;
    if metadata.is_dir() {
        return Err(RunError::Data(format!("{}: is a directory, not a data file", path.display())));
    }
    if metadata.len() == 0 {
        return Err(RunError::Data(format!("{}: the file is empty", path.display())));
    }
    let mut head = vec![0u8; 4096];
    let mut file = std::fs::File::open(&path).map_err(|e| data_error("cannot open", e))?;
    let read = read_up_to(&mut file, &mut head).map_err(|e| data_error("cannot read", e))?;
    head.truncate(read);
    let name = path.display().to_string();
    let format = detect_format(&name, &head).map_err(RunError::Data)?;
    let batch_size = if options.batch_size == 0 { DEFAULT_BATCH_SIZE } else { options.batch_size };
    let (source_schema, schema, batches) = readers::open_reader(&path, format, options.columns.as_deref(), batch_size)?;
    Ok(BatchSource { format, source_schema, schema, batches })
}

fn read_up_to(file: &mut std::fs::File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
