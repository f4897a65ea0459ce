//! Internal links: the table `@/` links resolve through, and the anchor check that runs once
//! every page is rendered (an anchor only exists after its target's headings got their ids).

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::Config;
use crate::content::{Item, Library};
use crate::diagnostics::{Collector, Diagnostic, Result, suggest};
use crate::markdown::{Links, Rendered};

/// `blog/x.md` -> permalink, for every page and section with a source file.
pub struct LinkTable {
    permalinks: HashMap<String, String>,
    drafts: Vec<String>,
}

impl LinkTable {
    pub fn new(library: &Library, config: &Config) -> LinkTable {
        let pages = library
            .pages
            .iter()
            .map(|p| (p.source.relative.clone(), config.permalink(&p.path)));
        let sections = library.sections.iter().filter_map(|s| {
            s.source
                .as_ref()
                .map(|src| (src.relative.clone(), config.permalink(&s.path)))
        });
        LinkTable {
            permalinks: pages.chain(sections).collect(),
            drafts: library.drafts.iter().map(|d| d.relative.clone()).collect(),
        }
    }
}

impl LinkTable {
    /// A hash of every (source, URL) pair: what a page with `@/` links depends on.
    pub fn fingerprint(&self) -> blake3::Hash {
        let mut pairs: Vec<(&String, &String)> = self.permalinks.iter().collect();
        pairs.sort_unstable();
        let mut hasher = blake3::Hasher::new();
        for (source, url) in pairs {
            hasher.update(source.as_bytes());
            hasher.update(&[0]);
            hasher.update(url.as_bytes());
            hasher.update(&[0]);
        }
        hasher.finalize()
    }
}

impl Links for LinkTable {
    fn resolve(&self, target: &str) -> Option<String> {
        self.permalinks.get(target.trim_start_matches('/')).cloned()
    }

    fn why_missing(&self, target: &str) -> Option<String> {
        let target = target.trim_start_matches('/');
        self.drafts
            .iter()
            .any(|d| d == target)
            .then(|| "is a draft (`draft = true`): it is not published".to_owned())
    }
}

/// Every `@/page.md#anchor` must name an id that exists on the target page.
pub fn check_anchors(
    library: &Library,
    pages: &[Arc<Rendered>],
    sections: &[Option<Arc<Rendered>>],
) -> Result<()> {
    let mut errors = Collector::default();
    let all = pages.iter().chain(sections.iter().flatten());
    for link in all.flat_map(|rendered| &rendered.internal_links) {
        let Some(anchor) = &link.anchor else { continue };
        let ids: &[String] = match library.resolve(&link.target) {
            Some(Item::Page(id)) => &pages[id].ids,
            Some(Item::Section(id)) => sections[id].as_ref().map_or(&[], |r| r.ids.as_slice()),
            None => continue,
        };
        if ids.iter().any(|id| id == anchor) {
            continue;
        }
        let hint = match suggest(anchor, ids.iter().map(String::as_str)) {
            Some(close) => format!("did you mean #{close}?"),
            None if ids.is_empty() => format!("{} has no headings to link to", link.target),
            None => format!(
                "anchors on that page: {}",
                ids.iter()
                    .map(|i| format!("#{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        errors.push(
            Diagnostic::error(
                "link/missing-anchor",
                format!(
                    "broken internal link: `{}` has no anchor `#{anchor}`",
                    link.target
                ),
            )
            .at(link.location.clone())
            .hint(hint),
        );
    }
    errors.finish().map(drop)
}
