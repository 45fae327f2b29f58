//! `copydesk check --format html`: the review page as a process writes it — its marks
//! against the JSON findings and the verdicts, its summary, escaping of hostile text,
//! and nothing that would reach the network. (tests/review/run.sh opens it in Chromium.)

mod common;

use common::{command, example};
use std::path::Path;
use std::process::Output;

fn copydesk(dir: &Path, args: &[&str], explain: bool) -> Output {
    let mut cmd = command(dir, args);
    cmd.env("NO_COLOR", "1").env_remove("COPYDESK_EXPLAIN");
    if explain {
        cmd.env("COPYDESK_EXPLAIN", "1");
    }
    cmd.output().expect("copydesk runs")
}

/// A `<mark>` of the page: its attributes and its text (marks in these drafts do not nest).
#[derive(Debug)]
struct Mark {
    status: String,
    code: Option<String>,
    id: String,
    text: String,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[at..].split('"').next()?.to_string())
}

fn marks(html: &str) -> Vec<Mark> {
    html.split("<mark ")
        .skip(1)
        .map(|rest| {
            let (tag, after) = rest.split_once('>').expect("a closed tag");
            let tag = &format!(" {tag}");
            let text = after.split("</mark>").next().unwrap().to_string();
            Mark {
                status: attr(tag, "data-status").expect("data-status"),
                code: attr(tag, "data-code"),
                id: attr(tag, "id").expect("id"),
                text,
            }
        })
        .collect()
}

/// The numbers of a summary table's row (`scope` "run" or "draft", `kind` "quantity", …, "all").
fn summary_row(html: &str, scope: &str, kind: &str) -> Vec<(String, usize)> {
    let table = html.split(&format!("<table class=\"summary\" data-scope=\"{scope}\">")).nth(1).expect("the table");
    let row = table.split(&format!("<tr data-kind=\"{kind}\">")).nth(1).expect("the row");
    let row = row.split("</tr>").next().unwrap();
    row.split("<td data-count=\"")
        .skip(1)
        .map(|cell| {
            let (name, rest) = cell.split_once('"').unwrap();
            let n = rest.split('>').nth(1).unwrap().split('<').next().unwrap();
            (name.to_string(), n.parse().unwrap())
        })
        .collect()
}

fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for banned in ["http://", "https://", "<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "//fonts"] {
        assert!(!lower.contains(banned), "the page holds {banned:?}");
    }
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), "no CSP");
}

