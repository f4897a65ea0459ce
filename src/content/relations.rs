//! Relations between pages, computed once every page is loaded:
//!
//! 1. each section's pages, in the section's order (transparent sections lend theirs upward);
//! 2. `higher`/`lower` neighbours in that order;
//! 3. taxonomies and their terms (terms merged by slug, so `Kubernetes` and `kubernetes` are one);
//! 4. neighbours within each taxonomy term, and related pages by shared tags.
//!
//! Every list is sorted with a total order ending in the source path, so output never depends on
//! load order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use super::{Library, Page, PageId, SectionId, SortBy};
use crate::config::Config;
use crate::slug::slugify;

/// How many related pages each page gets.
const RELATED_COUNT: usize = 3;
/// The taxonomy whose shared terms make pages related.
const RELATED_BY: &str = "tags";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Neighbours {
    /// The older page.
    pub previous: Option<PageId>,
    /// The newer page.
    pub next: Option<PageId>,
}

#[derive(Debug)]
pub struct Taxonomy {
    pub name: String,
    pub path: String,
    /// Sorted by slug.
    pub terms: Vec<Term>,
}

#[derive(Debug)]
pub struct Term {
    /// As first written (in source order).
    pub name: String,
    pub slug: String,
    pub path: String,
    /// Newest first.
    pub pages: Vec<PageId>,
}

pub fn build(library: &mut Library, config: &Config) {
    assign_section_pages(library);
    link_section_neighbours(library);
    library.taxonomies = build_taxonomies(library, config);
    link_term_neighbours(library);
    link_related(library);
}

/// Newest first; undated pages after dated ones; then by path, so the order is total.
pub fn by_date(a: &Page, b: &Page) -> Ordering {
    match (a.meta.date, b.meta.date) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.source.relative.cmp(&b.source.relative))
}

fn compare(sort_by: SortBy, a: &Page, b: &Page) -> Ordering {
    match sort_by {
        SortBy::Date => by_date(a, b),
        SortBy::Weight => a
            .meta
            .weight
            .unwrap_or(i64::MAX)
            .cmp(&b.meta.weight.unwrap_or(i64::MAX))
            .then_with(|| title_key(a).cmp(&title_key(b))),
        SortBy::Title => title_key(a).cmp(&title_key(b)),
        SortBy::None => Ordering::Equal,
    }
    .then_with(|| a.source.relative.cmp(&b.source.relative))
}

fn title_key(page: &Page) -> String {
    page.meta
        .title
        .as_deref()
        .unwrap_or(&page.slug)
        .to_lowercase()
}

fn assign_section_pages(library: &mut Library) {
    for section in &mut library.sections {
        section.pages.clear();
    }
    for (id, page) in library.pages.iter().enumerate() {
        // A page of a transparent section is also listed by each transparent ancestor's parent.
        let mut section: SectionId = page.section;
        library.sections[section].pages.push(id);
        while library.sections[section].meta.transparent {
            let Some(parent) = library.sections[section].parent else {
                break;
            };
            library.sections[parent].pages.push(id);
            section = parent;
        }
    }
    let pages = &library.pages;
    for section in &mut library.sections {
        let sort_by = section.meta.sort_by;
        section
            .pages
            .sort_by(|&a, &b| compare(sort_by, &pages[a], &pages[b]));
    }
}

fn link_section_neighbours(library: &mut Library) {
    let mut links = Vec::new();
    for (id, section) in library.sections.iter().enumerate() {
        for (i, &page) in section.pages.iter().enumerate() {
            // Only the page's own section decides its neighbours.
            if library.pages[page].section != id {
                continue;
            }
            let higher = i.checked_sub(1).map(|j| section.pages[j]);
            let lower = section.pages.get(i + 1).copied();
            links.push((page, higher, lower));
        }
    }
    for (page, higher, lower) in links {
        library.pages[page].higher = higher;
        library.pages[page].lower = lower;
    }
}

fn build_taxonomies(library: &Library, config: &Config) -> Vec<super::Taxonomy> {
    config
        .taxonomies
        .iter()
        .map(|taxonomy| {
            let mut terms: BTreeMap<String, Term> = BTreeMap::new();
            for (id, page) in library.pages.iter().enumerate() {
                let Some(names) = page.meta.taxonomies.get(&taxonomy.name) else {
                    continue;
                };
                for name in names {
                    let slug = slugify(name);
                    let term = terms.entry(slug.clone()).or_insert_with(|| Term {
                        name: name.clone(),
                        path: format!("/{}/{}/", taxonomy.name, slug),
                        slug,
                        pages: Vec::new(),
                    });
                    if !term.pages.contains(&id) {
                        term.pages.push(id);
                    }
                }
            }
            let mut terms: Vec<Term> = terms.into_values().collect();
            for term in &mut terms {
                term.pages
                    .sort_by(|&a, &b| by_date(&library.pages[a], &library.pages[b]));
            }
            Taxonomy {
                name: taxonomy.name.clone(),
                path: format!("/{}/", taxonomy.name),
                terms,
            }
        })
        .collect()
}

