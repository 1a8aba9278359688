//! The `truthound:quality` engine: rule documents, analyzers, rules and reports. Everything here
//! is pure computation over Arrow data; the host does all I/O. On `wasm32` the crate also exports
//! the WIT world `engine` (with the `web` feature: world `browser`, which adds file decoding);
//! natively it is a plain library used by tests and benchmarks.

pub mod analyzers;
pub mod checker;
#[cfg(feature = "web")]
pub mod decode;
pub mod document;
pub mod engines;
pub mod flow_lint;
pub mod flows;
pub mod formats;
pub mod ipc_frames;
pub mod json_syntax;
pub mod learn;
pub mod model;
pub mod profile;
pub mod report;
pub mod rules;
mod short_bytes;
pub mod sla;
pub mod stats;
pub mod strptime;
pub mod temporal;
pub mod values;

#[cfg(target_arch = "wasm32")]
mod component;

pub use checker::Checker;
