// Drives code-server in Debian's headless Chromium (playwright-core, no downloaded browser):
// opens the draft, waits for copydesk's diagnostics in the dump file, hovers the figure,
// takes a screenshot; in a draft of the test's own (fixes.md) asks for the hover on a
// misattributed speaker and applies every quick fix the server offers; runs "copydesk: Check
// Workspace". Run by tests/editors/vscode-e2e.sh.
//
// Environment: PLAYWRIGHT_CORE (path of the playwright-core package), URL, DUMP (the
// copydesk.test.diagnosticsDumpFile), DRAFT_NAME, EXPECT_TEXT, EXPECT_LINE (1-based),
// SCREENSHOT, BROWSER_PROFILE (a fresh folder), STEP_TIMEOUT_MS, ARTIFACTS (folder for
// failure screenshots), FIX_DRAFT (the workspace's copy of fixes.md), REQUESTS (the
// helper extension's copydeskE2e.requestDir: VS Code API calls in the extension host).
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const url = process.env.URL;
const dump = process.env.DUMP;
const draftName = process.env.DRAFT_NAME || "d01-buildup.md";
const expect = process.env.EXPECT_TEXT || "84,300";
const expectLine = Number(process.env.EXPECT_LINE || "3");
const screenshot = process.env.SCREENSHOT;
const stepTimeout = Number(process.env.STEP_TIMEOUT_MS || "90000");
const artifacts = process.env.ARTIFACTS || path.dirname(screenshot);

let passed = 0;
let failed = 0;
function result(ok, name, detail) {
  if (ok) {
    passed++;
    console.log(`ok   - ${name}`);
  } else {
    failed++;
    console.log(`FAIL - ${name}${detail ? `: ${detail}` : ""}`);
  }
  return ok;
}

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readDump() {
  try {
    return JSON.parse(fs.readFileSync(dump, "utf8"));
  } catch {
    return null;
  }
}

/** The dumped diagnostic (of a collection) on the expected line that covers the expected text. */
function figureDiagnostic(collection, lineText, name = draftName) {
  const d = readDump();
  if (!d) {
    return null;
  }
  const col = lineText.indexOf(expect);
  for (const entry of d) {
    if (collection && entry.collection !== collection) {
      continue;
    }
    if (!entry.path.endsWith(name)) {
      continue;
    }
    for (const diag of entry.diagnostics) {
      const s = diag.range.start;
      const e = diag.range.end;
      if (s.line === expectLine - 1 && s.character <= col && (e.line > s.line || col < e.character)) {
        return diag;
      }
    }
  }
  return null;
}

/** Runs `op` of the helper extension (helper/extension.js) in the extension host. */
let requests = 0;
async function ext(op, args, timeout = stepTimeout) {
  const dir = process.env.REQUESTS;
  if (!(await waitFor(() => fs.existsSync(path.join(dir, "ready.json")), timeout))) {
    throw new Error("the e2e helper extension did not start (no ready.json)");
  }
  const name = `${String(++requests).padStart(3, "0")}-${op}`;
  const request = path.join(dir, `${name}.request.json`);
  fs.writeFileSync(`${request}.tmp`, JSON.stringify({ op, args }));
  fs.renameSync(`${request}.tmp`, request);
  const response = path.join(dir, `${name}.response.json`);
  const answer = await waitFor(
    () => {
      try {
        return JSON.parse(fs.readFileSync(response, "utf8"));
      } catch {
        return null;
      }
    },
    timeout,
    100,
  );
  if (!answer) {
    throw new Error(`the helper extension did not answer ${op} in ${timeout} ms`);
  }
  if (!answer.ok) {
    throw new Error(`helper ${op}: ${answer.error}`);
  }
  return answer.result;
}

const show = (ds) => ds.map((d) => `${d.severity} [${d.code}] "${d.text}" ${d.range.start.line + 1}:${d.range.start.character + 1}`).join("; ");

