//! Which reader a file needs: by extension first, by content (magic bytes) otherwise, and a
//! file whose content contradicts its extension is an error rather than a wrong parse.

use std::fmt;

/// Data formats the host reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Parquet,
    /// A JSON array of records.
    Json,
    /// One JSON record per line.
    Ndjson,
    /// Arrow IPC file format (Feather v2).
    ArrowFile,
    /// Arrow IPC stream format.
    ArrowStream,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Csv => "CSV",
            Format::Tsv => "TSV",
            Format::Parquet => "Parquet",
            Format::Json => "JSON",
            Format::Ndjson => "NDJSON",
            Format::ArrowFile => "Arrow IPC file",
            Format::ArrowStream => "Arrow IPC stream",
        })
    }
}

const PARQUET_MAGIC: &[u8] = b"PAR1";
const ARROW_FILE_MAGIC: &[u8] = b"ARROW1";
const ARROW_STREAM_CONTINUATION: &[u8] = &[0xFF, 0xFF, 0xFF, 0xFF];

impl Format {
    /// The format a file type names (`csv`, `tsv`, `parquet`, `pq`, `json`, `ndjson`, `jsonl`,
    /// `ipc`, `arrow`, `feather`, `arrows`), as the reference's `file_type` argument.
    pub fn from_name(name: &str) -> Option<Format> {
        format_from_extension(&format!(".{}", name.trim_start_matches('.')))
    }

    fn is_binary(self) -> bool {
        matches!(self, Format::Parquet | Format::ArrowFile | Format::ArrowStream)
    }

    fn is_arrow(self) -> bool {
        matches!(self, Format::ArrowFile | Format::ArrowStream)
    }

    fn is_json(self) -> bool {
        matches!(self, Format::Json | Format::Ndjson)
    }
}

/// Compressed containers, by magic bytes: read as text they would parse as garbage.
const COMPRESSED_MAGIC: [(&[u8], &str); 5] = [
    (&[0x1F, 0x8B], "gzip"),
    (&[0x28, 0xB5, 0x2F, 0xFD], "zstd"),
    (b"BZh", "bzip2"),
    (&[0xFD, b'7', b'z', b'X', b'Z', 0x00], "xz"),
    (b"PK\x03\x04", "zip"),
];

/// The format named by a file extension, if any.
pub fn format_from_extension(path: &str) -> Option<Format> {
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "csv" => Format::Csv,
        "tsv" | "tab" => Format::Tsv,
        "parquet" | "pq" => Format::Parquet,
        "json" => Format::Json,
        "jsonl" | "ndjson" => Format::Ndjson,
        "arrow" | "feather" | "ipc" => Format::ArrowFile,
        "arrows" => Format::ArrowStream,
        _ => return None,
    })
}

/// The format the first bytes of a file show.
pub fn format_from_content(head: &[u8]) -> Format {
    if head.starts_with(PARQUET_MAGIC) {
        return Format::Parquet;
    }
    if head.starts_with(ARROW_FILE_MAGIC) {
        return Format::ArrowFile;
    }
    if head.starts_with(ARROW_STREAM_CONTINUATION) {
        return Format::ArrowStream;
    }
    let text = head.strip_prefix("\u{feff}".as_bytes()).unwrap_or(head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Format::Json,
        Some(b'{') => Format::Ndjson,
        _ => {
            let first_line = text.split(|&b| b == b'\n').next().unwrap_or_default();
            let tabs = first_line.iter().filter(|&&b| b == b'\t').count();
            let commas = first_line.iter().filter(|&&b| b == b',').count();
            if tabs > commas { Format::Tsv } else { Format::Csv }
        }
    }
}

/// Decides the format of `path` from its extension and first bytes (from the bytes alone when
/// the extension names no format).
pub fn detect_format(path: &str, head: &[u8]) -> Result<Format, String> {
    detect_declared_format(path, format_from_extension(path), head)
}

