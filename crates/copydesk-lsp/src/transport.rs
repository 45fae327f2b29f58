//! A guard in front of tower-lsp-server's framing.
//!
//! tower-lsp-server stops reading after the first frame it cannot decode (bad
//! JSON, a missing `Content-Length`), which ends the session. This layer reads
//! the client's frames itself, answers malformed ones with a JSON-RPC error
//! (`-32700` parse error, `-32600` invalid request, id null when unknown), and
//! passes only well-formed messages on. Output frames from the server and
//! these error responses go out through one writer, whole frames at a time.
//!
//! A frame whose `Content-Length` is unreadable or wrong costs only itself: the
//! reader finds the next frame by scanning for a well-formed header block
//! (`Content-Length: N`, then header lines up to a blank one; a second
//! `Content-Length` line must say the same). A valid JSON body cannot hold one (a
//! raw line break is not allowed inside a JSON string), so a header block inside a
//! declared body means the length was too long: the frame ends there. A body that
//! does not parse is answered as soon as no header block can be starting inside it;
//! what follows it then tells whether it was no JSON (a header block comes next) or
//! its length too short (other bytes: the next header block is looked for). One bad
//! frame gets one error, and what the reader makes of the input does not depend on
//! how its bytes arrive.

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

/// Frames larger than this are refused (and skipped).
const MAX_FRAME: usize = 256 << 20;
/// A header block longer than this is not one.
const MAX_HEADER: usize = 8 << 10;
const MARKER: &[u8] = b"content-length:";

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let v = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    frame(v.to_string().as_bytes())
}

fn valid_id(v: &Value) -> bool {
    v.is_null() || v.is_string() || v.as_i64().is_some()
}

/// The id of a message, when it has a usable one.
fn id_of(v: &Value) -> Value {
    v.get("id").cloned().filter(valid_id).unwrap_or(Value::Null)
}

/// Whether a JSON value is a message tower-lsp-server can decode; else the error to answer with.
fn check_message(v: &Value) -> Result<(), (Value, &'static str)> {
    let id = id_of(v);
    let Some(obj) = v.as_object() else { return Err((Value::Null, "a message must be a JSON object")) };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err((id, "missing or wrong \"jsonrpc\": \"2.0\""));
    }
    if obj.get("id").is_some_and(|i| !valid_id(i)) {
        return Err((Value::Null, "\"id\" must be a number or a string"));
    }
    match obj.get("method") {
        Some(Value::String(_)) => {
            if obj.get("params").is_some_and(|p| !(p.is_object() || p.is_array() || p.is_null())) {
                return Err((id, "\"params\" must be an object or an array"));
            }
            Ok(())
        }
        Some(_) => Err((id, "\"method\" must be a string")),
        None if obj.contains_key("id") && (obj.contains_key("result") || obj.contains_key("error")) => Ok(()),
        None => Err((id, "neither a request, a notification nor a response")),
    }
}

