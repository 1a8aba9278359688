//! Exact occurrence counts of every distinct value of a column (or combination of values of
//! several columns): for `unique` every row whose value occurs more than once is unexpected
//! (Great Expectations semantics); the distinct count and, when asked for, a bounded summary of
//! the values (see `value_summary`) serve the distinct-value rules.
//!
//! Memory: each distinct value costs its key bytes (8 for numbers and dates, the UTF-8 bytes for
//! strings) plus about 35 bytes of bookkeeping (see `ValueTable`, plus a count and a first row).
//! There is no allocation per row or per value. When the host grants a spill directory and the
//! values outgrow the analyzer's share of the memory budget (see `spill`), the table is written
//! out and every later occurrence is appended to a hash-partitioned log on disk instead; the
//! metric then counts one partition at a time, with the same exact result in bounded memory. The
//! summary is built the same way, one partition's values at a time.
//!
//! In a sharded check every shard runs the analyzer over all rows but counts only its own part
//! of the values (see `shard_part`), so the parts' metrics add up to the whole.

use super::shard_part::Part;
use super::spill::{Occurrence, OccurrenceLog, SpillSettings, occurrences};
use super::value_table::{Slot, ValueTable};
use super::{Analyzer, Metric, RowsMetric, ValueSummary, ValuesMetric, column, decode, encode, null_count};
use crate::model::{FailureSample, QualityError};
use crate::short_bytes::extend_short;
use crate::values::{for_each_row_key, for_each_value_key, render_key, render_row_key, value_key};
use arrow_array::RecordBatch;
use arrow_schema::DataType;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub struct DuplicateValues {
    /// One column, or several whose combinations of values are counted.
    columns: Vec<String>,
    /// The values the set rules reading this analyzer list, when one does: the metric then
    /// summarises the values for them.
    watched: Option<Vec<Value>>,
    /// The columns' types, once known.
    data_types: Vec<DataType>,
    /// Keys of the rows of a batch over several columns.
    row_keys: Vec<u8>,
    sample_cap: usize,
    values: ValueTable,
    /// Occurrences per value id.
    counts: Vec<u64>,
    /// First row per value id.
    first_rows: Vec<u64>,
    /// Second and later occurrences as (row, value id), only the first `sample_cap` of them:
    /// with each value's first row they hold the first `sample_cap` duplicate rows.
    repeats: Vec<(u64, u32)>,
    evaluated: u64,
    /// Keys waiting to be inserted as a group.
    pending: PendingKeys,
    /// Where and when to spill; `None` keeps every value in memory.
    spill: Option<SpillSettings>,
    /// The occurrences since the values were spilled (the table is then empty).
    log: Option<OccurrenceLog>,
    /// The repeats recorded before spilling, with their keys.
    spilled_repeats: Vec<(u64, Vec<u8>)>,
    /// The first error met while spilling inside a batch, reported at its end.
    spill_error: Option<QualityError>,
    /// The mean key length of the values held when they spilled, to size partition counters.
    spilled_key_bytes: usize,
    /// The part of the values this analyzer counts (all when `None`).
    part: Option<Part>,
    /// Where what is read ahead of a group's lookups is summed, so the reads cannot be
    /// optimised away.
    probe_sink: u64,
    /// Whether over a quarter of the last group had been seen before: only then are the values
    /// found read ahead (new values have nothing to read).
    read_values_ahead: bool,
}

/// How many keys are looked up together: enough independent memory reads to hide most of the
/// latency of a table much larger than the cache.
const PROBE_GROUP: usize = 16;

/// A group of keys (copied from the batch), their rows, tags and occurrence counts, waiting for
/// one batched lookup.
#[derive(Default)]
struct PendingKeys {
    bytes: Vec<u8>,
    ends: [usize; PROBE_GROUP],
    rows: [u64; PROBE_GROUP],
    tags: [u32; PROBE_GROUP],
    counts: [u64; PROBE_GROUP],
    len: usize,
}

/// The exported form: values in first-seen order.
#[derive(Serialize, Deserialize)]
struct DuplicateState {
    evaluated: u64,
    keys: Vec<u8>,
    lens: Vec<u32>,
    counts: Vec<u64>,
    first_rows: Vec<u64>,
    repeats: Vec<(u64, u32)>,
}

impl DuplicateValues {
    /// Counts the values of `columns`, keeping `sample_cap` duplicate rows, with a summary for
    /// the `watched` values when given; `spill` says where to spill and when.
    pub fn new(columns: &[String], sample_cap: u32, watched: Option<Vec<Value>>, spill: Option<SpillSettings>) -> Self {
        Self::counting_part(columns, sample_cap, watched, spill, None)
    }

