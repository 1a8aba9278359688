//! Result files, written so that a reader never sees a half-written file.

use crate::error::DataQualityError;
use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` through a temporary file in the same directory and a rename, so
/// the file is either absent (or unchanged) or complete.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), DataQualityError> {
    let name = path.display().to_string();
    let fail =
        |what: &str, e: std::io::Error| DataQualityError::output(&name, "file", format!("{name}: cannot {what}: {e}"));
    let directory = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name =
        path.file_name().ok_or_else(|| DataQualityError::output(&name, "file", format!("{name}: not a file path")))?;
    let temporary = directory.join(format!(".{}.{}.tmp", file_name.to_string_lossy(), std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(contents).and_then(|_| file.sync_all()))
        .and_then(|_| std::fs::rename(&temporary, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail("write the output file", e));
    }
    Ok(())
}
