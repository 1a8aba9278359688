//! The envelopes the CLI writes (JSON, YAML, the `::{"outputs":...}::` line) read back into the
//! typed results and serialise again byte for byte: one source of truth for their shape.

mod support;

use serde_json::Value;
use support::run;
use truthound_guest::report::{
    Envelope, JsonSerializer, OperationType, ResultSerializer, SerializerConfig, ValueSerializer, YamlSerializer,
};

/// A failing check with samples, a profile with histograms, learned rules.
const OPERATIONS: [(&str, &[&str]); 3] = [
    (
        "check",
        &[
            "check",
            "examples/orders.csv",
            "--rule",
            r#"{"type":"in_range","column":"amount","min":0,"max":100}"#,
            "--rule",
            r#"{"type":"not_null","column":"email"}"#,
            "--rule",
            r#"{"type":"unique","column":"order_id"}"#,
        ],
    ),
    ("profile", &["profile", "examples/orders.csv", "--histograms"]),
    ("learn", &["learn", "examples/orders.csv"]),
];

/// The report the CLI writes for `args` in `format`, and its protocol outputs.
fn report(args: &[&str], format: &str) -> (String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("report.{format}"));
    let mut args = args.to_vec();
    args.extend(["--format", format, "--output", path.to_str().unwrap()]);
    let run = run(&args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    (std::fs::read_to_string(&path).unwrap(), run.outputs())
}

fn to_value(envelope: &Envelope) -> Value {
    serde_json::to_value(envelope).unwrap()
}

#[test]
fn json_reports_read_back_and_serialise_identically() {
    for (operation, args) in OPERATIONS {
        let (text, outputs) = report(args, "json");
        let envelope: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(envelope.result.operation.as_str(), operation);
        let again = JsonSerializer { compact: false }.serialize(&to_value(&envelope)).unwrap() + "\n";
        assert_eq!(again, text, "{operation}");
        // The protocol line adds the execution context and, for a failing check, the error.
        let mut outputs = outputs;
        let failed = envelope.result.status.is_failure();
        assert_eq!(outputs.as_object_mut().unwrap().remove("error").is_some(), failed, "{operation}");
        let metadata = outputs["result"]["metadata"].as_object_mut().unwrap();
        assert!(metadata.remove("context").is_some_and(|c| c["execution_id"] == "local"), "{operation}");
        let line: Envelope = serde_json::from_value(outputs.clone()).unwrap();
        assert_eq!(to_value(&line), outputs, "{operation}: the protocol line is the same envelope");
        assert_eq!(line, envelope, "{operation}");
    }
}

#[test]
fn yaml_reports_read_back_and_serialise_identically() {
    for (operation, args) in OPERATIONS {
        let (text, _) = report(args, "yaml");
        let envelope: Envelope = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(envelope.result.operation.as_str(), operation);
        assert_eq!(YamlSerializer.serialize(&to_value(&envelope)).unwrap(), text, "{operation}");
    }
}

#[test]
fn serialised_results_read_back_into_the_same_results() {
    for (operation, args) in OPERATIONS {
        let (text, _) = report(args, "json");
        let result = serde_json::from_str::<Envelope>(&text).unwrap().result;
        let serializer = ResultSerializer::new(SerializerConfig::FULL);
        let record = serializer.serialize_result(&result);
        assert_eq!(record["_type"], format!("{operation}_result"));
        assert_eq!(serializer.deserialize_result(record).unwrap(), result, "{operation}");
    }
}

#[test]
fn the_check_envelope_has_typed_failures_with_samples() {
    let (text, _) = report(OPERATIONS[0].1, "json");
    let result = serde_json::from_str::<Envelope>(&text).unwrap().result;
    assert_eq!(result.operation, OperationType::Check);
    let range = result.failures.iter().find(|f| f.rule_type == "in_range").expect("in_range fails");
    assert_eq!(range.failed_count, 788);
    assert!(!range.failed_indices.is_empty());
    assert_eq!(result.failed_count as usize, result.failures.len());
    assert_eq!(result.rule_results.len(), result.metadata["rules_count"].as_u64().unwrap() as usize);
}