    /// `new`, counting only the values of `part` (all values when `None`).
    pub fn counting_part(
        columns: &[String],
        sample_cap: u32,
        watched: Option<Vec<Value>>,
        spill: Option<SpillSettings>,
        part: Option<Part>,
    ) -> Self {
        DuplicateValues {
            columns: columns.to_vec(),
            watched,
            data_types: Vec::new(),
            row_keys: Vec::new(),
            sample_cap: sample_cap as usize,
            values: ValueTable::default(),
            counts: Vec::new(),
            first_rows: Vec::new(),
            repeats: Vec::new(),
            evaluated: 0,
            pending: PendingKeys::default(),
            spill,
            log: None,
            spilled_repeats: Vec::new(),
            spill_error: None,
            spilled_key_bytes: 0,
            part,
            probe_sink: 0,
            read_values_ahead: false,
        }
    }

    /// An in-memory counter like this one (same columns, types and samples), to count a spilled
    /// partition of `bytes` bytes (sized for it: a record holds at least 16 bytes besides its key).
    fn partition_counter(&self, bytes: usize) -> DuplicateValues {
        let mut counter = DuplicateValues::new(&self.columns, self.sample_cap as u32, None, None);
        counter.data_types = self.data_types.clone();
        let values = bytes / (16 + self.spilled_key_bytes.max(1));
        counter.values = ValueTable::with_capacity(values, bytes);
        counter.counts = Vec::with_capacity(values);
        counter.first_rows = Vec::with_capacity(values);
        counter
    }

    /// Bytes the in-memory values take.
    fn memory_bytes(&self) -> u64 {
        let bookkeeping = (self.counts.capacity() + self.first_rows.capacity()) * 8 + self.repeats.capacity() * 16;
        (self.values.heap_bytes() + bookkeeping) as u64
    }

    /// Moves the values to the spill log once they outgrow the budget.
    fn spill_if_over_budget(&mut self) -> Result<(), QualityError> {
        let Some(settings) = &self.spill else { return Ok(()) };
        if self.log.is_some() || self.memory_bytes() <= settings.budget_bytes {
            return Ok(());
        }
        let mut log = OccurrenceLog::new(settings);
        for id in 0..self.values.len() as u32 {
            let key = self.values.get(id);
            log.append(self.values.tag(key), key, self.first_rows[id as usize], self.counts[id as usize])?;
        }
        self.spilled_repeats = self.repeats.iter().map(|&(row, id)| (row, self.values.get(id).to_vec())).collect();
        self.spilled_key_bytes = self.values.key_bytes() / self.values.len().max(1);
        self.values = ValueTable::default();
        self.counts = Vec::new();
        self.first_rows = Vec::new();
        self.repeats = Vec::new();
        self.log = Some(log);
        Ok(())
    }

    /// Counts every spilled partition in turn with `each`, which receives the partition's
    /// counter; the repeats recorded before spilling are left to the caller.
    fn for_each_spilled_partition(
        &self,
        log: &OccurrenceLog,
        mut each: impl FnMut(DuplicateValues) -> Result<(), QualityError>,
    ) -> Result<(), QualityError> {
        log.for_each_partition(|bytes| {
            let mut counter = self.partition_counter(bytes.len());
            // Rows arrive in order within a partition, so the first repeats are the lowest. The
            // keys are looked up in groups straight from the partition's bytes.
            let mut group = Vec::with_capacity(PROBE_GROUP);
            for occurrence in occurrences(bytes) {
                group.push(occurrence?);
                if group.len() == PROBE_GROUP {
                    counter.observe_group(&group);
                    group.clear();
                }
            }
            counter.observe_group(&group);
            each(counter)
        })
    }

    /// Rows whose value occurs more than once: the first `sample_cap`, with their value ids.
    fn duplicate_rows(&self) -> Vec<(u64, u32)> {
        let mut rows: Vec<(u64, u32)> = self
            .counts
            .iter()
            .zip(&self.first_rows)
            .enumerate()
            .filter(|(_, (count, _))| **count > 1)
            .map(|(id, (_, first_row))| (*first_row, id as u32))
            .chain(self.repeats.iter().copied())
            .collect();
        keep_lowest_rows(&mut rows, self.sample_cap);
        rows
    }

    /// Occurrences of the values that occur more than once.
    fn duplicate_count(&self) -> u64 {
        self.counts.iter().filter(|&&c| c > 1).sum()
    }

