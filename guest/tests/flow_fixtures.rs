//! The flow validator against the fixtures in tests/fixtures/flows: good flows give no finding,
//! each bad flow gives exactly the findings its `# expect:` lines list.

use std::path::{Path, PathBuf};
use truthound_guest::flow_lint::{Finding, FindingSeverity, validate_flow};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/flows").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

/// `# expect: <error|warning> <path>: <message fragment>` lines.
fn expectations(text: &str) -> Vec<(FindingSeverity, String, String)> {
    text.lines()
        .filter_map(|line| line.strip_prefix("# expect: "))
        .map(|line| {
            let (severity, rest) = line.split_once(' ').unwrap();
            let (path, fragment) = rest.split_once(": ").unwrap();
            let severity = if severity == "error" { FindingSeverity::Error } else { FindingSeverity::Warning };
            (severity, path.to_string(), fragment.to_string())
        })
        .collect()
}

#[test]
fn good_flows_have_no_findings() {
    for file in fixtures("good") {
        let findings = validate_flow(&std::fs::read_to_string(&file).unwrap());
        assert!(findings.is_empty(), "{}: {findings:#?}", file.display());
    }
}

#[test]
fn bad_flows_have_exactly_the_expected_findings() {
    for file in fixtures("bad") {
        let text = std::fs::read_to_string(&file).unwrap();
        let expected = expectations(&text);
        assert!(!expected.is_empty(), "{} has no # expect: line", file.display());
        let mut findings: Vec<Finding> = validate_flow(&text);
        for (severity, path, fragment) in &expected {
            let found = findings
                .iter()
                .position(|f| f.severity == *severity && f.path == *path && f.message.contains(fragment.as_str()));
            match found {
                Some(index) => {
                    findings.remove(index);
                }
                None => {
                    panic!("{}: no {severity:?} at {path:?} containing {fragment:?} in {findings:#?}", file.display())
                }
            }
        }
        assert!(findings.is_empty(), "{}: unexpected findings {findings:#?}", file.display());
    }
}

#[test]
fn truncated_flows_give_findings_not_panics() {
    // A panic in the guest is a trap for the host; every prefix of every fixture must be handled.
    for file in fixtures("good").into_iter().chain(fixtures("bad")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for end in (0..text.len()).filter(|&i| text.is_char_boundary(i)).step_by(3) {
            let _ = validate_flow(&text[..end]);
        }
    }
}
