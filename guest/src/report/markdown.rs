//! The Markdown report of any serialised result: the seed's `MarkdownSerializer` layout
//! (`# Data Quality Report <badge>`, `## Summary` bullets for the keys present, the failures,
//! column profiles and learned rules tables, the footer), with our sections added: every rule
//! with its unexpected count and samples, each column's statistics and histogram, the rule file.

use super::status_icon;
use super::view::{Bin, ReportView, bin_range, display, histogram, items, percent, short_number, text_of};
use serde_json::{Value, json};
use std::fmt::Write;

/// Width of a full histogram bar, in characters.
const BAR_WIDTH: u64 = 24;
/// Samples listed per rule in the rules table.
const SAMPLES_PER_RULE: usize = 5;

/// The Markdown report of `value` (an envelope, a result dictionary or a named output);
/// `max_failures` limits the failures table (0: all).
pub fn render_markdown(value: &Value, max_failures: usize) -> String {
    let view = ReportView::new(value);
    let mut out = format!("# Data Quality Report {}\n\n", status_icon(&view.status()));
    summary(&mut out, &view);
    failures(&mut out, &view, max_failures);
    rules(&mut out, &view);
    columns(&mut out, &view);
    learned_rules(&mut out, &view);
    let _ = write!(out, "---\n*Generated at: {}*\n", view.timestamp());
    out
}

fn summary(out: &mut String, view: &ReportView) {
    out.push_str("## Summary\n\n");
    let _ = writeln!(out, "- **Status:** {}", view.status());
    for (key, label) in [
        ("passed_count", "Passed"),
        ("failed_count", "Failed"),
        ("warning_count", "Warnings"),
        ("total_rows", "Total Rows"),
    ] {
        if let Some(count) = view.field(key) {
            let _ = writeln!(out, "- **{label}:** {}", display(count));
        }
    }
    if let Some(ms) = view.field("execution_time_ms").and_then(Value::as_f64) {
        let _ = writeln!(out, "- **Execution Time:** {ms:.2}ms");
    }
    if let Some(source) = view.source() {
        let _ = writeln!(out, "- **Source:** `{}`", source.replace('`', "'"));
    }
    out.push('\n');
}

/// Starts a table: heading, blank line, header row and separator.
fn table(out: &mut String, heading: &str, columns: &[&str]) {
    let _ = writeln!(out, "{heading}\n\n| {} |", columns.join(" | "));
    let separators: Vec<String> = columns.iter().map(|c| "-".repeat(c.chars().count().max(3) + 2)).collect();
    let _ = writeln!(out, "|{}|", separators.join("|"));
}

fn row(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    let _ = writeln!(out, "| {} |", cells.join(" | "));
}

/// Markdown table cells: pipes and line breaks would break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn failures(out: &mut String, view: &ReportView, max_failures: usize) {
    let failures = view.list("failures");
    if failures.is_empty() {
        return;
    }
    table(out, "## Validation Failures", &["Column", "Rule", "Message", "Severity"]);
    let shown = if max_failures > 0 { max_failures.min(failures.len()) } else { failures.len() };
    for failure in &failures[..shown] {
        let fields = ["column", "rule_type", "message", "severity"];
        row(out, &fields.map(|key| text_of(failure, key)));
    }
    out.push('\n');
}

/// Our addition: every rule, with its status, unexpected count and first samples.
fn rules(out: &mut String, view: &ReportView) {
    let outcomes = view.list("rule_results");
    if outcomes.is_empty() {
        return;
    }
    table(out, "## Rules", &["#", "Rule", "Column", "Status", "Unexpected", "Samples"]);
    for (position, rule) in outcomes.iter().enumerate() {
        let status = text_of(rule, "status");
        let samples: Vec<String> = items(rule, "samples")
            .iter()
            .take(SAMPLES_PER_RULE)
            .map(|s| format!("row {}: {}", text_of(s, "row"), text_of(s, "value")))
            .collect();
        row(
            out,
            &[
                (position + 1).to_string(),
                text_of(rule, "name"),
                text_of(rule, "column"),
                format!("{} {status}", status_icon(&status)),
                text_of(rule, "unexpected_count"),
                samples.join("; "),
            ],
        );
    }
    out.push('\n');
}