/// What the bytes at a frame boundary are.
#[derive(Debug, PartialEq, Eq)]
enum Header {
    /// More input is needed to tell.
    Incomplete,
    /// Not a header block.
    Garbage,
    /// A header block of `len` bytes (its blank line included) and its Content-Length:
    /// `None` when absent, `Some(None)` when unreadable.
    Block { len: usize, content_length: Option<Option<usize>> },
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Reads the header block at the start of `buf`: `Name: value` lines, each ended by
/// "\r\n" (or "\n"), up to an empty line.
fn parse_header(buf: &[u8]) -> Header {
    let mut at = 0;
    let mut content_length = None;
    loop {
        let rest = &buf[at..buf.len().min(MAX_HEADER)];
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            // An unfinished line: garbage as soon as it cannot become a header line.
            let name_len = rest.iter().position(|&b| !is_token(b)).unwrap_or(rest.len());
            let plausible = match rest.get(name_len) {
                None => true,
                Some(b':') => name_len > 0,
                Some(b'\r') => name_len == 0 && rest.len() == 1,
                Some(_) => false,
            };
            return if plausible && buf.len() < MAX_HEADER { Header::Incomplete } else { Header::Garbage };
        };
        let line = &rest[..nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += nl + 1;
        if line.is_empty() {
            return if at == nl + 1 { Header::Garbage } else { Header::Block { len: at, content_length } };
        }
        let name_len = line.iter().position(|&b| !is_token(b)).unwrap_or(line.len());
        if name_len == 0 || line.get(name_len) != Some(&b':') {
            return Header::Garbage;
        }
        if line[..name_len].eq_ignore_ascii_case(&MARKER[..MARKER.len() - 1]) {
            let value = String::from_utf8_lossy(&line[name_len + 1..]).trim().parse::<usize>().ok();
            // Two lengths that differ, or one unreadable, make the block's length unreadable:
            // a later line never vouches for an earlier one (`Content-Length: 3"}}` from a
            // JSON string running into the next frame's header).
            content_length = match content_length {
                None => Some(value),
                Some(before) => Some(before.filter(|_| before == value)),
            };
        }
    }
}

/// Where `Content-Length:` (any case) starts in `buf[from..to]`: `Ok` when whole,
/// `Err` when only its beginning is there (at the end of `buf`).
fn find_marker(buf: &[u8], from: usize, to: usize) -> Option<Result<usize, usize>> {
    let mut i = from;
    while i < to.min(buf.len()) {
        let off = buf[i..to.min(buf.len())].iter().position(|&b| (b | 0x20) == b'c')?;
        i += off;
        let have = &buf[i..buf.len().min(i + MARKER.len())];
        if have.eq_ignore_ascii_case(&MARKER[..have.len()]) {
            return Some(if have.len() == MARKER.len() { Ok(i) } else { Err(i) });
        }
        i += 1;
    }
    None
}

/// Where the first well-formed header block (`Content-Length: N` to a blank line) starts in
/// `p[from..to]`; the block may run past `to`.
enum Search {
    Found(usize),
    /// One may start here: more input will tell.
    Wait(usize),
    NotFound,
}

fn find_header(p: &[u8], mut from: usize, to: usize) -> Search {
    loop {
        match find_marker(p, from, to) {
            None => return Search::NotFound,
            Some(Err(at)) => return Search::Wait(at),
            Some(Ok(at)) => match parse_header(&p[at..]) {
                Header::Block { content_length: Some(Some(_)), .. } => return Search::Found(at),
                Header::Incomplete => return Search::Wait(at),
                _ => from = at + 1,
            },
        }
    }
}

/// A frame read from the client.
enum Frame {
    /// A well-formed JSON body.
    Message(Vec<u8>, Value),
    /// A malformed frame: the error to answer it with.
    Bad(Value, i64, String),
}

/// Reads frames from a byte stream and finds the next frame boundary after a bad one.
struct FrameReader<R> {
    input: R,
    buf: Vec<u8>,
    /// Bytes of `buf` already consumed; positions below are relative to it.
    start: usize,
    /// Between frames, looking for the next header block.
    lost: bool,
    /// After a body that is no JSON: where its declared length ends. A header block
    /// there says the length was right; anything else, that it was too short.
    bad_body_end: Option<usize>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    fn new(input: R) -> Self {
        FrameReader { input, buf: Vec::new(), start: 0, lost: false, bad_body_end: None }
    }

    /// The bytes read and not yet consumed.
    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Reads more input (keeping what is pending); false at its end.
    async fn fill(&mut self) -> bool {
        if self.start > 0 && self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.reserve(64 << 10);
        matches!(self.input.read_buf(&mut self.buf).await, Ok(n) if n > 0)
    }

