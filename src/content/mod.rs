//! Content: `content/` loaded into a [`Library`] of sections, pages and taxonomies.
//!
//! 1. [`walk`] discovers files (sorted).
//! 2. Every Markdown file is read and its front matter parsed, in parallel ([`source`]).
//! 3. Pages get their slug, URL path and section; drafts are dropped unless asked for.
//! 4. [`relations`] orders each section, links neighbours and related pages, and builds the
//!    taxonomies.
//!
//! This module never produces HTML: rendering Markdown is `markdown/`'s job, on the library's
//! sources, once every URL is known (so `@/` links can be resolved).

pub mod date;
pub mod frontmatter;
mod relations;
mod source;
pub mod walk;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use self::date::Date;
pub use self::frontmatter::{PageMeta, SectionMeta, SortBy};
pub use self::relations::{Neighbours, Taxonomy, Term, by_date};
pub use self::source::Source;
use crate::config::Config;
use crate::diagnostics::{Collector, Diagnostic, Result};
use crate::slug::slugify;

/// Index of a page in [`Library::pages`].
pub type PageId = usize;
/// Index of a section in [`Library::sections`]; the root section is always 0.
pub type SectionId = usize;

/// A Markdown page: a post, a docs page, the search page...
#[derive(Debug)]
pub struct Page {
    pub source: Source,
    pub meta: PageMeta,
    pub slug: String,
    /// Site path, `/blog/x/`, without the base URL's prefix.
    pub path: String,
    pub section: SectionId,
    /// The folder of a page bundle and the files in it, relative to that folder.
    pub bundle: Option<(PathBuf, Vec<String>)>,
    /// Newer and older neighbours in the section's order.
    pub higher: Option<PageId>,
    pub lower: Option<PageId>,
    /// Previous and next page within the page's first term of each taxonomy.
    pub neighbours: Vec<(String, Neighbours)>,
    pub related: Vec<PageId>,
}

/// A folder with an `_index.md` (or the implicit root).
#[derive(Debug)]
pub struct Section {
    /// `None` for an implicit root section (no `content/_index.md`).
    pub source: Option<Source>,
    pub meta: SectionMeta,
    pub path: String,
    /// Folder relative to `content/`, `""` for the root, `blog` for `blog/_index.md`.
    pub dir: String,
    pub parent: Option<SectionId>,
    pub subsections: Vec<SectionId>,
    /// The section's pages in display order (plus those of transparent subsections).
    pub pages: Vec<PageId>,
}

/// Everything under `content/`, with every URL decided.
#[derive(Debug, Default)]
pub struct Library {
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    pub taxonomies: Vec<Taxonomy>,
    /// Non-Markdown files outside bundles, relative to `content/`.
    pub assets: Vec<String>,
    by_relative: HashMap<String, Item>,
    /// Folders of draft sections left out of this build.
    draft_dirs: Vec<String>,
    /// Draft pages left out of this build, so links to them can say so.
    pub drafts: Vec<Draft>,
}

/// A page left out because it is a draft: where it would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// `blog/x.md`.
    pub relative: String,
    /// `/blog/x/`.
    pub path: String,
}

/// A page or a section, as named by an `@/` link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Page(PageId),
    Section(SectionId),
}

/// How to load: where, and whether drafts are in.
#[derive(Debug, Clone)]
pub struct LoadOptions<'a> {
    pub root: &'a Path,
    pub content_dir: &'a Path,
    pub drafts: bool,
}

impl Library {
    pub fn load(config: &Config, options: &LoadOptions) -> Result<Library> {
        let found = walk::discover(options.content_dir)?;
        let mut errors = Collector::default();
        let taxonomy_names: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();

        let sections: Vec<_> = found
            .sections
            .par_iter()
            .map(|relative| Source::read_section(options, relative))
            .collect();
        let pages: Vec<_> = found
            .pages
            .par_iter()
            .map(|relative| Source::read_page(options, relative, &taxonomy_names))
            .collect();

        let mut library = Library {
            assets: found.assets,
            ..Library::default()
        };
        library.add_sections(
            sections
                .into_iter()
                .filter_map(|s| errors.take(s))
                .collect(),
            options,
        );
        let bundles: HashMap<String, Vec<String>> = found.bundle_assets.into_iter().collect();
        for page in pages.into_iter().filter_map(|p| errors.take(p)) {
            match library.make_page(page, &bundles, options) {
                Ok(page) => library.insert_page(page),
                Err(draft) => library.drafts.push(draft),
            }
        }
        errors.finish()?;
        library.check_unique_paths()?;
        relations::build(&mut library, config);
        Ok(library)
    }

