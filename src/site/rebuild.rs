//! Incremental rebuilds for `galley serve`: redo only what a change invalidates, and end with
//! exactly the output a full build of the same files would give (a test compares them byte for
//! byte after random edit sequences).
//!
//! The rules, from cheapest to safest:
//! - a static file: the static layer is redone; with plain asset names (serve mode) no page
//!   changes;
//! - a page whose edit leaves its place in the site alone (same title, date, slug, path, tags,
//!   template, aliases, draft state): its Markdown alone is re-rendered, then the page itself;
//!   if its summary changed, the listings showing it (its sections, its terms, taxonomy lists)
//!   and every page rendered by a template that looks pages up (`get_section`...); if its
//!   description changed, the pages linking to it as neighbour or related post. A listing
//!   whose template reads only `paginator.pages` re-renders only the pagers showing the page,
//!   and a taxonomy list that reads no page at all is left alone. No file appears or goes, so
//!   the re-rendered files replace their old selves in the served output (no merge), and only
//!   the feeds listing the page, its search-index object and (if its dates changed) the
//!   sitemap are regenerated;
//! - anything else under content/ (a new, removed or re-filed page, a section's `_index.md`):
//!   the library is reloaded and every template job re-rendered (Markdown stays cached);
//! - templates: every job; site.toml or the theme's own files: a full rebuild.
//!
//! After any other change, feeds, sitemap and search index are regenerated whole and the
//! layers merged again.

use std::collections::HashSet;
use std::time::Instant;

use super::render::{Memo, Part};
use super::{Change, Mode, Site, load_templates};
use crate::content::{Library, LoadOptions, Page, PageId, PageMeta, Source};
use crate::diagnostics::Result;
use crate::templates::layout::Job;
use crate::templates::views::ViewBuilder;

/// What a rebuild did, for the terminal and the live-reload message.
#[derive(Debug, Clone, Default)]
pub struct Rebuilt {
    /// Template jobs rendered again.
    pub jobs: usize,
    /// Whether the whole site was rebuilt.
    pub full: bool,
    /// Only stylesheets changed: browsers can swap them without reloading.
    pub css_only: bool,
    pub milliseconds: u128,
}

impl Site {
    /// Applies `changes`. On error the served output should stay the previous one; the site
    /// then rebuilds from scratch on the next change.
    pub fn rebuild(&mut self, changes: &[Change]) -> Result<Rebuilt> {
        let started = Instant::now();
        let result = self.rebuild_inner(changes);
        self.stale = result.is_err();
        result.map(|mut rebuilt| {
            rebuilt.milliseconds = started.elapsed().as_millis();
            rebuilt
        })
    }

    fn rebuild_inner(&mut self, changes: &[Change]) -> Result<Rebuilt> {
        self.timings.phases.clear();
        let start = Instant::now();
        if self.stale
            || changes
                .iter()
                .any(|c| matches!(c, Change::Config | Change::Theme(_)))
        {
            return self.full_rebuild();
        }
        let templates_changed = changes.iter().any(|c| matches!(c, Change::Template(_)));
        let statics_changed = changes.iter().any(|c| matches!(c, Change::Static(_)));
        let content_changed = changes
            .iter()
            .any(|c| matches!(c, Change::Page(_) | Change::Section(_) | Change::Asset(_)));
        let css_only = changes
            .iter()
            .all(|c| matches!(c, Change::Static(p) if p.ends_with(".css")));

        let mut all_jobs = false;
        if templates_changed {
            self.templates = load_templates(&self.paths, &self.config)?;
            self.memo.scan_templates(&self.templates);
            all_jobs = true;
        }
        if statics_changed {
            let before = self.memo.fingerprints.clone();
            self.layers.statics = self.render_statics()?;
            all_jobs |= before != self.memo.fingerprints;
        }
        let mut modified: Vec<PageId> = Vec::new();
        let mut dates_changed = false;
        let mut structure = false;
        if content_changed {
            match self.patch_pages(changes)? {
                Some((pages, dates)) => (modified, dates_changed) = (pages, dates),
                None => {
                    self.reload_library()?;
                    structure = true;
                }
            }
            let start = self.timings.record("load", start);
            self.recheck_snippets(structure, &modified)?;
            let start = self.timings.record("snippets", start);
            if structure {
                self.render_markdown()?;
            } else {
                self.render_markdown_of(&modified)?;
            }
            self.timings.record("markdown", start);
        }
        let start = Instant::now();
        // Files re-rendered in place, when the served output can be patched with them.
        let mut in_place: Option<Vec<crate::output::OutputFile>> = None;
        let jobs = if all_jobs || structure {
            self.refresh_values();
            self.render_jobs()?
        } else if !modified.is_empty() {
            let previous = self.memo.values.take().map(|v| v.pages).unwrap_or_default();
            let changed: HashSet<PageId> = modified.iter().copied().collect();
            self.refresh_values_with(Some((&previous, &changed)));
            let summaries_changed: Vec<PageId> = match &self.memo.values {
                Some(values) => modified
                    .iter()
                    .copied()
                    .filter(|&p| previous.get(p) != Some(&values.pages[p]))
                    .collect(),
                None => modified.clone(),
            };
            let parts = self.dirty_parts(&modified, &summaries_changed);
            in_place = Some(self.render_parts(&parts)?);
            parts.len()
        } else {
            if templates_changed {
                self.refresh_values();
            }
            0
        };
        let start = self.timings.record("templates", start);
        let assets_changed = changes.iter().any(|c| matches!(c, Change::Asset(_)));
        match in_place {
            Some(mut files) if !statics_changed && !assets_changed => {
                files.extend(self.patch_generated(&modified, dates_changed));
                let start = self.timings.record("feeds etc.", start);
                for file in files {
                    self.output.replace(file);
                }
                self.timings.record("merge", start);
            }
            _ => {
                if content_changed || all_jobs {
                    self.render_generated();
                }
                let start = self.timings.record("feeds etc.", start);
                self.output = self.layers.merge()?;
                self.timings.record("merge", start);
            }
        }
        Ok(Rebuilt {
            jobs,
            full: false,
            css_only: css_only && jobs == 0,
            milliseconds: 0,
        })
    }

