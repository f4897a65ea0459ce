//! The site pipeline, the one place that knows its order:
//!
//! 1. `site.toml` -> [`Config`];
//! 2. `content/` -> [`Library`] (every URL decided);
//! 3. Markdown -> [`RenderedContent`] in parallel, `@/` links resolved, then anchors checked;
//! 4. templates loaded, views built once, every HTML file rendered in parallel;
//! 5. feeds, sitemap, search index, stylesheet, static files and assets added;
//!
//! giving an [`Output`] in memory. Writing it is the caller's business (`output::writer` for
//! `galley build`, memory for `galley serve`), so a failed build never touches the last good one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tera::Value;

use crate::config::Config;
use crate::content::{Library, LoadOptions, PageId};
use crate::diagnostics::{Collector, Diagnostic, Result};
use crate::links::{LinkTable, check_anchors};
use crate::markdown::highlight::Highlighter;
use crate::markdown::{Input, MarkdownRenderer, Rendered};
use crate::output::feeds::{self, FeedEntry, FeedInfo};
use crate::output::search::{self, SearchDocument};
use crate::output::sitemap::{self, SitemapEntry};
use crate::output::{Output, OutputBuilder, OutputFile, Precedence, file_for_path};
use crate::templates::layout::{Layout, SiteValues, redirect_page};
use crate::templates::views::{FeedLink, ViewBuilder, merge, summary_of, to_value};
use crate::templates::{Lookup, TemplateDir, Templates};

/// What to build.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub root: PathBuf,
    pub config_path: PathBuf,
    /// Replaces site.toml's `base_url` (`--base-url`, or the dev server's address).
    pub base_url: Option<String>,
    pub drafts: bool,
}

/// The folders of a site.
#[derive(Debug, Clone)]
pub struct Paths {
    pub root: PathBuf,
    pub content: PathBuf,
    pub static_dir: PathBuf,
    pub templates: PathBuf,
    pub theme: Option<PathBuf>,
}

impl Paths {
    fn resolve(root: &Path, config: &Config, config_display: &str) -> Result<Paths> {
        let theme = if config.theme.is_empty() {
            None
        } else {
            let dir = root.join("themes").join(&config.theme);
            if !dir.is_dir() {
                let available = list_dirs(&root.join("themes"));
                let hint = if available.is_empty() {
                    "there is no themes/ folder: add one, or set theme = \"\" and use templates/"
                        .to_owned()
                } else {
                    format!("themes available: {}", available.join(", "))
                };
                return Err(Diagnostic::error(
                    "config/theme",
                    format!(
                        "theme `{}` not found: no folder themes/{}",
                        config.theme, config.theme
                    ),
                )
                .at(crate::diagnostics::Location::new(config_display, 1, 1))
                .hint(hint)
                .into());
            }
            Some(dir)
        };
        Ok(Paths {
            root: root.to_path_buf(),
            content: root.join("content"),
            static_dir: root.join("static"),
            templates: root.join("templates"),
            theme,
        })
    }

    /// The folders galley reads and must never write into.
    pub fn sources(&self) -> Vec<&Path> {
        let mut sources = vec![
            self.content.as_path(),
            self.static_dir.as_path(),
            self.templates.as_path(),
        ];
        if let Some(theme) = &self.theme {
            sources.push(theme.as_path());
        }
        sources
    }

    fn template_dirs(&self) -> Vec<TemplateDir> {
        let mut dirs = Vec::new();
        if let Some(theme) = &self.theme {
            dirs.push(TemplateDir {
                path: theme.join("templates"),
                display: display(&self.root, &theme.join("templates")),
            });
        }
        dirs.push(TemplateDir {
            path: self.templates.clone(),
            display: "templates".into(),
        });
        dirs
    }

    /// Theme static files first, then the site's (which win).
    fn static_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self.theme.iter().map(|t| t.join("static")).collect();
        dirs.push(self.static_dir.clone());
        dirs
    }
}

/// Markdown rendered for every page and section, aligned with the library's vectors.
#[derive(Debug, Default)]
pub struct RenderedContent {
    pub pages: Vec<Rendered>,
    /// `None` for the implicit root section.
    pub sections: Vec<Option<Rendered>>,
}

/// Wall time of each phase, for `--timings`.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub phases: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn record(&mut self, phase: &'static str, since: Instant) -> Instant {
        self.phases.push((phase, since.elapsed()));
        Instant::now()
    }
}

/// A successful build: the site model and its files.
pub struct Build {
    pub config: Config,
    pub paths: Paths,
    pub library: Library,
    pub rendered: RenderedContent,
    pub output: Output,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub pages: usize,
    pub sections: usize,
    pub taxonomy_pages: usize,
    pub files: usize,
}