#[test]
fn the_example_page_marks_every_checked_claim() {
    let o = copydesk(&example(), &["check", "--no-index", "--format", "html", "draft.md"], true);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let html = String::from_utf8(o.stdout).expect("UTF-8");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert_self_contained(&html);
    let marks = marks(&html);

    // One mark with the finding's code and words for each finding of the JSON report, in order.
    let o = copydesk(&example(), &["check", "--no-index", "--format", "json", "draft.md"], false);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let findings: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_string(), f["text"].as_str().unwrap().replace('"', "&quot;")))
        .collect();
    let coded: Vec<(String, String)> =
        marks.iter().filter_map(|m| Some((m.code.clone()?, m.text.replace("&#39;", "'")))).collect();
    assert_eq!(coded, findings);
    for m in &marks {
        let expected = match m.code.as_deref() {
            Some("number-mismatch" | "misquote" | "misattribution") => "contradicted",
            Some("unsourced-number" | "unsourced-quote") => "unsourced",
            Some("sources-disagree") => "disputed",
            Some(other) => panic!("unknown code {other}"),
            None => "supported",
        };
        assert_eq!(m.status, expected, "{m:?}");
        // Each mark has its note, which links back to it.
        let note = m.id.replace("-c", "-n");
        assert!(html.contains(&format!("<li class=\"note\" id=\"{note}\"")), "{m:?}");
        assert!(html.contains(&format!("<a href=\"#{}\">", m.id)), "{m:?}");
    }

    // Marks per status are the verdicts per status (COPYDESK_EXPLAIN prints each one), and the summary says so.
    let explain = String::from_utf8_lossy(&o.stderr).into_owned();
    let o = copydesk(&example(), &["check", "--no-index", "draft.md"], true);
    let explain = explain + &String::from_utf8_lossy(&o.stderr);
    let verdicts = |status: &str| explain.lines().filter(|l| l.starts_with("draft.md: ") && l.contains(status)).count();
    let count = |status: &str| marks.iter().filter(|m| m.status == status).count();
    let all = summary_row(&html, "run", "all");
    for (status, word) in [
        ("contradicted", " Contradicted "),
        ("supported", " Supported "),
        ("unsourced", " Unsourced "),
        ("disputed", " Disputed "),
    ] {
        assert_eq!(count(status), verdicts(word), "{status} marks vs verdicts");
        assert!(all.contains(&(status.to_string(), count(status))), "{status}: {all:?}");
    }
    assert_eq!((count("contradicted"), count("unsourced"), count("supported")), (4, 1, 8));
    assert!(all.contains(&("checked".to_string(), marks.len())), "{all:?}");
    assert!(html.contains("13 claims checked in 1 draft: <strong>4 contradicted</strong>"));
    let figures = summary_row(&html, "run", "quantity");
    assert_eq!(figures[0], ("checked".to_string(), 9), "{figures:?}");

    // The sentences beside a claim: path, line, title and date; the reason; the message.
    assert!(html.contains("<code class=\"source\">sources/harbor-council.txt:7</code>"));
    assert!(html
        .contains("<cite>Harbor council approves flood wall after heated session</cite> <time>March 4, 2025</time>"));
    assert!(html.contains("<p class=\"why\"><b>Why:</b> The most comparable source figure is about the same fact"));
    assert!(html.contains("“5,200 homes” — the source has 3,200 (sources/harbor-council.txt:7)"));
    assert!(html.contains("<p class=\"fix\">Suggested: “Vasquez”</p>"));
}

#[test]
fn hostile_text_is_escaped_and_each_draft_has_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/a.txt"),
        "Harbour & pier <script>alert(1)</script>\n2025-03-04\n\n\
         The harbour authority spent 12 million euros on the new pier, AT&T said <script>alert(1)</script>.\n",
    )
    .unwrap();
    let hostile = "d&<i>.txt";
    std::fs::write(
        dir.path().join(hostile),
        "The harbour authority spent 14 million euros on the new pier <script>alert(1)</script> & \"more\" <!--.\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("clean.md"), "The harbour authority spent 12 million euros on the new pier.\n")
        .unwrap();
    let o = copydesk(
        dir.path(),
        &["check", "--no-index", "--corpus", "src", "--format", "html", hostile, "clean.md"],
        false,
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    let html = String::from_utf8(o.stdout).unwrap();
    assert_self_contained(&html);
    assert!(!html.contains("alert(1)</"), "raw markup from a file");
    assert!(!html.contains("<!--"), "a comment opened by a file");
    assert!(html.contains("pier &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot; &lt;!--."));
    assert!(html.contains("AT&amp;T said &lt;script&gt;alert(1)&lt;/script&gt;."));
    assert!(html.contains("<cite>Harbour &amp; pier &lt;script&gt;alert(1)&lt;/script&gt;</cite>"));
    assert!(html.contains("<h2>d&amp;&lt;i&gt;.txt</h2>") && html.contains("data-path=\"d&amp;&lt;i&gt;.txt\""));
    // Each draft has its marks and its own summary; the run's counts are their sums.
    let marks = marks(&html);
    let by_draft: Vec<(&str, &str)> = marks.iter().map(|m| (m.id.as_str(), m.status.as_str())).collect();
    assert_eq!(by_draft.len(), 2, "{by_draft:?}");
    assert!(by_draft.contains(&("d1-c1", "supported")) || by_draft.contains(&("d2-c1", "supported")));
    assert_eq!(html.matches("<table class=\"summary\" data-scope=\"draft\">").count(), 2);
    let run = summary_row(&html, "run", "all");
    assert!(run.contains(&("contradicted".to_string(), 1)) && run.contains(&("supported".to_string(), 1)), "{run:?}");
    assert!(html.contains("<nav>"), "a run of two drafts lists them");
}
