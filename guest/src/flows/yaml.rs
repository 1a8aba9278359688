//! A small deterministic YAML emitter: block style, keys in the order given, strings quoted
//! whenever a YAML 1.1 or 1.2 reader could take them for anything but the same string.

use std::fmt::Write;

/// A YAML value with ordered mappings.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Str(String),
    /// A string always double-quoted (cron expressions).
    Quoted(String),
    /// Multi-line text, emitted as a literal block scalar when it can be.
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Str(s.into())
    }

    /// Converts a parsed YAML value (mapping keys in their original order).
    pub fn from_value(value: &serde_yaml_ng::Value) -> Node {
        use serde_yaml_ng::Value;
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Node::Int(i),
                None => Node::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Node::Str(s.clone()),
            Value::Sequence(items) => Node::Seq(items.iter().map(Node::from_value).collect()),
            Value::Mapping(map) => Node::Map(map.iter().map(|(k, v)| (scalar_key(k), Node::from_value(v))).collect()),
            Value::Tagged(tagged) => Node::from_value(&tagged.value),
        }
    }
}

fn scalar_key(key: &serde_yaml_ng::Value) -> String {
    match key {
        serde_yaml_ng::Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default().trim_end().to_string(),
    }
}

/// Renders a mapping as a YAML document.
pub fn to_yaml(root: &[(String, Node)]) -> String {
    let mut out = String::new();
    map_entries(root, 0, &mut out);
    out
}

/// Whether `s` may be written without quotes and read back as the same string.
fn plain_ok(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", ".nan", "inf", ".inf", "-.inf",
        "+.inf",
    ];
    if s.is_empty() || WORDS.contains(&s.to_ascii_lowercase().as_str()) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false; // digits (numbers, dates, times), indicators, quotes, spaces
    }
    if s.ends_with(' ') || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '.' | '/' | ' ' | ':' | '+' | '=' | '$' | '"' | '\'' | '(' | ')')
    })
}

/// A double-quoted scalar: JSON string escapes are valid YAML escapes.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(s: &str) -> String {
    if plain_ok(s) { s.to_string() } else { quoted(s) }
}

fn key(k: &str) -> String {
    scalar(k)
}

