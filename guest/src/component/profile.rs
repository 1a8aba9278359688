//! The WIT interfaces `profile` and `learn`, and conversions of their records.

use super::exports::truthound::quality::{learn, profile, types};
use super::{Component, error_to_wit};
use crate::learn::{LearnOptions, LearnResult, LearnedRule};
use crate::model;
use crate::profile::Profiler;
use std::cell::RefCell;

/// Converts profile options between the model and WIT records (either direction).
macro_rules! convert_profile_options {
    ($options:expr, $module:ident) => {
        convert_record!($options => $module::ProfileOptions {
            include_stats, include_histograms, sample_size, top_n, distinct_limit, infer_patterns,
        })
    };
}

/// Converts a column profile between the model and WIT records (either direction).
macro_rules! convert_column {
    ($column:expr, $module:ident) => {
        convert_record!($column => $module::ColumnProfile {
            name, logical_type, count, null_count, null_percent, distinct_count, distinct_estimated,
            unique_percent, min, max, mean, stdev, quantile_error, length_min, length_mean, length_max,
            zero_count, negative_count, nan_count, format, pattern,
        } lists {
            quantiles: |q| $module::Quantile { q: q.q, value: q.value },
            histogram: |b| $module::HistogramBin { low: b.low, high: b.high, count: b.count },
            top_values: |v| $module::ValueCount { value: v.value, count: v.count },
        })
    };
}

/// Converts a profile between the model and WIT records (either direction).
macro_rules! convert_profile {
    ($profile:expr, $module:ident) => {
        convert_record!($profile => $module::ProfileResult {
            row_count, column_count, duplicate_row_count, duplicate_rows_estimated, sampled,
        } lists {
            columns: |c| convert_column!(c, $module),
        })
    };
}

/// The `profiler` resource: a [`Profiler`] behind the `&self` methods WIT resources get.
pub struct ProfilerResource(RefCell<Profiler>);

impl profile::Guest for Component {
    type Profiler = ProfilerResource;
}

impl profile::GuestProfiler for ProfilerResource {
    fn create(options: types::ProfileOptions) -> Result<profile::Profiler, types::QualityError> {
        let profiler = Profiler::new(convert_profile_options!(options, model)).map_err(error_to_wit)?;
        Ok(profile::Profiler::new(ProfilerResource(RefCell::new(profiler))))
    }

    fn wants_rows(&self) -> bool {
        self.0.borrow().wants_rows()
    }

    fn feed(&self, ipc_stream: Vec<u8>) -> Result<(), types::QualityError> {
        self.0.borrow_mut().feed_ipc(ipc_stream).map_err(error_to_wit)
    }

    fn export_state(&self) -> Vec<u8> {
        self.0.borrow().export_state()
    }

    fn merge_state(&self, state: Vec<u8>) -> Result<(), types::QualityError> {
        self.0.borrow_mut().merge_state(&state).map_err(error_to_wit)
    }

    fn finish(&self) -> Result<types::ProfileResult, types::QualityError> {
        self.0.borrow().finish().map(profile_to_wit).map_err(error_to_wit)
    }
}

impl learn::Guest for Component {
    fn profile_options_for(options: types::LearnOptions, sample_size: u64) -> types::ProfileOptions {
        let options = crate::learn::profile_options(&learn_options_from_wit(options), sample_size);
        convert_profile_options!(options, types)
    }

    fn learn(profile: types::ProfileResult, options: types::LearnOptions) -> types::LearnResult {
        learn_to_wit(crate::learn::learn(&profile_from_wit(profile), &learn_options_from_wit(options)))
    }

    fn rule_document(rules: Vec<types::LearnedRule>, row_count: u64) -> String {
        let rules: Vec<LearnedRule> = rules.into_iter().map(learned_rule_from_wit).collect();
        crate::learn::rule_document(&rules, row_count)
    }
}

fn learn_options_from_wit(options: types::LearnOptions) -> LearnOptions {
    convert_record!(options => LearnOptions {
        min_confidence, include_patterns, include_ranges, include_categories, categorical_threshold, range_margin,
    })
}

pub fn profile_to_wit(profile: model::ProfileResult) -> types::ProfileResult {
    convert_profile!(profile, types)
}

pub fn profile_from_wit(profile: types::ProfileResult) -> model::ProfileResult {
    convert_profile!(profile, model)
}

fn learn_to_wit(result: LearnResult) -> types::LearnResult {
    types::LearnResult {
        rules: result
            .rules
            .into_iter()
            .map(|rule| types::LearnedRule {
                rule_type: rule.rule_type,
                column: rule.column,
                parameters: serde_json::Value::Object(rule.parameters).to_string(),
                confidence: rule.confidence,
                reason: rule.reason,
            })
            .collect(),
        rules_before_filter: result.rules_before_filter,
        rule_document: result.rule_document,
    }
}

fn learned_rule_from_wit(rule: types::LearnedRule) -> LearnedRule {
    LearnedRule {
        rule_type: rule.rule_type,
        column: rule.column,
        parameters: serde_json::from_str(&rule.parameters).unwrap_or_default(),
        confidence: rule.confidence,
        reason: rule.reason,
    }
}

pub fn learn_from_wit(result: types::LearnResult) -> LearnResult {
    LearnResult {
        rules: result.rules.into_iter().map(learned_rule_from_wit).collect(),
        rules_before_filter: result.rules_before_filter,
        rule_document: result.rule_document,
    }
}
