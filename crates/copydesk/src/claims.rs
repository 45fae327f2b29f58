//! `copydesk claims`: what the extractors found, as JSON (Unicode-character spans) or text.

use crate::render::terminal::escape;
use anyhow::{Context, Result};
use copydesk_engine::{analyze, Analysis, Speaker, TextFormat};
use copydesk_store::load::{self, FileKind};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn speaker_value(s: &Option<Speaker>, span: impl Fn(copydesk_engine::Span) -> [usize; 2]) -> Value {
    match s {
        None => Value::Null,
        Some(s) => json!({
            "span": span(s.span),
            "text": s.text,
            "entity": s.entity,
        }),
    }
}

/// Claims of one document as JSON values, in document order.
pub fn claims_json(text: &str, a: &Analysis) -> Vec<Value> {
    let mut rows: Vec<(usize, Value)> = Vec::new();
    // char offset of every byte offset, built once: spans are many, documents can be long
    let mut chars_before = Vec::with_capacity(text.len() + 1);
    for (n, ch) in text.chars().enumerate() {
        chars_before.extend(std::iter::repeat_n(n, ch.len_utf8()));
    }
    chars_before.push(text.chars().count());
    let at = |b: usize| chars_before.get(b).copied().unwrap_or(chars_before.len() - 1);
    let span = |s: copydesk_engine::Span| -> [usize; 2] { [at(s.start), at(s.end)] };
    for q in &a.quantities {
        rows.push((
            q.span.start,
            json!({
                "kind": "quantity",
                "span": span(q.span),
                "text": q.span.slice(text),
                "speaker": Value::Null,
                "value": q.value,
                "low": q.low,
                "high": q.high,
                "unit": q.unit,
                "quantity_kind": format!("{:?}", q.kind).to_lowercase(),
                "modifier": format!("{:?}", q.modifier).to_lowercase(),
            }),
        ));
    }
    for q in &a.quotes {
        rows.push((
            q.span.start,
            json!({
                "kind": "quote",
                "span": span(q.span),
                "text": q.span.slice(text),
                "speaker": speaker_value(&q.speaker, span),
                "partial": q.partial,
            }),
        ));
    }
    for at in &a.attributions {
        rows.push((
            at.content.start,
            json!({
                "kind": "attribution",
                "span": span(at.content),
                "text": at.content.slice(text),
                "speaker": speaker_value(&Some(at.speaker.clone()), span),
                "cue": at.cue.slice(text),
            }),
        ));
    }
    rows.sort_by_key(|r| r.0);
    rows.into_iter().map(|r| r.1).collect()
}

pub fn run(as_json: bool, paths: &[PathBuf]) -> Result<ExitCode> {
    let (files, mut errors) = load::expand_paths(paths, FileKind::Source, &[]);
    let docs: Vec<_> = files
        .par_iter()
        .map(|f| {
            load::read_text(f).map(|text| {
                let a = analyze(&text, TextFormat::for_path(&f.to_string_lossy()));
                (f.to_string_lossy().into_owned(), claims_json(&text, &a))
            })
        })
        .collect();
    let mut out = Vec::new();
    for d in docs {
        match d {
            Ok(x) => out.push(x),
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        eprintln!("copydesk: {}", escape(&e.to_string()));
    }
    let text = if as_json {
        let documents: Vec<Value> = out.iter().map(|(p, c)| json!({"path": p, "claims": c})).collect();
        serde_json::to_string_pretty(&json!({"version": 1, "documents": documents}))? + "\n"
    } else {
        let mut s = String::new();
        for (p, claims) in &out {
            s.push_str(&format!("{p}: {} claims\n", claims.len()));
            for c in claims {
                let speaker = c["speaker"]["entity"].as_str().map(|e| format!("  <- {e}")).unwrap_or_default();
                let extra = if c["kind"] == "quantity" {
                    format!("  = {} [{}, {}] {}", c["value"], c["low"], c["high"], c["unit"].as_str().unwrap_or("-"))
                } else {
                    String::new()
                };
                s.push_str(&format!(
                    "  {:<11} {:?}{extra}{speaker}\n",
                    c["kind"].as_str().unwrap_or(""),
                    c["text"].as_str().unwrap_or("")
                ));
            }
        }
        // Paths, speakers and units are text from the files.
        escape(&s).into_owned()
    };
    std::io::stdout().lock().write_all(text.as_bytes()).context("cannot write to standard output")?;
    Ok(if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}