    fn full_rebuild(&mut self) -> Result<Rebuilt> {
        // Rendered Markdown stays valid across any change: its cache key covers the source,
        // the renderer's settings and the URLs it links to.
        let markdown = std::mem::take(&mut self.memo.markdown);
        let memo = Memo {
            markdown,
            ..Memo::default()
        };
        // The fresh load checks the snippets again: the badges it computes are the ones a full
        // build shows, so the previous ones (stale after a site.toml edit or a failed rebuild)
        // must not be put back.
        match Site::load_with(&self.options, memo) {
            Ok(site) => {
                let jobs = site.memo.job_files.len();
                *self = site;
                Ok(Rebuilt {
                    jobs,
                    full: true,
                    css_only: false,
                    milliseconds: 0,
                })
            }
            Err(error) => Err(error),
        }
    }

    /// Re-reads edited pages in place when none of them moves in the site, giving their ids
    /// and whether the dates the sitemap shows changed; `None` when the library must be
    /// reloaded (a page added, removed or re-filed; a section edited).
    fn patch_pages(&mut self, changes: &[Change]) -> Result<Option<(Vec<PageId>, bool)>> {
        let mut modified = Vec::new();
        let mut dates_changed = false;
        let taxonomies: Vec<String> = self
            .config
            .taxonomies
            .iter()
            .map(|t| t.name.clone())
            .collect();
        let taxonomy_names: Vec<&str> = taxonomies.iter().map(String::as_str).collect();
        let load = LoadOptions {
            root: &self.paths.root,
            content_dir: &self.paths.content,
            drafts: self.options.drafts,
        };
        for change in changes {
            match change {
                Change::Page(relative) => {
                    let Some(crate::content::Item::Page(id)) = self.library.resolve(relative)
                    else {
                        return Ok(None);
                    };
                    if !self.paths.content.join(relative).is_file() {
                        return Ok(None);
                    }
                    let (source, meta) = Source::read_page(&load, relative, &taxonomy_names)?;
                    if moves(&self.library.pages[id], &meta) {
                        return Ok(None);
                    }
                    let page = &mut self.library.pages[id];
                    dates_changed |= page.meta.updated != meta.updated;
                    page.source = source;
                    page.meta = meta;
                    modified.push(id);
                }
                Change::Asset(relative) => {
                    let exists = self.paths.content.join(relative).is_file();
                    if !(exists && self.library.has_asset(relative)) {
                        return Ok(None);
                    }
                }
                Change::Section(_) => return Ok(None),
                _ => {}
            }
        }
        Ok(Some((modified, dates_changed)))
    }

    /// Re-checks the code blocks of the edited pages (of every page after a structural
    /// change); a failing block fails the rebuild, so the last good build stays served.
    fn recheck_snippets(&mut self, structure: bool, modified: &[PageId]) -> Result<()> {
        let sources: Vec<String> = modified
            .iter()
            .map(|&p| self.library.pages[p].source.relative.clone())
            .collect();
        let only = (!structure).then_some(sources.as_slice());
        let (badges, report) = super::check_snippets(
            &self.options,
            &self.library,
            &self.config,
            only,
            &mut self.checker,
        )?;
        if only.is_some() {
            for source in &sources {
                self.badges.remove(source);
            }
            self.badges.extend(badges);
        } else {
            self.badges = badges;
        }
        if report.is_some() {
            self.snippet_report = report;
        }
        Ok(())
    }

