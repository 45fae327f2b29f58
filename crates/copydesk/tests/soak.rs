//! A soak test of `copydesk lsp` as a process (the robustness issue).
//!
//! A scripted client keeps four drafts open (Markdown and plain text, "\n",
//! "\r\n" and lone "\r" line endings, one an unsaved `untitled:` buffer) and
//! makes thousands of random incremental edits: inserts, deletes and
//! replacements of emoji and other surrogate pairs, CJK, combining marks, line
//! breaks, whole sentences and figures; some with positions past a line's end
//! or past the last line, inside a surrogate pair, or with a reversed range.
//! Between the edits it sends hovers, definitions, code actions and diagnostic
//! pulls (on open, closed and never-opened documents), applies quick fixes as
//! an editor does, closes and reopens drafts, and creates, rewrites and deletes
//! corpus files underneath, announcing them with `workspace/didChangeWatchedFiles`.
//!
//! It fails when a request goes unanswered for [`REQUEST_TIMEOUT`], when an
//! answer is an error or (for a document that is not open) not empty, when the
//! server logs an error, writes a panic or stops; and at checkpoints and at the
//! end, once the server has settled, when the diagnostics last published for an
//! open draft differ from what `copydesk check --format json --no-index` finds in
//! the client's copy of its text against the corpus on disk (codes, severities,
//! ranges, messages, the flagged text, suggestions and evidence), or when a
//! closed draft keeps diagnostics. A diagnostic carries the flagged text as the
//! server has it, so equal ranges and texts also say that the server's text is
//! the client's; a probe sentence appended at each checkpoint puts a finding on
//! the last line.
//!
//! The client's copy of each text applies every change as the server does
//! (`copydesk_lsp::document`): UTF-16 columns; lines end at "\n", "\r\n" or a
//! lone "\r"; a column past a line's end means the end of its text, a line past
//! the last means the end of the document, a column inside a surrogate pair
//! means the start of that character, and a reversed range is the same range.
//!
//! Every run prints its seed; `COPYDESK_SOAK_SEED` replays its script (the
//! server's timing still varies), `COPYDESK_SOAK_EDITS` sets how many edits it
//! makes (default [`DEFAULT_EDITS`]: a few seconds in release on two cores), and
//! `COPYDESK_SOAK_KEEP` keeps its workspace (drafts as last checked, the corpus,
//! `corpus-log.txt` after a failure) for a look afterwards.

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Edits of the default run (fewer in a debug build, whose checks are slower).
const DEFAULT_EDITS: usize = if cfg!(debug_assertions) { 500 } else { 2_500 };
/// How long a request may wait for its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to settle at a checkpoint.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);
/// No publication for this long (and the right diagnostics published) counts as settled.
const QUIET: Duration = Duration::from_millis(300);
/// A request older than this makes the client stop typing until every answer is in
/// (a request waits for the check of the text it was sent on, and a check waits for a pause).
const TYPING_PAUSE_AFTER: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------
// Fixtures: our own sentences. The corpus states some of the drafts' figures and
// quotes differently, and its files change during the run.

const PORT_DRAFT: &str = "# Valmora port traffic 🚢\n\nThe port of Valmora handled 1,420 cargo ships in March, the harbour board said.\n\n\"We will raise berth fees this year,\" said Ines Korhal, the board's chair.\n\nDock workers unloaded 86,500 containers over the quarter, and 港湾 traffic rose.\n";
const BUDGET_DRAFT: &str = "# Brenhill budget\r\n\r\nThe Brenhill city council approved a budget of 421 million euros on Wednesday.\r\n\r\nMayor Tomas Ferreira said the plan would add 53 new bus routes by 2026.\r\n\r\n\"This budget puts cars first,\" Ferreira told reporters.\r\n";
const RAIL_DRAFT: &str = "Rail extension\r\rThe northern rail extension cost 3.2 billion dollars and carries 18,000 riders a day, the transit agency said.\r\r\"Trains will run every six minutes at peak hours,\" said Ines Korhal, the board's chair.\n";
const CAFE_DRAFT: &str = "Café owners 👩‍🍳 in Valmora said 40 percent of visitors came by ferry this spring.\nA ferry ticket costs 12 euros; the 東京 office sold 3,100 of them.\nThe ferry company carried 96,000 passengers in April, its director Joan Mercer said.\n";

/// Drafts: URI relative to the workspace (or an `untitled:` URI), the file the fresh check reads, the first text.
const DRAFTS: [(&str, &str, &str); 4] = [
    ("drafts/port.md", "drafts/port.md", PORT_DRAFT),
    ("drafts/budget.md", "drafts/budget.md", BUDGET_DRAFT),
    ("drafts/rail.txt", "drafts/rail.txt", RAIL_DRAFT),
    ("untitled:Untitled-1", "drafts/untitled-1.txt", CAFE_DRAFT),
];

/// Documents the client never opens (requests on them get empty answers).
const NEVER_OPENED: [&str; 2] = ["drafts/never.md", "untitled:Untitled-9"];

/// A source that never changes: the probe sentence contradicts it.
const ANCHOR: &str = "Oskel reservoir levels\n2024-04-01\n\nThe Oskel dam holds 740 million cubic metres of water, the water board said.\n";
const PROBE: &str = "The Oskel dam holds 470 million cubic metres of water.";

struct SourceFile {
    rel: &'static str,
    /// What the file can hold (the run picks one, or none: deleted).
    variants: &'static [&'static str],
    initial: Option<usize>,
}