    /// The metric of spilled values: each partition counted alone, the results added up.
    fn spilled_metric(&self, log: &OccurrenceLog) -> Result<Metric, QualityError> {
        let (mut unexpected, mut distinct) = (0, 0);
        let mut samples = self.spilled_repeats.clone();
        let mut summary = self.empty_summary();
        self.for_each_spilled_partition(log, |counter| {
            unexpected += counter.duplicate_count();
            distinct += counter.values.len() as u64;
            if let Some(summary) = &mut summary {
                counter.add_values_to(summary);
            }
            let rows = counter.duplicate_rows();
            samples.extend(rows.into_iter().map(|(row, id)| (row, counter.values.get(id).to_vec())));
            keep_lowest_rows(&mut samples, self.sample_cap);
            Ok(())
        })?;
        let samples = samples.into_iter().map(|(row, key)| FailureSample { row, value: self.render(&key) }).collect();
        Ok(self.values_metric(RowsMetric { evaluated: self.evaluated, unexpected, samples }, distinct, summary))
    }

    /// The spilled values gathered back into one in-memory counter, to export them.
    fn gathered(&self, log: &OccurrenceLog) -> Result<DuplicateValues, QualityError> {
        let mut all = self.partition_counter(0);
        all.evaluated = self.evaluated;
        self.for_each_spilled_partition(log, |counter| {
            let mut ids_in_all = Vec::with_capacity(counter.values.len());
            for id in 0..counter.values.len() as u32 {
                let (count, first_row) = (counter.counts[id as usize], counter.first_rows[id as usize]);
                ids_in_all.push(all.observe(counter.values.get(id), count, first_row, 0));
            }
            all.repeats.extend(counter.repeats.iter().map(|&(row, id)| (row, ids_in_all[id as usize])));
            keep_lowest_rows(&mut all.repeats, self.sample_cap);
            Ok(())
        })?;
        for (row, key) in &self.spilled_repeats {
            let id = all.values.id_of(key).ok_or_else(|| QualityError::state("a spilled repeat lost its value"))?;
            all.repeats.push((*row, id));
        }
        keep_lowest_rows(&mut all.repeats, self.sample_cap);
        Ok(all)
    }

    /// The type the summary reads keys as: the distinct-value rules read one column.
    fn summary_type(&self) -> DataType {
        self.data_types.first().cloned().unwrap_or(DataType::Utf8)
    }

    /// A summary watching the listed values, when a rule asked for one.
    fn empty_summary(&self) -> Option<ValueSummary> {
        let data_type = self.summary_type();
        let watched = self.watched.as_ref()?;
        Some(ValueSummary::watching(watched.iter().filter_map(|value| value_key(value, &data_type))))
    }

    /// Adds the values in memory, with their counts, to `summary`.
    fn add_values_to(&self, summary: &mut ValueSummary) {
        let data_type = self.summary_type();
        for (id, &count) in self.counts.iter().enumerate() {
            summary.add(&data_type, self.values.get(id as u32), count);
        }
    }

    /// The metric from its row counts, the distinct count and the summary.
    fn values_metric(&self, rows: RowsMetric, distinct: u64, summary: Option<ValueSummary>) -> Metric {
        Metric::Values(ValuesMetric { rows, distinct, summary, data_type: self.summary_type() })
    }

    /// A key as text: the value, or `(a, b)` for a combination.
    fn render(&self, key: &[u8]) -> String {
        match self.data_types.as_slice() {
            [data_type] => render_key(data_type, key),
            [] => render_key(&DataType::Utf8, key),
            data_types => render_row_key(data_types, key),
        }
    }

    /// Counts one occurrence of `key` at `row` if it is in this analyzer's part of the values:
    /// queued for a grouped lookup, or appended to the log once the values spilled.
    #[inline]
    fn queue(&mut self, key: &[u8], row: u64) {
        let hash = self.values.hash(key);
        if self.part.is_some_and(|part| !part.owns_value(hash)) {
            return;
        }
        self.evaluated += 1;
        let tag = (hash >> 32) as u32;
        match &mut self.log {
            Some(log) => {
                if let Err(error) = log.append(tag, key, row, 1) {
                    self.spill_error.get_or_insert(error);
                }
            }
            None => self.queue_tagged(key, tag, row, 1),
        }
    }

