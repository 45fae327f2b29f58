//! Reading source and draft files from disk: folders, globs, formats, bad input.

use copydesk_engine::corpus::SourceDoc;
use copydesk_engine::TextFormat;
use globset::{Glob, GlobSetBuilder};
use regex::Regex;
use std::fmt;
use std::path::{Path, PathBuf};
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
    /// Sources: .txt, .md, .markdown, .html, .htm
    Source,
}

fn accepted(path: &Path, kind: FileKind) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    matches!((kind, ext.as_deref()), (_, Some("md" | "markdown" | "txt")) | (FileKind::Source, Some("html" | "htm")))
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands files, folders (recursively) and globs into a sorted list of files of `kind`.
/// A path named explicitly is kept whatever its extension; missing paths are errors.
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
            // Walk from the longest literal prefix, match the rest.
            let literal: PathBuf = p.components().take_while(|c| !is_glob(&c.as_os_str().to_string_lossy())).collect();
            let glob = match Glob::new(&s) {
                Ok(g) => g.compile_matcher(),
                Err(err) => {
                    errors.push(LoadError { path: p.clone(), reason: format!("bad glob: {err}") });
                    continue;
                }
            };
            let before = files.len();
            for entry in walkdir::WalkDir::new(&literal).follow_links(true).into_iter().flatten() {
                if entry.file_type().is_file() && glob.is_match(entry.path()) && accepted(entry.path(), kind) {
                    files.push(entry.path().to_path_buf());
                }
            }
            if files.len() == before {
                errors.push(LoadError { path: p.clone(), reason: "no file matches this pattern".into() });
            }
        } else if p.is_dir() {
            for entry in walkdir::WalkDir::new(p).follow_links(true).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() && accepted(e.path(), kind) => files.push(e.path().to_path_buf()),
                    Ok(_) => {}
                    Err(err) => errors.push(LoadError {
                        path: err.path().map(Path::to_path_buf).unwrap_or_else(|| p.clone()),
                        reason: format!("cannot read: {err}"),
                    }),
                }
            }
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
    use std::io::Read;
    let err = |reason: String| LoadError { path: path.to_path_buf(), reason };
    let file = std::fs::File::open(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let len = file.metadata().map_err(|e| err(format!("cannot read: {e}")))?.len();
    if len > MAX_FILE_BYTES {
        return Err(err(format!("too large ({} MiB; the limit is {} MiB)", len >> 20, MAX_FILE_BYTES >> 20)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grew since its size was taken is still read only up to the limit (+1, to see it).
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| err(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(format!("too large (over {} MiB)", MAX_FILE_BYTES >> 20)));
    }
    Ok(bytes)
}

/// Decodes file contents: UTF-8 (a BOM is dropped); binary and invalid UTF-8 are refused.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err("binary file (contains NUL bytes); not checked".into());
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

/// Extracts the readable text of an HTML page with a real HTML parser: block elements
/// become paragraphs; scripts, styles and navigation are dropped. Returns (title, text).
pub fn html_to_text(html: &str) -> (Option<String>, String) {
    use scraper::{Html, Node};
    let doc = Html::parse_document(html);
    let mut out = String::new();
    let mut title = None;
    fn walk(node: ego_tree::NodeRef<'_, Node>, out: &mut String, title: &mut Option<String>) {
        match node.value() {
            Node::Text(t) => {
                let s = t.text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !s.is_empty() {
                    if !out.is_empty() && !out.ends_with([' ', '\n']) && t.text.starts_with(char::is_whitespace) {
                        out.push(' ');
                    }
                    out.push_str(&s);
                    if t.text.ends_with(char::is_whitespace) {
                        out.push(' ');
                    }
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if matches!(name, "script" | "style" | "noscript" | "nav" | "template" | "svg" | "head") {
                    if name == "head" {
                        for c in node.descendants() {
                            if let Node::Element(te) = c.value() {
                                if te.name() == "title" && title.is_none() {
                                    let s: String = c
                                        .descendants()
                                        .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                                        .collect();
                                    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                                    if !s.is_empty() {
                                        *title = Some(s);
                                    }
                                }
                            }
                        }
                    }
                    return;
                }
                let block = matches!(
                    name,
                    "p" | "div"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "li"
                        | "blockquote"
                        | "article"
                        | "section"
                        | "header"
                        | "footer"
                        | "tr"
                        | "br"
                        | "figcaption"
                        | "pre"
                        | "table"
                        | "ul"
                        | "ol"
                );
                if block && !out.is_empty() && !out.ends_with("\n\n") {
                    out.truncate(out.trim_end_matches(' ').len());
                    out.push_str("\n\n");
                }
                for c in node.children() {
                    walk(c, out, title);
                }
                if block && !out.ends_with("\n\n") {
                    out.truncate(out.trim_end_matches(' ').len());
                    out.push_str("\n\n");
                }
            }
            _ => {
                for c in node.children() {
                    walk(c, out, title);
                }
            }
        }
    }
    walk(doc.tree.root(), &mut out, &mut title);
    let text = out.trim().to_string() + "\n";
    (title, text)
}

/// Reads one source file into a [`SourceDoc`] (HTML is reduced to its text).
pub fn read_source(path: &Path, display: String) -> Result<SourceDoc, LoadError> {
    source_from_bytes(path, display, read_bytes(path)?)
}

/// [`read_source`] of bytes already read from `path`.
pub fn source_from_bytes(path: &Path, display: String, bytes: Vec<u8>) -> Result<SourceDoc, LoadError> {
    let raw = decode_file(path, bytes)?;
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("html" | "htm")) {
        let (title, text) = html_to_text(&raw);
        let (t2, date) = title_and_date(&text);
        return Ok(SourceDoc { path: display, text, format: TextFormat::Plain, title: title.or(t2), date });
    }
    let format = TextFormat::for_path(&path.to_string_lossy());
    let (title, date) = title_and_date(&raw);
    Ok(SourceDoc { path: display, text: raw, format, title, date })
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
    fn html_text_keeps_paragraphs_and_drops_scripts() {
        let (title, text) = html_to_text(
            "<html><head><title>Ministry figures</title><script>var x = 5;</script></head><body><nav>Home</nav><h1>Troops</h1><p>About <b>900</b> soldiers arrived.</p><p>Second.</p></body></html>",
        );
        assert_eq!(title.as_deref(), Some("Ministry figures"));
        assert_eq!(text, "Troops\n\nAbout 900 soldiers arrived.\n\nSecond.\n");
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
}
