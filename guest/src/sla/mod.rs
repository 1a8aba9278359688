//! SLA monitoring (the seed's `sla` module): thresholds on a check's outcome (failure and pass
//! rates, execution time, row counts, warnings) and a counter of consecutive failing runs.
//!
//! Everything here is pure: the caller passes the previous consecutive-failure count in and
//! stores the new one, so the same evaluation runs in the component, in the host and in the
//! browser. The guest has no clock: timestamps come with the metrics.

mod config;
mod evaluate;
mod format;
mod metrics;
mod violation;

pub use config::{SlaConfig, SlaConfigError};
pub use evaluate::{SlaEvaluation, evaluate};
pub use format::{format_percentage, format_thousands};
pub use metrics::SlaMetrics;
pub use violation::{AlertLevel, SlaViolation, SlaViolationType};
