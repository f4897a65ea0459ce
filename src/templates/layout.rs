//! Layout: which template renders which URL, with which context.
//!
//! Every HTML file of a build is a [`Job`]; jobs are independent, so they render in parallel.
//! Template choice follows Zola: a page's `template`, else the nearest section's
//! `page_template`, else `page.html`; sections use `section.html` (`index.html` for the home);
//! taxonomies use `<name>/list.html` / `<name>/single.html`, else `taxonomy_list.html` /
//! `taxonomy_single.html`.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Value};

use super::Templates;
use super::views::{FeedLink, PaginatorView, ViewBuilder, merge, to_value};
use crate::content::frontmatter::KeyLocations;
use crate::content::{PageId, SectionId};
use crate::diagnostics::{Collector, Result};
use crate::output::{OutputFile, file_for_path};

/// The shared values of a build, computed once and reused by every job (and shared with the
/// lookup functions' [`Entries`](super::functions::Entries)).
pub struct SiteValues {
    /// Page summaries (no content), by page id.
    pub pages: Arc<Vec<Value>>,
    /// Sections with their `pages`, by section id.
    pub sections: Arc<Vec<Value>>,
    /// Taxonomies, each term with its `pages`.
    pub taxonomies: Arc<Vec<Value>>,
}

/// The front matter keys of a page or section, and which of them named a template.
type NamedBy<'a> = (&'a KeyLocations, &'static str);

/// One HTML file to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Page(PageId),
    Section(SectionId),
    TaxonomyList(usize),
    Term(usize, usize),
    NotFound,
}

pub struct Layout<'a> {
    pub views: &'a ViewBuilder<'a>,
    pub templates: &'a Templates,
    pub values: &'a SiteValues,
    /// The site-wide feeds, for `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// Snippet check labels per page (from `galley test`), shown by themes as badges.
    pub checked: &'a HashMap<PageId, Vec<String>>,
}

