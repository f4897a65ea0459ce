//! The rendering stages of a [`Site`]: Markdown, shared values, template jobs, generated files
//! and static files, each kept in its own layer so a rebuild can redo one without the others.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use tera::Value;

use super::{Mode, RenderedContent, Site, display};
use crate::content::{Library, PageId};
use crate::diagnostics::{Collector, Diagnostic, Error, Result};
use crate::links::{LinkTable, check_anchors};
use crate::markdown::{Input, MarkdownRenderer, Rendered};
use crate::output::feeds::{self, FeedEntry, FeedInfo};
use crate::output::search::{self, SearchDocument};
use crate::output::sitemap::{self, SitemapEntry};
use crate::output::{Output, OutputBuilder, OutputFile, Precedence, file_for_path};
use crate::templates::Lookup;
use crate::templates::functions::Entries;
use crate::templates::layout::{Job, Layout, SiteValues, redirect_page};
use crate::templates::views::{FeedLink, ViewBuilder, merge, page_title, summary_of, to_value};

/// A job named by what it renders rather than by index, so it survives a library reload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JobKey {
    Page(String),
    Section(String),
    TaxonomyList(String),
    Term(String, String),
    NotFound,
}

/// What the last build computed that the next one may reuse.
#[derive(Default)]
pub struct Memo {
    /// Rendered Markdown by source file, with the hash of everything it depended on.
    pub markdown: HashMap<String, (blake3::Hash, Arc<Rendered>)>,
    /// The shared values of the last build (page summaries, sections, taxonomies).
    pub values: Option<SiteValues>,
    /// Page path -> page id, as `get_page` looks pages up; valid while no page moves.
    pub page_index: Option<Arc<HashMap<String, usize>>>,
    /// The files each job produced.
    pub job_files: HashMap<JobKey, Vec<String>>,
    /// Templates that call `get_page`, `get_section` or `get_taxonomy`, directly or through
    /// the templates they extend, include or import: their output may depend on any page.
    pub lookup_templates: HashSet<String>,
    /// Templates that read a listing's whole page list: an edit re-renders all their pagers.
    pub full_list_templates: HashSet<String>,
    /// `style.css` -> the URL name templates get from `asset_url`.
    pub fingerprints: HashMap<String, String>,
    /// The link table of the last whole Markdown pass, with its fingerprint. It stays valid
    /// while no page moves, so re-rendering one page need not rebuild it.
    pub links: Option<(LinkTable, blake3::Hash)>,
    /// The feeds of the last build, so an edit regenerates only those listing the page.
    pub feeds: Vec<FeedPlan>,
    /// Each page's object in the search index (`None`: not in the index), by page id.
    pub search: Vec<Option<String>>,
}

impl Memo {
    pub fn scan_templates(&mut self, templates: &crate::templates::Templates) {
        self.lookup_templates = super::deps::lookup_templates(templates.sources());
        self.full_list_templates = super::deps::full_list_templates(templates.sources());
    }
}

/// One feed (RSS and/or Atom): where it goes, its title, and the pages it lists, already cut
/// at `[feeds] limit`.
pub struct FeedPlan {
    path: String,
    title: String,
    site_url: String,
    pub pages: Vec<PageId>,
}

/// A template job, or only some of its pagers (by index), to render again.
pub type Part = (Job, Option<Vec<usize>>);

/// A source's rendered Markdown (or its errors), with the cache key it was rendered under.
type Outcome = (
    String,
    blake3::Hash,
    std::result::Result<Arc<Rendered>, Vec<Diagnostic>>,
);

/// What rendering one Markdown source needs: the renderer, the link table, and the memo of
/// earlier renderings to reuse.
struct MarkdownPass<'a> {
    renderer: MarkdownRenderer<'a>,
    links: &'a LinkTable,
    links_key: blake3::Hash,
    settings_key: blake3::Hash,
    plain_text_limit: usize,
    memo: &'a HashMap<String, (blake3::Hash, Arc<Rendered>)>,
    badges: &'a super::Badges,
}

