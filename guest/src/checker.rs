//! A streaming check: rules planned into shared analyzers, fed Arrow IPC batches, merged with
//! other partial states, finished into a result.

mod shared_counts;

use shared_counts::SharedCounts;

use crate::analyzers::spill::SpillSettings;
use crate::analyzers::{Analyzer, Metric, Part, decode, encode};
use crate::document::{RuleDocument, RuleSpec};
use crate::model::{CheckOptions, CheckResult, ErrorKind, QualityError, RuleResult, Status};
use crate::rules::{Planner, Rule, Table, build_rule};
use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{DataType, Schema, SchemaRef};
use serde::{Deserialize, Serialize};

/// Version of the exported state layout.
const STATE_FORMAT: u32 = 2;

/// A validation in progress.
pub struct Checker {
    options: CheckOptions,
    suite_name: Option<String>,
    specs: Vec<RuleSpec>,
    rules: Vec<Box<dyn Rule>>,
    /// The null-count analyzer of each rule's columns, for the `null_count` field.
    null_analyzers: Vec<Option<usize>>,
    analyzers: Vec<Box<dyn Analyzer>>,
    /// The schema of the batches fed (only the required columns when the host projects).
    schema: Option<SchemaRef>,
    /// Every column of the data, when the host declared it; otherwise the fed schema is it.
    source_schema: Option<SchemaRef>,
    rows: u64,
    fingerprint: u64,
    /// The counts shared with the other shards of a sharded check, if any.
    shared_counts: Option<SharedCounts>,
    /// Columns whose values no analyzer reads, only their nulls.
    null_only_columns: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct CheckerState {
    format: u32,
    fingerprint: u64,
    rows: u64,
    schema_ipc: Option<Vec<u8>>,
    source_schema_ipc: Option<Vec<u8>>,
    analyzers: Vec<Vec<u8>>,
}

impl Checker {
    /// Parses a rule document (in `options.rule_format`) and plans its analyzers.
    /// Value-counting rules spill where the host's environment says (see `analyzers::spill`).
    pub fn new(rule_document: &str, options: CheckOptions) -> Result<Checker, QualityError> {
        Self::spilling(rule_document, options, SpillSettings::from_environment())
    }

    /// `new` with the spill settings given (`None`: every value stays in memory).
    pub fn spilling(
        rule_document: &str,
        options: CheckOptions,
        spill: Option<SpillSettings>,
    ) -> Result<Checker, QualityError> {
        Self::from_document(crate::engines::parse(rule_document, options.rule_format)?, options, spill)
    }

    /// Plans the analyzers of an already parsed document (of this checker's shard of it).
    fn from_document(
        document: RuleDocument,
        options: CheckOptions,
        spill: Option<SpillSettings>,
    ) -> Result<Checker, QualityError> {
        if options.shard_count == 0 || options.shard_index >= options.shard_count {
            return Err(QualityError::new(
                ErrorKind::Options,
                format!("shard {} of {} does not exist", options.shard_index, options.shard_count),
            ));
        }
        // Every shard builds every rule, so all shards report the same document errors.
        let mut specs = document.rules;
        let mut all_rules = specs.iter_mut().map(build_rule).collect::<Result<Vec<_>, _>>()?;
        let mut planner = Planner::new(options.sample_failures);
        let mut costs: Vec<u32> = all_rules.iter().map(|r| r.cost()).collect();
        let mut shared_counts = None;
        if options.shard_count > 1 {
            let (document_plan, spread) = shared_counts::plan_document(&mut all_rules, options.sample_failures);
            // A spread rule's work is on every shard alike; any shard can evaluate it.
            costs.iter_mut().zip(spread).filter(|(_, spread)| *spread).for_each(|(cost, _)| *cost = 0);
            let part = Part { index: options.shard_index, count: options.shard_count };
            shared_counts = SharedCounts::plan(&document_plan, &mut planner, part, options.sample_failures);
        }
        let shards = assign_shards(&costs, options.shard_count);
        let mut kept_specs = Vec::new();
        let mut rules = Vec::new();
        let mut null_analyzers = Vec::new();
        let mut fingerprint = Fnv::default();
        for number in [options.sample_failures, options.shard_count, options.shard_index] {
            fingerprint.write(&number.to_le_bytes());
        }
        for ((mut rule, spec), shard) in all_rules.into_iter().zip(specs).zip(shards) {
            if shard != options.shard_index {
                continue;
            }
            rule.plan(&mut planner);
            let columns: Vec<String> = rule.columns().into_iter().map(str::to_string).collect();
            null_analyzers.push((rule.reads_values() && !columns.is_empty()).then(|| planner.null_rows(&columns)));
            for part in [rule.rule_type(), &columns.join("\u{0}"), &rule.parameters().to_string()] {
                fingerprint.write(part.as_bytes());
                fingerprint.write(&[0]);
            }
            rules.push(rule);
            kept_specs.push(spec);
        }
        let specs = kept_specs;
        let null_only_columns = planner.null_only_columns();
        Ok(Checker {
            options,
            suite_name: document.name,
            specs,
            rules,
            null_analyzers,
            analyzers: planner.into_analyzers(spill),
            schema: None,
            source_schema: None,
            rows: 0,
            fingerprint: fingerprint.finish(),
            shared_counts,
            null_only_columns,
        })
    }

