//! Conformance with the real tools: the same suite or schema and the same files (CSV and Parquet
//! of data sets with nulls, duplicates, NaN, integers beyond 2^53, Unicode, empty strings and
//! mixed codes) go through Great Expectations 1.24.1 / pandera 0.35.0 (`tests/conformance/*.py`
//! in the venvs of `scripts/conformance-env`) and through `check --engine ...`. Every
//! expectation's or check's counts and success must agree, but for the documented differences
//! (README, "Semantics"), whose size is computed from the data. A missing venv fails the tests.

mod support;

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::mixed::{BIG, Mixed};
use support::{repo_root, run_in};

/// The Python of a conformance venv made by `scripts/conformance-env`.
fn python(tool: &str) -> PathBuf {
    let cache = match std::env::var_os("TRUTHOUND_CACHE") {
        Some(cache) => PathBuf::from(cache),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/truthound-kestra"),
    };
    let python = cache.join("conformance").join(tool).join("bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run scripts/conformance-env (scripts/test does) to create the {tool} environment",
        python.display()
    );
    python
}

/// Runs `tests/conformance/<script> <rules> <files...>` with the tool's Python; it prints JSON.
fn run_tool(tool: &str, script: &str, rules: &Path, files: &[PathBuf]) -> Value {
    let output = Command::new(python(tool))
        .arg(repo_root().join("tests/conformance").join(script))
        .arg(rules)
        .args(files)
        .output()
        .expect("the venv's Python runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{script} failed: {stderr}");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stderr}"))
}

/// The data sets, each written as CSV and Parquet: every file with its table.
fn write_data_sets(dir: &Path) -> Vec<(PathBuf, Mixed)> {
    let mut files = Vec::new();
    for name in ["edge", "random", "clean"] {
        for extension in ["csv", "parquet"] {
            let table = match name {
                "edge" => Mixed::edge_cases(),
                "random" => Mixed::generate(3000, 7, 8),
                _ => Mixed::generate(500, 11, 0),
            };
            let path = dir.join(format!("{name}.{extension}"));
            match extension {
                "csv" => table.write_csv(&path),
                _ => table.write_parquet(&path),
            }
            files.push((path, table));
        }
    }
    files
}

/// Runs our binary on `file` and returns the report it wrote.
fn run_ours(dir: &Path, file: &Path, engine: &str, rules: &Path, format: &str) -> Value {
    let report = dir.join(format!("{}.{engine}.{format}.out", file.file_name().unwrap().to_string_lossy()));
    let args = [
        "check",
        file.to_str().unwrap(),
        "--engine",
        engine,
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        format,
        "--output",
        report.to_str().unwrap(),
        "--sample-failures",
        "100000",
        "--no-fail-on-error",
    ];
    run_in(dir, &args).expect_code(0);
    serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap()
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().to_string()
}

/// A documented difference: how far truthound's count is from the tool's on one item, computed
/// from the data.
struct Difference {
    /// The GX expectation's index, or the pandera check as `column: check`.
    item: &'static str,
    why: &'static str,
    /// The change of the unexpected count and of GX's missing count.
    delta: fn(&Mixed) -> (i64, i64),
}

fn nans(table: &Mixed) -> i64 {
    table.ratio_nans() as i64
}

/// Integers below `bound` that equal it once converted to a float.
fn rounded_up_to(values: &[i64], bound: i64) -> i64 {
    values.iter().filter(|&&v| v < bound && v as f64 >= bound as f64).count() as i64
}

/// Differences on `suite.gx.json`.
const GX_DIFFERENCES: &[Difference] = &[
    Difference {
        item: "3",
        why: "integers are compared with bounds exactly; GX turns the bound into a float",
        delta: |t| (rounded_up_to(&t.big, BIG), 0),
    },
    Difference { item: "8", why: "NaN is a value, not a missing value", delta: |t| (-nans(t), 0) },
    Difference {
        item: "9",
        why: "NaN is a value outside every range, not a missing value the range skips",
        delta: |t| (nans(t), -nans(t)),
    },
];

/// Differences on `schema.pandera.yaml`.
const PANDERA_DIFFERENCES: &[Difference] = &[
    Difference { item: "ratio: not_nullable", why: "NaN is a value, not a missing value", delta: |t| (-nans(t), 0) },
    Difference {
        item: "ratio: less_than_or_equal_to(1)",
        why: "NaN is a value outside every range, not a missing value the check ignores",
        delta: |t| (nans(t), 0),
    },
];

