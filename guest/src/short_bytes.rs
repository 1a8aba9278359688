//! Copying and comparing short byte strings (keys of values, listed values) with fixed-size
//! loads. In WebAssembly a copy of a length known only at run time is `memory.copy`, which
//! wasmtime runs as a call out of the compiled code, and a comparison is a call to a byte-by-byte
//! `memcmp`; for a few dozen bytes either call costs more than the work. Two overlapping loads of
//! 4, 8 or 16 bytes, whose sizes the compiler knows, stay inline.

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

/// Whether `a` and `b` hold the same bytes.
#[inline]
pub fn equal_short(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        16..=32 => same_fixed::<16>(a, b, 0) && same_fixed::<16>(a, b, len - 16),
        8..=15 => same_fixed::<8>(a, b, 0) && same_fixed::<8>(a, b, len - 8),
        4..=7 => same_fixed::<4>(a, b, 0) && same_fixed::<4>(a, b, len - 4),
        _ => a == b,
    }
}

/// Whether the `N` bytes of `a` and `b` at `at` are equal.
#[inline]
fn same_fixed<const N: usize>(a: &[u8], b: &[u8], at: usize) -> bool {
    let a: [u8; N] = a[at..at + N].try_into().expect("N bytes");
    let b: [u8; N] = b[at..at + N].try_into().expect("N bytes");
    a == b
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

    #[test]
    fn compares_every_length_and_position_exactly() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37).wrapping_add(1)).collect();
            assert!(equal_short(&bytes, &bytes.clone()), "{len}");
            if len > 0 {
                assert!(!equal_short(&bytes, &bytes[..len - 1]), "{len}");
            }
            for at in 0..len {
                let mut other = bytes.clone();
                other[at] ^= 0x20;
                assert!(!equal_short(&bytes, &other), "{len} {at}");
            }
        }
    }
}
