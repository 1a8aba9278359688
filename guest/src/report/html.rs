//! The HTML report: one self-contained HTML5 page (inline CSS, no script, no external URL), every
//! text escaped. It shows the summary, the failing rules with their samples, every rule, the
//! column profiles with a histogram per column as inline SVG, and learned rules.

use super::view::{Bin, FailingRule, ReportView, bin_range, display, histogram, items, percent, short_number, text_of};
use super::{format_duration, format_percentage};
use serde_json::Value;
use std::fmt::Write;

/// The page's style sheet: readable in a browser and in Kestra's output preview.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2433}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6rem;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
h2{font-size:1.25rem;margin-top:32px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
h3{font-size:1.05rem;margin:0 0 8px}
.badge{font-size:.95rem;padding:4px 10px;border-radius:12px;background:#e3e6eb}
.status-passed{background:#d8f3dc;color:#1b5e20}.status-failed,.status-error{background:#fde2e1;color:#9b1c1c}
.status-warning{background:#fff3cd;color:#7a5b00}.status-skipped{background:#e3e6eb;color:#3d4451}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
th,td{border:1px solid #d8dce3;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4}td.number{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;background:#eef0f4;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
ul.samples{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:2px 12px}
section.column{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:12px 16px;margin:16px 0;display:flex;gap:24px;flex-wrap:wrap}
section.column>div{flex:1 1 300px}
svg.histogram rect.bar{fill:#4c78a8}svg.histogram rect.bar:hover{fill:#2a5783}
svg.histogram text{font-size:11px;fill:#3d4451}svg.histogram line{stroke:#8a93a3}
p.no-histogram{color:#5b6472;font-style:italic}
footer{margin-top:32px;color:#5b6472;font-size:.85rem}
";

/// Histogram drawing size, in SVG units.
const CHART_WIDTH: f64 = 420.0;
const CHART_HEIGHT: f64 = 160.0;
/// Room for the axis labels.
const AXIS_LEFT: f64 = 48.0;
const AXIS_BOTTOM: f64 = 36.0;
const TOP: f64 = 8.0;

/// The HTML report of `value` (an envelope, a result dictionary or a named output).
pub fn render_html(value: &Value) -> String {
    let view = ReportView::new(value);
    let status = view.status();
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Data Quality Report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n\
         <h1>Data Quality Report <span class=\"badge status-{}\" id=\"status\">{}</span></h1>\n",
        escape(&status),
        escape(&status),
        escape(&status.to_uppercase()),
    );
    summary(&mut out, &view);
    failing_rules(&mut out, &view.failing_rules());
    all_rules(&mut out, &view);
    columns(&mut out, &view);
    learned_rules(&mut out, &view);
    let _ = write!(
        out,
        "<footer>Generated at {} by truthound-kestra.</footer>\n</main>\n</body>\n</html>\n",
        escape(&view.timestamp())
    );
    out
}

/// Text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn summary(out: &mut String, view: &ReportView) {
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"facts\">\n");
    let mut fact = |label: &str, text: String| {
        let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", escape(&text));
    };
    fact("Status", view.status());
    let operation = view.field("operation").map(display);
    if let Some(operation) = &operation {
        fact("Operation", operation.clone());
    }
    // Profiles and learned rules pass nothing and fail nothing: their counts would be noise.
    if operation.as_deref().is_none_or(|operation| operation == "check") {
        for (key, label) in [("passed_count", "Passed"), ("failed_count", "Failed"), ("warning_count", "Warnings")] {
            if let Some(count) = view.field(key) {
                fact(label, display(count));
            }
        }
        if view.field("passed_count").is_some()
            && let Some(rate) = view.pass_rate()
        {
            fact("Pass rate", format_percentage(rate * 100.0));
        }
    }
    if let Some(rows) = view.field("total_rows") {
        fact("Rows", display(rows));
    }
    if let Some(ms) = view.field("execution_time_ms").and_then(Value::as_f64) {
        fact("Duration", format_duration(ms));
    }
    if let Some(source) = view.source() {
        fact("Source", source.to_string());
    }
    out.push_str("</dl>\n</section>\n");
}

/// Opens a section with a table: its id, heading and column names.
fn open_table(out: &mut String, id: &str, heading: &str, columns: &[&str]) {
    let _ = write!(out, "<section id=\"{id}\">\n<h2>{heading}</h2>\n<table>\n<thead><tr>");
    for column in columns {
        let _ = write!(out, "<th>{column}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn close_table(out: &mut String) {
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn text_cell(text: &str) -> String {
    format!("<td>{}</td>", escape(text))
}

fn number_cell(text: &str) -> String {
    format!("<td class=\"number\">{}</td>", escape(text))
}

fn failing_rules(out: &mut String, rules: &[FailingRule]) {
    if rules.is_empty() {
        return;
    }
    open_table(out, "failures", "Failing rules", &["Rule", "Column", "Severity", "Unexpected", "Message", "Samples"]);
    for rule in rules {
        let unexpected = rule.unexpected_count.map_or_else(|| "-".into(), |n| n.to_string());
        let _ = write!(
            out,
            "<tr class=\"failure\">{}{}{}{}{}<td>",
            text_cell(&rule.name),
            text_cell(&rule.column),
            text_cell(&rule.severity),
            number_cell(&unexpected),
            text_cell(&rule.message)
        );
        if !rule.samples.is_empty() {
            out.push_str("<ul class=\"samples\">");
            for (row, value) in &rule.samples {
                let value = value.as_deref().map_or_else(String::new, |v| format!(": <code>{}</code>", escape(v)));
                let _ = write!(out, "<li>row <span class=\"row\">{row}</span>{value}</li>");
            }
            out.push_str("</ul>");
        }
        out.push_str("</td></tr>\n");
    }
    close_table(out);
}

fn all_rules(out: &mut String, view: &ReportView) {
    let outcomes = view.list("rule_results");
    if outcomes.is_empty() {
        return;
    }
    open_table(out, "rules", "All rules", &["#", "Rule", "Column", "Severity", "Status", "Unexpected", "Unexpected %"]);
    for (position, rule) in outcomes.iter().enumerate() {
        let status = text_of(rule, "status");
        let percent =
            rule.get("unexpected_percent").and_then(Value::as_f64).map_or_else(|| "-".into(), |p| format!("{p:.2}%"));
        let _ = writeln!(
            out,
            "<tr class=\"rule\">{}{}{}{}<td><span class=\"badge status-{}\">{}</span></td>{}{}</tr>",
            number_cell(&(position + 1).to_string()),
            text_cell(&text_of(rule, "name")),
            text_cell(&text_of(rule, "column")),
            text_cell(&text_of(rule, "severity")),
            escape(&status),
            escape(&status),
            number_cell(&text_of(rule, "unexpected_count")),
            number_cell(&percent),
        );
    }
    close_table(out);
}

fn columns(out: &mut String, view: &ReportView) {
    let columns = view.list("columns");
    if columns.is_empty() {
        return;
    }
    open_table(out, "columns", "Column profiles", &["Column", "Type", "Nulls", "Unique", "Min", "Max", "Mean", "Std"]);
    for column in columns {
        let _ = writeln!(
            out,
            "<tr class=\"column-row\">{}{}{}{}{}{}{}{}</tr>",
            text_cell(&text_of(column, "column_name")),
            text_cell(&text_of(column, "dtype")),
            number_cell(&percent(column, "null_percentage")),
            number_cell(&percent(column, "unique_percentage")),
            text_cell(&text_of(column, "min_value")),
            text_cell(&text_of(column, "max_value")),
            number_cell(&number_of(column, "mean")),
            number_cell(&number_of(column, "std")),
        );
    }
    close_table(out);
    for (index, column) in columns.iter().enumerate() {
        column_section(out, index, column);
    }
}

fn number_of(value: &Value, key: &str) -> String {
    value.get(key).and_then(Value::as_f64).map_or_else(|| "-".into(), short_number)
}

/// A column's statistics and its histogram.
fn column_section(out: &mut String, index: usize, column: &Value) {
    let name = text_of(column, "column_name");
    let metadata = column.get("metadata").unwrap_or(&Value::Null);
    let _ = write!(
        out,
        "<section class=\"column\" id=\"column-{index}\" data-column=\"{}\">\n<div>\n<h3>{}</h3>\n<dl class=\"facts\">\n",
        escape(&name),
        escape(&name)
    );
    let mut fact = |label: &str, text: String| {
        let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", escape(&text));
    };
    fact("Type", text_of(column, "dtype"));
    fact("Rows", text_of(metadata, "count"));
    fact("Nulls", format!("{} ({})", text_of(column, "null_count"), percent(column, "null_percentage")));
    let about = if metadata.get("distinct_estimated").and_then(Value::as_bool) == Some(true) { "about " } else { "" };
    fact("Distinct", format!("{about}{}", text_of(column, "unique_count")));
    for (key, label) in [("min_value", "Min"), ("max_value", "Max")] {
        if let Some(value) = column.get(key).filter(|v| !v.is_null()) {
            fact(label, display(value));
        }
    }
    for (key, label) in [("mean", "Mean"), ("std", "Std")] {
        if column.get(key).and_then(Value::as_f64).is_some() {
            fact(label, number_of(column, key));
        }
    }
    let quantiles: Vec<String> = items(metadata, "quantiles")
        .iter()
        .filter_map(|q| Some(format!("p{}: {}", short_number(q.get("q")?.as_f64()? * 100.0), display(q.get("value")?))))
        .collect();
    if !quantiles.is_empty() {
        fact("Quantiles", quantiles.join(", "));
    }
    let top: Vec<String> = items(metadata, "top_values")
        .iter()
        .map(|v| format!("{} ({})", text_of(v, "value"), text_of(v, "count")))
        .collect();
    if !top.is_empty() {
        fact("Most common", top.join(", "));
    }
    for (key, label) in [("format", "Format"), ("pattern", "Pattern")] {
        if let Some(text) = metadata.get(key).and_then(Value::as_str) {
            fact(label, text.to_string());
        }
    }
    out.push_str("</dl>\n</div>\n<div>\n");
    let bins = histogram(column);
    if bins.is_empty() {
        out.push_str("<p class=\"no-histogram\">No histogram for this column.</p>\n");
    } else {
        histogram_svg(out, &name, &bins);
    }
    out.push_str("</div>\n</section>\n");
}

/// A bar chart with one `<rect>` per bin (its `<title>` gives the range and count), the value
/// range on the x axis and the counts on the y axis.
fn histogram_svg(out: &mut String, column: &str, bins: &[Bin]) {
    let width = AXIS_LEFT + CHART_WIDTH + 8.0;
    let height = TOP + CHART_HEIGHT + AXIS_BOTTOM;
    let highest = bins.iter().map(|bin| bin.count).max().unwrap_or(0).max(1);
    let bar_width = CHART_WIDTH / bins.len() as f64;
    let base = TOP + CHART_HEIGHT;
    let _ = writeln!(
        out,
        "<svg class=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Histogram of {}\">",
        escape(column)
    );
    let _ = writeln!(out, "<title>Histogram of {}</title>", escape(column));
    for (i, bin) in bins.iter().enumerate() {
        let bar_height = CHART_HEIGHT * bin.count as f64 / highest as f64;
        let _ = writeln!(
            out,
            "<rect class=\"bar\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" data-count=\"{}\">\
             <title>{}: {}</title></rect>",
            AXIS_LEFT + i as f64 * bar_width + 0.5,
            base - bar_height,
            (bar_width - 1.0).max(0.5),
            bar_height,
            bin.count,
            escape(&bin_range(bin, i + 1 == bins.len())),
            bin.count
        );
    }
    let right = AXIS_LEFT + CHART_WIDTH;
    let _ = writeln!(out, "<line x1=\"{AXIS_LEFT}\" y1=\"{base}\" x2=\"{right}\" y2=\"{base}\"/>");
    let _ = writeln!(out, "<line x1=\"{AXIS_LEFT}\" y1=\"{TOP}\" x2=\"{AXIS_LEFT}\" y2=\"{base}\"/>");
    let low = bins.first().map_or(0.0, |bin| bin.low);
    let high = bins.last().map_or(0.0, |bin| bin.high);
    let label_y = base + 14.0;
    let _ = writeln!(out, "<text class=\"x-label\" x=\"{AXIS_LEFT}\" y=\"{label_y}\">{}</text>", short_number(low));
    let _ = writeln!(
        out,
        "<text class=\"x-label\" x=\"{right}\" y=\"{label_y}\" text-anchor=\"end\">{}</text>",
        short_number(high)
    );
    let _ = writeln!(
        out,
        "<text class=\"axis-title\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        AXIS_LEFT + CHART_WIDTH / 2.0,
        base + 30.0,
        escape(column)
    );
    let _ = writeln!(
        out,
        "<text class=\"y-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{highest}</text>",
        AXIS_LEFT - 4.0,
        TOP + 10.0
    );
    let _ =
        writeln!(out, "<text class=\"y-label\" x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>", AXIS_LEFT - 4.0);
    out.push_str("</svg>\n");
}

fn learned_rules(out: &mut String, view: &ReportView) {
    let rules = view.list("rules");
    if rules.is_empty() {
        return;
    }
    open_table(out, "learned-rules", "Learned rules", &["Column", "Rule type", "Parameters", "Confidence", "Reason"]);
    for rule in rules {
        let parameters = rule.get("parameters").map_or_else(String::new, Value::to_string);
        let confidence =
            rule.get("confidence").and_then(Value::as_f64).map_or_else(|| "-".into(), |c| format!("{c:.2}"));
        let reason = rule.get("metadata").map_or_else(|| "-".into(), |m| text_of(m, "reason"));
        let _ = writeln!(
            out,
            "<tr class=\"learned-rule\">{}{}<td><code>{}</code></td>{}{}</tr>",
            text_cell(&text_of(rule, "column")),
            text_cell(&text_of(rule, "rule_type")),
            escape(&parameters),
            number_cell(&confidence),
            text_cell(&reason),
        );
    }
    close_table(out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_text_is_escaped() {
        let page = render_html(&json!({"status": "failed", "failures": [{"rule_type": "<script>", "column": "a&b",
            "message": "\"quoted\" 'x'", "failed_indices": [2], "metadata": {"sample_values": ["</td>"]}}]}));
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"));
        assert!(page.contains("a&amp;b") && page.contains("&quot;quoted&quot; &#39;x&#39;"));
        assert!(page.contains("<li>row <span class=\"row\">2</span>: <code>&lt;/td&gt;</code></li>"));
    }

    #[test]
    fn pages_are_self_contained() {
        let page = render_html(&json!({"status": "passed", "columns": [{"column_name": "n", "dtype": "int64",
            "metadata": {"histogram": [[0.0, 1.0, 2], [1.0, 2.0, 0]]}}, {"column_name": "s", "dtype": "string"}]}));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(!page.contains("<script") && !page.contains("href=") && !page.contains("src="));
        assert!(!page.replace("http://www.w3.org/2000/svg", "").contains("://"));
        assert_eq!(page.matches("<rect class=\"bar\"").count(), 2);
        assert!(page.contains("<title>[1, 2]: 0</title>"));
        assert_eq!(page.matches("No histogram for this column.").count(), 1);
    }
}
