//! Template dependencies, as far as a rebuild needs them:
//! - which templates may show data of any page, because they (or a template they extend,
//!   include or import) call `get_page`, `get_section` or `get_taxonomy`. A page's edit must
//!   re-render everything such templates render; other templates only see their own context;
//! - which templates read a listing's whole page list (`section.pages`, `term.pages`, the
//!   terms' `pages`) rather than only the pager's `paginator.pages`. A page's edit must
//!   re-render every pager such a listing has; other listings only the pagers showing it.

use std::collections::{HashMap, HashSet};

const LOOKUPS: &[&str] = &["get_page(", "get_section(", "get_taxonomy("];
const REFERENCES: &[&str] = &["extends", "include", "import"];
/// Names that contain `pages` but carry no page's data: counts, and the pager's own list.
const PAGER_ONLY: &[&str] = &[
    "paginator.pages",
    "pages_count",
    "total_pages",
    "number_pagers",
];

/// Names of the templates whose output may depend on any page.
pub fn lookup_templates<'a>(sources: impl Iterator<Item = (&'a str, &'a str)>) -> HashSet<String> {
    reaching(sources, |text| {
        LOOKUPS.iter().any(|call| text.contains(call))
    })
}

/// Names of the templates that may read a listing's whole page list. The test is textual and
/// errs on the safe side: any `pages` left once the pager-only names are taken out counts, and
/// so does `json_encode` or the whole context (they can print a listing wholesale).
pub fn full_list_templates<'a>(
    sources: impl Iterator<Item = (&'a str, &'a str)>,
) -> HashSet<String> {
    reaching(sources, |text| {
        let rest = PAGER_ONLY
            .iter()
            .fold(text.to_owned(), |rest, name| rest.replace(name, ""));
        rest.contains("pages") || rest.contains("json_encode") || rest.contains("__tera_context")
    })
}

/// Names of the templates for which `direct` holds, for themselves or for a template they
/// extend, include or import (transitively).
fn reaching<'a>(
    sources: impl Iterator<Item = (&'a str, &'a str)>,
    direct: impl Fn(&str) -> bool,
) -> HashSet<String> {
    let mut uses: HashMap<String, Vec<String>> = HashMap::new();
    let mut holds: HashSet<String> = HashSet::new();
    for (name, text) in sources {
        if direct(text) {
            holds.insert(name.to_owned());
        }
        uses.insert(name.to_owned(), referenced(text));
    }
    let mut result = HashSet::new();
    for name in uses.keys() {
        let mut seen = HashSet::new();
        let mut stack = vec![name.clone()];
        while let Some(current) = stack.pop() {
            if !seen.insert(current.clone()) {
                continue;
            }
            if holds.contains(&current) {
                result.insert(name.clone());
                break;
            }
            stack.extend(uses.get(&current).into_iter().flatten().cloned());
        }
    }
    result
}

/// The template names a template refers to with `{% extends "x" %}`, `{% include "x" %}` or
/// `{% import "x" as y %}` (quoted literals only: a computed name cannot be followed, and
/// such a template is treated as using nothing more).
fn referenced(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for tag in text.split("{%").skip(1) {
        let tag = tag
            .split("%}")
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches('-')
            .trim();
        let Some(keyword) = REFERENCES.iter().find(|k| tag.starts_with(*k)) else {
            continue;
        };
        let rest = tag[keyword.len()..].trim();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'');
        if let Some(q) = quote
            && let Some(end) = rest[1..].find(q)
        {
            names.push(rest[1..1 + end].to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::{full_list_templates, lookup_templates};

    #[test]
    fn lookups_propagate_through_extends_include_and_import() {
        let sources = [
            (
                "base.html",
                "{% include \"nav.html\" %}{% block c %}{% endblock c %}",
            ),
            (
                "nav.html",
                "{% set s = get_section(path='blog/_index.md') %}",
            ),
            ("page.html", "{% extends \"base.html\" %}"),
            ("plain.html", "{{ page.title }}"),
            ("macro_user.html", "{% import 'macros.html' as m %}"),
            (
                "macros.html",
                "{% macro x() %}{{ get_taxonomy(name='tags') }}{% endmacro x %}",
            ),
        ];
        let found = lookup_templates(sources.iter().map(|(n, t)| (*n, *t)));
        let mut found: Vec<_> = found.into_iter().collect();
        found.sort();
        assert_eq!(
            found,
            [
                "base.html",
                "macro_user.html",
                "macros.html",
                "nav.html",
                "page.html"
            ]
        );
    }

    #[test]
    fn listings_reading_more_than_their_pager_are_found_through_extends() {
        let sources = [
            ("base.html", "{% block c %}{% endblock c %}"),
            (
                "pager.html",
                "{% extends \"base.html\" %}{% for p in paginator.pages %}{{ p.title }}{% endfor %}\
                 {{ section.pages_count }} {{ paginator.total_pages }} {{ paginator.number_pagers }}",
            ),
            (
                "whole.html",
                "{% for p in section.pages %}{{ p.title }}{% endfor %}",
            ),
            ("terms.html", "{{ taxonomy.terms[0].pages[0].title }}"),
            ("dump.html", "{{ section | json_encode }}"),
            ("child.html", "{% extends \"whole.html\" %}"),
        ];
        let found = full_list_templates(sources.iter().map(|(n, t)| (*n, *t)));
        let mut found: Vec<_> = found.into_iter().collect();
        found.sort();
        assert_eq!(
            found,
            ["child.html", "dump.html", "terms.html", "whole.html"]
        );
    }
}
