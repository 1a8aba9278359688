//! An example engine plugin for truthound-kestra: a component that implements the
//! `truthound:quality/check-engine` world from the project's WIT (the shared types and the
//! streaming `check` interface) with a rule family the built-in engine lacks, Luhn checksums.
//!
//! Rule documents are YAML or JSON lists of rules:
//!
//! ```yaml
//! - {type: luhn, column: card_number}                  # digits, spaces and dashes
//! - {type: luhn, column: imei, mostly: 0.99, severity: warning}
//! ```
//!
//! Run it with `truthound-kestra check data.csv --rules rules.yaml --engine luhn_engine.wasm`.

mod luhn;
mod rules;
mod state;

wit_bindgen::generate!({ world: "check-engine", path: "../../wit" });

use exports::truthound::quality::check::{self, Guest, GuestChecker};
use exports::truthound::quality::types::{CheckOptions, CheckResult, QualityError};
use state::Checker;
use std::cell::RefCell;

struct Component;

impl Guest for Component {
    type Checker = CheckerResource;

    fn combine_results(shards: Vec<CheckResult>) -> Result<CheckResult, QualityError> {
        state::combine(shards)
    }
}

/// The `checker` resource: WIT resources get `&self`, so the state sits in a `RefCell`.
struct CheckerResource(RefCell<Checker>);

impl GuestChecker for CheckerResource {
    fn create(rule_document: String, options: CheckOptions) -> Result<check::Checker, QualityError> {
        let rules = rules::parse(&rule_document)?;
        Ok(check::Checker::new(CheckerResource(RefCell::new(Checker::new(rules, options)))))
    }

    fn required_columns(&self) -> Vec<String> {
        self.0.borrow().required_columns()
    }

    fn declare_source_schema(&self, ipc_schema: Vec<u8>) -> Result<(), QualityError> {
        self.0.borrow_mut().declare_source_schema(&ipc_schema)
    }

    fn feed(&self, ipc_stream: Vec<u8>) -> Result<(), QualityError> {
        self.0.borrow_mut().feed(&ipc_stream)
    }

    fn export_state(&self) -> Result<Vec<u8>, QualityError> {
        Ok(self.0.borrow().export_state())
    }

    fn merge_state(&self, state: Vec<u8>) -> Result<(), QualityError> {
        self.0.borrow_mut().merge_state(&state)
    }

    fn finish(&self) -> Result<CheckResult, QualityError> {
        self.0.borrow().finish()
    }
}

export!(Component);
