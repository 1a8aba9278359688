//! Third-party engine plugins (`check --engine FILE.wasm`): the example Luhn engine runs checks
//! our engine cannot, our own component runs as a plugin, compiled plugins are cached, and
//! hostile plugins (endless loop, endless allocation, escape attempts) are stopped with exit 4
//! and a message naming them, leaving the host healthy.

mod support;

use serde_json::Value;
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use support::{Run, repo_root, run_with_env};
use truthound_kestra::runtime::{
    CheckOptions, CompileCache, ReportFormat, ReportSeverity, RuleFormat, RunInfo, Status,
};
use truthound_kestra::{ErrorKind, Limits, Runtime};

const LUHN: &str = "examples/engine-plugin";
const HOSTILE: &str = "tests/hostile-engine";

/// Builds the plugin crate at `crate_dir` (relative to the repository) for wasm32-wasip2, once
/// per test process, in a target directory next to the host's, and returns the component.
fn plugin(crate_dir: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut built = BUILT.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(crate_dir) {
        return path.clone();
    }
    let manifest = repo_root().join(crate_dir).join("Cargo.toml");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("plugin-build");
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(["build", "--release", "--locked", "--target", "wasm32-wasip2", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir);
    for variable in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET", "CARGO_TARGET_DIR"] {
        command.env_remove(variable);
    }
    let output = command.output().expect("cargo runs");
    assert!(output.status.success(), "building {crate_dir} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let package = std::fs::read_to_string(&manifest).unwrap();
    let name = package.lines().find_map(|l| l.strip_prefix("name = \"")).unwrap().trim_end_matches('"');
    let path = target_dir.join("wasm32-wasip2/release").join(format!("{}.wasm", name.replace('-', "_")));
    built.insert(crate_dir.to_string(), path.clone());
    path
}

/// Runs the binary from the repository root with its compile cache in `cache`.
fn run_cached(cache: &Path, args: &[&str]) -> Run {
    run_with_env(&repo_root(), &[("TRUTHOUND_ENGINE_CACHE", cache)], args)
}

/// Published Luhn-valid numbers: test card numbers of Visa, Mastercard, Amex, Discover, and
/// the worked example of ISO/IEC 7812-1.
const VALID: [&str; 5] = ["4111111111111111", "5500005555555559", "378282246310005", "6011111111111117", "79927398713"];

/// `number` with its last digit changed, which always breaks the checksum.
fn corrupted(number: &str) -> String {
    let (head, last) = number.split_at(number.len() - 1);
    format!("{head}{}", (last.parse::<u8>().unwrap() + 1) % 10)
}

#[test]
fn the_example_engine_checks_a_rule_family_our_engine_lacks() {
    let dir = tempfile::tempdir().unwrap();
    // Valid numbers at even rows, their corrupted twins at odd rows, then a null and a word.
    let mut csv = String::from("id,card\n");
    for (i, number) in VALID.iter().enumerate() {
        csv += &format!("{},{number}\n{},{}\n", 2 * i, 2 * i + 1, corrupted(number));
    }
    csv += "10,\n11,not-a-number\n";
    let data = dir.path().join("cards.csv");
    std::fs::write(&data, csv).unwrap();
    let rules = dir.path().join("luhn.yaml");
    std::fs::write(
        &rules,
        "- {type: luhn, column: card}\n- {type: luhn, column: card, mostly: 0.4, severity: warning, name: lenient}\n",
    )
    .unwrap();
    let engine = plugin(LUHN);
    let args =
        ["check", data.to_str().unwrap(), "--rules", rules.to_str().unwrap(), "--engine", engine.to_str().unwrap()];

    let run = run_cached(dir.path(), &args);
    run.expect_code(1);
    let outputs = run.outputs();
    assert_eq!(outputs["result"]["metadata"]["engine"], "luhn_engine.wasm");
    let strict = &outputs["result"]["rule_results"][0];
    assert_eq!(strict["rule_type"], "luhn");
    assert_eq!(strict["status"], "failed");
    assert_eq!(strict["evaluated_count"], 11, "every non-null value");
    assert_eq!(strict["null_count"], 1);
    assert_eq!(strict["unexpected_count"], 6, "five corrupted numbers and a word");
    let sample_rows: Vec<u64> =
        strict["samples"].as_array().unwrap().iter().map(|s| s["row"].as_u64().unwrap()).collect();
    assert_eq!(sample_rows, [1, 3, 5, 7, 9, 11]);
    let lenient = &outputs["result"]["rule_results"][1];
    assert_eq!(
        (&lenient["name"], &lenient["status"]),
        (&Value::from("lenient"), &Value::from("passed")),
        "5 of 11 >= 0.4"
    );

    // Its rule documents are its own: ours are refused with its message, as a rules error.
    std::fs::write(&rules, "- {type: not_null, column: card}\n").unwrap();
    let refused = run_cached(dir.path(), &args);
    refused.expect_code(2);
    assert!(refused.stderr.contains("unknown rule type 'not_null'; this engine knows: luhn"), "{}", refused.stderr);
}

#[test]
fn our_own_component_runs_as_a_plugin_with_the_same_results_and_is_compiled_once() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.wasm");
    let cache = dir.path().join("cache");
    run_cached(&cache, &["component", "-o", ours.to_str().unwrap()]).expect_code(0);
    let check = ["check", "examples/orders.csv", "--rules", "examples/orders.rules.yaml"];
    let builtin = run_cached(&cache, &check);
    let as_plugin = run_cached(&cache, &[&check[..], &["--engine", ours.to_str().unwrap()]].concat());
    assert_eq!(as_plugin.code, builtin.code, "{}", as_plugin.stderr);
    let mut expected = support::comparable(builtin.outputs());
    expected["result"]["metadata"]["engine"] = "ours.wasm".into();
    assert_eq!(support::comparable(as_plugin.outputs()), expected);

    let cached: Vec<_> = std::fs::read_dir(&cache).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(cached.len(), 1, "one compiled component: {cached:?}");
    assert_eq!(cached[0].extension().unwrap(), "cwasm");
    let doctor = run_cached(&cache, &["doctor", "--engine", ours.to_str().unwrap()]);
    doctor.expect_code(0);
    assert!(doctor.stdout.contains("taken from the compile cache"), "{}", doctor.stdout);
    // A damaged cache entry is compiled again, never trusted.
    std::fs::write(&cached[0], b"not native code").unwrap();
    let doctor = run_cached(&cache, &["doctor", "--engine", ours.to_str().unwrap()]);
    doctor.expect_code(0);
    assert!(doctor.stdout.contains(" compiled in "), "{}", doctor.stdout);
}