fn columns(out: &mut String, view: &ReportView) {
    let columns = view.list("columns");
    if columns.is_empty() {
        return;
    }
    table(out, "## Column Profiles", &["Column", "Type", "Nulls", "Unique"]);
    for column in columns {
        row(
            out,
            &[
                text_of(column, "column_name"),
                text_of(column, "dtype"),
                percent(column, "null_percentage"),
                percent(column, "unique_percentage"),
            ],
        );
    }
    out.push('\n');
    for column in columns {
        column_section(out, column);
    }
}

/// Our addition: a column's statistics and histogram.
fn column_section(out: &mut String, column: &Value) {
    let _ = writeln!(out, "### {}\n", text_of(column, "column_name"));
    let metadata = column.get("metadata").unwrap_or(&Value::Null);
    let _ = writeln!(out, "- **Type:** {}", text_of(column, "dtype"));
    let _ = writeln!(out, "- **Nulls:** {} ({})", text_of(column, "null_count"), percent(column, "null_percentage"));
    let about = if metadata.get("distinct_estimated") == Some(&json!(true)) { "about " } else { "" };
    let _ = writeln!(out, "- **Distinct:** {about}{}", text_of(column, "unique_count"));
    for (key, label) in [("min_value", "Min"), ("max_value", "Max")] {
        if let Some(value) = column.get(key).filter(|v| !v.is_null()) {
            let _ = writeln!(out, "- **{label}:** `{}`", display(value).replace('`', "'"));
        }
    }
    for (key, label) in [("mean", "Mean"), ("std", "Std")] {
        if let Some(number) = column.get(key).and_then(Value::as_f64) {
            let _ = writeln!(out, "- **{label}:** {}", short_number(number));
        }
    }
    let quantiles: Vec<String> = items(metadata, "quantiles")
        .iter()
        .filter_map(|q| Some(format!("p{}: {}", short_number(q.get("q")?.as_f64()? * 100.0), display(q.get("value")?))))
        .collect();
    if !quantiles.is_empty() {
        let _ = writeln!(out, "- **Quantiles:** {}", quantiles.join(", "));
    }
    let top: Vec<String> = items(metadata, "top_values")
        .iter()
        .map(|v| format!("`{}` ({})", text_of(v, "value").replace('`', "'"), text_of(v, "count")))
        .collect();
    if !top.is_empty() {
        let _ = writeln!(out, "- **Most common:** {}", top.join(", "));
    }
    for (key, label) in [("format", "Format"), ("pattern", "Pattern")] {
        if let Some(text) = metadata.get(key).and_then(Value::as_str) {
            let _ = writeln!(out, "- **{label}:** `{}`", text.replace('`', "'"));
        }
    }
    let bins = histogram(column);
    if !bins.is_empty() {
        let _ = writeln!(out, "\n```text\n{}```", histogram_bars(&bins));
    }
    out.push('\n');
}

/// One line per bin: its range, a bar of Unicode blocks in eighths, its count.
fn histogram_bars(bins: &[Bin]) -> String {
    let ranges: Vec<String> = bins.iter().enumerate().map(|(i, bin)| bin_range(bin, i + 1 == bins.len())).collect();
    let range_width = ranges.iter().map(|r| r.chars().count()).max().unwrap_or(0);
    let highest = bins.iter().map(|bin| bin.count).max().unwrap_or(0).max(1);
    let mut out = String::new();
    for (bin, range) in bins.iter().zip(&ranges) {
        // A bin with values always shows at least an eighth, so it never looks empty.
        let eighths = (bin.count * BAR_WIDTH * 8 / highest).max(bin.count.min(1));
        let mut bar = "█".repeat((eighths / 8) as usize);
        let partial = (eighths % 8) as usize;
        if partial > 0 {
            bar.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][partial - 1]);
        }
        let _ = writeln!(out, "{range:<range_width$}  {bar:<width$}  {}", bin.count, width = BAR_WIDTH as usize);
    }
    out
}

