//! Data sources: where the data is (a local path, a `file://` URI, or inline JSON) and how to
//! stream it as Arrow record batches, reading only the columns the rules need where the format
//! allows.

mod detect;
mod format;
mod ranges;
mod readers;

pub use detect::{DataSourceType, ParsedUri, detect_data_source_type, parse_uri};
pub use format::{Format, detect_declared_format, detect_format};
pub use ranges::{RowRange, split_rows};

use crate::error::DataQualityError;
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
    pub batches: Box<dyn Iterator<Item = Result<RecordBatch, DataQualityError>> + Send>,
}

/// Options of a read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Read only these columns (when all of them exist); `None` reads every column.
    pub columns: Option<Vec<String>>,
    /// Rows per batch (`DEFAULT_BATCH_SIZE` when 0).
    pub batch_size: usize,
    /// The format, instead of the file's extension (its content must still agree).
    pub format: Option<Format>,
}

/// Resolves a file source (a path, `~/path` or `file://` URI) to a local path.
pub fn local_path(uri: &str) -> Result<PathBuf, DataQualityError> {
    let uri = uri.trim();
    if uri.is_empty() {
        return Err(DataQualityError::configuration("uri", "no data URI was given"));
    }
    if let Some(path) = uri.strip_prefix("file://") {
        return Ok(PathBuf::from(path));
    }
    if let (Some(rest), Some(home)) = (uri.strip_prefix("~/"), std::env::var_os("HOME")) {
        return Ok(PathBuf::from(home).join(rest));
    }
    Ok(PathBuf::from(uri))
}

/// Opens `uri` and streams it as record batches: a file, or inline JSON data. Remote URIs,
/// unrendered Kestra expressions and secrets are explained, not read.
pub fn open(uri: &str, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    let unreadable = |why: String| Err(DataQualityError::load_data(uri, format!("{uri}: {why}")));
    match detect_data_source_type(uri) {
        DataSourceType::File => open_file(uri, options),
        DataSourceType::Inline => {
            let (source_schema, schema, batches) =
                readers::open_inline_json(uri, options.columns.as_deref(), batch_size(options))?;
            Ok(BatchSource { format: Format::Json, source_schema, schema, batches })
        }
        DataSourceType::Uri => unreadable(format!(
            "'{}://' sources are not supported by this build; use a local path or file://",
            parse_uri(uri).scheme
        )),
        DataSourceType::Output => unreadable(
            "a Kestra expression reached the command unrendered; pass it through the task's `env:` or \
             `inputFiles:` so Kestra renders it"
                .into(),
        ),
        DataSourceType::Secret => {
            unreadable("secrets are not data; render them with {{ secret('NAME') }} in the task's `env:`".into())
        }
    }
}

/// The reference's `load_data(source, file_type)`: every record batch of `source` (a path or
/// inline JSON); `file_type` (`csv`, `tsv`, `parquet`, `json`, `ndjson`, `ipc`, ...) replaces
/// the extension.
pub fn load_data(source: &str, file_type: Option<&str>) -> Result<Vec<RecordBatch>, DataQualityError> {
    let format = match file_type {
        None => None,
        Some(name) => Some(Format::from_name(name).ok_or_else(|| {
            DataQualityError::configuration(
                "file_type",
                format!("unknown file type {name:?}; use csv, tsv, parquet, json, ndjson or ipc"),
            )
        })?),
    };
    let data = open(source, &ReadOptions { format, ..ReadOptions::default() })?;
    data.batches.collect()
}

fn open_file(uri: &str, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    let (path, format) = resolve_file(uri, options.format)?;
    let (source_schema, schema, batches) =
        readers::open_reader(&path, format, options.columns.as_deref(), batch_size(options))?;
    Ok(BatchSource { format, source_schema, schema, batches })
}

/// The rows per batch `options` ask for.
fn batch_size(options: &ReadOptions) -> usize {
    if options.batch_size == 0 { DEFAULT_BATCH_SIZE } else { options.batch_size }
}

