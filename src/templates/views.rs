//! Views: the data templates see. These structs *are* the theme API (documented in
//! content/docs/templates.md); renaming a field breaks themes.
//!
//! Each page and section is turned into a Tera value once per build and shared (Tera values
//! are reference-counted), so a listing of 10,000 pages costs pointer copies, not
//! re-serialisation.

use serde::Serialize;
use tera::Value;

use crate::markdown::Heading;

/// A reference to another page: enough to link to it.
#[derive(Debug, Clone, Serialize)]
pub struct PageRef {
    pub title: String,
    pub description: Option<String>,
    pub path: String,
    pub permalink: String,
    pub date: Option<String>,
}

/// A taxonomy term as a page carries it.
#[derive(Debug, Clone, Serialize)]
pub struct TermRef {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub permalink: String,
}

/// One heading of the table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub permalink: String,
    pub children: Vec<TocEntry>,
}

impl TocEntry {
    pub fn tree(headings: &[Heading], permalink: &str) -> Vec<TocEntry> {
        headings
            .iter()
            .map(|h| TocEntry {
                level: h.level,
                id: h.id.clone(),
                title: h.title.clone(),
                permalink: format!("{permalink}#{}", h.id),
                children: TocEntry::tree(&h.children, permalink),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Neighbours {
    pub previous: Option<PageRef>,
    pub next: Option<PageRef>,
}

/// A page as listings show it (no body).
#[derive(Debug, Clone, Serialize)]
pub struct PageSummary {
    pub title: String,
    pub description: Option<String>,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub draft: bool,
    pub slug: String,
    pub path: String,
    pub permalink: String,
    pub relative_path: String,
    pub summary: Option<String>,
    /// Whether the body continues after the summary (themes show "Full article »").
    pub has_more: bool,
    pub word_count: usize,
    pub reading_time: usize,
    pub taxonomies: serde_json::Map<String, serde_json::Value>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub featured: bool,
    pub image: Option<String>,
    pub authors: Vec<String>,
    pub weight: Option<i64>,
    pub assets: Vec<String>,
    pub code_blocks: usize,
}

/// What only a page's own template receives, on top of its summary.
#[derive(Debug, Clone, Serialize)]
pub struct PageDetail {
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub higher: Option<PageRef>,
    pub lower: Option<PageRef>,
    pub neighbours: serde_json::Map<String, serde_json::Value>,
    pub related: Vec<PageRef>,
    /// Labels of the `galley test` checks its code blocks passed.
    pub checked: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubsectionRef {
    pub title: String,
    pub description: Option<String>,
    pub path: String,
    pub permalink: String,
    pub pages_count: usize,
}

/// A section, with its pages as shared page values.
#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    pub title: String,
    pub description: Option<String>,
    pub path: String,
    pub permalink: String,
    pub relative_path: String,
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub pages_count: usize,
    pub subsections: Vec<SubsectionRef>,
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub name: String,
    pub slug: String,
    pub path: String,
    pub permalink: String,
    pub description: Option<String>,
    pub pages_count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaxonomyView {
    pub name: String,
    pub path: String,
    pub permalink: String,
    pub terms: Vec<TermView>,
}

/// One page of a paginated listing.
#[derive(Debug, Clone, Serialize)]
pub struct PaginatorView {
    pub current_index: usize,
    pub number_pagers: usize,
    pub paginate_by: usize,
    /// Number of items across all pagers.
    pub total_pages: usize,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedLink {
    pub title: String,
    pub url: String,
    pub mime: &'static str,
}

/// Converts a view to a Tera value. Views are plain data, so this cannot fail in practice; a
/// failure would be a bug in a view type, reported as an empty map rather than a panic.
pub fn to_value<T: Serialize>(view: &T) -> Value {
    Value::try_from_serializable(view)
        .unwrap_or_else(|_| Value::from_serializable(&serde_json::Map::new()))
}

/// `base` with extra keys added (the page summary plus its detail, a section plus its pages).
pub fn merge(base: &Value, extra: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut map = base.as_map().cloned().unwrap_or_default();
    for (key, value) in extra {
        map.insert(key.into(), value);
    }
    Value::from(map)
}

/// Builds the views of one build from the library and its rendered Markdown.
pub struct ViewBuilder<'a> {
    pub config: &'a crate::config::Config,
    pub library: &'a crate::content::Library,
    pub rendered: &'a crate::site::RenderedContent,
}

impl ViewBuilder<'_> {
    /// A site path as served: `/blog/x/` under a base URL of `https://e.org/docs/` is
    /// `/docs/blog/x/`.
    pub fn url_path(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.config.base_path(),
            path.trim_start_matches('/')
        )
    }

    pub fn page_ref(&self, id: crate::content::PageId) -> PageRef {
        let page = &self.library.pages[id];
        PageRef {
            title: page_title(page),
            description: page.meta.description.clone(),
            path: self.url_path(&page.path),
            permalink: self.config.permalink(&page.path),
            date: page.meta.date.map(|d| d.rfc3339()),
        }
    }

    pub fn term_ref(&self, taxonomy: &str, name: &str) -> TermRef {
        let slug = crate::slug::slugify(name);
        let path = format!("/{taxonomy}/{slug}/");
        TermRef {
            name: name.to_owned(),
            slug,
            path: self.url_path(&path),
            permalink: self.config.permalink(&path),
        }
    }

    pub fn page_summary(&self, id: crate::content::PageId) -> PageSummary {
        let page = &self.library.pages[id];
        let rendered = &self.rendered.pages[id];
        let permalink = self.config.permalink(&page.path);
        let (summary, has_more) = summary_of(page, rendered, &permalink);
        let mut taxonomies = serde_json::Map::new();
        for (name, terms) in &page.meta.taxonomies {
            let refs: Vec<serde_json::Value> = terms
                .iter()
                .map(|term| serde_json::to_value(self.term_ref(name, term)).unwrap_or_default())
                .collect();
            taxonomies.insert(name.clone(), serde_json::Value::Array(refs));
        }
        let assets = page
            .bundle
            .as_ref()
            .map(|(_, files)| files.iter().map(|f| format!("{permalink}{f}")).collect())
            .unwrap_or_default();
        PageSummary {
            title: page_title(page),
            description: page.meta.description.clone(),
            date: page.meta.date.map(|d| d.rfc3339()),
            updated: page.meta.updated.map(|d| d.rfc3339()),
            draft: page.meta.draft,
            slug: page.slug.clone(),
            path: self.url_path(&page.path),
            permalink: permalink.clone(),
            relative_path: page.source.relative.clone(),
            summary,
            has_more,
            word_count: rendered.word_count,
            reading_time: reading_time(rendered.word_count, self.config.markdown.words_per_minute),
            taxonomies,
            extra: page.meta.extra.clone(),
            featured: page.meta.featured,
            image: page
                .meta
                .image
                .as_deref()
                .map(|image| self.resolve_image(image, &permalink)),
            authors: page.meta.authors.clone(),
            weight: page.meta.weight,
            assets,
            code_blocks: rendered.code_blocks,
        }
    }

    pub fn page_detail(&self, id: crate::content::PageId, checked: Vec<String>) -> PageDetail {
        let page = &self.library.pages[id];
        let rendered = &self.rendered.pages[id];
        let permalink = self.config.permalink(&page.path);
        let mut neighbours = serde_json::Map::new();
        for (taxonomy, n) in &page.neighbours {
            let view = Neighbours {
                previous: n.previous.map(|p| self.page_ref(p)),
                next: n.next.map(|p| self.page_ref(p)),
            };
            neighbours.insert(
                taxonomy.clone(),
                serde_json::to_value(view).unwrap_or_default(),
            );
        }
        PageDetail {
            content: rendered.html.clone(),
            toc: TocEntry::tree(&rendered.toc, &permalink),
            higher: page.higher.map(|p| self.page_ref(p)),
            lower: page.lower.map(|p| self.page_ref(p)),
            neighbours,
            related: page.related.iter().map(|&p| self.page_ref(p)).collect(),
            checked,
        }
    }

    pub fn section_view(&self, id: crate::content::SectionId) -> SectionView {
        let section = &self.library.sections[id];
        let rendered = self.rendered.sections[id].as_deref();
        let permalink = self.config.permalink(&section.path);
        SectionView {
            title: section.meta.title.clone().unwrap_or_default(),
            description: section.meta.description.clone(),
            path: self.url_path(&section.path),
            permalink: permalink.clone(),
            relative_path: section
                .source
                .as_ref()
                .map(|s| s.relative.clone())
                .unwrap_or_default(),
            content: rendered.map(|r| r.html.clone()).unwrap_or_default(),
            toc: rendered
                .map(|r| TocEntry::tree(&r.toc, &permalink))
                .unwrap_or_default(),
            pages_count: section.pages.len(),
            subsections: section
                .subsections
                .iter()
                .map(|&s| {
                    let sub = &self.library.sections[s];
                    SubsectionRef {
                        title: sub.meta.title.clone().unwrap_or_default(),
                        description: sub.meta.description.clone(),
                        path: self.url_path(&sub.path),
                        permalink: self.config.permalink(&sub.path),
                        pages_count: sub.pages.len(),
                    }
                })
                .collect(),
            extra: section.meta.extra.clone(),
        }
    }

    pub fn taxonomy_view(&self, taxonomy: &crate::content::Taxonomy) -> TaxonomyView {
        let descriptions = self
            .config
            .taxonomy(&taxonomy.name)
            .map(|t| &t.descriptions);
        TaxonomyView {
            name: taxonomy.name.clone(),
            path: self.url_path(&taxonomy.path),
            permalink: self.config.permalink(&taxonomy.path),
            terms: taxonomy
                .terms
                .iter()
                .map(|term| TermView {
                    name: term.name.clone(),
                    slug: term.slug.clone(),
                    path: self.url_path(&term.path),
                    permalink: self.config.permalink(&term.path),
                    description: descriptions.and_then(|d| {
                        d.iter()
                            .find(|(name, _)| crate::slug::slugify(name) == term.slug)
                            .map(|(_, text)| text.clone())
                    }),
                    pages_count: term.pages.len(),
                })
                .collect(),
        }
    }

    /// `cover.svg` in a bundle -> the page's URL + `cover.svg`; `/img/x.png` -> under the base
    /// URL; absolute URLs unchanged.
    fn resolve_image(&self, image: &str, page_permalink: &str) -> String {
        if image.starts_with("http://") || image.starts_with("https://") {
            image.to_owned()
        } else if let Some(rooted) = image.strip_prefix('/') {
            self.config.permalink(rooted)
        } else {
            format!("{page_permalink}{image}")
        }
    }
}

pub fn page_title(page: &crate::content::Page) -> String {
    page.meta.title.clone().unwrap_or_else(|| page.slug.clone())
}

pub fn reading_time(words: usize, words_per_minute: usize) -> usize {
    words.div_ceil(words_per_minute.max(1)).max(1)
}

/// The summary shown in listings and feeds: the part before `<!-- more -->`, else the front
/// matter's `summary`, else the description, else the first paragraph. The flag says whether
/// the page has more to read than that. Relative URLs in it are made absolute against the
/// page's `permalink`, since listings and feeds show it under other URLs.
pub fn summary_of(
    page: &crate::content::Page,
    rendered: &crate::markdown::Rendered,
    permalink: &str,
) -> (Option<String>, bool) {
    let rebase = |html: &str| crate::markdown::rebase::rebase(html, permalink);
    if let Some(summary) = &rendered.summary {
        return (Some(rebase(summary)), true);
    }
    let escaped = |text: &str| format!("<p>{}</p>", super::escape::html_string(text));
    if let Some(summary) = &page.meta.summary {
        return (Some(escaped(summary)), true);
    }
    if let Some(description) = &page.meta.description {
        return (Some(escaped(description)), !rendered.html.trim().is_empty());
    }
    let has_more = rendered
        .first_paragraph
        .as_ref()
        .is_some_and(|p| p.len() + 16 < rendered.html.trim().len());
    (rendered.first_paragraph.as_deref().map(rebase), has_more)
}