const SOURCES: [SourceFile; 7] = [
    SourceFile {
        rel: "sources/port.txt",
        variants: &[
            "Harbour traffic report\n2024-04-02\n\nThe port of Valmora handled 1,240 cargo ships in March, the harbour board said on Tuesday.\n\n\"We will not raise berth fees this year,\" said Ines Korhal, the board's chair.\n\nDock workers unloaded 86,500 containers over the quarter.\n",
            "Harbour traffic report, corrected\n2024-04-03\n\nThe port of Valmora handled 1,420 cargo ships in March, the harbour board said.\r\n\r\nDock workers unloaded 68,500 containers over the quarter, a union official said.\r\n",
        ],
        initial: Some(0),
    },
    SourceFile {
        rel: "sources/council.md",
        variants: &[
            "# Council budget vote\n2024-04-03\n\nThe Brenhill city council approved a budget of 412 million euros on Wednesday.\n\nMayor Tomas Ferreira said the plan would add 35 new bus routes by 2026.\n\n\"This budget puts the buses first,\" Ferreira told reporters.\n",
            "# Council budget vote 🗳️\n2024-04-04\n\nThe Brenhill city council approved a budget of 421 million euros on Wednesday.\n\n\"This budget puts cars first,\" Ferreira told reporters.\n",
        ],
        initial: Some(0),
    },
    SourceFile {
        rel: "sources/rail.html",
        variants: &[
            "<html><head><title>Rail line</title></head><body>\n<h1>Northern rail extension opens</h1>\n<p>2024-04-05</p>\n<p>The northern rail extension cost 2.3 billion dollars and carries 18,000 riders a day, the transit agency said.</p>\n<p>\"Trains will run every six minutes at peak hours,\" said Aiko Brandt, the agency's director.</p>\n</body></html>\n",
            "<html><body>\n<p>2024-04-06</p>\n<p>The northern rail extension cost 3.2 billion dollars and carries 16,000 riders a day, the transit agency said.</p>\n</body></html>\n",
        ],
        initial: Some(0),
    },
    SourceFile {
        rel: "sources/sub/ferry.txt",
        variants: &[
            "Ferry season\n2024-05-02\n\nThe ferry company carried 69,000 passengers in April, its director Joan Mercer said.\n\nAbout 45 percent of visitors to Valmora came by ferry this spring.\n",
            "Ferry season\n2024-05-03\n\nThe ferry company carried 96,000 passengers in April, its director Joan Mercer said.\n",
        ],
        initial: None,
    },
    SourceFile {
        rel: "sources/harvest.md",
        variants: &["# Harvest\n\nFarmers in the Oskel valley harvested 2,300 tonnes of barley this summer.\n"],
        initial: None,
    },
    // Unreadable (a NUL byte): skipped with a warning by the server and the CLI alike.
    SourceFile { rel: "sources/broken.txt", variants: &["binary\0file with 1,420 cargo ships\n"], initial: None },
    // Not a source (its extension): no one reads it.
    SourceFile { rel: "sources/table.csv", variants: &["ships,1420\n"], initial: None },
];

/// Whole sentences the edits insert (claims the corpus speaks to).
const SENTENCES: [&str; 9] = [
    "The port of Valmora handled 1,240 cargo ships in March.",
    "Dock workers unloaded 68,500 containers over the quarter.",
    "\"We will not raise berth fees this year,\" said Aiko Brandt.",
    "The Brenhill city council approved a budget of 412 million euros.",
    "Farmers in the Oskel valley harvested 3,200 tonnes of barley.",
    "The ferry company carried 69,000 passengers in April, Joan Mercer said.",
    "\"Trains will run every ten minutes at peak hours,\" said Aiko Brandt.",
    "About 45 percent of visitors came by ferry, officials said.",
    PROBE,
];

/// Pieces the edits insert: figures, words, and text that is hard on positions.
const PIECES: [&str; 40] = [
    "1,240",
    "1,420",
    "412",
    " million euros",
    "3.2 billion dollars",
    "18,000",
    "53",
    "😀",
    "👩‍🍳",
    "🇫🇮",
    "𝄞",
    "🚢🚢",
    "東京都",
    "港湾の",
    "e\u{301}",
    "\u{301}",
    "\u{200d}",
    "“",
    "”",
    "\"",
    "—",
    "\r\n",
    "\n",
    "\r",
    "\n\n",
    " ",
    "the ",
    "said ",
    ". ",
    "ships",
    "\t",
    "\u{2028}",
    "\u{85}",
    "ﬁ",
    "ß",
    "İ",
    "Ines Korhal",
    "he said",
    "# ",
    "> ",
];

/// Characters of random strings.
const ALPHABET: [char; 22] = [
    'a', 'e', 'o', 't', 'n', 's', ' ', '.', ',', '0', '1', '4', '9', '😀', '東', 'é', '\u{301}', '\n', '\r', '"', '𝄞',
    'ä',
];

// ---------------------------------------------------------------------------
// A small deterministic RNG (splitmix64): a seed replays a run's script.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) / ((1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------
// The client's copy of a text, with LSP's positions.

/// An LSP position (line, UTF-16 column).
type Pos16 = (u32, u32);
/// An LSP range: start, end.
type Range16 = (Pos16, Pos16);
/// One content change of a `didChange`: a range (or the whole text) and its new text.
type Change = (Option<Range16>, String);

/// Byte offsets where lines start: after "\n", "\r\n" or a lone "\r".
fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 1;
            }
            b'\r' => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// Byte offset of the end of line `line`'s text (before its line break).
fn line_end(text: &str, starts: &[usize], line: usize) -> usize {
    match starts.get(line + 1) {
        None => text.len(),
        Some(&next) if text[..next].ends_with("\r\n") => next - 2,
        Some(&next) => next - 1,
    }
}

/// The byte offset the server reads an LSP position (UTF-16) as.
fn offset_of(text: &str, (line, ch): Pos16) -> usize {
    let starts = line_starts(text);
    let line = line as usize;
    if line >= starts.len() {
        return text.len();
    }
    let (start, end) = (starts[line], line_end(text, &starts, line));
    let mut units = 0usize;
    for (i, c) in text[start..end].char_indices() {
        let w = c.len_utf16();
        if units + w > ch as usize {
            return start + i; // at this character, or inside its surrogate pair
        }
        units += w;
    }
    end
}

/// The LSP position (UTF-16) of a byte offset.
fn position_of(text: &str, offset: usize) -> Pos16 {
    let starts = line_starts(text);
    let line = starts.partition_point(|s| *s <= offset) - 1;
    (line as u32, text[starts[line]..offset].encode_utf16().count() as u32)
}

/// The UTF-16 column of the 1-based character column `col` of 1-based line `line` (the CLI's JSON).
fn utf16_of_char_column(text: &str, line: u64, col: u64) -> Pos16 {
    let starts = line_starts(text);
    let l = (line as usize).saturating_sub(1).min(starts.len() - 1);
    let units: usize = text[starts[l]..].chars().take((col as usize).saturating_sub(1)).map(char::len_utf16).sum();
    (l as u32, units as u32)
}

/// Applies one content change to the client's copy, as the server applies it.
fn apply(text: &mut String, range: Option<Range16>, new: &str) {
    match range {
        None => *text = new.to_string(),
        Some((a, b)) => {
            let (a, b) = (offset_of(text, a), offset_of(text, b));
            text.replace_range(a.min(b)..a.max(b), new);
        }
    }
}

fn pos_json((line, character): Pos16) -> Value {
    json!({"line": line, "character": character})
}

fn pos_from(v: &Value) -> Pos16 {
    (v["line"].as_u64().unwrap_or(0) as u32, v["character"].as_u64().unwrap_or(0) as u32)
}