// The draft of the test's own (fixes.md), against examples/newsroom/sources: what it was
// written with, and what the source says instead.
const fixDraft = {
  // [code, text the diagnostic covers] of every contradiction written into it.
  planted: [
    ["number-mismatch", "5,200"],
    ["number-mismatch", "700"],
    ["number-mismatch", "12"],
    ["number-mismatch", "$15 million"],
    ["misattribution", "Penhaligon"],
    ["misquote", "a warning, not a prediction"],
    ["misattribution", "Mayor Elena Vasquez"],
  ],
  // Words typed on the first figure's line, before the figure; then at once (the diagnostics
  // VS Code has are still the old text's) the quick fix with "fix" in its title.
  typed: { line: "The project is estimated", at: "estimated", insert: "now ", fix: "\u201C3,200\u201D" },
  // The draft's words → the source's. "$34 million" is no contradiction while "700" sits in
  // its sentence (both figures differ from the source's sentence: another instance, not a
  // claim about it); once 700 is fixed it is, and the next round of quick fixes fixes it.
  fixes: [
    ["roughly 5,200 homes", "roughly 3,200 homes"],
    ["flooded 700 homes", "flooded 900 homes"],
    ["an estimated $34 million", "an estimated $31 million"],
    ["on 12 days", "on 14 days"],
    ['year," Penhaligon said.', 'year," Vasquez said.'],
    ['"a warning, not a prediction."', '"a warning, not a forecast."'],
    ["grant of $15 million", "grant of $12 million"],
    ["Mayor Elena Vasquez said at least 40", "Naomi Okafor said at least 40"],
  ],
  // What stays underlined: the information-level note on a figure no source states, in a
  // sentence no fix touches (a quick fix writes the source's wording; a note has none):
  // [code, the figure its message quotes].
  kept: [["unsourced-number", "3 weeks"]],
  // Each misattributed speaker's name (of a quote; of reported speech), the speaker the
  // source gives the words to, and where.
  speakers: [
    { name: "Penhaligon", source: "Elena Vasquez", cite: "harbor-council.txt, line 11", quote: /^> .*Vasquez said/m },
    { name: "Mayor Elena Vasquez", source: "Naomi Okafor", cite: "harbor-floods.txt, line 13", quote: /^> She added that at least 40 families/m },
  ],
};

