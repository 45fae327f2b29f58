//! Extractors: one per kind of claim, each in its own file.
//!
//! All of them read the *masked* prose (see [`crate::markdown`]) and return
//! spans into the original text.

pub mod entities;
pub mod numbers;
pub mod quantities;
pub mod quotes;
pub mod speakers;