    /// Queues `count` occurrences of `key` (tagged `tag`), the first at `row`; looks the group
    /// up once it is full.
    #[inline]
    fn queue_tagged(&mut self, key: &[u8], tag: u32, row: u64, count: u64) {
        let pending = &mut self.pending;
        extend_short(&mut pending.bytes, key);
        pending.ends[pending.len] = pending.bytes.len();
        pending.rows[pending.len] = row;
        pending.tags[pending.len] = tag;
        pending.counts[pending.len] = count;
        pending.len += 1;
        if pending.len == PROBE_GROUP {
            self.flush();
        }
    }

    /// Looks up every queued key (see `observe_group`). Keys are queued only while the values
    /// are in memory.
    fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        let group: [Occurrence; PROBE_GROUP] = std::array::from_fn(|i| {
            let start = if i == 0 { 0 } else { pending.ends[i - 1] };
            let key = if i < pending.len { &pending.bytes[start..pending.ends[i]] } else { &[][..] };
            Occurrence { tag: pending.tags[i], row: pending.rows[i], count: pending.counts[i], key }
        });
        self.observe_group(&group[..pending.len]);
        pending.bytes.clear();
        pending.len = 0;
        self.pending = pending;
    }

    /// Counts a group of occurrences: first reads ahead, level by level, what their lookups
    /// will read (start slots; then, while values repeat, a candidate's offset, count and bytes),
    /// so that the cache misses of the group overlap; then inserts in order.
    #[inline]
    fn observe_group(&mut self, group: &[Occurrence]) {
        for occurrence in group {
            self.probe_sink = self.probe_sink.wrapping_add(self.values.touch(occurrence.tag));
        }
        if self.read_values_ahead {
            self.read_values_ahead_of(group);
        }
        let distinct_before = self.counts.len();
        for occurrence in group {
            self.observe_tagged(occurrence.key, occurrence.tag, occurrence.count, occurrence.row, self.sample_cap);
        }
        let seen_before = group.len() - (self.counts.len() - distinct_before);
        self.read_values_ahead = seen_before * 4 > group.len();
    }

    /// Reads the offsets, counts and bytes of the values a group's lookups will likely find.
    /// Kept out of `observe_group` so that its lookups stay inlined there.
    #[inline(never)]
    fn read_values_ahead_of(&mut self, group: &[Occurrence]) {
        let values = &self.values;
        let candidates: [Option<u32>; PROBE_GROUP] =
            std::array::from_fn(|i| group.get(i).and_then(|occurrence| values.tagged_id(occurrence.tag)));
        let mut sink = self.probe_sink;
        for &id in candidates.iter().flatten() {
            sink = sink.wrapping_add(values.touch_offset(id)).wrapping_add(self.counts[id as usize]);
        }
        for &id in candidates.iter().flatten() {
            sink = sink.wrapping_add(values.touch_value(id));
        }
        self.probe_sink = sink;
    }

    /// Counts `count` occurrences of `key`, the first at `row`; returns the value's id. A value
    /// seen before records `row` as a repeat while fewer than `repeat_limit` are recorded.
    #[inline]
    fn observe(&mut self, key: &[u8], count: u64, row: u64, repeat_limit: usize) -> u32 {
        let tag = self.values.tag(key);
        self.observe_tagged(key, tag, count, row, repeat_limit)
    }

    /// `observe` with the key's tag already computed.
    #[inline]
    fn observe_tagged(&mut self, key: &[u8], tag: u32, count: u64, row: u64, repeat_limit: usize) -> u32 {
        match self.values.insert_tagged(key, tag) {
            Slot::Existing(id) => {
                self.counts[id as usize] += count;
                if self.repeats.len() < repeat_limit {
                    self.repeats.push((row, id));
                }
                id
            }
            Slot::New(id) => {
                self.counts.push(count);
                self.first_rows.push(row);
                id
            }
        }
    }
}

/// Keeps the `cap` entries with the lowest rows, in row order (each row occurs once).
fn keep_lowest_rows<T>(rows: &mut Vec<(u64, T)>, cap: usize) {
    rows.sort_unstable_by_key(|(row, _)| *row);
    rows.truncate(cap);
}

