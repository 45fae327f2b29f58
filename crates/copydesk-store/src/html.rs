//! The readable text of an HTML page, from its tokens alone: block elements become
//! paragraphs; scripts, styles, navigation, templates, the head and inline SVG are left out.
//!
//! No tree is built. A tree builder (html5ever's, a browser's) looks down its stack of open
//! elements, or along its list of active formatting elements, at most tags, so that a page
//! of many unclosed elements costs it the square of their number: 15,000 unclosed `<b>`s
//! with an attribute each took html5ever 10 s, 12,000 `<span>`s followed by as many stray
//! end tags 2 s, nested `<svg>` elements 20 s. Text extraction needs no tree: which element
//! a run of text is inside matters only for the few elements whose text is left out, and
//! those are followed by counting their own start and end tags. The tokenizer (html5gum, a
//! WHATWG tokenizer) is linear, duplicate attributes included (html5ever's tokenizer
//! compares each attribute with every earlier one of its tag); so is everything here.
//!
//! Where a tree builder would move text (text inside a table but outside its cells goes
//! before the table), the text stays where it is written.

use html5gum::{DefaultEmitter, State, Token, Tokenizer};
use std::borrow::Cow;

/// Extracts the readable text of an HTML page. Returns (title, text): the title of the
/// first non-empty `<title>` in the head, whitespace collapsed; the text ends with one line
/// break and has its paragraphs separated by one blank line.
pub fn html_to_text(html: &str) -> (Option<String>, String) {
    let mut page = Page::default();
    let mut tokenizer = Tokenizer::new_with_emitter(html, DefaultEmitter::default());
    while let Some(Ok(token)) = tokenizer.next() {
        match token {
            Token::String(s) => page.text(&s.value),
            Token::StartTag(tag) => {
                page.flush();
                if let Some(state) = page.start_tag(tag.name.as_slice(), tag.self_closing) {
                    // The tokenizer has stopped after the tag's `>`: the element's content
                    // is read in the state its name calls for (script data, raw text …).
                    tokenizer.set_state(state);
                }
            }
            Token::EndTag(tag) => {
                page.flush();
                page.end_tag(tag.name.as_slice());
            }
            // A comment ends a run of text, as it would end a text node.
            Token::Comment(_) | Token::Doctype(_) => page.flush(),
            Token::Error(_) => {}
        }
    }
    page.flush();
    let text = page.out.trim().to_string() + "\n";
    (page.title, text)
}

/// Where the tokens are: the head (before any content) or the body.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum Part {
    #[default]
    Head,
    Body,
}

/// An element whose content is being left out, or is foreign (SVG, MathML), and how many of
/// its own kind are open inside it.
struct Open {
    name: Vec<u8>,
    depth: usize,
}

impl Open {
    fn new(name: &[u8]) -> Self {
        Open { name: name.to_vec(), depth: 1 }
    }

    /// Counts a start tag inside; whether it is of the element's own kind.
    fn start(&mut self, name: &[u8]) -> bool {
        let own = name == self.name.as_slice();
        self.depth += usize::from(own);
        own
    }

    /// Counts an end tag inside; whether it closes the element.
    fn end(&mut self, name: &[u8]) -> bool {
        if name == self.name.as_slice() {
            self.depth -= 1;
        }
        self.depth == 0
    }
}

#[derive(Default)]
struct Page {
    out: String,
    title: Option<String>,
    part: Part,
    /// Text read since the last tag, written out at the next one.
    pending: String,
    /// Inside a script, style or noscript: text up to its end tag, left out.
    in_raw_skip: bool,
    /// Inside `<title>` in the head: its text, for the title.
    title_text: Option<String>,
    /// Inside `<nav>` or `<template>`: left out until it closes.
    skipped: Option<Open>,
    /// Inside `<svg>` (left out) or `<math>`: foreign content, where no tag switches the
    /// tokenizer to raw text.
    foreign: Option<Open>,
}

impl Page {
    fn text(&mut self, s: &[u8]) {
        let s = String::from_utf8_lossy(s);
        if let Some(title) = &mut self.title_text {
            title.push_str(&s);
        } else if !self.in_raw_skip && self.skipped.is_none() && !self.in_svg() {
            self.pending.push_str(&s);
        }
    }

    fn in_svg(&self) -> bool {
        self.foreign.as_ref().is_some_and(|f| f.name == b"svg")
    }

