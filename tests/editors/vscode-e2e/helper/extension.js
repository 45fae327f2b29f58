// A test-only extension installed beside copydesk in the e2e's code-server: it runs VS Code
// API calls (code actions, workspace edits, hovers, diagnostics) in the extension host for
// drive.cjs, which can only reach the page. Requests are files: drive.cjs writes
// NAME.request.json ({ op, args }) into copydeskE2e.requestDir, and this answers with
// NAME.response.json ({ ok, result } or { ok: false, error }). Plain JavaScript (no build);
// packed into a .vsix by vscode-e2e.sh.
"use strict";
const fs = require("fs");
const path = require("path");
const vscode = require("vscode");

/** The language server's diagnostics (Check Workspace's have source "copydesk check"). */
const SERVER_SOURCE = "copydesk";
const SEVERITY = ["error", "warning", "information", "hint"];

/** uri → time of the last change to its diagnostics. */
const changed = new Map();

function write(file, value) {
  fs.writeFileSync(file + ".tmp", JSON.stringify(value, null, 2));
  fs.renameSync(file + ".tmp", file);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function range(r) {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

function codeOf(d) {
  return String(d.code && typeof d.code === "object" ? d.code.value : d.code ?? "");
}

/** The server's diagnostics of a document, each with the text it covers. */
function diagnosticsOf(doc) {
  return vscode.languages
    .getDiagnostics(doc.uri)
    .filter((d) => d.source === SERVER_SOURCE)
    .map((d) => ({
      code: codeOf(d),
      severity: SEVERITY[d.severity],
      message: d.message,
      range: range(d.range),
      text: doc.getText(d.range),
    }));
}

/** Waits until the document's diagnostics changed after `since` and then stayed as they are for `quietMs`. */
async function settle(uri, since, quietMs, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const last = changed.get(uri.toString()) ?? 0;
    if (last > since && Date.now() - last >= quietMs) {
      return true;
    }
    if (Date.now() > end) {
      return false;
    }
    await sleep(50);
  }
}

async function documentAt(file) {
  return vscode.workspace.openTextDocument(vscode.Uri.file(file));
}

/** The quick fixes offered for the whole document (VS Code sends the diagnostics under the range). */
async function quickFixes(doc) {
  const all = new vscode.Range(0, 0, doc.lineCount, 0);
  const kind = vscode.CodeActionKind.QuickFix.value;
  const got = (await vscode.commands.executeCommand("vscode.executeCodeActionProvider", doc.uri, all, kind)) ?? [];
  // Commands have a string `command`; code actions have a title, maybe an edit.
  return got.filter((a) => typeof a.command !== "string");
}

/** The edits of a workspace edit, each with the text it replaces. */
function editsOf(edit, doc) {
  return edit.entries().flatMap(([uri, edits]) =>
    edits.map((e) => ({
      file: uri.fsPath,
      range: range(e.range),
      old: uri.toString() === doc.uri.toString() ? doc.getText(e.range) : null,
      new: e.newText,
    })),
  );
}

/** A quick fix that writes the source's wording into the draft: copydesk's preferred fix, an
 *  edit of the draft under one of copydesk's diagnostics. (Its other quick fixes only hide a
 *  claim: an ignore comment, an [ignore] entry in copydesk.toml. VS Code's API does not say
 *  which diagnostics an action is for, so the edit's place says it.) */
function isSourceFix(a, doc) {
  if (a.isPreferred !== true || !a.edit) {
    return false;
  }
  const ours = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === SERVER_SOURCE);
  const edits = a.edit.entries();
  return (
    edits.length === 1 &&
    edits[0][0].toString() === doc.uri.toString() &&
    edits[0][1].every((e) => ours.some((d) => d.range.intersection(e.range) !== undefined))
  );
}

