//! Front-matter lint: rules that catch what builds but reads badly, each set to off, warn or
//! error in site.toml's `[check]` table.

use std::collections::HashMap;

use super::Findings;
use crate::config::RuleLevel;
use crate::content::Page;
use crate::diagnostics::{Diagnostic, Location, Severity};
use crate::site::Site;

/// Longest title shown whole in search results.
const MAX_TITLE: usize = 70;

pub fn check(site: &Site) -> Findings {
    let rules = &site.config.check;
    let mut findings = Findings::default();
    let now = jiff::Timestamp::now();
    for page in &site.library.pages {
        let mut report = |level: RuleLevel, code: &str, key: &str, message: String, hint: &str| {
            if let Some(diagnostic) = rule(level, code, page, key, message, hint) {
                findings.fail(diagnostic);
            } else if level != RuleLevel::Off {
                findings.pass();
            }
        };
        if page
            .meta
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            report(
                rules.missing_description,
                "lint/missing-description",
                "title",
                format!("{} has no description", page.source.display),
                "add `description = \"...\"`: search engines and link previews show it",
            );
        }
        if let Some(title) = &page.meta.title
            && title.chars().count() > MAX_TITLE
        {
            report(
                rules.long_title,
                "lint/long-title",
                "title",
                format!(
                    "title is {} characters long (over {MAX_TITLE})",
                    title.chars().count()
                ),
                "search results cut titles around 70 characters",
            );
        }
        if let Some(date) = page.meta.date
            && !page.meta.draft
            && date.timestamp > now
        {
            report(
                rules.future_date,
                "lint/future-date",
                "date",
                format!("date {date} is in the future on a published page"),
                "set `draft = true` until then, or correct the date",
            );
        }
        if let Some(image) = &page.meta.image
            && !image_exists(site, page, image)
        {
            report(
                rules.missing_image,
                "lint/missing-image",
                "image",
                format!("image `{image}` does not exist"),
                "put the file beside the page (page bundle) or in static/, or fix the name",
            );
        }
    }
    single_use_tags(site, &mut findings);
    findings
}

fn rule(
    level: RuleLevel,
    code: &str,
    page: &Page,
    key: &str,
    message: String,
    hint: &str,
) -> Option<Diagnostic> {
    let severity = match level {
        RuleLevel::Off => return None,
        RuleLevel::Warn => Severity::Warning,
        RuleLevel::Error => Severity::Error,
    };
    let mut diagnostic = Diagnostic::new(severity, code, message).hint(hint);
    diagnostic.location = Some(Location::new(
        page.source.display.clone(),
        key_line(page, key),
        1,
    ));
    Some(diagnostic)
}

/// The line of a front-matter key (the front matter starts on line 2), or 1.
fn key_line(page: &Page, key: &str) -> usize {
    let text = std::fs::read_to_string(&page.source.absolute).unwrap_or_default();
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            line.starts_with(key) && line[key.len()..].trim_start().starts_with(['=', ':'])
        })
        .map_or(1, |i| i + 1)
}

fn image_exists(site: &Site, page: &Page, image: &str) -> bool {
    if image.starts_with("http://") || image.starts_with("https://") {
        return true;
    }
    match image.strip_prefix('/') {
        Some(rooted) => site.output.get(rooted).is_some(),
        None => page
            .bundle
            .as_ref()
            .is_some_and(|(_, files)| files.iter().any(|f| f == image)),
    }
}

/// A tag used once is often a typo of another: suggest the closest tag used more often.
fn single_use_tags(site: &Site, findings: &mut Findings) {
    let level = site.config.check.single_use_tag;
    let Some(tags) = site.library.taxonomies.iter().find(|t| t.name == "tags") else {
        return;
    };
    let counts: HashMap<&str, usize> = tags
        .terms
        .iter()
        .map(|t| (t.name.as_str(), t.pages.len()))
        .collect();
    for term in &tags.terms {
        if term.pages.len() != 1 {
            continue;
        }
        let page = &site.library.pages[term.pages[0]];
        let others = counts
            .iter()
            .filter(|(name, count)| **count > 1 && **name != term.name)
            .map(|(name, _)| *name);
        let hint = match crate::diagnostics::suggest(&term.name, others) {
            Some(close) => format!("did you mean `{close}`, used by {} pages?", counts[close]),
            None => {
                "a tag groups posts: keep it if more will follow, or use an existing one".to_owned()
            }
        };
        match rule(
            level,
            "lint/single-use-tag",
            page,
            "tags",
            format!("tag `{}` is used by this page only", term.name),
            &hint,
        ) {
            Some(diagnostic) => findings.fail(diagnostic),
            None if level != RuleLevel::Off => findings.pass(),
            None => {}
        }
    }
}
