//! The first build of an index, in a file of its own until it is complete.

use super::database::remove_journal;
use crate::leftovers;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The first build of an index, written to a file of its own beside the database
/// (`index-….sqlite.building-PID-N`) without a journal and without syncs, then synced
/// once and linked into place. A build that is killed leaves no database (its file is
/// removed by the next first build); one that fails removes its file. Every later sync
/// updates the database in place, in one WAL transaction.
///
/// A rollback or WAL journal would write every page twice, and the WAL's checkpoint at
/// the end of a first build costs as much as a fifth of the build.
pub(super) struct FirstBuild {
    pub path: PathBuf,
}

impl FirstBuild {
    const INFIX: &'static str = ".building-";

    /// A first build when there is no database at `db` yet.
    pub fn start(db: &Path) -> Option<Self> {
        if db.exists() {
            return None;
        }
        static ATTEMPTS: AtomicUsize = AtomicUsize::new(0);
        let name = db.file_name()?.to_string_lossy().into_owned();
        let own = std::process::id();
        // Builds left behind by killed processes (a process may have several under way:
        // the server syncing while it reloads).
        leftovers::remove_abandoned(db.parent()?, &format!("{name}{}", Self::INFIX));
        let attempt = ATTEMPTS.fetch_add(1, Ordering::Relaxed);
        Some(FirstBuild { path: db.with_file_name(format!("{name}{}{own}-{attempt}", Self::INFIX)) })
    }

    /// Syncs the complete build and links it in as `db`; false (and the build dropped)
    /// when a database appeared at `db` meanwhile.
    pub fn finish(&self, db: &Path) -> Result<bool> {
        std::fs::File::open(&self.path)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("{}: cannot sync the new index", self.path.display()))?;
        if db.exists() {
            return Ok(false);
        }
        // A journal left by a database that is gone would be replayed into this one.
        remove_journal(db);
        // A link fails if the name is taken: two first builds cannot replace each other.
        match std::fs::hard_link(&self.path, db) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            // File systems without hard links.
            Err(_) if !db.exists() => std::fs::rename(&self.path, db)
                .with_context(|| format!("{}: cannot put the new index in place", db.display()))?,
            Err(_) => return Ok(false),
        }
        if let Some(dir) = db.parent().and_then(|d| std::fs::File::open(d).ok()) {
            let _ = dir.sync_all();
        }
        Ok(true)
    }
}

impl Drop for FirstBuild {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