/// The shift a difference on `item` makes on this data, if any.
fn difference(differences: &[Difference], item: &str, table: &Mixed) -> Option<(i64, i64, &'static str)> {
    let found = differences.iter().find(|d| d.item == item)?;
    let (unexpected, missing) = (found.delta)(table);
    ((unexpected, missing) != (0, 0)).then_some((unexpected, missing, found.why))
}

fn numbers_equal(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// Result fields compared with GX's wherever GX gives them.
const GX_FIELDS: &[&str] = &[
    "element_count",
    "unexpected_count",
    "unexpected_percent",
    "missing_count",
    "missing_percent",
    "unexpected_percent_total",
    "unexpected_percent_nonmissing",
    "partial_unexpected_index_list",
    "unexpected_index_list",
    "unexpected_index_query",
    "details",
];

/// Expectations whose GX 1.24 result has fields truthound does not give (README): the distinct
/// values outside or missing from the set, with a null observed value, where truthound shows the
/// distinct values. Compared by success only.
const GX_SHAPES_NOT_FOLLOWED: &[&str] = &[
    "expect_column_distinct_values_to_be_in_set",
    "expect_column_distinct_values_to_contain_set",
    "expect_column_distinct_values_to_equal_set",
];

/// Compares our GX-shaped validation result with GX's, expectation by expectation.
fn compare_gx(file: &str, table: &Mixed, differences: &[Difference], gx: &Value, ours: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let (gx_results, our_results) = (gx["results"].as_array().unwrap(), ours["results"].as_array().unwrap());
    if gx_results.len() != our_results.len() {
        return vec![format!("{file}: GX has {} results, we have {}", gx_results.len(), our_results.len())];
    }
    let mut shifted = false;
    for (index, (g, o)) in gx_results.iter().zip(our_results).enumerate() {
        let kind = g["expectation_config"]["type"].as_str().unwrap_or_default();
        let at = format!("{file}: expectation {index} ({kind})");
        if o["expectation_config"]["type"] != kind {
            problems.push(format!("{at}: we answered {}", o["expectation_config"]["type"]));
            continue;
        }
        let (gr, or) = (&g["result"], &o["result"]);
        if let Some((unexpected, missing, why)) = difference(differences, &index.to_string(), table) {
            shifted = true;
            let shift = |field: &str, by: i64| gr.get(field).map(|n| json!(n.as_i64().unwrap() + by));
            for (field, expected) in [
                ("element_count", gr.get("element_count").cloned()),
                ("unexpected_count", shift("unexpected_count", unexpected)),
                ("missing_count", shift("missing_count", missing)),
            ] {
                if or.get(field).cloned() != expected {
                    problems.push(format!("{at}: {field} {} is not GX's {} shifted as {why}", or[field], gr[field]));
                }
            }
            continue;
        }
        if g["success"] != o["success"] {
            problems.push(format!("{at}: success {} vs GX {}", o["success"], g["success"]));
        }
        if GX_SHAPES_NOT_FOLLOWED.contains(&kind) {
            continue;
        }
        if gr.get("element_count").is_some() {
            let keys = |r: &Value| r.as_object().unwrap().keys().cloned().collect::<BTreeSet<_>>();
            let mut our_keys = keys(or);
            // GX drops the value counts when sorting them raises (pairs holding a missing value
            // next to text), a TypeError it swallows.
            let pairs = gr["partial_unexpected_list"].as_array().is_some_and(|l| l.iter().any(Value::is_array));
            if pairs && gr.get("partial_unexpected_counts").is_none() {
                our_keys.remove("partial_unexpected_counts");
            }
            if keys(gr) != our_keys {
                problems.push(format!("{at}: result fields {our_keys:?} vs GX {:?}", keys(gr)));
            }
        } else if gr.as_object().is_some_and(|r| r.is_empty()) != or.as_object().is_some_and(|r| r.is_empty()) {
            problems.push(format!("{at}: result {or} vs GX {gr}"));
        }
        let observed = gr.get("observed_value").filter(|v| !v.is_null());
        for (field, expected) in
            GX_FIELDS.iter().filter_map(|f| Some((*f, gr.get(*f)?))).chain(observed.map(|v| ("observed_value", v)))
        {
            if !numbers_equal(expected, &or[field]) {
                problems.push(format!("{at}: {field} {} vs GX {expected}", or[field]));
            }
        }
        for list in ["partial_unexpected_list", "unexpected_list"] {
            let length = |r: &Value| r[list].as_array().map(Vec::len);
            if length(gr) != length(or) {
                problems.push(format!("{at}: {:?} values in {list} vs GX {:?}", length(or), length(gr)));
            }
        }
    }
    if !shifted && gx["statistics"] != ours["statistics"] {
        problems.push(format!("{file}: statistics {} vs GX {}", ours["statistics"], gx["statistics"]));
    }
    problems
}

/// Runs a suite of `tests/conformance` through GX and through us on every data set, with the
/// run's `result_format` if given, and asserts agreement. `always_pass` lists the expectations no
/// data set fails (every other one fails somewhere, so agreeing is not vacuous).
fn gx_conformance(suite: &str, result_format: Option<Value>, differences: &[Difference], always_pass: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let files = write_data_sets(dir.path());
    let mut suite_path = repo_root().join("tests/conformance").join(suite);
    if let Some(format) = result_format {
        let mut suite: Value = serde_json::from_str(&std::fs::read_to_string(&suite_path).unwrap()).unwrap();
        suite["result_format"] = format;
        suite_path = dir.path().join("suite.json");
        std::fs::write(&suite_path, suite.to_string()).unwrap();
    }
    let paths: Vec<PathBuf> = files.iter().map(|(path, _)| path.clone()).collect();
    let gx = run_tool("gx", "gx_run.py", &suite_path, &paths);
    let mut problems = Vec::new();
    let mut failed_somewhere = BTreeSet::new();
    for (path, table) in &files {
        let gx = &gx[path.to_str().unwrap()];
        let ours = run_ours(dir.path(), path, "great_expectations", &suite_path, "great_expectations");
        problems.extend(compare_gx(&file_name(path), table, differences, gx, &ours));
        let results = gx["results"].as_array().unwrap().iter().enumerate();
        failed_somewhere.extend(results.filter(|(_, r)| r["success"] == false).map(|(i, _)| i));
    }
    assert!(problems.is_empty(), "{} disagreements with GX:\n{}", problems.len(), problems.join("\n"));
    let expectations = gx.as_object().unwrap().values().next().unwrap()["results"].as_array().unwrap().len();
    let never_failed: Vec<usize> = (0..expectations).filter(|i| !failed_somewhere.contains(i)).collect();
    assert_eq!(never_failed, always_pass, "expectations no data set makes GX fail");
}

#[test]
fn great_expectations_suites_count_what_gx_counts() {
    // Never failing: id is never null and always int64; the tables have rows and a status column.
    gx_conformance("suite.gx.json", None, GX_DIFFERENCES, &[0, 2, 22, 24]);
}

#[test]
fn gx_result_formats_show_what_gx_shows() {
    let complete = json!({"result_format": "COMPLETE", "partial_unexpected_count": 5});
    gx_conformance("suite.gx.json", Some(complete), GX_DIFFERENCES, &[0, 2, 22, 24]);
}

#[test]
fn gx_aggregate_multicolumn_and_table_expectations_count_what_gx_counts() {
    // Never failing: the tables have 8 columns and exactly the listed set.
    gx_conformance("aggregates.gx.json", None, &[], &[18, 20]);
}

#[test]
fn gx_compound_uniqueness_counts_what_gx_counts() {
    gx_conformance("compound.gx.json", None, &[], &[]);
}

/// Our results keyed as pandera's failure cases are: context, column (none for schema-wide
/// uniqueness) and check number, or the check's name for checks without a number.
fn pandera_key(origin: &Value) -> (String, String, String) {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let check = text(&origin["check"]);
    let column = if check == "multiple_fields_uniqueness" { "-".into() } else { text(&origin["column"]) };
    let check = match origin["check_number"].as_u64() {
        Some(number) => format!("#{number}"),
        // pandera names dtype checks after the dtype it resolved, e.g. dtype('str').
        None if check.starts_with("dtype(") => "dtype".into(),
        None => check,
    };
    (text(&origin["schema_context"]), column, check)
}

/// Checks pandera fails as a whole (no failing rows): compared by verdict only.
const PANDERA_VERDICTS: &[&str] = &["dtype(", "column_in_schema", "column_ordered", "unique_values_eq("];

/// Compares our rule results with pandera's failure cases, check by check.
fn compare_pandera(file: &str, table: &Mixed, differences: &[Difference], cases: &Value, ours: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut failing: BTreeMap<(String, String, String), BTreeSet<u64>> = BTreeMap::new();
    for case in cases.as_array().unwrap() {
        let rows = case["rows"].as_array().unwrap().iter().map(|r| r.as_u64().unwrap());
        failing.entry(pandera_key(case)).or_default().extend(rows);
    }
    for rule in ours["result"]["rule_results"].as_array().unwrap() {
        let origin = &rule["origin"];
        let check = origin["check"].as_str().unwrap_or_default();
        let item = format!("{}: {check}", rule["column"].as_str().unwrap_or("-"));
        let at = format!("{file}: {item}");
        let found = failing.remove(&pandera_key(origin));
        let passed = rule["status"] == "passed";
        if PANDERA_VERDICTS.iter().any(|v| check.starts_with(v)) {
            if passed != found.is_none() {
                problems.push(format!("{at}: passed is {passed}, pandera found {found:?}"));
            }
            continue;
        }
        let rows = found.map_or(0, |rows| rows.len() as i64);
        let (delta, why) = difference(differences, &item, table).map_or((0, "the same semantics"), |d| (d.0, d.2));
        let unexpected = rule["unexpected_count"].as_i64().unwrap();
        if unexpected != rows + delta {
            problems.push(format!("{at}: {unexpected} unexpected vs pandera's {rows} failing rows ({why})"));
        }
        if delta == 0 && passed != (rows == 0) {
            problems.push(format!("{at}: passed is {passed} with pandera's {rows} failing rows"));
        }
    }
    for (key, rows) in failing {
        problems
            .push(format!("{file}: pandera failed {key:?} ({} rows) and no rule of ours stands for it", rows.len()));
    }
    problems
}

/// Runs a schema of `tests/conformance` through pandera and through us on every data set and
/// asserts agreement. `always_pass` lists the checks (`column: check`, dtypes aside) no data set
/// fails.
fn pandera_conformance(schema: &str, differences: &[Difference], always_pass: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let files = write_data_sets(dir.path());
    let schema = repo_root().join("tests/conformance").join(schema);
    let paths: Vec<PathBuf> = files.iter().map(|(path, _)| path.clone()).collect();
    let pandera = run_tool("pandera", "pandera_run.py", &schema, &paths);
    let mut problems = Vec::new();
    let mut checks = BTreeMap::new();
    let mut failed_somewhere = BTreeSet::new();
    for (path, table) in &files {
        let cases = &pandera[path.to_str().unwrap()];
        let ours = run_ours(dir.path(), path, "pandera", &schema, "json");
        problems.extend(compare_pandera(&file_name(path), table, differences, cases, &ours));
        failed_somewhere.extend(cases.as_array().unwrap().iter().map(pandera_key));
        for rule in ours["result"]["rule_results"].as_array().unwrap() {
            let origin = &rule["origin"];
            let label = format!("{}: {}", rule["column"].as_str().unwrap_or("-"), origin["check"].as_str().unwrap());
            checks.insert(pandera_key(origin), label);
        }
    }
    assert!(problems.is_empty(), "{} disagreements with pandera:\n{}", problems.len(), problems.join("\n"));
    let never_failed: Vec<&str> = checks
        .iter()
        .filter(|(key, _)| key.2 != "dtype" && !failed_somewhere.contains(*key))
        .map(|(_, label)| label.as_str())
        .collect();
    assert_eq!(never_failed, always_pass, "checks no data set makes pandera fail");
}

#[test]
fn pandera_schemas_count_what_pandera_counts() {
    // Never failing (dtypes aside): ids and big integers are never null, ids never negative.
    let always_pass = ["big: not_nullable", "id: greater_than_or_equal_to(0)", "id: not_nullable"];
    pandera_conformance("schema.pandera.yaml", PANDERA_DIFFERENCES, &always_pass);
}

#[test]
fn pandera_string_and_column_set_checks_count_what_pandera_counts() {
    // Never failing: ids and big integers are never null; every file has exactly the declared
    // columns, in order.
    let always_pass = ["big: not_nullable", "id: not_nullable", "-: column_in_schema", "-: column_ordered"];
    pandera_conformance("strings.pandera.yaml", &[], &always_pass);
}

#[test]
fn pandera_compound_uniqueness_counts_what_pandera_counts() {
    pandera_conformance("compound.pandera.yaml", &[], &[]);
}

/// Where GX and pandera disagree, each translation follows its own tool; where truthound differs
/// from both, the difference is the documented one.
#[test]
fn where_the_tools_disagree_each_translation_follows_its_tool() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // One row has a combining mark (e + U+0301), one the country code "NA", and `n` is an
    // integer column with nulls.
    std::fs::write(
        d.join("data.csv"),
        "code,word,country,n\nabc,e\u{301},NA,1\nxabc,plain,DE,\nb,日本語,,3\n,ok,FR,\n",
    )
    .unwrap();
    let suite = json!({"name": "disagreements", "expectations": [
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "code", "regex": "b"}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "word", "regex": "^\\w+$"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "country"}},
        {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": "n", "type_": "int64"}},
    ]});
    std::fs::write(d.join("suite.json"), suite.to_string()).unwrap();
    let schema = "columns:\n  code: {dtype: str, nullable: true, str_matches: b}\n  word: {dtype: str, str_matches: '\\w+$'}\n  country: {dtype: str}\n  n: {dtype: int64, nullable: true}\n";
    std::fs::write(d.join("schema.yaml"), schema).unwrap();
    let data = d.join("data.csv");

    let gx = run_tool("gx", "gx_run.py", &d.join("suite.json"), std::slice::from_ref(&data));
    let gx = gx[data.to_str().unwrap()]["results"].as_array().unwrap().clone();
    let ours_gx = run_ours(d, &data, "ge", &d.join("suite.json"), "great_expectations");
    let ours_gx = ours_gx["results"].as_array().unwrap();
    let gx_count = |results: &[Value], i: usize| results[i]["result"]["unexpected_count"].as_i64().unwrap();

    let pandera = run_tool("pandera", "pandera_run.py", &d.join("schema.yaml"), std::slice::from_ref(&data));
    let pandera_rows = |column: &str, check: &str| -> i64 {
        let cases = pandera[data.to_str().unwrap()].as_array().unwrap();
        let case = cases.iter().find(|c| c["column"] == column && c["check"].as_str().unwrap().starts_with(check));
        case.map_or(0, |c| c["rows"].as_array().unwrap().len() as i64)
    };
    let pandera_failed = |column: &str, check: &str| {
        pandera[data.to_str().unwrap()]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["column"] == column && c["check"].as_str().unwrap().starts_with(check))
    };
    let ours_pandera = run_ours(d, &data, "pandera", &d.join("schema.yaml"), "json");
    let ours_pandera = ours_pandera["result"]["rule_results"].as_array().unwrap().clone();
    let ours = |column: &str, check: &str| -> &Value {
        ours_pandera
            .iter()
            .find(|r| r["column"] == column && r["origin"]["check"].as_str().unwrap().starts_with(check))
            .unwrap_or_else(|| panic!("no rule for {column}: {check}"))
    };

    // Regex anchoring: GX searches, pandera's str_matches is anchored at the start.
    let (searched, matched) = (gx_count(&gx, 0), pandera_rows("code", "str_matches"));
    assert_ne!(searched, matched, "GX and pandera disagree on 'b' in abc and xabc");
    assert_eq!(gx_count(ours_gx, 0), searched, "the GX translation searches");
    assert_eq!(ours("code", "str_matches")["unexpected_count"], matched, "the pandera translation anchors");
    // \w: Python's re leaves out combining marks; Rust's regex (Unicode's definition) includes them.
    assert_eq!(gx_count(ours_gx, 1), gx_count(&gx, 1) - 1);
    assert_eq!(ours("word", "str_matches")["unexpected_count"], pandera_rows("word", "str_matches") - 1);
    // CSV: pandas reads NA (and null, None, n/a...) as missing; only empty fields are null here.
    assert_eq!(gx_count(ours_gx, 2), gx_count(&gx, 2) - 1);
    assert_eq!(ours("country", "not_nullable")["unexpected_count"], pandera_rows("country", "not_nullable") - 1);
    // An integer column with nulls stays an integer column (pandas turns it into float64).
    assert_eq!((gx[3]["success"].clone(), ours_gx[3]["success"].clone()), (json!(false), json!(true)));
    assert!(pandera_failed("n", "dtype("));
    assert_eq!(ours("n", "dtype(")["status"], "passed");
}
