//! Counting analyzers shared by the shards of a sharded check. Rules are spread over the shards,
//! but the analyzers that only count (rows with nulls, unexpected values, occurrences of values;
//! see `Planner::only_counts`) are run by every shard over a disjoint part of the data: row counts
//! over every `shard-count`-th batch, value counts (`unique`, the distinct counts, the set
//! rules' summaries) over the values whose hash falls in the shard's part. So no shard checks
//! every row of a busy rule or holds every distinct value of a column. After the last batch each
//! shard finishes its part into small counts (evaluated, unexpected and distinct, the first
//! unexpected rows, the values' summary), the shards exchange them, and each adds the others' to
//! its own. The parts are disjoint, so the sums
//! equal the counts of a single checker and the lowest rows of all parts are the lowest rows.

use crate::analyzers::{Analyzer, Metric, Part, ValueSummary, decode, encode};
use crate::checker::Fnv;
use crate::model::{FailureSample, QualityError};
use crate::rules::{Planner, Rule};
use serde::{Deserialize, Serialize};

/// The counting analyzers of a checker shared with the other shards, and the parts gathered.
pub(super) struct SharedCounts {
    part: Part,
    /// Analyzer ids of the shared counts, in the order every shard plans them.
    analyzers: Vec<usize>,
    /// The columns they read.
    columns: Vec<String>,
    /// Identifies the plan (the shared counts, the shard count and the sample cap), so that only
    /// parts of the same check are added.
    identity: u64,
    sample_cap: usize,
    /// This shard's own finished part, once finished.
    own: Option<Vec<Metric>>,
    /// The other shards' parts added so far, per shared count.
    others: Vec<PartCounts>,
    /// Which shards' parts were added.
    merged: Vec<bool>,
}

/// The exchanged form of a shard's finished part.
#[derive(Serialize, Deserialize)]
struct PartState {
    identity: u64,
    shard_count: u32,
    shard_index: u32,
    counts: Vec<PartCounts>,
}

/// One shared count's part: everything its rules read, small.
#[derive(Serialize, Deserialize, Default, Clone)]
struct PartCounts {
    evaluated: u64,
    unexpected: u64,
    /// Distinct values (value counts only).
    distinct: u64,
    samples: Vec<FailureSample>,
    /// The values' summary (value counts a set rule reads only).
    summary: Option<ValueSummary>,
}

impl PartCounts {
    fn of(metric: &Metric) -> PartCounts {
        let rows = metric.rows();
        let (distinct, summary) = match metric {
            Metric::Values(values) => (values.distinct, values.summary.clone()),
            _ => (0, None),
        };
        PartCounts {
            evaluated: rows.evaluated,
            unexpected: rows.unexpected,
            distinct,
            samples: rows.samples.clone(),
            summary,
        }
    }

    /// Adds a disjoint part, keeping the `sample_cap` lowest rows.
    fn add(&mut self, other: &PartCounts, sample_cap: usize) {
        self.evaluated += other.evaluated;
        self.unexpected += other.unexpected;
        self.distinct += other.distinct;
        self.samples.extend(other.samples.iter().cloned());
        self.samples.sort_unstable_by_key(|sample| sample.row);
        self.samples.truncate(sample_cap);
        match (&mut self.summary, &other.summary) {
            (Some(mine), Some(theirs)) => mine.combine(theirs),
            (mine @ None, theirs) => mine.clone_from(theirs),
            (Some(_), None) => {}
        }
    }

    /// `metric` (a part of the same count) with these counts instead.
    fn into_metric(self, mut metric: Metric) -> Metric {
        let rows = match &mut metric {
            Metric::Rows(rows) => rows,
            Metric::Values(values) => {
                values.distinct = self.distinct;
                values.summary = self.summary;
                &mut values.rows
            }
            _ => unreachable!("only row and value counts are shared"),
        };
        rows.evaluated = self.evaluated;
        rows.unexpected = self.unexpected;
        rows.samples = self.samples;
        metric
    }
}

/// Plans every rule of a sharded check into one planner, the document's plan (whose counting
/// analyzers `SharedCounts::plan` shares), and says which rules only read counting analyzers:
/// their work is spread over every shard, whichever shard evaluates them.
pub(super) fn plan_document(rules: &mut [Box<dyn Rule>], sample_cap: u32) -> (Planner, Vec<bool>) {
    let mut document_plan = Planner::new(sample_cap);
    for rule in rules.iter_mut() {
        rule.plan(&mut document_plan);
    }
    let shared = document_plan.counting_keys();
    let spread = rules
        .iter_mut()
        .map(|rule| {
            let mut rule_plan = Planner::new(sample_cap);
            rule.plan(&mut rule_plan);
            rule_plan.only_counts() && rule_plan.counting_keys().iter().all(|key| shared.contains(key))
        })
        .collect();
    (document_plan, spread)
}