fn link_term_neighbours(library: &mut Library) {
    let mut links: Vec<(PageId, String, Neighbours)> = Vec::new();
    for taxonomy in &library.taxonomies {
        let position: HashMap<&str, &super::Term> = taxonomy
            .terms
            .iter()
            .map(|t| (t.slug.as_str(), t))
            .collect();
        for (id, page) in library.pages.iter().enumerate() {
            let Some(first) = page
                .meta
                .taxonomies
                .get(&taxonomy.name)
                .and_then(|n| n.first())
            else {
                continue;
            };
            let Some(term) = position.get(slugify(first).as_str()) else {
                continue;
            };
            let Some(i) = term.pages.iter().position(|&p| p == id) else {
                continue;
            };
            let neighbours = Neighbours {
                next: i.checked_sub(1).map(|j| term.pages[j]),
                previous: term.pages.get(i + 1).copied(),
            };
            links.push((id, taxonomy.name.clone(), neighbours));
        }
    }
    for page in &mut library.pages {
        page.neighbours.clear();
    }
    for (id, name, neighbours) in links {
        library.pages[id].neighbours.push((name, neighbours));
    }
}

/// Up to [`RELATED_COUNT`] pages sharing the most tags, newest first among equals.
///
/// Counting uses a dense array per thread (one slot per page) rather than a map, and keeps the
/// best few without sorting every candidate: with 10,000 pages over 60 tags each page meets
/// thousands of candidates, and this is what keeps it linear in them.
fn link_related(library: &mut Library) {
    let Some(tags) = library.taxonomies.iter().find(|t| t.name == RELATED_BY) else {
        return;
    };
    let term_of: HashMap<&str, &[PageId]> = tags
        .terms
        .iter()
        .map(|t| (t.slug.as_str(), t.pages.as_slice()))
        .collect();
    let pages = &library.pages;
    let count = pages.len();
    let related: Vec<Vec<PageId>> = pages
        .par_iter()
        .enumerate()
        .map_init(
            || (vec![0u32; count], Vec::new()),
            |(shared, touched), (id, page)| {
                let Some(names) = page.meta.taxonomies.get(RELATED_BY) else {
                    return Vec::new();
                };
                for name in names {
                    for &other in term_of
                        .get(slugify(name).as_str())
                        .copied()
                        .unwrap_or_default()
                    {
                        if other != id {
                            if shared[other] == 0 {
                                touched.push(other);
                            }
                            shared[other] += 1;
                        }
                    }
                }
                let mut best: Vec<(u32, PageId)> = Vec::with_capacity(RELATED_COUNT + 1);
                for &other in touched.iter() {
                    let candidate = (shared[other], other);
                    let better = |a: &(u32, PageId), b: &(u32, PageId)| {
                        b.0.cmp(&a.0)
                            .then_with(|| by_date(&pages[a.1], &pages[b.1]))
                            == Ordering::Less
                    };
                    if best.len() < RELATED_COUNT || better(&candidate, &best[best.len() - 1]) {
                        let at = best
                            .iter()
                            .position(|b| better(&candidate, b))
                            .unwrap_or(best.len());
                        best.insert(at, candidate);
                        best.truncate(RELATED_COUNT);
                    }
                }
                for &other in touched.iter() {
                    shared[other] = 0;
                }
                touched.clear();
                best.into_iter().map(|(_, p)| p).collect()
            },
        )
        .collect();
    for (page, related) in library.pages.iter_mut().zip(related) {
        page.related = related;
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::content::{Library, LoadOptions};

    #[test]
    fn related_pages_share_the_most_tags_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let post = |name: &str, date: &str, tags: &str| {
            let path = dir.path().join("content").join(format!("{name}.md"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(
                path,
                format!(
                    "+++\ntitle = \"{name}\"\ndate = {date}\n[taxonomies]\ntags = [{tags}]\n+++\n"
                ),
            )
            .unwrap();
        };
        post("me", "2026-01-10", "\"a\", \"b\", \"c\"");
        post("two-old", "2026-01-01", "\"a\", \"b\"");
        post("two-new", "2026-01-05", "\"b\", \"c\"");
        post("one-newest", "2026-01-09", "\"c\"");
        post("one-old", "2025-01-01", "\"a\"");
        post("none", "2026-01-08", "\"z\"");
        let config = Config::parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\ntaxonomies = [{ name = \"tags\" }]\n",
            "site.toml",
        )
        .unwrap();
        let content = dir.path().join("content");
        let library = Library::load(
            &config,
            &LoadOptions {
                root: dir.path(),
                content_dir: &content,
                drafts: false,
            },
        )
        .unwrap();
        let me = library.pages.iter().find(|p| p.slug == "me").unwrap();
        let names: Vec<&str> = me
            .related
            .iter()
            .map(|&id| library.pages[id].slug.as_str())
            .collect();
        assert_eq!(names, ["two-new", "two-old", "one-newest"]);
    }
}
