//! Quick fixes: use the source's wording, ignore this claim (a comment on the
//! line above), ignore the claim in the project (copydesk.toml). Every fix is
//! a WorkspaceEdit for the client to apply; the server writes no file.

use crate::render::FixData;
use copydesk_engine::text::LineIndex;
use copydesk_store::Config;
use std::collections::HashMap;
use std::path::Path;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CreateFile, CreateFileOptions, Diagnostic,
    DocumentChangeOperation, DocumentChanges, OneOf, OptionalVersionedTextDocumentIdentifier, Position, Range,
    ResourceOp, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

pub const IGNORE_COMMENT: &str = "<!-- copydesk-ignore-next-line -->";

/// Where to insert `claim` into a copydesk.toml's `[ignore] claims`, and what to insert.
/// None when the claim is already ignored or the file cannot be edited safely.
pub fn add_ignore_claim(toml_text: &str, claim: &str) -> Option<(usize, String)> {
    let quoted = toml::Value::String(claim.to_string()).to_string();
    let file = Path::new("copydesk.toml");
    if !toml_text.trim().is_empty() {
        let current = Config::parse(toml_text, file).ok()?;
        if current.values.ignore.claims.iter().any(|c| c == claim) {
            return None;
        }
    }
    let edit = plan_insert(toml_text, &quoted);
    let mut new = toml_text.to_string();
    new.insert_str(edit.0, &edit.1);
    let parsed = Config::parse(&new, file).ok()?;
    parsed.values.ignore.claims.iter().any(|c| c == claim).then_some(edit)
}

fn plan_insert(text: &str, quoted: &str) -> (usize, String) {
    // (offset of line start, line) pairs
    let mut lines = Vec::new();
    let mut off = 0;
    for l in text.split_inclusive('\n') {
        lines.push((off, l));
        off += l.len();
    }
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let header = lines.iter().position(|(_, l)| {
        let t = l.trim();
        t == "[ignore]" || (t.starts_with("[ignore]") && t["[ignore]".len()..].trim_start().starts_with('#'))
    });
    let Some(h) = header else {
        let sep = if text.is_empty() {
            ""
        } else if text.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        return (text.len(), format!("{sep}[ignore]\nclaims = [{quoted}]\n"));
    };
    let section_end = lines.iter().skip(h + 1).position(|(_, l)| is_header(l)).map_or(lines.len(), |p| h + 1 + p);
    for (start, l) in &lines[h + 1..section_end] {
        let t = l.trim_start();
        if let Some(rest) = t.strip_prefix("claims") {
            let rest_t = rest.trim_start();
            if let Some(after_eq) = rest_t.strip_prefix('=') {
                if let Some(b) = after_eq.find('[') {
                    let bracket = start + (l.len() - t.len()) + ("claims".len() + (rest.len() - rest_t.len()) + 1) + b;
                    let after = text[bracket + 1..].trim_start();
                    let insert = if after.starts_with(']') { quoted.to_string() } else { format!("{quoted}, ") };
                    return (bracket + 1, insert);
                }
            }
        }
    }
    // header without a claims key: add one right under it
    let (hs, hl) = lines[h];
    let nl = if hl.ends_with('\n') { "" } else { "\n" };
    (hs + hl.len(), format!("{nl}claims = [{quoted}]\n"))
}

/// What the code-action handler knows when it builds fixes.
pub struct Context<'a> {
    pub uri: &'a Uri,
    /// The draft's version (edits are versioned when the client supports documentChanges).
    pub version: i32,
    /// The draft's current text and its line index.
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub toml_uri: Option<Uri>,
    /// The copydesk.toml text (open buffer or disk), None when the file does not exist.
    pub toml_text: Option<String>,
    pub toml_version: Option<i32>,
    pub document_changes: bool,
    pub create_file: bool,
    /// The negotiated column unit.
    pub unit: copydesk_engine::ColumnUnit,
}

fn text_edit_for(ctx: &Context, uri: &Uri, version: Option<i32>, edits: Vec<TextEdit>) -> WorkspaceEdit {
    if ctx.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier { uri: uri.clone(), version },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..Default::default() }
    }
}

