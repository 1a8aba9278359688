//! Data sources: where the data is (a local path, a `file://` URI, a remote object behind
//! `s3://`, `gs://`, `az://` or `http(s)://`, a glob or directory of such files, or inline JSON)
//! and how to stream it as Arrow record batches, reading only the columns the rules need where
//! the format allows.

mod compression;
mod dataset;
mod detect;
mod dictionaries;
mod format;
mod parquet_object;
mod ranges;
mod readers;
mod remote;
mod stand_ins;

pub use detect::{DataSourceType, ParsedUri, detect_data_source_type, parse_uri};
pub use format::{Format, detect_declared_format, detect_format};
pub use ranges::{RowRange, split_rows};

use crate::error::DataQualityError;
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use std::io::Read;
use std::path::{Path, PathBuf};

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
    /// Columns the caller reads only for their nulls: a Parquet reader does not decode those
    /// whose statistics prove them null-free and puts all-valid stand-ins in their place.
    pub valid_columns: Vec<String>,
    /// The directory (path or URI prefix) a single file's Hive-style partition directories start
    /// below: their `name=value` columns are added, as a read of a glob over the root would add
    /// them. Checks of one partition of a fan-out use it.
    pub hive_root: Option<String>,
    /// Read small dictionary-encoded string columns of a single Parquet file as Arrow
    /// dictionaries (see `dictionaries`). Data sets ignore it: their files would decide apart.
    pub dictionaries: bool,
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

/// Opens `uri` and streams it as record batches: a file, a remote object, a glob or directory
/// (many files, one data set), or inline JSON data. Unrendered Kestra expressions and secrets are
/// explained, not read.
pub fn open(uri: &str, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    match locate(uri)? {
        Some(Located::DataSet(files)) => files.open(options),
        Some(Located::File(path)) => open_path(uri, &path, options),
        Some(Located::Object(location)) => open_remote(uri, location, options),
        None if detect_data_source_type(uri) == DataSourceType::Inline => {
            let (source_schema, schema, batches) =
                readers::open_inline_json(uri, options.columns.as_deref(), batch_size(options))?;
            Ok(BatchSource { format: Format::Json, source_schema, schema, batches })
        }
        None => Err(not_data(uri)),
    }
}

