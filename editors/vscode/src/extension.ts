// copydesk for VS Code: starts `copydesk lsp`, shows its findings and indexing
// progress, and runs `copydesk check` over the workspace on demand.

import * as cp from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressReport,
  WorkDoneProgressEnd,
} from "vscode-languageclient/node";

const SECTION = "copydesk";
const EXE = process.platform === "win32" ? "copydesk.exe" : "copydesk";
const INSTALL_HINT =
  "Build it with \"cargo install --path crates/copydesk\" from the copydesk repository (or put a release binary on PATH), " +
  "then set copydesk.serverPath if it is not on PATH.";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: StatusBar;
let checkCollection: vscode.DiagnosticCollection;
let extensionDir = "";

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionDir = context.extensionPath;
  output = vscode.window.createOutputChannel("copydesk");
  checkCollection = vscode.languages.createDiagnosticCollection("copydesk-check");
  status = new StatusBar();
  context.subscriptions.push(output, checkCollection, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("copydesk.restartServer", restartServer),
    vscode.commands.registerCommand("copydesk.checkWorkspace", checkWorkspace),
    vscode.commands.registerCommand("copydesk.showOutput", () => output.show()),
    vscode.commands.registerCommand("copydesk.showProblems", () =>
      // Focuses the Problems panel (the "view.problems" command toggles it closed when open).
      vscode.commands.executeCommand("workbench.panel.markers.view.focus"),
    ),
    vscode.languages.onDidChangeDiagnostics(() => {
      status.setFindings(countFindings());
      dumpDiagnostics();
    }),
    // Once a draft is open, the server's diagnostics are its own: Check Workspace's copy goes.
    vscode.workspace.onDidOpenTextDocument((d) => checkCollection.delete(d.uri)),
    vscode.workspace.onDidChangeTextDocument((e) => checkCollection.delete(e.document.uri)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("copydesk.serverPath")) {
        void restartServer();
      } else if (e.affectsConfiguration("copydesk.corpus.paths") && !client && isConfigured()) {
        void startServer();
      }
    }),
  );
  // A copydesk.toml created later starts the server then.
  const tomlWatcher = vscode.workspace.createFileSystemWatcher("**/copydesk.toml");
  context.subscriptions.push(
    tomlWatcher,
    tomlWatcher.onDidCreate(() => {
      if (!client && isConfigured()) {
        void startServer();
      }
    }),
  );

  // Stay quiet in a folder that is not set up for copydesk (Markdown is everywhere).
  if (!isConfigured()) {
    output.appendLine("No copydesk.toml in the workspace and no copydesk.corpus.paths setting: the server is not started.");
    return;
  }
  await startServer();
}

/** A copydesk.toml at a workspace folder's root, or corpus folders in the settings. */
function isConfigured(): boolean {
  if (config().get<string[]>("corpus.paths", []).length > 0) {
    return true;
  }
  return (vscode.workspace.workspaceFolders ?? []).some((f) => fs.existsSync(path.join(f.uri.fsPath, "copydesk.toml")));
}

export async function deactivate(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}