    /// Writes out the text read since the last tag.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        if self.part == Part::Head {
            // Whitespace between head elements is no content; any other text starts the body.
            if text.chars().all(char::is_whitespace) {
                return;
            }
            self.part = Part::Body;
        }
        push_text(&mut self.out, &text);
    }

    /// A start tag; the state the tokenizer reads the element's content in, when not data.
    fn start_tag(&mut self, name: &[u8], self_closing: bool) -> Option<State> {
        if let Some(f) = &mut self.foreign {
            if breaks_out_of_foreign_content(name) {
                self.foreign = None;
            } else {
                // `<svg/>` inside svg opens nothing; raw-text names are plain elements here.
                if f.start(name) && self_closing {
                    f.depth -= 1;
                }
                return None;
            }
        }
        if let Some(s) = &mut self.skipped {
            s.start(name);
        }
        if self.part == Part::Head && !in_head(name) {
            self.part = Part::Body;
        }
        let state = content_state(name);
        match name {
            b"script" | b"style" | b"noscript" => self.in_raw_skip = true,
            b"title" if self.part == Part::Head && self.skipped.is_none() => self.title_text = Some(String::new()),
            b"nav" | b"template" if self.skipped.is_none() => self.skipped = Some(Open::new(name)),
            b"svg" | b"math" if !self_closing => self.foreign = Some(Open::new(name)),
            _ if self.part == Part::Body && self.skipped.is_none() && is_block(name) => {
                end_paragraph(&mut self.out, true)
            }
            _ => {}
        }
        state
    }

    fn end_tag(&mut self, name: &[u8]) {
        // In raw text or a title, the only end tag the tokenizer gives is the element's own.
        if self.in_raw_skip {
            self.in_raw_skip = false;
            return;
        }
        if let Some(title) = self.title_text.take() {
            let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
            if self.title.is_none() && !title.is_empty() {
                self.title = Some(title);
            }
            return;
        }
        if let Some(f) = &mut self.foreign {
            // `</p>` and `</br>` end foreign content too.
            if f.end(name) || matches!(name, b"p" | b"br") {
                self.foreign = None;
            }
            if !matches!(name, b"p" | b"br") {
                return;
            }
        }
        if let Some(s) = &mut self.skipped {
            if s.end(name) {
                self.skipped = None;
            }
            return;
        }
        if self.part == Part::Head {
            // `</body>`, `</html>` and `</br>` start the body; other end tags there are ignored.
            if !matches!(name, b"body" | b"html" | b"br") {
                return;
            }
            self.part = Part::Body;
        }
        if is_block(name) {
            end_paragraph(&mut self.out, false);
        }
    }
}

/// The state an element's content is tokenized in, for elements whose content is text up to
/// their end tag.
fn content_state(name: &[u8]) -> Option<State> {
    match name {
        b"title" | b"textarea" => Some(State::RcData),
        b"style" | b"xmp" | b"iframe" | b"noembed" | b"noframes" | b"noscript" => Some(State::RawText),
        b"script" => Some(State::ScriptData),
        b"plaintext" => Some(State::PlainText),
        _ => None,
    }
}

/// Start tags that may stand in the head: any other starts the body.
fn in_head(name: &[u8]) -> bool {
    matches!(
        name,
        b"html"
            | b"head"
            | b"title"
            | b"base"
            | b"basefont"
            | b"bgsound"
            | b"link"
            | b"meta"
            | b"noframes"
            | b"script"
            | b"style"
            | b"template"
            | b"noscript"
    )
}

/// HTML start tags that close foreign content (SVG, MathML) around them.
fn breaks_out_of_foreign_content(name: &[u8]) -> bool {
    matches!(
        name,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | [b'h', b'1'..=b'6']
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    )
}

/// Elements that make a paragraph of their own.
fn is_block(name: &[u8]) -> bool {
    matches!(
        name,
        b"p" | b"div"
            | [b'h', b'1'..=b'6']
            | b"li"
            | b"blockquote"
            | b"article"
            | b"section"
            | b"header"
            | b"footer"
            | b"main"
            | b"aside"
            | b"address"
            | b"figure"
            | b"figcaption"
            | b"details"
            | b"summary"
            | b"dl"
            | b"dt"
            | b"dd"
            | b"hr"
            | b"tr"
            | b"br"
            | b"pre"
            | b"table"
            | b"caption"
            | b"ul"
            | b"ol"
    )
}

/// Appends a run of text, its whitespace collapsed; a space stands for whitespace at either
/// end, and a run of whitespace alone is one space between words. NULs are no text.
fn push_text(out: &mut String, text: &str) {
    let text: Cow<'_, str> = if text.contains('\0') { text.replace('\0', "").into() } else { text.into() };
    let follows_a_word = !out.is_empty() && !out.ends_with([' ', '\n']);
    let mut words = text.split_whitespace().peekable();
    if words.peek().is_none() {
        if follows_a_word && !text.is_empty() {
            out.push(' ');
        }
        return;
    }
    if follows_a_word && text.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    for (i, word) in words.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if text.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

/// Ends the paragraph before (`opening`) or inside a block element with a blank line.
fn end_paragraph(out: &mut String, opening: bool) {
    if (!opening || !out.is_empty()) && !out.ends_with("\n\n") {
        out.truncate(out.trim_end_matches(' ').len());
        out.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests;
