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

/// Decides the format of `path` from its extension and first bytes. Binary formats must carry
/// their magic bytes, so a truncated or mislabelled file is reported, not misread.
pub fn detect_format(path: &str, head: &[u8]) -> Result<Format, String> {
    let by_content = format_from_content(head);
    let Some(by_extension) = format_from_extension(path) else { return Ok(by_content) };
    let binary = |f: Format| matches!(f, Format::Parquet | Format::ArrowFile | Format::ArrowStream);
    if binary(by_extension) && by_content != by_extension {
        return Err(format!("{path} is named like a {by_extension} file but does not start like one"));
    }
    if !binary(by_extension) && binary(by_content) {
        return Err(format!("{path} is named like a {by_extension} file but holds {by_content} data"));
    }
    Ok(by_extension)
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
    }
}
