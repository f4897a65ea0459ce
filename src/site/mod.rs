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
//!
//! A [`Site`] keeps what the last build computed, so [`Site::rebuild`] (in `rebuild.rs`) can
//! redo only what a change invalidates and still produce exactly what a full build would.

pub mod cache;
mod change;
mod deps;
mod rebuild;
mod render;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use self::change::{Change, classify};
pub use self::rebuild::Rebuilt;
use self::render::{Layers, Memo};
use crate::config::Config;
use crate::content::{Library, LoadOptions};
use crate::diagnostics::{Diagnostic, Error, Result};
use crate::markdown::Rendered;
use crate::markdown::highlight::Highlighter;
use crate::output::Output;
use crate::templates::{TemplateDir, Templates};

/// Whether the output is published or served by `galley serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Build,
    /// Assets keep their plain names (no fingerprint), so editing a stylesheet changes that
    /// file alone and the browser can swap it without a reload.
    Serve,
}

/// Whether a build checks its code blocks (`galley test`'s checks) before rendering them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnippetMode {
    #[default]
    Off,
    /// A failing block fails the build; passing blocks get a badge. `run` blocks are executed
    /// only with `run: true`.
    Check { run: bool },
}

/// What to build.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub root: PathBuf,
    pub config_path: PathBuf,
    /// Replaces site.toml's `base_url` (`--base-url`, or the dev server's address).
    pub base_url: Option<String>,
    pub drafts: bool,
    pub mode: Mode,
    pub snippets: SnippetMode,
    /// Keep syntect's highlighted code in `.galley-cache/` between runs (`--no-cache` turns it
    /// off).
    pub cache: bool,
}

/// The folders of a site.
#[derive(Debug, Clone)]
pub struct Paths {
    pub root: PathBuf,
    pub config: PathBuf,
    pub content: PathBuf,
    pub static_dir: PathBuf,
    pub templates: PathBuf,
    pub theme: Option<PathBuf>,
}

impl Paths {
    fn resolve(options: &SiteOptions, config: &Config) -> Result<Paths> {
        let root = &options.root;
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
                let error = Diagnostic::error(
                    "config/theme",
                    format!(
                        "theme `{}` not found: no folder themes/{}",
                        config.theme, config.theme
                    ),
                )
                .hint(hint);
                return Err(config.at_key(&["theme"], error).into());
            }
            Some(dir)
        };
        Ok(Paths {
            root: root.clone(),
            config: options.config_path.clone(),
            content: root.join("content"),
            static_dir: root.join("static"),
            templates: root.join("templates"),
            theme,
        })
    }

    /// The folders of a site that does not build yet (the dev server still watches them): the
    /// theme is read from site.toml if it parses, else every theme counts.
    pub fn guess(options: &SiteOptions) -> Paths {
        let root = &options.root;
        let theme = std::fs::read_to_string(&options.config_path)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|table| {
                table
                    .get("theme")
                    .and_then(|t| t.as_str().map(str::to_owned))
            })
            .map_or_else(
                || root.join("themes"),
                |name| root.join("themes").join(name),
            );
        Paths {
            root: root.clone(),
            config: options.config_path.clone(),
            content: root.join("content"),
            static_dir: root.join("static"),
            templates: root.join("templates"),
            theme: Some(theme),
        }
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
    pub pages: Vec<Arc<Rendered>>,
    /// `None` for the implicit root section.
    pub sections: Vec<Option<Arc<Rendered>>>,
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

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub pages: usize,
    pub sections: usize,
    pub taxonomy_pages: usize,
    pub files: usize,
}

/// A built site: its model, its files, and what a rebuild can reuse.
pub struct Site {
    pub options: SiteOptions,
    pub config: Config,
    pub paths: Paths,
    pub library: Library,
    pub rendered: RenderedContent,
    pub output: Output,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
    /// Snippet check badges by page source (`blog/x.md`): code block index and label.
    pub badges: Badges,
    /// What the snippet checks found, when the build ran them.
    pub snippet_report: Option<crate::snippets::Report>,
    /// Schemas and snippet results kept between rebuilds (serve).
    checker: Option<crate::snippets::Checker>,
    templates: Templates,
    highlighter: Highlighter,
    layers: Layers,
    memo: Memo,
    /// Set when a rebuild failed half-way: the next rebuild starts from scratch.
    stale: bool,
}

impl Site {
    /// Builds the whole site in memory.
    pub fn load(options: &SiteOptions) -> Result<Site> {
        Site::load_with(options, Memo::default())
    }

