//! Reference documentation of every rule type, kept in the registry entries themselves and
//! rendered into `docs/rules.md` (a test fails when that file is out of date).

use super::rule_types;
use crate::formats::Format;
use std::fmt::Write;

/// What users need to know about a rule type.
pub struct RuleDoc {
    /// When the rule passes, in one sentence.
    pub summary: &'static str,
    /// What the rule reads, and whether `mostly` applies.
    pub shape: Shape,
    /// The rule's own parameters (not `column`, `severity`, `mostly`, `name`).
    pub params: &'static [ParamDoc],
    /// How missing values (nulls) count.
    pub nulls: &'static str,
    /// Further semantics: types, matching and anchoring, edge cases. Empty when there are none.
    pub details: &'static str,
    /// A rule document (a YAML list) using the rule; a test builds it.
    pub example: &'static str,
}

/// What a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The values of `column`, row by row: `mostly` applies.
    ColumnRows,
    /// One fact about `column` (its type, its presence, a ratio): no `mostly`.
    Column,
    /// The values of columns named in parameters, row by row: no `column`, `mostly` applies.
    Rows,
    /// The whole table or its schema: no `column`, no `mostly`.
    Table,
}

impl Shape {
    /// Whether the rule requires `column` (the others refuse it).
    pub fn takes_column(self) -> bool {
        matches!(self, Shape::ColumnRows | Shape::Column)
    }

    /// Whether `mostly` applies (the others refuse it).
    pub fn takes_mostly(self) -> bool {
        matches!(self, Shape::ColumnRows | Shape::Rows)
    }

    fn describe(self) -> &'static str {
        match self {
            Shape::ColumnRows => "the values of `column`, row by row (`mostly` applies)",
            Shape::Column => "`column` as a whole (no `mostly`)",
            Shape::Rows => "the columns named in its parameters, row by row (no `column`; `mostly` applies)",
            Shape::Table => "the whole table (no `column`, no `mostly`)",
        }
    }
}

/// One parameter of a rule.
pub struct ParamDoc {
    /// The parameter's name, then its aliases.
    pub names: &'static [&'static str],
    /// What it means and what it accepts.
    pub meaning: &'static str,
    /// The value when it is left out; `None` when it is required.
    pub default: Option<&'static str>,
}

/// `docs/rules.md`: the shared keys, an index, one section per rule type, and the named formats.
pub fn reference_markdown() -> String {
    let mut out = String::from(HEADER);
    out.push_str("\n## Rule types\n\n| type | reads | passes when |\n|---|---|---|\n");
    for rule in rule_types() {
        let reads = match rule.doc.shape {
            Shape::ColumnRows => "column, row by row",
            Shape::Column => "column",
            Shape::Rows => "columns, row by row",
            Shape::Table => "table",
        };
        let _ = writeln!(out, "| [`{0}`](#{0}) | {reads} | {1} |", rule.name, table_cell(rule.doc.summary));
    }
    for rule in rule_types() {
        let doc = &rule.doc;
        let _ = write!(out, "\n## `{}`\n\n{}\n\n", rule.name, doc.summary);
        let _ = writeln!(out, "- **Reads:** {}", doc.shape.describe());
        if !rule.aliases.is_empty() {
            let _ = writeln!(out, "- **Aliases:** {}", code_list(rule.aliases));
        }
        let _ = writeln!(out, "- **Nulls:** {}", doc.nulls);
        if doc.params.is_empty() {
            out.push_str("- **Parameters:** none\n");
        } else {
            out.push_str("\n| parameter | aliases | default | meaning |\n|---|---|---|---|\n");
            for param in doc.params {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    param.names[0],
                    code_list(&param.names[1..]),
                    param.default.map(table_cell).unwrap_or_else(|| "required".into()),
                    table_cell(param.meaning)
                );
            }
        }
        if !doc.details.is_empty() {
            let _ = write!(out, "\n{}\n", doc.details);
        }
        let _ = write!(out, "\n```yaml\n{}\n```\n", doc.example.trim_end());
    }
    out.push_str(FORMATS_HEADER);
    for format in Format::ALL {
        let _ = write!(out, "\n### `{}`\n\n{}.\n\n```\n{}\n```\n", format.name(), format.description(), format.regex());
    }
    out
}

const HEADER: &str = "# Rule reference

<!-- Generated from the rule registry (guest/src/rules): edit the entries there, then run
     UPDATE_RULE_DOCS=1 cargo test -p truthound-guest --release --test rule_docs -->

A rule document is YAML or JSON: a list of rules, or a mapping with a `rules:` list and optional
`name`, `description` and `defaults` (`severity`, `mostly`). Every rule takes these keys besides
its own parameters; unknown parameters are errors, not silently ignored settings.

| key | meaning |
|---|---|
| `type` (alias `check`) | the rule type: one of the names below or their aliases |
| `column` | the column the rule reads, for rules about one column |
| `severity` | `critical`, `error` (default), `warning` or `info`; only failing `critical` and `error` rules fail the check |
| `mostly` | for row-by-row rules: the share of evaluated rows that must pass, from 0 to 1 (default 1) |
| `name` | the name reported for the rule (default `type(column)`) |
| `description` | free text, ignored |

Row-by-row rules report the rows they evaluated, the unexpected ones among them and the first
unexpected values with their 0-based row numbers; a rule that evaluated no row passes.
";

const FORMATS_HEADER: &str = "
## Named formats

The format rules (`email`, `uuid`, ... and `format`) match the whole value against one of these
formats. Each has an equivalent anchored regular expression (Rust `regex` syntax), shown for
reference; the engine uses faster hand-written validators that accept exactly the same values.
";

/// `` `a`, `b` `` (or an empty string).
fn code_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}

/// Pipes would end a Markdown table cell.
fn table_cell(text: &str) -> String {
    text.replace('|', "\\|")
}
