//! `galley check`: what a reader would hit in the *rendered* site, templates' output included.
//!
//! 1. every HTML page is scanned once ([`html`]): its references and its ids;
//! 2. every reference inside the site must resolve to a produced file, every fragment to an id
//!    of its target ([`resolve`]); no page may define an id twice or link to a draft;
//! 3. feeds and the sitemap must be well-formed XML listing only produced URLs ([`xml`]);
//! 4. front matter is linted by configurable rules ([`lint`]);
//! 5. with `--external`, links to other sites are fetched, politely ([`external`]).
//!
//! Checking reads the in-memory build; it never writes the output folder.

pub mod external;
pub mod html;
mod lint;
pub mod resolve;
mod written;
mod xml;

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use self::html::Scan;
use self::resolve::Target;
use self::written::WrittenUrls;
use crate::content::Source;
use crate::diagnostics::{Diagnostic, Location, Severity, line_col, nth_line};
use crate::output::Output;
use crate::site::Site;

/// What to check beyond the internal links.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Fetch links to other sites.
    pub external: bool,
    /// Where the external-link cache lives (`.galley-cache/` of the site).
    pub cache_dir: Option<std::path::PathBuf>,
}

/// What a check found: diagnostics, and how many checks passed, failed or were skipped.
#[derive(Debug, Default)]
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Findings {
    fn pass(&mut self) {
        self.passed += 1;
    }

    fn fail(&mut self, diagnostic: Diagnostic) {
        if diagnostic.severity == Severity::Error {
            self.failed += 1;
        } else {
            self.passed += 1;
        }
        self.diagnostics.push(diagnostic);
    }

    fn merge(&mut self, other: Findings) {
        self.diagnostics.extend(other.diagnostics);
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

/// Runs every check on a built site.
pub fn check_site(site: &Site, options: &CheckOptions) -> Findings {
    let pages = scan_pages(&site.output);
    let context = Context::new(site, &pages);
    let mut findings = Findings::default();
    let mut external_urls: BTreeMap<String, Location> = BTreeMap::new();
    for (key, scan) in &pages {
        findings.merge(context.check_page(key, scan, &mut external_urls));
    }
    findings.merge(xml::check(&site.output, &site.config.base_url));
    findings.merge(lint::check(site));
    if options.external {
        findings.merge(external::check(
            &external_urls,
            &site.config.check,
            options.cache_dir.as_deref(),
        ));
    } else {
        findings.skipped += external_urls.len();
    }
    crate::diagnostics::sort_diagnostics(&mut findings.diagnostics);
    findings
}

/// Every HTML page of the output, scanned in parallel.
fn scan_pages(output: &Output) -> BTreeMap<String, Scan> {
    let html: Vec<(&str, String)> = output
        .files()
        .filter(|f| f.path.ends_with(".html"))
        .filter_map(|f| {
            f.read().ok().map(|bytes| {
                (
                    f.path.as_str(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )
            })
        })
        .collect();
    html.par_iter()
        .map(|(key, text)| ((*key).to_owned(), html::scan(text)))
        .collect()
}

/// What every page check needs: the output, the ids of every page, the drafts, the sources
/// (with the HTML each rendered to).
struct Context<'a> {
    site: &'a Site,
    ids: HashMap<&'a str, HashSet<&'a str>>,
    drafts: HashMap<String, &'a str>,
    sources: HashMap<&'a str, (&'a Source, &'a str)>,
}

/// The Markdown a rendered page came from: where its URLs are written, and where its rendered
/// content sits in the page (`None` when a template changed it on the way).
struct Origin<'a> {
    source: &'a Source,
    written: WrittenUrls,
    content: Option<std::ops::Range<usize>>,
}

impl<'a> Context<'a> {
    fn new(site: &'a Site, pages: &'a BTreeMap<String, Scan>) -> Context<'a> {
        let ids = pages
            .iter()
            .map(|(key, scan)| {
                (
                    key.as_str(),
                    scan.ids.iter().map(|(id, _)| id.as_str()).collect(),
                )
            })
            .collect();
        let drafts = site
            .library
            .drafts
            .iter()
            .map(|d| (d.path.clone(), d.relative.as_str()))
            .collect();
        let page_sources = site
            .library
            .pages
            .iter()
            .zip(&site.rendered.pages)
            .map(|(p, r)| (&p.source, r.html.as_str()));
        let section_sources = site
            .library
            .sections
            .iter()
            .zip(&site.rendered.sections)
            .filter_map(|(s, r)| {
                Some((
                    s.source.as_ref()?,
                    r.as_ref().map_or("", |r| r.html.as_str()),
                ))
            });
        let sources = page_sources
            .chain(section_sources)
            .map(|(s, html)| (s.display.as_str(), (s, html)))
            .collect();
        Context {
            site,
            ids,
            drafts,
            sources,
        }
    }

    fn check_page(
        &self,
        key: &str,
        scan: &Scan,
        external: &mut BTreeMap<String, Location>,
    ) -> Findings {
        let mut findings = Findings::default();
        let file = self.site.output.get(key).map(|f| f.as_ref());
        let origin = file.map_or("", |f| f.origin.as_str());
        let html = file
            .and_then(|f| f.read().ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let page_path = page_path_of(key);
        let output = &self.site.output;
        let origin_source = self.origin(origin, &html);

        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (id, offset) in &scan.ids {
            if let Some(first) = seen.insert(id.as_str(), *offset) {
                let (line, _) = line_col(&html, first);
                findings.fail(
                    self.locate(key, origin, &html, *offset, &format!("id=\"{id}\""))
                        .map_message(|_| format!("duplicate id `{id}` on {page_path} (first defined on line {line} of the page)"))
                        .code("check/duplicate-id")
                        .hint("ids must be unique within a page: rename one heading or element"),
                );
            }
        }

        for (index, reference) in scan.references.iter().enumerate() {
            let at = || self.locate_reference(key, origin_source.as_ref(), &html, scan, index);
            let target = resolve::resolve(
                &reference.url,
                &page_path,
                &self.site.config.base_url,
                |k| output.get(k).is_some(),
            );
            match target {
                Target::Other => {}
                Target::External(url) => {
                    let location = at().diagnostic.location;
                    if let Some(location) = location {
                        external.entry(url).or_insert(location);
                    }
                }
                Target::MissingPrefix { path } => findings.fail(
                    at()
                        .map_message(|_| format!("link to {path} on {page_path} lacks the site's base path {}", self.site.config.base_path()))
                        .code("check/base-path")
                        .hint("build URLs with get_url(), page.path or page.permalink instead of writing them by hand"),
                ),
                Target::Internal { key: None, path, .. } => {
                    let (code, message, hint) = match self.drafts.get(&path) {
                        Some(draft) => (
                            "check/draft-link",
                            format!("{page_path} links to {path}, which is a draft (content/{draft})"),
                            "publish the draft, or remove the link until it is published",
                        ),
                        None => (
                            "check/broken-link",
                            format!("broken link on {page_path}: nothing is published at {path}"),
                            "fix the URL, or use an @/ link (checked at build time)",
                        ),
                    };
                    findings.fail(at().map_message(|_| message).code(code).hint(hint));
                }
                Target::Internal { key: Some(target), fragment, path } => {
                    let Some(fragment) = fragment.filter(|f| f != "top") else {
                        findings.pass();
                        continue;
                    };
                    let Some(ids) = self.ids.get(target.as_str()) else {
                        findings.pass();
                        continue;
                    };
                    if ids.contains(fragment.as_str()) {
                        findings.pass();
                    } else {
                        let close = crate::diagnostics::suggest(&fragment, ids.iter().copied());
                        findings.fail(
                            at()
                                .map_message(|_| format!("broken anchor on {page_path}: {path} has no id `{fragment}`"))
                                .code("check/missing-anchor")
                                .hint(match close {
                                    Some(close) => format!("did you mean #{close}?"),
                                    None => "link to a heading that exists (headings get ids from their text)".to_owned(),
                                }),
                        );
                    }
                }
            }
        }
        findings
    }

    /// The Markdown source of a rendered page, if it has one.
    fn origin(&self, origin: &str, html: &str) -> Option<Origin<'a>> {
        let (source, content) = self.sources.get(origin)?;
        let content = content.trim();
        let content = (!content.is_empty())
            .then(|| html.find(content).map(|start| start..start + content.len()))
            .flatten();
        let options = crate::markdown::parser_options(&self.site.config.markdown);
        Some(Origin {
            source,
            written: WrittenUrls::of(&source.body, options),
            content,
        })
    }

    /// Where to report a problem with reference `index` of rendered page `key`: at the place
    /// its Markdown writes it (the n-th `/x/` of the page's content is the n-th written), else
    /// in the rendered file, as a template made it.
    fn locate_reference(
        &self,
        key: &str,
        origin: Option<&Origin>,
        html: &str,
        scan: &Scan,
        index: usize,
    ) -> Located {
        let reference = &scan.references[index];
        let Some(origin) = origin else {
            return self.locate(key, "", html, reference.offset, &reference.url);
        };
        let Some(content) = &origin.content else {
            // The content cannot be told from the template's output: guess by the URL's text.
            return self.locate(
                key,
                &origin.source.display,
                html,
                reference.offset,
                &reference.url,
            );
        };
        if content.contains(&reference.offset) {
            let rank = scan.references[..index]
                .iter()
                .filter(|r| r.url == reference.url && content.contains(&r.offset))
                .count();
            if let Some(written) = origin.written.find(&reference.url, rank) {
                let source = origin.source;
                let diagnostic = Diagnostic::error("check", String::new())
                    .at_offset(
                        &source.display,
                        &source.body,
                        written.offset,
                        source.body_line,
                    )
                    .with_width(written.width);
                return Located { diagnostic };
            }
        }
        self.locate(key, "", html, reference.offset, &reference.url)
    }

    /// Where to report a problem found at `offset` of rendered page `key`: in the Markdown
    /// source when the page comes from one and the URL is written there, else in the rendered
    /// file (the theme made it).
    fn locate(&self, key: &str, origin: &str, html: &str, offset: usize, needle: &str) -> Located {
        if let Some((source, _)) = self.sources.get(origin)
            && let Some(found) = source.body.find(needle)
        {
            let diagnostic = Diagnostic::error("check", String::new())
                .at_offset(&source.display, &source.body, found, source.body_line)
                .with_width(needle.chars().count());
            return Located { diagnostic };
        }
        let (line, column) = line_col(html, offset);
        let file = format!("public/{key}");
        let mut diagnostic =
            Diagnostic::error("check", String::new()).at(Location::new(file, line, column));
        diagnostic.source_line = nth_line(html, line).map(|l| l.chars().take(200).collect());
        Located { diagnostic }
    }
}

/// A diagnostic whose location is known and whose message and code are filled in next.
struct Located {
    diagnostic: Diagnostic,
}

impl Located {
    fn map_message(mut self, message: impl FnOnce(&str) -> String) -> Located {
        self.diagnostic.message = message(&self.diagnostic.message);
        self
    }

    fn code(mut self, code: &str) -> Located {
        self.diagnostic.code = code.to_owned();
        self
    }

    fn hint(self, hint: impl Into<String>) -> Diagnostic {
        self.diagnostic.hint(hint)
    }
}

/// The site path of an output key: `blog/x/index.html` -> `/blog/x/`.
fn page_path_of(key: &str) -> String {
    match key.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{key}"),
    }
}