    fn load_with(options: &SiteOptions, memo: Memo) -> Result<Site> {
        let mut timings = Timings::default();
        let start = Instant::now();
        let config_display = display(&options.root, &options.config_path);
        let mut config = Config::load(&options.config_path, &config_display)?;
        if let Some(base_url) = &options.base_url {
            config.set_base_url(base_url);
        }
        let paths = Paths::resolve(options, &config)?;
        let mut highlighter = Highlighter::new(&config.highlighting)
            .map_err(|error| locate_highlighting(&config, error))?;
        if options.cache {
            highlighter.set_cache(cache::load(&options.root));
        }
        let load = LoadOptions {
            root: &paths.root,
            content_dir: &paths.content,
            drafts: options.drafts,
        };
        let library = Library::load(&config, &load)?;
        let start = timings.record("load", start);
        let mut checker = None;
        let (badges, snippet_report) =
            check_snippets(options, &library, &config, None, &mut checker)?;
        let start = if snippet_report.is_some() {
            timings.record("snippets", start)
        } else {
            start
        };

        let templates = load_templates(&paths, &config)?;
        let mut site = Site {
            options: options.clone(),
            config,
            paths,
            library,
            rendered: RenderedContent::default(),
            output: Output::default(),
            warnings: Vec::new(),
            timings,
            badges,
            snippet_report,
            checker,
            templates,
            highlighter,
            layers: Layers::default(),
            memo,
            stale: false,
        };
        site.memo.scan_templates(&site.templates);
        site.render_markdown()?;
        if options.cache {
            cache::save_if_changed(&options.root, site.highlighter.cache());
        }
        let start = site.timings.record("markdown", start);
        site.layers.statics = site.render_statics()?;
        site.refresh_values();
        site.render_jobs()?;
        site.render_generated();
        site.output = site.layers.merge()?;
        site.timings.record("templates", start);
        Ok(site)
    }

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

    pub fn highlighter(&self) -> &Highlighter {
        &self.highlighter
    }
}

/// Snippet badges by page source (`blog/x.md`): code block index and badge HTML.
pub type Badges = HashMap<String, Vec<(usize, String)>>;

/// Runs `galley test`'s checks when `options` ask for them (on `only` these sources, or all):
/// a failing block is an error of the build; the others give badges, keyed by source.
fn check_snippets(
    options: &SiteOptions,
    library: &Library,
    config: &Config,
    only: Option<&[String]>,
    checker: &mut Option<crate::snippets::Checker>,
) -> Result<(Badges, Option<crate::snippets::Report>)> {
    let SnippetMode::Check { run } = options.snippets else {
        return Ok((HashMap::new(), None));
    };
    let mut check = crate::snippets::CheckOptions::new(&options.root);
    check.run = run;
    check.sources = only.map(|sources| sources.iter().cloned().collect());
    let checker = match checker {
        Some(checker) => checker,
        None => checker.insert(crate::snippets::Checker::new(
            &options.root,
            config,
            options.cache,
        )?),
    };
    let report = checker.check(library, config, &check)?;
    if report.has_failures() {
        return Err(crate::diagnostics::Error::many(report.errors()));
    }
    // The report names files as shown (`content/blog/x.md`); badges are keyed by source.
    // Only the checked sources: a one-page rebuild need not hash every path of the site.
    let relative: HashMap<&str, &str> = library
        .pages
        .iter()
        .map(|p| &p.source)
        .chain(library.sections.iter().filter_map(|s| s.source.as_ref()))
        .filter(|source| only.is_none_or(|only| only.contains(&source.relative)))
        .map(|source| (source.display.as_str(), source.relative.as_str()))
        .collect();
    let badges = report
        .pages
        .iter()
        .filter_map(|page| {
            let source = relative.get(page.file.as_str())?;
            let badges = page.badges();
            (!badges.is_empty()).then(|| ((*source).to_owned(), badges))
        })
        .collect();
    Ok((badges, Some(report)))
}

/// Loads the theme's and the site's templates, with `config` visible to all of them.
pub fn load_templates(paths: &Paths, config: &Config) -> Result<Templates> {
    let mut templates = Templates::load(&paths.template_dirs())?;
    templates.set_global("config", crate::templates::views::to_value(config));
    Ok(templates)
}

/// Points an unknown highlighting theme at its key in site.toml. The highlighter names the key
/// at the end of its message (`... in [highlighting] dark_theme`) but never sees the file.
fn locate_highlighting(config: &Config, mut error: Error) -> Error {
    for diagnostic in &mut error.diagnostics {
        let key = ["light_theme", "dark_theme"]
            .into_iter()
            .find(|key| diagnostic.message.ends_with(key));
        if let (Some(key), None) = (key, &diagnostic.location) {
            *diagnostic = config.at_key(&["highlighting", key], diagnostic.clone());
        }
    }
    error
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

#[cfg(test)]
mod tests;
