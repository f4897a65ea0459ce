//! Slugs: the URL- and id-safe form of titles, headings and taxonomy terms.
//!
//! One function decides how text becomes a slug, so a heading id, the anchor an `@/` link
//! names, and a tag's URL always agree.

use std::collections::HashMap;

/// `"Why env vars leak?"` -> `"why-env-vars-leak"`: transliterated to ASCII, lower-cased,
/// every run of other characters turned into one `-`.
pub fn slugify(text: &str) -> String {
    ::slug::slugify(text)
}

/// Hands out ids unique within one page: the second "Usage" heading becomes `usage-1`.
#[derive(Debug, Default)]
pub struct UniqueIds {
    seen: HashMap<String, usize>,
}

impl UniqueIds {
    /// Reserves an id chosen by the author (`{#custom}`), exactly as written.
    pub fn reserve(&mut self, id: &str) {
        self.seen.entry(id.to_owned()).or_insert(0);
    }

    /// A unique id derived from `base` (an empty base becomes `section`).
    pub fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let Some(&last_suffix) = self.seen.get(base) else {
            self.seen.insert(base.to_owned(), 0);
            return base.to_owned();
        };
        let mut n = last_suffix;
        loop {
            n += 1;
            let candidate = format!("{base}-{n}");
            if !self.seen.contains_key(&candidate) {
                self.seen.insert(base.to_owned(), n);
                self.seen.insert(candidate.clone(), 0);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{UniqueIds, slugify};

    #[test]
    fn slugify_lowercases_and_collapses_punctuation() {
        assert_eq!(slugify("Why env vars leak?"), "why-env-vars-leak");
        assert_eq!(slugify("CI/CD"), "ci-cd");
        assert_eq!(slugify("Übersicht  & more"), "ubersicht-more");
    }

    #[test]
    fn repeated_ids_get_numbered_suffixes() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("usage"), "usage");
        assert_eq!(ids.claim("usage"), "usage-1");
        assert_eq!(ids.claim("usage"), "usage-2");
    }

    #[test]
    fn suffixes_skip_ids_already_taken() {
        let mut ids = UniqueIds::default();
        ids.reserve("usage-1");
        assert_eq!(ids.claim("usage"), "usage");
        assert_eq!(ids.claim("usage"), "usage-2");
        assert_eq!(ids.claim(""), "section");
    }
}