    /// Finds what an `@/` link names: `blog/x.md`, `blog/x/index.md` or `blog/_index.md`.
    pub fn resolve(&self, relative: &str) -> Option<Item> {
        self.by_relative.get(relative).copied()
    }

    pub fn item_path(&self, item: Item) -> &str {
        match item {
            Item::Page(id) => &self.pages[id].path,
            Item::Section(id) => &self.sections[id].path,
        }
    }

    /// Whether `relative` (under content/) is a known asset: a loose file or a bundle file.
    pub fn has_asset(&self, relative: &str) -> bool {
        self.assets.iter().any(|a| a == relative)
            || self.pages.iter().any(|page| {
                page.bundle.as_ref().is_some_and(|(_, files)| {
                    let bundle_dir = page.source.relative.trim_end_matches("index.md");
                    relative
                        .strip_prefix(bundle_dir)
                        .is_some_and(|rest| files.iter().any(|f| f == rest))
                })
            })
    }

    pub fn root(&self) -> &Section {
        &self.sections[0]
    }

    fn add_sections(&mut self, mut sources: Vec<(Source, SectionMeta)>, options: &LoadOptions) {
        // The root always exists and comes first, even without `content/_index.md`.
        sources.sort_by(|a, b| {
            depth(&a.0.relative)
                .cmp(&depth(&b.0.relative))
                .then(a.0.relative.cmp(&b.0.relative))
        });
        if sources
            .first()
            .is_none_or(|(s, _)| s.relative != "_index.md")
        {
            self.sections.push(Section {
                source: None,
                meta: SectionMeta::default(),
                path: "/".into(),
                dir: String::new(),
                parent: None,
                subsections: Vec::new(),
                pages: Vec::new(),
            });
        }
        for (source, meta) in sources {
            let dir = source
                .relative
                .trim_end_matches("_index.md")
                .trim_end_matches('/')
                .to_owned();
            if (meta.draft || self.section_is_draft(&dir)) && !options.drafts {
                self.draft_dirs.push(dir);
                continue;
            }
            let path = url_path_of_dir(&dir);
            let parent = (!dir.is_empty()).then(|| self.section_for_dir(parent_dir(&dir)));
            let id = self.sections.len();
            if let Some(parent) = parent {
                self.sections[parent].subsections.push(id);
            }
            self.by_relative
                .insert(source.relative.clone(), Item::Section(id));
            self.sections.push(Section {
                source: Some(source),
                meta,
                path,
                dir,
                parent,
                subsections: Vec::new(),
                pages: Vec::new(),
            });
        }
    }

    /// The deepest section whose folder contains `dir` (the root if none).
    fn section_for_dir(&self, mut dir: &str) -> SectionId {
        loop {
            if let Some(id) = self.sections.iter().position(|s| s.dir == dir) {
                return id;
            }
            if dir.is_empty() {
                return 0;
            }
            dir = parent_dir(dir);
        }
    }

    fn make_page(
        &self,
        (source, meta): (Source, PageMeta),
        bundles: &HashMap<String, Vec<String>>,
        options: &LoadOptions,
    ) -> std::result::Result<Page, Draft> {
        let is_bundle = source.relative.ends_with("/index.md");
        let dir = if is_bundle {
            parent_dir(source.relative.trim_end_matches("/index.md"))
        } else {
            parent_dir(&source.relative)
        };
        let section = self.section_for_dir(dir);
        let (slug, _) = page_slug(&source.relative, meta.slug.as_deref());
        let path = match meta.path.as_deref() {
            Some(custom) => normalise_custom_path(custom),
            None => format!("{}{}/", url_path_of_dir(dir), slug),
        };
        if (meta.draft || self.section_is_draft(dir)) && !options.drafts {
            return Err(Draft {
                relative: source.relative,
                path,
            });
        }
        let bundle = is_bundle.then(|| {
            let folder = source
                .absolute
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (
                folder,
                bundles.get(&source.relative).cloned().unwrap_or_default(),
            )
        });
        Ok(Page {
            source,
            meta,
            slug,
            path,
            section,
            bundle,
            higher: None,
            lower: None,
            neighbours: Vec::new(),
            related: Vec::new(),
        })
    }