/// Decides the format of `name` from a declared format (an extension or a `file_type`) and its
/// first bytes. Binary formats must carry their magic bytes, so a truncated or mislabelled file
/// is reported, not misread; the content decides between Arrow's file and stream formats and
/// between a JSON array and NDJSON, which share extensions in the wild; compressed data is
/// reported, not parsed as text.
pub fn detect_declared_format(name: &str, declared: Option<Format>, head: &[u8]) -> Result<Format, String> {
    if let Some((_, compression)) = COMPRESSED_MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Err(format!("{name} holds {compression}-compressed data; decompress it first"));
    }
    let by_content = format_from_content(head);
    let Some(declared) = declared else { return Ok(by_content) };
    let kind = if declared.is_arrow() { "an Arrow IPC".to_string() } else { format!("a {declared}") };
    if (declared.is_arrow() && by_content.is_arrow()) || (declared.is_json() && by_content.is_json()) {
        return Ok(by_content);
    }
    if declared.is_binary() && by_content != declared {
        return Err(format!("{name} is named like {kind} file but does not start like one"));
    }
    if !declared.is_binary() && by_content.is_binary() {
        return Err(format!("{name} is named like {kind} file but holds {by_content} data"));
    }
    Ok(declared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_then_content() {
        assert_eq!(detect_format("a.csv", b"id,name\n1,x"), Ok(Format::Csv));
        assert_eq!(detect_format("a.tsv", b"id\tname"), Ok(Format::Tsv));
        assert_eq!(detect_format("data", b"PAR1...."), Ok(Format::Parquet));
        assert_eq!(detect_format("data", b"ARROW1\0\0"), Ok(Format::ArrowFile));
        assert_eq!(detect_format("data", b"\xff\xff\xff\xff\x10"), Ok(Format::ArrowStream));
        assert_eq!(detect_format("data", b"  [{\"a\":1}]"), Ok(Format::Json));
        assert_eq!(detect_format("data", b"{\"a\":1}\n{\"a\":2}"), Ok(Format::Ndjson));
        assert_eq!(detect_format("data.txt", b"a\tb\tc\n1\t2\t3"), Ok(Format::Tsv));
        assert_eq!(detect_format("data.txt", b"a,b\n1,2"), Ok(Format::Csv));
    }

    #[test]
    fn contradictions_are_errors() {
        assert!(detect_format("a.parquet", b"id,name").unwrap_err().contains("does not start like one"));
        assert!(detect_format("a.csv", b"PAR1xxxx").unwrap_err().contains("holds Parquet data"));
        assert!(detect_format("a.arrow", b"id,name").unwrap_err().contains("like an Arrow IPC file"));
    }

    #[test]
    fn the_content_decides_between_formats_that_share_extensions() {
        assert_eq!(detect_format("a.arrow", b"\xff\xff\xff\xff\x10"), Ok(Format::ArrowStream));
        assert_eq!(detect_format("a.ipc", b"ARROW1\0\0"), Ok(Format::ArrowFile));
        assert_eq!(detect_format("a.json", b"{\"a\":1}\n{\"a\":2}"), Ok(Format::Ndjson));
        assert_eq!(detect_format("a.jsonl", b"[{\"a\":1}]"), Ok(Format::Json));
        assert_eq!(detect_format("a.tsv", b"id,name"), Ok(Format::Tsv), "a declared TSV is read with tabs");
    }

    #[test]
    fn compressed_data_is_named_not_misread() {
        assert_eq!(
            detect_format("a.csv.gz", b"\x1f\x8b\x08\0"),
            Err("a.csv.gz holds gzip-compressed data; decompress it first".into())
        );
        assert!(detect_format("data", b"\x28\xb5\x2f\xfd..").unwrap_err().contains("zstd-compressed"));
        assert!(detect_format("a.csv", b"PK\x03\x04..").unwrap_err().contains("zip-compressed"));
    }

    #[test]
    fn file_types_name_formats() {
        assert_eq!(Format::from_name("tsv"), Some(Format::Tsv));
        assert_eq!(Format::from_name("PQ"), Some(Format::Parquet));
        assert_eq!(Format::from_name(".jsonl"), Some(Format::Ndjson));
        assert_eq!(Format::from_name("xlsx"), None);
        assert_eq!(detect_declared_format("inline", Some(Format::Csv), b"a\tb"), Ok(Format::Csv));
    }
}
