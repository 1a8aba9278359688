//! Partial states of a fan-out: the file `check --emit-state` writes for one partition and
//! `merge` reads back.
//!
//! The container is self-describing, so a state can be inspected with `head -c 1000` and a
//! mismatch is explained before the engine sees it:
//!
//! ```text
//! TRUTHOUND-PARTIAL-STATE\n                  magic line
//! {"version":1,"rule_document":..,...}\n     header: one line of compact JSON
//! <engine state bytes>                       exactly `state_bytes` bytes, FNV-1a `state_fnv64`
//! ```
//!
//! The header holds what every state of one merge must share (the rule document, its format and
//! the samples kept per rule: what the engine gathered) and what describes this partition (its
//! source and row count).

use crate::error::DataQualityError;
use crate::outputs::write_atomically;
use crate::runtime::RuleFormat;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use truthound_guest::checker::Fnv;

/// The first line of every partial state file.
const MAGIC: &[u8] = b"TRUTHOUND-PARTIAL-STATE\n";
/// The container version this build writes and reads.
pub const STATE_VERSION: u32 = 1;
/// Extension of partial state files (a directory given to `merge` contributes these; the
/// generated fan-out flows name their state files with it).
pub use truthound_guest::flows::STATE_EXTENSION;

/// One partition's partial check.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialState {
    /// What must be equal across the states of one merge.
    pub identity: StateIdentity,
    /// The partition's data source.
    pub source: String,
    /// Rows of the partition.
    pub rows: u64,
    /// The engine's checker state (`checker.export-state`).
    pub engine_state: Vec<u8>,
}

/// The settings a state was gathered with; states merge only when these are equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateIdentity {
    /// The rule document, as given to `check`.
    pub rule_document: String,
    /// Its language: `truthound`, `great_expectations` or `pandera`.
    pub rule_format: String,
    /// Unexpected values kept per rule.
    pub sample_failures: u32,
}

/// The header line.
#[derive(Serialize, Deserialize)]
struct Header {
    version: u32,
    #[serde(flatten)]
    identity: StateIdentity,
    source: String,
    rows: u64,
    state_bytes: u64,
    state_fnv64: String,
}

impl StateIdentity {
    /// The rule format as the engine names it.
    pub fn new(rule_document: &str, rule_format: RuleFormat, sample_failures: u32) -> StateIdentity {
        let rule_format = match rule_format {
            RuleFormat::Truthound => "truthound",
            RuleFormat::GreatExpectations => "great_expectations",
            RuleFormat::Pandera => "pandera",
        };
        StateIdentity { rule_document: rule_document.to_string(), rule_format: rule_format.into(), sample_failures }
    }

    /// The engine's rule format.
    pub fn format(&self) -> Result<RuleFormat, String> {
        match self.rule_format.as_str() {
            "truthound" => Ok(RuleFormat::Truthound),
            "great_expectations" => Ok(RuleFormat::GreatExpectations),
            "pandera" => Ok(RuleFormat::Pandera),
            other => Err(format!("unknown rule format {other:?}")),
        }
    }

    /// What differs from `other`, in words, or `None` when they match.
    pub fn difference(&self, other: &StateIdentity) -> Option<String> {
        if self.rule_document != other.rule_document {
            Some("it was made with another rule document".into())
        } else if self.rule_format != other.rule_format {
            Some(format!("its rules are {} rules, not {}", self.rule_format, other.rule_format))
        } else if self.sample_failures != other.sample_failures {
            Some(format!("it keeps {} samples per rule, not {}", self.sample_failures, other.sample_failures))
        } else {
            None
        }
    }
}

fn checksum(bytes: &[u8]) -> String {
    let mut hash = Fnv::default();
    hash.write(bytes);
    format!("{:016x}", hash.finish())
}

impl PartialState {
    /// The container's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let header = Header {
            version: STATE_VERSION,
            identity: self.identity.clone(),
            source: self.source.clone(),
            rows: self.rows,
            state_bytes: self.engine_state.len() as u64,
            state_fnv64: checksum(&self.engine_state),
        };
        let mut bytes = MAGIC.to_vec();
        bytes.extend(serde_json::to_vec(&header).expect("a header serialises"));
        bytes.push(b'\n');
        bytes.extend(&self.engine_state);
        bytes
    }

    /// Reads a container; `name` (the file) is named in every error.
    pub fn decode(bytes: &[u8], name: &str) -> Result<PartialState, DataQualityError> {
        let corrupt = |why: String| {
            DataQualityError::load_data(
                name,
                format!("{name}: not a usable partial state ({why}); run check --emit-state again"),
            )
        };
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| corrupt("it does not start with the partial state marker".into()))?;
        let end = rest.iter().position(|&b| b == b'\n').ok_or_else(|| corrupt("its header is cut off".into()))?;
        let header: Header = serde_json::from_slice(&rest[..end]).map_err(|e| corrupt(format!("bad header: {e}")))?;
        if header.version != STATE_VERSION {
            return Err(corrupt(format!(
                "container version {} but this build reads version {STATE_VERSION}",
                header.version
            )));
        }
        let engine_state = &rest[end + 1..];
        if engine_state.len() as u64 != header.state_bytes {
            return Err(corrupt(format!(
                "truncated or padded: {} engine state bytes where the header says {}",
                engine_state.len(),
                header.state_bytes
            )));
        }
        if checksum(engine_state) != header.state_fnv64 {
            return Err(corrupt("its engine state does not match its checksum".into()));
        }
        Ok(PartialState {
            identity: header.identity,
            source: header.source,
            rows: header.rows,
            engine_state: engine_state.to_vec(),
        })
    }

    /// Writes the container to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<(), DataQualityError> {
        write_atomically(path, &self.encode())
    }

    /// Reads the container at `path`.
    pub fn read(path: &Path) -> Result<PartialState, DataQualityError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| DataQualityError::load_data(&name, format!("{name}: cannot read the partial state: {e}")))?;
        PartialState::decode(&bytes, &name)
    }
}

