//! Learned rules hold on the data they were learned from, and catch faults injected into a copy.

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use std::sync::Arc;
use truthound_guest::Checker;
use truthound_guest::learn::{LearnOptions, LearnResult, learn, profile_options};
use truthound_guest::model::{CheckOptions, CheckResult, Status};
use truthound_guest::profile::Profiler;

const ROWS: usize = 5_000;

struct Table {
    ids: Vec<i64>,
    amounts: Vec<Option<f64>>,
    statuses: Vec<Option<String>>,
    codes: Vec<String>,
    notes: Vec<Option<String>>,
    emails: Vec<String>,
}

fn baseline() -> Table {
    let mut t = Table { ids: vec![], amounts: vec![], statuses: vec![], codes: vec![], notes: vec![], emails: vec![] };
    for i in 0..ROWS {
        t.ids.push(i as i64 + 1);
        t.amounts.push(Some((i * 37 % 1000) as f64 / 4.0));
        t.statuses.push(Some(["active", "inactive", "pending"][i % 3].to_string()));
        t.codes.push(format!("AB-{:04}", i % 7000));
        t.notes.push((i % 10 != 0).then(|| format!("note {i}")));
        t.emails.push(format!("user.{i}@example{}.com", i % 7));
    }
    t
}

fn batch(t: &Table) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(t.ids.clone())) as ArrayRef),
        ("amount", Arc::new(Float64Array::from(t.amounts.clone())) as ArrayRef),
        ("status", Arc::new(StringArray::from(t.statuses.clone())) as ArrayRef),
        ("code", Arc::new(StringArray::from(t.codes.clone())) as ArrayRef),
        ("note", Arc::new(StringArray::from(t.notes.clone())) as ArrayRef),
        ("email", Arc::new(StringArray::from(t.emails.clone())) as ArrayRef),
    ])
    .unwrap()
}

fn learned(t: &Table, options: &LearnOptions) -> LearnResult {
    let mut profiler = Profiler::new(profile_options(options, 0)).unwrap();
    profiler.feed_batch(&batch(t)).unwrap();
    learn(&profiler.finish().unwrap(), options)
}

fn check(document: &str, t: &Table) -> CheckResult {
    let mut checker = Checker::new(document, CheckOptions::default()).unwrap();
    checker.feed_batch(&batch(t)).unwrap();
    checker.finish().unwrap()
}

fn failing(result: &CheckResult) -> Vec<String> {
    result.rule_results.iter().filter(|r| r.status != Status::Passed).map(|r| r.name.clone()).collect()
}

#[test]
fn learned_rules_pass_on_their_own_data() {
    let t = baseline();
    let result = learned(&t, &LearnOptions::default());
    let kinds: Vec<(String, String)> = result.rules.iter().map(|r| (r.rule_type.clone(), r.column.clone())).collect();
    for expected in [
        ("dtype", "id"),
        ("not_null", "id"),
        ("unique", "id"),
        ("in_range", "amount"),
        ("in_set", "status"),
        ("regex", "code"),
        ("completeness_ratio", "note"),
        ("max_length", "note"),
        ("email", "email"),
    ] {
        assert!(kinds.contains(&(expected.0.into(), expected.1.into())), "{expected:?} missing from {kinds:?}");
    }
    assert!(!kinds.contains(&("in_set".into(), "id".into())), "ids are not categories");
    let check = check(&result.rule_document, &t);
    assert_eq!(failing(&check), Vec::<String>::new(), "{}", result.rule_document);
    assert_eq!(check.rule_results.len(), result.rules.len());
}

#[test]
fn learned_rules_catch_injected_faults() {
    let t = baseline();
    let document = learned(&t, &LearnOptions::default()).rule_document;
    let mut faulty = baseline();
    faulty.ids[10] = faulty.ids[11];
    faulty.amounts[20] = Some(1e9);
    faulty.amounts[21] = None;
    faulty.statuses[30] = Some("archived".into());
    faulty.codes[40] = "not-a-code".into();
    faulty.notes = vec![None; ROWS];
    faulty.emails[50] = "user.50 at example.com".into();
    let failed = failing(&check(&document, &faulty));
    for rule in [
        "unique(id)",
        "in_range(amount)",
        "not_null(amount)",
        "in_set(status)",
        "regex(code)",
        "completeness_ratio(note)",
        "email(email)",
    ] {
        assert!(failed.contains(&rule.to_string()), "{rule} should fail; failing: {failed:?}");
    }
}

#[test]
fn options_change_what_is_learned() {
    let t = baseline();
    let types = |options: LearnOptions| -> Vec<String> {
        learned(&t, &options).rules.iter().map(|r| format!("{}({})", r.rule_type, r.column)).collect()
    };
    let none = types(LearnOptions {
        include_ranges: false,
        include_categories: false,
        include_patterns: false,
        ..LearnOptions::default()
    });
    assert!(none.iter().all(|r| !r.starts_with("in_range") && !r.starts_with("in_set") && !r.starts_with("regex")));
    let strict = learned(&t, &LearnOptions { min_confidence: 0.9999, ..LearnOptions::default() });
    assert!(strict.rules.len() < strict.rules_before_filter as usize);
    assert!(strict.rules.iter().all(|r| r.confidence >= 0.9999));
    let few_categories = types(LearnOptions { categorical_threshold: 2, ..LearnOptions::default() });
    assert!(!few_categories.contains(&"in_set(status)".to_string()));
}
