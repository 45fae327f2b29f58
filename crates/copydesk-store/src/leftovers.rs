//! Files a killed process leaves beside the index: first builds of the database
//! (`….sqlite.building-PID-N`) and snapshots being written (`….snapshot.tmp-PID`).
//! Nothing else removes them, so the next process that works in the folder does.

use std::path::Path;
use std::time::Duration;

/// Removes the files in `dir` named `{prefix}{PID}` or `{prefix}{PID}-…` whose process is
/// gone (never this process's own: it may have several under way).
pub(crate) fn remove_abandoned(dir: &Path, prefix: &str) {
    let own = std::process::id();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(tag) = name.strip_prefix(prefix) else { continue };
        let pid = tag.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| pid != own && abandoned(&entry.path(), pid)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether the file at `path`, written by process `pid`, was abandoned: its process is
/// gone (where that cannot be told, it has not been written to for a day).
fn abandoned(path: &Path, pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        !Path::new("/proc").join(pid.to_string()).exists()
    } else {
        let idle = std::fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|m| m.elapsed().ok());
        idle.is_some_and(|d| d > Duration::from_secs(24 * 3600))
    }
}