    /// Skips blank lines, then reads the header block there; `None` at the end of input.
    async fn boundary(&mut self) -> Option<Header> {
        loop {
            self.start += self.pending().iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            if !self.pending().is_empty() {
                match parse_header(self.pending()) {
                    Header::Incomplete => {}
                    h => return Some(h),
                }
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// Moves to the next well-formed header block (anywhere: the bytes before it may be the
    /// end of a body); false at the end of input.
    async fn resync(&mut self) -> bool {
        loop {
            let p = self.pending();
            match find_header(p, 0, p.len()) {
                Search::Found(at) => {
                    self.start += at;
                    self.lost = false;
                    return true;
                }
                Search::Wait(at) => self.start += at,
                Search::NotFound => self.start = self.buf.len(),
            }
            if !self.fill().await {
                return false;
            }
        }
    }

    /// After a body of `n` bytes that is no JSON: the next frame starts at a header block
    /// inside it (its length was too long), right after it (it was no JSON), or somewhere
    /// after the bytes that follow it (its length was too short). `None` at the end of input.
    async fn after_bad_body(&mut self, n: usize) -> Option<()> {
        loop {
            let p = self.pending();
            let next = match find_header(p, 0, n) {
                Search::Found(at) => Some(at),
                Search::Wait(_) => None,
                Search::NotFound => {
                    let rest = &p[n..];
                    let rest = &rest[rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count()..];
                    // A header block there says the length was right, unless it is the rest of
                    // a body cut short ("10:30\"}}") read as a header line that runs into the
                    // next frame's header: then a well-formed block starts inside it.
                    let header = parse_header(rest);
                    let swallows = match header {
                        Header::Block { len, content_length } => {
                            content_length.flatten().is_none() && matches!(find_header(rest, 1, len), Search::Found(_))
                        }
                        _ => false,
                    };
                    match (rest.is_empty(), header) {
                        (false, Header::Block { .. }) if !swallows => Some(n),
                        (false, Header::Block { .. } | Header::Garbage) => {
                            self.start += n;
                            self.lost = true;
                            return Some(());
                        }
                        _ => None,
                    }
                }
            };
            if let Some(at) = next {
                self.start += at;
                return Some(());
            }
            if !self.fill().await {
                return None;
            }
        }
    }

    /// The next frame; `None` at the end of input.
    async fn next(&mut self) -> Option<Frame> {
        if let Some(n) = self.bad_body_end.take() {
            // Decided only now: the body's error is answered before the next frame comes.
            self.after_bad_body(n).await?;
        }
        if self.lost && !self.resync().await {
            return None;
        }
        let (len, content_length) = match self.boundary().await? {
            Header::Block { len, content_length } => (len, content_length),
            _ => {
                // Bytes that are no header: skipped up to the next one.
                self.lost = true;
                return Some(Frame::Bad(Value::Null, -32700, "missing Content-Length header".into()));
            }
        };
        self.start += len;
        let message = match content_length {
            Some(Some(n)) if n <= MAX_FRAME => return self.body(n).await,
            Some(Some(_)) => "message too large",
            Some(None) => "invalid Content-Length header",
            None => "missing Content-Length header",
        };
        // The body, if any, is skipped by looking for the next header.
        self.lost = true;
        let code = if content_length.flatten().is_some() { -32600 } else { -32700 };
        Some(Frame::Bad(Value::Null, code, message.into()))
    }

    /// Reads a body of `n` bytes; a header block inside it ends it there (the length was too long).
    async fn body(&mut self, n: usize) -> Option<Frame> {
        // Bytes before `scan` hold no header block (or the start of one still incomplete).
        let mut scan = 0;
        loop {
            let p = self.pending();
            let mut cut = None;
            let mut maybe = false;
            match find_header(p, scan, n) {
                Search::Found(at) => cut = Some(at),
                Search::Wait(at) => (scan, maybe) = (at, true),
                Search::NotFound => scan = p.len().min(n),
            }
            if let Some(at) = cut {
                let id = serde_json::from_slice::<Value>(&p[..at]).map_or(Value::Null, |v| id_of(&v));
                self.start += at;
                let why = format!("Content-Length {n} is longer than the message ({at} bytes)");
                return Some(Frame::Bad(id, -32700, why));
            }
            let whole = p.len() >= n;
            // A header block that may be starting inside a whole body is waited for, unless the
            // body is JSON (which holds none): the frame then reads the same however its
            // bytes arrive, and a well-formed message is never held back.
            if whole && (!maybe || serde_json::from_slice::<serde::de::IgnoredAny>(&p[..n]).is_ok()) {
                break;
            }
            if !self.fill().await {
                if whole {
                    break;
                }
                return None;
            }
        }
        let body = self.pending()[..n].to_vec();
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => {
                self.start += n;
                Some(Frame::Message(body, v))
            }
            Err(e) => {
                // No JSON, or too short a length: `next` tells which by what follows.
                self.bad_body_end = Some(n);
                Some(Frame::Bad(Value::Null, -32700, format!("parse error: {e}")))
            }
        }
    }

    /// The next frame of a well-behaved writer (the server's own output); `None` at the end.
    async fn next_trusted(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.boundary().await? {
                Header::Block { len, content_length: Some(Some(n)) } => {
                    self.start += len;
                    while self.pending().len() < n {
                        if !self.fill().await {
                            return None;
                        }
                    }
                    let body = self.pending()[..n].to_vec();
                    self.start += n;
                    return Some(body);
                }
                Header::Block { len, .. } => self.start += len,
                _ => {
                    if !self.resync().await {
                        return None;
                    }
                }
            }
        }
    }
}

/// What the client-frame reader makes of `input` handed over `chunks[0]`, `chunks[1]`, …
/// bytes at a time (cycling; a 0 counts as 1): each frame as `Ok(message)` or as
/// `Err(the id its error answer carries)`. The entry point of the frame reader's fuzz target.
pub fn read_client_frames(input: &[u8], chunks: &[usize]) -> Vec<Result<Value, Value>> {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    /// An in-memory stream that hands over its bytes in pieces of the given sizes.
    struct Pieces<'a> {
        rest: &'a [u8],
        sizes: &'a [usize],
        next: usize,
    }
    impl AsyncRead for Pieces<'_> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let size = self.sizes.get(self.next % self.sizes.len().max(1)).copied().unwrap_or(usize::MAX);
            self.next += 1;
            let n = size.max(1).min(self.rest.len()).min(buf.remaining());
            let (piece, rest) = self.rest.split_at(n);
            buf.put_slice(piece);
            self.rest = rest;
            Poll::Ready(Ok(()))
        }
    }

    let mut reader = FrameReader::new(Pieces { rest: input, sizes: chunks, next: 0 });
    let mut out = Vec::new();
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        // The stream is always ready, so each frame is read in one poll.
        let Poll::Ready(frame) = std::pin::pin!(reader.next()).poll(&mut cx) else {
            unreachable!("an in-memory stream never waits")
        };
        match frame {
            Some(Frame::Message(_, v)) => out.push(Ok(v)),
            Some(Frame::Bad(id, _, _)) => out.push(Err(id)),
            None => return out,
        }
    }
}

