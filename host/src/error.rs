//! Run errors and the exit codes that tell them apart.

use crate::runtime::{ErrorKind, QualityError};

/// Why a run could not produce a result. Each kind has its own exit code.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RunError {
    /// Bad command line, rule document, rule, option or state file (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The data could not be found or read (exit 3).
    #[error("{0}")]
    Data(String),
    /// The engine trapped, hit a limit or timed out (exit 4).
    #[error("{0}")]
    Engine(String),
}

/// Exit codes of the CLI.
pub mod exit_code {
    /// Passed, or passed with warnings, or failed without `--fail-on-error`.
    pub const SUCCESS: i32 = 0;
    /// Rules failed and `fail_on_error` is on.
    pub const RULES_FAILED: i32 = 1;
    /// Usage, rule-document or configuration error.
    pub const USAGE: i32 = 2;
    /// The data could not be read.
    pub const DATA: i32 = 3;
    /// Engine error: trap, memory limit, timeout.
    pub const ENGINE: i32 = 4;
    /// The SLA was violated and `--sla-fail` is on. Wins over [`RULES_FAILED`]: a run whose rules
    /// failed and whose SLA was violated exits 5; errors (2, 3, 4) end the run before either.
    pub const SLA_VIOLATION: i32 = 5;
}

impl RunError {
    /// The exit code of this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Usage(_) => exit_code::USAGE,
            RunError::Data(_) => exit_code::DATA,
            RunError::Engine(_) => exit_code::ENGINE,
        }
    }

    /// Classifies an error the guest returned.
    pub fn from_guest(error: QualityError) -> RunError {
        match error.kind {
            ErrorKind::RuleDocument | ErrorKind::UnknownColumn | ErrorKind::State | ErrorKind::Options => {
                RunError::Usage(error.message)
            }
            ErrorKind::Data => RunError::Data(error.message),
        }
    }
}
