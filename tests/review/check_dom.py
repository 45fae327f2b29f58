"""Checks the review page's DOM as Chromium rendered it (tests/review/run.sh).

    python3 check_dom.py DOM.html FINDINGS.json EXPLAIN.txt

DOM.html is `chromium --dump-dom` of the page; FINDINGS.json is `copydesk check
--format json` of the same draft; EXPLAIN.txt is what `COPYDESK_EXPLAIN=1 copydesk
check` printed on standard error (one line per verdict, with its status). Exits 1
with the reasons when the page does not show what the other two say.
"""
import collections
import json
import re
import sys
from html.parser import HTMLParser

STATUS_OF_CODE = {
    "number-mismatch": "contradicted",
    "misquote": "contradicted",
    "misattribution": "contradicted",
    "unsourced-number": "unsourced",
    "unsourced-quote": "unsourced",
    "sources-disagree": "disputed",
}
EXPLAIN_STATUS = {"Contradicted": "contradicted", "Supported": "supported", "Unsourced": "unsourced", "Disputed": "disputed"}


class Page(HTMLParser):
    """Marks (attributes and text, nested ones included), summary cells, notes, and anything that would load."""

    def __init__(self):
        super().__init__()
        self.marks, self.open_marks = [], []
        self.cells = {}  # (scope, kind, count) -> text
        self.scope = self.kind = self.count = None
        self.ids, self.links, self.loads, self.scripts = set(), [], [], 0
        self.note_sources = collections.defaultdict(list)
        self.note, self.in_source = None, False
        self.tags = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "mark":
            m = {"attrs": a, "text": ""}
            self.marks.append(m)
            self.open_marks.append(m)
        elif tag == "table" and a.get("class") == "summary":
            self.scope = a.get("data-scope")
        elif tag == "tr" and self.scope:
            self.kind = a.get("data-kind")
        elif tag == "td" and self.scope:
            self.count = a.get("data-count")
            self.cells[(self.scope, self.kind, self.count)] = ""
        elif tag == "li" and a.get("class") == "note":
            self.note = a["id"]
        elif tag == "code" and a.get("class") == "source":
            self.in_source = True
        elif tag == "a":
            self.links.append(a.get("href", ""))
        if tag == "script":
            self.scripts += 1
        for name in ("src", "srcset", "poster", "data", "action"):
            if name in a:
                self.loads.append(f"<{tag} {name}={a[name]}>")
        if tag == "link":
            self.loads.append(f"<link href={a.get('href')}>")

    def handle_endtag(self, tag):
        if tag == "mark" and self.open_marks:
            self.open_marks.pop()
        elif tag == "table":
            self.scope = None
        elif tag == "td":
            self.count = None
        elif tag == "li":
            self.note = None
        elif tag == "code":
            self.in_source = False

    def handle_data(self, data):
        for m in self.open_marks:
            m["text"] += data
        if self.scope and self.count:
            self.cells[(self.scope, self.kind, self.count)] += data
        if self.in_source and self.note:
            self.note_sources[self.note].append(data)


def main(dom_path, findings_path, explain_path):
    page = Page()
    page.feed(open(dom_path, encoding="utf-8").read())
    findings = json.load(open(findings_path, encoding="utf-8"))["findings"]
    explain = [l for l in open(explain_path, encoding="utf-8") if not l.startswith(" ")]
    errors = []

    def expect(ok, what):
        if not ok:
            errors.append(what)

    # One mark per finding, in document order, with the finding's code, status and words.
    coded = [m for m in page.marks if "data-code" in m["attrs"]]
    expect(
        [(m["attrs"]["data-code"], m["text"]) for m in coded] == [(f["code"], f["text"]) for f in findings],
        f"marks with a code {[(m['attrs']['data-code'], m['text']) for m in coded]} "
        f"!= findings {[(f['code'], f['text']) for f in findings]}",
    )
    for m in page.marks:
        code = m["attrs"].get("data-code")
        want = STATUS_OF_CODE.get(code, "supported") if code else "supported"
        expect(m["attrs"].get("data-status") == want, f"mark {m['attrs'].get('id')} {m['text']!r}: status {m['attrs'].get('data-status')}, expected {want}")
        note = m["attrs"].get("id", "").replace("-c", "-n")
        expect(note in page.ids, f"mark {m['attrs'].get('id')}: no note {note}")
    # Each finding's note cites its evidence as path:line.
    for m, f in zip(coded, findings):
        cited = page.note_sources[m["attrs"]["id"].replace("-c", "-n")]
        for e in f["evidence"]:
            expect(f"{e['path']}:{e['line']}" in cited, f"note of {m['text']!r} does not cite {e['path']}:{e['line']}")

    # Marks per status are the verdicts per status (a mark can stand for several: data-verdicts).
    verdicts = collections.Counter()
    for line in explain:
        found = re.search(r": (?:Quantity|Quote|Attribution) (Supported|Contradicted|Disputed|Unsourced) \"", line)
        if found:
            verdicts[EXPLAIN_STATUS[found.group(1)]] += 1
    marked = collections.Counter()
    for m in page.marks:
        marked[m["attrs"]["data-status"]] += int(m["attrs"].get("data-verdicts", "1"))
    expect(marked == verdicts, f"marks per status {dict(marked)} != verdicts per status {dict(verdicts)}")
    expect(sum(verdicts.values()) > 0, "no verdicts in the explain output")

    # The run's summary says the same.
    for status in EXPLAIN_STATUS.values():
        cell = page.cells.get(("run", "all", status))
        expect(cell is not None and int(cell) == verdicts[status], f"summary {status}: {cell!r}, verdicts {verdicts[status]}")
    checked = page.cells.get(("run", "all", "checked"))
    expect(checked is not None and int(checked) == sum(verdicts.values()), f"summary checked: {checked!r}")
    expect(("run-verdict" in page.ids), "no run verdict line")

    # Nothing that would load: no scripts, no sources, no external links.
    expect(page.scripts == 0, f"{page.scripts} script elements")
    expect(not page.loads, f"elements that load: {page.loads}")
    expect(all(h.startswith("#") for h in page.links), f"links off the page: {[h for h in page.links if not h.startswith('#')]}")

    if errors:
        print("tests/review: the page does not show the check's results:", file=sys.stderr)
        for e in errors:
            print("  - " + e, file=sys.stderr)
        return 1
    print(f"tests/review: DOM ok: {len(page.marks)} marks ({dict(marked)}), {len(findings)} findings, summary matches")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