/// The error for a URI that is a Kestra expression or a secret rather than data.
fn not_data(uri: &str) -> DataQualityError {
    let why = match detect_data_source_type(uri) {
        DataSourceType::Secret => "secrets are not data; render them with {{ secret('NAME') }} in the task's `env:`",
        _ => {
            "a Kestra expression reached the command unrendered; pass it through the task's `env:` or \
             `inputFiles:` so Kestra renders it"
        }
    };
    DataQualityError::load_data(uri, format!("{uri}: {why}"))
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

/// Opens the local file at `path` (named by `uri`).
fn open_path(uri: &str, path: &Path, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    match &options.hive_root {
        None => open_local(path, &path.display().to_string(), options),
        Some(root) => {
            let open = move |file: &str, options: &ReadOptions| open_local(Path::new(file), file, options);
            open_below_root(uri, root, options, open)
        }
    }
}

/// Opens the one file `uri` with `open`, adding the Hive-style partition columns of its path
/// below `root` (none when `uri` is not below `root`: an error naming both).
fn open_below_root(
    uri: &str,
    root: &str,
    options: &ReadOptions,
    open: impl Fn(&str, &ReadOptions) -> Result<BatchSource, DataQualityError> + Send + 'static,
) -> Result<BatchSource, DataQualityError> {
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let Some(relative) = uri.strip_prefix(&prefix) else {
        let why = format!("the file {uri} is not below the Hive root {root}");
        return Err(DataQualityError::configuration("hive_root", why));
    };
    let member = dataset::Member { uri: uri.to_string(), partitions: dataset::partitions(relative) };
    let shared = options.clone();
    let open_member = move |file: &str, columns: Option<&[String]>| {
        open(file, &ReadOptions { columns: columns.map(<[String]>::to_vec), hive_root: None, ..shared.clone() })
    };
    dataset::concatenate(vec![member], options.columns.as_deref(), open_member)
}

/// Opens the remote object `uri` at `location`.
fn open_remote(uri: &str, location: remote::Location, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    match &options.hive_root {
        None => open_object(&location, &location.key, options),
        Some(root) => {
            let key = location.key.clone();
            let open = move |_: &str, options: &ReadOptions| open_object(&location, &key, options);
            open_below_root(uri, root, options, open)
        }
    }
}

/// Whole files of a data set (a glob or directory, local or remote), in data-set order, read as
/// one data set with the Hive-style partition columns of their paths below the listing base.
#[derive(Debug, Clone)]
pub struct Members {
    location: remote::Location,
    /// Where listing started (empty or ending in `/`): partition directories are below it.
    base: String,
    keys: Vec<String>,
    /// Bytes per file, to balance parts of the data set.
    sizes: Vec<u64>,
    /// Whether the files are local (read as files, not through the object store).
    local: bool,
}

impl PartialEq for Members {
    fn eq(&self, other: &Members) -> bool {
        (&self.location.root, &self.base, &self.keys) == (&other.location.root, &other.base, &other.keys)
    }
}

impl Eq for Members {}

impl Members {
    /// The data files `location`'s key names (a glob, or a directory-like prefix), sorted; none
    /// is an error naming `uri`.
    fn list(uri: &str, location: remote::Location, local: bool) -> Result<Members, DataQualityError> {
        let pattern = location.key.as_str();
        let (base, matcher) = if dataset::is_glob(pattern) {
            (dataset::listing_base(pattern).to_string(), Some(dataset::glob_regex(pattern)))
        } else if pattern.is_empty() || pattern.ends_with('/') {
            (pattern.to_string(), None)
        } else {
            (format!("{pattern}/"), None)
        };
        let mut files: Vec<(String, u64)> = remote::list(&location, base.trim_end_matches('/'))?
            .into_iter()
            .map(|meta| (meta.location.to_string(), meta.size))
            .filter(|(key, _)| dataset::is_data_key(key) && matcher.as_ref().is_none_or(|m| m.is_match(key)))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(DataQualityError::load_data(uri, format!("{uri}: no data files match")));
        }
        let (keys, sizes) = files.into_iter().unzip();
        Ok(Members { location, base, keys, sizes, local })
    }

    /// The URIs of the files, as users know them.
    fn uris(&self) -> Vec<String> {
        self.keys.iter().map(|key| self.location.display(key)).collect()
    }

    /// The root the files' partition directories start below, as a URI or path.
    fn root(&self) -> String {
        self.location.display(self.base.trim_end_matches('/'))
    }

    /// The files `range` of these.
    fn slice(&self, range: std::ops::Range<usize>) -> Members {
        Members {
            keys: self.keys[range.clone()].to_vec(),
            sizes: self.sizes[range].to_vec(),
            location: self.location.clone(),
            base: self.base.clone(),
            local: self.local,
        }
    }

    fn member(&self, index: usize) -> dataset::Member {
        let key = &self.keys[index];
        let relative = key.strip_prefix(self.base.as_str()).unwrap_or(key);
        dataset::Member { uri: self.location.display(key), partitions: dataset::partitions(relative) }
    }

    /// Opens one file with `options`.
    fn open_file(&self, uri: &str, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
        if self.local {
            return open_local(Path::new(uri), uri, options);
        }
        open_object(&self.location, uri.strip_prefix(self.location.root.as_str()).unwrap_or(uri), options)
    }

    /// Streams the files as one data set, read with `options`.
    pub fn open(&self, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
        let members = (0..self.keys.len()).map(|index| self.member(index)).collect();
        let (files, shared) = (self.clone(), options.clone());
        let open = move |uri: &str, columns: Option<&[String]>| {
            let columns = columns.map(<[String]>::to_vec);
            files.open_file(uri, &ReadOptions { columns, dictionaries: false, ..shared.clone() })
        };
        dataset::concatenate(members, options.columns.as_deref(), open)
    }

    /// The files cut into at most `parts` contiguous groups of about equal bytes, when they are
    /// Parquet or Arrow IPC files (whose schemas read cheaply) that agree with the first file as a
    /// whole read would require; `None` otherwise (fewer than two files, other formats).
    fn split(&self, options: &ReadOptions, parts: usize) -> Result<Option<Vec<Members>>, DataQualityError> {
        let indexed = self.keys.iter().all(|key| {
            let format = options.format.or_else(|| format::format_from_extension(key));
            matches!(format, Some(Format::Parquet | Format::ArrowFile))
        });
        let groups = ranges::contiguous_parts(&self.sizes, parts);
        if !indexed || groups.len() < 2 {
            return Ok(None);
        }
        let schema_of = |index: usize| {
            let member = self.member(index);
            self.open_file(&member.uri, &ReadOptions { columns: None, hive_root: None, ..options.clone() })
                .map(|opened| (member, opened.source_schema))
        };
        let (first, first_schema) = schema_of(0)?;
        let first_partitions: Vec<String> = first.partitions.into_iter().map(|(name, _)| name).collect();
        for group in &groups[1..] {
            let (member, schema) = schema_of(group.start)?;
            dataset::agrees_with_first(&member, &schema, &first_partitions, &first_schema)?;
        }
        Ok(Some(groups.into_iter().map(|group| self.slice(group)).collect()))
    }
}

