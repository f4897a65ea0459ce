//! The filters and functions galley adds to Tera: the part of the theme API that is code.
//!
//! Functions that look things up in the site (`get_url`, `get_page`, ...) read a [`Lookup`]
//! shared behind a lock, so a rebuild can swap in new data without reloading templates.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tera::{Error, Kwargs, State, Tera, TeraResult, Value};

use crate::content::Date;

/// Everything lookup functions can find, replaced as a whole on every build.
#[derive(Debug, Default)]
pub struct Lookup {
    pub base_url: String,
    /// `blog/x.md` -> the page's summary value.
    pub pages: Entries,
    /// `blog/_index.md` -> the section value, pages included.
    pub sections: Entries,
    /// Taxonomy name -> the taxonomy value, each term with its pages.
    pub taxonomies: Entries,
    /// `style.css` -> `style.1a2b3c4d.css`, for cache-busting asset URLs.
    pub fingerprints: HashMap<String, String>,
}

/// Values by name. Both halves are shared, not copied: the values with the build that
/// computed them, and the names with the next rebuild that moves no page (building the map of
/// 10,000 paths again was a third of a one-page rebuild).
#[derive(Debug, Default, Clone)]
pub struct Entries {
    pub index: Arc<HashMap<String, usize>>,
    pub values: Arc<Vec<Value>>,
}

impl Entries {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.index.get(name).and_then(|&i| self.values.get(i))
    }
}

pub type SharedLookup = Arc<RwLock<Arc<Lookup>>>;

pub fn register(tera: &mut Tera, lookup: &SharedLookup) {
    tera.register_filter("date", date);
    tera.register_filter("slugify", |text: &str, _: Kwargs, _: &State| {
        crate::slug::slugify(text)
    });
    tera.register_filter("json_encode", json_encode);
    tera.register_filter("urlencode", |text: &str, _: Kwargs, _: &State| {
        urlencode(text)
    });
    tera.register_filter("striptags", |text: &str, _: Kwargs, _: &State| {
        striptags(text)
    });
    tera.register_filter("markdown", markdown);
    tera.register_filter("filter", filter);
    tera.register_filter("map", map);
    tera.register_function("now", |_: Kwargs, _: &State| {
        jiff::Timestamp::now().to_string()
    });

    let shared = lookup.clone();
    tera.register_function(
        "get_url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            get_url(&current(&shared), &path)
        },
    );
    let shared = lookup.clone();
    tera.register_function(
        "asset_url",
        move |kwargs: Kwargs, _: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let lookup = current(&shared);
            let trimmed = path.trim_start_matches('/');
            let hashed = lookup.fingerprints.get(trimmed).ok_or_else(|| {
                Error::message(format!(
                    "asset_url: no static file `{trimmed}` in the theme's or the site's static/"
                ))
            })?;
            Ok(format!("{}{hashed}", lookup.base_url))
        },
    );
    register_lookup(tera, lookup, "get_page", "path", |l| &l.pages, "page");
    register_lookup(
        tera,
        lookup,
        "get_section",
        "path",
        |l| &l.sections,
        "section",
    );
    register_lookup(
        tera,
        lookup,
        "get_taxonomy",
        "name",
        |l| &l.taxonomies,
        "taxonomy",
    );
}

/// Registers `function(<argument>=..., required=true)`, looking the argument up in one map of
/// the lookup. With `required=false` a missing entry is `none` instead of an error, so a theme
/// can show a block only on sites that have, say, a `tracks` taxonomy.
fn register_lookup(
    tera: &mut Tera,
    lookup: &SharedLookup,
    function: &'static str,
    argument: &'static str,
    select: fn(&Lookup) -> &Entries,
    what: &'static str,
) {
    let shared = lookup.clone();
    tera.register_function(
        function,
        move |kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let key: String = kwargs.must_get(argument)?;
            let required: bool = kwargs.get("required")?.unwrap_or(true);
            let lookup = current(&shared);
            match find(
                select(&lookup),
                key.trim_start_matches("@/"),
                function,
                what,
            ) {
                Err(_) if !required => Ok(Value::none()),
                found => found,
            }
        },
    );
}

fn current(shared: &SharedLookup) -> Arc<Lookup> {
    // A poisoned lock means a render thread panicked; its data is still consistent (it is
    // only ever replaced whole), so keep serving it.
    shared
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone()
}

fn find(entries: &Entries, key: &str, function: &str, what: &str) -> TeraResult<Value> {
    entries.get(key).cloned().ok_or_else(|| {
        let mut known: Vec<&str> = entries.index.keys().map(String::as_str).collect();
        known.sort_unstable();
        let close = crate::diagnostics::suggest(key, known.iter().copied())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        Error::message(format!("{function}: no {what} `{key}`{close}"))
    })
}

