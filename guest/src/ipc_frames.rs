//! A pre-flight check of Arrow IPC streams from untrusted hosts. arrow-ipc 60 panics (a trap in
//! the component) instead of failing when a record batch declares a buffer outside its message
//! body, and arrow-data when an offsets or values buffer's length is not a multiple of its
//! element width (both found by the `arrow_ipc` fuzz target); this walks the stream's messages
//! first and refuses such streams with a data error.

use arrow_ipc::{MessageHeader, RecordBatch as BatchHeader, root_as_message};
use arrow_schema::{DataType, Schema};

/// The marker before each message's metadata length (streams without it are the legacy format).
const CONTINUATION: u32 = 0xFFFF_FFFF;

/// Checks that every message of `stream` is a valid flatbuffer whose body fits in the stream and
/// whose buffers fit in its body. A stream cut short is left to the decoder, which reports it.
pub fn check_frames(stream: &[u8]) -> Result<(), String> {
    let mut rest = stream;
    let mut index = 0;
    // The element width of each buffer of a record batch, once the schema message was read.
    let mut widths: Option<Vec<BufferWidth>> = None;
    while let Some(mut length) = read_u32(rest) {
        rest = &rest[4..];
        if length == CONTINUATION {
            let Some(actual) = read_u32(rest) else { return Ok(()) };
            (length, rest) = (actual, &rest[4..]);
        }
        if length == 0 {
            return Ok(());
        }
        let Some(metadata) = rest.get(..length as usize) else { return Ok(()) };
        let message = root_as_message(metadata).map_err(|e| format!("message {index} is not valid: {e}"))?;
        let body_length = usize::try_from(message.bodyLength())
            .map_err(|_| format!("message {index} declares a negative body length"))?;
        if let Some(schema) = message.header_as_schema() {
            widths = arrow_ipc::convert::try_fb_to_schema(schema).ok().and_then(|schema| buffer_widths(&schema));
        }
        let (header, batch_widths) = match message.header_type() {
            MessageHeader::RecordBatch => (message.header_as_record_batch(), widths.as_deref()),
            MessageHeader::DictionaryBatch => (message.header_as_dictionary_batch().and_then(|d| d.data()), None),
            _ => (None, None),
        };
        if let Some(header) = header {
            check_buffers(header, body_length).map_err(|problem| format!("message {index}: {problem}"))?;
            if let Some(batch_widths) = batch_widths.filter(|_| header.compression().is_none()) {
                check_widths(header, batch_widths).map_err(|problem| format!("message {index}: {problem}"))?;
            }
        }
        rest = &rest[length as usize..];
        let Some(after_body) = rest.get(body_length..) else { return Ok(()) };
        rest = after_body;
        index += 1;
    }
    Ok(())
}

/// Every buffer of a batch lies inside its body of `body_length` bytes.
fn check_buffers(header: BatchHeader<'_>, body_length: usize) -> Result<(), String> {
    for (number, buffer) in header.buffers().into_iter().flatten().enumerate() {
        let end = u64::try_from(buffer.offset())
            .ok()
            .zip(u64::try_from(buffer.length()).ok())
            .and_then(|(o, l)| o.checked_add(l));
        if end.is_none_or(|end| end > body_length as u64) {
            return Err(format!(
                "buffer {number} (offset {}, length {}) lies outside the message body of {body_length} bytes",
                buffer.offset(),
                buffer.length()
            ));
        }
    }
    Ok(())
}

/// A buffer of a record batch: the width its length must be a multiple of, and its column.
#[derive(Debug, Clone)]
struct BufferWidth {
    width: usize,
    column: String,
}

/// The buffers a record batch of `schema` lists, in order (as arrow-ipc reads them), with their
/// element widths; `None` when a column's type has a layout not walked here (views, unions, run
/// ends), and then only the bounds of its buffers are checked.
fn buffer_widths(schema: &Schema) -> Option<Vec<BufferWidth>> {
    let mut widths = Vec::new();
    for field in schema.fields() {
        let mut column = Vec::new();
        type_widths(field.data_type(), &mut column)?;
        widths.extend(column.into_iter().map(|width| BufferWidth { width, column: field.name().clone() }));
    }
    Some(widths)
}

