//! Whether a text is one JSON document, as Python's `json.loads` reads it (the semantics of Great
//! Expectations' `expect_column_values_to_be_json_parseable`): RFC 8259 plus the literals `NaN`,
//! `Infinity` and `-Infinity` and lone UTF-16 surrogate escapes, surrounding whitespace allowed,
//! control characters inside strings refused. Nothing is built: the text is only scanned, with
//! an explicit stack so that deep nesting cannot overflow the call stack.

/// A reusable validator (its nesting stack is kept between values).
#[derive(Debug, Default)]
pub struct JsonSyntax {
    /// Open containers, innermost last: `true` for an object, `false` for an array.
    open: Vec<bool>,
}

impl JsonSyntax {
    /// Whether the whole of `text` is one JSON document.
    pub fn is_document(&mut self, text: &str) -> bool {
        self.open.clear();
        let b = text.as_bytes();
        let mut pos = 0;
        loop {
            // A value starts here.
            pos = skip_space(b, pos);
            pos = match b.get(pos) {
                Some(b'{') => {
                    let inside = skip_space(b, pos + 1);
                    if b.get(inside) == Some(&b'}') {
                        inside + 1
                    } else {
                        self.open.push(true);
                        match member_key(b, inside) {
                            Some(value_start) => {
                                pos = value_start;
                                continue;
                            }
                            None => return false,
                        }
                    }
                }
                Some(b'[') => {
                    let inside = skip_space(b, pos + 1);
                    if b.get(inside) == Some(&b']') {
                        inside + 1
                    } else {
                        self.open.push(false);
                        pos = inside;
                        continue;
                    }
                }
                Some(b'"') => match string_end(b, pos) {
                    Some(end) => end,
                    None => return false,
                },
                Some(_) => match scalar_end(b, pos) {
                    Some(end) => end,
                    None => return false,
                },
                None => return false,
            };
            // A value ended: close containers until another value must follow.
            loop {
                pos = skip_space(b, pos);
                let Some(&in_object) = self.open.last() else { return pos == b.len() };
                match (b.get(pos), in_object) {
                    (Some(b','), false) => {
                        pos += 1;
                        break;
                    }
                    (Some(b','), true) => match member_key(b, skip_space(b, pos + 1)) {
                        Some(value_start) => {
                            pos = value_start;
                            break;
                        }
                        None => return false,
                    },
                    (Some(b']'), false) | (Some(b'}'), true) => {
                        self.open.pop();
                        pos += 1;
                    }
                    _ => return false,
                }
            }
        }
    }
}

fn skip_space(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// `"key" :` at `pos`; returns where the member's value may start.
fn member_key(b: &[u8], pos: usize) -> Option<usize> {
    if b.get(pos) != Some(&b'"') {
        return None;
    }
    let after = skip_space(b, string_end(b, pos)?);
    (b.get(after) == Some(&b':')).then_some(after + 1)
}

/// The end of the string starting with the quote at `pos`.
fn string_end(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                i += match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                    b'u' if b.get(i + 2..i + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                    _ => return None,
                }
            }
            0..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// The end of the number or literal at `pos`.
fn scalar_end(b: &[u8], pos: usize) -> Option<usize> {
    let rest = &b[pos..];
    for literal in [&b"true"[..], b"false", b"null", b"NaN", b"Infinity", b"-Infinity"] {
        if rest.starts_with(literal) {
            return Some(pos + literal.len());
        }
    }
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = pos + usize::from(rest.first() == Some(&b'-'));
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i += digits(i),
        _ => return None,
    }
    // A fraction or exponent without digits is not part of the number (Python reads `1.` as
    // the number 1 followed by extra data, which then fails the document).
    if b.get(i) == Some(&b'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        if digits(i + 1 + sign) > 0 {
            i += 1 + sign + digits(i + 1 + sign);
        }
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::JsonSyntax;

    /// Confirmed with Great Expectations 1.24.1 (`expect_column_values_to_be_json_parseable`,
    /// pandas, Python 3.11): these parse...
    const PARSEABLE: &[&str] = &[
        r#"{"a": 1}"#,
        "[1, 2, 3]",
        r#""text""#,
        "3.5",
        "true",
        "null",
        "NaN",
        "-Infinity",
        "Infinity",
        r#" {"a":1} "#,
        "-0",
        "1e5",
        "1E+5",
        r#""\ud800""#,
        r#"{"a":1, "a":2}"#,
        "[[[[[]]]]]",
        "\n[1]\n",
        "\"é\"",
        r#""\u00e9""#,
    ];

    /// ...and these do not.
    const NOT_PARSEABLE: &[&str] = &[
        "",
        " ",
        r#"{"a":1}{}"#,
        "{'a': 1}",
        r#"{"a": 1,}"#,
        "[1,]",
        "01",
        "1.",
        ".5",
        "\"a\tb\"",
        r#""\x41""#,
        "tru",
        "nan",
        r#"{"a" 1}"#,
        "\u{a0}[1]",
        "-",
        "1e",
        "[1 2]",
        "{1: 2}",
    ];

    #[test]
    fn documents_parse_as_python_json_loads_reads_them() {
        let mut json = JsonSyntax::default();
        for text in PARSEABLE {
            assert!(json.is_document(text), "{text:?} should parse");
        }
        for text in NOT_PARSEABLE {
            assert!(!json.is_document(text), "{text:?} should not parse");
        }
    }

    #[test]
    fn nesting_and_mixed_containers() {
        let mut json = JsonSyntax::default();
        assert!(json.is_document(r#"{"a": [1, {"b": [true, null, "x"]}, []], "c": {}}"#));
        assert!(!json.is_document(r#"{"a": [1, 2}"#), "mismatched close");
        assert!(!json.is_document(r#"[1, 2]]"#));
        assert!(!json.is_document(r#"{"a": }"#));
        assert!(!json.is_document(r#"{"a"}"#));
        assert!(!json.is_document(r#"{,}"#));
        assert!(!json.is_document(r#""\u12""#), "short unicode escape");
        assert!(!json.is_document(r#""unterminated"#));
        assert!(json.is_document("-1.5e-3"));
        assert!(!json.is_document("+1"));
        assert!(!json.is_document("Infinityx"));
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert!(json.is_document(&deep), "deep nesting needs no call stack");
        assert!(!json.is_document(&deep[1..]));
    }
}