/// What a local path or remote URI names.
enum Located {
    /// The files of a data set: a glob, a directory or a prefix.
    DataSet(Members),
    /// One local file.
    File(PathBuf),
    /// One remote object.
    Object(remote::Location),
}

/// What `uri` names; `None` for inline data, Kestra expressions and secrets.
fn locate(uri: &str) -> Result<Option<Located>, DataQualityError> {
    let located = match detect_data_source_type(uri) {
        DataSourceType::File => {
            let path = local_path(uri)?;
            if !dataset::is_glob(&path.display().to_string()) && !path.is_dir() {
                return Ok(Some(Located::File(path)));
            }
            Located::DataSet(Members::list(uri, remote::local_location(&path)?, true)?)
        }
        DataSourceType::Uri => {
            let location = remote::remote_location(uri)?;
            if !dataset::is_glob(&location.key) && !location.key.is_empty() && !location.key.ends_with('/') {
                return Ok(Some(Located::Object(location)));
            }
            Located::DataSet(Members::list(uri, location, false)?)
        }
        DataSourceType::Inline | DataSourceType::Output | DataSourceType::Secret => return Ok(None),
    };
    Ok(Some(located))
}

/// The data files `uri` names, in the order `open` reads them: the sorted members of a glob or
/// directory (local or remote, shown as absolute paths or full URIs), or `uri` itself when it
/// names one file or object, which must exist. With a glob or directory, also the root its
/// members' Hive-style partition directories start below (their columns in a read of `uri`).
/// Fan-out flows list their partitions with this.
pub fn list_data_files(uri: &str) -> Result<(Vec<String>, Option<String>), DataQualityError> {
    match locate(uri)? {
        Some(Located::DataSet(files)) => return Ok((files.uris(), Some(files.root()))),
        Some(Located::File(path)) => {
            inspect_local(&path, &path.display().to_string(), None)?;
        }
        Some(Located::Object(location)) => {
            remote::head(&location, &location.key)?;
        }
        None if detect_data_source_type(uri) == DataSourceType::Inline => {
            let why = "inline data is one data set, not files to list";
            return Err(DataQualityError::load_data(uri, format!("{uri}: {why}")));
        }
        None => return Err(not_data(uri)),
    }
    Ok((vec![uri.trim().to_string()], None))
}

/// Opens one remote object: Parquet through ranged reads of only the footer and the needed
/// column chunks; other formats spooled to a temporary file and read like a local file.
fn open_object(location: &remote::Location, key: &str, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    let uri = location.display(key);
    let declared = options.format.or_else(|| format::format_from_extension(key));
    if declared == Some(Format::Parquet) {
        let meta = remote::head(location, key)?;
        let (source_schema, schema, batches) = readers::open_object_parquet(location, meta, &uri, options)?;
        return Ok(BatchSource { format: Format::Parquet, source_schema, schema, batches });
    }
    let spooled = remote::download(location, key)?;
    let data = open_local(spooled.path(), &uri, options)?;
    Ok(keep_alive(data, spooled))
}

/// `data` with `file` kept until its last batch is read (a temporary file it reads from).
fn keep_alive(data: BatchSource, file: tempfile::NamedTempFile) -> BatchSource {
    let batches = data.batches;
    BatchSource {
        batches: Box::new(batches.inspect(move |_| {
            let _ = &file;
        })),
        ..data
    }
}

/// Opens the local file at `path`, shown as `name` (its URI, for spooled remote objects);
/// gzip and zstd data is decompressed first, the name without its compression extension
/// declaring the format.
fn open_local(path: &Path, name: &str, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
    match inspect_local(path, name, options.format)? {
        LocalData::Compressed(kind) => {
            let plain = compression::decompress(path, name, kind)?;
            let data = open_local(plain.path(), name, options)?;
            Ok(keep_alive(data, plain))
        }
        LocalData::Plain(format) => {
            let (source_schema, schema, batches) = readers::open_reader(path, name, format, options)?;
            Ok(BatchSource { format, source_schema, schema, batches })
        }
    }
}

/// What a local data file holds, from its first bytes.
enum LocalData {
    /// Compressed data, to decompress before reading.
    Compressed(compression::Compression),
    /// Data of this format (`declared`, or the extension's, checked against the content).
    Plain(Format),
}

