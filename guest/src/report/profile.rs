//! Profile reports: the seed's envelope (its `ColumnProfile` keys per column, everything else in
//! the column's `metadata`) and a Markdown report.

use super::{ReportFormat, RunInfo, cell, plain_envelope, render};
use crate::model::{ColumnProfile, ProfileResult};
use serde_json::{Value, json};

/// Renders a profile in `format`.
pub fn render_profile(result: &ProfileResult, info: &RunInfo, format: ReportFormat) -> String {
    render(format, || profile_envelope(result, info), || markdown(result, info))
}

fn json_text(text: &Option<String>) -> Value {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
}

/// The seed's `ColumnProfile.to_dict()`, with our further statistics in `metadata`.
fn column_record(column: &ColumnProfile) -> Value {
    json!({
        "column_name": column.name,
        "dtype": column.logical_type,
        "null_count": column.null_count,
        "null_percentage": column.null_percent,
        "unique_count": column.distinct_count,
        "unique_percentage": column.unique_percent,
        "min_value": json_text(&column.min),
        "max_value": json_text(&column.max),
        "mean": column.mean,
        "std": column.stdev,
        "metadata": {
            "count": column.count,
            "distinct_estimated": column.distinct_estimated,
            "quantiles": column.quantiles.iter().map(|q| json!({ "q": q.q, "value": q.value })).collect::<Vec<_>>(),
            "quantile_error": column.quantile_error,
            "histogram": column.histogram.iter().map(|b| json!([b.low, b.high, b.count])).collect::<Vec<_>>(),
            "top_values": column.top_values.iter().map(|v| json!({ "value": v.value, "count": v.count })).collect::<Vec<_>>(),
            "length_min": column.length_min,
            "length_mean": column.length_mean,
            "length_max": column.length_max,
            "zero_count": column.zero_count,
            "negative_count": column.negative_count,
            "nan_count": column.nan_count,
            "format": column.format,
            "pattern": column.pattern,
        },
    })
}

/// The payload a profile emits: `result` (the seed's ScriptOutput with `columns`), `status`,
/// `is_success`, `timestamp`, `summary`, and the `send_profile_result` counts.
pub fn profile_envelope(result: &ProfileResult, info: &RunInfo) -> Value {
    let fields = json!({
        "columns": result.columns.iter().map(column_record).collect::<Vec<_>>(),
        "metadata": {
            "engine": info.engine_name,
            "source": info.source,
            "column_count": result.column_count,
            "row_count": result.row_count,
            "duplicate_row_count": result.duplicate_row_count,
            "duplicate_rows_estimated": result.duplicate_rows_estimated,
            "sampled": result.sampled,
        },
    });
    let counts = json!({ "column_count": result.column_count, "row_count": result.row_count });
    plain_envelope("profile", result.row_count, info, fields, counts)
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map_or_else(|| "-".into(), |v| v.to_string())
}

fn short(text: &Option<String>) -> String {
    match json_text(text) {
        Value::Null => "-".into(),
        Value::String(s) => s,
        other => other.to_string(),
    }
}

fn markdown(result: &ProfileResult, info: &RunInfo) -> String {
    let duplicates = if result.duplicate_rows_estimated { "about " } else { "" };
    let mut out = String::from("# Data Profile\n\n## Summary\n\n");
    out += &format!("- **Rows:** {}{}\n", result.row_count, if result.sampled { " (sample)" } else { "" });
    out += &format!("- **Columns:** {}\n", result.column_count);
    out += &format!("- **Duplicate rows:** {duplicates}{}\n", result.duplicate_row_count);
    out += &format!("- **Execution Time:** {:.2}ms\n", info.execution_time_ms);
    if !info.source.is_empty() {
        out += &format!("- **Source:** `{}`\n", info.source.replace('`', "'"));
    }
    out += "\n## Columns\n\n| Column | Type | Nulls | Distinct | Min | Max | Mean | Std | Format |\n";
    out += "|--------|------|-------|----------|-----|-----|------|-----|--------|\n";
    for c in &result.columns {
        let about = if c.distinct_estimated { "~" } else { "" };
        out += &format!(
            "| {} | {} | {} ({:.2}%) | {about}{} | {} | {} | {} | {} | {} |\n",
            cell(&c.name),
            c.logical_type,
            c.null_count,
            c.null_percent,
            c.distinct_count,
            cell(&short(&c.min)),
            cell(&short(&c.max)),
            optional(c.mean.map(|m| format!("{m:.4}"))),
            optional(c.stdev.map(|s| format!("{s:.4}"))),
            optional(c.format.as_deref()),
        );
    }
    for c in result.columns.iter().filter(|c| !c.top_values.is_empty() || !c.quantiles.is_empty()) {
        out += &format!("\n### {}\n\n", cell(&c.name));
        if !c.quantiles.is_empty() {
            let quantiles: Vec<String> = c.quantiles.iter().map(|q| format!("p{}: {}", q.q * 100.0, q.value)).collect();
            out += &format!("- **Quantiles:** {}\n", quantiles.join(", "));
        }
        if !c.top_values.is_empty() {
            let top: Vec<String> = c.top_values.iter().map(|v| format!("`{}` ({})", cell(&v.value), v.count)).collect();
            out += &format!("- **Most common:** {}\n", top.join(", "));
        }
    }
    out += &format!("\n---\n*Generated at: {}*\n", info.timestamp);
    out
}