// ---------------------------------------------------------------- the server

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function expand(p: string): string {
  let out = p.trim();
  if (out.startsWith("~")) {
    out = path.join(os.homedir(), out.slice(1));
  }
  const root = workspaceRoot();
  if (root) {
    out = out.replace(/\$\{workspaceFolder\}/g, root);
  }
  if (!path.isAbsolute(out) && root && (out.includes("/") || out.includes("\\"))) {
    out = path.join(root, out);
  }
  return out;
}

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  const exts = process.platform === "win32" ? ["", ".exe", ".cmd"] : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (dir && isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

type Found = { path: string; from: "setting" | "bundled" | "PATH" } | { error: string };

/** copydesk.serverPath, else server/copydesk in the extension, else PATH. */
export function findServer(): Found {
  const setting = config().get<string>("serverPath", "").trim();
  if (setting) {
    const p = expand(setting);
    if (isExecutable(p)) {
      return { path: p, from: "setting" };
    }
    const viaPath = !p.includes("/") && !p.includes("\\") ? onPath(p) : undefined;
    if (viaPath) {
      return { path: viaPath, from: "setting" };
    }
    return { error: `copydesk.serverPath is set to "${setting}", but no executable file is there.` };
  }
  const bundled = path.join(extensionDir, "server", EXE);
  if (isExecutable(bundled)) {
    return { path: bundled, from: "bundled" };
  }
  const fromPath = onPath("copydesk");
  if (fromPath) {
    return { path: fromPath, from: "PATH" };
  }
  return { error: "The copydesk executable was not found: copydesk.serverPath is empty, the extension has no bundled server, and `copydesk` is not on PATH." };
}

/** The `copydesk` settings the server gets as initializationOptions (and from workspace/configuration). */
export function serverSettings(): Record<string, unknown> {
  const c = config();
  const severity: Record<string, string> = {};
  for (const [code, value] of Object.entries(c.get<Record<string, string>>("severity", {}) ?? {})) {
    if (typeof value === "string") {
      severity[code] = value;
    }
  }
  const out: Record<string, unknown> = { severity, debounceMs: c.get<number>("debounceMs", 150) };
  // An empty list means "copydesk.toml decides": don't send it, or it would override the file.
  const paths = c.get<string[]>("corpus.paths", []);
  if (paths.length > 0) {
    out.corpus = { paths };
  }
  return out;
}

async function reportMissingServer(message: string): Promise<void> {
  output.appendLine(message);
  output.appendLine(INSTALL_HINT);
  status.setError("copydesk: no server");
  const setPath = "Set copydesk.serverPath";
  const install = "How to install";
  const pick = await vscode.window.showErrorMessage(`${message} ${INSTALL_HINT}`, setPath, install);
  if (pick === setPath) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "copydesk.serverPath");
  } else if (pick === install) {
    const readme = vscode.Uri.file(path.join(extensionDir, "README.md"));
    await vscode.commands.executeCommand("markdown.showPreview", readme);
  }
}

async function startServer(): Promise<void> {
  const found = findServer();
  if ("error" in found) {
    await reportMissingServer(found.error);
    return;
  }
  output.appendLine(`Starting ${found.path} lsp (from ${found.from})`);
  const root = workspaceRoot();
  const serverOptions: ServerOptions = {
    command: found.path,
    args: ["lsp"],
    // No `transport`: TransportKind.stdio would append --stdio, which `copydesk lsp` rejects.
    options: root ? { cwd: root } : undefined,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "plaintext" },
      { scheme: "untitled", language: "markdown" },
      { scheme: "untitled", language: "plaintext" },
    ],
    initializationOptions: serverSettings(),
    // Sends workspace/didChangeConfiguration when copydesk.* changes; workspace/configuration
    // requests for section "copydesk" are answered by the client from the same settings.
    synchronize: {
      configurationSection: SECTION,
      fileEvents: vscode.workspace.createFileSystemWatcher("**/copydesk.toml"),
    },
    middleware: {
      workspace: {
        // Answer workspace/configuration for "copydesk" with the same object as the
        // initializationOptions (not the raw section, whose empty corpus.paths default
        // would override copydesk.toml).
        configuration: async (params, token, next) => {
          const raw = await next(params, token);
          if (!Array.isArray(raw)) {
            return raw;
          }
          return params.items.map((item, i) => (item.section === SECTION ? serverSettings() : raw[i]));
        },
      },
    },
    outputChannel: output,
    traceOutputChannel: vscode.window.createOutputChannel("copydesk trace"),
    diagnosticCollectionName: "copydesk",
  };
  const c = new LanguageClient("copydesk", "copydesk", serverOptions, clientOptions);
  client = c;
  c.onDidChangeState((e) => {
    if (e.newState === State.Stopped) {
      status.setError("copydesk: stopped");
    } else if (e.newState === State.Running) {
      status.setReady();
    }
  });
  status.setStarting();
  try {
    await c.start();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    output.appendLine(`The copydesk language server failed to start: ${msg}`);
    status.setError("copydesk: server failed");
    const show = "Show Output";
    void vscode.window.showErrorMessage(`copydesk: the language server (${found.path} lsp) failed to start: ${msg}`, show).then((p) => {
      if (p === show) {
        output.show();
      }
    });
    return;
  }
  watchProgress(c);
}