fn action(title: String, diag: &Diagnostic, edit: WorkspaceEdit, preferred: bool) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag.clone()]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    })
}

/// Leading whitespace of 0-based line `line` of `text` (lines as the editor counts them).
fn indent_of<'a>(text: &'a str, lines: &LineIndex, line: u32) -> &'a str {
    let rest = text.get(lines.line_start(line as usize)..).unwrap_or_default();
    let l = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
    &l[..l.len() - l.trim_start().len()]
}

/// The current diagnostics the client's `sent` ones stand for, each once: a sent diagnostic
/// the current result has (same range, code and data) is itself; one of an older text (a
/// client's diagnostics lag its edits) is the current one of the same code and flagged text
/// nearest to where it was (the same finding, moved by the edit); one whose finding is gone
/// stands for none.
pub fn current_for(sent: &[(Diagnostic, FixData)], current: &[(Diagnostic, FixData)]) -> Vec<(Diagnostic, FixData)> {
    let key = |p: Position| (p.line, p.character);
    let distance = |a: Position, b: Position| (a.line.abs_diff(b.line), a.character.abs_diff(b.character));
    let mut out: Vec<(Diagnostic, FixData)> = Vec::new();
    for (d, data) in sent {
        let same = current.iter().find(|(c, cd)| c.range == d.range && c.code == d.code && cd == data);
        let moved = || {
            current
                .iter()
                .filter(|(c, cd)| c.code == d.code && cd.text == data.text)
                .min_by_key(|(c, _)| (distance(c.range.start, d.range.start), key(c.range.start)))
        };
        if let Some(found) = same.or_else(moved) {
            if !out.iter().any(|(o, _)| o.range == found.0.range && o.code == found.0.code) {
                out.push(found.clone());
            }
        }
    }
    out
}

/// The quick fixes for copydesk diagnostics.
pub fn code_actions(ctx: &Context, diags: &[(Diagnostic, FixData)]) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for (d, data) in diags {
        if let Some(rep) = &data.replacement {
            let range = data.replace_range.unwrap_or(d.range);
            let from = data.cite.as_deref().map(|c| format!(" (source: {c})")).unwrap_or_default();
            let edit = text_edit_for(ctx, ctx.uri, Some(ctx.version), vec![TextEdit { range, new_text: rep.clone() }]);
            out.push(action(format!("Replace with \u{201C}{rep}\u{201D}{from}"), d, edit, true));
        }
        let line = d.range.start.line;
        let at = Position::new(line, 0);
        let new_text = format!("{}{IGNORE_COMMENT}\n", indent_of(ctx.text, ctx.lines, line));
        let edit =
            text_edit_for(ctx, ctx.uri, Some(ctx.version), vec![TextEdit { range: Range::new(at, at), new_text }]);
        out.push(action("Ignore this claim (copydesk-ignore-next-line)".to_string(), d, edit, false));
        if let Some(a) = ignore_in_project(ctx, d, data) {
            out.push(a);
        }
    }
    out
}

