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
//! It fails when a request goes unanswered for
//! [`REQUEST_TIMEOUT`](common::soak::REQUEST_TIMEOUT), when an
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
//!
//! The client is `common/soak/`.

mod common;

use common::soak::server::file_uri;
use common::soak::{env_number, Soak, DEFAULT_EDITS, TYPING_PAUSE_AFTER};
use serde_json::json;
use std::time::{Duration, Instant};

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
