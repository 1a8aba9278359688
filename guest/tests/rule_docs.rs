//! The rule reference (`docs/rules.md`) is generated from the registry and must not rot: it is
//! up to date, every example builds through the real parser, and what each entry documents
//! (parameters, `column`, `mostly`) is what its constructor does.

use std::path::PathBuf;
use truthound_guest::Checker;
use truthound_guest::document::parse_document;
use truthound_guest::model::CheckOptions;
use truthound_guest::rules::{reference_markdown, rule_type, rule_types};

fn docs_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md")
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let expected = reference_markdown();
    if std::env::var_os("UPDATE_RULE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(docs_path(), &expected).unwrap();
        return;
    }
    let written = std::fs::read_to_string(docs_path()).unwrap_or_default();
    assert!(
        written == expected,
        "docs/rules.md is out of date: run UPDATE_RULE_DOCS=1 cargo test -p truthound-guest --release --test rule_docs"
    );
}

/// The fenced YAML blocks of a Markdown text.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The examples are read from the generated reference, which `docs_rules_md_is_up_to_date`
/// holds equal to the file (reading the file itself would race with UPDATE_RULE_DOCS).
#[test]
fn every_example_in_the_docs_builds() {
    let blocks = yaml_blocks(&reference_markdown());
    assert_eq!(blocks.len(), rule_types().count(), "one example per rule type");
    for block in blocks {
        if let Err(error) = Checker::new(&block, CheckOptions::default()) {
            panic!("the example\n{block}does not build: {}", error.message);
        }
    }
}

#[test]
fn every_example_uses_its_own_rule_type() {
    for rule in rule_types() {
        let document = parse_document(rule.doc.example).unwrap();
        for spec in &document.rules {
            let used = rule_type(&spec.rule_type).map(|t| t.name);
            assert_eq!(used, Some(rule.name), "the example of {} uses {}", rule.name, spec.rule_type);
        }
    }
}

#[test]
fn documented_parameters_are_the_ones_the_constructors_take() {
    for rule in rule_types() {
        let mut spec = parse_document(rule.doc.example).unwrap().rules.remove(0);
        (rule.build)(&mut spec).unwrap_or_else(|e| panic!("{}: {e}", rule.name));
        let mut taken: Vec<Vec<&str>> = spec.params.taken().iter().map(|names| names.to_vec()).collect();
        let mut documented: Vec<Vec<&str>> = rule.doc.params.iter().map(|p| p.names.to_vec()).collect();
        taken.sort();
        documented.sort();
        assert_eq!(taken, documented, "parameters of {} (names and aliases)", rule.name);
    }
}

#[test]
fn documented_shapes_are_what_the_constructors_accept() {
    for rule in rule_types() {
        let example = parse_document(rule.doc.example).unwrap().rules.remove(0);
        let mut with_mostly = example.clone();
        with_mostly.mostly = 0.5;
        let accepted = (rule.build)(&mut with_mostly).is_ok();
        assert_eq!(accepted, rule.doc.shape.takes_mostly(), "{} and mostly", rule.name);
        let mut flipped = example.clone();
        flipped.column = match example.column {
            Some(_) => None,
            None => Some("some_column".into()),
        };
        assert!((rule.build)(&mut flipped).is_err(), "{} accepts a flipped 'column'", rule.name);
        assert_eq!(example.column.is_some(), rule.doc.shape.takes_column(), "{}: the example and 'column'", rule.name);
    }
}

#[test]
fn names_and_aliases_are_unique() {
    let mut names: Vec<&str> =
        rule_types().flat_map(|t| std::iter::once(t.name).chain(t.aliases.iter().copied())).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count, "a name is registered twice");
}
