//! Arrow IPC streams as a host (or an attacker controlling the data) may feed them: the checker,
//! with rules fitted to the stream's schema, and the profiler either decode and compute, or
//! answer with a `QualityError`; never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, ProfileOptions};
use truthound_guest::profile::Profiler;

fuzz_target!(|input: &[u8]| {
    let rules = match truthound_fuzz::stream_schema(input) {
        Some(schema) => truthound_fuzz::rules_for(&schema),
        None => "- {type: row_count, min: 1}".to_string(),
    };
    let mut checker = Checker::new(&rules, CheckOptions { sample_failures: 3, ..CheckOptions::default() })
        .expect("rules_for writes valid rule documents");
    if checker.feed_ipc(input.to_vec()).is_ok() {
        let _ = checker.finish();
    }
    let mut declared =
        Checker::new("- {type: column_count, min: 1}", CheckOptions::default()).expect("a valid rule document");
    let _ = declared.declare_source_schema_ipc(input.to_vec());
    let options = ProfileOptions {
        include_histograms: true,
        infer_patterns: true,
        distinct_limit: 4,
        ..ProfileOptions::default()
    };
    let mut profiler = Profiler::new(options).expect("valid profile options");
    if profiler.feed_ipc(input.to_vec()).is_ok() {
        let _ = profiler.finish();
    }
});
