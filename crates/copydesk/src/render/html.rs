//! `--format html`: one self-contained review page for the editor — each draft with
//! every checked claim marked by its status, the source sentences beside it, and a
//! summary of coverage. No scripts and nothing fetched: the styles are inline
//! (`review.css`) and a Content-Security-Policy forbids every other load. Written
//! paragraph by paragraph; every text from a file goes through [`Escaped`].

use super::terminal;
use super::FileReport;
use copydesk_engine::{ClaimKind, Evidence, Span, Status, Verdict};
use std::fmt;
use std::io::{self, Write};

const STYLE: &str = include_str!("review.css");

/// `s` as HTML text or attribute value: `& < > " '` as references, and control
/// characters made visible as in the terminal ([`terminal::escape`]).
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = terminal::escape(self.0);
        let mut rest = s.as_ref();
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// The statuses in the order the page lists them: `data-status` value, label, what it means.
const STATUSES: [(&str, &str, &str); 4] = [
    ("contradicted", "contradicted", "a source about the same fact says otherwise"),
    ("disputed", "sources disagree", "the sources disagree among themselves"),
    ("unsourced", "unsourced", "no source states it"),
    ("supported", "supported", "a source states it"),
];

fn status_index(s: &Status) -> usize {
    match s {
        Status::Contradicted => 0,
        Status::Disputed => 1,
        Status::Unsourced => 2,
        Status::Supported => 3,
    }
}

const KINDS: [(&str, &str); 3] = [("quantity", "figures"), ("quote", "quotes"), ("attribution", "attributions")];

fn kind_index(k: ClaimKind) -> usize {
    match k {
        ClaimKind::Quantity => 0,
        ClaimKind::Quote => 1,
        ClaimKind::Attribution => 2,
    }
}

fn kind_name(k: ClaimKind) -> &'static str {
    match k {
        ClaimKind::Quantity => "figure",
        ClaimKind::Quote => "quote",
        ClaimKind::Attribution => "attribution",
    }
}

/// Verdicts counted by kind of claim and status.
#[derive(Default, Clone, Copy)]
struct Coverage([[usize; 4]; 3]);

impl Coverage {
    fn of(verdicts: &[Verdict]) -> Coverage {
        let mut c = Coverage::default();
        for v in verdicts {
            c.0[kind_index(v.kind)][status_index(&v.status)] += 1;
        }
        c
    }

    fn add(&mut self, other: &Coverage) {
        for (row, o) in self.0.iter_mut().zip(other.0) {
            for (n, m) in row.iter_mut().zip(o) {
                *n += m;
            }
        }
    }

    fn total(&self, status: usize) -> usize {
        self.0.iter().map(|row| row[status]).sum()
    }
}

/// One marked stretch of a draft: the verdicts that point at it (usually one).
struct Mark<'a> {
    span: Span,
    status: &'a Status,
    code: Option<&'static str>,
    verdicts: Vec<&'a Verdict>,
}

/// Where a verdict is marked: its finding's span (the words to fix, e.g. the wrong
/// speaker of a quote), else the claim's own.
fn mark_span(v: &Verdict) -> Span {
    v.finding.as_ref().map_or(v.span, |f| f.span)
}

/// The marks of a draft in document order (outer before inner); verdicts with the same
/// span, status and code share one (a quote and a reported claim can flag one speaker).
fn marks<'a>(r: &'a FileReport) -> Vec<Mark<'a>> {
    let mut out: Vec<Mark<'a>> = Vec::with_capacity(r.verdicts.len());
    let mut order: Vec<&Verdict> = r.verdicts.iter().collect();
    order.sort_by_key(|v| {
        let s = mark_span(v);
        (s.start, std::cmp::Reverse(s.end))
    });
    for v in order {
        let span = mark_span(v);
        if span.is_empty() || r.text.get(span.start..span.end).is_none() {
            continue;
        }
        let code = v.finding.as_ref().map(|f| f.code.as_str());
        let same = |m: &&mut Mark| m.span == span && *m.status == v.status && m.code == code;
        // Marks with one span are adjacent in this order; look back among them only.
        match out.iter_mut().rev().take_while(|m| m.span.start == span.start).find(same) {
            Some(m) => m.verdicts.push(v),
            None => out.push(Mark { span, status: &v.status, code, verdicts: vec![v] }),
        }
    }
    out
}

