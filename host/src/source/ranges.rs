//! Splitting data into contiguous parts that workers read on their own, each with its own
//! reader: a Parquet file by row groups, an Arrow IPC file by record batches, a data set of such
//! files (a glob or directory) by whole files. These say where their units start without
//! reading the rows, so every part is exact and in data-set order.
//!
//! Text formats are not split. A byte range of a CSV file cut at a newline is a record boundary
//! only when no quoted field spans lines, which cannot be known without scanning the file from
//! its start; and every row types the columns (types are inferred over the whole file), so a
//! worker reading one part would type it differently. JSON arrays are parsed whole and Arrow
//! streams carry no index. These are read by one reader.

use super::readers::{self, Opened};
use super::{BatchSource, Format, Located, Members, ReadOptions, locate, plain_format};
use crate::error::DataQualityError;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::ops::Range;
use std::path::PathBuf;

/// A contiguous part of the data, in data-set order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowRange {
    /// Row groups of a Parquet file or record batches of an Arrow IPC file.
    Units { path: PathBuf, format: Format, units: Range<usize> },
    /// Whole files of a data set.
    Files(Members),
}

impl RowRange {
    /// Opens a reader of this range's rows, projected like a whole read with `options`.
    pub fn open(&self, options: &ReadOptions) -> Result<BatchSource, DataQualityError> {
        let (path, format, units) = match self {
            RowRange::Units { path, format, units } => (path, *format, units),
            RowRange::Files(files) => return files.open(options),
        };
        let (source_schema, schema, batches): Opened = match format {
            Format::Parquet => readers::open_parquet(path, options, Some(units.clone().collect()))?,
            _ => readers::open_arrow_file(path, options.columns.as_deref(), Some(units.clone()))?,
        };
        Ok(BatchSource { format, source_schema, schema, batches })
    }
}

/// Splits the data at `uri` into at most `parts` contiguous ranges of about equal rows (bytes
/// for the files of a data set), in order. `None` when it cannot be split (not a local Parquet or
/// Arrow IPC file, nor a glob or directory of such files; fewer than two row groups, batches or
/// files; Hive partition columns to add to one file): read it whole. Data that cannot be opened
/// is the same error a whole read gives.
pub fn split_rows(uri: &str, options: &ReadOptions, parts: usize) -> Result<Option<Vec<RowRange>>, DataQualityError> {
    if parts < 2 || options.hive_root.is_some() {
        return Ok(None);
    }
    let path = match locate(uri)? {
        Some(Located::DataSet(files)) => {
            return Ok(files.split(options, parts)?.map(|groups| groups.into_iter().map(RowRange::Files).collect()));
        }
        Some(Located::File(path)) => path,
        Some(Located::Object(_)) | None => return Ok(None),
    };
    let Some(format) = plain_format(&path, options.format)? else {
        return Ok(None);
    };
    let unit_rows: Vec<u64> = match format {
        Format::Parquet => parquet_row_group_rows(&path)?,
        // Batch sizes are not known without reading the batches; writers make them even.
        Format::ArrowFile => vec![1; readers::arrow_file_batches(&path)?],
        _ => return Ok(None),
    };
    let ranges = contiguous_parts(&unit_rows, parts);
    if ranges.len() < 2 {
        return Ok(None);
    }
    Ok(Some(ranges.into_iter().map(|units| RowRange::Units { path: path.clone(), format, units }).collect()))
}

/// The rows of each row group of the Parquet file at `path`.
fn parquet_row_group_rows(path: &std::path::Path) -> Result<Vec<u64>, DataQualityError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| DataQualityError::load_data(&name, format!("{name}: {e}")))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| DataQualityError::load_data(&name, format!("{name}: not a readable Parquet file: {e}")))?;
    Ok(builder.metadata().row_groups().iter().map(|group| group.num_rows().max(0) as u64).collect())
}

/// Cuts units of `rows` each into at most `parts` non-empty contiguous ranges whose rows are as
/// even as whole units allow: a range ends at the first unit that reaches its share.
pub(super) fn contiguous_parts(rows: &[u64], parts: usize) -> Vec<Range<usize>> {
    let total: u64 = rows.iter().sum();
    let mut ranges = Vec::new();
    let (mut start, mut seen) = (0, 0u64);
    for (index, &unit) in rows.iter().enumerate() {
        seen += unit;
        let share = total * (ranges.len() as u64 + 1) / parts as u64;
        if seen >= share && ranges.len() + 1 < parts {
            ranges.push(start..index + 1);
            start = index + 1;
        }
    }
    if start < rows.len() {
        ranges.push(start..rows.len());
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_contiguous_even_and_cover_every_unit() {
        assert_eq!(contiguous_parts(&[10; 10], 2), vec![0..5, 5..10]);
        assert_eq!(contiguous_parts(&[10; 7], 3), vec![0..3, 3..5, 5..7]);
        assert_eq!(contiguous_parts(&[100, 1, 1, 1], 2), vec![0..1, 1..4]);
        assert_eq!(contiguous_parts(&[5; 3], 4), vec![0..1, 1..2, 2..3]);
        assert_eq!(contiguous_parts(&[5], 2), vec![0..1]);
        assert_eq!(contiguous_parts(&[], 2), Vec::<Range<usize>>::new());
    }
}