const ops = {
  async open({ file }) {
    const doc = await documentAt(file);
    await vscode.window.showTextDocument(doc, { preview: false });
    return { version: doc.version, languageId: doc.languageId };
  },

  async diagnostics({ file }) {
    const doc = await documentAt(file);
    return { version: doc.version, text: doc.getText(), diagnostics: diagnosticsOf(doc) };
  },

  async hover({ file, line, character }) {
    const doc = await documentAt(file);
    const hovers = (await vscode.commands.executeCommand("vscode.executeHoverProvider", doc.uri, new vscode.Position(line, character))) ?? [];
    return hovers.map((h) => ({
      contents: h.contents.map((c) => (typeof c === "string" ? c : c.value)),
      range: h.range ? range(h.range) : null,
    }));
  },

  /** Types `insert` at (line, character) and at once, before the server has checked the new
   *  text (VS Code then sends it the old text's diagnostics, as after a keystroke and Ctrl+.),
   *  asks for the quick fixes and applies the preferred one whose title has `title`. */
  async typeThenFix({ file, line, character, insert, title, quietMs = 1000, timeoutMs = 30000 }) {
    const doc = await documentAt(file);
    const typing = new vscode.WorkspaceEdit();
    typing.insert(doc.uri, new vscode.Position(line, character), insert);
    const typedAt = Date.now();
    if (!(await vscode.workspace.applyEdit(typing))) {
      throw new Error("the typing edit was refused");
    }
    const stale = (changed.get(doc.uri.toString()) ?? 0) < typedAt;
    const offered = await quickFixes(doc);
    const fix = offered.find((a) => a.isPreferred === true && !!a.edit && a.title.includes(title));
    if (!fix) {
      return { stale, applied: false, offered: offered.map((a) => a.title), text: doc.getText() };
    }
    const edits = editsOf(fix.edit, doc);
    const since = Date.now();
    const applied = await vscode.workspace.applyEdit(fix.edit);
    const settled = applied && (await settle(doc.uri, since, quietMs, timeoutMs));
    return { stale, title: fix.title, edits, applied, settled, text: doc.getText(), diagnostics: diagnosticsOf(doc) };
  },

  /** Applies the preferred copydesk quick fix, one per round, waiting for the server's
   *  diagnostics of the new text before asking again, until no such fix is offered. */
  async fixAll({ file, maxRounds = 20, quietMs = 1000, timeoutMs = 30000 }) {
    const doc = await documentAt(file);
    const rounds = [];
    for (let i = 0; i < maxRounds; i++) {
      const offered = await quickFixes(doc);
      const fixes = offered.filter((a) => isSourceFix(a, doc));
      if (fixes.length === 0) {
        return { end: "none left", rounds, offered: offered.map((a) => a.title), text: doc.getText(), diagnostics: diagnosticsOf(doc) };
      }
      const fix = fixes[0];
      const before = doc.getText();
      const edits = editsOf(fix.edit, doc);
      const since = Date.now();
      const applied = await vscode.workspace.applyEdit(fix.edit);
      const round = { title: fix.title, edits, applied, changed: doc.getText() !== before };
      rounds.push(round);
      if (!applied || !round.changed) {
        return { end: applied ? "a fix changed nothing" : "an edit was refused", rounds, offered: offered.map((a) => a.title), text: doc.getText(), diagnostics: diagnosticsOf(doc) };
      }
      round.settled = await settle(doc.uri, since, quietMs, timeoutMs);
    }
    return { end: `still offered after ${maxRounds} rounds`, rounds, offered: [], text: doc.getText(), diagnostics: diagnosticsOf(doc) };
  },
};

function activate(context) {
  const dir = vscode.workspace.getConfiguration("copydeskE2e").get("requestDir", "");
  if (!dir) {
    return;
  }
  context.subscriptions.push(
    vscode.languages.onDidChangeDiagnostics((e) => {
      for (const u of e.uris) {
        changed.set(u.toString(), Date.now());
      }
    }),
  );
  const taken = new Set();
  const timer = setInterval(() => {
    let names;
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith(".request.json") || taken.has(name)) {
        continue;
      }
      taken.add(name);
      const file = path.join(dir, name);
      const answer = path.join(dir, name.replace(/\.request\.json$/, ".response.json"));
      Promise.resolve()
        .then(() => {
          const { op, args } = JSON.parse(fs.readFileSync(file, "utf8"));
          if (!ops[op]) {
            throw new Error(`no op ${op}`);
          }
          return ops[op](args ?? {});
        })
        .then(
          (result) => ({ ok: true, result }),
          (err) => ({ ok: false, error: String((err && err.stack) || err) }),
        )
        .then((a) => write(answer, a));
    }
  }, 100);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
  write(path.join(dir, "ready.json"), { ok: true });
}

module.exports = { activate, deactivate() {} };