impl MarkdownPass<'_> {
    /// The source's rendering, taken from the memo when its key is unchanged.
    fn render(&self, source: &crate::content::Source) -> Outcome {
        let page_badges = self
            .badges
            .get(&source.relative)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let key = markdown_key(source, &self.settings_key, &self.links_key, page_badges);
        if let Some((cached_key, rendered)) = self.memo.get(&source.relative)
            && *cached_key == key
        {
            return (source.relative.clone(), key, Ok(rendered.clone()));
        }
        let result = self
            .renderer
            .render(&Input {
                body: &source.body,
                file: &source.display,
                first_line: source.body_line,
                links: self.links,
                plain_text_limit: self.plain_text_limit,
                badges: page_badges,
            })
            .map(Arc::new);
        (source.relative.clone(), key, result)
    }
}

/// The output, in layers that are rebuilt independently and merged.
#[derive(Default)]
pub struct Layers {
    /// Static files of the theme and the site, fingerprinted copies, highlight.css.
    pub statics: Output,
    /// HTML rendered by templates.
    pub pages: Output,
    /// Feeds, sitemap, search index, aliases, content assets.
    pub generated: Output,
    /// Files that yield to anything else at the same path (robots.txt).
    pub defaults: Output,
    /// Collisions inside the generated layer (two aliases, an alias and an asset): the layer
    /// keeps one file per path, so they are reported when the layers merge.
    pub generated_errors: Vec<Diagnostic>,
}

impl Layers {
    pub fn merge(&self) -> Result<Output> {
        let mut builder = OutputBuilder {
            output: self.statics.clone(),
            errors: Collector::default(),
        };
        builder.errors.extend(self.generated_errors.iter().cloned());
        for layer in [&self.pages, &self.generated] {
            for file in layer.shared_files() {
                builder.add(file.clone());
            }
        }
        for file in self.defaults.shared_files() {
            builder.add_with(file.clone(), Precedence::Fallback);
        }
        builder.finish()
    }
}

impl Site {
    /// Renders the Markdown of every page and section, reusing what the memo holds for
    /// unchanged sources, then checks anchors across the whole site.
    pub(super) fn render_markdown(&mut self) -> Result<()> {
        let links = LinkTable::new(&self.library, &self.config);
        let links_key = links.fingerprint();
        let (pages, sections) = {
            let pass = self.markdown_pass(&links, links_key);
            let render = |source: &crate::content::Source| pass.render(source);
            let pages: Vec<Outcome> = self
                .library
                .pages
                .par_iter()
                .map(|page| render(&page.source))
                .collect();
            let sections: Vec<Option<Outcome>> = self
                .library
                .sections
                .par_iter()
                .map(|section| section.source.as_ref().map(render))
                .collect();
            (pages, sections)
        };
        let mut errors = Collector::default();
        let mut warnings = Vec::new();
        let mut markdown = HashMap::with_capacity(pages.len() + sections.len());
        let mut keep = |(relative, key, result): Outcome| match result {
            Ok(rendered) => {
                warnings.extend(rendered.warnings.iter().cloned());
                markdown.insert(relative, (key, rendered.clone()));
                rendered
            }
            Err(diagnostics) => {
                errors.extend(diagnostics);
                Arc::new(Rendered::default())
            }
        };
        let pages: Vec<Arc<Rendered>> = pages.into_iter().map(&mut keep).collect();
        let sections: Vec<Option<Arc<Rendered>>> =
            sections.into_iter().map(|s| s.map(&mut keep)).collect();
        errors.finish()?;
        check_anchors(&self.library, &pages, &sections)?;
        self.memo.markdown = markdown;
        self.memo.links = Some((links, links_key));
        self.rendered = RenderedContent { pages, sections };
        self.warnings = warnings;
        Ok(())
    }