impl Analyzer for DuplicateValues {
    fn update(&mut self, batch: &RecordBatch, rows_before: u64) -> Result<(), QualityError> {
        let arrays = self.columns.iter().map(|c| column(batch, c).cloned()).collect::<Result<Vec<_>, _>>()?;
        if self.data_types.is_empty() {
            self.data_types = arrays.iter().map(|a| a.data_type().clone()).collect();
        }
        let supported = match arrays.as_slice() {
            [array] => {
                null_count(array.as_ref()) == array.len()
                    || for_each_value_key(array.as_ref(), |row, key| self.queue(key, rows_before + row as u64))
            }
            arrays => {
                let arrays: Vec<&dyn arrow_array::Array> = arrays.iter().map(|a| a.as_ref()).collect();
                let mut row_keys = std::mem::take(&mut self.row_keys);
                let supported =
                    for_each_row_key(&arrays, &mut row_keys, |row, key| self.queue(key, rows_before + row as u64));
                self.row_keys = row_keys;
                supported
            }
        };
        self.flush();
        if !supported {
            return Err(QualityError::data(format!(
                "the values of '{}' cannot be compared for uniqueness",
                self.columns.join("', '")
            )));
        }
        if let Some(error) = self.spill_error.take() {
            return Err(error);
        }
        self.spill_if_over_budget()
    }

    fn state_grows_with_data(&self) -> bool {
        true
    }

    fn export(&self) -> Result<Vec<u8>, QualityError> {
        if let Some(log) = &self.log {
            // A state is self-contained (it may travel to another machine): gather the values.
            return self.gathered(log)?.export();
        }
        let mut state = DuplicateState {
            evaluated: self.evaluated,
            keys: Vec::new(),
            lens: Vec::with_capacity(self.values.len()),
            counts: self.counts.clone(),
            first_rows: self.first_rows.clone(),
            repeats: self.repeats.clone(),
        };
        for id in 0..self.values.len() as u32 {
            let key = self.values.get(id);
            state.keys.extend_from_slice(key);
            state.lens.push(key.len() as u32);
        }
        Ok(encode(&state))
    }

    fn merge(&mut self, state: &[u8], rows_before: u64) -> Result<(), QualityError> {
        let other: DuplicateState = decode(state, "unique")?;
        let corrupt = || QualityError::state("the unique state is corrupt: inconsistent lengths");
        if other.counts.len() != other.lens.len() || other.first_rows.len() != other.lens.len() {
            return Err(corrupt());
        }
        self.evaluated += other.evaluated;
        let mut keys = Vec::with_capacity(other.lens.len());
        let mut start = 0usize;
        for &len in &other.lens {
            let end = start + len as usize;
            keys.push(other.keys.get(start..end).ok_or_else(corrupt)?);
            start = end;
        }
        let repeats =
            other.repeats.iter().map(|&(row, id)| Ok((row + rows_before, *keys.get(id as usize).ok_or_else(corrupt)?)));
        let repeats = repeats.collect::<Result<Vec<_>, QualityError>>()?;
        let occurrences = keys.iter().zip(other.counts.iter().zip(&other.first_rows));
        if let Some(log) = &mut self.log {
            for (key, (&count, &first_row)) in occurrences {
                log.append(self.values.tag(key), key, first_row + rows_before, count)?;
            }
            self.spilled_repeats.extend(repeats.into_iter().map(|(row, key)| (row, key.to_vec())));
            keep_lowest_rows(&mut self.spilled_repeats, self.sample_cap);
            return Ok(());
        }
        for (key, (&count, &first_row)) in occurrences {
            // A value seen before repeats at the merged first row. Repeats are collected without
            // a cap here, then sorted and truncated once.
            self.observe(key, count, first_row + rows_before, usize::MAX);
        }
        for (row, key) in repeats {
            let id = self.values.id_of(key).ok_or_else(corrupt)?;
            self.repeats.push((row, id));
        }
        keep_lowest_rows(&mut self.repeats, self.sample_cap);
        self.spill_if_over_budget()
    }

    fn metric(&self) -> Result<Metric, QualityError> {
        if let Some(log) = &self.log {
            return self.spilled_metric(log);
        }
        let rows = self.duplicate_rows();
        let samples =
            rows.into_iter().map(|(row, id)| FailureSample { row, value: self.render(self.values.get(id)) }).collect();
        let rows = RowsMetric { evaluated: self.evaluated, unexpected: self.duplicate_count(), samples };
        let mut summary = self.empty_summary();
        if let Some(summary) = &mut summary {
            self.add_values_to(summary);
        }
        Ok(self.values_metric(rows, self.values.len() as u64, summary))
    }

    fn bind(&mut self, schema: &arrow_schema::Schema) {
        let types: Option<Vec<DataType>> =
            self.columns.iter().map(|c| schema.field_with_name(c).ok().map(|f| f.data_type().clone())).collect();
        if let Some(types) = types {
            self.data_types = types;
        }
    }
}
