//! Helpers shared by the end-to-end tests: run the real binary, read Kestra protocol lines, and
//! write generated data in every supported format.

#![allow(dead_code)] // each test file uses a different subset

pub mod data;
pub mod mixed;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `truthound-kestra` binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_truthound-kestra"))
}

/// The repository root (where `examples/` lives).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// What a run of the binary left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Every stdout line that is a Kestra protocol line, parsed. Panics if any such line is not
    /// valid JSON (Kestra would drop it).
    pub fn protocol(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with("::{") && l.ends_with("}::"))
            .map(|l| serde_json::from_str(&l[2..l.len() - 2]).unwrap_or_else(|e| panic!("bad protocol line {l}: {e}")))
            .collect()
    }

    /// The single `outputs` payload.
    pub fn outputs(&self) -> Value {
        let outputs: Vec<Value> = self.protocol().into_iter().filter_map(|m| m.get("outputs").cloned()).collect();
        assert_eq!(outputs.len(), 1, "expected one outputs line in:\n{}", self.stdout);
        outputs.into_iter().next().unwrap()
    }

    /// The metrics, by name.
    pub fn metric(&self, name: &str) -> Value {
        self.protocol()
            .iter()
            .filter_map(|m| m.get("metrics").and_then(Value::as_array))
            .flatten()
            .find(|m| m["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no metric {name} in:\n{}", self.stdout))
    }

    /// Asserts the exit code and that the error output is clean (no panic text).
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "panic text: {}",
            self.stderr
        );
        self
    }
}

/// Runs the binary with `args` in `dir` and no terminal attached.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with_env(dir, &[], args)
}

/// Runs the binary with `args` in `dir`, these environment variables set, no terminal attached.
pub fn run_with_env(dir: &Path, env: &[(&str, &Path)], args: &[&str]) -> Run {
    let mut command = Command::new(binary());
    command.args(args).current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs the binary from the repository root.
pub fn run(args: &[&str]) -> Run {
    run_in(&repo_root(), args)
}

/// The per-rule results of a report written with `--output FILE --format json`.
pub fn rule_results(report_file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(report_file).unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    report["result"]["rule_results"].as_array().unwrap().clone()
}

/// A result (outputs or JSON report) without what differs between any two runs of the same
/// check: timings, timestamps and the source name.
pub fn comparable(mut value: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for key in ["timestamp", "execution_time_ms", "execution_time", "source"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}
