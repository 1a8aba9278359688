//! Named-format rules: one rule type per format (`email`, `uuid`, ...) and the generic `format`
//! rule naming the format in a parameter. Values must match as a whole.

use super::text::{TextTest, text_rule};
use super::{ParamDoc, Rule, RuleDoc, RuleType, Shape};
use crate::document::RuleSpec;
use crate::formats::Format;
use serde_json::json;

const FORMAT: &[&str] = &["format"];

/// Matching semantics shared by every format rule.
macro_rules! whole_value {
    () => {
        "The whole value must match: surrounding whitespace or a match inside a longer text fails. Only \
         ASCII values match. Applies to string columns; see [Named formats](#named-formats) for each \
         format's exact definition and equivalent regex."
    };
}

/// The rule type of one named format: `$name` must be the format's `Format::name`.
macro_rules! format_rule {
    ($name:literal, $what:literal, $column:literal) => {
        RuleType {
            name: $name,
            aliases: &[],
            build: build_named,
            doc: RuleDoc {
                summary: concat!("Every non-null string is ", $what, " (the `", $name, "` format)."),
                shape: Shape::ColumnRows,
                params: &[],
                nulls: "ignored.",
                details: whole_value!(),
                example: concat!("- {type: ", $name, ", column: ", $column, "}"),
            },
        }
    };
}

pub(super) const RULES: &[RuleType] = &[
    RuleType {
        name: "format",
        aliases: &[],
        build: build_format,
        doc: RuleDoc {
            summary: "Every non-null string is in the named format.",
            shape: Shape::ColumnRows,
            params: &[ParamDoc {
                names: FORMAT,
                meaning: "`email`, `uuid`, `url`, `ipv4`, `ipv6`, `iso_date`, `iso_timestamp`, `phone`, \
                          `integer_text` or `decimal_text`",
                default: None,
            }],
            nulls: "ignored.",
            details: concat!("The same test as the rule named after the format. ", whole_value!()),
            example: "- {type: format, column: contact, format: email}",
        },
    },
    format_rule!("email", "an email address", "contact"),
    format_rule!("uuid", "a UUID", "request_id"),
    format_rule!("url", "a URL", "homepage"),
    format_rule!("ipv4", "an IPv4 address", "client_ip"),
    format_rule!("ipv6", "an IPv6 address", "client_ip"),
    format_rule!("iso_date", "an existing ISO 8601 date", "birth_date"),
    format_rule!("iso_timestamp", "an ISO 8601 timestamp", "created_at"),
    format_rule!("phone", "phone-like", "phone"),
    format_rule!("integer_text", "an integer written as text", "zip_code"),
    format_rule!("decimal_text", "a decimal number written as text", "price"),
];

fn build_format(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let name = spec.params.require_string(FORMAT)?;
    let column = spec.required_column()?;
    let format = Format::from_name(&name).ok_or_else(|| {
        let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format '{name}' (expected one of: {})", known.join(", "))
    })?;
    Ok(format_rule("format", column, json!({ "format": format.name() }), format))
}

/// The rule registered under a format's name.
fn build_named(spec: &mut RuleSpec) -> Result<Box<dyn Rule>, String> {
    let column = spec.required_column()?;
    let format = Format::from_name(&spec.rule_type)
        .ok_or_else(|| format!("'{}' is registered as a format rule but names no format", spec.rule_type))?;
    Ok(format_rule(format.name(), column, json!({}), format))
}

fn format_rule(
    rule_type: &'static str,
    column: String,
    parameters: serde_json::Value,
    format: Format,
) -> Box<dyn Rule> {
    let expectation = format!("be in the {} format", format.name());
    text_rule(rule_type, column, parameters, TextTest::Format(format), expectation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_its_rule_and_every_named_rule_is_a_format() {
        for format in Format::ALL {
            assert!(RULES.iter().any(|rule| rule.name == format.name()), "no rule for {}", format.name());
        }
        for rule in RULES.iter().filter(|rule| rule.name != "format") {
            assert!(Format::from_name(rule.name).is_some(), "{} is no format", rule.name);
        }
        assert_eq!(RULES.len(), Format::ALL.len() + 1);
    }
}
