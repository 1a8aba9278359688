//! Native micro-benchmark of the `unique` analyzer: 10M distinct e-mail-like strings fed in
//! 64k-row batches. `cargo run --release -p truthound-guest --example unique_throughput`
//! (the component runs the same code under wasmtime; bench/run.py measures that end to end).

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use std::sync::Arc;
use std::time::Instant;

const ROWS: usize = 10_000_000;
const BATCH: usize = 65_536;

fn main() {
    let values: Vec<String> = (0..ROWS as u64)
        .map(|i| format!("anna.{}@corp.example.org", i * 2_654_435_761 % 70_000_000 + 1_000_003))
        .collect();
    let array = StringArray::from(values);
    let batches: Vec<RecordBatch> = (0..ROWS)
        .step_by(BATCH)
        .map(|offset| {
            let slice = array.slice(offset, BATCH.min(ROWS - offset));
            RecordBatch::try_from_iter([("email", Arc::new(slice) as ArrayRef)]).expect("one column")
        })
        .collect();
    let mut checker =
        truthound_guest::Checker::new("- {type: unique, column: email}", Default::default()).expect("valid rules");
    let started = Instant::now();
    for batch in &batches {
        checker.feed_batch(batch).expect("string column");
    }
    let result = checker.finish().expect("data was fed");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "unique over {ROWS} values: {seconds:.2} s ({:.0} ns per value), {} unexpected",
        seconds * 1e9 / ROWS as f64,
        result.rule_results[0].unexpected_count
    );
}