/// Whether a literal block scalar can carry `s` exactly.
fn block_ok(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with('\n')
        && !s.chars().any(|c| {
            (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        })
        && !s.lines().any(|l| l.ends_with(' ') || l.ends_with('\t'))
}

fn float(f: f64) -> String {
    if f.is_finite() {
        let s = format!("{f}");
        if s.contains('.') || s.contains('e') { s } else { format!("{s}.0") }
    } else if f.is_nan() {
        ".nan".into()
    } else if f > 0.0 {
        ".inf".into()
    } else {
        "-.inf".into()
    }
}

/// The inline form of a scalar or empty collection, `None` for what needs block lines.
fn inline(node: &Node) -> Option<String> {
    Some(match node {
        Node::Str(s) => scalar(s),
        Node::Quoted(s) => quoted(s),
        Node::Text(s) if block_ok(s) => return None,
        Node::Text(s) => scalar(s),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => float(*f),
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".into(),
        Node::Seq(items) if items.is_empty() => "[]".into(),
        Node::Map(entries) if entries.is_empty() => "{}".into(),
        _ => return None,
    })
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Writes a literal block scalar header and its lines at `indent`.
fn block(s: &str, indent: usize, out: &mut String) {
    let chomp = if !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    let indicator = if s.starts_with(' ') { "2" } else { "" };
    let _ = writeln!(out, "|{indicator}{chomp}");
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn map_entries(entries: &[(String, Node)], indent: usize, out: &mut String) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        entry(k, v, indent, out);
    }
}

/// One `key: value` whose first line is already indented.
fn entry(k: &str, v: &Node, indent: usize, out: &mut String) {
    out.push_str(&key(k));
    out.push(':');
    if let Some(text) = inline(v) {
        out.push(' ');
        out.push_str(&text);
        out.push('\n');
        return;
    }
    match v {
        Node::Text(s) => {
            out.push(' ');
            block(s, indent + 2, out);
        }
        Node::Map(entries) => {
            out.push('\n');
            pad(out, indent + 2);
            map_entries(entries, indent + 2, out);
        }
        Node::Seq(items) => {
            out.push('\n');
            seq_items(items, indent + 2, out);
        }
        _ => unreachable!("scalars are inline"),
    }
}

fn seq_items(items: &[Node], indent: usize, out: &mut String) {
    for item in items {
        pad(out, indent);
        out.push('-');
        if let Some(text) = inline(item) {
            out.push(' ');
            out.push_str(&text);
            out.push('\n');
            continue;
        }
        match item {
            Node::Text(s) => {
                out.push(' ');
                block(s, indent + 2, out);
            }
            Node::Map(entries) => {
                out.push(' ');
                map_entries(entries, indent + 2, out);
            }
            Node::Seq(inner) => {
                out.push('\n');
                seq_items(inner, indent + 2, out);
            }
            _ => unreachable!("scalars are inline"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(node: Node) -> serde_yaml_ng::Value {
        let text = to_yaml(&[("k".into(), node)]);
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        value["k"].clone()
    }

    #[test]
    fn ambiguous_strings_are_quoted_and_read_back_the_same() {
        for s in [
            "yes",
            "No",
            "on",
            "null",
            "~",
            "",
            "0 9 * * *",
            "*/5 * * * *",
            "@daily",
            "123",
            "1.5",
            "0x1F",
            "2024-01-01",
            "12:30",
            "a: b",
            "a #b",
            "- x",
            "{{ inputs.data_uri }}",
            "'q'",
            "\"d\"",
            "é",
            "tab\there",
            " lead",
            "trail ",
            "x\u{2028}y",
            "%x",
            "!tag",
            "&a",
            "|",
            ">",
            "?",
            "`",
            ",",
            "[a]",
            "NaN",
            ".inf",
            "key=value",
            "a:b",
        ] {
            assert_eq!(round_trip(Node::str(s)), serde_yaml_ng::Value::String(s.into()), "{s:?}");
        }
    }

    #[test]
    fn block_scalars_keep_text_exactly() {
        for s in ["a\nb\n", "a\nb", "a\n\n", "  indented\nnext\n", "- x: 1\n  y: \"q\"\n", "with ' and \" and \\\n"] {
            let text = to_yaml(&[("k".into(), Node::Text(s.into()))]);
            let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
            assert_eq!(value["k"], serde_yaml_ng::Value::String(s.into()), "{s:?} as {text}");
            let nested = Node::Seq(vec![Node::Text(s.into()), Node::Map(vec![("m".into(), Node::Text(s.into()))])]);
            let text = to_yaml(&[("k".into(), nested)]);
            let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            assert_eq!(value["k"][0], serde_yaml_ng::Value::String(s.into()), "{s:?} as {text}");
            assert_eq!(value["k"][1]["m"], serde_yaml_ng::Value::String(s.into()), "{s:?} as {text}");
        }
    }

    #[test]
    fn nested_collections_render_in_block_style() {
        let node = Node::Seq(vec![
            Node::Map(vec![
                ("id".into(), Node::str("a")),
                ("list".into(), Node::Seq(vec![Node::Int(1), Node::Map(vec![("x".into(), Node::Float(2.0))])])),
            ]),
            Node::Seq(vec![Node::Bool(true)]),
            Node::Map(vec![]),
        ]);
        let value = round_trip(node);
        let expected: serde_yaml_ng::Value =
            serde_yaml_ng::from_str("[{id: a, list: [1, {x: 2.0}]}, [true], {}]").unwrap();
        assert_eq!(value, expected);
    }
}