/** Takes over window/workDoneProgress/create so the status bar can show "indexing N sources". */
function watchProgress(c: LanguageClient): void {
  c.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    let done: (() => void) | undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let reporter: vscode.Progress<{ message?: string }> | undefined;
    let title = "";
    const disposable = c.onProgress(WorkDoneProgress.type, token, (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
      if (value.kind === "begin") {
        title = value.title;
        status.setProgress(title, value.message, value.percentage);
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, (p) => {
          reporter = p;
          if (value.message) {
            p.report({ message: value.message });
          }
          return finished;
        });
      } else if (value.kind === "report") {
        status.setProgress(title, value.message, value.percentage);
        reporter?.report({ message: value.message });
      } else {
        disposable.dispose();
        status.endProgress(value.message);
        done?.();
      }
    });
  });
}

async function restartServer(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    try {
      await c.stop();
    } catch (err) {
      output.appendLine(`Stopping the server: ${String(err)}`);
    }
    c.dispose();
  }
  await startServer();
}

// ------------------------------------------------------------ check workspace

interface CheckFinding {
  path: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  text: string;
  code: string;
  severity: string;
  message: string;
  evidence?: { path: string; line: number; text: string }[];
  suggestion?: string | null;
}

function toSeverity(s: string): vscode.DiagnosticSeverity | undefined {
  switch (s) {
    case "error":
      return vscode.DiagnosticSeverity.Error;
    case "warning":
      return vscode.DiagnosticSeverity.Warning;
    case "information":
    case "info":
    case "note":
      return vscode.DiagnosticSeverity.Information;
    case "hint":
      return vscode.DiagnosticSeverity.Hint;
    case "off":
      return undefined;
    default:
      return vscode.DiagnosticSeverity.Warning;
  }
}

/** Corpus folders named in copydesk.toml or the setting, so sources aren't checked as drafts. */
function corpusDirs(root: string): string[] {
  const dirs = config().get<string[]>("corpus.paths", []).map((p) => path.resolve(root, expand(p)));
  try {
    const toml = fs.readFileSync(path.join(root, "copydesk.toml"), "utf8");
    const section = /^\s*\[corpus\]([\s\S]*?)(^\s*\[|$(?![\s\S]))/m.exec(toml);
    const paths = section && /^\s*paths\s*=\s*\[([^\]]*)\]/m.exec(section[1]);
    if (paths) {
      for (const m of paths[1].matchAll(/"([^"]*)"|'([^']*)'/g)) {
        dirs.push(path.resolve(root, m[1] ?? m[2]));
      }
    }
  } catch {
    // no copydesk.toml
  }
  return dirs;
}

