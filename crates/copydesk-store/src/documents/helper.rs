//! Reading a document in a process of its own. A PDF whose form draws itself sends
//! pdf-extract into recursion without end, and a stack overflow aborts the whole process
//! (no `catch_unwind` stops it); a parser can loop, or inflate a small stream into
//! gigabytes. The `copydesk` binary therefore reads each PDF and DOCX by running itself as
//! `copydesk read-document <pdf|docx>`: the document's bytes on standard input, the text
//! (JSON) on standard output. That process is killed after [`DEADLINE`] and may use at most
//! [`MAX_MEMORY`]; whatever it does, the check or the server that asked gets an error
//! naming the file and goes on.

use super::{read_here, DocumentKind, DocumentText};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The subcommand of the binary that reads one document.
pub const SUBCOMMAND: &str = "read-document";

/// How long one document may take to read. pdf-extract reads about a page in a few
/// milliseconds; a file that takes this long is looping.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Address space the reading process may use (Linux: its `RLIMIT_AS`).
pub const MAX_MEMORY: u64 = 4 << 30;

static HELPER: OnceLock<PathBuf> = OnceLock::new();

/// From now on, documents are read by running `exe` (this program: it must answer
/// [`SUBCOMMAND`] with [`serve_helper`]). Called once by the binary at start.
pub fn read_in_helper_process(exe: PathBuf) {
    let _ = HELPER.set(exe);
}

pub(super) fn helper() -> Option<&'static Path> {
    HELPER.get().map(PathBuf::as_path)
}

/// Reads a document of `kind` by running `exe read-document <kind>`.
pub(super) fn read(exe: &Path, kind: DocumentKind, bytes: &[u8]) -> Result<DocumentText, String> {
    let mut child = Command::new(exe)
        .arg(SUBCOMMAND)
        .arg(kind.extension())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the {} reader ({}: {e}); not read", kind.name(), exe.display()))?;
    let (Some(mut input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("cannot start the {} reader; not read", kind.name()));
    };
    let started = Instant::now();
    let (status, answer) = std::thread::scope(|scope| {
        // A reader that dies before taking all the input ends the write with an error.
        scope.spawn(move || {
            let _ = input.write_all(bytes);
        });
        let answer = scope.spawn(move || {
            let mut answer = Vec::new();
            let limit = 8 * super::MAX_TEXT_BYTES as u64;
            output.take(limit).read_to_end(&mut answer).map(|_| answer)
        });
        let status = wait_until(&mut child, started + DEADLINE);
        if status.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        (status, answer.join())
    });
    let crashed =
        || format!("the {} reader crashed on it (a damaged file, or one made to crash readers); not read", kind.name());
    match status {
        None => Err(format!(
            "reading it took over {} s (a damaged file, or one made to hang readers?); not read",
            DEADLINE.as_secs()
        )),
        Some(Err(e)) => Err(format!("cannot read it: {e}")),
        Some(Ok(s)) if !s.success() => Err(crashed()),
        Some(Ok(_)) => match answer {
            Ok(Ok(answer)) => serde_json::from_slice(&answer).unwrap_or_else(|_| Err(crashed())),
            _ => Err(crashed()),
        },
    }
}

/// Waits for `child` to exit, up to `deadline` (None past it).
fn wait_until(child: &mut std::process::Child, deadline: Instant) -> Option<std::io::Result<std::process::ExitStatus>> {
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(Ok(status)),
            Ok(None) if Instant::now() >= deadline => return None,
            Ok(None) => {
                std::thread::sleep(pause.min(deadline.saturating_duration_since(Instant::now())));
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

/// The reading process's side ([`SUBCOMMAND`]): reads a document of format `kind` from
/// standard input and writes its text, or why there is none, as JSON to standard output.
/// Returns the exit code.
pub fn serve_helper(kind: &str) -> u8 {
    let Some(kind) = DocumentKind::parse(kind) else {
        eprintln!("copydesk {SUBCOMMAND}: no such document format: {kind}");
        return 2;
    };
    limit_memory();
    let mut bytes = Vec::new();
    let limit = crate::load::MAX_FILE_BYTES + 1;
    if let Err(e) = std::io::stdin().lock().take(limit).read_to_end(&mut bytes) {
        eprintln!("copydesk {SUBCOMMAND}: {e}");
        return 2;
    }
    let answer = read_here(kind, &bytes);
    let mut out = std::io::stdout().lock();
    match serde_json::to_writer(&mut out, &answer).map_err(std::io::Error::from).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 2,
    }
}

/// Holds this process to [`MAX_MEMORY`] of address space: an allocation past it fails
/// (and aborts the process), instead of the machine running out.
fn limit_memory() {
    #[cfg(target_os = "linux")]
    {
        let limit = libc::rlimit { rlim_cur: MAX_MEMORY, rlim_max: MAX_MEMORY };
        // SAFETY: setrlimit reads the struct it is given and changes only this process's limit.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &limit);
        }
    }
}
