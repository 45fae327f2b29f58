//! Reading source and draft files from disk: folders, globs, formats, bad input.

use crate::documents::{self, DocumentKind};
use copydesk_engine::corpus::SourceDoc;
use copydesk_engine::{Layout, TextFormat};
use globset::{Glob, GlobSetBuilder};
use regex::Regex;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// Files larger than this are refused with a message rather than read.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// A file that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

/// Which files a walk accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Drafts: .md, .markdown, .txt
    Draft,
    /// Sources: .txt, .md, .markdown, .html, .htm, .pdf, .docx
    Source,
}

/// Whether a walk takes `path` as a file of `kind`, by its extension.
pub fn accepted(path: &Path, kind: FileKind) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!(
        (kind, ext.as_deref()),
        (_, Some("md" | "markdown" | "txt")) | (FileKind::Source, Some("html" | "htm" | "pdf" | "docx"))
    )
}

/// Whether a corpus path is a glob pattern.
pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// A glob pattern as written (`*.txt`, `./sources/*.txt`, `sources//*.txt`), made to match
/// the paths a walk of its folder gives: `.` components and doubled separators dropped.
pub struct PathGlob {
    /// The folder to walk: the pattern's leading components without a wildcard (`.` when none).
    pub root: PathBuf,
    matcher: globset::GlobMatcher,
}

impl PathGlob {
    pub fn new(pattern: &Path) -> Result<Self, globset::Error> {
        let pattern: PathBuf = pattern.components().filter(|c| *c != Component::CurDir).collect();
        let root: PathBuf = pattern.components().take_while(|c| !is_glob(&c.as_os_str().to_string_lossy())).collect();
        let matcher = Glob::new(&pattern.to_string_lossy())?.compile_matcher();
        Ok(PathGlob { root: if root.as_os_str().is_empty() { PathBuf::from(".") } else { root }, matcher })
    }

    /// The pattern as it is matched.
    pub fn pattern(&self) -> &str {
        self.matcher.glob().glob()
    }

    /// Whether `path` (as a walk of [`Self::root`] gives it, or written the same way) matches.
    pub fn is_match(&self, path: &Path) -> bool {
        self.matcher.is_match(path.strip_prefix(".").unwrap_or(path))
    }
}

/// Expands files, folders (recursively) and globs into a sorted list of files of `kind`.
/// A path named explicitly is kept whatever its extension; missing paths are errors.
/// A link to a folder, inside a folder (or under a glob's folder), is followed only when it
/// leads inside that folder: a link to a folder above it (`..`) would bring in files nobody
/// named. A link to a file is followed wherever it leads (a folder of links to chosen files
/// is a corpus too).
pub fn expand_paths(paths: &[PathBuf], kind: FileKind, exclude: &[String]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut ex = GlobSetBuilder::new();
    for e in exclude {
        match Glob::new(e) {
            Ok(g) => {
                ex.add(g);
            }
            Err(err) => errors.push(LoadError { path: PathBuf::from(e), reason: format!("bad exclude glob: {err}") }),
        }
    }
    let ex = ex.build().unwrap_or_else(|_| globset::GlobSet::empty());
    for p in paths {
        let s = p.to_string_lossy();
        if is_glob(&s) {
            let glob = match PathGlob::new(p) {
                Ok(g) => g,
                Err(err) => {
                    errors.push(LoadError { path: p.clone(), reason: format!("bad glob: {err}") });
                    continue;
                }
            };
            let before = files.len();
            walk_inside(&glob.root, &mut errors, |file| {
                if glob.is_match(file) && accepted(file, kind) {
                    // Below `.`, as the user would write it.
                    files.push(file.strip_prefix(".").unwrap_or(file).to_path_buf());
                }
            });
            if files.len() == before {
                errors.push(LoadError { path: p.clone(), reason: "no file matches this pattern".into() });
            }
        } else if p.is_dir() {
            walk_inside(p, &mut errors, |file| {
                if accepted(file, kind) {
                    files.push(file.to_path_buf());
                }
            });
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            errors.push(LoadError { path: p.clone(), reason: "no such file or folder".into() });
        }
    }
    files.retain(|f| !ex.is_match(f));
    files.sort();
    files.dedup();
    (files, errors)
}

/// Calls `found` with every file under the folder `root`, following links to folders only
/// when they lead inside it (the others, and what cannot be read, are errors).
fn walk_inside(root: &Path, errors: &mut Vec<LoadError>, mut found: impl FnMut(&Path)) {
    let inside = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut outside = Vec::new();
    let walk = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if e.depth() == 0 || !e.path_is_symlink() || !e.file_type().is_dir() {
            return true;
        }
        match std::fs::canonicalize(e.path()) {
            Ok(target) if !target.starts_with(&inside) => {
                outside.push(LoadError {
                    path: e.path().to_path_buf(),
                    reason: format!(
                        "a link to the folder {}, outside {}; not followed (name that folder as corpus to use it)",
                        target.display(),
                        root.display()
                    ),
                });
                false
            }
            _ => true,
        }
    });
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() => found(e.path()),
            Ok(_) => {}
            Err(err) => errors.push(LoadError {
                path: err.path().map(Path::to_path_buf).unwrap_or_else(|| root.to_path_buf()),
                reason: format!("cannot read: {err}"),
            }),
        }
    }
    errors.append(&mut outside);
}

