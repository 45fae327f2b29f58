//! Known names: what a name string says (its words, entity key, surname, given name's
//! gender), worked out once per distinct string, and the families of full names that
//! share an entity key. A document names the same people again and again; resolving each
//! mention would otherwise take the name apart anew.

use super::words::{FEMALE_SET, MALE_SET};
use crate::extract::entities::{fold, is_org_word, name_words, EntityName};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gender {
    Male,
    Female,
}

pub(super) fn gender_of_first(first: &str) -> Option<Gender> {
    if MALE_SET.contains(first) {
        Some(Gender::Male)
    } else if FEMALE_SET.contains(first) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// What one name string says.
pub(super) struct NameFacts {
    /// The name as written.
    pub(super) name: String,
    /// Its words ([`name_words`]).
    pub(super) words: Vec<String>,
    /// The name, ready for [`EntityName::same`].
    pub(super) entity: EntityName<'static>,
    /// Its [`entity_key`](crate::extract::entities::entity_key).
    pub(super) key: String,
    /// One of its words is an organization's ("Department", "Times").
    pub(super) org: bool,
    /// Its last word, folded, without periods: the key of the genders learned by surname.
    pub(super) surname: String,
    /// The gender its given name tells, when it has two words or more.
    pub(super) given: Option<Gender>,
}

impl NameFacts {
    fn new(name: &str) -> Self {
        let words = name_words(name);
        let entity = EntityName::with_words(name, &words).into_owned();
        NameFacts {
            name: name.to_string(),
            key: entity.key(),
            org: words.iter().any(|w| is_org_word(w)),
            surname: words.last().map(|w| fold(w).trim_matches('.').to_string()).unwrap_or_default(),
            given: words.first().filter(|_| words.len() >= 2).and_then(|f| gender_of_first(&fold(f))),
            entity,
            words,
        }
    }
}

/// [`NameFacts`] of each name string met, computed on first use. A live analysis keeps
/// one from edit to edit (what a string says does not change).
#[derive(Default)]
pub(crate) struct NameMemo(RefCell<HashMap<String, Arc<NameFacts>>>);

impl NameMemo {
    /// Forgets what it holds once it holds more than `most` names (a long editing session
    /// meets many strings that are names no longer).
    pub(super) fn bound(&self, most: usize) {
        if self.0.borrow().len() > most {
            self.0.borrow_mut().clear();
        }
    }

    pub(super) fn get(&self, name: &str) -> Arc<NameFacts> {
        let hit = self.0.borrow().get(name).cloned();
        hit.unwrap_or_else(|| {
            let facts = Arc::new(NameFacts::new(name));
            self.0.borrow_mut().insert(name.to_string(), facts.clone());
            facts
        })
    }
}

/// The full person names that share an entity key ("Bill Clinton", "Hillary Clinton"),
/// and where each is named.
#[derive(Default)]
pub(super) struct Family {
    /// Each distinct name, in order of first appearance.
    pub(super) names: Vec<Arc<NameFacts>>,
    /// Where the family is named, in document order: position and index into `names`.
    pub(super) named: Vec<(usize, usize)>,
}

impl Family {
    pub(super) fn add(&mut self, pos: usize, name: &Arc<NameFacts>) {
        let i = self.names.iter().position(|n| n.name == name.name).unwrap_or_else(|| {
            self.names.push(name.clone());
            self.names.len() - 1
        });
        self.named.push((pos, i));
    }

    /// Which of the names are the same entity as `name`, by index.
    pub(super) fn fitting(&self, name: &EntityName) -> Vec<bool> {
        self.names.iter().map(|n| n.entity.same(name)).collect()
    }

    /// Are names `i` and `j` the same entity?
    pub(super) fn same(&self, i: usize, j: usize) -> bool {
        i == j || self.names[i].entity.same(&self.names[j].entity)
    }
}
