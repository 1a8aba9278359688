//! Profile results: the seed's `ColumnProfile` keys per column, everything else in the column's
//! `metadata`.

use super::{Envelope, OperationType, ReportFormat, RunInfo, ScriptOutput, object, render, run_output};
use crate::model::{ColumnProfile, ProfileResult, Status};
use serde_json::{Value, json};

/// Renders a profile in `format`.
pub fn render_profile(result: &ProfileResult, info: &RunInfo, format: ReportFormat) -> String {
    render(format, &profile_envelope(result, info))
}

/// The payload a profile emits: `result` (the seed's ScriptOutput with `columns`), `status`,
/// `is_success`, `timestamp`, `summary`, and the `send_profile_result` counts.
pub fn profile_envelope(result: &ProfileResult, info: &RunInfo) -> Envelope {
    Envelope::of(profile_output(result, info))
}

/// The seed's ScriptOutput of a profile: always passed, one `ColumnProfile` per column.
pub fn profile_output(result: &ProfileResult, info: &RunInfo) -> ScriptOutput {
    let mut output = run_output(Status::Passed, OperationType::Profile, result.row_count, info);
    output.columns = result.columns.iter().map(column_record).collect();
    output.metadata = object(json!({
        "engine": info.engine_name,
        "source": info.source,
        "column_count": result.column_count,
        "row_count": result.row_count,
        "duplicate_row_count": result.duplicate_row_count,
        "duplicate_rows_estimated": result.duplicate_rows_estimated,
        "sampled": result.sampled,
    }));
    output
}

fn json_text(text: &Option<String>) -> Option<Value> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

/// The seed's `ColumnProfile`, with our further statistics in `metadata`.
fn column_record(column: &ColumnProfile) -> super::ColumnProfile {
    super::ColumnProfile {
        column_name: column.name.clone(),
        dtype: column.logical_type.clone(),
        null_count: column.null_count,
        null_percentage: column.null_percent,
        unique_count: column.distinct_count,
        unique_percentage: column.unique_percent,
        min_value: json_text(&column.min),
        max_value: json_text(&column.max),
        mean: column.mean,
        std: column.stdev,
        metadata: object(json!({
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
        })),
    }
}
