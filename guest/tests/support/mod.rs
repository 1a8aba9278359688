//! Helpers shared by the guest's integration tests.

#![allow(dead_code)] // each test file uses a different subset

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use std::sync::Arc;
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, CheckResult, QualityError, RuleResult};

pub fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

pub fn strings(values: &[Option<&str>]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

pub fn check_with(rules: &str, options: CheckOptions, batches: &[RecordBatch]) -> CheckResult {
    let mut checker = Checker::new(rules, options).unwrap();
    for b in batches {
        checker.feed_batch(b).unwrap();
    }
    checker.finish().unwrap()
}

pub fn check(rules: &str, batches: &[RecordBatch]) -> CheckResult {
    check_with(rules, CheckOptions::default(), batches)
}

/// The error of a check that builds but fails on the data.
pub fn check_error(rules: &str, batches: &[RecordBatch]) -> QualityError {
    let mut checker = Checker::new(rules, CheckOptions::default()).unwrap();
    for b in batches {
        if let Err(error) = checker.feed_batch(b) {
            return error;
        }
    }
    checker.finish().expect_err("the check should fail")
}

pub fn only(result: &CheckResult) -> &RuleResult {
    assert_eq!(result.rule_results.len(), 1);
    &result.rule_results[0]
}

/// The rows of a rule's samples.
pub fn sample_rows(rule: &RuleResult) -> Vec<u64> {
    rule.samples.iter().map(|s| s.row).collect()
}