/// The draft cut into paragraphs (runs of non-blank lines) as byte ranges; a mark
/// never straddles two (paragraphs it runs across are shown as one).
fn paragraphs(text: &str, marks: &[Mark]) -> Vec<(usize, usize)> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    let mut open: Option<(usize, usize)> = None;
    for line in text.split_inclusive('\n') {
        let (start, end) = (at, at + line.trim_end().len());
        at += line.len();
        if line.trim().is_empty() {
            lines.extend(open.take());
        } else {
            open = Some(open.map_or((start, end), |(s, _)| (s, end)));
        }
    }
    lines.extend(open);
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(lines.len());
    let mut m = 0;
    for (k, &(start, end)) in lines.iter().enumerate() {
        match out.last_mut() {
            Some(last) if last.1 > start => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
        // The marks that start before the next paragraph belong to this one, and stretch it.
        let next = lines.get(k + 1).map_or(usize::MAX, |p| p.0);
        let Some(last) = out.last_mut() else { continue };
        while let Some(mark) = marks.get(m).filter(|mark| mark.span.start < next) {
            *last = (last.0.min(mark.span.start), last.1.max(mark.span.end));
            m += 1;
        }
    }
    out
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> io::Result<()> {
    let mut run = Coverage::default();
    let per_draft: Vec<Coverage> = reports.iter().map(|r| Coverage::of(&r.verdicts)).collect();
    per_draft.iter().for_each(|c| run.add(c));
    let drafts = reports.len();
    let plural = if drafts == 1 { "" } else { "s" };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"copydesk {version}\">\n\
         <title>copydesk review: {drafts} draft{plural}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        version = env!("CARGO_PKG_VERSION"),
    )?;
    writeln!(out, "<header class=\"run\">\n<h1>copydesk review</h1>")?;
    let (contradicted, checked) = (run.total(0), run.0.iter().flatten().sum::<usize>());
    writeln!(
        out,
        "<p class=\"verdict\" id=\"run-verdict\">{checked} claim{} checked in {drafts} draft{plural}: \
         <strong>{contradicted} contradicted</strong> by the sources.</p>",
        if checked == 1 { "" } else { "s" }
    )?;
    writeln!(out, "<div class=\"overview\">")?;
    write_summary(out, "run", "Coverage of this run", &run)?;
    write_legend(out)?;
    writeln!(out, "</div>")?;
    if reports.len() > 1 {
        writeln!(out, "<nav><h2>Drafts</h2><ol>")?;
        for (i, (r, c)) in reports.iter().zip(&per_draft).enumerate() {
            writeln!(
                out,
                "<li><a href=\"#d{n}\">{}</a> — {} contradicted, {} unsourced, {} supported</li>",
                Escaped(&r.path),
                c.total(0),
                c.total(2),
                c.total(3),
                n = i + 1
            )?;
        }
        writeln!(out, "</ol></nav>")?;
    }
    writeln!(out, "</header>\n<main>")?;
    if reports.is_empty() {
        writeln!(out, "<p>No draft was checked.</p>")?;
    }
    for (i, (r, c)) in reports.iter().zip(&per_draft).enumerate() {
        // A run of one draft has its coverage once, at the top.
        write_draft(out, i + 1, r, (reports.len() > 1).then_some(c))?;
    }
    writeln!(out, "</main>\n<footer>Written by copydesk {}. Nothing on this page is fetched from the network.</footer>\n</body>\n</html>", env!("CARGO_PKG_VERSION"))
}

fn write_legend(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "<div class=\"legend\">\n<h2>Legend</h2>\n<ul>")?;
    for (status, label, meaning) in STATUSES {
        writeln!(out, "<li><span class=\"swatch\" data-status=\"{status}\">{label}</span> {meaning}</li>")?;
    }
    writeln!(
        out,
        "</ul>\n<p>Each marked claim is numbered; its note beside the paragraph cites the source sentences.</p>\n\
         <label class=\"filter\"><input type=\"checkbox\" id=\"hide-supported\"> dim supported claims</label>\n</div>"
    )
}