fn learned_rules(out: &mut String, view: &ReportView) {
    let rules = view.list("rules");
    if rules.is_empty() {
        return;
    }
    table(out, "## Learned Rules", &["Column", "Rule Type", "Confidence"]);
    for rule in rules {
        let confidence =
            rule.get("confidence").and_then(Value::as_f64).map_or_else(|| "-".into(), |c| format!("{c:.2}"));
        row(out, &[text_of(rule, "column"), text_of(rule, "rule_type"), confidence]);
    }
    let entries: Vec<Value> = rules
        .iter()
        .map(|rule| {
            let mut entry = json!({ "type": rule.get("rule_type"), "column": rule.get("column") });
            if let (Some(entry), Some(Value::Object(parameters))) = (entry.as_object_mut(), rule.get("parameters")) {
                entry.extend(parameters.clone());
            }
            entry
        })
        .collect();
    let document = serde_yaml_ng::to_string(&json!({ "rules": entries })).unwrap_or_default();
    let _ = writeln!(out, "\nThe rule file:\n\n```yaml\n{document}```\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_seeds_layout_with_only_the_keys_present() {
        let report = render_markdown(
            &json!({"status": "failed", "failed_count": 1, "execution_time_ms": 1.5,
                "failures": [{"rule_type": "not_null", "column": "a|b", "message": "x", "severity": "high"}],
                "timestamp": "T"}),
            0,
        );
        let expected = "# Data Quality Report ❌\n\n## Summary\n\n- **Status:** failed\n- **Failed:** 1\n\
            - **Execution Time:** 1.50ms\n\n## Validation Failures\n\n| Column | Rule | Message | Severity |\n\
            |--------|------|---------|----------|\n| a\\|b | not_null | x | high |\n\n---\n*Generated at: T*\n";
        assert_eq!(report, expected);
    }

    #[test]
    fn failures_are_limited_and_profiles_get_histograms() {
        let failure = json!({"rule_type": "r", "column": "c", "message": "m", "severity": "low"});
        let report = render_markdown(&json!({"status": "failed", "failures": [failure.clone(), failure]}), 1);
        assert_eq!(report.matches("| c | r | m | low |").count(), 1);
        let profile = json!({"status": "passed", "columns": [{"column_name": "age", "dtype": "int64",
            "null_percentage": 0.0, "unique_percentage": 50.0,
            "metadata": {"histogram": [[0.0, 5.0, 4], [5.0, 10.0, 1], [10.0, 15.0, 0], [15.0, 99.0, 4000]]}}]});
        let report = render_markdown(&profile, 0);
        assert!(report.contains("| age | int64 | 0.0% | 50.0% |"), "{report}");
        let line = |range: &str, bar: &str, count: u64| format!("{range:<8}  {bar:<24}  {count}\n");
        assert!(report.contains(&line("[0, 5)", "▏", 4)), "a small bin is still visible: {report}");
        assert!(report.contains(&line("[10, 15)", "", 0)), "{report}");
        assert!(report.contains(&line("[15, 99]", &"█".repeat(24), 4000)), "{report}");
    }

    #[test]
    fn learned_rules_list_confidence_and_the_rule_file() {
        let learn = json!({"status": "passed", "rules": [{"rule_type": "in_range", "column": "age",
            "parameters": {"min": 0, "max": 9}, "confidence": 0.987}]});
        let report = render_markdown(&learn, 0);
        assert!(report.contains("| age | in_range | 0.99 |"), "{report}");
        assert!(report.contains("rules:\n- type: in_range\n  column: age\n  min: 0\n  max: 9\n"), "{report}");
    }
}