/// The local path of the file source `uri` and its format (`declared`, or the extension's,
/// checked against the content).
fn resolve_file(uri: &str, declared: Option<Format>) -> Result<(PathBuf, Format), DataQualityError> {
    let path = local_path(uri)?;
    let name = path.display().to_string();
    let data_error = |what: &str, e: std::io::Error| DataQualityError::load_data(uri, format!("{name}: {what}: {e}"));
    let metadata = std::fs::metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DataQualityError::load_data(uri, format!("{name}: no such file")),
        _ => data_error("cannot open", e),
    })?;
    if metadata.is_dir() {
        return Err(DataQualityError::load_data(uri, format!("{name}: is a directory, not a data file")));
    }
    if metadata.len() == 0 {
        return Err(DataQualityError::load_data(uri, format!("{name}: the file is empty")));
    }
    let mut head = vec![0u8; 4096];
    let mut file = std::fs::File::open(&path).map_err(|e| data_error("cannot open", e))?;
    let read = read_up_to(&mut file, &mut head).map_err(|e| data_error("cannot read", e))?;
    head.truncate(read);
    let declared = declared.or_else(|| format::format_from_extension(&name));
    let format = detect_declared_format(&name, declared, &head).map_err(|e| DataQualityError::load_data(uri, e))?;
    Ok((path, format))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit_code;

    fn shape(batches: &[RecordBatch]) -> (usize, Vec<String>) {
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        let columns =
            batches.first().map_or(vec![], |b| b.schema().fields().iter().map(|f| f.name().clone()).collect());
        (rows, columns)
    }

    #[test]
    fn inline_json_is_records_or_columns() {
        let records = load_data(r#"[{"id": 1, "name": "a"}, {"id": 2, "name": null}]"#, None).unwrap();
        assert_eq!(shape(&records), (2, vec!["id".into(), "name".into()]));
        let columns = load_data(r#" {"id": [1, 2, 3], "name": ["a", "b", "c"]}"#, None).unwrap();
        assert_eq!(shape(&columns), (3, vec!["id".into(), "name".into()]));
        let ragged = load_data(r#"{"id": [1, 2], "name": ["a"]}"#, None).unwrap_err();
        assert!(ragged.message.contains("column \"name\" is shorter"), "{ragged}");
        let broken = load_data(r#"[{"id": 1}"#, None).unwrap_err();
        assert!(broken.message.starts_with("cannot parse inline data [{\"id\": 1}:"), "{broken}");
        assert_eq!(broken.exit_code(), exit_code::SCRIPT);
    }

    #[test]
    fn files_load_by_extension_content_or_file_type() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        std::fs::write(path("a.tsv"), "id\tname, with comma\n1\tx\n2\ty\n").unwrap();
        assert_eq!(shape(&load_data(&path("a.tsv"), None).unwrap()), (2, vec!["id".into(), "name, with comma".into()]));
        std::fs::write(path("records.txt"), "{\"id\": 1}\n{\"id\": 2}\n").unwrap();
        assert_eq!(shape(&load_data(&path("records.txt"), None).unwrap()), (2, vec!["id".into()]));
        std::fs::write(path("export.dat"), "id\tv\n1\t2\n").unwrap();
        assert_eq!(shape(&load_data(&path("export.dat"), Some("tsv")).unwrap()).1, ["id", "v"]);
        let unknown = load_data(&path("export.dat"), Some("xlsx")).unwrap_err();
        assert_eq!(unknown.exit_code(), exit_code::CONFIGURATION);
        let uri = format!("file://{}", path("a.tsv"));
        assert_eq!(shape(&load_data(&uri, None).unwrap()).0, 2);
    }

    #[test]
    fn unreadable_sources_are_script_errors_naming_them() {
        for (source, expected) in [
            ("missing.csv", "missing.csv: no such file"),
            ("some_data", "some_data: no such file"),
            ("{{ outputs.extract.uri }}", "unrendered"),
            ("secret://TOKEN", "secrets are not data"),
            ("s3://bucket/x.parquet", "'s3://' sources are not supported"),
        ] {
            let error = load_data(source, None).unwrap_err();
            assert!(error.message.contains(expected), "{source}: {error}");
            assert_eq!(error.exit_code(), exit_code::SCRIPT, "{source}");
            assert_eq!(error.to_dict()["script_name"], "load_data");
        }
    }
}