    /// Whether the states of checkers of these rules merge at a small cost: no analyzer keeps
    /// every (distinct) value. A host splitting the rows over checkers must merge their states.
    pub fn merges_cheaply(&self) -> bool {
        !self.analyzers.iter().any(|analyzer| analyzer.state_grows_with_data())
    }

    /// Columns whose values the rules read, in first-mention order. A host may feed only these
    /// if it declares the source schema first: rules about the schema (`dtype`, `column_exists`,
    /// `column_count`, ...) read the source schema, not the fed one.
    pub fn required_columns(&self) -> Vec<String> {
        let mut columns: Vec<String> = Vec::new();
        let split_columns = self.shared_counts.iter().flat_map(|shared| shared.columns()).map(String::as_str);
        for column in self.rules.iter().filter(|r| r.reads_values()).flat_map(|r| r.columns()).chain(split_columns) {
            if !columns.iter().any(|c| c == column) {
                columns.push(column.to_string());
            }
        }
        columns
    }

    /// Columns the rules read only for their nulls (`not_null`, `completeness_ratio`, the
    /// `null_count` of results): a host that knows such a column holds no null (from Parquet
    /// statistics, say) may feed any valid values in its place instead of decoding it.
    pub fn null_only_columns(&self) -> &[String] {
        &self.null_only_columns
    }

    /// Declares every column of the data (an Arrow IPC stream holding a schema and no batch), for
    /// a host that feeds only the required columns. Call it before the first batch.
    pub fn declare_source_schema_ipc(&mut self, bytes: Vec<u8>) -> Result<(), QualityError> {
        let schema =
            decode_ipc(bytes, |_| Err(QualityError::data("the declared source schema must come without rows")))?;
        self.declare_source_schema(schema)
    }

    /// Declares every column of the data; see [`Checker::declare_source_schema_ipc`].
    pub fn declare_source_schema(&mut self, schema: SchemaRef) -> Result<(), QualityError> {
        match (&self.source_schema, &self.schema) {
            (Some(known), _) => same_columns(known, &schema, "the declared source schema changed"),
            (None, Some(fed)) => same_columns(fed, &schema, "the source schema was declared after data was fed"),
            (None, None) => {
                self.source_schema = Some(schema);
                Ok(())
            }
        }
    }

    /// Feeds an Arrow IPC stream: a schema and zero or more record batches.
    pub fn feed_ipc(&mut self, bytes: Vec<u8>) -> Result<(), QualityError> {
        let schema = decode_ipc(bytes, |batch| self.feed_batch(&batch))?;
        self.bind_schema(schema)
    }