/// Reads a file as UTF-8 text, refusing binary, oversized and undecodable files with a reason.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    decode_file(path, read_bytes(path)?)
}

/// [`decode`] of the bytes of `path`, an error naming the file.
fn decode_file(path: &Path, bytes: Vec<u8>) -> Result<String, LoadError> {
    decode(bytes).map_err(|reason| LoadError { path: path.to_path_buf(), reason })
}

/// Reads a file's bytes, refusing one over the size limit before reading it.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, LoadError> {
    read_stamped(path).map(|(bytes, _)| bytes)
}

/// A file's size and modification time (nanoseconds since the epoch; 0 before it).
pub type Stamp = (i64, i64);

/// A file's [`Stamp`], or None when the system keeps no modification time.
pub fn stamp_of(meta: &std::fs::Metadata) -> Option<Stamp> {
    let mtime = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0);
    Some((meta.len() as i64, mtime))
}

/// [`read_bytes`], with the file's stamp ([`stamp_of`]) as it was before it was read.
pub fn read_stamped(path: &Path) -> Result<(Vec<u8>, Option<Stamp>), LoadError> {
    use std::io::Read;
    let err = |reason: String| LoadError { path: path.to_path_buf(), reason };
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let meta = file.metadata().map_err(|e| err(format!("cannot read: {e}")))?;
    let len = meta.len();
    let stamp = stamp_of(&meta);
    if len > MAX_FILE_BYTES {
        return Err(err(format!("too large ({} MiB; the limit is {} MiB)", len >> 20, MAX_FILE_BYTES >> 20)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grew since its size was taken is still read only up to the limit (+1, to see it).
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| err(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(format!("too large (over {} MiB)", MAX_FILE_BYTES >> 20)));
    }
    Ok((bytes, stamp))
}

/// Decodes file contents: UTF-8 (a BOM is dropped), or UTF-16 with a byte-order mark;
/// binary and invalid text are refused.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let binary = || "binary file (contains NUL bytes); not checked".to_string();
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(&bytes).filter(|(e, _)| *e != encoding_rs::UTF_8) {
        let text = encoding.decode_without_bom_handling_and_without_replacement(&bytes[bom..]).ok_or_else(|| {
            format!("not valid {} (an unpaired surrogate or an odd last byte); convert it to UTF-8", encoding.name())
        })?;
        if text.chars().take(8192).any(|c| c == '\0') {
            return Err(binary());
        }
        return Ok(text.into_owned());
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Err(binary());
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{FEFF}') {
                s.replace_range(..3, "");
            }
            Ok(s)
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
            Err(format!("not valid UTF-8 (first bad byte at offset {at}, line {line}); convert it to UTF-8"))
        }
    }
}

fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?ix)^\s*(?:
            \d{1,2}-[a-z]{3}-\d{4}(?:\s+[\d:.]+)?                 # 26-FEB-1987 15:02:20.00
          | \d{4}-\d{2}-\d{2}(?:[t\s][\d:.]+z?)?                   # 2021-12-03
          | (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},\s+\d{4}  # December 3, 2021
          )\s*$",
        )
        .expect("static regex")
    })
}

/// Title (first short line) and date (a date-only line near the top) of a plain or Markdown source.
pub fn title_and_date(text: &str) -> (Option<String>, Option<String>) {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let title = lines
        .next()
        .filter(|l| l.chars().count() <= 200)
        .map(|l| l.trim_start_matches('#').trim().to_string())
        .filter(|l| !l.is_empty());
    let date = text.lines().take(6).map(str::trim).find(|l| date_re().is_match(l)).map(str::to_string);
    (title, date)
}

/// Reads one source file into a [`SourceDoc`] (HTML is reduced to its text; PDF and DOCX
/// have theirs read out, see [`crate::documents`]).
pub fn read_source(path: &Path, display: String) -> Result<SourceDoc, LoadError> {
    source_from_bytes(path, display, read_bytes(path)?)
}

/// [`read_source`] of bytes already read from `path`.
pub fn source_from_bytes(path: &Path, display: String, bytes: Vec<u8>) -> Result<SourceDoc, LoadError> {
    if let Some(kind) = DocumentKind::for_path(path) {
        let doc =
            documents::read_document(kind, &bytes).map_err(|reason| LoadError { path: path.to_path_buf(), reason })?;
        let (title, date) = title_and_date(&doc.text);
        return Ok(SourceDoc {
            path: display,
            text: doc.text,
            format: TextFormat::Plain,
            title,
            date,
            layout: doc.layout,
        });
    }
    let raw = decode_file(path, bytes)?;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("html" | "htm")) {
        let (title, text) = crate::html::html_to_text(&raw);
        let (t2, date) = title_and_date(&text);
        return Ok(SourceDoc {
            path: display,
            text,
            format: TextFormat::Plain,
            title: title.or(t2),
            date,
            layout: Layout::File,
        });
    }
    let format = TextFormat::for_path(&path.to_string_lossy());
    let (title, date) = title_and_date(&raw);
    Ok(SourceDoc { path: display, text: raw, format, title, date, layout: Layout::File })
}

