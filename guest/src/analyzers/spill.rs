//! Where value-keeping analyzers go when their values outgrow memory: an exact, disk-backed log
//! of value occurrences, partitioned by the values' hashes so that each partition can later be
//! counted on its own with a small table.
//!
//! The host grants the space: it preopens an empty, private directory for the run and names it in
//! the environment variable `TRUTHOUND_SPILL_DIR`, with the memory an analyzer may keep before it
//! spills in `TRUTHOUND_SPILL_BUDGET` (bytes, shared by the run's value-keeping analyzers).
//! Without them (other hosts, or `--memory-budget 0`) nothing spills and counts stay in memory.
//!
//! A record is `len: u32` (bit 31 set when a count follows), `tag: u32` (the value's hash tag, so
//! that counting a partition need not hash again), `row: u64`, `count: u64` (only when flagged;
//! otherwise 1), then the key's bytes; little endian. Occurrences of one value always land in the
//! same partition (chosen by the tag), in the order they were appended.

use super::spill_files::{SpillDir, SpillFile};
use crate::model::QualityError;
use crate::short_bytes::extend_short;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming the spill directory.
pub const SPILL_DIR_VARIABLE: &str = "TRUTHOUND_SPILL_DIR";
/// The environment variable holding the memory budget in bytes.
pub const SPILL_BUDGET_VARIABLE: &str = "TRUTHOUND_SPILL_BUDGET";

/// Partitions per log: 128 keeps a partition of a 100M-row column near 30 MB.
const PARTITIONS: usize = 128;
/// Bytes buffered per partition before they are written: a quarter of the budget shared by the
/// partitions, within these bounds.
const BUFFER_BYTES: std::ops::RangeInclusive<u64> = 4 * 1024..=256 * 1024;
/// Bytes staged per partition before they move to its buffer in one copy: the partitions'
/// stages together stay in the core's cache, so appends to random partitions do not wait for
/// memory, and the buffers are written in long sequential copies.
const STAGE_BYTES: usize = 2 * 1024;
const COUNT_FLAG: u32 = 1 << 31;

/// Where and when to spill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpillSettings {
    /// A directory the run may write to.
    pub dir: PathBuf,
    /// Bytes of values all value-keeping analyzers of a checker may hold in memory together.
    pub budget_bytes: u64,
}

impl SpillSettings {
    /// The settings the host granted through the environment, if any.
    pub fn from_environment() -> Option<SpillSettings> {
        let dir = std::env::var_os(SPILL_DIR_VARIABLE)?;
        let budget_bytes = std::env::var(SPILL_BUDGET_VARIABLE).ok()?.parse().ok()?;
        (budget_bytes > 0).then(|| SpillSettings { dir: PathBuf::from(dir), budget_bytes })
    }

    /// The same directory with the budget split between `analyzers` analyzers.
    pub fn shared_by(&self, analyzers: usize) -> SpillSettings {
        SpillSettings { dir: self.dir.clone(), budget_bytes: self.budget_bytes / analyzers.max(1) as u64 }
    }
}

/// One occurrence record read back from a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence<'a> {
    /// The value's hash tag, as appended.
    pub tag: u32,
    /// The row of the (first) occurrence.
    pub row: u64,
    /// How many occurrences the record stands for.
    pub count: u64,
    /// The value's key bytes.
    pub key: &'a [u8],
}

/// Names the logs of one instance apart (several analyzers share the directory).
static NEXT_LOG: AtomicU32 = AtomicU32::new(0);

/// An append-only, hash-partitioned log of occurrences in files of the spill directory. The
/// files are removed when the log is dropped.
pub struct OccurrenceLog {
    /// The spill directory, once a partition's buffer first fills.
    dir: Option<SpillDir>,
    dir_path: PathBuf,
    names: Vec<String>,
    files: Vec<Option<SpillFile>>,
    buffers: Vec<Vec<u8>>,
    /// Records staged per partition, on their way to its buffer.
    stages: Vec<Vec<u8>>,
    /// A partition's buffer is written once it holds this many bytes.
    buffer_bytes: usize,
}

impl OccurrenceLog {
    /// An empty log in the settings' directory; no file exists until a partition's buffer fills.
    pub fn new(settings: &SpillSettings) -> OccurrenceLog {
        let log = NEXT_LOG.fetch_add(1, Ordering::Relaxed);
        let buffer_bytes =
            (settings.budget_bytes / 4 / PARTITIONS as u64).clamp(*BUFFER_BYTES.start(), *BUFFER_BYTES.end());
        OccurrenceLog {
            dir: None,
            dir_path: settings.dir.clone(),
            names: (0..PARTITIONS).map(|p| format!("values-{log}-{p}.spill")).collect(),
            files: (0..PARTITIONS).map(|_| None).collect(),
            buffers: vec![Vec::new(); PARTITIONS],
            stages: (0..PARTITIONS).map(|_| Vec::with_capacity(STAGE_BYTES + 64)).collect(),
            buffer_bytes: buffer_bytes as usize,
        }
    }

