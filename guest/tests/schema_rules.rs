//! Rules about the columns of the data, and the declared source schema that lets them see
//! every column while the host feeds only the columns other rules read.

mod support;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::sync::Arc;
use support::{batch, check, strings};
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, CheckResult, ErrorKind, Status};

/// The whole data: four columns.
fn data() -> RecordBatch {
    batch(vec![
        ("id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        ("name", strings(&[Some("a"), None, Some("c")])),
        ("amount", Arc::new(Float64Array::from(vec![1.5, -2.0, 3.0])) as ArrayRef),
        ("status", strings(&[Some("x"), Some("y"), Some("z")])),
    ])
}

fn statuses(result: &CheckResult) -> Vec<Status> {
    result.rule_results.iter().map(|r| r.status).collect()
}

#[test]
fn column_count_and_column_lists_read_the_schema() {
    let rules = r#"
- {type: column_count, value: 4}
- {type: column_count, min: 5}
- {type: column_count, max: 4}
- {type: columns_match_set, columns: [status, id, amount, name]}
- {type: columns_match_set, columns: [id, amount]}
- {type: columns_match_set, column_set: [id, amount], exact_match: false}
- {type: columns_match_set, columns: [id, amount, extra], exact_match: false}
- {type: columns_match_ordered_list, columns: [id, name, amount, status]}
- {type: columns_match_ordered_list, column_list: [id, amount, name, status]}
"#;
    let result = check(rules, &[data()]);
    use Status::{Failed, Passed};
    assert_eq!(statuses(&result), [Passed, Failed, Passed, Passed, Failed, Passed, Failed, Passed, Failed]);
    let messages: Vec<&str> = result.rule_results.iter().map(|r| r.message.as_str()).collect();
    assert_eq!(messages[1], "the data has 4 columns, expected: at least 5");
    assert!(messages[4].ends_with("do not match: unexpected 'name', 'status'"), "{}", messages[4]);
    assert!(messages[6].ends_with("do not match: missing 'extra'"), "{}", messages[6]);
    assert!(
        messages[8].ends_with("position 2 has 'name', expected 'amount'; position 3 has 'amount', expected 'name'"),
        "{}",
        messages[8]
    );
    assert_eq!(result.rule_results[3].observed_value, r#"["id","name","amount","status"]"#);
    assert_eq!(result.rule_results[0].observed_value, "4");
    assert!(result.rule_results.iter().all(|r| r.column.is_none() && r.evaluated_count == 0 && r.null_count == 0));
}

/// The data projected to `columns`, as a host that reads only the required columns feeds it.
fn projected(columns: &[&str]) -> RecordBatch {
    let data = data();
    let indices: Vec<usize> = columns.iter().map(|c| data.schema().index_of(c).unwrap()).collect();
    data.project(&indices).unwrap()
}

const PROJECTED_RULES: &str = r#"
- {type: column_count, value: 4}
- {type: columns_match_ordered_list, columns: [id, name, amount, status]}
- {type: column_exists, column: status}
- {type: column_exists, column: missing}
- {type: dtype, column: amount, dtype: float64}
- {type: in_range, column: amount, min: 0}
"#;

#[test]
fn schema_rules_see_the_declared_source_while_only_required_columns_are_fed() {
    let mut checker = Checker::new(PROJECTED_RULES, CheckOptions::default()).unwrap();
    assert_eq!(checker.required_columns(), ["amount"], "schema rules read no values");
    checker.declare_source_schema(data().schema()).unwrap();
    checker.feed_batch(&projected(&["amount"])).unwrap();
    let result = checker.finish().unwrap();
    use Status::{Failed, Passed};
    assert_eq!(statuses(&result), [Passed, Passed, Passed, Failed, Passed, Failed]);
    assert_eq!(result.columns_read, ["amount"]);
    assert_eq!(result.rule_results[5].unexpected_count, 1);
    // Without the declaration the fed columns are all there is.
    let undeclared = check(PROJECTED_RULES, &[projected(&["amount"])]);
    assert_eq!(statuses(&undeclared), [Failed, Failed, Failed, Failed, Passed, Failed]);
}

#[test]
fn unknown_columns_are_named_against_the_source_schema() {
    let mut checker = Checker::new("- {type: not_null, column: amout}", CheckOptions::default()).unwrap();
    checker.declare_source_schema(data().schema()).unwrap();
    let error = checker.feed_batch(&projected(&[])).unwrap_err();
    assert_eq!(error.kind, ErrorKind::UnknownColumn);
    assert!(
        error.message.contains("did you mean 'amount'") && error.message.contains("id, name, amount, status"),
        "{}",
        error.message
    );
}

#[test]
fn fed_columns_must_agree_with_the_declared_source() {
    let rules = "- {type: not_null, column: name}";
    let declared = |schema: SchemaRef| {
        let mut checker = Checker::new(rules, CheckOptions::default()).unwrap();
        checker.declare_source_schema(schema).unwrap();
        checker
    };
    let error = declared(data().schema()).feed_batch(&projected(&["id"])).unwrap_err();
    assert!(
        error.message.contains("the rules read column 'name'") && error.message.contains("lack"),
        "{}",
        error.message
    );
    let other_type = Arc::new(Schema::new(vec![Field::new("name", DataType::Int64, true)]));
    let error = declared(other_type).feed_batch(&projected(&["name"])).unwrap_err();
    assert!(error.message.contains("'name: Utf8' is not in the declared source schema"), "{}", error.message);
    assert_eq!(error.kind, ErrorKind::Data);

    let mut checker = declared(data().schema());
    checker.declare_source_schema(data().schema()).unwrap();
    let error = checker.declare_source_schema(projected(&["id"]).schema()).unwrap_err();
    assert!(error.message.contains("the declared source schema changed"), "{}", error.message);
    let mut late = Checker::new(rules, CheckOptions::default()).unwrap();
    late.feed_batch(&projected(&["name"])).unwrap();
    let error = late.declare_source_schema(data().schema()).unwrap_err();
    assert!(error.message.contains("declared after data was fed"), "{}", error.message);
}

#[test]
fn a_declared_source_schema_travels_in_exported_states() {
    let part = |rows: std::ops::Range<usize>| {
        let mut checker = Checker::new(PROJECTED_RULES, CheckOptions::default()).unwrap();
        checker.declare_source_schema(data().schema()).unwrap();
        checker.feed_batch(&projected(&["amount"]).slice(rows.start, rows.len())).unwrap();
        checker.export_state().unwrap()
    };
    let mut merged = Checker::new(PROJECTED_RULES, CheckOptions::default()).unwrap();
    merged.merge_state(&part(0..1)).unwrap();
    merged.merge_state(&part(1..3)).unwrap();
    let mut single = Checker::new(PROJECTED_RULES, CheckOptions::default()).unwrap();
    single.declare_source_schema(data().schema()).unwrap();
    single.feed_batch(&projected(&["amount"])).unwrap();
    assert_eq!(merged.finish().unwrap(), single.finish().unwrap());
}

#[test]
fn the_source_schema_is_declared_as_ipc_without_rows() {
    let mut with_rows = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut with_rows, &data().schema()).unwrap();
    writer.write(&data()).unwrap();
    writer.finish().unwrap();
    drop(writer);
    let mut checker = Checker::new(PROJECTED_RULES, CheckOptions::default()).unwrap();
    let error = checker.declare_source_schema_ipc(with_rows).unwrap_err();
    assert!(error.message.contains("must come without rows"), "{}", error.message);
}

#[test]
fn malformed_schema_rules_are_rejected_before_any_data() {
    let cases = [
        ("- {type: column_count}", "give 'value', 'min', 'max' or both bounds"),
        ("- {type: column_count, value: 3, min: 1}", "not both"),
        ("- {type: column_count, min: 4, max: 3}", "'min' (4) is greater than 'max' (3)"),
        ("- {type: column_count, value: -1}", "'value' must be a whole number"),
        ("- {type: columns_match_set, columns: [a, a]}", "lists 'a' twice"),
        ("- {type: columns_match_set, columns: []}", "at least one value"),
        ("- {type: columns_match_ordered_list, columns: [a], column: a}", "takes no 'column'"),
        ("- {type: column_count, value: 3, mostly: 0.5}", "'mostly' applies to row-by-row rules only"),
    ];
    for (rules, expected) in cases {
        let error =
            Checker::new(rules, CheckOptions::default()).err().unwrap_or_else(|| panic!("{rules} was accepted"));
        assert!(error.message.contains(expected), "{rules}: {}", error.message);
    }
}
