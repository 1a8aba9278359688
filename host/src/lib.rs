//! truthound-kestra: data-quality validation for Kestra. The rules run in a sandboxed
//! WebAssembly component (`truthound:quality`); this crate reads the data, streams it into the
//! component and speaks Kestra's script protocol.

pub mod check;
pub mod context;
mod data_parallel;
mod engine_config;
pub mod error;
pub mod fanout;
pub mod flow_generate;
pub mod flow_validate;
pub mod kestra;
pub mod outputs;
pub mod partial_state;
pub mod profile;
pub mod runtime;
pub mod sla;
pub mod source;

/// The flow generator (linked natively; the engine component exports the same as `flows`).
pub use truthound_guest::flows;

pub use check::{CheckConfig, CheckReport, Preset, run_check};
pub use context::{ExecutionContext, get_execution_context, get_kestra_variable};
pub use error::{DataQualityError, ErrorDetails, ErrorKind, exit_code};
pub use runtime::{Limits, Runtime, Session};