    fn reload_library(&mut self) -> Result<()> {
        let load = LoadOptions {
            root: &self.paths.root,
            content_dir: &self.paths.content,
            drafts: self.options.drafts,
        };
        self.library = Library::load(&self.config, &load)?;
        Ok(())
    }

    /// The jobs, or pagers of jobs, an in-place edit of `modified` pages invalidates.
    fn dirty_parts(&self, modified: &[PageId], summaries_changed: &[PageId]) -> Vec<Part> {
        let library = &self.library;
        let Some(values) = self.memo.values.as_ref() else {
            return modified.iter().map(|&p| (Job::Page(p), None)).collect();
        };
        let views = ViewBuilder {
            config: &self.config,
            library,
            rendered: &self.rendered,
        };
        let empty = std::collections::HashMap::new();
        let layout = self.layout(&views, values, &empty);
        let reads = |job: Job, templates: &HashSet<String>| {
            layout
                .template_for(job)
                .is_some_and(|t| templates.contains(&t))
        };
        let mut dirty = DirtyParts::default();
        for &page in modified {
            dirty.whole(Job::Page(page));
        }
        for &page in summaries_changed {
            // A listing shows the page in one pager; its template may read more than that.
            let listing = |dirty: &mut DirtyParts, job: Job, pages: &[PageId]| {
                let Some(position) = pages.iter().position(|&p| p == page) else {
                    return;
                };
                if reads(job, &self.memo.full_list_templates) {
                    dirty.whole(job);
                } else {
                    let per_pager = layout.paginate_by(job);
                    dirty.pager(job, position.checked_div(per_pager).unwrap_or(0));
                }
            };
            for (id, section) in library.sections.iter().enumerate() {
                if section.meta.render {
                    listing(&mut dirty, Job::Section(id), &section.pages);
                }
            }
            for (t, taxonomy) in library.taxonomies.iter().enumerate() {
                let mut listed = false;
                for (i, term) in taxonomy.terms.iter().enumerate() {
                    listed |= term.pages.contains(&page);
                    listing(&mut dirty, Job::Term(t, i), &term.pages);
                }
                if listed && reads(Job::TaxonomyList(t), &self.memo.full_list_templates) {
                    dirty.whole(Job::TaxonomyList(t));
                }
            }
            // Neighbour and related links show the description.
            for (id, other) in library.pages.iter().enumerate() {
                let refers = other.higher == Some(page)
                    || other.lower == Some(page)
                    || other.related.contains(&page)
                    || other
                        .neighbours
                        .iter()
                        .any(|(_, n)| n.previous == Some(page) || n.next == Some(page));
                if refers {
                    dirty.whole(Job::Page(id));
                }
            }
        }
        if !summaries_changed.is_empty() && !self.memo.lookup_templates.is_empty() {
            for job in layout.jobs() {
                if reads(job, &self.memo.lookup_templates) {
                    dirty.whole(job);
                }
            }
        }
        dirty.parts
    }

    pub fn mode(&self) -> Mode {
        self.options.mode
    }
}

/// Jobs to render again, each whole or only some of its pagers, in the order first named.
#[derive(Default)]
struct DirtyParts {
    parts: Vec<Part>,
    index: std::collections::HashMap<Job, usize>,
}

impl DirtyParts {
    fn whole(&mut self, job: Job) {
        match self.index.get(&job) {
            Some(&i) => self.parts[i].1 = None,
            None => self.add((job, None)),
        }
    }

    fn pager(&mut self, job: Job, pager: usize) {
        match self.index.get(&job) {
            Some(&i) => {
                if let Some(pagers) = &mut self.parts[i].1
                    && !pagers.contains(&pager)
                {
                    pagers.push(pager);
                }
            }
            None => self.add((job, Some(vec![pager]))),
        }
    }

    fn add(&mut self, part: Part) {
        self.index.insert(part.0, self.parts.len());
        self.parts.push(part);
    }
}

/// Whether a page's new front matter changes its place in the site: its URL, its order, its
/// terms, its template or whether it exists at all.
fn moves(page: &Page, new: &PageMeta) -> bool {
    let old = &page.meta;
    old.title != new.title
        || old.date != new.date
        || old.draft != new.draft
        || old.slug != new.slug
        || old.path != new.path
        || old.weight != new.weight
        || old.taxonomies != new.taxonomies
        || old.aliases != new.aliases
        || old.template != new.template
}
