//! `profile` and `learn` through the real binary: Kestra outputs and metrics, report files, a
//! learned rule file that `check` takes as it is and that catches injected faults.

mod support;

use support::{repo_root, run};

#[test]
fn profile_prints_the_seed_envelope_with_column_profiles_and_metrics() {
    let run = run(&["profile", "examples/orders.csv", "--histograms", "--top-n", "3"]);
    run.expect_code(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let outputs = run.outputs();
    assert_eq!((outputs["status"].as_str(), outputs["row_count"].as_u64()), (Some("passed"), Some(1000)));
    assert_eq!(outputs["result"]["operation"], "profile");
    let columns = outputs["result"]["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 6);
    let status = columns.iter().find(|c| c["column_name"] == "status").unwrap();
    assert_eq!(status["unique_count"], 4);
    assert_eq!(status["metadata"]["top_values"].as_array().unwrap().len(), 3);
    let amount = columns.iter().find(|c| c["column_name"] == "amount").unwrap();
    assert_eq!(amount["metadata"]["negative_count"], 6, "the example has six negative amounts");
    let bins: u64 = amount["metadata"]["histogram"].as_array().unwrap().iter().map(|b| b[2].as_u64().unwrap()).sum();
    assert_eq!(bins, 1000);
    assert_eq!(run.metric("columns")["value"], 6.0);
}

#[test]
fn profile_options_change_the_work_done() {
    let run = run(&["profile", "examples/orders.csv", "--no-stats", "--sample-size", "100"]);
    run.expect_code(0);
    let outputs = run.outputs();
    assert_eq!(outputs["row_count"], 100);
    assert_eq!(outputs["result"]["metadata"]["sampled"], true);
    let amount = &outputs["result"]["columns"][2];
    assert!(amount["mean"].is_null() && amount["metadata"]["quantiles"].as_array().unwrap().is_empty());
}

#[test]
fn profile_reports_go_to_files_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (format, marker) in [
        ("markdown", "## Column Profiles"),
        ("html", "<h2>Column profiles</h2>"),
        ("yaml", "operation: profile"),
        ("json", "\"operation\""),
    ] {
        let path = dir.path().join(format!("profile.{format}"));
        run(&["profile", "examples/orders.csv", "--format", format, "--output", path.to_str().unwrap()]).expect_code(0);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(marker), "{format}: {text}");
    }
}

#[test]
fn a_learned_rule_file_passes_on_its_data_and_catches_injected_faults() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    let learn = run(&["learn", "examples/orders.csv", "--output", rules.to_str().unwrap()]);
    learn.expect_code(0);
    assert!(learn.stderr.is_empty(), "nothing dropped: {}", learn.stderr);
    let outputs = learn.outputs();
    let learned = outputs["learned_rules"].as_array().unwrap();
    assert_eq!(learn.metric("rules")["value"].as_f64(), Some(learned.len() as f64));
    assert!(learned.iter().any(|r| r["type"] == "in_set" && r["column"] == "status"));
    let good = run(&["check", "examples/orders.csv", "--rules", rules.to_str().unwrap()]);
    good.expect_code(0);
    assert_eq!(good.outputs()["status"], "passed");

    // A copy with a missing id, a huge amount and a new country.
    let original = std::fs::read_to_string(repo_root().join("examples/orders.csv")).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(|c: char| c.is_ascii_digit(), "", 1);
    let fields: Vec<&str> = lines[2].split(',').collect();
    lines[2] = format!("{},{},99999.5,{},{},{}", fields[0], fields[1], fields[3], fields[4], fields[5]);
    lines[3] = lines[3].replacen(",US,", ",XX,", 1).replacen(",JP,", ",XX,", 1).replacen(",DE,", ",XX,", 1);
    let faulty = dir.path().join("faulty.csv");
    std::fs::write(&faulty, lines.join("\n") + "\n").unwrap();
    let bad = run(&["check", faulty.to_str().unwrap(), "--rules", rules.to_str().unwrap()]);
    bad.expect_code(1);
    let failed: Vec<String> = bad.outputs()["result"]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}({})", f["rule_type"].as_str().unwrap(), f["column"].as_str().unwrap()))
        .collect();
    for rule in ["not_null(order_id)", "in_range(amount)", "in_set(country)"] {
        assert!(failed.contains(&rule.to_string()), "{rule} should fail: {failed:?}");
    }
}

#[test]
fn learn_takes_a_sample_and_reports_what_it_learned_from() {
    let run = run(&["learn", "examples/orders.csv", "--sample-size", "100", "--no-ranges"]);
    run.expect_code(0);
    let outputs = run.outputs();
    assert_eq!(outputs["result"]["total_rows"], 100);
    let rules = outputs["learned_rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["type"] != "in_range"));
    // A hundred rows are weaker evidence than the thousand of the whole file.
    let confidence = |run: &support::Run| -> f64 {
        let rules = run.outputs()["result"]["rules"].as_array().unwrap().clone();
        let not_null = rules.iter().find(|r| r["rule_type"] == "not_null" && r["column"] == "order_id").unwrap();
        not_null["confidence"].as_f64().unwrap()
    };
    let whole = support::run(&["learn", "examples/orders.csv"]);
    assert!(confidence(&run) < confidence(&whole), "{} vs {}", confidence(&run), confidence(&whole));
}

#[test]
fn learn_options_are_validated_and_reports_rendered() {
    run(&["learn", "examples/orders.csv", "--min-confidence", "1.5"]).expect_code(2);
    run(&["learn", "examples/no-such-file.csv"]).expect_code(3);
    let markdown = run(&["learn", "examples/orders.csv", "--format", "markdown", "--no-categories"]);
    markdown.expect_code(0);
    assert!(markdown.stdout.contains("## Learned Rules") && !markdown.stdout.contains("| in_set |"));
}