    /// Re-renders the Markdown of `ids` alone, after edits that moved no page (so the link
    /// table of the last whole pass still holds), then checks anchors across the site again:
    /// an edit can remove a heading another page links to.
    pub(super) fn render_markdown_of(&mut self, ids: &[PageId]) -> Result<()> {
        let Some((links, links_key)) = self.memo.links.take() else {
            return self.render_markdown();
        };
        let outcomes: Vec<(PageId, Outcome)> = {
            let pass = self.markdown_pass(&links, links_key);
            ids.par_iter()
                .map(|&id| (id, pass.render(&self.library.pages[id].source)))
                .collect()
        };
        self.memo.links = Some((links, links_key));
        let mut errors = Collector::default();
        for (id, (relative, key, result)) in outcomes {
            match result {
                Ok(rendered) => {
                    self.memo.markdown.insert(relative, (key, rendered.clone()));
                    self.rendered.pages[id] = rendered;
                }
                Err(diagnostics) => errors.extend(diagnostics),
            }
        }
        errors.finish()?;
        check_anchors(&self.library, &self.rendered.pages, &self.rendered.sections)?;
        let rendered = &self.rendered;
        self.warnings = rendered
            .pages
            .iter()
            .chain(rendered.sections.iter().flatten())
            .flat_map(|r| r.warnings.iter().cloned())
            .collect();
        Ok(())
    }