impl Layout<'_> {
    pub fn jobs(&self) -> Vec<Job> {
        let library = self.views.library;
        let mut jobs: Vec<Job> = (0..library.pages.len()).map(Job::Page).collect();
        jobs.extend(
            (0..library.sections.len())
                .filter(|&s| library.sections[s].meta.render)
                .map(Job::Section),
        );
        for (t, taxonomy) in library.taxonomies.iter().enumerate() {
            jobs.push(Job::TaxonomyList(t));
            jobs.extend((0..taxonomy.terms.len()).map(|term| Job::Term(t, term)));
        }
        jobs.push(Job::NotFound);
        jobs
    }

    /// Renders every job in parallel; all failures are reported together.
    pub fn render_all(&self, jobs: &[Job]) -> Result<Vec<OutputFile>> {
        gather(jobs.par_iter().map(|job| self.render(*job)).collect())
    }

    pub fn render(&self, job: Job) -> Result<Vec<OutputFile>> {
        match job {
            Job::Page(id) => self.page(id).map(|f| vec![f]),
            Job::Section(id) => self.section(id, None),
            Job::TaxonomyList(t) => self.taxonomy_list(t).map(|f| vec![f]),
            Job::Term(t, term) => self.term(t, term, None),
            Job::NotFound => self.not_found().map(|f| f.into_iter().collect()),
        }
    }

    /// Renders only these pagers (0 is the first) of a section or term job; other jobs whole.
    /// An incremental rebuild uses it when only some pagers show what changed.
    pub fn render_pagers(&self, job: Job, pagers: &[usize]) -> Result<Vec<OutputFile>> {
        match job {
            Job::Section(id) => self.section(id, Some(pagers)),
            Job::Term(t, term) => self.term(t, term, Some(pagers)),
            _ => self.render(job),
        }
    }

    /// How many pages each pager of a section or term job lists (0: one pager lists all).
    pub fn paginate_by(&self, job: Job) -> usize {
        let config = self.views.config;
        let library = self.views.library;
        match job {
            Job::Section(id) => library.sections[id]
                .meta
                .paginate_by
                .unwrap_or(config.paginate_by),
            Job::Term(t, _) => config
                .taxonomy(&library.taxonomies[t].name)
                .and_then(|c| c.paginate_by)
                .unwrap_or(config.paginate_by),
            _ => 0,
        }
    }

    /// The template a job renders with (`None` when it has none: the built-in 404 page).
    pub fn template_for(&self, job: Job) -> Option<String> {
        let library = self.views.library;
        match job {
            Job::Page(id) => Some(self.page_template(id).0.to_owned()),
            Job::Section(id) => Some(self.section_template(id).0.to_owned()),
            Job::TaxonomyList(t) => {
                let specific = format!("{}/list.html", library.taxonomies[t].name);
                Some(
                    self.templates
                        .first_of(&[&specific, "taxonomy_list.html"])
                        .unwrap_or("taxonomy_list.html")
                        .to_owned(),
                )
            }
            Job::Term(t, _) => {
                let specific = format!("{}/single.html", library.taxonomies[t].name);
                Some(
                    self.templates
                        .first_of(&[&specific, "taxonomy_single.html"])
                        .unwrap_or("taxonomy_single.html")
                        .to_owned(),
                )
            }
            Job::NotFound => self
                .templates
                .contains("404.html")
                .then(|| "404.html".to_owned()),
        }
    }

    fn context(&self, path: &str, feeds: Vec<FeedLink>) -> Context {
        let mut context = Context::new();
        context.insert("current_path", &self.views.url_path(path));
        context.insert("current_url", &self.views.config.permalink(path));
        context.insert("feeds", &feeds);
        context
    }

    fn page(&self, id: PageId) -> Result<OutputFile> {
        let library = self.views.library;
        let page = &library.pages[id];
        let (template, named_by) = self.page_template(id);
        self.exists(template, named_by, &page.source.display)?;
        let checked = self.checked.get(&id).cloned().unwrap_or_default();
        let detail = to_value(&self.views.page_detail(id, checked));
        let detail_map = detail.as_map().cloned().unwrap_or_default();
        let mut full = self.values.pages[id].as_map().cloned().unwrap_or_default();
        full.extend(detail_map);
        let mut context = self.context(&page.path, self.feeds.clone());
        context.insert_value("page", Value::from(full));
        let html = self
            .templates
            .render(template, &context, &page.source.display)?;
        Ok(OutputFile::bytes(
            file_for_path(&page.path),
            html,
            page.source.display.clone(),
        ))
    }

    /// A page's template: its own `template`, else the `page_template` of its section or the
    /// nearest ancestor that sets one, else `page.html`; with the front matter key naming it.
    fn page_template(&self, id: PageId) -> (&str, Option<NamedBy<'_>>) {
        let library = self.views.library;
        let page = &library.pages[id];
        if let Some(name) = &page.meta.template {
            return (name, Some((&page.meta.keys, "template")));
        }
        let mut section = page.section;
        loop {
            let meta = &library.sections[section].meta;
            if let Some(name) = &meta.page_template {
                return (name, Some((&meta.keys, "page_template")));
            }
            match library.sections[section].parent {
                Some(parent) => section = parent,
                None => return ("page.html", None),
            }
        }
    }

    /// A section's `template`, else `section.html` (`index.html` for the home).
    fn section_template(&self, id: SectionId) -> (&str, Option<NamedBy<'_>>) {
        let meta = &self.views.library.sections[id].meta;
        match &meta.template {
            Some(name) => (name, Some((&meta.keys, "template"))),
            None if id == 0 => ("index.html", None),
            None => ("section.html", None),
        }
    }

    /// A template named in front matter must exist: the error points at the key naming it.
    fn exists(&self, name: &str, named_by: Option<NamedBy>, rendering: &str) -> Result<()> {
        if self.templates.contains(name) {
            return Ok(());
        }
        let missing = self.templates.missing(name, rendering);
        Err(match named_by {
            Some((keys, key)) => keys.point(key, missing),
            None => missing,
        }
        .into())
    }

    fn section(&self, id: SectionId, only: Option<&[usize]>) -> Result<Vec<OutputFile>> {
        let section = &self.views.library.sections[id];
        let origin = section
            .source
            .as_ref()
            .map_or_else(|| "the home page".to_owned(), |s| s.display.clone());
        let (template, named_by) = self.section_template(id);
        self.exists(template, named_by, &origin)?;
        let paginate_by = self.paginate_by(Job::Section(id));
        let pages: Vec<Value> = section
            .pages
            .iter()
            .map(|&p| self.values.pages[p].clone())
            .collect();
        let mut files = Vec::new();
        for pager in paginate(&pages, paginate_by, &section.path, self.views, only) {
            let mut context = self.context(&pager.path, self.feeds.clone());
            context.insert_value("section", self.values.sections[id].clone());
            context.insert_value("paginator", pager.view);
            let html = self.templates.render(template, &context, &origin)?;
            files.push(OutputFile::bytes(
                file_for_path(&pager.path),
                html,
                origin.clone(),
            ));
        }
        Ok(files)
    }

    fn taxonomy_list(&self, t: usize) -> Result<OutputFile> {
        let taxonomy = &self.views.library.taxonomies[t];
        let specific = format!("{}/list.html", taxonomy.name);
        let template = self.choose(&[&specific, "taxonomy_list.html"], &taxonomy.path)?;
        let mut context = self.context(&taxonomy.path, self.feeds.clone());
        context.insert_value("taxonomy", self.values.taxonomies[t].clone());
        let origin = format!("the {} taxonomy", taxonomy.name);
        let html = self.templates.render(template, &context, &origin)?;
        Ok(OutputFile::bytes(
            file_for_path(&taxonomy.path),
            html,
            origin,
        ))
    }

    fn term(&self, t: usize, index: usize, only: Option<&[usize]>) -> Result<Vec<OutputFile>> {
        let config = self.views.config;
        let taxonomy = &self.views.library.taxonomies[t];
        let term = &taxonomy.terms[index];
        let specific = format!("{}/single.html", taxonomy.name);
        let template = self.choose(&[&specific, "taxonomy_single.html"], &term.path)?;
        let term_value = self.values.taxonomies[t]
            .as_map()
            .and_then(|m| m.get(&tera::value::Key::Str("terms")))
            .and_then(Value::as_array)
            .and_then(|terms| terms.get(index))
            .cloned()
            .unwrap_or_else(Value::none);
        let paginate_by = self.paginate_by(Job::Term(t, index));
        let pages: Vec<Value> = term
            .pages
            .iter()
            .map(|&p| self.values.pages[p].clone())
            .collect();
        let mut feeds = self.feeds.clone();
        if config.taxonomy(&taxonomy.name).is_some_and(|c| c.feed) {
            feeds.extend(term_feed_links(self.views, &term.path, &term.name));
        }
        let origin = format!("the {} term {:?}", taxonomy.name, term.name);
        let mut files = Vec::new();
        for pager in paginate(&pages, paginate_by, &term.path, self.views, only) {
            let mut context = self.context(&pager.path, feeds.clone());
            context.insert_value("taxonomy", self.values.taxonomies[t].clone());
            context.insert_value("term", term_value.clone());
            context.insert_value("paginator", pager.view);
            let html = self.templates.render(template, &context, &origin)?;
            files.push(OutputFile::bytes(
                file_for_path(&pager.path),
                html,
                origin.clone(),
            ));
        }
        Ok(files)
    }

    /// `404.html` from the theme, or a plain built-in page when the theme has none.
    fn not_found(&self) -> Result<Option<OutputFile>> {
        let path = "/404.html";
        if !self.templates.contains("404.html") {
            let html = format!(
                "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>Page not found</title></head>\
                 <body><h1>Page not found</h1><p><a href=\"{}\">Home</a></p></body></html>\n",
                self.views.config.language,
                self.views.url_path("/")
            );
            return Ok(Some(OutputFile::bytes(
                "404.html",
                html,
                "galley's built-in 404 page",
            )));
        }
        let context = self.context(path, self.feeds.clone());
        let html = self
            .templates
            .render("404.html", &context, "the 404 page")?;
        Ok(Some(OutputFile::bytes(
            "404.html",
            html,
            "templates/404.html",
        )))
    }

    fn choose<'n>(&self, names: &[&'n str], path: &str) -> Result<&'n str> {
        self.templates.first_of(names).ok_or_else(|| {
            self.templates
                .missing(names[names.len() - 1], &format!("{path} (or {})", names[0]))
                .into()
        })
    }
}