impl Build {
    pub fn counts(&self) -> Counts {
        Counts {
            pages: self.library.pages.len(),
            sections: self
                .library
                .sections
                .iter()
                .filter(|s| s.meta.render)
                .count(),
            taxonomy_pages: self
                .library
                .taxonomies
                .iter()
                .map(|t| 1 + t.terms.len())
                .sum(),
            files: self.output.len(),
        }
    }
}

/// Builds the whole site in memory.
pub fn build(options: &SiteOptions) -> Result<Build> {
    let mut timings = Timings::default();
    let start = Instant::now();
    let config_display = display(&options.root, &options.config_path);
    let mut config = Config::load(&options.config_path, &config_display)?;
    if let Some(base_url) = &options.base_url {
        config.set_base_url(base_url);
    }
    let paths = Paths::resolve(&options.root, &config, &config_display)?;
    let highlighter = Highlighter::new(&config.highlighting)?;
    let load = LoadOptions {
        root: &paths.root,
        content_dir: &paths.content,
        drafts: options.drafts,
    };
    let library = Library::load(&config, &load)?;
    let start = timings.record("load", start);

    let (rendered, warnings) = render_markdown(&config, &library, &highlighter)?;
    check_anchors(&library, &rendered.pages, &rendered.sections)?;
    let start = timings.record("markdown", start);

    let templates = load_templates(&paths, &config)?;
    let output = render_output(
        &config,
        &paths,
        &library,
        &rendered,
        &templates,
        &highlighter,
        &HashMap::new(),
    )?;
    timings.record("templates", start);
    Ok(Build {
        config,
        paths,
        library,
        rendered,
        output,
        warnings,
        timings,
    })
}

fn render_markdown(
    config: &Config,
    library: &Library,
    highlighter: &Highlighter,
) -> Result<(RenderedContent, Vec<Diagnostic>)> {
    let links = LinkTable::new(library, config);
    let renderer = MarkdownRenderer {
        config: &config.markdown,
        highlighter,
        line_numbers_default: config.highlighting.line_numbers,
    };
    let limit = if config.search.enabled {
        config.search.max_body_chars
    } else {
        0
    };
    let render = |source: &crate::content::Source| {
        renderer.render(&Input {
            body: &source.body,
            file: &source.display,
            first_line: source.body_line,
            links: &links,
            plain_text_limit: limit,
            badges: &[],
        })
    };
    let pages: Vec<_> = library
        .pages
        .par_iter()
        .map(|page| render(&page.source))
        .collect();
    let sections: Vec<_> = library
        .sections
        .par_iter()
        .map(|section| section.source.as_ref().map(render))
        .collect();

    let mut errors = Collector::default();
    let mut warnings = Vec::new();
    let mut keep = |result: std::result::Result<Rendered, Vec<Diagnostic>>| match result {
        Ok(mut rendered) => {
            warnings.append(&mut rendered.warnings);
            Some(rendered)
        }
        Err(diagnostics) => {
            errors.extend(diagnostics);
            None
        }
    };
    let pages: Vec<Option<Rendered>> = pages.into_iter().map(&mut keep).collect();
    let sections: Vec<Option<Option<Rendered>>> = sections
        .into_iter()
        .map(|s| s.map(&mut keep))
        .map(|s| s.map_or(Some(None), |r| r.map(Some)))
        .collect();
    errors.finish()?;
    let rendered = RenderedContent {
        pages: pages.into_iter().map(Option::unwrap_or_default).collect(),
        sections: sections.into_iter().map(Option::flatten).collect(),
    };
    Ok((rendered, warnings))
}

/// Loads the theme's and the site's templates, with `config` visible to all of them.
pub fn load_templates(paths: &Paths, config: &Config) -> Result<Templates> {
    let mut templates = Templates::load(&paths.template_dirs())?;
    templates.set_global("config", to_value(config));
    Ok(templates)
}