// ---------------------------------------------------------------------------
// `copydesk lsp` over its standard input and output.

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The server process. A writer thread feeds its input and a reader thread drains its
/// output (answering its requests), so neither side can block the other.
struct Server {
    child: Child,
    to_server: Sender<Vec<u8>>,
    from_server: Receiver<Value>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_copydesk"))
            .arg("lsp")
            .current_dir(root)
            .env("XDG_CACHE_HOME", root.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start copydesk lsp");
        let mut stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let (to_server, frames) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for bytes in frames {
                if stdin.write_all(&bytes).and_then(|()| stdin.flush()).is_err() {
                    break;
                }
            }
        });
        let (tx, from_server) = mpsc::channel();
        let answer = to_server.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_frame(&mut r) {
                if let (Some(id), Some(method)) = (v.get("id"), v.get("method").and_then(Value::as_str)) {
                    let result = match method {
                        "workspace/configuration" => {
                            let n = v["params"]["items"].as_array().map_or(1, Vec::len);
                            Value::Array(vec![Value::Null; n])
                        }
                        _ => Value::Null,
                    };
                    let _ = answer.send(frame(&json!({"jsonrpc": "2.0", "id": id, "result": result})));
                }
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap_or_else(|e| e.into_inner()).push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Server { child, to_server, from_server, stderr }
    }

    fn send(&self, v: &Value) {
        let _ = self.to_server.send(frame(v));
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn file_uri(p: &Path) -> String {
    let mut out = String::from("file://");
    for b in p.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The path of a `file://` URI, percent-decoded.
fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() {
        let hex = rest.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        if let Some(b) = hex.filter(|_| rest[i] == b'%').and_then(|h| u8::from_str_radix(h, 16).ok()) {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(rest[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

// ---------------------------------------------------------------------------
// The soak.

struct Draft {
    uri: String,
    /// Where the fresh check reads the client's text (relative to the workspace).
    file: &'static str,
    template: &'static str,
    text: String,
    version: i32,
    open: bool,
    ever_opened: bool,
}

struct Pending {
    what: String,
    sent: Instant,
    /// Sent on a document that was not open: the answer must be empty, unless the
    /// document was opened before it came (a pull waits while the corpus is first indexed).
    not_open: Option<(String, usize)>,
    /// Kept for the caller (`call`).
    keep: bool,
}

/// The last `publishDiagnostics` of a document.
struct Published {
    version: Option<i64>,
    diagnostics: Vec<Value>,
}

#[derive(Default)]
struct Tally {
    edits: usize,
    changes: usize,
    hostile_positions: usize,
    requests: usize,
    requests_not_open: usize,
    closes: usize,
    opens: usize,
    corpus_events: usize,
    fixes_applied: usize,
    checkpoints: usize,
    resync_checks: usize,
    findings_compared: usize,
    slowest_answer: Duration,
}

struct Soak {
    seed: u64,
    rng: Rng,
    root: PathBuf,
    server: Server,
    drafts: Vec<Draft>,
    /// Which variant each corpus file holds (None: absent).
    sources: Vec<Option<usize>>,
    next_id: i64,
    pending: HashMap<i64, Pending>,
    answers: HashMap<i64, Value>,
    published: HashMap<String, Published>,
    last_publication: Instant,
    /// The last steps, for a failure's report.
    history: VecDeque<String>,
    /// Every change to the corpus (with the edit count it came at), for a failure's report.
    corpus_log: Vec<String>,
    /// How many times each document has been opened.
    opens: HashMap<String, usize>,
    tally: Tally,
    _dir: tempfile::TempDir,
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim().replace('_', "");
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// A short, escaped rendering of inserted text for the history.
fn show(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect::<String>().escape_debug().to_string();
    if s.chars().count() > 24 {
        out.push('…');
    }
    format!("\"{out}\"")
}

impl Soak {
    fn new(seed: u64) -> Soak {
        let mut dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical tempdir");
        if std::env::var_os("COPYDESK_SOAK_KEEP").is_some() {
            dir.disable_cleanup(true);
            eprintln!("soak: the workspace is kept at {}", root.display());
        }
        std::fs::create_dir_all(root.join("sources")).expect("mkdir");
        std::fs::create_dir_all(root.join("drafts")).expect("mkdir");
        // The persistent index as by default ([index] enabled): the server builds it at start-up.
        std::fs::write(root.join("copydesk.toml"), "[corpus]\npaths = [\"sources\"]\n[server]\ndebounce_ms = 5\n")
            .expect("copydesk.toml");
        std::fs::write(root.join("sources/anchor.txt"), ANCHOR).expect("anchor");
        let mut sources = Vec::new();
        for s in &SOURCES {
            if let Some(v) = s.initial {
                write_source(&root, s.rel, s.variants[v]);
            }
            sources.push(s.initial);
        }
        let drafts = DRAFTS
            .iter()
            .map(|(uri, file, text)| Draft {
                uri: if uri.starts_with("untitled:") { uri.to_string() } else { file_uri(&root.join(uri)) },
                file,
                template: text,
                text: text.to_string(),
                version: 0,
                open: false,
                ever_opened: false,
            })
            .collect();
        let server = Server::start(&root);
        Soak {
            seed,
            rng: Rng(seed),
            root,
            server,
            drafts,
            sources,
            next_id: 0,
            pending: HashMap::new(),
            answers: HashMap::new(),
            published: HashMap::new(),
            last_publication: Instant::now(),
            history: VecDeque::new(),
            corpus_log: Vec::new(),
            opens: HashMap::new(),
            tally: Tally::default(),
            _dir: dir,
        }
    }

    fn note(&mut self, step: String) {
        if self.history.len() == 60 {
            self.history.pop_front();
        }
        self.history.push_back(step);
    }

    /// Fails the test with what is needed to replay and read it.
    fn fail(&self, what: &str) -> ! {
        let _ = std::fs::write(self.root.join("corpus-log.txt"), self.corpus_log.join("\n"));
        let stderr = self.server.stderr();
        let tail: String = stderr.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
        panic!(
            "soak failed (seed {seed}; replay with COPYDESK_SOAK_SEED={seed}) after {edits} edits:\n{what}\n\nlast steps:\n  {steps}\n\nthe corpus's last changes (all of them: corpus-log.txt in a workspace kept with COPYDESK_SOAK_KEEP=1):\n  {corpus}\n\nserver stderr (tail):\n{tail}",
            seed = self.seed,
            edits = self.tally.edits,
            steps = self.history.iter().cloned().collect::<Vec<_>>().join("\n  "),
            corpus = self.corpus_log[self.corpus_log.len().saturating_sub(40)..].join("\n  "),
        )
    }

    fn notify(&self, method: &str, params: Value) {
        self.server.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request whose answer is only checked (see `handle`).
    fn request(&mut self, method: &str, params: Value, not_open: bool) {
        self.send_request(method, params, not_open, false);
    }

    /// Sends a request and waits for its answer.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params, false, true);
        loop {
            if let Some(v) = self.answers.remove(&id) {
                return v;
            }
            self.pump(Duration::from_millis(20));
        }
    }

    fn send_request(&mut self, method: &str, params: Value, not_open: bool, keep: bool) -> i64 {
        let uri = params["textDocument"]["uri"].as_str().unwrap_or_default().to_string();
        let not_open = not_open.then(|| {
            let opens = self.opens.get(&uri).copied().unwrap_or(0);
            (uri, opens)
        });
        self.next_id += 1;
        let id = self.next_id;
        self.server.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let what = format!("{method} #{id}");
        self.note(format!("request {what}{}", if not_open.is_some() { " (not open)" } else { "" }));
        self.tally.requests += 1;
        if not_open.is_some() {
            self.tally.requests_not_open += 1;
        }
        self.pending.insert(id, Pending { what, sent: Instant::now(), not_open, keep });
        id
    }

    /// Handles one message from the server.
    fn handle(&mut self, v: Value) {
        if let Some(method) = v.get("method").and_then(Value::as_str) {
            if v.get("id").is_some() {
                return; // a request to the client: the reader thread answered it
            }
            match method {
                "textDocument/publishDiagnostics" => {
                    let uri = v["params"]["uri"].as_str().unwrap_or_default().to_string();
                    let diagnostics = v["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                    let version = v["params"]["version"].as_i64();
                    self.published.insert(uri, Published { version, diagnostics });
                    self.last_publication = Instant::now();
                }
                "window/logMessage" | "window/showMessage" if v["params"]["type"] == 1 => {
                    self.fail(&format!("the server reported an error: {}", v["params"]["message"]))
                }
                _ => {}
            }
            return;
        }
        let Some(id) = v.get("id").and_then(Value::as_i64) else {
            self.fail(&format!("a message that is neither a request, a notification nor an answer: {v}"))
        };
        let Some(p) = self.pending.remove(&id) else { self.fail(&format!("an answer to no request: {v}")) };
        if v.get("error").is_some() {
            self.fail(&format!("{} was answered with an error: {v}", p.what));
        }
        let result = &v["result"];
        let opened_since = p.not_open.as_ref().is_some_and(|(uri, n)| self.opens.get(uri).copied().unwrap_or(0) != *n);
        if p.not_open.is_some() && !opened_since {
            let empty =
                result.is_null() || (result["kind"] == "full" && result["items"].as_array().is_some_and(Vec::is_empty));
            if !empty {
                self.fail(&format!("{} on a document that is not open was answered with {result}", p.what));
            }
        }
        self.tally.slowest_answer = self.tally.slowest_answer.max(p.sent.elapsed());
        if p.keep {
            self.answers.insert(id, v);
        }
    }

    /// Handles the messages that come within `wait` (at least the ones already there).
    fn pump(&mut self, wait: Duration) {
        match self.server.from_server.recv_timeout(wait) {
            Ok(v) => self.handle(v),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => self.fail("the server closed its output (it ended or crashed)"),
        }
        while let Ok(v) = self.server.from_server.try_recv() {
            self.handle(v);
        }
        if let Some(p) = self.pending.values().find(|p| p.sent.elapsed() > REQUEST_TIMEOUT) {
            let what = p.what.clone();
            self.fail(&format!("{what} was not answered within {REQUEST_TIMEOUT:?}"));
        }
    }

    /// Waits until every request sent has been answered.
    fn drain_requests(&mut self) {
        while !self.pending.is_empty() {
            self.pump(Duration::from_millis(20));
        }
    }

    fn open_indices(&self) -> Vec<usize> {
        (0..self.drafts.len()).filter(|i| self.drafts[*i].open).collect()
    }

    fn open(&mut self, i: usize, fresh: bool) {
        if self.drafts[i].open {
            self.verify_before_resync(i);
        }
        let reopen = self.drafts[i].ever_opened;
        let version = self.rng.below(5) as i32;
        let d = &mut self.drafts[i];
        if fresh {
            d.text = d.template.to_string();
        }
        d.version = version;
        d.open = true;
        d.ever_opened = true;
        let lang = if d.file.ends_with(".md") { "markdown" } else { "plaintext" };
        let params = json!({"textDocument": {"uri": d.uri, "languageId": lang, "version": version, "text": d.text}});
        let step = format!("open {} v{version}{}", d.file, if reopen { " (again)" } else { "" });
        *self.opens.entry(self.drafts[i].uri.clone()).or_default() += 1;
        self.notify("textDocument/didOpen", params);
        self.note(step);
        self.tally.opens += 1;
    }

    fn close(&mut self, i: usize) {
        self.verify_before_resync(i);
        let d = &mut self.drafts[i];
        d.open = false;
        let params = json!({"textDocument": {"uri": d.uri}});
        let step = format!("close {}", d.file);
        self.notify("textDocument/didClose", params);
        self.note(step);
        self.tally.closes += 1;
    }

    // --- positions and edits --------------------------------------------------

    /// A position in `text`: mostly a real one, sometimes one past a line's end, past the
    /// last line, inside a surrogate pair, or between "\r" and "\n".
    fn position(&mut self, text: &str) -> Pos16 {
        let starts = line_starts(text);
        let roll = self.rng.below(100);
        let hostile = match roll {
            0..=4 => {
                let line = self.rng.below(starts.len());
                let len = position_of(text, line_end(text, &starts, line)).1;
                Some((line as u32, len + 1 + self.rng.below(40) as u32))
            }
            5..=8 => Some(((starts.len() + self.rng.below(4)) as u32, self.rng.below(30) as u32)),
            9..=13 => {
                let pairs: Vec<usize> =
                    text.char_indices().filter(|(_, c)| c.len_utf16() == 2).map(|(i, _)| i).collect();
                (!pairs.is_empty()).then(|| {
                    let (line, col) = position_of(text, *self.rng.pick(&pairs));
                    (line, col + 1)
                })
            }
            14..=15 => text.match_indices("\r\n").next().map(|(i, _)| {
                let (line, col) = position_of(text, i);
                (line, col + 1)
            }),
            _ => None,
        };
        if let Some(p) = hostile {
            self.tally.hostile_positions += 1;
            return p;
        }
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        position_of(text, *self.rng.pick(&bounds))
    }

    /// The position `n` characters after `from` (in the client's reading of `from`).
    fn forward(&mut self, text: &str, from: Pos16, n: usize) -> Pos16 {
        let a = offset_of(text, from);
        let b = text[a..].char_indices().nth(n).map_or(text.len(), |(i, _)| a + i);
        position_of(text, b)
    }

    fn random_string(&mut self) -> String {
        let n = 1 + self.rng.below(8);
        (0..n).map(|_| *self.rng.pick(&ALPHABET)).collect()
    }

    fn insertion(&mut self) -> String {
        match self.rng.below(10) {
            0..=5 => self.rng.pick(&PIECES).to_string(),
            6..=7 => self.random_string(),
            _ => format!(" {} ", self.rng.pick(&SENTENCES)),
        }
    }

    /// One content change to `text` (range in the client's positions, new text).
    fn change(&mut self, text: &str) -> Change {
        if text.len() > 12_000 || self.rng.chance(0.004) {
            return (None, if self.rng.chance(0.5) { text.chars().rev().collect() } else { String::new() });
        }
        let big = text.len() > 6_000;
        let roll = self.rng.below(100);
        match roll {
            // a figure made another
            0..=9 => {
                let digits: Vec<usize> = text
                    .char_indices()
                    .filter(|(i, c)| c.is_ascii_digit() && !text[..*i].ends_with(|p: char| p.is_ascii_digit()))
                    .map(|(i, _)| i)
                    .collect();
                if !digits.is_empty() {
                    let at = *self.rng.pick(&digits);
                    let len = text[at..].find(|c: char| !c.is_ascii_digit() && c != ',').unwrap_or(text.len() - at);
                    let figure = ["1,240", "1,420", "35", "53", "412", "421", "740", "470", "69,000", "96,000", "2"];
                    let new = self.rng.pick(&figure).to_string();
                    return (Some((position_of(text, at), position_of(text, at + len))), new);
                }
                let p = self.position(text);
                (Some((p, p)), self.insertion())
            }
            // a sentence of its own
            10..=14 => {
                let line = self.rng.below(line_starts(text).len() + 1) as u32;
                let eol = *self.rng.pick(&["\n", "\r\n", "\r", "\n\n"]);
                let s = format!("{}{eol}", self.rng.pick(&SENTENCES));
                (Some(((line, 0), (line, 0))), s)
            }
            // a deletion (longer when the text is long)
            15..=44 => {
                let from = self.position(text);
                let n = if big { 50 + self.rng.below(2_000) } else { 1 + self.rng.below(12) };
                let to = self.forward(text, from, n);
                (Some(if self.rng.chance(0.1) { (to, from) } else { (from, to) }), String::new())
            }
            // a replacement
            45..=64 => {
                let from = self.position(text);
                let n = 1 + self.rng.below(15);
                let to = if self.rng.chance(0.15) { self.position(text) } else { self.forward(text, from, n) };
                (Some((from, to)), self.insertion())
            }
            // an insertion
            _ => {
                let p = self.position(text);
                (Some((p, p)), self.insertion())
            }
        }
    }

    /// Sends `changes` (applied in order) to open draft `i` and applies them to the client's copy.
    fn send_changes(&mut self, i: usize, changes: Vec<Change>) {
        if changes.iter().any(|(range, _)| range.is_none()) {
            self.verify_before_resync(i);
        }
        let mut json_changes = Vec::new();
        let mut shown = Vec::new();
        for (range, new) in &changes {
            apply(&mut self.drafts[i].text, *range, new);
            match range {
                Some((a, b)) => {
                    json_changes.push(json!({"range": {"start": pos_json(*a), "end": pos_json(*b)}, "text": new}));
                    shown.push(format!("{a:?}-{b:?} → {}", show(new)));
                }
                None => {
                    json_changes.push(json!({"text": new}));
                    shown.push(format!("all → {}", show(new)));
                }
            }
        }
        let d = &mut self.drafts[i];
        d.version += 1;
        let params = json!({"textDocument": {"uri": d.uri, "version": d.version}, "contentChanges": json_changes});
        let step = format!("change {} v{}: {}", d.file, d.version, shown.join("; "));
        self.notify("textDocument/didChange", params);
        self.note(step);
        self.tally.edits += 1;
        self.tally.changes += changes.len();
    }

    fn random_edit(&mut self) {
        let open = self.open_indices();
        let i = if open.is_empty() {
            let i = self.rng.below(self.drafts.len());
            self.open(i, false);
            i
        } else {
            *self.rng.pick(&open)
        };
        let n = if self.rng.chance(0.8) { 1 } else { 2 + self.rng.below(3) };
        let mut text = self.drafts[i].text.clone();
        let mut changes = Vec::new();
        for _ in 0..n {
            let (range, new) = self.change(&text);
            apply(&mut text, range, &new);
            changes.push((range, new));
        }
        self.send_changes(i, changes);
    }

    /// A change to a document that is not open: the server ignores it (and says so in its log).
    fn change_not_open(&mut self) {
        let closed: Vec<usize> = (0..self.drafts.len()).filter(|i| !self.drafts[*i].open).collect();
        let uri = if closed.is_empty() {
            {
                let rel = *self.rng.pick(&NEVER_OPENED);
                self.uri_of(rel)
            }
        } else {
            self.drafts[*self.rng.pick(&closed)].uri.clone()
        };
        let params = json!({"textDocument": {"uri": uri, "version": 999}, "contentChanges": [
            {"range": {"start": pos_json((0, 0)), "end": pos_json((0, 1))}, "text": "X"}]});
        self.notify("textDocument/didChange", params);
        self.note(format!("change to a document that is not open: {uri}"));
    }

    fn uri_of(&self, rel: &str) -> String {
        if rel.starts_with("untitled:") {
            rel.to_string()
        } else {
            file_uri(&self.root.join(rel))
        }
    }

    // --- requests ---------------------------------------------------------------

    fn random_request(&mut self) {
        let open = self.open_indices();
        let closed: Vec<usize> = (0..self.drafts.len()).filter(|i| !self.drafts[*i].open).collect();
        let roll = self.rng.below(100);
        let (uri, text, not_open) = if roll < 75 && !open.is_empty() {
            let d = &self.drafts[*self.rng.pick(&open)];
            (d.uri.clone(), d.text.clone(), false)
        } else if roll < 90 && !closed.is_empty() {
            let d = &self.drafts[*self.rng.pick(&closed)];
            (d.uri.clone(), d.text.clone(), true)
        } else {
            (
                {
                    let rel = *self.rng.pick(&NEVER_OPENED);
                    self.uri_of(rel)
                },
                PORT_DRAFT.to_string(),
                true,
            )
        };
        let at = self.position(&text);
        let doc = json!({"uri": uri});
        match self.rng.below(100) {
            0..=34 => {
                self.request("textDocument/hover", json!({"textDocument": doc, "position": pos_json(at)}), not_open)
            }
            35..=54 => self.request(
                "textDocument/definition",
                json!({"textDocument": doc, "position": pos_json(at)}),
                not_open,
            ),
            55..=79 => {
                let end = self.position(&text);
                let mut diagnostics = self.published.get(&uri).map(|p| p.diagnostics.clone()).unwrap_or_default();
                if self.rng.chance(0.5) {
                    diagnostics.clear();
                }
                let params = json!({"textDocument": doc, "range": {"start": pos_json(at), "end": pos_json(end)},
                                    "context": {"diagnostics": diagnostics}});
                self.request("textDocument/codeAction", params, not_open)
            }
            _ => self.request("textDocument/diagnostic", json!({"textDocument": doc}), not_open),
        };
    }

    /// Asks for the quick fixes of an open draft's current diagnostics and applies one, as an editor does.
    fn apply_quick_fix(&mut self) {
        let open = self.open_indices();
        if open.is_empty() {
            return;
        }
        let i = *self.rng.pick(&open);
        let (uri, version) = (self.drafts[i].uri.clone(), self.drafts[i].version);
        // The editor shows the diagnostics of the text it has (a pause in typing).
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.published.get(&uri).is_none_or(|p| p.version != Some(version as i64)) && Instant::now() < deadline {
            self.pump(Duration::from_millis(5));
        }
        let Some(diags) =
            self.published.get(&uri).filter(|p| p.version == Some(version as i64)).map(|p| &p.diagnostics)
        else {
            return;
        };
        if diags.is_empty() {
            return;
        }
        let diag = diags[self.rng.below(diags.len())].clone();
        let params = json!({"textDocument": {"uri": uri}, "range": diag["range"],
                            "context": {"diagnostics": [diag]}});
        let answer = self.call("textDocument/codeAction", params);
        // Only the draft's own edits, made for the version it has (an editor drops the others).
        let mut fixes = Vec::new();
        for action in answer["result"].as_array().into_iter().flatten() {
            for change in action["edit"]["documentChanges"].as_array().into_iter().flatten() {
                let for_draft = change["textDocument"]["uri"] == json!(uri)
                    && change["textDocument"]["version"] == json!(version)
                    && change["edits"].as_array().is_some_and(|e| e.len() == 1);
                if for_draft {
                    fixes.push(change["edits"][0].clone());
                }
            }
        }
        if fixes.is_empty() || self.drafts[i].version != version || !self.drafts[i].open {
            return;
        }
        let fix = fixes[self.rng.below(fixes.len())].clone();
        let range = (pos_from(&fix["range"]["start"]), pos_from(&fix["range"]["end"]));
        self.send_changes(i, vec![(Some(range), fix["newText"].as_str().unwrap_or_default().to_string())]);
        self.tally.fixes_applied += 1;
    }

    // --- the corpus underneath --------------------------------------------------

    fn corpus_change(&mut self) {
        let mut events = Vec::new();
        // Now and then one file changes several times in a row, each change announced at
        // once (handled side by side by the server), a few milliseconds apart.
        let flap = self.rng.chance(0.25).then(|| self.rng.below(SOURCES.len()));
        let files = match flap {
            Some(_) => 2 + self.rng.below(3),
            None => 1 + usize::from(self.rng.chance(0.3)) + usize::from(self.rng.chance(0.1)),
        };
        for _ in 0..files {
            let k = flap.unwrap_or_else(|| self.rng.below(SOURCES.len()));
            let s = &SOURCES[k];
            let now = self.sources[k];
            // A new state: another variant, or deleted.
            let states: Vec<Option<usize>> =
                (0..s.variants.len()).map(Some).chain([None]).filter(|st| *st != now).collect();
            let next = *self.rng.pick(&states);
            let path = self.root.join(s.rel);
            let typ = match (now, next) {
                (_, None) => {
                    let _ = std::fs::remove_file(&path);
                    3
                }
                (None, Some(v)) => {
                    write_source(&self.root, s.rel, s.variants[v]);
                    1
                }
                (Some(_), Some(v)) => {
                    write_source(&self.root, s.rel, s.variants[v]);
                    2
                }
            };
            self.sources[k] = next;
            let step = format!("corpus: {} → {}", s.rel, next.map_or("deleted".to_string(), |v| format!("v{v}")));
            self.corpus_log.push(format!("after edit {}: {step}", self.tally.edits));
            self.note(step);
            events.push(json!({"uri": file_uri(&path), "type": typ}));
            self.tally.corpus_events += 1;
            // Sometimes announced on its own at once, and the next change made right after.
            if flap.is_some() || self.rng.chance(0.2) {
                self.corpus_log.push("  (announced)".to_string());
                self.notify("workspace/didChangeWatchedFiles", json!({"changes": std::mem::take(&mut events)}));
                if flap.is_some() {
                    std::thread::sleep(Duration::from_millis(self.rng.below(4) as u64));
                }
            }
        }
        if self.rng.chance(0.1) {
            // a file outside the corpus
            let path = self.root.join("drafts/notes.txt");
            std::fs::write(&path, "Notes: 1,420 ships.\n").expect("notes");
            events.push(json!({"uri": file_uri(&path), "type": 2}));
            self.tally.corpus_events += 1;
        }
        if !events.is_empty() {
            self.corpus_log.push("  (announced)".to_string());
            self.notify("workspace/didChangeWatchedFiles", json!({"changes": events}));
        }
    }

    // --- checkpoints ---------------------------------------------------------------

    /// What `copydesk check` finds in the client's texts of the open drafts, as each
    /// draft's diagnostics would read (see `canonical_lsp`).
    fn fresh_check(&self, which: &[usize]) -> HashMap<String, Vec<Value>> {
        let open: Vec<&Draft> = which.iter().map(|i| &self.drafts[*i]).collect();
        let mut expected: HashMap<String, Vec<Value>> = HashMap::new();
        if open.is_empty() {
            return expected;
        }
        for d in &open {
            std::fs::write(self.root.join(d.file), &d.text).expect("write the draft");
            expected.insert(d.uri.clone(), Vec::new());
        }
        let out = Command::new(env!("CARGO_BIN_EXE_copydesk"))
            .args(["check", "--no-index", "--format", "json"])
            .args(open.iter().map(|d| d.file))
            .current_dir(&self.root)
            .env("XDG_CACHE_HOME", self.root.join(".cache"))
            .output()
            .expect("copydesk check runs");
        if !matches!(out.status.code(), Some(0 | 1)) {
            self.fail(&format!("copydesk check failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let report: Value = serde_json::from_slice(&out.stdout).expect("copydesk check's JSON");
        for f in report["findings"].as_array().into_iter().flatten() {
            let Some(d) = open.iter().find(|d| f["path"] == d.file) else {
                self.fail(&format!("a finding for a file not checked: {f}"))
            };
            expected.get_mut(&d.uri).expect("an open draft").push(canonical_cli(&d.text, f));
        }
        expected
    }

    fn canonical_lsp(&self, d: &Value) -> Value {
        let evidence: Vec<Value> = d["relatedInformation"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let path = uri_path(r["location"]["uri"].as_str().unwrap_or_default())
                    .and_then(|p| p.strip_prefix(&self.root).ok().map(|p| p.to_string_lossy().into_owned()));
                json!([path, r["location"]["range"]["start"]["line"].as_u64().map(|l| l + 1), r["message"]])
            })
            .collect();
        let (a, b) = (pos_from(&d["range"]["start"]), pos_from(&d["range"]["end"]));
        json!({
            "range": [a.0, a.1, b.0, b.1],
            "code": d["code"],
            "severity": d["severity"],
            "source": d["source"],
            "message": d["message"],
            "text": d["data"]["text"],
            "suggestion": d["data"]["replacement"],
            "evidence": evidence,
        })
    }

    /// Waits until the server has settled, then compares each open draft's diagnostics
    /// (published, and pulled) with a fresh check of the client's text.
    fn checkpoint(&mut self, last: bool) {
        // A probe at the end of each open draft, through a position past its last line.
        for i in self.open_indices() {
            let lines = line_starts(&self.drafts[i].text).len() as u32;
            let end = (lines + self.rng.below(3) as u32, self.rng.below(9) as u32);
            self.send_changes(i, vec![(Some((end, end)), format!("\n\n{PROBE}\n"))]);
        }
        self.note(format!("checkpoint{}", if last { " (last)" } else { "" }));
        self.drain_requests();
        let expected = self.fresh_check(&self.open_indices());
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            self.pump(Duration::from_millis(20));
            let differs = self.first_difference(&expected);
            if differs.is_none() && self.last_publication.elapsed() >= QUIET {
                break;
            }
            if Instant::now() > deadline {
                let second = self.second_opinion(&expected);
                self.fail(&format!(
                    "the server did not settle on the diagnostics a fresh check gives within {SETTLE_TIMEOUT:?}:\n{}\n{second}",
                    differs.unwrap_or_else(|| "it kept publishing".to_string())
                ));
            }
        }
        // Pulled diagnostics (the latest result of each open draft) agree too.
        for i in self.open_indices() {
            let uri = self.drafts[i].uri.clone();
            let answer = self.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
            let pulled: Vec<Value> =
                answer["result"]["items"].as_array().into_iter().flatten().map(|d| self.canonical_lsp(d)).collect();
            if pulled != expected[&uri] {
                self.fail(&format!(
                    "pulled diagnostics of {} differ from a fresh check:\n{}",
                    self.drafts[i].file,
                    diff(&pulled, &expected[&uri])
                ));
            }
            // Each finding's hover covers it; its evidence is where definition goes. (Not for a
            // misattribution: it flags the speaker, while hover and definition are the quote's.)
            for d in self.published[&uri].diagnostics.clone() {
                if d["code"] == "misattribution" {
                    continue;
                }
                let at = pos_from(&d["range"]["start"]);
                let h =
                    self.call("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": pos_json(at)}));
                let covers = h["result"]["range"].as_object().is_some_and(|_| {
                    pos_from(&h["result"]["range"]["start"]) <= at && at <= pos_from(&h["result"]["range"]["end"])
                });
                if !covers {
                    self.fail(&format!(
                        "the hover at {at:?} of {} does not cover its finding {d}: {h}",
                        self.drafts[i].file
                    ));
                }
                if d["relatedInformation"].as_array().is_some_and(|r| !r.is_empty()) {
                    let g = self.call(
                        "textDocument/definition",
                        json!({"textDocument": {"uri": uri}, "position": pos_json(at)}),
                    );
                    if g["result"].is_null() {
                        self.fail(&format!(
                            "no definition at {at:?} of {}, a finding with evidence: {d}",
                            self.drafts[i].file
                        ));
                    }
                }
            }
            self.tally.findings_compared += expected[&uri].len();
        }
        self.tally.checkpoints += 1;
    }

    /// Before the client sends open draft `i`'s whole text again (closing and opening it,
    /// replacing it), which would mend any difference between the server's copy and the
    /// client's: the diagnostics of the server's current text (pulled: the result of its
    /// latest check) must be a fresh check's of the client's text. A figure appended to
    /// each line first (at a position past the line's end) puts a finding at the end of
    /// every line, where the server's copy has it; it is taken out again after. A pull does
    /// not wait for a corpus change under way, so a difference is asked about again until
    /// it has lasted [`SETTLE_TIMEOUT`].
    fn verify_before_resync(&mut self, i: usize) {
        self.tally.resync_checks += 1;
        let probe = format!(" {PROBE}");
        let lines = line_starts(&self.drafts[i].text).len().min(100) as u32;
        let past_the_end = 1_000_000;
        let appended = (0..lines).map(|l| (Some(((l, past_the_end), (l, past_the_end))), probe.clone())).collect();
        self.send_changes(i, appended);
        self.compare_pulled(i);
        let text = &self.drafts[i].text;
        let starts = line_starts(text);
        let width = probe.encode_utf16().count() as u32;
        let taken_out = (0..lines)
            .map(|l| {
                let end = position_of(text, line_end(text, &starts, l as usize));
                (Some(((l, end.1 - width), end)), String::new())
            })
            .collect();
        self.send_changes(i, taken_out);
    }

    /// Open draft `i`'s pulled diagnostics must be a fresh check's of the client's text.
    fn compare_pulled(&mut self, i: usize) {
        let expected = self.fresh_check(&[i]);
        let uri = self.drafts[i].uri.clone();
        let deadline = Instant::now() + SETTLE_TIMEOUT;
        loop {
            let answer = self.call("textDocument/diagnostic", json!({"textDocument": {"uri": uri}}));
            let pulled: Vec<Value> =
                answer["result"]["items"].as_array().into_iter().flatten().map(|d| self.canonical_lsp(d)).collect();
            if pulled == expected[&uri] {
                self.tally.findings_compared += pulled.len();
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "before {} is sent whole again, its diagnostics differ from a fresh check of the client's text (for {SETTLE_TIMEOUT:?}):\n{}",
                    self.drafts[i].file,
                    diff(&pulled, &expected[&uri])
                ));
            }
            self.pump(Duration::from_millis(50));
        }
    }

    /// For a failure's report: what the server finds in a copy of each open draft that
    /// differs, opened afresh (no edit history) — a stale corpus, or a stale document.
    fn second_opinion(&mut self, expected: &HashMap<String, Vec<Value>>) -> String {
        let mut out = String::new();
        for i in self.open_indices() {
            let d = &self.drafts[i];
            let published: Vec<Value> = self
                .published
                .get(&d.uri)
                .map_or(Vec::new(), |p| p.diagnostics.iter().map(|x| self.canonical_lsp(x)).collect());
            if published == expected[&d.uri] {
                continue;
            }
            let ext = d.file.rsplit('.').next().unwrap_or("md");
            let uri = file_uri(&self.root.join(format!("drafts/second-opinion-{i}.{ext}")));
            let params = json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": d.text}});
            let file = d.file;
            self.notify("textDocument/didOpen", params);
            let deadline = Instant::now() + Duration::from_secs(10);
            while !self.published.contains_key(&uri) && Instant::now() < deadline {
                self.pump(Duration::from_millis(20));
            }
            let fresh: Vec<Value> = self
                .published
                .get(&uri)
                .map_or(Vec::new(), |p| p.diagnostics.iter().map(|x| self.canonical_lsp(x)).collect());
            let verdict = if fresh == expected[&self.drafts[i].uri] {
                "agrees with the fresh check (the open draft's state is stale)"
            } else if fresh == published {
                "agrees with the open draft (the server's corpus differs from the files)"
            } else {
                "agrees with neither"
            };
            out.push_str(&format!("the same text of {file} opened afresh in the server {verdict}\n"));
        }
        out
    }

    /// The first way the published diagnostics differ from `expected` (None: they agree).
    fn first_difference(&self, expected: &HashMap<String, Vec<Value>>) -> Option<String> {
        for d in &self.drafts {
            let published = self.published.get(&d.uri);
            if !d.open {
                if let Some(p) = published.filter(|p| !p.diagnostics.is_empty()) {
                    return Some(format!("{} is closed but keeps {} diagnostics", d.file, p.diagnostics.len()));
                }
                continue;
            }
            let Some(p) = published else { return Some(format!("nothing published for {}", d.file)) };
            if p.version != Some(d.version as i64) {
                return Some(format!(
                    "{}: published for version {:?}, the client has {}",
                    d.file, p.version, d.version
                ));
            }
            let got: Vec<Value> = p.diagnostics.iter().map(|x| self.canonical_lsp(x)).collect();
            if got != expected[&d.uri] {
                return Some(format!("{} (version {}):\n{}", d.file, d.version, diff(&got, &expected[&d.uri])));
            }
        }
        for rel in NEVER_OPENED {
            if self.published.get(&self.uri_of(rel)).is_some_and(|p| !p.diagnostics.is_empty()) {
                return Some(format!("diagnostics published for {rel}, never opened"));
            }
        }
        None
    }

    fn shutdown(mut self) {
        self.drain_requests();
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.server.child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                self.fail("copydesk lsp did not end within 10 s of exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if status.code() != Some(0) {
            self.fail(&format!("copydesk lsp ended with {status} after shutdown and exit"));
        }
        let stderr = self.server.stderr();
        if stderr.contains("panicked") {
            self.fail("the server panicked (see its stderr)");
        }
    }
}

fn write_source(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write a source");
}

fn canonical_cli(text: &str, f: &Value) -> Value {
    let a = utf16_of_char_column(text, f["line"].as_u64().unwrap_or(0), f["column"].as_u64().unwrap_or(0));
    let b = utf16_of_char_column(text, f["end_line"].as_u64().unwrap_or(0), f["end_column"].as_u64().unwrap_or(0));
    let severity = match f["severity"].as_str() {
        Some("error") => 1,
        Some("information") => 3,
        Some("hint") => 4,
        _ => 2,
    };
    let evidence: Vec<Value> =
        f["evidence"].as_array().into_iter().flatten().map(|e| json!([e["path"], e["line"], e["text"]])).collect();
    json!({
        "range": [a.0, a.1, b.0, b.1],
        "code": f["code"],
        "severity": severity,
        "source": "copydesk",
        "message": f["message"],
        "text": f["text"],
        "suggestion": f["suggestion"],
        "evidence": evidence,
    })
}

fn diff(got: &[Value], want: &[Value]) -> String {
    let mut out = String::new();
    for g in got.iter().filter(|g| !want.contains(g)) {
        out.push_str(&format!("  server only: {g}\n"));
    }
    for w in want.iter().filter(|w| !got.contains(w)) {
        out.push_str(&format!("  fresh check only: {w}\n"));
    }
    if out.is_empty() {
        out = format!("  the same findings in another order:\n  server: {got:?}\n  check: {want:?}\n");
    }
    out
}

#[test]
fn the_client_model_reads_positions_as_the_server_does() {
    let t = "ab\r\nc😀d\re\u{301}\n";
    assert_eq!(line_starts(t), vec![0, 4, 11, 15]);
    assert_eq!(offset_of(t, (0, 99)), 2, "past a line's end: before its \"\\r\\n\"");
    assert_eq!(offset_of(t, (1, 2)), 5, "inside a surrogate pair: the start of the emoji");
    assert_eq!(offset_of(t, (1, 3)), 9);
    assert_eq!(offset_of(t, (1, 9)), 10, "before a lone \"\\r\"");
    assert_eq!(offset_of(t, (7, 0)), t.len(), "past the last line: the end");
    assert_eq!(position_of(t, 9), (1, 3));
    assert_eq!(utf16_of_char_column(t, 2, 3), (1, 3));
    let mut s = t.to_string();
    apply(&mut s, Some(((1, 3), (0, 1))), "");
    assert_eq!(s, "ad\re\u{301}\n", "a reversed range is the same range");
}

#[test]
fn soak_the_server_with_random_edits_and_a_changing_corpus() {
    let seed = env_number("COPYDESK_SOAK_SEED").unwrap_or_else(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        t.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
    });
    let edits = env_number("COPYDESK_SOAK_EDITS").map_or(DEFAULT_EDITS, |n| n as usize);
    eprintln!("soak: seed {seed} ({edits} edits; replay with COPYDESK_SOAK_SEED={seed})");
    let started = Instant::now();
    let mut s = Soak::new(seed);
    let root = s.root.clone();
    s.call(
        "initialize",
        json!({
            "processId": null,
            "rootUri": file_uri(&root),
            "workspaceFolders": [{"uri": file_uri(&root), "name": "soak"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "window": {"workDoneProgress": true},
                "workspace": {
                    "configuration": true,
                    "didChangeWatchedFiles": {"dynamicRegistration": true},
                    "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]},
                },
                "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true}},
            },
        }),
    );
    s.notify("initialized", json!({}));
    // Drafts are opened while the corpus is being indexed.
    for i in 0..s.drafts.len() {
        if i == 0 || s.rng.chance(0.7) {
            s.open(i, false);
        }
    }
    let mut next_checkpoint = 200 + s.rng.below(400);
    while s.tally.edits < edits {
        match s.rng.below(1000) {
            0..=599 => s.random_edit(),
            600..=839 => s.random_request(),
            840..=859 => {
                let open = s.open_indices();
                if open.len() > 1 || (open.len() == 1 && s.rng.chance(0.3)) {
                    let i = *s.rng.pick(&open);
                    s.close(i);
                }
            }
            860..=879 => {
                let i = s.rng.below(s.drafts.len());
                // Mostly closed drafts; now and then a second didOpen of an open one.
                if !s.drafts[i].open || s.rng.chance(0.1) {
                    let fresh = s.rng.chance(0.5);
                    s.open(i, fresh);
                }
            }
            880..=904 => s.corpus_change(),
            905..=914 => s.change_not_open(),
            915..=929 => s.apply_quick_fix(),
            930..=974 => std::thread::sleep(Duration::from_millis(1 + s.rng.below(15) as u64)),
            _ => s.drain_requests(),
        }
        s.pump(Duration::ZERO);
        if s.pending.values().any(|p| p.sent.elapsed() > TYPING_PAUSE_AFTER) {
            s.drain_requests();
        }
        if s.tally.edits >= next_checkpoint {
            s.checkpoint(false);
            next_checkpoint = s.tally.edits + 200 + s.rng.below(400);
        }
    }
    if s.open_indices().is_empty() {
        s.open(0, false);
    }
    s.checkpoint(true);
    let t = std::mem::take(&mut s.tally);
    s.shutdown();
    eprintln!(
        "soak: seed {seed}: {} edits ({} changes, {} at hostile positions, {} quick fixes), {} requests ({} on documents not open; slowest answer {:?}), {} opens, {} closes, {} corpus file events; {} checkpoints and {} checks before a resync compared {} findings; {:?}",
        t.edits,
        t.changes,
        t.hostile_positions,
        t.fixes_applied,
        t.requests,
        t.requests_not_open,
        t.slowest_answer,
        t.opens,
        t.closes,
        t.corpus_events,
        t.checkpoints,
        t.resync_checks,
        t.findings_compared,
        started.elapsed()
    );
    assert!(t.findings_compared > 0, "the checkpoints compared no findings");
}
