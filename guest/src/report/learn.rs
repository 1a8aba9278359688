//! Learn results: the seed's `LearnedRule` records and the top-level `learned_rules`.

use super::{Envelope, LearnedRule, OperationType, ReportFormat, RunInfo, ScriptOutput, object, render, run_output};
use crate::learn::LearnResult;
use crate::model::Status;
use serde_json::json;

/// Renders learned rules in `format`; `row_count` is the number of rows learned from.
pub fn render_learn(result: &LearnResult, row_count: u64, info: &RunInfo, format: ReportFormat) -> String {
    render(format, &learn_envelope(result, row_count, info))
}

/// The payload learn emits: `result` (the seed's ScriptOutput with `rules`), `status`,
/// `is_success`, `timestamp`, `summary`, `rule_count` and `learned_rules`
/// (`{type, column, **parameters}`).
pub fn learn_envelope(result: &LearnResult, row_count: u64, info: &RunInfo) -> Envelope {
    Envelope::of(learn_output(result, row_count, info))
}

/// The seed's ScriptOutput of learn: always passed, one `LearnedRule` per rule kept.
pub fn learn_output(result: &LearnResult, row_count: u64, info: &RunInfo) -> ScriptOutput {
    let mut output = run_output(Status::Passed, OperationType::Learn, row_count, info);
    output.rules = result
        .rules
        .iter()
        .map(|rule| LearnedRule {
            rule_type: rule.rule_type.clone(),
            column: rule.column.clone(),
            parameters: rule.parameters.clone(),
            confidence: rule.confidence,
            sample_size: row_count,
            metadata: object(json!({ "reason": rule.reason })),
        })
        .collect();
    output.metadata = object(json!({
        "engine": info.engine_name,
        "source": info.source,
        "rules_before_filter": result.rules_before_filter,
        "rules_after_filter": result.rules.len(),
    }));
    output
}
