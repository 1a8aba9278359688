//! The Markdown and HTML reports of the real CLI, rendered by headless Chromium: each page is
//! screenshotted (a real, non-blank PNG) and the DOM Chromium built is checked with an HTML
//! parser: failing rules are table rows with their names and samples, every histogram is an
//! `<svg>` with one `<rect>` per bin of the profile.

mod support;

use scraper::{ElementRef, Html, Selector};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::run;

const CHROMIUM: &str = "/usr/bin/chromium";
const WINDOW: (u32, u32) = (1280, 1600);

/// Rules of the failing check: three fail (with samples), one passes.
const RULES: [&str; 4] = [
    r#"{"type":"in_range","column":"amount","min":0,"max":100}"#,
    r#"{"type":"not_null","column":"email"}"#,
    r#"{"type":"regex","column":"email","pattern":"^user[0-9]+@"}"#,
    r#"{"type":"unique","column":"order_id"}"#,
];

/// Runs the CLI, writing its report in `format` to `path`; returns the protocol outputs.
fn write_report(args: &[&str], format: &str, path: &Path) -> Value {
    let mut args = args.to_vec();
    args.extend(["--format", format, "--output", path.to_str().unwrap()]);
    let run = run(&args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    run.outputs()
}

fn check_args() -> Vec<&'static str> {
    let mut args = vec!["check", "examples/orders.csv", "--no-fail-on-error"];
    for rule in RULES {
        args.extend(["--rule", rule]);
    }
    args
}

/// A Markdown report as an HTML page, the way a Markdown viewer shows it (tables on).
fn markdown_page(markdown_file: &Path) -> PathBuf {
    let markdown = std::fs::read_to_string(markdown_file).unwrap();
    let mut body = String::new();
    let parser = pulldown_cmark::Parser::new_ext(&markdown, pulldown_cmark::Options::ENABLE_TABLES);
    pulldown_cmark::html::push_html(&mut body, parser);
    let page = markdown_file.with_extension("md.html");
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>report</title></head><body>{body}</body></html>"
    );
    std::fs::write(&page, html).unwrap();
    page
}

/// Chromium with a fresh profile, no network chatter, on `page`.
fn chromium(dir: &Path, page: &Path, mode: &[String]) -> Vec<u8> {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let output = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(mode)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (scripts/test installs it)");
    assert!(
        output.status.success(),
        "chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The DOM Chromium built from `page`.
fn rendered_dom(dir: &Path, page: &Path) -> Html {
    let dom = String::from_utf8(chromium(dir, page, &["--dump-dom".into()])).unwrap();
    Html::parse_document(&dom)
}

/// Screenshots `page`; asserts a real PNG of the window's size; returns its size in bytes.
fn screenshot(dir: &Path, page: &Path) -> u64 {
    let png = page.with_extension("png");
    chromium(
        dir,
        page,
        &[format!("--screenshot={}", png.display()), format!("--window-size={},{}", WINDOW.0, WINDOW.1)],
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", png.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), WINDOW, "{}", png.display());
    println!("screenshot: {} ({} bytes)", png.display(), bytes.len());
    bytes.len() as u64
}

fn select<'a>(scope: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    scope.select(&Selector::parse(css).unwrap()).collect()
}

fn select_in<'a>(element: ElementRef<'a>, css: &str) -> Vec<ElementRef<'a>> {
    element.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: ElementRef) -> String {
    element.text().collect::<String>().trim().to_string()
}

/// The rows of the table that follows the `<h2>` titled `heading`, as cell texts.
fn table_after(dom: &Html, heading: &str) -> Vec<Vec<String>> {
    let h2 = select(dom, "h2").into_iter().find(|h| text(*h) == heading).unwrap_or_else(|| panic!("no {heading}"));
    let table = h2.next_siblings().filter_map(ElementRef::wrap).find(|e| e.value().name() == "table").unwrap();
    select_in(table, "tbody tr").into_iter().map(|row| select_in(row, "td").into_iter().map(text).collect()).collect()
}

struct Reports {
    dir: tempfile::TempDir,
    check_outputs: Value,
    profile_outputs: Value,
}

fn reports() -> Reports {
    assert!(Path::new(CHROMIUM).exists(), "{CHROMIUM} is missing: run scripts/test, which installs it");
    let dir = tempfile::tempdir().unwrap();
    let check = check_args();
    let check_outputs = write_report(&check, "html", &dir.path().join("check.html"));
    write_report(&check, "markdown", &dir.path().join("check.md"));
    let profile = ["profile", "examples/orders.csv", "--histograms"];
    let profile_outputs = write_report(&profile, "html", &dir.path().join("profile.html"));
    write_report(&profile, "markdown", &dir.path().join("profile.md"));
    Reports { dir, check_outputs, profile_outputs }
}

