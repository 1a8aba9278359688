//! A checker's state: per rule, the values evaluated and those that failed the checksum, with a
//! few samples. States merge by adding counts, so a host may split the rows between checkers.

use crate::exports::truthound::quality::types::{
    CheckOptions, CheckResult, ErrorKind, FailureSample, QualityError, ReportSeverity, RuleResult, Severity, Status,
};
use crate::luhn;
use crate::rules::{self, Rule};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_ipc::reader::StreamReader;
use arrow_schema::{DataType, SchemaRef};
use serde::{Deserialize, Serialize};

/// What one rule has seen so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Counts {
    evaluated: u64,
    unexpected: u64,
    nulls: u64,
    /// The first invalid values and their rows.
    samples: Vec<(u64, String)>,
}

/// The mergeable part of a checker.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct State {
    rows: u64,
    /// Column names of the data, once known.
    columns: Option<Vec<String>>,
    counts: Vec<Counts>,
}

/// A check in progress.
pub struct Checker {
    rules: Vec<Rule>,
    options: CheckOptions,
    state: State,
}

impl Checker {
    /// A checker of `rules` with nothing fed.
    pub fn new(rules: Vec<Rule>, options: CheckOptions) -> Checker {
        let state = State { counts: vec![Counts::default(); rules.len()], ..State::default() };
        Checker { rules, options, state }
    }

    /// The columns the rules read.
    pub fn required_columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = self.rules.iter().map(|r| r.column.clone()).collect();
        columns.dedup();
        columns
    }

    /// Records every column of the data (the host may then feed only the required ones).
    pub fn declare_source_schema(&mut self, ipc_schema: &[u8]) -> Result<(), QualityError> {
        let reader = StreamReader::try_new(ipc_schema, None).map_err(|e| data_error(format!("bad schema: {e}")))?;
        self.state.columns = Some(reader.schema().fields().iter().map(|f| f.name().clone()).collect());
        Ok(())
    }

    /// Evaluates every rule over the record batches of one Arrow IPC stream.
    pub fn feed(&mut self, ipc_stream: &[u8]) -> Result<(), QualityError> {
        let reader = StreamReader::try_new(ipc_stream, None).map_err(|e| data_error(format!("bad Arrow IPC: {e}")))?;
        let schema = reader.schema();
        self.check_columns(&schema)?;
        for batch in reader {
            let batch = batch.map_err(|e| data_error(format!("bad Arrow IPC batch: {e}")))?;
            self.feed_batch(&batch)?;
        }
        Ok(())
    }

    fn check_columns(&mut self, schema: &SchemaRef) -> Result<(), QualityError> {
        let known =
            self.state.columns.get_or_insert_with(|| schema.fields().iter().map(|f| f.name().clone()).collect());
        for rule in &self.rules {
            if !known.contains(&rule.column) {
                let message = format!("unknown column '{}'; the data has columns: {}", rule.column, known.join(", "));
                return Err(QualityError { kind: ErrorKind::UnknownColumn, message });
            }
        }
        Ok(())
    }

    fn feed_batch(&mut self, batch: &RecordBatch) -> Result<(), QualityError> {
        let first_row = self.state.rows;
        for (rule, counts) in self.rules.iter().zip(&mut self.state.counts) {
            let Some(column) = batch.column_by_name(&rule.column) else { continue };
            for (offset, value) in text_values(column.as_ref(), &rule.column)?.into_iter().enumerate() {
                let Some(value) = value else {
                    counts.nulls += 1;
                    continue;
                };
                counts.evaluated += 1;
                if !luhn::is_valid(&value) {
                    counts.unexpected += 1;
                    if counts.samples.len() < self.options.sample_failures as usize {
                        counts.samples.push((first_row + offset as u64, value));
                    }
                }
            }
        }
        self.state.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// The state, serialized.
    pub fn export_state(&self) -> Vec<u8> {
        serde_json::to_vec(&self.state).expect("the state is plain data")
    }

    /// Adds a state exported by a checker of the same rules, as if its rows came next.
    pub fn merge_state(&mut self, bytes: &[u8]) -> Result<(), QualityError> {
        let other: State = serde_json::from_slice(bytes)
            .map_err(|e| QualityError { kind: ErrorKind::State, message: format!("not a luhn-engine state: {e}") })?;
        if other.counts.len() != self.state.counts.len() {
            let message = "the state belongs to another rule document".to_string();
            return Err(QualityError { kind: ErrorKind::State, message });
        }
        let offset = self.state.rows;
        for (mine, theirs) in self.state.counts.iter_mut().zip(other.counts) {
            mine.evaluated += theirs.evaluated;
            mine.unexpected += theirs.unexpected;
            mine.nulls += theirs.nulls;
            let room = (self.options.sample_failures as usize).saturating_sub(mine.samples.len());
            mine.samples.extend(theirs.samples.into_iter().take(room).map(|(row, value)| (row + offset, value)));
        }
        self.state.rows += other.rows;
        if self.state.columns.is_none() {
            self.state.columns = other.columns;
        }
        Ok(())
    }

    /// Evaluates every rule over everything fed and merged.
    pub fn finish(&self) -> Result<CheckResult, QualityError> {
        let results: Vec<RuleResult> = self
            .rules
            .iter()
            .zip(&self.state.counts)
            .enumerate()
            .map(|(index, (rule, counts))| self.rule_result(index, rule, counts))
            .collect();
        Ok(summarize(results, self.state.rows, self.required_columns()))
    }

    fn rule_result(&self, index: usize, rule: &Rule, counts: &Counts) -> RuleResult {
        let severity = rules::severity(rule).expect("checked when parsed");
        let unexpected_percent =
            if counts.evaluated == 0 { 0.0 } else { counts.unexpected as f64 / counts.evaluated as f64 * 100.0 };
        let passed = counts.evaluated == 0 || (1.0 - unexpected_percent / 100.0) >= rule.mostly;
        let status = match (passed, severity) {
            (true, _) => Status::Passed,
            (false, Severity::Critical | Severity::Error) if !self.below_min_severity(severity) => Status::Failed,
            (false, _) => Status::Warning,
        };
        let message = if passed {
            format!("{} of {} values pass the Luhn checksum", counts.evaluated - counts.unexpected, counts.evaluated)
        } else {
            format!("{} of {} values fail the Luhn checksum", counts.unexpected, counts.evaluated)
        };
        RuleResult {
            index: index as u32,
            rule_type: "luhn".into(),
            name: rule.name.clone().unwrap_or_else(|| format!("luhn({})", rule.column)),
            column: Some(rule.column.clone()),
            parameters: "{}".into(),
            severity,
            status,
            element_count: self.state.rows,
            evaluated_count: counts.evaluated,
            unexpected_count: counts.unexpected,
            unexpected_percent,
            null_count: counts.nulls,
            mostly: rule.mostly,
            observed_value: format!("{}", counts.unexpected),
            samples: counts
                .samples
                .iter()
                .map(|(row, value)| FailureSample { row: *row, value: value.clone() })
                .collect(),
            message,
            origin: None,
        }
    }

    /// Whether failures of `severity` rank below the run's `min-severity` (then they only warn).
    fn below_min_severity(&self, severity: Severity) -> bool {
        let rank = |s: ReportSeverity| s as u8;
        let reported = match severity {
            Severity::Critical => ReportSeverity::Critical,
            Severity::Error => ReportSeverity::High,
            Severity::Warning => ReportSeverity::Medium,
            Severity::Info => ReportSeverity::Low,
        };
        rank(reported) < rank(self.options.min_severity)
    }
}