    /// Appends `count` occurrences of `key`, the first at `row`; its hash `tag` picks the
    /// partition.
    #[inline]
    pub fn append(&mut self, tag: u32, key: &[u8], row: u64, count: u64) -> Result<(), QualityError> {
        let len = u32::try_from(key.len())
            .ok()
            .filter(|len| len & COUNT_FLAG == 0)
            .ok_or_else(|| QualityError::data("a value longer than 2 GiB"))?;
        // The record's header is built in registers and copied once.
        let mut header = [0u8; 24];
        header[4..8].copy_from_slice(&tag.to_le_bytes());
        header[8..16].copy_from_slice(&row.to_le_bytes());
        let header_len = if count == 1 {
            header[..4].copy_from_slice(&len.to_le_bytes());
            16
        } else {
            header[..4].copy_from_slice(&(len | COUNT_FLAG).to_le_bytes());
            header[16..].copy_from_slice(&count.to_le_bytes());
            24
        };
        let partition = (tag as usize) & (PARTITIONS - 1);
        let stage = &mut self.stages[partition];
        stage.extend_from_slice(&header[..header_len]);
        extend_short(stage, key);
        if stage.len() >= STAGE_BYTES {
            let buffer = &mut self.buffers[partition];
            buffer.extend_from_slice(stage);
            stage.clear();
            if buffer.len() >= self.buffer_bytes {
                self.write_out(partition)?;
            }
        }
        Ok(())
    }

    /// Writes a partition's buffer to its file.
    fn write_out(&mut self, partition: usize) -> Result<(), QualityError> {
        let path = self.dir_path.join(&self.names[partition]);
        let failed = |e: std::io::Error| QualityError::data(format!("cannot spill values to {}: {e}", path.display()));
        let dir = match &mut self.dir {
            Some(dir) => dir,
            slot => slot.insert(SpillDir::open(&self.dir_path).map_err(failed)?),
        };
        let file = match &mut self.files[partition] {
            Some(file) => file,
            slot => slot.insert(dir.create(&self.names[partition]).map_err(failed)?),
        };
        file.append(&self.buffers[partition]).map_err(failed)?;
        self.buffers[partition].clear();
        Ok(())
    }

    /// Every partition's bytes in turn (its file, then what is still buffered), for `each`.
    pub fn for_each_partition(
        &self,
        mut each: impl FnMut(&[u8]) -> Result<(), QualityError>,
    ) -> Result<(), QualityError> {
        let mut bytes = Vec::new();
        for partition in 0..PARTITIONS {
            bytes.clear();
            if let Some(file) = &self.files[partition] {
                file.read_all(&mut bytes).map_err(|e| {
                    let path = self.dir_path.join(&self.names[partition]);
                    QualityError::data(format!("cannot read spilled values from {}: {e}", path.display()))
                })?;
            }
            bytes.extend_from_slice(&self.buffers[partition]);
            bytes.extend_from_slice(&self.stages[partition]);
            each(&bytes)?;
        }
        Ok(())
    }
}

impl Drop for OccurrenceLog {
    fn drop(&mut self) {
        let Some(dir) = &self.dir else { return };
        for (name, file) in self.names.iter().zip(&mut self.files) {
            if file.take().is_some() {
                let _ = dir.remove(name);
            }
        }
    }
}

/// The records of one partition's bytes, in the order they were appended.
pub fn occurrences(mut bytes: &[u8]) -> impl Iterator<Item = Result<Occurrence<'_>, QualityError>> {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let record = read_record(bytes);
        match record {
            Some((occurrence, rest)) => {
                bytes = rest;
                Some(Ok(occurrence))
            }
            None => {
                bytes = &[];
                Some(Err(QualityError::state("a spilled value record is truncated")))
            }
        }
    })
}

fn read_record(bytes: &[u8]) -> Option<(Occurrence<'_>, &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len);
    let (tag, rest) = rest.split_first_chunk::<4>()?;
    let (row, mut rest) = rest.split_first_chunk::<8>()?;
    let mut count = 1;
    if len & COUNT_FLAG != 0 {
        let (counted, after) = rest.split_first_chunk::<8>()?;
        count = u64::from_le_bytes(*counted);
        rest = after;
    }
    let (key, rest) = rest.split_at_checked((len & !COUNT_FLAG) as usize)?;
    Some((Occurrence { tag: u32::from_le_bytes(*tag), row: u64::from_le_bytes(*row), count, key }, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_per_partition_in_order_and_files_are_removed() {
        let dir = std::env::temp_dir().join(format!("truthound-spill-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut log = OccurrenceLog::new(&SpillSettings { dir: dir.clone(), budget_bytes: 0 });
        let mut expected: Vec<Vec<(u32, u64, u64, Vec<u8>)>> = vec![Vec::new(); PARTITIONS];
        for i in 0..50_000u64 {
            let key = format!("value-{}", i % 7_000).into_bytes();
            let tag = (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 39) as u32;
            let count = if i % 11 == 0 { 3 } else { 1 };
            log.append(tag, &key, i, count).unwrap();
            expected[(tag as usize) & (PARTITIONS - 1)].push((tag, i, count, key));
        }
        let mut partition = 0;
        log.for_each_partition(|bytes| {
            let got: Vec<(u32, u64, u64, Vec<u8>)> = occurrences(bytes)
                .map(|o| o.map(|o| (o.tag, o.row, o.count, o.key.to_vec())))
                .collect::<Result<_, _>>()?;
            assert_eq!(got, expected[partition]);
            partition += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(partition, PARTITIONS);
        assert!(std::fs::read_dir(&dir).unwrap().count() > 0, "50,000 records fill some buffers");
        drop(log);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        std::fs::remove_dir(&dir).unwrap();
    }

    #[test]
    fn a_truncated_record_is_an_error() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&5u32.to_le_bytes());
        bytes.extend_from_slice(&7u32.to_le_bytes());
        bytes.extend_from_slice(&9u64.to_le_bytes());
        bytes.extend_from_slice(b"abc");
        let records: Vec<_> = occurrences(&bytes).collect();
        assert_eq!(records.len(), 1);
        assert!(records[0].is_err());
    }
}