    fn markdown_pass<'a>(
        &'a self,
        links: &'a LinkTable,
        links_key: blake3::Hash,
    ) -> MarkdownPass<'a> {
        MarkdownPass {
            renderer: MarkdownRenderer {
                config: &self.config.markdown,
                highlighter: &self.highlighter,
                line_numbers_default: self.config.highlighting.line_numbers,
            },
            links,
            links_key,
            settings_key: renderer_settings(&self.config),
            plain_text_limit: if self.config.search.enabled {
                self.config.search.max_body_chars
            } else {
                0
            },
            memo: &self.memo.markdown,
            badges: &self.badges,
        }
    }

    /// Recomputes the shared values (summaries, sections, taxonomies) and the lookup table.
    /// `reuse` keeps the summary values of pages known to be unchanged.
    pub(super) fn refresh_values_with(&mut self, reuse: Option<(&[Value], &HashSet<PageId>)>) {
        let views = ViewBuilder {
            config: &self.config,
            library: &self.library,
            rendered: &self.rendered,
        };
        // Values are reused only while every page keeps its id.
        let reuse = reuse.filter(|(previous, _)| previous.len() == self.library.pages.len());
        let pages: Vec<Value> = match reuse {
            Some((previous, changed)) => (0..self.library.pages.len())
                .into_par_iter()
                .map(|id| {
                    if changed.contains(&id) {
                        to_value(&views.page_summary(id))
                    } else {
                        previous[id].clone()
                    }
                })
                .collect(),
            None => (0..self.library.pages.len())
                .into_par_iter()
                .map(|id| to_value(&views.page_summary(id)))
                .collect(),
        };
        let values = site_values(&views, pages);
        // Pages keep their ids and paths when values are reused: so does the index.
        let page_index = self.memo.page_index.take().filter(|_| reuse.is_some());
        let lookup = lookup(
            &self.config,
            &self.library,
            &values,
            page_index,
            self.memo.fingerprints.clone(),
        );
        self.memo.page_index = Some(lookup.pages.index.clone());
        self.templates.set_lookup(lookup);
        self.memo.values = Some(values);
    }

    pub(super) fn refresh_values(&mut self) {
        self.refresh_values_with(None);
    }

    /// Renders every job, replacing the pages layer. Returns how many jobs were rendered.
    pub(super) fn render_jobs(&mut self) -> Result<usize> {
        let Some(values) = self.memo.values.as_ref() else {
            return Ok(0);
        };
        let views = ViewBuilder {
            config: &self.config,
            library: &self.library,
            rendered: &self.rendered,
        };
        let checked = self.checked_labels(0..self.library.pages.len());
        let layout = self.layout(&views, values, &checked);
        let results: Vec<(JobKey, Result<Vec<OutputFile>>)> = layout
            .jobs()
            .par_iter()
            .map(|&job| (job_key(&self.library, job), layout.render(job)))
            .collect();
        let mut errors = Collector::default();
        let mut rendered = Vec::new();
        for (key, result) in results {
            if let Some(files) = errors.take(result) {
                rendered.push((key, files));
            }
        }
        errors.finish()?;
        self.layers.pages = Output::default();
        self.memo.job_files.clear();
        let count = rendered.len();
        let mut collisions = Collector::default();
        for (key, files) in rendered {
            self.memo
                .job_files
                .insert(key, files.iter().map(|f| f.path.clone()).collect());
            for file in files {
                self.layers
                    .pages
                    .insert(file, Precedence::Unique, &mut collisions);
            }
        }
        collisions.finish()?;
        Ok(count)
    }

    /// The layout every job of this build renders through.
    pub(super) fn layout<'a>(
        &'a self,
        views: &'a ViewBuilder<'a>,
        values: &'a SiteValues,
        checked: &'a HashMap<PageId, Vec<String>>,
    ) -> Layout<'a> {
        Layout {
            views,
            templates: &self.templates,
            values,
            feeds: site_feed_links(&self.config),
            checked,
        }
    }

    /// The snippet check labels of `pages` that have some, as page templates receive them.
    fn checked_labels(&self, pages: impl Iterator<Item = PageId>) -> HashMap<PageId, Vec<String>> {
        pages
            .filter_map(|id| {
                self.badges
                    .get(&self.library.pages[id].source.relative)
                    .map(|b| (id, b.iter().map(|(_, label)| label.clone()).collect()))
            })
            .collect()
    }

    /// Renders `parts` again after edits that moved no page: every file keeps its path, so
    /// each replaces the one before. Returns the files, to patch the merged output with.
    pub(super) fn render_parts(&mut self, parts: &[Part]) -> Result<Vec<OutputFile>> {
        let Some(values) = self.memo.values.as_ref() else {
            return Ok(Vec::new());
        };
        let views = ViewBuilder {
            config: &self.config,
            library: &self.library,
            rendered: &self.rendered,
        };
        let pages = parts.iter().filter_map(|(job, _)| match job {
            Job::Page(id) => Some(*id),
            _ => None,
        });
        let checked = self.checked_labels(pages);
        let layout = self.layout(&views, values, &checked);
        let files = crate::templates::layout::gather(
            parts
                .par_iter()
                .map(|(job, pagers)| match pagers {
                    Some(pagers) => layout.render_pagers(*job, pagers),
                    None => layout.render(*job),
                })
                .collect(),
        )?;
        for file in &files {
            self.layers.pages.replace(file.clone());
        }
        Ok(files)
    }

    /// Feeds, sitemap, robots.txt, search index, aliases and content assets.
    pub(super) fn render_generated(&mut self) {
        let (config, library, rendered) = (&self.config, &self.library, &self.rendered);
        let views = ViewBuilder {
            config,
            library,
            rendered,
        };
        let plans = feed_plans(config, library);
        let search: Vec<Option<String>> = if config.search.enabled {
            (0..library.pages.len())
                .into_par_iter()
                .map(|id| search_fragment(&views, id))
                .collect()
        } else {
            Vec::new()
        };
        let mut generated = Output::default();
        let mut errors = Collector::default();
        let mut add = |file: OutputFile| generated.insert(file, Precedence::Unique, &mut errors);
        add_aliases(&mut add, config, library);
        for plan in &plans {
            feed_files(&mut add, config, library, rendered, plan);
        }
        add_assets(&mut add, &self.paths.content, library);
        add(sitemap_file(config, library));
        if config.search.enabled {
            add(search_file(&search));
        }
        // Collisions inside the generated layer (two aliases, an alias and an asset) surface
        // when layers merge; keep the first file here.
        let generated_errors = errors.finish().err().map(|e| e.diagnostics);
        let mut defaults = Output::default();
        defaults.replace(OutputFile::bytes(
            "robots.txt",
            sitemap::robots(&config.base_url),
            "galley's robots.txt",
        ));
        self.layers.generated = generated;
        self.layers.generated_errors = generated_errors.unwrap_or_default();
        self.layers.defaults = defaults;
        self.memo.feeds = plans;
        self.memo.search = search;
    }

    /// After edits of `modified` pages that moved none: regenerates only the feeds listing
    /// them, their objects in the search index, and the sitemap when `sitemap` says their
    /// dates changed. Aliases, assets and robots.txt cannot have changed. Returns the files
    /// replaced, to patch the merged output with.
    pub(super) fn patch_generated(
        &mut self,
        modified: &[PageId],
        sitemap: bool,
    ) -> Vec<OutputFile> {
        let (config, library, rendered) = (&self.config, &self.library, &self.rendered);
        let views = ViewBuilder {
            config,
            library,
            rendered,
        };
        let mut files = Vec::new();
        let mut add = |file: OutputFile| files.push(file);
        for plan in &self.memo.feeds {
            if plan.pages.iter().any(|p| modified.contains(p)) {
                feed_files(&mut add, config, library, rendered, plan);
            }
        }
        if sitemap {
            add(sitemap_file(config, library));
        }
        if config.search.enabled {
            if self.memo.search.len() == library.pages.len() {
                for &id in modified {
                    self.memo.search[id] = search_fragment(&views, id);
                }
            } else {
                self.memo.search = (0..library.pages.len())
                    .into_par_iter()
                    .map(|id| search_fragment(&views, id))
                    .collect();
            }
            add(search_file(&self.memo.search));
        }
        for file in &files {
            self.layers.generated.replace(file.clone());
        }
        files
    }

    /// Static folders (theme, then site), the generated stylesheet, and fingerprinted copies
    /// of stylesheets and scripts (published builds only).
    pub(super) fn render_statics(&mut self) -> Result<Output> {
        let mut output = Output::default();
        let mut errors = Collector::default();
        let mut fingerprints = HashMap::new();
        let mut hashed: Vec<(String, blake3::Hash, Option<PathBuf>)> = Vec::new();
        let stylesheet = self.highlighter.stylesheet();
        for dir in self.paths.static_dirs().iter().filter(|d| d.is_dir()) {
            for entry in walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .follow_links(true)
            {
                let entry = entry.map_err(|e| crate::content::walk::walk_error(dir, e))?;
                let name = entry.file_name().to_string_lossy();
                if !entry.file_type().is_file() || crate::content::walk::is_ignored_name(&name) {
                    continue;
                }
                let relative = display(dir, entry.path());
                if relative.ends_with(".css") || relative.ends_with(".js") {
                    let bytes = std::fs::read(entry.path())
                        .map_err(|e| Error::io("read", entry.path(), e))?;
                    hashed.retain(|(r, _, _)| *r != relative);
                    hashed.push((
                        relative.clone(),
                        blake3::hash(&bytes),
                        Some(entry.path().to_path_buf()),
                    ));
                }
                let origin = display(&self.paths.root, entry.path());
                output.insert(
                    OutputFile::copy(relative, entry.path().to_path_buf(), origin),
                    Precedence::Override,
                    &mut errors,
                );
            }
        }
        if output.get("highlight.css").is_none() {
            output.replace(OutputFile::bytes(
                "highlight.css",
                stylesheet.clone(),
                "galley's highlight.css",
            ));
            hashed.push((
                "highlight.css".into(),
                blake3::hash(stylesheet.as_bytes()),
                None,
            ));
        }
        for (relative, hash, source) in hashed {
            if self.options.mode == Mode::Serve {
                fingerprints.insert(relative.clone(), relative);
                continue;
            }
            let name = fingerprinted(&relative, &hash);
            let file = match source {
                Some(source) => {
                    OutputFile::copy(name.clone(), source, "a fingerprinted static file")
                }
                None => {
                    OutputFile::bytes(name.clone(), stylesheet.clone(), "galley's highlight.css")
                }
            };
            output.replace(file);
            fingerprints.insert(relative, name);
        }
        errors.finish()?;
        self.memo.fingerprints = fingerprints;
        Ok(output)
    }
}

