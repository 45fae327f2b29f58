//! An edit as byte ranges: what an incremental analysis is told changed.

/// The bytes `start..old_end` of the old text became `start..new_end` of the new one; all
/// before `start` and all after the old end (moved by the change in length) are unchanged.
/// Several edits compose into one that covers them all ([`Edit::then`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl Edit {
    /// `old_len` bytes replaced by `new_len`: the whole text.
    pub fn whole(old_len: usize, new_len: usize) -> Self {
        Edit { start: 0, old_end: old_len, new_end: new_len }
    }

    /// `removed` (a byte range of the text before) replaced by `inserted` bytes.
    pub fn replace(removed: std::ops::Range<usize>, inserted: usize) -> Self {
        Edit { start: removed.start, old_end: removed.end, new_end: removed.start + inserted }
    }

    /// This edit followed by `next` (in the coordinates of the text this edit gave): one
    /// edit from the text before this one to the text after `next`.
    pub fn then(self, next: Edit) -> Edit {
        let start = self.start.min(next.start);
        // The end of the changed stretch in the text between the two edits.
        let end = self.new_end.max(next.old_end);
        Edit {
            start,
            // Past this edit's new end, the text between is the old text moved.
            old_end: self.old_end + (end - self.new_end),
            // Past `next`'s old end, the text after is the text between moved.
            new_end: next.new_end + (end - next.old_end),
        }
    }

    /// Does this edit turn a text of `old_len` bytes into one of `new_len`?
    pub fn fits(&self, old_len: usize, new_len: usize) -> bool {
        self.start <= self.old_end
            && self.start <= self.new_end
            && self.old_end <= old_len
            && self.new_end <= new_len
            && old_len - self.old_end == new_len - self.new_end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn apply(text: &str, removed: std::ops::Range<usize>, inserted: &str) -> String {
        format!("{}{}{}", &text[..removed.start], inserted, &text[removed.end..])
    }

    proptest! {
        #[test]
        fn composed_edits_cover_every_change(
            text in "[a-e]{0,30}",
            edits in proptest::collection::vec((0usize..40, 0usize..6, "[x-z]{0,5}"), 1..5),
        ) {
            let mut now = text.clone();
            let mut covering: Option<Edit> = None;
            for (at, len, ins) in edits {
                let a = at.min(now.len());
                let b = (a + len).min(now.len());
                let e = Edit::replace(a..b, ins.len());
                now = apply(&now, a..b, &ins);
                covering = Some(covering.map_or(e, |c| c.then(e)));
            }
            let e = covering.unwrap();
            prop_assert!(e.fits(text.len(), now.len()));
            prop_assert_eq!(&text[..e.start], &now[..e.start]);
            prop_assert_eq!(&text[e.old_end..], &now[e.new_end..]);
        }
    }
}
