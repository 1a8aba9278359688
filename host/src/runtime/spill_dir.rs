//! The engine's spill directory: created per session under `TMPDIR`, preopened as `/spill`, and
//! removed when the session ends. A run that is killed cannot remove its own, so each directory
//! holds a `.lock` file its session keeps locked; a new session removes every spill directory
//! whose lock nobody holds (an flock is released when its process dies, in any PID namespace).

use super::{GUEST_SPILL_DIR, engine_error};
use crate::error::DataQualityError;
use std::fs::File;
use std::path::Path;
use truthound_guest::analyzers::spill::{SPILL_BUDGET_VARIABLE, SPILL_DIR_VARIABLE};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

const PREFIX: &str = "truthound-spill-";
const LOCK_FILE: &str = ".lock";

/// A session's spill directory and the lock that marks it as in use.
pub struct SpillDir {
    // Dropped in order: the lock is released after the directory is gone.
    _dir: tempfile::TempDir,
    _lock: File,
}

/// Creates a private spill directory in the system's temporary directory and grants it to the
/// guest with the budget, unless the budget is 0; first removes those of killed runs.
pub fn grant(wasi: &mut WasiCtxBuilder, budget_bytes: u64) -> Result<Option<SpillDir>, DataQualityError> {
    if budget_bytes == 0 {
        return Ok(None);
    }
    let parent = std::env::temp_dir();
    remove_abandoned(&parent);
    let failed = |e: std::io::Error| {
        DataQualityError::engine("start", format!("cannot create a spill directory in {}: {e}", parent.display()), None)
    };
    let dir = tempfile::Builder::new().prefix(PREFIX).tempdir_in(&parent).map_err(failed)?;
    let lock = File::create(dir.path().join(LOCK_FILE)).map_err(failed)?;
    lock.try_lock().map_err(|e| failed(std::io::Error::other(e.to_string())))?;
    wasi.preopened_dir(dir.path(), GUEST_SPILL_DIR, FsPerms::ReadWrite)
        .map_err(engine_error("cannot grant the engine its spill directory"))?;
    wasi.env(SPILL_DIR_VARIABLE, GUEST_SPILL_DIR).env(SPILL_BUDGET_VARIABLE, budget_bytes.to_string());
    Ok(Some(SpillDir { _dir: dir, _lock: lock }))
}

/// Removes the spill directories in `parent` whose lock file nobody holds. Directories without
/// a lock file may be in the middle of their creation and are left alone.
fn remove_abandoned(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let Ok(lock) = File::open(entry.path().join(LOCK_FILE)) else { continue };
        if lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