/// What a page's rendered Markdown depends on: its source, the URLs its `@/` links resolve
/// to, and the snippet badges of its code blocks.
fn markdown_key(
    source: &crate::content::Source,
    settings_key: &blake3::Hash,
    links_key: &blake3::Hash,
    badges: &[(usize, String)],
) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(source.hash.as_bytes());
    hasher.update(settings_key.as_bytes());
    if source.links_out {
        hasher.update(links_key.as_bytes());
    }
    for (index, label) in badges {
        hasher.update(&index.to_le_bytes());
        hasher.update(label.as_bytes());
    }
    hasher.finalize()
}

/// Everything in site.toml that changes how Markdown renders.
fn renderer_settings(config: &crate::config::Config) -> blake3::Hash {
    let settings = serde_json::json!({
        "markdown": config.markdown,
        "highlighting": config.highlighting,
        "search": config.search,
        "version": env!("CARGO_PKG_VERSION"),
    });
    blake3::hash(settings.to_string().as_bytes())
}

pub fn job_key(library: &Library, job: Job) -> JobKey {
    match job {
        Job::Page(id) => JobKey::Page(library.pages[id].source.relative.clone()),
        Job::Section(id) => JobKey::Section(library.sections[id].dir.clone()),
        Job::TaxonomyList(t) => JobKey::TaxonomyList(library.taxonomies[t].name.clone()),
        Job::Term(t, term) => {
            let taxonomy = &library.taxonomies[t];
            JobKey::Term(taxonomy.name.clone(), taxonomy.terms[term].slug.clone())
        }
        Job::NotFound => JobKey::NotFound,
    }
}

