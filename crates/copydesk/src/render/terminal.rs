//! Text from files (drafts, sources, their names) made safe to print to a terminal:
//! a control character could otherwise clear the screen, set the window title or
//! write the clipboard (OSC 52). Every string of human output that comes from a file
//! goes through [`escape`].

use std::borrow::Cow;

/// `s` with its control characters made visible: C0 controls and DEL as their Unicode
/// control pictures (ESC as `␛`, BEL as `␇`), C1 controls and bidirectional overrides as
/// U+FFFD (the characters annotate-snippets replaces in the draft's snippet, plus C1).
/// Tabs, line feeds and the CR of a CRLF are kept.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.char_indices().any(|(i, c)| replacement(c, s.as_bytes().get(i + 1)).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, c) in s.char_indices() {
        match replacement(c, s.as_bytes().get(i + 1)) {
            Some(r) => out.push(r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The byte offset in [`escape`]`(s)` of the byte offset `at` of `s` (a char boundary).
pub fn escaped_offset(s: &str, at: usize) -> usize {
    s[..at].char_indices().map(|(i, c)| replacement(c, s.as_bytes().get(i + 1)).unwrap_or(c).len_utf8()).sum()
}

/// What `c` (followed by the byte `next`) is printed as, when not as itself.
fn replacement(c: char, next: Option<&u8>) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\r' if next == Some(&b'\n') => None,
        '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32),
        '\u{7F}' => Some('\u{2421}'),
        '\u{80}'..='\u{9F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some('\u{FFFD}'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_made_visible() {
        assert!(matches!(escape("plain text, tab\there\r\nand é 😀"), Cow::Borrowed(_)));
        assert_eq!(escape("a\x1b[2Jb\x07c\x1b]52;c;aGk=\x07"), "a␛[2Jb␇c␛]52;c;aGk=␇");
        assert_eq!(escape("cr\ronly \x7f \u{9b}31m \u{202E}rev"), "cr␍only ␡ \u{FFFD}31m \u{FFFD}rev");
        assert_eq!(escape("\0\x01\x1f"), "␀␁␟");
    }

    #[test]
    fn offsets_follow_the_escaped_text() {
        let s = "ab\x1bcd\u{9b}ef";
        let e = escape(s);
        for (at, expected) in [(0, ""), (2, "ab"), (3, "ab␛"), (5, "ab␛cd"), (7, "ab␛cd\u{FFFD}")] {
            assert_eq!(&e[..escaped_offset(s, at)], expected, "{at}");
        }
        assert_eq!(escaped_offset(s, s.len()), e.len());
    }
}