/** 5. The hover on a misattributed speaker, and every quick fix applied (through the VS Code API). */
async function quickFixes() {
  const file = process.env.FIX_DRAFT;
  const original = fs.readFileSync(file, "utf8");
  await ext("open", { file });
  let last = null;
  const before = await waitFor(
    async () => {
      last = await ext("diagnostics", { file });
      const d = last.diagnostics;
      return fixDraft.planted.every(([code, text]) => d.some((x) => x.code === code && x.text.includes(text))) ? last : null;
    },
    stepTimeout,
    500,
  );
  result(!!before, `fixes.md: each planted contradiction is underlined (${elapsed()})`, last ? show(last.diagnostics) : "no answer");
  if (!before) {
    return;
  }
  console.log(`# fixes.md before: ${show(before.diagnostics)}`);

  // The hover on a speaker's name (the finding's own span): first, middle and last character.
  const lines = original.split("\n");
  for (const { name, source, cite, quote } of fixDraft.speakers) {
    const line = lines.findIndex((l) => l.includes(`${name} said`));
    const col = lines[line].indexOf(name);
    for (const at of [col, col + (name.length >> 1), col + name.length - 1]) {
      const hovers = await ext("hover", { file, line, character: at });
      const ours = hovers.filter((h) => h.contents.some((c) => c.includes("copydesk:")));
      const text = ours.flatMap((h) => h.contents).join("\n");
      const where = `${line + 1}:${at + 1}`;
      result(ours.length === 1 && /\(misattribution\)/.test(text), `hover on "${name}" (${where}) is copydesk's misattribution`, JSON.stringify(hovers).slice(0, 400));
      result(text.includes(source), `  it names the source's speaker, ${source}`, text.slice(0, 400));
      result(text.includes(cite) && quote.test(text), `  it cites the source (${cite}) and quotes its sentence`, text.slice(0, 600));
      const r = ours[0] && ours[0].range;
      result(
        !!r && r.start.line === line && r.end.line === line && r.start.character === col && r.end.character === col + name.length,
        `  its range is the name (${line + 1}:${col + 1}-${col + name.length + 1})`,
        JSON.stringify(r),
      );
      if (at === col) {
        console.log(`# speaker hover: ${text.replace(/\s+/g, " ").slice(0, 300)}`);
      }
    }
  }

  // A quick fix asked for right after typing on the figure's line: made for the text as it is
  // now (not at the place the figure had in the text the diagnostics VS Code sent were of).
  const t = fixDraft.typed;
  const tLine = lines.findIndex((l) => l.includes(t.line));
  const typedText = original.replace(t.line, t.line.replace(t.at, t.insert + t.at));
  const first = fixDraft.fixes[0];
  const typedFix = await ext("typeThenFix", { file, line: tLine, character: lines[tLine].indexOf(t.at), insert: t.insert, title: t.fix });
  console.log(`# typed "${t.insert}" on line ${tLine + 1}, then at once (diagnostics ${typedFix.stale ? "still of the text before" : "already of the new text"}): ${typedFix.title || "no fix"}`);
  result(
    typedFix.applied && typedFix.settled && typedFix.text === typedText.replace(first[0], first[1]),
    `a quick fix asked for right after typing on its line writes ${t.fix} over the figure where it is now`,
    `${JSON.stringify(typedFix.edits || typedFix.offered)}\n${typedFix.text}`,
  );

  // Every "Replace with" quick fix, one per round (each edit is versioned: the next is asked
  // for once the server has checked the new text), until the server offers none.
  const fixed = await ext("fixAll", { file }, 10 * stepTimeout);
  for (const r of fixed.rounds) {
    const at = r.edits.map((e) => `"${e.old}" at ${e.range.start.line + 1}:${e.range.start.character + 1}`).join(", ");
    console.log(`# quick fix: ${r.title}: ${at}${r.applied ? "" : " REFUSED"}${r.settled === false ? " (no new diagnostics)" : ""}`);
  }
  const fixesOk = fixed.rounds.length > 0 && fixed.rounds.every((r) => r.applied && r.changed && r.settled && /^Replace with /.test(r.title));
  result(fixed.end === "none left" && fixesOk, `applied "Replace with" quick fixes until none was offered (${fixed.rounds.length} fixes, ${elapsed()})`, `${fixed.end}; offered: ${fixed.offered.join(" | ")}`);
  result(fixed.rounds.length === fixDraft.fixes.length - 1, `one quick fix per contradiction left, the one uncovered by a fix included (${fixDraft.fixes.length - 1})`, `${fixed.rounds.length} applied`);

  // No underline left but the notes a fix is not meant to resolve.
  const left = fixed.diagnostics;
  const loud = left.filter((d) => d.severity === "error" || d.severity === "warning");
  result(loud.length === 0, "no copydesk warning or error is left after the quick fixes", show(loud));
  const got = left.map((d) => `${d.severity} ${d.code} ${(/^\u201C([^\u201D]*)\u201D/.exec(d.message) || [])[1]}`).sort();
  const want = fixDraft.kept.map(([code, text]) => `information ${code} ${text}`).sort();
  result(JSON.stringify(got) === JSON.stringify(want), `what is left is the information-level note on the untouched sentence (${want.join("; ")})`, show(left));

  // The text now holds the source's figures, quote words and speaker, and nothing else changed.
  let expected = typedText;
  for (const [from, to] of fixDraft.fixes) {
    expected = expected.replace(from, to);
  }
  result(fixed.text === expected, "the draft now has the sources' figures, quote and speakers, and is otherwise as typed", fixed.text);
}

async function waitFor(pred, timeout, every = 250) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await pred();
    if (v) {
      return v;
    }
    if (Date.now() > end) {
      return null;
    }
    await sleep(every);
  }
}