impl SharedCounts {
    /// Shares the counting analyzers of `document_plan` (a planner holding every rule of the
    /// document): each is requested from `planner` as this shard's `part` of it. `None` when
    /// there is only one shard or nothing counts.
    pub(super) fn plan(
        document_plan: &Planner,
        planner: &mut Planner,
        part: Part,
        sample_cap: u32,
    ) -> Option<SharedCounts> {
        let keys = document_plan.counting_keys();
        if part.count < 2 || keys.is_empty() {
            return None;
        }
        let mut identity = Fnv::default();
        for number in [part.count, sample_cap] {
            identity.write(&number.to_le_bytes());
        }
        let (mut analyzers, mut columns) = (Vec::new(), Vec::<String>::new());
        for key in &keys {
            identity.write(key.as_bytes());
            identity.write(&[0]);
            let (id, key_columns) = planner.adopt_part(document_plan, key, part);
            analyzers.push(id);
            for column in key_columns {
                if !columns.contains(&column) {
                    columns.push(column);
                }
            }
        }
        Some(SharedCounts {
            part,
            columns,
            identity: identity.finish(),
            sample_cap: sample_cap as usize,
            own: None,
            others: vec![PartCounts::default(); analyzers.len()],
            merged: vec![false; part.count as usize],
            analyzers,
        })
    }

    /// The columns the shared counts read (every shard reads them).
    pub(super) fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Whether this shard's part was finished (no rows may come after it).
    pub(super) fn is_finished(&self) -> bool {
        self.own.is_some()
    }

    /// This shard's part of every shared count.
    fn own_metrics(&self, analyzers: &[Box<dyn Analyzer>]) -> Result<Vec<Metric>, QualityError> {
        self.analyzers.iter().map(|&id| analyzers[id].metric()).collect()
    }

    /// Finishes this shard's part and returns it for the other shards.
    pub(super) fn finish_part(&mut self, analyzers: &[Box<dyn Analyzer>]) -> Result<Vec<u8>, QualityError> {
        if self.own.is_some() {
            return Err(QualityError::state("this shard's part of the counts was already finished"));
        }
        let own = self.own_metrics(analyzers)?;
        let state = PartState {
            identity: self.identity,
            shard_count: self.part.count,
            shard_index: self.part.index,
            counts: own.iter().map(PartCounts::of).collect(),
        };
        self.own = Some(own);
        Ok(encode(&state))
    }

    /// Adds another shard's finished part.
    pub(super) fn merge_part(&mut self, bytes: &[u8]) -> Result<(), QualityError> {
        let state: PartState = decode(bytes, "shard part")?;
        if state.identity != self.identity
            || state.shard_count != self.part.count
            || state.counts.len() != self.analyzers.len()
        {
            return Err(QualityError::state("the part belongs to another check or shard count"));
        }
        if state.shard_index == self.part.index {
            return Err(QualityError::state(format!("shard {} cannot add its own part", state.shard_index)));
        }
        let merged = &mut self.merged[state.shard_index as usize];
        if std::mem::replace(merged, true) {
            return Err(QualityError::state(format!("the part of shard {} was added twice", state.shard_index)));
        }
        for (total, part) in self.others.iter_mut().zip(&state.counts) {
            total.add(part, self.sample_cap);
        }
        Ok(())
    }

    /// The metrics of every analyzer: the shared counts as the sum of all parts, the others as
    /// computed. Every other shard's part must have been added.
    pub(super) fn metrics(&self, analyzers: &[Box<dyn Analyzer>]) -> Result<Vec<Metric>, QualityError> {
        let missing: Vec<String> = (0..self.part.count)
            .filter(|&shard| shard != self.part.index && !self.merged[shard as usize])
            .map(|shard| shard.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(QualityError::state(format!(
                "shard {} of {} counts only its part of the data: add the parts of shards {} before finishing",
                self.part.index,
                self.part.count,
                missing.join(", ")
            )));
        }
        let own = match &self.own {
            Some(own) => own.clone(),
            None => self.own_metrics(analyzers)?,
        };
        let mut metrics = Vec::with_capacity(analyzers.len());
        for (id, analyzer) in analyzers.iter().enumerate() {
            match self.analyzers.iter().position(|&shared| shared == id) {
                Some(position) => {
                    let mut counts = PartCounts::of(&own[position]);
                    counts.add(&self.others[position], self.sample_cap);
                    metrics.push(counts.into_metric(own[position].clone()));
                }
                None => metrics.push(analyzer.metric()?),
            }
        }
        Ok(metrics)
    }
}
