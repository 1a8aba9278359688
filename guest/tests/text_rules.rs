//! String rules through the engine: prefixes and suffixes, JSON documents, named formats and
//! strftime formats, with hand-labelled values.

mod support;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Int64Array};
use std::sync::Arc;
use support::{batch, check, check_error, only, sample_rows, strings};
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, ErrorKind, Status};

/// Values labelled `true` when they are expected, and the column they make (nulls added).
fn labelled(cases: &[(&'static str, bool)]) -> (ArrayRef, u64, Vec<u64>) {
    let mut values: Vec<Option<&str>> = Vec::new();
    let mut unexpected_rows = Vec::new();
    for (value, expected) in cases {
        if !expected {
            unexpected_rows.push(values.len() as u64);
        }
        values.push(Some(value));
        if values.len() % 4 == 3 {
            values.push(None);
        }
    }
    let evaluated = cases.len() as u64;
    (strings(&values), evaluated, unexpected_rows)
}

/// Checks `rule` (a rule on column `v`) against labelled values: counts, sample rows, nulls.
fn assert_labelled(rule: &str, cases: &[(&'static str, bool)]) {
    let (column, evaluated, unexpected_rows) = labelled(cases);
    let nulls = column.null_count() as u64;
    let result = check(rule, &[batch(vec![("v", column)])]);
    let rule_result = only(&result);
    assert_eq!(rule_result.evaluated_count, evaluated, "{rule}");
    assert_eq!(rule_result.null_count, nulls, "{rule}");
    assert_eq!(rule_result.unexpected_count, unexpected_rows.len() as u64, "{rule}");
    assert_eq!(sample_rows(rule_result), unexpected_rows, "{rule}");
    let status = if unexpected_rows.is_empty() { Status::Passed } else { Status::Failed };
    assert_eq!(rule_result.status, status, "{rule}");
}

#[test]
fn prefixes_and_suffixes_are_literal_and_case_sensitive() {
    let starts = [("DE89370400440532013000", true), ("de89", false), ("XDE", false), ("DE", true), (" DE1", false)];
    assert_labelled("- {type: starts_with, column: v, prefix: DE}", &starts);
    let ends =
        [("a.csv", true), ("a.CSV", false), (".csv", true), ("a.csv ", false), ("acsv", false), ("a.csv.gz", false)];
    assert_labelled("- {type: ends_with, column: v, suffix: .csv}", &ends);
    let regex_characters = [("a.b", true), ("axb", false), ("[x]a.b", true)];
    assert_labelled("- {type: ends_with, column: v, suffix: a.b}", &regex_characters);
}

#[test]
fn json_values_parse_as_great_expectations_parses_them() {
    let cases = [
        (r#"{"a": [1, 2.5e3, null], "b": {"c": "d"}}"#, true),
        ("NaN", true),
        ("[]", true),
        (r#"{"a": 1,}"#, false),
        ("{'a': 1}", false),
        ("", false),
        ("42 ", true),
        ("01", false),
        ("\"unterminated", false),
    ];
    assert_labelled("- {type: json_parseable, column: v}", &cases);
}

#[test]
fn named_format_rules_and_the_format_rule_agree() {
    let emails = [
        ("ada@example.com", true),
        ("ada@example", false),
        ("ada.lovelace+x@mail.example.org", true),
        (" ada@example.com", false),
        ("ada@@example.com", false),
        ("ADA@EXAMPLE.COM", true),
    ];
    assert_labelled("- {type: email, column: v}", &emails);
    assert_labelled("- {type: format, column: v, format: email}", &emails);
    let uuids = [("123e4567-e89b-12d3-a456-426614174000", true), ("123e4567e89b12d3a456426614174000", false)];
    assert_labelled("- {type: uuid, column: v}", &uuids);
    let dates = [("2024-02-29", true), ("2023-02-29", false), ("2024-2-29", false), ("2024-12-31", true)];
    assert_labelled("- {type: iso_date, column: v}", &dates);
    let numbers = [("12", true), ("-3", true), ("1.5", false), ("1e3", false)];
    assert_labelled("- {type: integer_text, column: v}", &numbers);
    assert_labelled(
        "- {type: format, column: v, format: decimal_text}",
        &[("12", true), ("-3", true), ("1.5", true), ("1e3", false)],
    );
    let phones = [("+1 (555) 123-4567", true), ("555-123", false), ("555-1234", true), ("555 123 4567", true)];
    assert_labelled("- {type: phone, column: v}", &phones);
}

#[test]
fn a_named_format_rule_and_the_format_rule_share_one_analyzer_but_report_their_own_type() {
    let data = batch(vec![("v", strings(&[Some("1.2.3.4"), Some("1.2.3.400"), None]))]);
    let result = check("- {type: ipv4, column: v}\n- {type: format, column: v, format: ipv4}", &[data]);
    let types: Vec<&str> = result.rule_results.iter().map(|r| r.rule_type.as_str()).collect();
    assert_eq!(types, ["ipv4", "format"]);
    assert_eq!(result.rule_results[1].parameters, r#"{"format":"ipv4"}"#);
    assert!(result.rule_results.iter().all(|r| r.unexpected_count == 1 && r.samples[0].value == "1.2.3.400"));
}

#[test]
fn date_formats_follow_python_strptime() {
    let cases = [
        ("2024-01-31", true),
        ("2024-1-5", true),
        ("2024-02-30", false),
        ("2023-02-29", false),
        ("24-01-31", false),
        ("2024-01-31 ", false),
        ("2024-01-31T00:00", false),
    ];
    assert_labelled("- {type: date_format, column: v, format: '%Y-%m-%d'}", &cases);
    let clock =
        [("31/01/2024 23:59", true), ("31/01/2024 24:00", false), ("1/1/2024 1:5", true), ("31/01/2024", false)];
    assert_labelled("- {type: date_format, column: v, strftime_format: '%d/%m/%Y %H:%M'}", &clock);
}

#[test]
fn dictionary_encoded_strings_give_the_same_answers() {
    let values = ["DE1", "FR2", "DE3", "{}", "FR2"];
    let plain = batch(vec![("v", strings(&values.map(Some)))]);
    let dictionary: DictionaryArray<Int32Type> = values.into_iter().collect();
    let encoded = batch(vec![("v", Arc::new(dictionary) as ArrayRef)]);
    let rules = "- {type: starts_with, column: v, prefix: DE}\n- {type: json_parseable, column: v}\n- {type: date_format, column: v, format: '%Y'}";
    assert_eq!(check(rules, &[plain]).rule_results, check(rules, &[encoded]).rule_results);
}

#[test]
fn string_rules_on_other_types_are_errors_naming_rule_and_column() {
    let data = batch(vec![("n", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef)]);
    for rule in [
        "{type: starts_with, column: n, prefix: '1'}",
        "{type: json_parseable, column: n}",
        "{type: email, column: n}",
        "{type: format, column: n, format: uuid}",
        "{type: date_format, column: n, format: '%Y'}",
    ] {
        let error = check_error(&format!("- {rule}"), std::slice::from_ref(&data));
        assert_eq!(error.kind, ErrorKind::RuleDocument);
        assert!(
            error.message.contains("on 'n')") && error.message.contains("needs a string column"),
            "{}",
            error.message
        );
    }
}

#[test]
fn malformed_string_rules_are_rejected_before_any_data() {
    let cases = [
        ("- {type: starts_with, column: a, prefix: ''}", "'prefix' must not be empty"),
        ("- {type: ends_with, column: a}", "missing required field 'suffix'"),
        ("- {type: format, column: a, format: mail}", "unknown format 'mail' (expected one of: uuid, email"),
        ("- {type: email, column: a, format: email}", "unknown parameter 'format'"),
        ("- {type: date_format, column: a, format: '%Y-%q'}", "invalid 'format': '%q' is not a strptime directive"),
        ("- {type: date_format, column: a, format: '%G-%m'}", "needs the ISO week"),
        ("- {type: json_parseable, column: a, strict: true}", "unknown parameter 'strict'"),
    ];
    for (rules, expected) in cases {
        let error =
            Checker::new(rules, CheckOptions::default()).err().unwrap_or_else(|| panic!("{rules} was accepted"));
        assert_eq!(error.kind, ErrorKind::RuleDocument);
        assert!(error.message.contains(expected), "{rules}: {}", error.message);
    }
}