/// The state files of `merge`'s arguments, in order: a file as given, a directory as its
/// `*.tqstate` files in name order, numbers in names compared by value (`state-2` before
/// `state-10`; zero-padded numbers sort the same). A directory without state files is an error.
pub fn state_files(arguments: &[PathBuf]) -> Result<Vec<PathBuf>, DataQualityError> {
    let mut files = Vec::new();
    for argument in arguments {
        if !argument.is_dir() {
            files.push(argument.clone());
            continue;
        }
        let name = argument.display().to_string();
        let entries = std::fs::read_dir(argument)
            .map_err(|e| DataQualityError::load_data(&name, format!("{name}: cannot list the directory: {e}")))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == STATE_EXTENSION))
            .collect();
        if found.is_empty() {
            return Err(DataQualityError::load_data(
                &name,
                format!("{name}: the directory holds no partial state (*.{STATE_EXTENSION}) files"),
            ));
        }
        found.sort_by(|a, b| numbers_by_value(&a.to_string_lossy(), &b.to_string_lossy()));
        files.extend(found);
    }
    Ok(files)
}

/// Orders names as text, except that runs of digits compare as numbers (`a2` < `a10`); equal
/// numbers written differently (`7`, `07`) fall back to text order.
fn numbers_by_value(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(text: &str) -> impl Iterator<Item = &str> {
        let mut rest = text;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digits = first.is_ascii_digit();
            let end = rest.find(|c: char| c.is_ascii_digit() != digits).unwrap_or(rest.len());
            let (run, after) = rest.split_at(end);
            rest = after;
            Some(run)
        })
    }
    let (mut left, mut right) = (runs(a), runs(b));
    let by_runs = loop {
        let (x, y) = match (left.next(), right.next()) {
            (Some(x), Some(y)) => (x, y),
            (x, y) => break x.is_some().cmp(&y.is_some()),
        };
        let numeric = x.starts_with(|c: char| c.is_ascii_digit()) && y.starts_with(|c: char| c.is_ascii_digit());
        let order = if numeric {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        } else {
            x.cmp(y)
        };
        if order.is_ne() {
            break order;
        }
    };
    by_runs.then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_names_sort_by_value() {
        let mut names = vec!["state-10.tqstate", "state-2.tqstate", "state-0.tqstate", "b-1", "a-01", "a-1", "a-007"];
        names.sort_by(|a, b| numbers_by_value(a, b));
        assert_eq!(names, ["a-01", "a-1", "a-007", "b-1", "state-0.tqstate", "state-2.tqstate", "state-10.tqstate"]);
        let padded = ["007.tqstate", "010.tqstate", "100.tqstate"];
        assert!(padded.windows(2).all(|w| numbers_by_value(w[0], w[1]).is_lt()));
    }

    fn state() -> PartialState {
        PartialState {
            identity: StateIdentity::new("- {type: not_null, column: id}\n", RuleFormat::Truthound, 100),
            source: "part-0.csv".into(),
            rows: 42,
            engine_state: (0..=255).collect(),
        }
    }

    #[test]
    fn a_state_round_trips() {
        let state = state();
        assert_eq!(PartialState::decode(&state.encode(), "s").unwrap(), state);
    }

    #[test]
    fn damage_is_named() {
        let bytes = state().encode();
        let truncated = PartialState::decode(&bytes[..bytes.len() - 1], "p.tqstate").unwrap_err();
        assert!(
            truncated.message.contains("p.tqstate") && truncated.message.contains("truncated"),
            "{}",
            truncated.message
        );
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(PartialState::decode(&flipped, "p").unwrap_err().message.contains("checksum"));
        assert!(PartialState::decode(b"PAR1", "p").unwrap_err().message.contains("marker"));
        assert!(PartialState::decode(&bytes[..MAGIC.len() + 5], "p").unwrap_err().message.contains("cut off"));
    }

    #[test]
    fn identities_name_their_difference() {
        let a = state().identity;
        let b = StateIdentity { sample_failures: 5, ..a.clone() };
        assert_eq!(a.difference(&a), None);
        assert!(a.difference(&b).unwrap().contains("samples"));
        let c = StateIdentity { rule_document: "[]".into(), ..a.clone() };
        assert!(a.difference(&c).unwrap().contains("rule document"));
    }
}