#[test]
fn a_file_that_is_no_engine_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let check = |engine: &Path| {
        run_cached(
            dir.path(),
            &[
                "check",
                "examples/orders.csv",
                "--rule",
                r#"{"type":"row_count","min":1}"#,
                "--engine",
                engine.to_str().unwrap(),
            ],
        )
    };
    let missing = check(&dir.path().join("missing.wasm"));
    missing.expect_code(2);
    assert!(missing.stderr.contains("cannot read the engine plugin"), "{}", missing.stderr);
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"\0asm but not really").unwrap();
    let refused = check(&garbage);
    refused.expect_code(4);
    assert!(
        refused.stderr.contains("the engine plugin garbage.wasm is not a WebAssembly component"),
        "{}",
        refused.stderr
    );
    assert_eq!(refused.outputs()["error"]["engine_name"], "garbage.wasm");
}

/// Runs `check` with the hostile plugin told to misbehave as `behaviour`.
fn hostile_check(dir: &Path, behaviour: &str, limits: &[&str]) -> Run {
    let rules = dir.join("hostile.rules");
    std::fs::write(&rules, behaviour).unwrap();
    let engine = plugin(HOSTILE);
    let args =
        ["check", "examples/orders.csv", "--rules", rules.to_str().unwrap(), "--engine", engine.to_str().unwrap()];
    run_cached(dir, &[&args[..], limits].concat())
}

#[test]
fn a_plugin_that_loops_forever_is_stopped_by_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let run = hostile_check(dir.path(), "loop", &["--timeout", "1"]);
    run.expect_code(4);
    assert!(run.stderr.contains("the engine plugin hostile_engine.wasm exceeded its timeout of 1 s"), "{}", run.stderr);
    assert_eq!(run.outputs()["error"]["engine_name"], "hostile_engine.wasm");
}

#[test]
fn a_plugin_that_allocates_without_bound_hits_the_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let run = hostile_check(dir.path(), "allocate", &["--memory-limit", "64"]);
    run.expect_code(4);
    assert!(
        run.stderr.contains("the engine plugin hostile_engine.wasm hit its memory limit of 64 MiB"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_plugin_that_opens_files_and_sockets_gets_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "the host's secret").unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let run = hostile_check(dir.path(), &format!("escape {} {address}", secret.display()), &[]);
    run.expect_code(4);
    assert!(run.stderr.contains("the engine plugin hostile_engine.wasm stopped with a trap"), "{}", run.stderr);
    assert!(run.stderr.contains("escape failed"), "{}", run.stderr);
    assert!(!run.stdout.contains("the host's secret") && !run.stderr.contains("the host's secret"));
    assert_eq!(
        listener.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "the plugin connected"
    );
}

fn options() -> CheckOptions {
    CheckOptions {
        sample_failures: 5,
        min_severity: ReportSeverity::Low,
        shard_count: 1,
        shard_index: 0,
        rule_format: RuleFormat::Truthound,
    }
}

#[test]
fn a_runtime_stays_healthy_after_hostile_sessions() {
    let cache = tempfile::tempdir().unwrap();
    let (runtime, _) =
        Runtime::with_engine_plugin(&plugin(HOSTILE), &CompileCache::Directory(cache.path().into())).unwrap();
    assert_eq!(runtime.plugin_name(), Some("hostile_engine.wasm"));

    let short = Limits { timeout: Duration::from_millis(300), ..Limits::default() };
    let error = runtime.session(short).unwrap().create_checker("loop", options()).err().unwrap();
    assert!(matches!(&error.kind, ErrorKind::Engine { engine_name: Some(name), .. } if name == "hostile_engine.wasm"));
    assert!(error.message.contains("exceeded its timeout of 0.3 s"), "{error}");

    let small = Limits { memory_bytes: 32 << 20, ..Limits::default() };
    let error = runtime.session(small).unwrap().create_checker("allocate", options()).err().unwrap();
    assert!(error.message.contains("hit its memory limit of 32 MiB"), "{error}");

    // The same runtime runs a well-behaved check next, and renders it with our engine.
    let mut session = runtime.session(Limits::default()).unwrap();
    let checker = session.create_checker("behave", options()).unwrap();
    let result = session.finish(checker).unwrap();
    assert_eq!(result.status, Status::Passed);
    let info = RunInfo {
        execution_time_ms: 1.0,
        timestamp: "2026-01-01T00:00:00Z".into(),
        engine_name: "hostile_engine.wasm".into(),
        source: "memory".into(),
    };
    let rendered: Value =
        serde_json::from_str(&session.render_check(&result, &info, ReportFormat::JsonCompact).unwrap()).unwrap();
    assert_eq!(rendered["result"]["metadata"]["engine"], "hostile_engine.wasm");
}