/// Steps 4 and 5: every output file of the site.
pub fn render_output(
    config: &Config,
    paths: &Paths,
    library: &Library,
    rendered: &RenderedContent,
    templates: &Templates,
    highlighter: &Highlighter,
    checked: &HashMap<PageId, Vec<String>>,
) -> Result<Output> {
    let mut out = OutputBuilder::default();
    let stylesheet = highlighter.stylesheet();
    let fingerprints = add_static_files(&mut out, paths, &stylesheet)?;

    let views = ViewBuilder {
        config,
        library,
        rendered,
    };
    let values = site_values(&views);
    templates.set_lookup(lookup(config, library, &values, fingerprints));

    let layout = Layout {
        views: &views,
        templates,
        values: &values,
        feeds: site_feed_links(config),
        checked,
    };
    let jobs = layout.jobs();
    for file in layout.render_all(&jobs)? {
        out.add(file);
    }
    add_aliases(&mut out, config, library);
    add_feeds(&mut out, config, library, rendered);
    add_assets(&mut out, paths, library);
    out.add(OutputFile::bytes(
        "sitemap.xml",
        sitemap::sitemap(&sitemap_entries(config, library)),
        "galley's sitemap",
    ));
    out.add_with(
        OutputFile::bytes(
            "robots.txt",
            sitemap::robots(&config.base_url),
            "galley's robots.txt",
        ),
        Precedence::Fallback,
    );
    if config.search.enabled {
        let documents = search_documents(&views);
        let index = search::index(&documents, config.search.max_body_chars);
        out.add(OutputFile::bytes(
            "search_index.json",
            index,
            "galley's search index",
        ));
    }
    out.finish()
}

fn site_values(views: &ViewBuilder) -> SiteValues {
    let library = views.library;
    let pages: Vec<Value> = (0..library.pages.len())
        .into_par_iter()
        .map(|id| to_value(&views.page_summary(id)))
        .collect();
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
        pages,
        sections,
        taxonomies,
    }
}

fn lookup(
    config: &Config,
    library: &Library,
    values: &SiteValues,
    fingerprints: HashMap<String, String>,
) -> Lookup {
    Lookup {
        base_url: config.base_url.clone(),
        pages: library
            .pages
            .iter()
            .zip(&values.pages)
            .map(|(p, v)| (p.source.relative.clone(), v.clone()))
            .collect(),
        sections: library
            .sections
            .iter()
            .zip(&values.sections)
            .filter_map(|(s, v)| {
                s.source
                    .as_ref()
                    .map(|src| (src.relative.clone(), v.clone()))
            })
            .collect(),
        taxonomies: library
            .taxonomies
            .iter()
            .zip(&values.taxonomies)
            .map(|(t, v)| (t.name.clone(), v.clone()))
            .collect(),
        fingerprints,
    }
}

fn site_feed_links(config: &Config) -> Vec<FeedLink> {
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

/// Copies static folders (theme, then site) and returns the fingerprinted names of their
/// stylesheets and scripts (plus the generated highlight.css).
fn add_static_files(
    out: &mut OutputBuilder,
    paths: &Paths,
    stylesheet: &str,
) -> Result<HashMap<String, String>> {
    let mut fingerprints = HashMap::new();
    let mut hashed: Vec<(String, blake3::Hash, PathBuf)> = Vec::new();
    for dir in paths.static_dirs().iter().filter(|d| d.is_dir()) {
        for entry in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .follow_links(true)
        {
            let entry = entry.map_err(|e| crate::content::walk::walk_error(dir, e))?;
            let name = entry.file_name().to_string_lossy();
            if !entry.file_type().is_file() || crate::content::walk::is_ignored_name(&name) {
                continue;
            }
            let relative = relative(dir, entry.path());
            let origin = display(&paths.root, entry.path());
            if relative.ends_with(".css") || relative.ends_with(".js") {
                let bytes = std::fs::read(entry.path())
                    .map_err(|e| crate::diagnostics::Error::io("read", entry.path(), e))?;
                hashed.retain(|(r, _, _)| *r != relative);
                hashed.push((
                    relative.clone(),
                    blake3::hash(&bytes),
                    entry.path().to_path_buf(),
                ));
            }
            out.add_with(
                OutputFile::copy(relative, entry.path().to_path_buf(), origin),
                Precedence::Override,
            );
        }
    }
    let generated = !out.output.paths().any(|p| p == "highlight.css");
    if generated {
        out.add(OutputFile::bytes(
            "highlight.css",
            stylesheet,
            "galley's highlight.css",
        ));
        hashed.push((
            "highlight.css".into(),
            blake3::hash(stylesheet.as_bytes()),
            PathBuf::new(),
        ));
    }
    for (relative, hash, source) in hashed {
        let name = fingerprinted(&relative, &hash);
        let file = if source.as_os_str().is_empty() {
            OutputFile::bytes(name.clone(), stylesheet, "galley's highlight.css")
        } else {
            OutputFile::copy(name.clone(), source, "a fingerprinted static file")
        };
        out.add(file);
        fingerprints.insert(relative, name);
    }
    Ok(fingerprints)
}

/// `css/style.css` -> `css/style.1a2b3c4d5e.css`.
fn fingerprinted(relative: &str, hash: &blake3::Hash) -> String {
    let short = &hash.to_hex()[..10];
    match relative.rsplit_once('.') {
        Some((stem, extension)) if !stem.ends_with('/') => format!("{stem}.{short}.{extension}"),
        _ => format!("{relative}.{short}"),
    }
}

fn add_aliases(out: &mut OutputBuilder, config: &Config, library: &Library) {
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
            out.add(OutputFile::bytes(
                file_for_path(&alias_path),
                html,
                format!("an alias of {origin}"),
            ));
        }
    }
}

