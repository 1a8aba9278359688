//! Compressed text data (`.gz`, `.zst`): recognised by its magic bytes and decompressed as a
//! stream into a temporary file, which the format readers then read like any other file.

use crate::error::DataQualityError;
use std::io::Read;
use std::path::Path;

/// Compressions the host decompresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
}

impl Compression {
    /// The compression the first bytes of a file show, if it is one the host reads.
    pub fn from_head(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x1F, 0x8B]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }
}

/// `name` without a compression extension (`data.csv.gz` -> `data.csv`), so that the rest of
/// the name can declare the format.
pub fn strip_extension(name: &str) -> &str {
    [".gz", ".gzip", ".zst", ".zstd"]
        .iter()
        .find_map(|extension| {
            let cut = name.len().checked_sub(extension.len())?;
            name.get(cut..).filter(|tail| tail.eq_ignore_ascii_case(extension)).map(|_| &name[..cut])
        })
        .unwrap_or(name)
}

/// Decompresses the file at `path` (shown as `name`) into a temporary file; corrupt or
/// truncated data is an error naming `name`.
pub fn decompress(
    path: &Path,
    name: &str,
    compression: Compression,
) -> Result<tempfile::NamedTempFile, DataQualityError> {
    let fail = |e: std::io::Error| DataQualityError::load_data(name, format!("{name}: cannot decompress: {e}"));
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut decoder: Box<dyn Read> = match compression {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(file).map_err(fail)?),
    };
    let mut output = tempfile::NamedTempFile::new().map_err(fail)?;
    std::io::copy(&mut decoder, &mut output).map_err(fail)?;
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_extensions_are_stripped() {
        assert_eq!(strip_extension("a/data.csv.gz"), "a/data.csv");
        assert_eq!(strip_extension("data.NDJSON.ZST"), "data.NDJSON");
        assert_eq!(strip_extension("data.csv"), "data.csv");
        assert_eq!(strip_extension("gz"), "gz");
    }

    #[test]
    fn truncated_gzip_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut encoder, "id\n1\n2\n".repeat(1000).as_bytes()).unwrap();
        let bytes = encoder.finish().unwrap();
        assert_eq!(Compression::from_head(&bytes), Some(Compression::Gzip));
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let error = decompress(&path, "a.csv.gz", Compression::Gzip).unwrap_err();
        assert!(error.message.starts_with("a.csv.gz: cannot decompress"), "{error}");
    }
}