fn ignore_in_project(ctx: &Context, d: &Diagnostic, data: &FixData) -> Option<CodeActionOrCommand> {
    let uri = ctx.toml_uri.clone()?;
    if data.text.trim().is_empty() {
        return None;
    }
    let title = format!("Ignore \u{201C}{}\u{201D} in this project (copydesk.toml)", data.text);
    match &ctx.toml_text {
        Some(text) => {
            let (offset, insert) = add_ignore_claim(text, &data.text)?;
            let lines = copydesk_engine::LineIndex::new(text);
            let pos = lines.line_col(text, offset, ctx.unit);
            let at = Position::new(pos.line, pos.col);
            let edit = text_edit_for(
                ctx,
                &uri,
                ctx.toml_version,
                vec![TextEdit { range: Range::new(at, at), new_text: insert }],
            );
            Some(action(title, d, edit, false))
        }
        None => {
            if !(ctx.document_changes && ctx.create_file) {
                return None;
            }
            let (_, insert) = add_ignore_claim("", &data.text)?;
            let at = Position::new(0, 0);
            let edit = WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions { overwrite: Some(false), ignore_if_exists: Some(true) }),
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
                        edits: vec![OneOf::Left(TextEdit { range: Range::new(at, at), new_text: insert })],
                    }),
                ])),
                ..Default::default()
            };
            Some(action(title, d, edit, false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, claim: &str) -> Option<String> {
        let (at, ins) = add_ignore_claim(text, claim)?;
        let mut t = text.to_string();
        t.insert_str(at, &ins);
        Some(t)
    }

    #[test]
    fn adds_to_existing_or_new_sections() {
        assert_eq!(apply("", "84,300").unwrap(), "[ignore]\nclaims = [\"84,300\"]\n");
        assert_eq!(
            apply("[corpus]\npaths = [\"s\"]", "x").unwrap(),
            "[corpus]\npaths = [\"s\"]\n\n[ignore]\nclaims = [\"x\"]\n"
        );
        assert_eq!(apply("[ignore]\nclaims = []\n", "x").unwrap(), "[ignore]\nclaims = [\"x\"]\n");
        assert_eq!(
            apply("[ignore]\nclaims = [\"a\"]\n[server]\n", "x").unwrap(),
            "[ignore]\nclaims = [\"x\", \"a\"]\n[server]\n"
        );
        assert_eq!(
            apply("[ignore]\n# none yet\n[server]\ndebounce_ms = 0\n", "x").unwrap(),
            "[ignore]\nclaims = [\"x\"]\n# none yet\n[server]\ndebounce_ms = 0\n"
        );
        assert_eq!(
            apply("[ignore]\nclaims = [\n  \"a\",\n]\n", "x").unwrap(),
            "[ignore]\nclaims = [\"x\", \n  \"a\",\n]\n"
        );
    }

    fn diag(line: u32, col: u32, code: &str, text: &str) -> (Diagnostic, FixData) {
        let range = Range::new(Position::new(line, col), Position::new(line, col + text.len() as u32));
        let data = FixData {
            code: code.into(),
            text: text.into(),
            replacement: Some("x".into()),
            replace_range: Some(range),
            cite: None,
        };
        let code = Some(tower_lsp_server::ls_types::NumberOrString::String(code.into()));
        (Diagnostic { range, code, ..Default::default() }, data)
    }

    #[test]
    fn a_diagnostic_of_an_older_text_stands_for_the_same_finding_now() {
        let current = [diag(2, 10, "number-mismatch", "5,200"), diag(6, 4, "number-mismatch", "5,200")];
        // current: itself
        assert_eq!(current_for(&current[1..], &current), vec![current[1].clone()]);
        // moved right on its line by an edit: the nearer of the two of its code and text
        let old = diag(2, 3, "number-mismatch", "5,200");
        assert_eq!(current_for(std::slice::from_ref(&old), &current), vec![current[0].clone()]);
        // two old ones for one current one: once
        let older = diag(2, 0, "number-mismatch", "5,200");
        assert_eq!(current_for(&[old, older], &current), vec![current[0].clone()]);
        // another code or text, or a finding gone: none
        assert!(current_for(&[diag(2, 10, "misquote", "5,200")], &current).is_empty());
        assert!(current_for(&[diag(2, 10, "number-mismatch", "5,300")], &current).is_empty());
        assert!(current_for(&[diag(2, 10, "number-mismatch", "5,200")], &[]).is_empty());
    }

    #[test]
    fn indent_of_counts_lines_as_the_editor_does() {
        let t = "a\r  b\r\n\tc\n   d";
        let lines = LineIndex::new(t);
        assert_eq!([0, 1, 2, 3, 9].map(|l| indent_of(t, &lines, l)), ["", "  ", "\t", "   ", ""]);
    }

    #[test]
    fn escapes_and_refuses_when_unsafe() {
        let t = apply("", "said \"no\" \\ twice").unwrap();
        let c = Config::parse(&t, Path::new("c.toml")).unwrap();
        assert_eq!(c.values.ignore.claims, vec!["said \"no\" \\ twice".to_string()]);
        // already there; broken file; inline table we do not rewrite
        assert!(add_ignore_claim("[ignore]\nclaims = [\"x\"]\n", "x").is_none());
        assert!(add_ignore_claim("[ignore\n", "x").is_none());
        assert!(add_ignore_claim("ignore = { claims = [] }\n", "x").is_none());
    }
}