(async () => {
  const browser = await chromium.launchPersistentContext(process.env.BROWSER_PROFILE, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const page = browser.pages()[0] || (await browser.newPage());
  // Only this machine: anything not on 127.0.0.1 is refused.
  await page.route(/^(?!(https?|wss?):\/\/(127\.0\.0\.1|localhost)[:/]|data:|blob:)/, (route) => route.abort());
  page.on("pageerror", (e) => console.log(`# page error: ${e.message.split("\n")[0]}`));
  try {
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: stepTimeout });
    await page.locator(".monaco-workbench").waitFor({ timeout: stepTimeout });
    result(true, `workbench loaded (${elapsed()})`);

    // Open the draft from the explorer.
    const item = page.locator(`.explorer-folders-view .monaco-list-row[aria-label*="${draftName}"]`).first();
    await item.waitFor({ timeout: stepTimeout });
    await item.dblclick();
    const editor = page.locator(".editor-instance .monaco-editor").first();
    await editor.waitFor({ timeout: stepTimeout });
    await page.locator(".tabs-container .tab", { hasText: draftName }).first().waitFor({ timeout: stepTimeout });
    result(true, `draft open in an editor (${elapsed()})`);

    if (process.env.MISSING_BINARY === "1") {
      // copydesk.serverPath points nowhere: a clear error with a fix must show.
      const toast = page.locator(".notification-toast", { hasText: "copydesk" }).first();
      await toast.waitFor({ timeout: stepTimeout });
      const text = (await toast.innerText()).replace(/\s+/g, " ");
      console.log(`# notification: ${text}`);
      result(/no executable file/.test(text) && /cargo install/.test(text), "error names the problem and the install command", text);
      result(/Set copydesk\.serverPath/.test(text), "error offers \"Set copydesk.serverPath\"", text);
      const status = (await page.locator(".statusbar-item", { hasText: "copydesk" }).allInnerTexts()).join(" | ");
      result(/no server/.test(status), "status bar says there is no server", status);
      await page.screenshot({ path: screenshot });
      console.log(`# screenshot: ${screenshot}`);
      return;
    }

    // The draft's text on the expected line, from the workspace copy.
    const lineText = fs.readFileSync(process.env.DRAFT, "utf8").split("\n")[expectLine - 1] || "";
    result(lineText.includes(expect), `draft line ${expectLine} contains ${expect}`);

    // 1. The language server's diagnostic reaches VS Code (dump file).
    const diag = await waitFor(() => figureDiagnostic("copydesk", lineText), stepTimeout);
    result(!!diag, `copydesk diagnostic on ${expect} in the dump file (${elapsed()})`, diag ? undefined : `dump: ${JSON.stringify(readDump())}`);
    if (diag) {
      console.log(`# ${diag.severity} [${diag.code}] ${diag.message}`);
    }

    // 2. It is drawn: a squiggle in the editor.
    const squiggle = await waitFor(async () => (await page.locator(".monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-info, .monaco-editor .squiggly-hint").count()) > 0, 15000);
    result(!!squiggle, "the editor shows a squiggle");

    // 3. Hover the figure: find its characters on screen and move the mouse there.
    const box = await waitFor(
      () =>
        page.evaluate(([needle, lineNo]) => {
          const ed = document.querySelector(".editor-instance .monaco-editor");
          if (!ed) {
            return null;
          }
          // The gutter's line number gives the top of the expected line's view-line.
          let top = null;
          for (const n of ed.querySelectorAll(".margin-view-overlays .line-numbers")) {
            if (n.textContent.trim() === String(lineNo)) {
              top = n.parentElement.style.top;
            }
          }
          for (const line of ed.querySelectorAll(".view-lines .view-line")) {
            if (top !== null && line.style.top !== top) {
              continue;
            }
            // The needle may span text nodes: Monaco cuts a long token into pieces of at most
            // 50 characters (and at decorations), wherever the cut falls in the line's words.
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            const nodes = [];
            let node;
            while ((node = walker.nextNode())) {
              nodes.push(node);
            }
            // Monaco renders spaces as U+00A0.
            const text = nodes.map((n) => n.textContent).join("").replace(/\u00a0/g, " ");
            const i = text.indexOf(needle);
            if (i >= 0) {
              // Where the line's character `offset` is: its text node and the offset in that node
              // (an end may be a node's end).
              const at = (offset, isEnd) => {
                let seen = 0;
                for (const n of nodes) {
                  const len = n.textContent.length;
                  if (offset < seen + len || (isEnd && offset === seen + len)) {
                    return [n, offset - seen];
                  }
                  seen += len;
                }
                return null;
              };
              const r = document.createRange();
              r.setStart(...at(i, false));
              r.setEnd(...at(i + needle.length, true));
              const b = r.getBoundingClientRect();
              return { x: b.x, y: b.y, width: b.width, height: b.height };
            }
          }
          return null;
        }, [expect, expectLine]),
      10000,
    );
    result(!!box, `${expect} found on screen`);
    let hoverText = "";
    if (box) {
      const hover = page.locator(".monaco-hover:not(.hidden)").first();
      for (let attempt = 0; attempt < 4 && !hoverText; attempt++) {
        await page.mouse.move(box.x + 2, box.y + box.height / 2);
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
        try {
          await hover.waitFor({ state: "visible", timeout: 8000 });
          // Let the language server's part of the hover arrive too.
          await sleep(1500);
          hoverText = (await hover.innerText()).trim();
        } catch {
          await page.mouse.move(10, 10);
          await sleep(500);
        }
      }
      result(hoverText.length > 0, "hover shown over the figure", hoverText ? undefined : "no .monaco-hover");
      if (hoverText) {
        console.log(`# hover: ${hoverText.replace(/\s+/g, " ").slice(0, 300)}`);
      }
      await page.screenshot({ path: screenshot });
      console.log(`# screenshot: ${screenshot}`);
    }

    // 4. The status bar item.
    const statusText = await waitFor(async () => {
      const t = await page.locator(".statusbar-item", { hasText: "copydesk" }).allInnerTexts();
      return t.find((x) => /contradiction/.test(x)) || null;
    }, 15000);
    const allStatus = (await page.locator(".statusbar-item", { hasText: "copydesk" }).allInnerTexts()).join(" | ");
    result(!!statusText && /\d+ contradictions?, \d+ notes?/.test(statusText), "status bar counts contradictions and notes apart", allStatus);
    if (statusText) {
      console.log(`# status bar: ${statusText.trim()}`);
    }

    // 5. The hover on a misattributed speaker; every quick fix (the real server only: the mock
    //    offers no code actions).
    const openDrafts = [draftName];
    if (process.env.COPYDESK_LSP_MOCK === "1") {
      console.log("# mock server: no quick fixes or speaker hover to test");
    } else {
      openDrafts.push("fixes.md");
      await quickFixes();
    }

    // 6. copydesk: Check Workspace into the Problems panel.
    await page.mouse.move(10, 10);
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    const input = page.locator(".quick-input-widget input").first();
    await input.waitFor({ timeout: 10000 });
    await input.fill(">copydesk: Check Workspace");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Check Workspace" }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press("Enter");
    const checked = await waitFor(() => figureDiagnostic("copydesk-check", lineText, "unopened.md"), stepTimeout);
    result(!!checked, `Check Workspace put the finding on ${expect} of the closed draft in the Problems panel (${elapsed()})`);
    const problems = await waitFor(async () => (await page.locator(".markers-panel .monaco-list-row").count()) > 0, 10000);
    result(!!problems, "the Problems panel is open and lists findings");
    // The open drafts' findings come from the server only: each once in Problems.
    const twice = (readDump() || []).filter((e) => openDrafts.some((n) => e.path.endsWith(n)) && e.collection === "copydesk-check");
    result(twice.length === 0, "no second copy of the open drafts' findings after Check Workspace", JSON.stringify(twice).slice(0, 300));
    // Running it again (with Problems open) leaves the panel open.
    await page.keyboard.press("F1");
    await input.waitFor({ timeout: 10000 });
    await input.fill(">copydesk: Check Workspace");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Check Workspace" }).first().waitFor({ timeout: 10000 });
    await page.keyboard.press("Enter");
    await sleep(3000);
    result((await page.locator(".markers-panel .monaco-list-row").count()) > 0, "a second Check Workspace leaves the Problems panel open");
  } catch (err) {
    result(false, "driver error", String(err).split("\n")[0]);
    try {
      await page.screenshot({ path: path.join(artifacts, "vscode-e2e-failure.png") });
      console.log(`# failure screenshot: ${path.join(artifacts, "vscode-e2e-failure.png")}`);
    } catch {
      // nothing to add
    }
  } finally {
    await browser.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();
