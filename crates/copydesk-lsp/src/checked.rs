//! The text a check reads and its line index, kept per document and brought up to the
//! document's text by the edits since, in place: no copy of the document per check.
//!
//! A result holds the text it was computed on (its requests convert positions through that
//! text's index), so a document keeps two: the last check's, which its result holds, and
//! the one before, which no result holds once the next replaced it. A check updates
//! whichever of the two nothing else holds (the one before, as a rule) by the edits since
//! that text, with the edited bytes read from the rope; only when a request still holds
//! both (or there is no edit to go by) is the rope copied.

use copydesk_engine::incremental::Edit;
use copydesk_engine::text::LineIndex;
use ropey::Rope;
use std::borrow::Cow;
use std::sync::Arc;

/// One text a check read, and its line index.
#[derive(Debug, Default)]
pub struct CheckedText {
    pub text: String,
    pub lines: LineIndex,
}

impl CheckedText {
    /// A copy of the rope's text, indexed.
    pub fn of(rope: &Rope) -> Self {
        let text = String::from(rope);
        let lines = LineIndex::new(&text);
        CheckedText { text, lines }
    }

    /// Makes `edit` (of this text into the rope's), the edited bytes read from the rope;
    /// false (the text left in any state) when the edit does not account for the rope's text.
    fn apply(&mut self, edit: Edit, rope: &Rope) -> bool {
        let fits = edit.fits(self.text.len(), rope.len_bytes())
            && self.text.is_char_boundary(edit.start)
            && self.text.is_char_boundary(edit.old_end);
        let Some(inserted) = rope.get_byte_slice(edit.start..edit.new_end).filter(|_| fits) else { return false };
        // Borrowed when the edited bytes lie in one chunk of the rope (a typed character).
        let inserted: Cow<str> = inserted.into();
        self.text.replace_range(edit.start..edit.old_end, &inserted);
        self.lines.edit(&self.text, edit);
        // The rope is the document: a wrong edit costs a copy, never a wrong text (a
        // comparison, no allocation).
        same_text(&self.text, rope)
    }
}

fn same_text(text: &str, rope: &Rope) -> bool {
    let mut at = 0;
    text.len() == rope.len_bytes()
        && rope.chunks().all(|c| {
            let same = text.as_bytes().get(at..at + c.len()) == Some(c.as_bytes());
            at += c.len();
            same
        })
}

/// The two texts of a document's last checks.
#[derive(Debug, Default)]
pub struct CheckedTexts {
    /// The text of the last check.
    last: Option<Arc<CheckedText>>,
    /// The text of the check before, and the edit from it to `last`.
    before: Option<(Arc<CheckedText>, Edit)>,
    copies: usize,
}

impl CheckedTexts {
    /// The rope's text for the next check, given the edit since the last check's text
    /// (`None`: no edit since).
    pub fn next(&mut self, rope: &Rope, edit: Option<Edit>) -> Arc<CheckedText> {
        let Some(edit) = edit else {
            if let Some(last) = self.last.as_ref().filter(|l| same_text(&l.text, rope)) {
                return last.clone();
            }
            return self.copy(rope, None);
        };
        // The last text, when no result holds it (a newer edit dropped its check's result).
        if let Some(mut last) = self.last.take() {
            if let Some(t) = Arc::get_mut(&mut last) {
                if t.apply(edit, rope) {
                    self.before = self.before.take().map(|(b, e)| (b, e.then(edit)));
                    self.last = Some(last.clone());
                    return last;
                }
                *t = CheckedText::of(rope); // a wrong edit
                self.copies += 1;
                self.before = None;
                self.last = Some(last.clone());
                return last;
            }
            self.last = Some(last);
        }
        // The text before it, which the result before held.
        if let Some((mut before, e)) = self.before.take() {
            if let Some(t) = Arc::get_mut(&mut before) {
                if !t.apply(e.then(edit), rope) {
                    *t = CheckedText::of(rope);
                    self.copies += 1;
                }
                self.before = self.last.take().map(|l| (l, edit));
                self.last = Some(before.clone());
                return before;
            }
        }
        self.copy(rope, Some(edit))
    }

    /// A copy of the rope's text; the last text becomes the one before.
    fn copy(&mut self, rope: &Rope, edit: Option<Edit>) -> Arc<CheckedText> {
        self.copies += 1;
        let new = Arc::new(CheckedText::of(rope));
        self.before = self.last.take().zip(edit);
        self.last = Some(new.clone());
        new
    }

    /// How many times the rope's text was copied (for tests).
    pub fn copies(&self) -> usize {
        self.copies
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(rope: &mut Rope, at: usize, removed: usize, inserted: &str) -> Edit {
        let a = rope.byte_to_char(at);
        let b = rope.byte_to_char(at + removed);
        rope.remove(a..b);
        rope.insert(a, inserted);
        Edit::replace(at..at + removed, inserted.len())
    }

    fn fresh(rope: &Rope) -> (String, LineIndex) {
        let t = String::from(rope);
        let l = LineIndex::new(&t);
        (t, l)
    }

    #[test]
    fn checks_after_the_second_copy_nothing() {
        let mut rope = Rope::from_str("One 84,300 troops.\r\nTwo é 😀 lines.\n\nThree.");
        let mut texts = CheckedTexts::default();
        let mut held = texts.next(&rope, None); // a result holds each check's text
        for i in 0..50 {
            // one edit, two, or none between two checks
            let e = (i % 11 != 0).then(|| {
                let e = edit(&mut rope, 5 + i % 7, 1, ["9", "", "\n", "\r", "ab"][i % 5]);
                if i % 3 == 0 {
                    e.then(edit(&mut rope, 0, 0, "x"))
                } else {
                    e
                }
            });
            let now = texts.next(&rope, e);
            assert_eq!((now.text.clone(), now.lines.clone()), fresh(&rope), "check {i}");
            held = now;
        }
        drop(held);
        assert_eq!(texts.copies(), 2, "the first two checks copy, then each edit is made in place");
    }

    #[test]
    fn a_text_a_request_still_holds_is_not_written() {
        let mut rope = Rope::from_str("abc\ndef\n");
        let mut texts = CheckedTexts::default();
        let first = texts.next(&rope, None);
        let e = edit(&mut rope, 1, 1, "X");
        let second = texts.next(&rope, Some(e));
        let e = edit(&mut rope, 5, 0, "Y");
        // `first` (the result before) is still held by a request: the rope is copied.
        let third = texts.next(&rope, Some(e));
        assert_eq!(
            (first.text.as_str(), second.text.as_str(), third.text.as_str()),
            ("abc\ndef\n", "aXc\ndef\n", "aXc\ndYef\n")
        );
        assert_eq!(texts.copies(), 3);
        drop((first, second));
        let e = edit(&mut rope, 0, 0, "Z");
        assert_eq!(texts.next(&rope, Some(e)).text, "ZaXc\ndYef\n");
        assert_eq!(texts.copies(), 3);
    }

    #[test]
    fn a_wrong_edit_costs_a_copy_not_a_wrong_text() {
        let mut rope = Rope::from_str("abc\ndef\n");
        let mut texts = CheckedTexts::default();
        drop(texts.next(&rope, None));
        drop(texts.next(&rope, Some(Edit::replace(0..0, 0))));
        edit(&mut rope, 5, 1, "E");
        // said to be at 1, though the change was at 5
        let now = texts.next(&rope, Some(Edit::replace(1..2, 1)));
        assert_eq!(now.text, "abc\ndEf\n");
        assert_eq!(now.lines, LineIndex::new("abc\ndEf\n"));
    }
}