    /// Feeds one record batch.
    pub fn feed_batch(&mut self, batch: &RecordBatch) -> Result<(), QualityError> {
        self.refuse_rows_after_shard_part()?;
        self.bind_schema(batch.schema())?;
        for analyzer in &mut self.analyzers {
            analyzer.update(batch, self.rows)?;
        }
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Adopts the data's schema on first sight (checking every rule against the source schema,
    /// and the fed columns against it), and afterwards insists that every batch has the same
    /// columns and types.
    fn bind_schema(&mut self, schema: SchemaRef) -> Result<(), QualityError> {
        if let Some(known) = &self.schema {
            return same_columns(known, &schema, "the data's schema changed between batches");
        }
        let source = self.source_schema.clone().unwrap_or_else(|| schema.clone());
        for (rule, spec) in self.rules.iter().zip(&self.specs) {
            rule.check_schema(&source).map_err(|e| {
                let kind =
                    if e.starts_with("unknown column") { ErrorKind::UnknownColumn } else { ErrorKind::RuleDocument };
                QualityError::new(kind, format!("{}: {e}", spec.label()))
            })?;
        }
        fed_within_source(&schema, &source, &self.required_columns())?;
        for analyzer in &mut self.analyzers {
            analyzer.bind(&schema);
        }
        self.schema = Some(schema);
        Ok(())
    }

    /// The partial state: rows seen, the schema, and every analyzer's state.
    pub fn export_state(&self) -> Result<Vec<u8>, QualityError> {
        Ok(encode(&CheckerState {
            format: STATE_FORMAT,
            fingerprint: self.fingerprint,
            rows: self.rows,
            schema_ipc: self.schema.as_ref().map(|s| schema_to_ipc(s)),
            source_schema_ipc: self.source_schema.as_ref().map(|s| schema_to_ipc(s)),
            analyzers: self.analyzers.iter().map(|a| a.export()).collect::<Result<_, _>>()?,
        }))
    }

    /// Merges a state of a checker with the same rules and options; its rows count as coming
    /// after the rows seen so far.
    pub fn merge_state(&mut self, bytes: &[u8]) -> Result<(), QualityError> {
        self.refuse_rows_after_shard_part()?;
        let state: CheckerState = decode(bytes, "checker")?;
        if state.format != STATE_FORMAT {
            return Err(QualityError::state(format!(
                "the state has format {} but this engine reads format {STATE_FORMAT}",
                state.format
            )));
        }
        if state.fingerprint != self.fingerprint || state.analyzers.len() != self.analyzers.len() {
            return Err(QualityError::state(
                "the state was made with other rules or options; merge only states of the same rule document and sample_failures",
            ));
        }
        if let Some(source_schema_ipc) = state.source_schema_ipc {
            self.declare_source_schema_ipc(source_schema_ipc)?;
        }
        if let Some(schema_ipc) = state.schema_ipc {
            let schema = decode_ipc(schema_ipc, |_| Err(QualityError::state("the state's schema holds rows")))?;
            self.bind_schema(schema)?;
        }
        for (analyzer, analyzer_state) in self.analyzers.iter_mut().zip(&state.analyzers) {
            analyzer.merge(analyzer_state, self.rows)?;
        }
        self.rows += state.rows;
        Ok(())
    }

    /// In a sharded check (see `shared_counts`): finishes this shard's part of the shared
    /// counts, after the last batch, and returns it for the other shards'
    /// [`Checker::merge_shard_part`]. Empty (nothing to exchange) when nothing is shared.
    pub fn finish_shard_part(&mut self) -> Result<Vec<u8>, QualityError> {
        match &mut self.shared_counts {
            Some(shared) => shared.finish_part(&self.analyzers),
            None => Ok(Vec::new()),
        }
    }

    /// Adds another shard's part of the shared counts (from its [`Checker::finish_shard_part`]).
    /// A shard that shares counts finishes only once every other shard's part was added.
    pub fn merge_shard_part(&mut self, bytes: &[u8]) -> Result<(), QualityError> {
        match &mut self.shared_counts {
            Some(shared) => shared.merge_part(bytes),
            None if bytes.is_empty() => Ok(()),
            None => Err(QualityError::state("this checker shares no counts, so it takes no parts of other shards")),
        }
    }

    fn refuse_rows_after_shard_part(&self) -> Result<(), QualityError> {
        match &self.shared_counts {
            Some(shared) if shared.is_finished() => {
                Err(QualityError::state("rows came after this shard's part of the counts was finished"))
            }
            _ => Ok(()),
        }
    }

    /// Evaluates every rule over everything fed and merged.
    pub fn finish(&self) -> Result<CheckResult, QualityError> {
        let schema = self
            .schema
            .clone()
            .ok_or_else(|| QualityError::data("no data was fed to the check (not even a schema)"))?;
        let metrics = match &self.shared_counts {
            Some(shared) => shared.metrics(&self.analyzers)?,
            None => self.analyzers.iter().map(|a| a.metric()).collect::<Result<Vec<Metric>, _>>()?,
        };
        let source = self.source_schema.as_ref().unwrap_or(&schema);
        let table = Table { rows: self.rows, schema: source, metrics: &metrics };
        let mut rule_results = Vec::with_capacity(self.rules.len());
        for ((rule, spec), nulls) in self.rules.iter().zip(&self.specs).zip(&self.null_analyzers) {
            let outcome = rule.evaluate(&table, spec.mostly);
            let status = if outcome.passed {
                Status::Passed
            } else if spec.severity.fails_check() && spec.severity.report_severity() >= self.options.min_severity {
                Status::Failed
            } else {
                Status::Warning
            };
            let percent =
                if outcome.evaluated == 0 { 0.0 } else { outcome.unexpected as f64 * 100.0 / outcome.evaluated as f64 };
            let column = rule.column().map(str::to_string);
            let columns = rule.columns();
            rule_results.push(RuleResult {
                index: spec.index as u32,
                rule_type: rule.rule_type().to_string(),
                name: spec.name.clone().unwrap_or_else(|| {
                    if columns.is_empty() {
                        rule.rule_type().to_string()
                    } else {
                        format!("{}({})", rule.rule_type(), columns.join(", "))
                    }
                }),
                column,
                parameters: rule.parameters().to_string(),
                severity: spec.severity,
                status,
                element_count: self.rows,
                evaluated_count: outcome.evaluated,
                unexpected_count: outcome.unexpected,
                unexpected_percent: percent,
                null_count: nulls.map(|id| metrics[id].rows().unexpected).unwrap_or(0),
                mostly: spec.mostly,
                observed_value: outcome.observed.to_string(),
                samples: outcome.samples,
                message: outcome.message,
                origin: spec.origin.as_ref().map(|origin| origin.written.to_string()),
            });
        }
        Ok(summarize(
            rule_results,
            self.rows,
            schema.fields().iter().map(|f| f.name().clone()).collect(),
            self.suite_name.clone(),
        ))
    }
}

/// A check result from rule results: counts by status, and `failed` if any rule failed, else
/// `warning` if any warned, else `passed`.
fn summarize(
    rule_results: Vec<RuleResult>,
    row_count: u64,
    columns_read: Vec<String>,
    suite_name: Option<String>,
) -> CheckResult {
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
    CheckResult { status, passed_count, failed_count, warning_count, row_count, columns_read, suite_name, rule_results }
}

/// Spreads rules with these costs over `shard_count` shards, heaviest first onto the least loaded
/// shard (ties to the lower shard), so every checker computes the same assignment.
pub fn assign_shards(costs: &[u32], shard_count: u32) -> Vec<u32> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(costs[i]));
    let mut loads = vec![0u64; shard_count as usize];
    let mut shards = vec![0u32; costs.len()];
    for i in order {
        let lightest = (0..loads.len()).min_by_key(|&s| loads[s]).unwrap_or(0);
        loads[lightest] += u64::from(costs[i]);
        shards[i] = lightest as u32;
    }
    shards
}

