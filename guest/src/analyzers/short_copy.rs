//! Appending short byte strings (keys of values) with fixed-size copies. In WebAssembly a copy
//! of a length known only at run time is `memory.copy`, which wasmtime runs as a call out of the
//! compiled code; for a key of a few dozen bytes that call costs more than the copy. Two
//! overlapping copies of 8 or 16 bytes, whose sizes the compiler knows, stay inline.

/// Appends `bytes` to `buffer`.
#[inline]
pub fn extend_short(buffer: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len();
    if !(8..=32).contains(&len) {
        buffer.extend_from_slice(bytes);
        return;
    }
    let start = buffer.len();
    buffer.extend_from_slice(&[0u8; 32]);
    buffer.truncate(start + len);
    let out = &mut buffer[start..];
    if len >= 16 {
        copy_fixed::<16>(out, bytes, 0);
        copy_fixed::<16>(out, bytes, len - 16);
    } else {
        copy_fixed::<8>(out, bytes, 0);
        copy_fixed::<8>(out, bytes, len - 8);
    }
}

/// Copies the `N` bytes of `from` at `at` to `to` at `at`.
#[inline]
fn copy_fixed<const N: usize>(to: &mut [u8], from: &[u8], at: usize) {
    let source: [u8; N] = from[at..at + N].try_into().expect("N bytes");
    let target: &mut [u8; N] = (&mut to[at..at + N]).try_into().expect("N bytes");
    *target = source;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_every_length_exactly() {
        for len in 0..80 {
            let bytes: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37).wrapping_add(1)).collect();
            let mut buffer = b"prefix".to_vec();
            extend_short(&mut buffer, &bytes);
            assert_eq!(&buffer[..6], b"prefix");
            assert_eq!(&buffer[6..], &bytes[..], "{len}");
        }
    }
}
