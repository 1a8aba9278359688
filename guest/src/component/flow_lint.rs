//! The WIT interface `flow-lint`: conversions around [`crate::flow_lint::validate_flow`].

use super::Component;
use super::exports::truthound::quality::flow_lint::{Finding, FindingSeverity, Guest};
use crate::flow_lint;

impl Guest for Component {
    fn validate_flow(yaml: String) -> Vec<Finding> {
        flow_lint::validate_flow(&yaml)
            .into_iter()
            .map(|finding| Finding {
                path: finding.path,
                severity: match finding.severity {
                    flow_lint::FindingSeverity::Error => FindingSeverity::Error,
                    flow_lint::FindingSeverity::Warning => FindingSeverity::Warning,
                },
                message: finding.message,
            })
            .collect()
    }
}
