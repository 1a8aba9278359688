//! Where collected numbers go when they outgrow memory: sorted runs, one after another in one
//! file of the spill directory. The value at a sorted position is found by bisecting the order
//! keys, counting the values at most a key with a binary search of each run on disk, in memory
//! that does not grow with the row count. Exporting reads the runs back one at a time.
//!
//! A value is stored as its order key (`u64`, little endian): numbers of one kind sort as their
//! keys do. A run remembers whether it holds integers or floats; counted with floats, integers
//! are read as floats (as the in-memory collection converts them).

use super::spill::SpillSettings;
use super::spill_files::{SpillDir, SpillFile};
use crate::model::QualityError;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// Values written at a time.
const CHUNK_VALUES: usize = 8 * 1024;

/// Names the run files of one instance apart.
static NEXT_FILE: AtomicU32 = AtomicU32::new(0);

/// The order key of an integer.
pub fn int_key(value: i64) -> u64 {
    (value as u64) ^ (1 << 63)
}

/// The integer of an order key.
pub fn key_int(key: u64) -> i64 {
    (key ^ (1 << 63)) as i64
}

/// The order key of a float: keys sort as `f64::total_cmp` does.
pub fn float_key(value: f64) -> u64 {
    let bits = value.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | (1 << 63) }
}

/// The float of an order key.
pub fn key_float(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key & !(1 << 63) } else { !key })
}

/// `key`, the order key of an integer unless `floats`, as the order key of a float when
/// `as_floats`.
fn converted(key: u64, floats: bool, as_floats: bool) -> u64 {
    if as_floats && !floats { float_key(key_int(key) as f64) } else { key }
}

/// One sorted run in the file.
struct Run {
    offset: u64,
    len: usize,
    floats: bool,
}

/// Sorted runs of numbers in one spill file, removed when dropped.
pub struct SortedRuns {
    dir: SpillDir,
    name: String,
    /// The file's path, for errors.
    path: PathBuf,
    file: SpillFile,
    runs: Vec<Run>,
    bytes: u64,
}

impl SortedRuns {
    /// An empty file of runs in the settings' directory.
    pub fn new(settings: &SpillSettings) -> Result<SortedRuns, QualityError> {
        let name = format!("sorted-{}.spill", NEXT_FILE.fetch_add(1, Ordering::Relaxed));
        let path = settings.dir.join(&name);
        let failed = |e: std::io::Error| QualityError::data(format!("cannot spill values to {}: {e}", path.display()));
        let dir = SpillDir::open(&settings.dir).map_err(failed)?;
        let file = dir.create(&name).map_err(failed)?;
        Ok(SortedRuns { dir, name, path, file, runs: Vec::new(), bytes: 0 })
    }

    /// Appends a run of order keys, which must be sorted, of integers or of floats.
    pub fn append(&mut self, keys: &[u64], floats: bool) -> Result<(), QualityError> {
        let mut bytes = Vec::with_capacity(CHUNK_VALUES * 8);
        for chunk in keys.chunks(CHUNK_VALUES) {
            bytes.clear();
            chunk.iter().for_each(|key| bytes.extend_from_slice(&key.to_le_bytes()));
            self.file.append(&bytes).map_err(|e| self.error("spill values to", e))?;
        }
        self.runs.push(Run { offset: self.bytes, len: keys.len(), floats });
        self.bytes += keys.len() as u64 * 8;
        Ok(())
    }

    /// Values in all runs.
    pub fn len(&self) -> usize {
        self.runs.iter().map(|run| run.len).sum()
    }

    /// Whether a run holds floats (so that counted together, every value is read as a float).
    pub fn holds_floats(&self) -> bool {
        self.runs.iter().any(|run| run.floats)
    }

