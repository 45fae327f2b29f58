//! PDF and DOCX sources, as a user runs copydesk on them: a process, its output and its
//! exit status. The documents are written here (copydesk_store::fixtures), with sentences
//! of our own.

mod common;

use common::{run, stderr, stdout};
use copydesk_store::fixtures;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// `copydesk ARGS` in the project `dir`, its cache in the project too.
fn copydesk(dir: &Path, args: &[&str]) -> Output {
    run(dir, args, &dir.join("cache"))
}

/// Page 2 of the report: its figure is on the page's second printed line.
const REPORT_PAGE_2: &str = "Maintenance report, continued\n\n\
    Crews from the Kessock Harbour Trust repaired 41\n\
    moorings at the north quay in March, the trust's\n\
    director, Moira Tennant, said on Friday.\n\n\
    The work was paid for from the winter budget.";

/// A project whose corpus folder holds a two-page PDF and a Word memo.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    std::fs::create_dir_all(sources.join("filings")).unwrap();
    let report = fixtures::pdf(&[
        "Kessock Harbour Trust\n\nQuarterly maintenance report\n\n\
         The trust inspected every berth on the quay during\nthe first quarter of the year.",
        REPORT_PAGE_2,
    ]);
    std::fs::write(sources.join("filings/report.pdf"), report).unwrap();
    let memo = fixtures::docx(&[
        "Statement from the Kessock ferry board",
        "The board met on Thursday to agree the summer timetable.",
        "\u{201C}The new timetable will add two crossings every evening from June,\u{201D} \
         said Callum Reid, the board\u{2019}s chair.",
    ]);
    std::fs::write(sources.join("memo.docx"), memo).unwrap();
    std::fs::write(
        dir.path().join("draft.md"),
        "# Harbour news\n\n\
         Crews from the Kessock Harbour Trust repaired 14 moorings at the north quay in March, \
         the trust said.\n\n\
         \u{201C}The new timetable will add two crossings every weekend from June,\u{201D} \
         said Callum Reid, the ferry board\u{2019}s chair.\n",
    )
    .unwrap();
    dir
}

fn finding<'a>(report: &'a Value, code: &str) -> &'a Value {
    let findings = report["findings"].as_array().expect("findings");
    findings.iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

#[test]
fn a_draft_is_checked_against_a_pdf_and_a_docx_with_pages_and_lines_cited() {
    let dir = project();
    let mut reports = Vec::new();
    for index in [&["--no-index"][..], &[]] {
        let args = [&["check", "--corpus", "sources", "--format", "json"][..], index, &["draft.md"]].concat();
        let o = copydesk(dir.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}{}", stdout(&o), stderr(&o));
        assert!(stderr(&o).is_empty(), "{args:?}: {}", stderr(&o));
        let report: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        let figure = finding(&report, "number-mismatch");
        assert_eq!(figure["text"], "14");
        assert!(
            figure["message"]
                .as_str()
                .unwrap()
                .ends_with("the source has 41 (sources/filings/report.pdf, page 2, line 2)"),
            "{figure:#}"
        );
        let evidence = &figure["evidence"][0];
        assert_eq!(
            (&evidence["path"], &evidence["page"], &evidence["line"]),
            (&"sources/filings/report.pdf".into(), &2.into(), &2.into())
        );
        assert!(evidence["text"]
            .as_str()
            .unwrap()
            .starts_with("Crews from the Kessock Harbour Trust repaired 41 moorings"));
        let quote = finding(&report, "misquote");
        assert!(quote["message"].as_str().unwrap().ends_with("(sources/memo.docx, line 3)"), "{quote:#}");
        let evidence = &quote["evidence"][0];
        assert_eq!((&evidence["path"], &evidence["line"]), (&"sources/memo.docx".into(), &3.into()));
        assert!(evidence.get("page").is_none(), "a DOCX has no pages: {evidence:#}");
        reports.push(report);
    }
    assert_eq!(reports[0], reports[1], "the same findings with and without the index");
    // The human report cites them the same way.
    let o = copydesk(dir.path(), &["check", "--corpus", "sources", "draft.md"]);
    let out = stdout(&o);
    assert!(out.contains("--> sources/filings/report.pdf, page 2, line 2\n"), "{out}");
    assert!(out.contains("--> sources/memo.docx, line 3\n"), "{out}");
}

#[test]
fn a_scanned_pdf_is_named_and_the_rest_is_checked() {
    let dir = project();
    std::fs::write(dir.path().join("sources/scan.pdf"), fixtures::scanned_pdf(3)).unwrap();
    for index in [&["--no-index"][..], &[]] {
        let args = [&["check", "--corpus", "sources", "--format", "json"][..], index, &["draft.md"]].concat();
        let o = copydesk(dir.path(), &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("copydesk: corpus: sources/scan.pdf: no text layer on any of its 3 pages: a scanned PDF? Run OCR on it first"),
            "{args:?}: {err}"
        );
        let report: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        finding(&report, "number-mismatch");
        finding(&report, "misquote");
    }
    // `copydesk index` names it too, and says so in its exit status.
    let o = copydesk(dir.path(), &["index", "--corpus", "sources"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("scan.pdf: no text layer"), "{}", stderr(&o));
}

#[test]
fn damaged_and_hostile_documents_are_named_and_nothing_else_is_lost() {
    let dir = project();
    let s = dir.path().join("sources");
    let good = fixtures::pdf(&["A page of text that is cut short here."]);
    let docs: [(&str, Vec<u8>, &str); 6] = [
        ("garbage.pdf", b"%PDF-1.7\n\x00\x01 not a PDF at all".to_vec(), "not a readable PDF"),
        ("cut.pdf", good[..good.len() / 2].to_vec(), "garbage"),
        ("self-drawing.pdf", fixtures::self_drawing_pdf(), "reader crashed"),
        ("garbage.docx", b"PK\x03\x04 not a zip at all".to_vec(), "not a DOCX package"),
        ("empty.docx", fixtures::docx_package(&[("word/other.xml", "<x/>")]), "no word/document.xml"),
        ("broken.docx", fixtures::docx_package(&[("word/document.xml", "<w:document><w:body><w:p>")]), "damaged DOCX"),
    ];
    for (name, bytes, _) in &docs {
        std::fs::write(s.join(name), bytes).unwrap();
    }
    for index in [&["--no-index"][..], &[]] {
        let args = [&["check", "--corpus", "sources", "--format", "json"][..], index, &["draft.md"]].concat();
        let o = copydesk(dir.path(), &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        for (name, _, why) in &docs {
            let line = err
                .lines()
                .find(|l| l.contains(&format!("sources/{name}: ")))
                .unwrap_or_else(|| panic!("{name}: {err}"));
            assert!(why == &"garbage" || line.contains(why), "{name}: {line}");
        }
        let report: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        finding(&report, "number-mismatch");
        finding(&report, "misquote");
    }
}
