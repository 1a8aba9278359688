//! The profiler natively (no WebAssembly) over a file, per phase, for finding hot spots with
//! `perf record`: `cargo run --release --example profile_native -- FILE.parquet`.

use std::time::Instant;
use truthound_guest::model::ProfileOptions;
use truthound_guest::profile::Profiler;
use truthound_kestra::source::{ReadOptions, open};

fn main() {
    let path = std::env::args().nth(1).expect("usage: profile_native FILE");
    let started = Instant::now();
    let data = open(&path, &ReadOptions::default()).expect("readable data");
    let batches: Vec<_> = data.batches.map(|b| b.expect("a batch")).collect();
    let read = started.elapsed();
    let mut profiler = Profiler::new(ProfileOptions::default()).expect("valid options");
    for batch in &batches {
        profiler.feed_batch(batch).expect("profiled");
    }
    let result = profiler.finish().expect("a profile");
    println!(
        "read {:.2} s, profiled {} rows in {:.2} s",
        read.as_secs_f64(),
        result.row_count,
        (started.elapsed() - read).as_secs_f64()
    );
}