/// The failed rules of a check's outputs: name and the first sample's row and value.
fn failed_rules(outputs: &Value) -> Vec<(String, u64, String)> {
    let rules = outputs["result"]["rule_results"].as_array().unwrap();
    rules
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| {
            let sample = &r["samples"][0];
            (
                r["name"].as_str().unwrap().into(),
                sample["row"].as_u64().unwrap(),
                sample["value"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[test]
fn screenshots_are_real_images_of_the_reports() {
    let reports = reports();
    let dir = reports.dir.path();
    let blank = dir.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>").unwrap();
    let blank_size = screenshot(dir, &blank);
    for page in [
        dir.join("check.html"),
        dir.join("profile.html"),
        markdown_page(&dir.join("check.md")),
        markdown_page(&dir.join("profile.md")),
    ] {
        let size = screenshot(dir, &page);
        assert!(size > 4 * blank_size, "{} looks blank: {size} bytes, a blank page {blank_size}", page.display());
    }
}

#[test]
fn the_html_check_report_lists_failing_rules_with_their_samples() {
    let reports = reports();
    let dom = rendered_dom(reports.dir.path(), &reports.dir.path().join("check.html"));
    assert_eq!(text(select(&dom, "#status")[0]), "FAILED");
    let failed = failed_rules(&reports.check_outputs);
    assert_eq!(failed.len(), 3);
    let rows = select(&dom, "#failures tbody tr.failure");
    assert_eq!(rows.len(), failed.len());
    for (row, (name, sample_row, sample_value)) in rows.into_iter().zip(&failed) {
        assert_eq!(&text(select_in(row, "td")[0]), name);
        let first = select_in(row, "ul.samples li")[0];
        assert_eq!(text(select_in(first, ".row")[0]), sample_row.to_string());
        assert_eq!(&text(select_in(first, "code")[0]), sample_value);
    }
    let all = select(&dom, "#rules tbody tr.rule");
    assert_eq!(all.len(), RULES.len());
    let statuses: Vec<String> = all.iter().map(|row| text(select_in(*row, ".badge")[0])).collect();
    assert_eq!(statuses.iter().filter(|s| *s == "passed").count(), 1, "{statuses:?}");
    assert!(select(&dom, "script").is_empty() && select(&dom, "link").is_empty());
}

#[test]
fn the_markdown_check_report_renders_as_tables() {
    let reports = reports();
    let page = markdown_page(&reports.dir.path().join("check.md"));
    let dom = rendered_dom(reports.dir.path(), &page);
    let failed = failed_rules(&reports.check_outputs);
    let failures = table_after(&dom, "Validation Failures");
    let types: Vec<&str> = failures.iter().map(|row| row[1].as_str()).collect();
    assert_eq!(types, ["in_range", "not_null", "regex"]);
    let rules = table_after(&dom, "Rules");
    assert_eq!(rules.len(), RULES.len());
    for (name, sample_row, sample_value) in &failed {
        let row = rules.iter().find(|row| &row[1] == name).unwrap_or_else(|| panic!("no row for {name}"));
        assert!(row[3].ends_with("failed"), "{row:?}");
        assert!(row[5].starts_with(&format!("row {sample_row}: {sample_value}")), "{row:?}");
    }
}

/// The histograms of a profile's outputs, by column (columns without one are left out).
fn histograms(outputs: &Value) -> Vec<(String, Vec<Value>)> {
    let columns = outputs["result"]["columns"].as_array().unwrap();
    columns
        .iter()
        .map(|c| {
            (c["column_name"].as_str().unwrap().to_string(), c["metadata"]["histogram"].as_array().unwrap().clone())
        })
        .filter(|(_, bins)| !bins.is_empty())
        .collect()
}

#[test]
fn the_html_profile_report_draws_one_bar_per_bin() {
    let reports = reports();
    let dom = rendered_dom(reports.dir.path(), &reports.dir.path().join("profile.html"));
    let columns = reports.profile_outputs["result"]["columns"].as_array().unwrap();
    assert_eq!(select(&dom, "#columns tbody tr").len(), columns.len());
    let sections = select(&dom, "section.column");
    assert_eq!(sections.len(), columns.len());
    let expected = histograms(&reports.profile_outputs);
    assert!(expected.len() >= 2, "the profile has numeric histograms");
    for section in sections {
        let name = section.value().attr("data-column").unwrap();
        let svgs = select_in(section, "svg.histogram");
        match expected.iter().find(|(column, _)| column == name) {
            Some((_, bins)) => {
                assert_eq!(svgs.len(), 1, "{name}");
                let bars = select_in(svgs[0], "rect.bar");
                assert_eq!(bars.len(), bins.len(), "{name}");
                for (bar, bin) in bars.into_iter().zip(bins) {
                    let title = text(select_in(bar, "title")[0]);
                    assert!(title.ends_with(&format!(": {}", bin[2])), "{name}: {title} for {bin}");
                    assert_eq!(bar.value().attr("data-count").unwrap(), bin[2].to_string());
                }
                let labels = select_in(svgs[0], "text.x-label");
                assert_eq!(labels.len(), 2, "{name}: both ends of the value range");
            }
            None => {
                assert!(svgs.is_empty(), "{name}");
                assert_eq!(text(select_in(section, "p.no-histogram")[0]), "No histogram for this column.");
            }
        }
    }
}

#[test]
fn the_markdown_profile_report_has_a_bar_per_bin() {
    let reports = reports();
    let page = markdown_page(&reports.dir.path().join("profile.md"));
    let dom = rendered_dom(reports.dir.path(), &page);
    let profiles = table_after(&dom, "Column Profiles");
    let columns = reports.profile_outputs["result"]["columns"].as_array().unwrap();
    assert_eq!(profiles.len(), columns.len());
    for (column, bins) in histograms(&reports.profile_outputs) {
        let heading = select(&dom, "h3").into_iter().find(|h| text(*h) == column).unwrap();
        let block = heading
            .next_siblings()
            .filter_map(ElementRef::wrap)
            .take_while(|e| e.value().name() != "h3")
            .find(|e| e.value().name() == "pre")
            .unwrap_or_else(|| panic!("no histogram block for {column}"));
        let lines: Vec<String> = text(block).lines().map(str::to_string).collect();
        assert_eq!(lines.len(), bins.len(), "{column}");
        for (line, bin) in lines.iter().zip(&bins) {
            assert!(line.ends_with(&format!("  {}", bin[2])), "{column}: {line}");
            let bar = line.chars().filter(|c| ('\u{2588}'..='\u{258f}').contains(c)).count();
            assert_eq!(bar > 0, bin[2].as_u64().unwrap() > 0, "{column}: {line}");
        }
    }
}