/// `@/blog/x.md` -> the page's permalink; `/style.css` or `style.css` -> absolute URL.
pub fn get_url(lookup: &Lookup, path: &str) -> TeraResult<String> {
    if let Some(target) = path.strip_prefix("@/") {
        let (file, anchor) = target
            .split_once('#')
            .map_or((target, None), |(f, a)| (f, Some(a)));
        let value = lookup.pages.get(file).or_else(|| lookup.sections.get(file));
        let permalink = value
            .and_then(|v| v.as_map())
            .and_then(|m| m.get(&tera::value::Key::Str("permalink")))
            .and_then(Value::as_str)
            .ok_or_else(|| Error::message(format!("get_url: no page or section `{file}`")))?;
        return Ok(match anchor {
            Some(anchor) => format!("{permalink}#{anchor}"),
            None => permalink.to_owned(),
        });
    }
    if path.starts_with("http://") || path.starts_with("https://") {
        return Ok(path.to_owned());
    }
    Ok(format!(
        "{}{}",
        lookup.base_url,
        path.trim_start_matches('/')
    ))
}

fn date(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let format: String = kwargs
        .get("format")?
        .unwrap_or_else(|| "%Y-%m-%d".to_owned());
    let text = value.as_str().ok_or_else(|| {
        Error::message(format!(
            "date: expected a date string, got {}",
            value.name()
        ))
    })?;
    let date: Date = text.parse().map_err(Error::message)?;
    date.format(&format).map_err(Error::message)
}

fn json_encode(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let pretty: bool = kwargs.get("pretty")?.unwrap_or(false);
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    let text = text.map_err(|e| Error::message(format!("json_encode: {e}")))?;
    // JSON inside HTML must not end or confuse a <script> element.
    Ok(Value::safe_string(&crate::output::search::script_safe(
        &text,
    )))
}

fn markdown(text: &str, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let inline: bool = kwargs.get("inline")?.unwrap_or(false);
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(text, pulldown_cmark::Options::all());
    pulldown_cmark::html::push_html(&mut html, parser);
    if inline {
        let trimmed = html.trim();
        if let Some(inner) = trimmed
            .strip_prefix("<p>")
            .and_then(|t| t.strip_suffix("</p>"))
        {
            html = inner.to_owned();
        }
    }
    Ok(Value::safe_string(&html))
}

fn attribute_of<'v>(item: &'v Value, path: &'v str) -> Option<&'v Value> {
    item.get_from_path(path)
}

/// `pages | filter(attribute="featured", value=true)`: the items whose attribute equals the
/// value (or, without `value`, is truthy). Zola themes rely on it; Tera 2 dropped it.
fn filter(items: &[Value], kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let attribute: String = kwargs.must_get("attribute")?;
    let expected: Option<Value> = kwargs.get("value")?;
    let kept: Vec<Value> = items
        .iter()
        .filter(|item| match (attribute_of(item, &attribute), &expected) {
            (Some(actual), Some(expected)) => actual == expected,
            (Some(actual), None) => actual.is_truthy(),
            (None, _) => false,
        })
        .cloned()
        .collect();
    Ok(Value::from(kept))
}

/// `pages | map(attribute="title")`: one attribute of each item (missing ones skipped).
fn map(items: &[Value], kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let attribute: String = kwargs.must_get("attribute")?;
    let values: Vec<Value> = items
        .iter()
        .filter_map(|item| attribute_of(item, &attribute).cloned())
        .collect();
    Ok(Value::from(values))
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Removes HTML tags and comments, keeping their text.
pub fn striptags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => in_tag = false,
            (false, c) => out.push(c),
            (true, _) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Lookup, get_url, striptags, urlencode};

    #[test]
    fn get_url_joins_the_base_url() {
        let lookup = Lookup {
            base_url: "https://example.org/docs/".into(),
            ..Lookup::default()
        };
        assert_eq!(
            get_url(&lookup, "/style.css").unwrap(),
            "https://example.org/docs/style.css"
        );
        assert_eq!(
            get_url(&lookup, "rss.xml").unwrap(),
            "https://example.org/docs/rss.xml"
        );
        assert!(get_url(&lookup, "@/missing.md").is_err());
    }

    #[test]
    fn filter_and_map_work_on_page_lists() {
        let mut tera = tera::Tera::new();
        super::register(
            &mut tera,
            &std::sync::Arc::new(std::sync::RwLock::new(std::sync::Arc::new(
                Lookup::default(),
            ))),
        );
        tera.add_raw_template(
            "t",
            "{{ pages | filter(attribute='featured', value=true) | map(attribute='title') | join(sep=',') }}|{{ pages | filter(attribute='extra.x') | length }}",
        )
        .unwrap();
        let mut context = tera::Context::new();
        context.insert(
            "pages",
            &serde_json::json!([
                {"title": "a", "featured": true, "extra": {"x": 1}},
                {"title": "b", "featured": false, "extra": {}},
                {"title": "c", "featured": true, "extra": {"x": 0}}
            ]),
        );
        assert_eq!(tera.render("t", &context).unwrap(), "a,c|1");
    }

    #[test]
    fn urlencode_and_striptags() {
        assert_eq!(urlencode("a b&c/d"), "a%20b%26c/d");
        assert_eq!(striptags("<p>Hi <b>you</b></p><!-- x -->"), "Hi you");
    }
}