/// Reads the client's frames from `input`; forwards good ones to `to_server`, answers bad ones through `errors`.
pub async fn pump_input<R, W>(input: R, mut to_server: W, errors: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut frames = FrameReader::new(input);
    while let Some(f) = frames.next().await {
        match f {
            Frame::Bad(id, code, message) => {
                let _ = errors.send(error_frame(id, code, &message));
            }
            Frame::Message(body, v) => match check_message(&v) {
                Err((id, why)) => {
                    let _ = errors.send(error_frame(id, -32600, &format!("invalid request: {why}")));
                }
                Ok(()) => {
                    if to_server.write_all(&frame(&body)).await.is_err() || to_server.flush().await.is_err() {
                        return;
                    }
                }
            },
        }
    }
}

/// Reads the server's (well-formed) frames from `from_server` and hands them to the writer whole.
pub async fn pump_output<R>(from_server: R, frames: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
{
    let mut reader = FrameReader::new(from_server);
    while let Some(body) = reader.next_trusted().await {
        if frames.send(frame(&body)).is_err() {
            return;
        }
    }
}

/// Writes whole frames to the client until every sender is gone.
pub async fn write_frames<W>(mut output: W, mut frames: mpsc::UnboundedReceiver<Vec<u8>>)
where
    W: AsyncWrite + Unpin,
{
    while let Some(f) = frames.recv().await {
        if output.write_all(&f).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shapes() {
        assert!(check_message(&json!({"jsonrpc": "2.0", "method": "x"})).is_ok());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": 1, "result": null})).is_ok());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": "a", "method": "x", "params": {}})).is_ok());
        assert_eq!(check_message(&json!({"jsonrpc": "2.0", "id": 4, "method": 3})).unwrap_err().0, json!(4));
        assert!(check_message(&json!([1, 2])).is_err());
        assert!(check_message(&json!({"method": "x"})).is_err());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": "x"})).is_err());
        assert!(check_message(&json!({"jsonrpc": "2.0", "method": "x", "params": 5})).is_err());
        assert!(check_message(&json!({"jsonrpc": "2.0", "id": 2})).is_err());
    }

    /// What a reader makes of `input`: each frame as `Ok(id)` or `Err(the error's id)`.
    async fn read_all(input: &[u8], chunk: usize) -> Vec<Result<Value, Value>> {
        let (mut w, r) = tokio::io::duplex(64);
        let owned = input.to_vec();
        let writer = tokio::spawn(async move {
            for c in owned.chunks(chunk) {
                let _ = w.write_all(c).await;
            }
        });
        let mut reader = FrameReader::new(r);
        let mut out = Vec::new();
        while let Some(f) = reader.next().await {
            out.push(match f {
                Frame::Message(_, v) => Ok(v["id"].clone()),
                Frame::Bad(id, _, _) => Err(id),
            });
        }
        let _ = writer.await;
        out
    }

    fn request(id: i64) -> String {
        json!({"jsonrpc": "2.0", "id": id, "method": "x", "params": {"s": "Content-Length: 3"}}).to_string()
    }

    #[tokio::test]
    async fn finds_the_next_frame_after_a_bad_one() {
        let body = request(1);
        let good = |id: i64| String::from_utf8(frame(request(id).as_bytes())).unwrap_or_default();
        let cases = [
            (format!("Content-Length: abc\r\n\r\n{body}"), Err(Value::Null)),
            (format!("Content-Length: {}\r\n\r\n{body}", body.len() - 4), Err(Value::Null)),
            // The next header starts inside the declared body: the frame ends there, its id known.
            (format!("Content-Length: {}\r\n\r\n{body}", body.len() + 3), Err(json!(1))),
            (format!("Content-Length: {}\r\n\r\n{body}", body.len() + 300), Err(json!(1))),
            ("Content-Length: 0\r\n\r\n".to_string(), Err(Value::Null)),
            ("X-Nonsense: 1\r\n\r\n".to_string(), Err(Value::Null)),
            ("{\"no\": \"header\"}\r\n".to_string(), Err(Value::Null)),
            (format!("content-length:{}\n\n{body}", body.len()), Ok(json!(1))),
        ];
        for (bad, first) in cases {
            let input = format!("{}{bad}{}{}", good(7), good(8), good(9));
            let want = vec![Ok(json!(7)), first.clone(), Ok(json!(8)), Ok(json!(9))];
            for chunk in [1, 5, 4096] {
                let got = read_all(input.as_bytes(), chunk).await;
                assert_eq!(got, want, "{bad:?} in chunks of {chunk}");
            }
            // All at once, and in pieces that end inside the headers.
            for pieces in [&[][..], &[1], &[3, 200, 7]] {
                let got: Vec<_> = read_client_frames(input.as_bytes(), pieces)
                    .into_iter()
                    .map(|f| f.map(|v| v["id"].clone()))
                    .collect();
                assert_eq!(got, want, "{bad:?} in pieces of {pieces:?}");
            }
        }
    }

    /// Found by the frame reader's fuzz target: "Content-Length: 3" in a JSON string, then the
    /// next frame's header with its Content-Length on a later line, read as a header block
    /// inside the body (the string's line running on into that header); the well-formed
    /// frame was cut there and lost, or not, depending on how its bytes arrived.
    #[test]
    fn a_header_in_a_json_string_is_no_frame_boundary() {
        let first = request(1);
        let second = json!({"jsonrpc": "2.0", "id": 2, "method": "x"}).to_string();
        let input = format!(
            "Content-Length: {}\r\n\r\n{first}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\
             Content-Length: {}\r\n\r\n{second}",
            first.len(),
            second.len()
        );
        for pieces in [&[][..], &[1], &[8, 1, 1, 1], &[4096]] {
            let ids: Vec<_> =
                read_client_frames(input.as_bytes(), pieces).into_iter().map(|f| f.map(|v| v["id"].clone())).collect();
            assert_eq!(ids, vec![Ok(json!(1)), Ok(json!(2))], "in pieces of {pieces:?}");
        }
    }

    /// Found by the frame reader's fuzz target: a length too short that cuts a body just
    /// before "10:30" in a string leaves `10:30"}}`, which reads as a header line; the next
    /// frame's header was taken as its value, and that frame lost.
    #[tokio::test]
    async fn the_rest_of_a_body_cut_short_does_not_swallow_the_next_header() {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "x", "params": {"t": "at 10:30"}}).to_string();
        let cut = body.find("10:30").unwrap_or_default();
        let good = |id: i64| String::from_utf8(frame(request(id).as_bytes())).unwrap_or_default();
        let input = format!("Content-Length: {cut}\r\n\r\n{body}{}{}", good(8), good(9));
        let want = vec![Err(Value::Null), Ok(json!(8)), Ok(json!(9))];
        for chunk in [1, 5, 4096] {
            assert_eq!(read_all(input.as_bytes(), chunk).await, want, "in chunks of {chunk}");
        }
        // A header block without a length after a body that is no JSON is still a frame of
        // its own, answered on its own.
        let input = format!("{}X-Nonsense: 1\r\n\r\n{}", String::from_utf8_lossy(&frame(b"{no json")), good(8));
        let want = vec![Err(Value::Null), Err(Value::Null), Ok(json!(8))];
        for chunk in [1, 5, 4096] {
            assert_eq!(read_all(input.as_bytes(), chunk).await, want, "in chunks of {chunk}");
        }
    }

    #[test]
    fn header_lines_that_disagree_on_the_length_make_it_unreadable() {
        let block = |s: &str| parse_header(s.as_bytes());
        let same = "Content-Length: 5\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(block(same), Header::Block { len: same.len(), content_length: Some(Some(5)) });
        for s in ["Content-Length: 5\r\nContent-Length: 6\r\n\r\n", "Content-Length: x\r\nContent-Length: 6\r\n\r\n"] {
            assert_eq!(block(s), Header::Block { len: s.len(), content_length: Some(None) }, "{s:?}");
        }
    }
}