/// The check's result from its rules' results.
fn summarize(rule_results: Vec<RuleResult>, row_count: u64, columns_read: Vec<String>) -> CheckResult {
    let count = |status: Status| rule_results.iter().filter(|r| r.status == status).count() as u32;
    let (passed_count, failed_count, warning_count) =
        (count(Status::Passed), count(Status::Failed), count(Status::Warning));
    let status = if failed_count > 0 {
        Status::Failed
    } else if warning_count > 0 {
        Status::Warning
    } else {
        Status::Passed
    };
    CheckResult {
        status,
        passed_count,
        failed_count,
        warning_count,
        row_count,
        columns_read,
        suite_name: None,
        rule_results,
    }
}

/// Joins shards' results: each shard checked every rule here, so the first result stands.
pub fn combine(mut shards: Vec<CheckResult>) -> Result<CheckResult, QualityError> {
    if shards.is_empty() {
        return Err(QualityError { kind: ErrorKind::Options, message: "no results to combine".into() });
    }
    Ok(shards.swap_remove(0))
}

/// The values of a string or integer column as text (None for nulls).
fn text_values(column: &dyn Array, name: &str) -> Result<Vec<Option<String>>, QualityError> {
    let values = match column.data_type() {
        DataType::Utf8 => column.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect(),
        DataType::LargeUtf8 => column.as_string::<i64>().iter().map(|v| v.map(str::to_string)).collect(),
        DataType::Utf8View => column.as_string_view().iter().map(|v| v.map(str::to_string)).collect(),
        DataType::Int64 => column.as_primitive::<Int64Type>().iter().map(|v| v.map(|n| n.to_string())).collect(),
        DataType::Int32 => column.as_primitive::<Int32Type>().iter().map(|v| v.map(|n| n.to_string())).collect(),
        DataType::UInt64 => column.as_primitive::<UInt64Type>().iter().map(|v| v.map(|n| n.to_string())).collect(),
        other => return Err(data_error(format!("column '{name}' has type {other}; luhn reads strings or integers"))),
    };
    Ok(values)
}

fn data_error(message: String) -> QualityError {
    QualityError { kind: ErrorKind::Data, message }
}
