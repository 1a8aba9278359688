//! Low-cardinality string columns of Parquet read as Arrow dictionaries. A column chunk whose
//! pages are all dictionary-encoded holds its distinct strings once and a small key per row;
//! decoded as plain strings, every row's string would be copied out of the dictionary, sent to
//! the engine and tested there. Read as a dictionary, the engine's row rules test each distinct
//! value once per batch and map the keys (see `UnexpectedRows`), and far fewer bytes cross into
//! the sandbox. The values are the same; only their encoding differs, so the engine takes a
//! dictionary of strings where the data's schema declares strings.

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::basic::Encoding;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData};
use std::sync::Arc;

/// `schema` with the string columns among `columns` (indices in `schema`) that every row group
/// of the file stores wholly dictionary-encoded with a small dictionary typed as dictionaries of
/// strings; `None` when there is none. Every batch of `batch_rows` rows carries its row group's
/// whole dictionary and the engine tests each of its values, so a dictionary is small when its
/// page holds at most half a byte per row of a batch (32 KiB for the default 64 Ki rows): then
/// the dictionary costs a small part of what the rows' strings would. The whole file decides,
/// so every reader of a part of it (`--parallel` ranges of row groups) reads the same types.
pub fn dictionary_schema(
    schema: &Schema,
    metadata: &ParquetMetaData,
    columns: &[usize],
    batch_rows: usize,
) -> Option<SchemaRef> {
    let max_dictionary_bytes = i64::try_from(batch_rows / 2).unwrap_or(i64::MAX);
    let leaves = metadata.file_metadata().schema_descr().columns();
    let encoded: Vec<usize> = columns
        .iter()
        .copied()
        .filter(|&index| {
            let field = schema.field(index);
            let Some(leaf) = leaves.iter().position(|leaf| leaf.path().parts() == std::slice::from_ref(field.name()))
            else {
                return false;
            };
            matches!(field.data_type(), DataType::Utf8 | DataType::LargeUtf8)
                && metadata.num_row_groups() > 0
                && metadata.row_groups().iter().all(|group| dictionary_only(group.column(leaf), max_dictionary_bytes))
        })
        .collect();
    if encoded.is_empty() {
        return None;
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(index, field)| match encoded.contains(&index) {
            true => {
                let dictionary = DataType::Dictionary(Box::new(DataType::Int32), Box::new(field.data_type().clone()));
                field.as_ref().clone().with_data_type(dictionary)
            }
            false => field.as_ref().clone(),
        })
        .collect();
    Some(Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())))
}

/// Whether every data page of the chunk is dictionary-encoded (the page encoding statistics say
/// so; without them nothing is assumed) and its dictionary page has at most `max_bytes` bytes.
fn dictionary_only(chunk: &ColumnChunkMetaData, max_bytes: i64) -> bool {
    let Some(dictionary_offset) = chunk.dictionary_page_offset() else { return false };
    let dictionary_bytes = chunk.data_page_offset() - dictionary_offset;
    let only_dictionary_pages = chunk
        .page_encoding_stats_mask()
        .is_some_and(|mask| mask.is_only(Encoding::RLE_DICTIONARY) || mask.is_only(Encoding::PLAIN_DICTIONARY));
    only_dictionary_pages && (0..=max_bytes).contains(&dictionary_bytes)
}