function runCheck(bin: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = cp.spawn(bin, args, { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function checkWorkspace(): Promise<void> {
  const found = findServer();
  if ("error" in found) {
    await reportMissingServer(found.error);
    return;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showWarningMessage("copydesk: open a folder to check its drafts.");
    return;
  }
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "copydesk: checking the workspace" },
    async () => {
      checkCollection.clear();
      let total = 0;
      for (const folder of folders) {
        const root = folder.uri.fsPath;
        const skip = corpusDirs(root);
        // Drafts open in an editor have the server's diagnostics already.
        const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
        const files = (await vscode.workspace.findFiles(
          new vscode.RelativePattern(folder, "**/*.{md,markdown,txt}"),
          "{**/node_modules/**,**/target/**,**/.git/**,**/.copydesk/**}",
        ))
          .map((u) => u.fsPath)
          .filter((f) => !skip.some((d) => f === d || f.startsWith(d + path.sep)))
          .filter((f) => !open.has(f))
          .sort();
        if (files.length === 0) {
          continue;
        }
        const corpusArgs = config()
          .get<string[]>("corpus.paths", [])
          .flatMap((p) => ["--corpus", path.resolve(root, expand(p))]);
        const byFile = new Map<string, vscode.Diagnostic[]>();
        // Keep command lines well under the OS limit.
        for (let i = 0; i < files.length; i += 200) {
          const args = ["check", "--format", "json", ...corpusArgs, ...files.slice(i, i + 200)];
          output.appendLine(`${found.path} ${args.slice(0, 4 + corpusArgs.length).join(" ")} … (${Math.min(200, files.length - i)} files) in ${root}`);
          const r = await runCheck(found.path, args, root);
          if (r.code !== 0 && r.code !== 1) {
            output.appendLine(r.stderr);
            const show = "Show Output";
            void vscode.window.showErrorMessage(`copydesk check failed: ${r.stderr.trim().split("\n").pop() ?? `exit ${r.code}`}`, show).then((p) => p === show && output.show());
            return;
          }
          if (r.stderr.trim()) {
            output.appendLine(r.stderr.trim());
          }
          const report = JSON.parse(r.stdout) as { findings: CheckFinding[] };
          const severities = config().get<Record<string, string>>("severity", {}) ?? {};
          for (const f of report.findings) {
            const sev = toSeverity(severities[f.code] ?? f.severity);
            if (sev === undefined) {
              continue;
            }
            const file = path.resolve(root, f.path);
            const range = new vscode.Range(f.line - 1, f.column - 1, f.end_line - 1, f.end_column - 1);
            const d = new vscode.Diagnostic(range, f.message, sev);
            d.source = CHECK_SOURCE;
            d.code = f.code;
            d.relatedInformation = (f.evidence ?? []).map(
              (e) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(path.resolve(root, e.path)), new vscode.Position(Math.max(0, e.line - 1), 0)), e.text),
            );
            const list = byFile.get(file) ?? [];
            list.push(d);
            byFile.set(file, list);
            total++;
          }
        }
        for (const [file, diags] of byFile) {
          checkCollection.set(vscode.Uri.file(file), diags);
        }
      }
      if (total > 0) {
        await vscode.commands.executeCommand("copydesk.showProblems");
      } else {
        void vscode.window.showInformationMessage("copydesk: no findings in the drafts that are not open (open drafts are checked as you type).");
      }
    },
  );
}

// ------------------------------------------------------------ status, dumps

// The server's diagnostics (pushed, or pulled into the client's own pull collection) have
// source "copydesk"; Check Workspace's have source "copydesk check".
const CHECK_SOURCE = "copydesk check";

function copydeskDiagnostics(): [vscode.Uri, vscode.Diagnostic[]][] {
  return vscode.languages
    .getDiagnostics()
    .map(([uri, diags]) => [uri, diags.filter((d) => d.source?.startsWith("copydesk"))] as [vscode.Uri, vscode.Diagnostic[]])
    .filter(([, diags]) => diags.length > 0);
}

interface Counts {
  contradictions: number;
  notes: number;
}

/** The codes that say the sources contradict the draft; the others are notes. */
const CONTRADICTIONS = new Set(["number-mismatch", "misattribution", "misquote"]);

function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === "object" ? d.code.value : d.code ?? "");
}

/** Contradictions and notes the language server reports for open drafts. */
function countFindings(): Counts {
  const all = copydeskDiagnostics().flatMap(([, d]) => d.filter((x) => x.source !== CHECK_SOURCE));
  const contradictions = all.filter((d) => CONTRADICTIONS.has(codeOf(d))).length;
  return { contradictions, notes: all.length - contradictions };
}

const SEVERITY_NAMES = ["error", "warning", "information", "hint"];