/// Reads the first bytes of the local file `path` and says what it holds; a missing, unreadable
/// or empty file is the error naming it.
fn inspect_local(path: &Path, name: &str, declared: Option<Format>) -> Result<LocalData, DataQualityError> {
    let data_error = |what: &str, e: std::io::Error| DataQualityError::load_data(name, format!("{name}: {what}: {e}"));
    let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DataQualityError::load_data(name, format!("{name}: no such file")),
        _ => data_error("cannot open", e),
    })?;
    if metadata.len() == 0 {
        return Err(DataQualityError::load_data(name, format!("{name}: the file is empty")));
    }
    let mut head = vec![0u8; 4096];
    let mut file = std::fs::File::open(path).map_err(|e| data_error("cannot open", e))?;
    let read = read_up_to(&mut file, &mut head).map_err(|e| data_error("cannot read", e))?;
    head.truncate(read);
    if let Some(kind) = compression::Compression::from_head(&head) {
        return Ok(LocalData::Compressed(kind));
    }
    let declared = declared.or_else(|| format::format_from_extension(compression::strip_extension(name)));
    let format = detect_declared_format(name, declared, &head).map_err(|e| DataQualityError::load_data(name, e))?;
    Ok(LocalData::Plain(format))
}

/// The format of the local file at `path` when it is plain (uncompressed), for reading it in row
/// ranges; `None` for compressed files.
fn plain_format(path: &Path, declared: Option<Format>) -> Result<Option<Format>, DataQualityError> {
    Ok(match inspect_local(path, &path.display().to_string(), declared)? {
        LocalData::Plain(format) => Some(format),
        LocalData::Compressed(_) => None,
    })
}

/// The rows per batch `options` ask for.
pub(super) fn batch_size(options: &ReadOptions) -> usize {
    if options.batch_size == 0 { DEFAULT_BATCH_SIZE } else { options.batch_size }
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
        ] {
            let error = load_data(source, None).unwrap_err();
            assert!(error.message.contains(expected), "{source}: {error}");
            assert_eq!(error.exit_code(), exit_code::SCRIPT, "{source}");
            assert_eq!(error.to_dict()["script_name"], "load_data");
        }
    }

    #[test]
    fn globs_and_directories_are_one_data_set_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (country, rows) in [("FR", "id,v\n3,c\n"), ("DE", "id,v\n1,a\n2,b\n")] {
            std::fs::create_dir_all(root.join(format!("events/country={country}"))).unwrap();
            std::fs::write(root.join(format!("events/country={country}/part-0.csv")), rows).unwrap();
        }
        std::fs::write(root.join("events/_SUCCESS"), "").unwrap();
        let batches = load_data(&root.join("events").display().to_string(), None).unwrap();
        assert_eq!(shape(&batches), (3, vec!["id".into(), "v".into(), "country".into()]));
        let countries: Vec<String> = batches
            .iter()
            .flat_map(|b| {
                let column = b.column_by_name("country").unwrap().as_any().downcast_ref::<arrow_array::StringArray>();
                column.unwrap().iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(countries, ["DE", "DE", "FR"], "sorted by key, partition values per file");
        let glob = root.join("events/*/part-*.csv").display().to_string();
        assert_eq!(shape(&load_data(&glob, None).unwrap()).0, 3);
        std::fs::write(root.join("events/country=FR/part-1.csv"), "id,w\n4,d\n").unwrap();
        let mismatch = load_data(&glob, None).unwrap_err();
        assert!(
            mismatch.message.contains("country=FR/part-1.csv: its columns (id: Int64, w: Utf8) differ"),
            "{mismatch}"
        );
        let none = load_data(&root.join("events/*.parquet").display().to_string(), None).unwrap_err();
        assert!(none.message.ends_with("no data files match"), "{none}");
    }

    #[test]
    fn gzip_and_zstd_text_is_decompressed() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let text = "id,name\n1,a\n2,b\n3,c\n";
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(text.as_bytes()).unwrap();
        let gz = dir.path().join("a.csv.gz");
        std::fs::write(&gz, gzip.finish().unwrap()).unwrap();
        assert_eq!(shape(&load_data(&gz.display().to_string(), None).unwrap()), (3, vec!["id".into(), "name".into()]));
        let zst = dir.path().join("a.ndjson.zst");
        std::fs::write(&zst, zstd::encode_all("{\"id\": 1}\n{\"id\": 2}\n".as_bytes(), 3).unwrap()).unwrap();
        assert_eq!(shape(&load_data(&zst.display().to_string(), None).unwrap()), (2, vec!["id".into()]));
    }
}
