//! Arrow IPC streams as a host (or an attacker controlling the data) may feed them: the checker,
//! with rules fitted to the stream's schema, and the profiler either decode and compute, or
//! answer with a `QualityError`; never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, ProfileOptions};
use truthound_guest::profile::Profiler;

fuzz_target!(|input: &[u8]| {
    let options = CheckOptions { sample_failures: 3, ..CheckOptions::default() };
    // Fitted rules can still be refused (say, a column with an empty name): then the stream
    // is checked by a table rule alone, which still decodes every batch.
    let fitted = truthound_fuzz::stream_schema(input).map(|schema| truthound_fuzz::rules_for(&schema));
    let mut checker = fitted
        .and_then(|rules| Checker::new(&rules, options).ok())
        .unwrap_or_else(|| Checker::new("- {type: row_count, min: 1}", options).expect("a valid rule document"));
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