/// Appends the widths of the buffers of one array of `data_type` (validity bitmaps and byte
/// data: 1, any length).
fn type_widths(data_type: &DataType, widths: &mut Vec<usize>) -> Option<()> {
    match data_type {
        DataType::Null => {}
        DataType::Boolean | DataType::FixedSizeBinary(_) => widths.extend([1, 1]),
        DataType::Utf8 | DataType::Binary => widths.extend([1, 4, 1]),
        DataType::LargeUtf8 | DataType::LargeBinary => widths.extend([1, 8, 1]),
        DataType::List(item) | DataType::Map(item, _) => {
            widths.extend([1, 4]);
            type_widths(item.data_type(), widths)?;
        }
        DataType::LargeList(item) => {
            widths.extend([1, 8]);
            type_widths(item.data_type(), widths)?;
        }
        DataType::FixedSizeList(item, _) => {
            widths.push(1);
            type_widths(item.data_type(), widths)?;
        }
        DataType::Struct(fields) => {
            widths.push(1);
            for field in fields {
                type_widths(field.data_type(), widths)?;
            }
        }
        DataType::Dictionary(key, _) => widths.extend([1, key.primitive_width()?]),
        other => widths.extend([1, other.primitive_width()?]),
    }
    Some(())
}

/// Every buffer's length is a multiple of its element width (when the batch lists the buffers
/// the schema implies; other counts are left to the decoder, which refuses them).
fn check_widths(header: BatchHeader<'_>, widths: &[BufferWidth]) -> Result<(), String> {
    let Some(buffers) = header.buffers().filter(|buffers| buffers.len() == widths.len()) else { return Ok(()) };
    for (number, (buffer, expected)) in buffers.iter().zip(widths).enumerate() {
        if expected.width > 1 && buffer.length() % expected.width as i64 != 0 {
            return Err(format!(
                "buffer {number} of column '{}' holds {} bytes, not a whole number of {}-byte values",
                expected.column.escape_debug(),
                buffer.length(),
                expected.width
            ));
        }
    }
    Ok(())
}

fn read_u32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::check_frames;
    use arrow_array::{ArrayRef, Int64Array, RecordBatch};
    use std::sync::Arc;

    fn stream() -> Vec<u8> {
        let batch = RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef)]).unwrap();
        let mut bytes = Vec::new();
        let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &batch.schema()).unwrap();
        writer.write(&batch).unwrap();
        writer.finish().unwrap();
        drop(writer);
        bytes
    }

    #[test]
    fn valid_and_truncated_streams_pass() {
        let bytes = stream();
        assert_eq!(check_frames(&bytes), Ok(()));
        for cut in [0, 3, 9, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(check_frames(&bytes[..cut]), Ok(()), "cut at {cut}");
        }
    }

    #[test]
    fn a_buffer_outside_its_body_is_refused() {
        let mut bytes = stream();
        // The batch's data buffer records (offset, length) as little-endian i64 pairs; find the
        // 24-byte values buffer of three Int64s and move it far past the body.
        let length = 24i64.to_le_bytes();
        let at = bytes.windows(8).position(|w| w == length).expect("the values buffer's length");
        bytes[at - 8..at].copy_from_slice(&i64::MAX.to_le_bytes()[..]);
        let problem = check_frames(&bytes).unwrap_err();
        assert!(problem.contains("lies outside the message body"), "{problem}");
    }

    /// Feeds a stream the fuzzer found: a data error whose message says `expected`, not a panic.
    fn assert_refused(found: &[u8], expected: &str) {
        let mut checker = crate::Checker::new("- {type: row_count, min: 1}", Default::default()).unwrap();
        let error = checker.feed_ipc(found.to_vec()).unwrap_err();
        assert_eq!(error.kind, crate::model::ErrorKind::Data);
        assert!(error.message.contains(expected), "{}", error.message);
    }

    #[test]
    fn an_offsets_buffer_of_a_partial_offset_is_refused() {
        let found = include_bytes!("../../fuzz/regressions/arrow_ipc-offsets-length.arrows");
        assert_refused(found, "not a whole number of");
    }

    #[test]
    fn the_stream_the_fuzzer_found_is_a_data_error_not_a_panic() {
        let found = include_bytes!("../../fuzz/regressions/arrow_ipc-buffer-outside-body.arrows");
        assert_refused(found, "lies outside the message body");
    }
}
