//! Learn reports: the seed's envelope (its `LearnedRule` records and top-level `learned_rules`)
//! and a Markdown report with the rule file.

use super::{ReportFormat, RunInfo, cell, plain_envelope, render};
use crate::learn::LearnResult;
use serde_json::{Value, json};

/// Renders learned rules in `format`; `row_count` is the number of rows learned from.
pub fn render_learn(result: &LearnResult, row_count: u64, info: &RunInfo, format: ReportFormat) -> String {
    render(format, || learn_envelope(result, row_count, info), || markdown(result, info))
}

/// The payload learn emits: `result` (the seed's ScriptOutput with `rules`), `status`,
/// `is_success`, `timestamp`, `summary`, and `learned_rules` (`{type, column, **parameters}`).
pub fn learn_envelope(result: &LearnResult, row_count: u64, info: &RunInfo) -> Value {
    let rules: Vec<Value> = result
        .rules
        .iter()
        .map(|rule| {
            json!({
                "rule_type": rule.rule_type,
                "column": rule.column,
                "parameters": rule.parameters,
                "confidence": rule.confidence,
                "sample_size": row_count,
                "metadata": { "reason": rule.reason },
            })
        })
        .collect();
    let learned: Vec<Value> = result.rules.iter().map(|rule| rule.to_rule()).collect();
    let fields = json!({
        "rules": rules,
        "metadata": {
            "engine": info.engine_name,
            "source": info.source,
            "rules_before_filter": result.rules_before_filter,
            "rules_after_filter": result.rules.len(),
        },
    });
    let extra = json!({ "rule_count": result.rules.len(), "learned_rules": learned });
    plain_envelope("learn", row_count, info, fields, extra)
}

fn markdown(result: &LearnResult, info: &RunInfo) -> String {
    let mut out = String::from("# Learned Rules\n\n");
    out += &format!(
        "{} rules kept of {} suggested. Source: `{}`\n\n",
        result.rules.len(),
        result.rules_before_filter,
        info.source.replace('`', "'")
    );
    out += "| Column | Rule | Parameters | Confidence | Why |\n|--------|------|------------|------------|-----|\n";
    for rule in &result.rules {
        out += &format!(
            "| {} | {} | {} | {:.4} | {} |\n",
            cell(&rule.column),
            rule.rule_type,
            cell(&Value::Object(rule.parameters.clone()).to_string()),
            rule.confidence,
            cell(&rule.reason)
        );
    }
    out += &format!("\n```yaml\n{}```\n\n---\n*Generated at: {}*\n", result.rule_document, info.timestamp);
    out
}
