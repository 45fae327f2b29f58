//! Attribution: who said each quote, and reported speech ("X said (that) ...").
//!
//! Works on a *frame* of the masked text in which every quote (marks included) is
//! overwritten with a placeholder byte, so the words around quotes can be read
//! without tripping over their contents; offsets do not move. For each quote the
//! attribution is looked for, in order: right after it (`"...," X said` / `said X`
//! / `― X`), right before it (`X said: "..."`), in a lead-in paragraph ending with
//! a colon, anywhere before it in its sentence (partial quotes), and finally the
//! previous quote of the paragraph (or of the previous paragraph, for a paragraph
//! that is nothing but a quote). Mentions are resolved to names document-wide:
//! surnames to full names, roles ("the spokesman") through title–name pairs and
//! appositions, relative pronouns to the name before their comma. A pronoun is
//! resolved only when the nearest sentences naming people give one compatible
//! person (or their subject is one); a speaker left unresolved never yields a warning.
//!
//! Work is split in two. *Reading* (`reading`) takes each block on its own words: the
//! names it writes (`tables`), its quotes' cues and its sentences' reported speech (`cues`),
//! each sentence's opening subject and a relative pronoun's antecedent (`mentions`), with
//! the stretch of text it read. *Resolution* reads readings only: the blocks' name tables
//! merged in order (`tables`), then every mention resolved in document order (`attribute`,
//! `resolution`). A live analysis keeps the readings ([`SpeakerReadings`]) and reads again
//! only the blocks whose reading read what an edit changed.
//!
//! `words` holds the word lists, `tokens` the frame's words, `known` what a name string
//! says (taken apart once per string) and the families of full names sharing a key.

mod attribute;
mod cues;
mod known;
mod mentions;
mod reading;
mod resolution;
mod tables;
#[cfg(test)]
mod tests;
mod tokens;
mod words;

pub use attribute::attribute;
pub use reading::SpeakerReadings;
pub use words::is_speech_verb;