/// Feed links of a taxonomy term page.
pub fn term_feed_links(views: &ViewBuilder, term_path: &str, term_name: &str) -> Vec<FeedLink> {
    let config = views.config;
    let mut links = Vec::new();
    if config.feeds.atom {
        links.push(FeedLink {
            title: format!("{} — {}", config.title, term_name),
            url: config.permalink(&format!("{term_path}atom.xml")),
            mime: "application/atom+xml",
        });
    }
    if config.feeds.rss {
        links.push(FeedLink {
            title: format!("{} — {} (RSS)", config.title, term_name),
            url: config.permalink(&format!("{term_path}rss.xml")),
            mime: "application/rss+xml",
        });
    }
    links
}

/// One page of a listing.
pub struct Pager {
    /// Site path of this pager: the listing's path, then `page/2/`, `page/3/`...
    pub path: String,
    pub view: Value,
}

/// Splits `items` into pagers of `per_page` (0: one pager, and `paginator` is none); of
/// those, only the ones `only` names by index (0 is the first), or all.
pub fn paginate(
    items: &[Value],
    per_page: usize,
    path: &str,
    views: &ViewBuilder,
    only: Option<&[usize]>,
) -> Vec<Pager> {
    if per_page == 0 {
        return vec![Pager {
            path: path.to_owned(),
            view: Value::none(),
        }];
    }
    let chunks: Vec<&[Value]> = if items.is_empty() {
        vec![&[]]
    } else {
        items.chunks(per_page).collect()
    };
    let count = chunks.len();
    let pager_path = |n: usize| {
        if n == 1 {
            path.to_owned()
        } else {
            format!("{path}page/{n}/")
        }
    };
    chunks
        .into_iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|only| only.contains(i)))
        .map(|(i, chunk)| {
            let n = i + 1;
            let view = PaginatorView {
                current_index: n,
                number_pagers: count,
                paginate_by: per_page,
                total_pages: items.len(),
                first: views.url_path(&pager_path(1)),
                last: views.url_path(&pager_path(count)),
                previous: (n > 1).then(|| views.url_path(&pager_path(n - 1))),
                next: (n < count).then(|| views.url_path(&pager_path(n + 1))),
            };
            Pager {
                path: pager_path(n),
                view: merge(&to_value(&view), [("pages", Value::from(chunk.to_vec()))]),
            }
        })
        .collect()
}

/// A page that sends the browser (and search engines) to `target`.
pub fn redirect_page(target: &str) -> String {
    let target = crate::markdown::highlight::escape(target);
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Redirect</title>\
         <link rel=\"canonical\" href=\"{target}\"><meta http-equiv=\"refresh\" content=\"0; url={target}\">\
         </head><body><a href=\"{target}\">Click here</a> if you are not redirected.</body></html>\n"
    )
}

/// The files of every job, in job order, or every job's error reported together.
pub fn gather(results: Vec<Result<Vec<OutputFile>>>) -> Result<Vec<OutputFile>> {
    let mut errors = Collector::default();
    let files: Vec<OutputFile> = results
        .into_iter()
        .filter_map(|r| errors.take(r))
        .flatten()
        .collect();
    errors.finish()?;
    Ok(files)
}