    /// The order keys at the sorted `positions` of the values of the runs and of `more` (sorted
    /// order keys, of floats when `more_floats`), as order keys of floats when `as_floats` and of
    /// integers otherwise. Each is found by bisecting the keys: the smallest key that more than
    /// `position` values are at most.
    pub fn select(
        &self,
        more: &[u64],
        more_floats: bool,
        as_floats: bool,
        positions: &[usize],
    ) -> Result<Vec<u64>, QualityError> {
        let at_most = |bound: u64| -> Result<usize, QualityError> {
            let mut count = more.partition_point(|&key| converted(key, more_floats, as_floats) <= bound);
            for run in &self.runs {
                count += self.partition_point(run, |key| converted(key, run.floats, as_floats) <= bound)?;
            }
            Ok(count)
        };
        let mut keys = Vec::with_capacity(positions.len());
        for &position in positions {
            let (mut low, mut high) = (0u64, u64::MAX);
            while low < high {
                let middle = low + (high - low) / 2;
                if at_most(middle)? > position {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            keys.push(low);
        }
        Ok(keys)
    }

    /// How many values of `run` (sorted) `below` holds for, reading them from disk.
    fn partition_point(&self, run: &Run, below: impl Fn(u64) -> bool) -> Result<usize, QualityError> {
        let (mut low, mut high) = (0, run.len);
        let mut bytes = Vec::with_capacity(8);
        while low < high {
            let middle = low + (high - low) / 2;
            self.file
                .read_at(run.offset + middle as u64 * 8, 8, &mut bytes)
                .map_err(|e| self.error("read spilled values from", e))?;
            if below(u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        Ok(low)
    }

    /// Each run's order keys in turn, and whether they are floats, for `each`.
    pub fn for_each_run(&self, mut each: impl FnMut(&[u64], bool)) -> Result<(), QualityError> {
        let mut bytes = Vec::new();
        for run in &self.runs {
            self.file
                .read_at(run.offset, run.len * 8, &mut bytes)
                .map_err(|e| self.error("read spilled values from", e))?;
            let keys: Vec<u64> =
                bytes.chunks_exact(8).map(|key| u64::from_le_bytes(key.try_into().expect("8 bytes"))).collect();
            each(&keys, run.floats);
        }
        Ok(())
    }

    fn error(&self, what: &str, e: std::io::Error) -> QualityError {
        QualityError::data(format!("cannot {what} {}: {e}", self.path.display()))
    }
}

impl Drop for SortedRuns {
    fn drop(&mut self) {
        let _ = self.dir.remove(&self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_keys_sort_as_the_numbers_and_read_back() {
        let ints = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        assert!(ints.windows(2).all(|w| int_key(w[0]) < int_key(w[1])));
        assert!(ints.iter().all(|&i| key_int(int_key(i)) == i));
        let floats = [f64::NEG_INFINITY, -2.5, -0.0, 0.0, 1e-300, 3.0, f64::INFINITY, f64::NAN];
        assert!(floats.windows(2).all(|w| float_key(w[0]) < float_key(w[1])));
        assert!(floats.iter().all(|&f| key_float(float_key(f)).to_bits() == f.to_bits()));
    }

    #[test]
    fn selects_positions_across_runs_and_memory_and_reads_runs_back() {
        let dir = std::env::temp_dir().join(format!("truthound-sorted-runs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let settings = SpillSettings { dir: dir.clone(), budget_bytes: 1 };
        let mut runs = SortedRuns::new(&settings).unwrap();
        let run_of = |values: &[i64]| values.iter().map(|&v| int_key(v)).collect::<Vec<_>>();
        // Runs longer than a written chunk, interleaved with each other and with memory.
        let evens: Vec<i64> = (0..20_000).map(|i| i * 2).collect();
        let odds: Vec<i64> = (0..20_000).map(|i| i * 2 + 1).collect();
        runs.append(&run_of(&evens), false).unwrap();
        runs.append(&run_of(&odds), false).unwrap();
        let floats: Vec<u64> = [-1.5, 10.25, 50_000.0].iter().map(|&f| float_key(f)).collect();
        let mut read_back = Vec::new();
        runs.for_each_run(|keys, floats| {
            read_back.push((keys.iter().map(|&k| key_int(k)).collect::<Vec<_>>(), floats))
        })
        .unwrap();
        assert_eq!(read_back, [(evens, false), (odds, false)]);
        let mut expected: Vec<f64> = (0..40_000).map(|i| i as f64).chain([-1.5, 10.25, 50_000.0]).collect();
        expected.sort_by(f64::total_cmp);
        assert_eq!(runs.len(), 40_000);
        let positions = [0, 1, 12, 20_000, 40_002];
        let selected = runs.select(&floats, true, true, &positions).unwrap();
        assert_eq!(selected.into_iter().map(key_float).collect::<Vec<_>>(), positions.map(|p| expected[p]));
        let ints = runs.select(&[], false, false, &[0, 1, 39_999]).unwrap();
        assert_eq!(ints.into_iter().map(key_int).collect::<Vec<_>>(), [0, 1, 39_999]);
        let path = dir.join(&runs.name);
        drop(runs);
        assert!(!path.exists(), "the runs' file is removed");
        std::fs::remove_dir(&dir).unwrap();
    }
}
