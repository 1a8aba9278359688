//! Every generated flow, over the whole option matrix, passes the offline validator: no error
//! and no warning.

use truthound_guest::flow_lint::validate_flow;
use truthound_guest::flows::matrix::generation_matrix;

#[test]
fn every_generated_flow_passes_flow_validate() {
    let matrix = generation_matrix();
    assert!(matrix.len() > 1000, "the matrix covers the options: {} cases", matrix.len());
    let mut failures = Vec::new();
    for (label, yaml) in &matrix {
        let findings = validate_flow(yaml);
        if !findings.is_empty() {
            failures.push(format!("{label}: {findings:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} flows have findings, first: {}", failures.len(), matrix.len(), failures[0]);
}