pub fn site_values(views: &ViewBuilder, pages: Vec<Value>) -> SiteValues {
    let library = views.library;
    let sections: Vec<Value> = (0..library.sections.len())
        .map(|id| {
            let list: Vec<Value> = library.sections[id]
                .pages
                .iter()
                .map(|&p| pages[p].clone())
                .collect();
            merge(
                &to_value(&views.section_view(id)),
                [("pages", Value::from(list))],
            )
        })
        .collect();
    let taxonomies: Vec<Value> = library
        .taxonomies
        .iter()
        .map(|taxonomy| {
            let view = views.taxonomy_view(taxonomy);
            let terms: Vec<Value> = view
                .terms
                .iter()
                .zip(&taxonomy.terms)
                .map(|(term_view, term)| {
                    let list: Vec<Value> = term.pages.iter().map(|&p| pages[p].clone()).collect();
                    merge(&to_value(term_view), [("pages", Value::from(list))])
                })
                .collect();
            merge(&to_value(&view), [("terms", Value::from(terms))])
        })
        .collect();
    SiteValues {
        pages: Arc::new(pages),
        sections: Arc::new(sections),
        taxonomies: Arc::new(taxonomies),
    }
}

/// What `get_page`, `get_section` and `get_taxonomy` find. `pages` is the previous build's
/// index of page paths, when no page moved since.
fn lookup(
    config: &crate::config::Config,
    library: &Library,
    values: &SiteValues,
    pages: Option<Arc<HashMap<String, usize>>>,
    fingerprints: HashMap<String, String>,
) -> Lookup {
    let pages = pages.unwrap_or_else(|| {
        Arc::new(
            library
                .pages
                .iter()
                .enumerate()
                .map(|(id, p)| (p.source.relative.clone(), id))
                .collect(),
        )
    });
    let sections = library
        .sections
        .iter()
        .enumerate()
        .filter_map(|(id, s)| s.source.as_ref().map(|src| (src.relative.clone(), id)))
        .collect();
    let taxonomies = library
        .taxonomies
        .iter()
        .enumerate()
        .map(|(id, t)| (t.name.clone(), id))
        .collect();
    Lookup {
        base_url: config.base_url.clone(),
        pages: Entries {
            index: pages,
            values: values.pages.clone(),
        },
        sections: Entries {
            index: Arc::new(sections),
            values: values.sections.clone(),
        },
        taxonomies: Entries {
            index: Arc::new(taxonomies),
            values: values.taxonomies.clone(),
        },
        fingerprints,
    }
}