/// Joins the results of the shards of one check into the result of a single checker.
pub fn combine_results(shards: Vec<CheckResult>) -> Result<CheckResult, QualityError> {
    let Some(first) = shards.first() else {
        return Err(QualityError::new(ErrorKind::Options, "no shard results to combine"));
    };
    let (row_count, suite_name) = (first.row_count, first.suite_name.clone());
    if let Some(other) = shards.iter().find(|s| s.row_count != row_count) {
        return Err(QualityError::new(
            ErrorKind::Options,
            format!("shards saw different data: {row_count} rows and {} rows", other.row_count),
        ));
    }
    let mut columns_read: Vec<String> = Vec::new();
    let mut rule_results = Vec::new();
    for shard in shards {
        for column in shard.columns_read {
            if !columns_read.contains(&column) {
                columns_read.push(column);
            }
        }
        rule_results.extend(shard.rule_results);
    }
    rule_results.sort_by_key(|r| r.index);
    if rule_results.windows(2).any(|w| w[0].index == w[1].index) {
        return Err(QualityError::new(ErrorKind::Options, "two shards evaluated the same rule"));
    }
    Ok(summarize(rule_results, row_count, columns_read, suite_name))
}

fn describe(schema: &Schema) -> String {
    schema.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect::<Vec<_>>().join(", ")
}