fn feed_entry(
    config: &Config,
    library: &Library,
    rendered: &RenderedContent,
    id: PageId,
) -> FeedEntry {
    let page = &library.pages[id];
    let content = if config.feeds.full_content {
        rendered.pages[id].html.clone()
    } else {
        summary_of(page, &rendered.pages[id]).0.unwrap_or_default()
    };
    FeedEntry {
        title: crate::templates::views::page_title(page),
        permalink: config.permalink(&page.path),
        date: page.meta.date,
        updated: page.meta.updated,
        content,
        categories: page.meta.taxonomies.values().flatten().cloned().collect(),
        authors: page.meta.authors.clone(),
    }
}

fn add_feeds(
    out: &mut OutputBuilder,
    config: &Config,
    library: &Library,
    rendered: &RenderedContent,
) {
    let mut dated: Vec<PageId> = (0..library.pages.len())
        .filter(|&id| library.pages[id].meta.date.is_some())
        .collect();
    dated.sort_by(|&a, &b| crate::content::by_date(&library.pages[a], &library.pages[b]));
    let mut write = |path: &str, title: &str, site_url: String, ids: &[PageId]| {
        let entries: Vec<FeedEntry> = ids
            .iter()
            .take(config.feeds.limit)
            .map(|&id| feed_entry(config, library, rendered, id))
            .collect();
        let info = |file: &str| FeedInfo {
            title: title.to_owned(),
            description: config.description.clone(),
            site_url: site_url.clone(),
            feed_url: config.permalink(&format!("{path}{file}")),
            language: config.language.clone(),
            author: config.author.clone(),
        };
        let origin = format!(
            "the feed of {}",
            if path.is_empty() { "the site" } else { path }
        );
        if config.feeds.rss {
            out.add(OutputFile::bytes(
                format!("{path}rss.xml"),
                feeds::rss(&info("rss.xml"), &entries),
                origin.clone(),
            ));
        }
        if config.feeds.atom {
            out.add(OutputFile::bytes(
                format!("{path}atom.xml"),
                feeds::atom(&info("atom.xml"), &entries),
                origin,
            ));
        }
    };
    write("", &config.title, config.base_url.clone(), &dated);
    for taxonomy in &library.taxonomies {
        if !config.taxonomy(&taxonomy.name).is_some_and(|t| t.feed) {
            continue;
        }
        for term in &taxonomy.terms {
            let ids: Vec<PageId> = term
                .pages
                .iter()
                .copied()
                .filter(|&p| library.pages[p].meta.date.is_some())
                .collect();
            let title = format!("{} — {}", config.title, term.name);
            write(
                term.path.trim_start_matches('/'),
                &title,
                config.permalink(&term.path),
                &ids,
            );
        }
    }
}

fn add_assets(out: &mut OutputBuilder, paths: &Paths, library: &Library) {
    for asset in &library.assets {
        let origin = format!("content/{asset}");
        out.add(OutputFile::copy(
            asset.clone(),
            paths.content.join(asset),
            origin,
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
            out.add(OutputFile::copy(
                format!("{base}{asset}"),
                dir.join(asset),
                page.source.display.clone(),
            ));
        }
    }
}

fn sitemap_entries(config: &Config, library: &Library) -> Vec<SitemapEntry> {
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

fn search_documents(views: &ViewBuilder) -> Vec<SearchDocument> {
    let library = views.library;
    library
        .pages
        .iter()
        .enumerate()
        .filter(|(_, page)| page.meta.in_search_index)
        .map(|(id, page)| {
            let rendered = &views.rendered.pages[id];
            let mut headings = Vec::new();
            flatten_headings(&rendered.toc, &mut headings);
            SearchDocument {
                title: crate::templates::views::page_title(page),
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
            }
        })
        .collect()
}

fn flatten_headings(toc: &[crate::markdown::Heading], out: &mut Vec<String>) {
    for heading in toc {
        out.push(heading.title.clone());
        flatten_headings(&heading.children, out);
    }
}

fn list_dirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A path as shown to the user: relative to the site root when inside it.
pub fn display(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn relative(base: &Path, path: &Path) -> String {
    display(base, path)
}