fn site_feed_links(config: &crate::config::Config) -> Vec<FeedLink> {
    let mut links = Vec::new();
    if config.feeds.atom {
        links.push(FeedLink {
            title: config.title.clone(),
            url: config.permalink("atom.xml"),
            mime: "application/atom+xml",
        });
    }
    if config.feeds.rss {
        links.push(FeedLink {
            title: format!("{} (RSS)", config.title),
            url: config.permalink("rss.xml"),
            mime: "application/rss+xml",
        });
    }
    links
}

/// `css/style.css` -> `css/style.1a2b3c4d5e.css`.
fn fingerprinted(relative: &str, hash: &blake3::Hash) -> String {
    let short = &hash.to_hex()[..10];
    match relative.rsplit_once('.') {
        Some((stem, extension)) if !stem.ends_with('/') => format!("{stem}.{short}.{extension}"),
        _ => format!("{relative}.{short}"),
    }
}

fn add_aliases(
    add: &mut impl FnMut(OutputFile),
    config: &crate::config::Config,
    library: &Library,
) {
    let pages = library
        .pages
        .iter()
        .map(|p| (&p.meta.aliases, &p.path, p.source.display.as_str()));
    let sections = library.sections.iter().filter_map(|s| {
        s.source
            .as_ref()
            .map(|src| (&s.meta.aliases, &s.path, src.display.as_str()))
    });
    for (aliases, path, origin) in pages.chain(sections) {
        for alias in aliases {
            let trimmed = alias.trim().trim_matches('/');
            let last = trimmed.rsplit('/').next().unwrap_or_default();
            let alias_path = if last.contains('.') {
                format!("/{trimmed}")
            } else {
                format!("/{trimmed}/")
            };
            let html = redirect_page(&config.permalink(path));
            add(OutputFile::bytes(
                file_for_path(&alias_path),
                html,
                format!("an alias of {origin}"),
            ));
        }
    }
}

fn feed_entry(
    config: &crate::config::Config,
    library: &Library,
    rendered: &RenderedContent,
    id: PageId,
) -> FeedEntry {
    let page = &library.pages[id];
    let permalink = config.permalink(&page.path);
    // Feed readers resolve relative URLs against the feed, not the page: rebase them.
    let content = if config.feeds.full_content {
        crate::markdown::rebase::rebase(&rendered.pages[id].html, &permalink)
    } else {
        summary_of(page, &rendered.pages[id], &permalink)
            .0
            .unwrap_or_default()
    };
    FeedEntry {
        title: page_title(page),
        permalink,
        date: page.meta.date,
        updated: page.meta.updated,
        content,
        categories: page.meta.taxonomies.values().flatten().cloned().collect(),
        authors: page.meta.authors.clone(),
    }
}

/// The site feed (every dated page, newest first), then one per term of each taxonomy with
/// `feed = true`.
fn feed_plans(config: &crate::config::Config, library: &Library) -> Vec<FeedPlan> {
    let limit = config.feeds.limit;
    let mut dated: Vec<PageId> = (0..library.pages.len())
        .filter(|&id| library.pages[id].meta.date.is_some())
        .collect();
    dated.sort_by(|&a, &b| crate::content::by_date(&library.pages[a], &library.pages[b]));
    dated.truncate(limit);
    let mut plans = vec![FeedPlan {
        path: String::new(),
        title: config.title.clone(),
        site_url: config.base_url.clone(),
        pages: dated,
    }];
    for taxonomy in &library.taxonomies {
        if !config.taxonomy(&taxonomy.name).is_some_and(|t| t.feed) {
            continue;
        }
        for term in &taxonomy.terms {
            let pages: Vec<PageId> = term
                .pages
                .iter()
                .copied()
                .filter(|&p| library.pages[p].meta.date.is_some())
                .take(limit)
                .collect();
            plans.push(FeedPlan {
                path: term.path.trim_start_matches('/').to_owned(),
                title: format!("{} — {}", config.title, term.name),
                site_url: config.permalink(&term.path),
                pages,
            });
        }
    }
    plans
}