/// The fed columns must be columns of the source with the same types (or dictionaries of them),
/// and hold every column whose values the rules read.
fn fed_within_source(fed: &Schema, source: &Schema, required: &[String]) -> Result<(), QualityError> {
    for field in fed.fields() {
        match source.field_with_name(field.name()) {
            Ok(declared) if holds_values_of(field.data_type(), declared.data_type()) => {}
            _ => {
                return Err(QualityError::data(format!(
                    "the fed column '{}: {}' is not in the declared source schema [{}]",
                    field.name(),
                    field.data_type(),
                    describe(source)
                )));
            }
        }
    }
    match required.iter().find(|column| fed.field_with_name(column).is_err()) {
        Some(column) => Err(QualityError::data(format!(
            "the rules read column '{column}', which the data has but the batches fed lack (they have [{}])",
            describe(fed)
        ))),
        None => Ok(()),
    }
}

/// Whether a fed column of type `fed` holds values of the declared type: the type itself, or a
/// dictionary of it (a host may keep a column's dictionary encoding to save work).
fn holds_values_of(fed: &DataType, declared: &DataType) -> bool {
    match fed {
        DataType::Dictionary(_, values) => values.as_ref() == declared || fed == declared,
        _ => fed == declared,
    }
}

/// Two schemas that must have the same column names and types (batches after the first, a
/// source schema declared again).
pub(crate) fn same_columns(known: &Schema, schema: &Schema, what: &str) -> Result<(), QualityError> {
    let same = known.fields().len() == schema.fields().len()
        && known
            .fields()
            .iter()
            .zip(schema.fields())
            .all(|(a, b)| a.name() == b.name() && a.data_type() == b.data_type());
    if same {
        Ok(())
    } else {
        Err(QualityError::data(format!("{what}: first [{}], then [{}]", describe(known), describe(schema))))
    }
}

/// Decodes an Arrow IPC stream, handing each batch to `on_batch`; returns its schema.
pub(crate) fn decode_ipc(
    bytes: Vec<u8>,
    mut on_batch: impl FnMut(RecordBatch) -> Result<(), QualityError>,
) -> Result<SchemaRef, QualityError> {
    let fail = |e: arrow_schema::ArrowError| QualityError::data(format!("the Arrow IPC stream is invalid: {e}"));
    crate::ipc_frames::check_frames(&bytes)
        .map_err(|problem| QualityError::data(format!("the Arrow IPC stream is invalid: {problem}")))?;
    let mut buffer = Buffer::from_vec(bytes);
    let mut decoder = StreamDecoder::new();
    while !buffer.is_empty() {
        if let Some(batch) = decoder.decode(&mut buffer).map_err(fail)? {
            on_batch(batch)?;
        }
    }
    decoder.finish().map_err(fail)?;
    decoder.schema().ok_or_else(|| QualityError::data("the Arrow IPC stream holds no schema"))
}

pub(crate) fn schema_to_ipc(schema: &Schema) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut writer = StreamWriter::try_new(&mut bytes, schema).expect("a schema that decoded also encodes");
    writer.finish().expect("writing to memory cannot fail");
    drop(writer);
    bytes
}

/// FNV-1a: a stable 64-bit hash for fingerprints and checksums (the same on every platform and
/// build).
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Hashes `bytes` into the state.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// The hash of everything written.
    pub fn finish(&self) -> u64 {
        self.0
    }
}
