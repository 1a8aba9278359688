//! A hostile engine plugin (a test fixture): its rule document says how to misbehave.
//!
//! - `loop`: `checker.create` never returns.
//! - `allocate`: `checker.create` allocates until memory runs out.
//! - `escape <file> <host:port>`: `checker.create` reads the file, connects to the address and
//!   counts the environment; if it gets anything it returns a checker whose result carries what
//!   it got, otherwise it aborts (a trap) after writing what each attempt gave to stderr.
//! - anything else: a well-behaved checker without rules, so a test can prove the host is
//!   healthy after a hostile run.

wit_bindgen::generate!({ world: "check-engine", path: "../../wit" });

use exports::truthound::quality::check::{self, Guest, GuestChecker};
use exports::truthound::quality::types::{CheckOptions, CheckResult, QualityError, Status};

struct Component;

impl Guest for Component {
    type Checker = Checker;

    fn combine_results(mut shards: Vec<CheckResult>) -> Result<CheckResult, QualityError> {
        Ok(shards.remove(0))
    }
}

/// A checker that counts rows and reports what an escape attempt got, if anything.
struct Checker {
    loot: Option<String>,
    rows: std::cell::Cell<u64>,
}

impl GuestChecker for Checker {
    fn create(rule_document: String, _options: CheckOptions) -> Result<check::Checker, QualityError> {
        let words: Vec<&str> = rule_document.split_whitespace().collect();
        let loot = match words.as_slice() {
            ["loop"] => spin_forever(),
            ["allocate"] => allocate_forever(),
            ["escape", file, address] => Some(escape(file, address)),
            _ => None,
        };
        Ok(check::Checker::new(Checker { loot, rows: Default::default() }))
    }

    fn required_columns(&self) -> Vec<String> {
        Vec::new()
    }

    fn declare_source_schema(&self, _ipc_schema: Vec<u8>) -> Result<(), QualityError> {
        Ok(())
    }

    fn feed(&self, ipc_stream: Vec<u8>) -> Result<(), QualityError> {
        self.rows.set(self.rows.get() + u64::from(!ipc_stream.is_empty()));
        Ok(())
    }

    fn export_state(&self) -> Result<Vec<u8>, QualityError> {
        Ok(self.rows.get().to_le_bytes().to_vec())
    }

    fn merge_state(&self, _state: Vec<u8>) -> Result<(), QualityError> {
        Ok(())
    }

    fn finish(&self) -> Result<CheckResult, QualityError> {
        Ok(CheckResult {
            status: Status::Passed,
            passed_count: 0,
            failed_count: 0,
            warning_count: 0,
            row_count: 0,
            columns_read: Vec::new(),
            suite_name: self.loot.clone(),
            rule_results: Vec::new(),
        })
    }
}

export!(Component);

fn spin_forever() -> ! {
    let mut counter = 0u64;
    loop {
        counter = std::hint::black_box(counter.wrapping_add(1));
    }
}

fn allocate_forever() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1; 16 << 20]);
        std::hint::black_box(&hoard);
    }
}

/// Tries the file, the socket and the environment; aborts (a trap for the host) when all fail.
fn escape(file: &str, address: &str) -> String {
    let read = std::fs::read_to_string(file);
    let connected = std::net::TcpStream::connect(address);
    let environment = std::env::vars_os().count();
    match (read, connected) {
        (Err(read), Err(connect)) if environment == 0 => {
            eprintln!(
                "escape failed: reading {file}: {read}; connecting to {address}: {connect}; environment variables: 0"
            );
            std::process::abort()
        }
        (read, connected) => {
            format!("escaped: file {read:?}, socket {connected:?}, environment variables {environment}")
        }
    }
}