/// The RSS and Atom files of one feed, as site.toml asks for them.
fn feed_files(
    add: &mut impl FnMut(OutputFile),
    config: &crate::config::Config,
    library: &Library,
    rendered: &RenderedContent,
    plan: &FeedPlan,
) {
    let path = &plan.path;
    let entries: Vec<FeedEntry> = plan
        .pages
        .iter()
        .map(|&id| feed_entry(config, library, rendered, id))
        .collect();
    let info = |file: &str| FeedInfo {
        title: plan.title.clone(),
        description: config.description.clone(),
        site_url: plan.site_url.clone(),
        feed_url: config.permalink(&format!("{path}{file}")),
        language: config.language.clone(),
        author: config.author.clone(),
    };
    let origin = format!(
        "the feed of {}",
        if path.is_empty() { "the site" } else { path }
    );
    if config.feeds.rss {
        add(OutputFile::bytes(
            format!("{path}rss.xml"),
            feeds::rss(&info("rss.xml"), &entries),
            origin.clone(),
        ));
    }
    if config.feeds.atom {
        add(OutputFile::bytes(
            format!("{path}atom.xml"),
            feeds::atom(&info("atom.xml"), &entries),
            origin,
        ));
    }
}

fn add_assets(add: &mut impl FnMut(OutputFile), content_dir: &std::path::Path, library: &Library) {
    for asset in &library.assets {
        add(OutputFile::copy(
            asset.clone(),
            content_dir.join(asset),
            format!("content/{asset}"),
        ));
    }
    for page in &library.pages {
        let Some((dir, files)) = &page.bundle else {
            continue;
        };
        let file = file_for_path(&page.path);
        let base = file
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| format!("{d}/"));
        for asset in files {
            add(OutputFile::copy(
                format!("{base}{asset}"),
                dir.join(asset),
                page.source.display.clone(),
            ));
        }
    }
}

fn sitemap_entries(config: &crate::config::Config, library: &Library) -> Vec<SitemapEntry> {
    let pages = library.pages.iter().map(|p| SitemapEntry {
        permalink: config.permalink(&p.path),
        lastmod: p.meta.updated.or(p.meta.date).map(|d| d.rfc3339()),
    });
    let sections = library
        .sections
        .iter()
        .filter(|s| s.meta.render)
        .map(|s| SitemapEntry {
            permalink: config.permalink(&s.path),
            lastmod: None,
        });
    let taxonomies = library.taxonomies.iter().flat_map(|t| {
        std::iter::once(SitemapEntry {
            permalink: config.permalink(&t.path),
            lastmod: None,
        })
        .chain(t.terms.iter().map(|term| SitemapEntry {
            permalink: config.permalink(&term.path),
            lastmod: None,
        }))
    });
    pages.chain(sections).chain(taxonomies).collect()
}

fn sitemap_file(config: &crate::config::Config, library: &Library) -> OutputFile {
    OutputFile::bytes(
        "sitemap.xml",
        sitemap::sitemap(&sitemap_entries(config, library)),
        "galley's sitemap",
    )
}

fn search_file(fragments: &[Option<String>]) -> OutputFile {
    OutputFile::bytes(
        "search_index.json",
        search::join(fragments.iter().flatten().map(String::as_str)),
        "galley's search index",
    )
}

/// A page's object in the search index, or `None` when it is left out of it.
fn search_fragment(views: &ViewBuilder, id: PageId) -> Option<String> {
    let page = &views.library.pages[id];
    if !page.meta.in_search_index {
        return None;
    }
    let rendered = &views.rendered.pages[id];
    let mut headings = Vec::new();
    flatten_headings(&rendered.toc, &mut headings);
    let document = SearchDocument {
        title: page_title(page),
        description: page.meta.description.clone().unwrap_or_default(),
        url: views.url_path(&page.path),
        date: page.meta.date.map(|d| d.rfc3339()),
        tags: page
            .meta
            .taxonomies
            .get("tags")
            .cloned()
            .unwrap_or_default(),
        headings,
        body: rendered.plain_text.clone(),
    };
    Some(search::fragment(
        &document,
        views.config.search.max_body_chars,
    ))
}

fn flatten_headings(toc: &[crate::markdown::Heading], out: &mut Vec<String>) {
    for heading in toc {
        out.push(heading.title.clone());
        flatten_headings(&heading.children, out);
    }
}
