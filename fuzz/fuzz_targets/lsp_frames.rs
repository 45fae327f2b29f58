//! The language server's frame reader (`transport.rs`: the guard in front of tower-lsp).
//!
//! Two shapes of input, chosen by the first byte:
//! - **frames**: a sequence of well-formed frames and frames broken in each way the
//!   reader knows (a `Content-Length` too short or too long, unreadable, zero or missing;
//!   a body that is no JSON; a line that is no header). Every well-formed frame is
//!   delivered, in order. Each broken frame whose header block is well-formed gets an
//!   error; the others get one or none (after a broken frame, bytes without a well-formed
//!   header are that frame's body), and no frame gets two.
//! - **garbage**: any bytes, then a blank line, then well-formed frames: the frames after
//!   the garbage are all delivered (without the blank line, all but the first).
//!
//! In both, what the reader makes of the input does not depend on how it arrives: whole,
//! in pieces of fuzzed sizes, or a byte at a time.
#![no_main]

use copydesk_fuzz::utf8;
use copydesk_lsp::fuzzing::read_client_frames;
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn message(id: i64, text: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "fuzz/frame", "params": {"s": text}})
}

/// A frame of `body`, its header written as the `style` byte says.
fn frame(body: &[u8], declared: &str, style: u8) -> Vec<u8> {
    let mut out = match style % 4 {
        0 => format!("Content-Length: {declared}\r\n\r\n"),
        1 => format!("content-length:{declared}\n\n"),
        2 => format!("Content-Length: {declared}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"),
        _ => format!("Content-Type: x\r\nCONTENT-LENGTH:   {declared} \r\n\r\n"),
    }
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// What the reader makes of `input`, the same whichever way it arrives.
fn read(input: &[u8], pieces: &[usize]) -> Vec<Result<Value, Value>> {
    let whole = read_client_frames(input, &[]);
    assert_eq!(read_client_frames(input, pieces), whole, "pieces of {pieces:?} read otherwise");
    if input.len() <= 4096 {
        assert_eq!(read_client_frames(input, &[1]), whole, "a byte at a time reads otherwise");
    }
    whole
}

/// Words for the messages' texts: what the rest of the input holds, in up to 8 pieces.
fn texts(rest: &[u8]) -> Vec<String> {
    let s = utf8(rest).map(str::to_string).unwrap_or_else(|| String::from_utf8_lossy(rest).into_owned());
    let mut out: Vec<String> = s.split('\u{1}').map(str::to_string).take(8).collect();
    out.resize(8, String::new());
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else { return };
    let pieces: Vec<usize> = data.iter().take(4).map(|&b| 1 + b as usize * 7).collect();
    if mode & 1 == 0 {
        // A sequence of frames: how many, two bytes each (what it is, its header style), texts.
        let Some((&count, data)) = data.split_first() else { return };
        let n = (1 + count as usize % 24).min(data.len() / 2);
        let (plan, rest) = data.split_at(n * 2);
        let texts = texts(rest);
        let mut input = Vec::new();
        let mut want = Vec::new();
        let (mut bad, mut headed) = (0, 0);
        for (i, step) in plan.chunks(2).enumerate() {
            let (kind, style) = (step[0], step[1]);
            let id = 1000 + i as i64;
            let m = message(id, &texts[i % texts.len()]);
            let body = m.to_string().into_bytes();
            let len = body.len();
            // A well-formed frame ends the input, so that no broken one waits for more.
            let kind = if i + 1 == n { 0 } else { kind % 10 };
            let bytes = match kind {
                0..=2 => {
                    want.push(m);
                    frame(&body, &len.to_string(), style)
                }
                3 => frame(&body, &(len - 1 - (style as usize >> 2) % len.min(8)).to_string(), style),
                4 => frame(&body, &(len + 1 + (style as usize >> 2) * 97).to_string(), style),
                5 => frame(&body, "12x", style),
                6 => frame(b"", "0", style),
                7 => frame(&[b"#", &body[..]].concat(), &(len + 1).to_string(), style),
                8 => b"X-Nonsense: 1\r\n\r\n".to_vec(),
                // A line that is no header line ("{" is no header name).
                _ => format!("{{{}\r\n", texts[i % texts.len()].replace(['\r', '\n'], "")).into_bytes(),
            };
            bad += usize::from(kind >= 3);
            headed += usize::from(matches!(kind, 3 | 4 | 6 | 7));
            input.extend_from_slice(&bytes);
        }
        if n == 0 {
            return;
        }
        let got = read(&input, &pieces);
        let delivered: Vec<Value> = got.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
        assert_eq!(delivered, want, "well-formed frames lost or changed");
        let answered = got.iter().filter(|r| r.is_err()).count();
        assert!(headed <= answered && answered <= bad, "{answered} errors for {bad} broken frames: {got:?}");
    } else {
        // Garbage, then well-formed frames.
        let Some((&len, data)) = data.split_first() else { return };
        let (garbage, rest) = data.split_at((len as usize * 16).min(data.len()));
        let texts = texts(rest);
        let k = 1 + (mode as usize >> 1) % 3;
        let mut input = garbage.to_vec();
        let blank = mode & 8 == 0;
        if blank {
            input.extend_from_slice(b"\r\n\r\n");
        }
        let want: Vec<Value> = (0..k).map(|i| message(9_000_000 + i as i64, &texts[i])).collect();
        for (i, m) in want.iter().enumerate() {
            input.extend(frame(m.to_string().as_bytes(), &m.to_string().len().to_string(), mode >> 4 ^ i as u8));
        }
        let got = read(&input, &pieces);
        let sure = if blank { k } else { k - 1 };
        let tail: Vec<Value> = got.iter().rev().take(sure).rev().filter_map(|r| r.as_ref().ok().cloned()).collect();
        assert_eq!(tail, want[k - sure..], "frames after garbage lost: {got:?}");
    }
});
