//! `truthound-kestra flow validate`: the real binary on the flow fixtures. Good flows exit 0 with
//! no finding; each bad flow prints the `FILE:PATH: severity: message` lines its `# expect:`
//! comments list and exits 2 when one of them is an error (0 with warnings only).

mod support;

use serde_json::Value;
use std::path::PathBuf;
use support::{repo_root, run};

fn fixtures(kind: &str) -> Vec<String> {
    let dir = repo_root().join("tests/fixtures/flows").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| f.strip_prefix(repo_root()).unwrap().to_string_lossy().into_owned()).collect()
}

/// The `# expect: <severity> <path>: <fragment>` comments of a fixture as (line prefix, fragment).
fn expectations(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("# expect: "))
        .map(|line| {
            let (severity, rest) = line.split_once(' ').unwrap();
            let (path, fragment) = rest.split_once(": ").unwrap();
            let place = if path.is_empty() { String::new() } else { format!("{path}:") };
            (format!("{file}:{place} {severity}: "), fragment.to_string())
        })
        .collect()
}

#[test]
fn good_flows_pass_with_no_finding() {
    let files = fixtures("good");
    let mut args = vec!["flow", "validate"];
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    out.expect_code(0);
    assert_eq!(out.stdout, format!("{} files checked: 0 errors, 0 warnings\n", files.len()));
}

#[test]
fn each_bad_flow_prints_its_expected_findings() {
    for file in fixtures("bad") {
        let out = run(&["flow", "validate", &file]);
        let expected = expectations(&file);
        let has_error = expected.iter().any(|(prefix, _)| prefix.contains(" error: "));
        out.expect_code(if has_error { 2 } else { 0 });
        let lines: Vec<&str> = out.stdout.lines().collect();
        for (prefix, fragment) in &expected {
            assert!(
                lines.iter().any(|l| l.starts_with(prefix.as_str()) && l[prefix.len()..].contains(fragment.as_str())),
                "{file}: no line {prefix}…{fragment}… in:\n{}",
                out.stdout
            );
        }
        assert_eq!(lines.len(), expected.len() + 1, "{file}: one line per finding and a summary:\n{}", out.stdout);
        assert!(lines.last().unwrap().starts_with("1 file checked: "), "{}", out.stdout);
    }
}

#[test]
fn errors_in_any_file_exit_2_and_unreadable_files_exit_3() {
    let good = "tests/fixtures/flows/good/minimal.yaml";
    let bad = "tests/fixtures/flows/bad/task_depends_on.yaml";
    run(&["flow", "validate", good, bad]).expect_code(2);
    let out = run(&["flow", "validate", good, "tests/fixtures/flows/missing.yaml", bad]);
    out.expect_code(3);
    assert!(out.stdout.contains("tests/fixtures/flows/missing.yaml: error: cannot read the file"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("{bad}:tasks[1].dependsOn: error: ")), "the other files are still checked");
    assert!(out.stdout.ends_with("3 files checked: 2 errors, 0 warnings, 1 file unreadable\n"), "{}", out.stdout);
    let usage = run(&["flow", "validate"]);
    usage.expect_code(2);
}

#[test]
fn json_format_lists_findings_per_file() {
    let good = "tests/fixtures/flows/good/minimal.yaml";
    let bad = "tests/fixtures/flows/bad/retries.yaml";
    let out = run(&["flow", "validate", "--format", "json", good, bad]);
    out.expect_code(2);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["files"][0], serde_json::json!({"file": good, "valid": true, "findings": []}));
    assert_eq!(report["files"][1]["valid"], false);
    let first = &report["files"][1]["findings"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["path"], "retry.behavior", "top-level findings come first");
    assert_eq!(report["errors"], expectations(bad).len());
    assert_eq!(report["warnings"], 0);
}