fn write_summary(out: &mut dyn Write, scope: &str, caption: &str, c: &Coverage) -> io::Result<()> {
    writeln!(out, "<table class=\"summary\" data-scope=\"{scope}\">\n<caption>{caption}</caption>")?;
    write!(out, "<thead><tr><th scope=\"col\">claims</th><th scope=\"col\">checked</th>")?;
    for (status, label, _) in STATUSES {
        write!(out, "<th scope=\"col\" data-status=\"{status}\">{label}</th>")?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    let row = |out: &mut dyn Write, kind: &str, label: &str, counts: [usize; 4]| -> io::Result<()> {
        let checked: usize = counts.iter().sum();
        write!(
            out,
            "<tr data-kind=\"{kind}\"><th scope=\"row\">{label}</th><td data-count=\"checked\">{checked}</td>"
        )?;
        for ((status, _, _), n) in STATUSES.iter().zip(counts) {
            write!(out, "<td data-count=\"{status}\"{}>{n}</td>", if n == 0 { " class=\"zero\"" } else { "" })?;
        }
        writeln!(out, "</tr>")
    };
    for ((kind, label), counts) in KINDS.iter().zip(c.0) {
        row(out, kind, label, counts)?;
    }
    writeln!(out, "</tbody>\n<tfoot>")?;
    row(out, "all", "all claims", [c.total(0), c.total(1), c.total(2), c.total(3)])?;
    writeln!(out, "</tfoot>\n</table>")
}

fn write_draft(out: &mut dyn Write, n: usize, r: &FileReport, coverage: Option<&Coverage>) -> io::Result<()> {
    writeln!(out, "<section class=\"draft\" id=\"d{n}\" data-path=\"{}\">", Escaped(&r.path))?;
    writeln!(out, "<h2>{}</h2>", Escaped(&r.path))?;
    if let Some(c) = coverage {
        write_summary(out, "draft", "Coverage of this draft", c)?;
    }
    let marks = marks(r);
    if r.verdicts.is_empty() {
        writeln!(out, "<p class=\"empty\">No figure, quote or attribution in this draft was checked.</p>")?;
    }
    let mut next = 0;
    for (start, end) in paragraphs(&r.text, &marks) {
        let first = next;
        while next < marks.len() && marks[next].span.start < end {
            next += 1;
        }
        write_paragraph(out, n, first, &r.text, (start, end), &marks[first..next])?;
    }
    writeln!(out, "</section>")
}

/// A paragraph of the draft with its marks, and beside it the notes on them.
/// `first` is the index of the paragraph's first mark in the draft (marks are numbered from 1).
fn write_paragraph(
    out: &mut dyn Write,
    draft: usize,
    first: usize,
    text: &str,
    (start, end): (usize, usize),
    marks: &[Mark],
) -> io::Result<()> {
    let class = if marks.is_empty() { "para plain" } else { "para" };
    write!(out, "<div class=\"{class}\">\n<pre class=\"text\">")?;
    let mut at = start;
    let mut open: Vec<usize> = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        while let Some(&close) = open.last().filter(|&&e| e <= m.span.start) {
            write!(out, "{}</mark>", Escaped(&text[at..close]))?;
            at = close;
            open.pop();
        }
        write!(out, "{}", Escaped(&text[at..m.span.start]))?;
        at = m.span.start;
        // A mark that crosses the end of the one it starts in is cut there, so marks nest.
        let end = open.last().map_or(m.span.end, |&e| e.min(m.span.end));
        let code = m.code.map(|c| format!(" data-code=\"{c}\"")).unwrap_or_default();
        let (status, label, _) = STATUSES[status_index(m.status)];
        let kind = kind_name(m.verdicts[0].kind);
        let id = first + i + 1;
        let title = m.code.map_or_else(|| format!("{kind}: {label}"), |c| format!("{kind}: {label} ({c})"));
        write!(
            out,
            "<mark id=\"d{draft}-c{id}\" data-n=\"{id}\" data-status=\"{status}\"{code} data-kind=\"{kind}\" \
             data-verdicts=\"{}\" title=\"{title}\">",
            m.verdicts.len()
        )?;
        open.push(end);
    }
    while let Some(close) = open.pop() {
        write!(out, "{}</mark>", Escaped(&text[at..close]))?;
        at = close;
    }
    writeln!(out, "{}</pre>", Escaped(&text[at..end]))?;
    if !marks.is_empty() {
        writeln!(out, "<ol class=\"notes\">")?;
        for (i, m) in marks.iter().enumerate() {
            write_note(out, draft, first + i + 1, text, m)?;
        }
        writeln!(out, "</ol>")?;
    }
    writeln!(out, "</div>")
}

/// What the page says of one mark: per verdict, its status, message, reason and evidence.
fn write_note(out: &mut dyn Write, draft: usize, id: usize, text: &str, m: &Mark) -> io::Result<()> {
    let (status, label, _) = STATUSES[status_index(m.status)];
    writeln!(out, "<li class=\"note\" id=\"d{draft}-n{id}\" data-status=\"{status}\" value=\"{id}\">")?;
    for (k, v) in m.verdicts.iter().enumerate() {
        let num = if k == 0 { format!("<span class=\"num\">{id}</span>") } else { String::new() };
        write!(out, "<p class=\"head\">{num}<span class=\"badge\" data-status=\"{status}\">{label}</span> ")?;
        let claim = text.get(v.span.start..v.span.end).unwrap_or_default();
        write!(out, "{} <a href=\"#d{draft}-c{id}\">\u{201C}{}\u{201D}</a>", kind_name(v.kind), Escaped(claim))?;
        match &v.finding {
            Some(f) => writeln!(out, " <code>{}</code></p>\n<p class=\"message\">{}</p>", f.code, Escaped(&f.message))?,
            None => writeln!(out, "</p>\n<p class=\"message\">{}</p>", Escaped(&v.summary))?,
        }
        if v.finding.is_none() && matches!(v.status, Status::Contradicted | Status::Disputed) {
            writeln!(out, "<p class=\"muted\">Not reported: ignored or turned off in the settings.</p>")?;
        }
        if let Some(s) = v.finding.as_ref().and_then(|f| f.suggestion.as_ref()) {
            writeln!(out, "<p class=\"fix\">Suggested: \u{201C}{}\u{201D}</p>", Escaped(&s.replacement))?;
        }
        if !v.reason.is_empty() {
            writeln!(out, "<p class=\"why\"><b>Why:</b> {}</p>", Escaped(&v.reason))?;
        }
        let evidence = match &v.finding {
            Some(f) if v.evidence.is_empty() => &f.evidence,
            _ => &v.evidence,
        };
        for e in evidence {
            write_evidence(out, e)?;
        }
    }
    writeln!(out, "</li>")
}

