//! Rule documents in every format the engine reads (truthound, Great Expectations, pandera):
//! whatever the text, the engine answers with a result or a `QualityError`, never a panic, and a
//! checker it accepts runs over a small table, exports its state and merges it back.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use truthound_guest::Checker;
use truthound_guest::model::{CheckOptions, RuleFormat};

static ORDERS: OnceLock<Vec<u8>> = OnceLock::new();

fuzz_target!(|input: &[u8]| {
    // The first byte picks the format, the rest is the document.
    let Some((&selector, document)) = input.split_first() else { return };
    let Ok(document) = std::str::from_utf8(document) else { return };
    let rule_format = match selector % 3 {
        0 => RuleFormat::Truthound,
        1 => RuleFormat::GreatExpectations,
        _ => RuleFormat::Pandera,
    };
    let options = CheckOptions { sample_failures: 3, rule_format, ..CheckOptions::default() };
    let Ok(mut checker) = Checker::new(document, options) else { return };
    let _ = checker.required_columns();
    let orders = ORDERS.get_or_init(truthound_fuzz::orders_ipc);
    if checker.feed_ipc(orders.clone()).is_err() {
        return;
    }
    let state = checker.export_state();
    if let Ok(mut merged) = Checker::new(document, options) {
        let _ = merged.merge_state(&state);
        let _ = merged.finish();
    }
    let _ = checker.finish();
});