/// How a path is shown: relative to `base` when it is below it.
pub fn display_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base).unwrap_or(path).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_binary_and_bad_utf8() {
        assert!(decode(vec![b'a', 0, b'b']).unwrap_err().contains("binary"));
        let e = decode(b"ok\n\xff\xfe".to_vec()).unwrap_err();
        assert!(e.contains("UTF-8") && e.contains("line 2"), "{e}");
        assert_eq!(decode("\u{FEFF}hi".as_bytes().to_vec()).unwrap(), "hi");
    }

    #[test]
    fn decodes_utf16_with_a_byte_order_mark() {
        let text = "Café owner said 1,200 cups \u{1F600}.\r\nSecond line.\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(le.clone()).as_deref(), Ok(text));
        assert_eq!(decode(be).as_deref(), Ok(text));
        // An unpaired surrogate, an odd byte at the end, NULs: refused with a reason.
        let e = decode(vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8]).unwrap_err();
        assert!(e.contains("UTF-16LE"), "{e}");
        assert!(decode([&le[..], b"x"].concat()).unwrap_err().contains("UTF-16LE"));
        assert!(decode(vec![0xFF, 0xFE, 0, 0, b'a', 0]).unwrap_err().contains("binary"));
    }

    #[test]
    fn finds_title_and_date() {
        let (t, d) = title_and_date("GRAIN SHIPMENTS RISE\n3-MAR-1987 10:00:00.00\n\nBody.");
        assert_eq!(t.as_deref(), Some("GRAIN SHIPMENTS RISE"));
        assert_eq!(d.as_deref(), Some("3-MAR-1987 10:00:00.00"));
    }

    #[test]
    fn expands_folders_globs_and_reports_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join("b.md"), "x").unwrap();
        std::fs::write(dir.path().join("c.bin"), "x").unwrap();
        let (files, errors) = expand_paths(&[dir.path().to_path_buf(), dir.path().join("nope")], FileKind::Source, &[]);
        assert_eq!(files.len(), 2);
        assert_eq!(errors.len(), 1);
        let (files, _) = expand_paths(&[dir.path().join("*.md")], FileKind::Source, &[]);
        assert_eq!(files, vec![dir.path().join("b.md")]);
    }

    #[test]
    fn globs_match_as_written_with_dots_and_doubled_slashes() {
        for (pattern, root, path) in [
            ("*.txt", ".", "a.txt"),
            ("./src/*.txt", "src", "src/a.txt"),
            ("src//*.txt", "src", "src/a.txt"),
            ("/w/./src//**/*.txt", "/w/src", "/w/src/x/a.txt"),
        ] {
            let glob = PathGlob::new(Path::new(pattern)).unwrap();
            assert_eq!(glob.root, Path::new(root), "{pattern}");
            assert!(glob.is_match(Path::new(path)) && glob.is_match(&Path::new(root).join("a.txt")), "{pattern}");
            assert!(!glob.is_match(Path::new("a.md")), "{pattern}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_to_folders_are_followed_only_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(corpus.join("inner")).unwrap();
        std::fs::write(dir.path().join("outside.txt"), "x").unwrap();
        std::fs::write(corpus.join("inner/a.txt"), "x").unwrap();
        std::os::unix::fs::symlink("inner", corpus.join("alias")).unwrap();
        std::os::unix::fs::symlink("inner/a.txt", corpus.join("b.txt")).unwrap();
        std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
        std::fs::write(dir.path().join("elsewhere/c.txt"), "x").unwrap();
        std::os::unix::fs::symlink("..", corpus.join("up")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), corpus.join("ext")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.txt"), corpus.join("out.txt")).unwrap();
        for p in [corpus.clone(), corpus.join("**/*.txt")] {
            let (files, errors) = expand_paths(std::slice::from_ref(&p), FileKind::Source, &[]);
            let names: Vec<_> = files.iter().map(|f| f.strip_prefix(&corpus).unwrap().to_path_buf()).collect();
            let want: Vec<PathBuf> =
                ["alias/a.txt", "b.txt", "inner/a.txt", "out.txt"].iter().map(PathBuf::from).collect();
            assert_eq!(names, want, "{}", p.display());
            let mut refused: Vec<_> = errors.iter().map(|e| e.path.strip_prefix(&corpus).unwrap()).collect();
            refused.sort();
            assert_eq!(refused, [Path::new("ext"), Path::new("up")], "{errors:?}");
            assert!(errors.iter().all(|e| e.reason.contains("not followed")), "{errors:?}");
        }
    }
}