function dumpDiagnostics(): void {
  const file = config().get<string>("test.diagnosticsDumpFile", "");
  if (!file) {
    return;
  }
  const dump = copydeskDiagnostics().flatMap(([uri, diags]) =>
    [false, true]
      .map((fromCheck) => ({
        collection: fromCheck ? checkCollection.name : "copydesk",
        uri: uri.toString(),
        path: uri.fsPath,
        diagnostics: diags
          .filter((d) => (d.source === CHECK_SOURCE) === fromCheck)
          .map((d) => ({
            range: { start: { line: d.range.start.line, character: d.range.start.character }, end: { line: d.range.end.line, character: d.range.end.character } },
            severity: SEVERITY_NAMES[d.severity],
            code: typeof d.code === "object" ? d.code.value : d.code,
            source: d.source,
            message: d.message,
          })),
      }))
      .filter((e) => e.diagnostics.length > 0),
  );
  try {
    fs.writeFileSync(file + ".tmp", JSON.stringify(dump, null, 2));
    fs.renameSync(file + ".tmp", file);
  } catch (err) {
    output.appendLine(`copydesk.test.diagnosticsDumpFile: ${String(err)}`);
  }
}

class StatusBar implements vscode.Disposable {
  private item = vscode.window.createStatusBarItem("copydesk.status", vscode.StatusBarAlignment.Left, 10);
  private findings: Counts = { contradictions: 0, notes: 0 };
  private progress: string | undefined;
  private error: string | undefined;

  constructor() {
    this.item.name = "copydesk";
    this.render();
  }

  setStarting(): void {
    this.error = undefined;
    this.progress = "starting";
    this.render();
    this.item.show();
  }
  setReady(): void {
    this.error = undefined;
    if (this.progress === "starting") {
      this.progress = undefined;
    }
    this.render();
  }
  setError(text: string): void {
    this.error = text;
    this.progress = undefined;
    this.render();
    this.item.show();
  }
  setProgress(title: string, message?: string, percentage?: number): void {
    const pct = percentage !== undefined ? ` ${Math.round(percentage)}%` : "";
    this.progress = `${title.replace(/^copydesk:\s*/, "")}${message ? ` (${message})` : ""}${pct}`;
    this.render();
  }
  endProgress(message?: string): void {
    this.progress = undefined;
    if (message) {
      output.appendLine(`Indexing done: ${message}`);
    }
    this.render();
  }
  setFindings(n: Counts): void {
    this.findings = n;
    this.render();
  }

  private render(): void {
    if (this.error) {
      this.item.text = `$(error) ${this.error}`;
      this.item.tooltip = "copydesk: click for the log";
      this.item.command = "copydesk.showOutput";
      return;
    }
    if (this.progress) {
      this.item.text = `$(sync~spin) copydesk: ${this.progress}`;
      this.item.tooltip = "copydesk is working: click for the log";
      this.item.command = "copydesk.showOutput";
      return;
    }
    if (corpusDirs(workspaceRoot() ?? ".").length === 0) {
      // Nothing is checked: no reassuring tick.
      this.item.text = "$(warning) copydesk: no corpus";
      this.item.tooltip = "copydesk checks nothing: set [corpus] paths in copydesk.toml or the copydesk.corpus.paths setting";
      this.item.command = { title: "Open settings", command: "workbench.action.openSettings", arguments: ["copydesk.corpus.paths"] };
      return;
    }
    const { contradictions: c, notes: n } = this.findings;
    const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
    if (c === 0 && n === 0) {
      this.item.text = "$(check) copydesk";
      this.item.tooltip = "copydesk: no contradictions or notes in open drafts";
    } else {
      this.item.text = `${c > 0 ? "$(warning)" : "$(info)"} copydesk: ${plural(c, "contradiction")}, ${plural(n, "note")}`;
      this.item.tooltip = `copydesk: ${plural(c, "contradiction")} and ${plural(n, "note")} in open drafts: click to show them in the Problems panel`;
    }
    this.item.command = "copydesk.showProblems";
  }

  dispose(): void {
    this.item.dispose();
  }
}
