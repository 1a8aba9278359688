//! The error an evaluation raises on request (the seed's `SLAViolationError`).

use truthound_guest::sla::SlaViolation;

/// An SLA was violated and the caller asked for an error (`raise_on_violation`).
#[derive(Clone, Debug, PartialEq)]
pub struct SlaViolationError {
    /// `SLA violated: {n} violation(s)`.
    pub message: String,
    /// What was violated.
    pub violations: Vec<SlaViolation>,
}

impl SlaViolationError {
    /// The error for these violations.
    pub fn new(violations: Vec<SlaViolation>) -> SlaViolationError {
        SlaViolationError { message: format!("SLA violated: {} violation(s)", violations.len()), violations }
    }
}

impl std::fmt::Display for SlaViolationError {
    /// The seed's text: the message, then the violation count when there are any.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.violations.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{} ({} violation(s))", self.message, self.violations.len())
        }
    }
}

impl std::error::Error for SlaViolationError {}