fn write_evidence(out: &mut dyn Write, e: &Evidence) -> io::Result<()> {
    write!(
        out,
        "<figure class=\"evidence\"><blockquote>{}</blockquote><figcaption><code class=\"source\">{}</code>",
        Escaped(&e.text),
        Escaped(&super::evidence_at(e)),
    )?;
    if let Some(t) = e.title.as_deref().filter(|t| !t.is_empty()) {
        write!(out, " <cite>{}</cite>", Escaped(t))?;
    }
    if let Some(d) = e.date.as_deref().filter(|d| !d.is_empty()) {
        write!(out, " <time>{}</time>", Escaped(d))?;
    }
    writeln!(out, "</figcaption></figure>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_ampersands_and_controls() {
        let e = |s: &str| Escaped(s).to_string();
        assert_eq!(e("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(e("AT&T said \"yes\" & 'no'"), "AT&amp;T said &quot;yes&quot; &amp; &#39;no&#39;");
        assert_eq!(e("a\x1b[2J\u{202E}b é"), "a␛[2J\u{FFFD}b é");
        assert_eq!(e("plain"), "plain");
    }

    fn verdict(kind: ClaimKind, span: (usize, usize), status: Status) -> Verdict {
        Verdict {
            kind,
            span: Span::new(span.0, span.1),
            status,
            summary: String::new(),
            evidence: Vec::new(),
            finding: None,
            reason: String::new(),
        }
    }

    fn page(text: &str, verdicts: Vec<Verdict>) -> String {
        let report = FileReport {
            path: "d.md".into(),
            text: text.into(),
            lines: copydesk_engine::LineIndex::new(text),
            findings: Vec::new(),
            verdicts,
        };
        let mut out = Vec::new();
        write(&mut out, &[report]).unwrap();
        let page = String::from_utf8(out).unwrap();
        page[page.find("<main>").unwrap()..].to_string()
    }

    #[test]
    fn marks_nest_and_a_quote_across_paragraphs_keeps_them_together() {
        let text = "Intro line.\n\n\"We built 3 piers.\n\nAnd 4 more,\" she said.\n\nLast 5.\n";
        let at = |s: &str| (text.find(s).unwrap(), text.find(s).unwrap() + s.len());
        let quote = at("We built 3 piers.\n\nAnd 4 more,");
        let page = page(
            text,
            vec![
                verdict(ClaimKind::Quantity, at("3"), Status::Supported),
                verdict(ClaimKind::Quote, quote, Status::Unsourced),
                verdict(ClaimKind::Quantity, at("4 more"), Status::Contradicted),
                verdict(ClaimKind::Quantity, at("5"), Status::Disputed),
                // Crosses the end of the quote: cut there so that marks nest.
                verdict(ClaimKind::Attribution, (quote.1 - 1, quote.1 + 2), Status::Supported),
            ],
        );
        assert_eq!(page.matches("<div class=\"para").count(), 3, "{page}");
        assert!(
            page.contains("<pre class=\"text\">&quot;<mark id=\"d1-c1\" data-n=\"1\" data-status=\"unsourced\""),
            "{page}"
        );
        assert!(page.contains("\">3</mark> piers.\n\nAnd <mark id=\"d1-c3\""), "{page}");
        assert!(page.contains("\">4 more</mark><mark id=\"d1-c4\" data-n=\"4\" data-status=\"supported\""), "{page}");
        assert!(page.contains("\">,</mark></mark>&quot; she said.</pre>"), "{page}");
        assert!(page.contains("Last <mark id=\"d1-c5\" data-n=\"5\" data-status=\"disputed\""), "{page}");
        assert_eq!(page.matches("<mark ").count(), 5);
        assert_eq!(page.matches("</mark>").count(), 5);
        assert_eq!(page.matches("<li class=\"note\"").count(), 5);
    }

    #[test]
    fn a_draft_with_nothing_checked_says_so() {
        let page = page("No figures here.\n", Vec::new());
        assert!(page.contains("No figure, quote or attribution in this draft was checked."));
        assert!(page.contains("<pre class=\"text\">No figures here.</pre>"));
    }
}
