// Drives code-server in Debian's headless Chromium (playwright-core, no downloaded browser):
// opens the draft, waits for copydesk's diagnostics in the dump file, hovers the figure,
// takes a screenshot, runs "copydesk: Check Workspace". Run by tests/editors/vscode-e2e.sh.
//
// Environment: PLAYWRIGHT_CORE (path of the playwright-core package), URL, DUMP (the
// copydesk.test.diagnosticsDumpFile), DRAFT_NAME, EXPECT_TEXT, EXPECT_LINE (1-based),
// SCREENSHOT, BROWSER_PROFILE (a fresh folder), STEP_TIMEOUT_MS, ARTIFACTS (folder for
// failure screenshots).
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
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
              // Monaco renders spaces as U+00A0.
              const text = node.textContent.replace(/\u00a0/g, " ");
              const i = text.indexOf(needle);
              if (i >= 0) {
                const r = document.createRange();
                r.setStart(node, i);
                r.setEnd(node, i + needle.length);
                const b = r.getClientRects()[0] || r.getBoundingClientRect();
                return { x: b.x, y: b.y, width: b.width, height: b.height };
              }
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

    // 5. copydesk: Check Workspace into the Problems panel.
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
    // The open draft's findings come from the server only: each once in Problems.
    const twice = (readDump() || []).filter((e) => e.path.endsWith(draftName) && e.collection === "copydesk-check");
    result(twice.length === 0, "no second copy of the open draft's findings after Check Workspace", JSON.stringify(twice).slice(0, 300));
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