    /// Whether `dir` is, or is inside, a draft section that was left out.
    fn section_is_draft(&self, dir: &str) -> bool {
        self.draft_dirs
            .iter()
            .any(|d| dir == d || dir.starts_with(&format!("{d}/")))
    }

    fn insert_page(&mut self, mut page: Page) {
        // Dates in file names (`2026-01-02-title.md`), as Zola supports, when the front matter has none.
        if page.meta.date.is_none() {
            page.meta.date = page_slug(&page.source.relative, None).1;
        }
        let id = self.pages.len();
        self.by_relative
            .insert(page.source.relative.clone(), Item::Page(id));
        self.pages.push(page);
    }

    /// Two pages (or a page and a section) rendering to the same URL would overwrite each other.
    fn check_unique_paths(&self) -> Result<()> {
        let mut owners: HashMap<&str, &str> = HashMap::new();
        let mut errors = Collector::default();
        let sections = self
            .sections
            .iter()
            .filter_map(|s| s.source.as_ref().map(|src| (s.path.as_str(), src)));
        let pages = self.pages.iter().map(|p| (p.path.as_str(), &p.source));
        for (path, source) in sections.chain(pages) {
            if let Some(first) = owners.insert(path, &source.display) {
                errors.push(
                    Diagnostic::error(
                        "content/duplicate-path",
                        format!("{} and {first} both render to {path}", source.display),
                    )
                    .at(crate::diagnostics::Location::new(
                        source.display.clone(),
                        1,
                        1,
                    ))
                    .hint("give one of them a different `slug` or `path` in its front matter"),
                );
            }
        }
        errors.finish().map(drop)
    }
}

fn depth(relative: &str) -> usize {
    relative.matches('/').count()
}

fn parent_dir(relative: &str) -> &str {
    relative.rfind('/').map_or("", |i| &relative[..i])
}

/// `blog/ops` -> `/blog/ops/`, each folder name slugified.
fn url_path_of_dir(dir: &str) -> String {
    let mut path = String::from("/");
    for part in dir.split('/').filter(|p| !p.is_empty()) {
        path.push_str(&slugify(part));
        path.push('/');
    }
    path
}

/// A custom `path` from front matter, made absolute with a trailing slash (unless it names a
/// file such as `/feed.xml`).
fn normalise_custom_path(custom: &str) -> String {
    let trimmed = custom.trim().trim_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        format!("/{trimmed}")
    } else {
        format!("/{trimmed}/")
    }
}

/// The slug of a page from its file name (or bundle folder), and a date prefix if the name
/// has one (`2026-01-02-title.md`).
fn page_slug(relative: &str, custom: Option<&str>) -> (String, Option<Date>) {
    let stem = relative
        .trim_end_matches("/index.md")
        .trim_end_matches(".md");
    let name = stem.rsplit('/').next().unwrap_or(stem);
    let (date, rest) = match name
        .get(..10)
        .and_then(|prefix| prefix.parse::<Date>().ok())
    {
        Some(date) if matches!(name.as_bytes().get(10), Some(b'-' | b'_')) => {
            (Some(date), &name[11..])
        }
        _ => (None, name),
    };
    let slug = custom.map_or_else(|| slugify(rest), |s| s.trim().trim_matches('/').to_owned());
    (slug, date)
}

#[cfg(test)]
mod tests {
    use super::{normalise_custom_path, page_slug, url_path_of_dir};

    #[test]
    fn slugs_come_from_file_or_bundle_names() {
        assert_eq!(page_slug("blog/My Post.md", None).0, "my-post");
        assert_eq!(page_slug("blog/post/index.md", None).0, "post");
        assert_eq!(page_slug("blog/x.md", Some("custom")).0, "custom");
    }

    #[test]
    fn date_prefixes_give_a_date_and_leave_the_slug() {
        let (slug, date) = page_slug("blog/2026-01-02-hello.md", None);
        assert_eq!(slug, "hello");
        assert_eq!(date.unwrap().rfc3339(), "2026-01-02T00:00:00Z");
    }

    #[test]
    fn url_paths() {
        assert_eq!(url_path_of_dir(""), "/");
        assert_eq!(url_path_of_dir("blog/Ops"), "/blog/ops/");
        assert_eq!(normalise_custom_path("about"), "/about/");
        assert_eq!(normalise_custom_path("/feed.xml"), "/feed.xml");
    }
}
