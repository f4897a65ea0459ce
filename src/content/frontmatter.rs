//! Front matter: split a Markdown file into its metadata block and body, then parse the block
//! (TOML between `+++` lines, as Zola writes it; YAML between `---` lines, as Hugo writes it)
//! into [`PageMeta`] or [`SectionMeta`].
//!
//! 1. [`split`] finds the block and records the line numbers of both parts.
//! 2. The block is parsed into a JSON value (TOML datetimes become strings).
//! 3. Keys are checked against the allowed names (taxonomy names count too: Hugo's top-level
//!    `tags = [...]`), so a typo is an error at its own line, with a suggestion.
//! 4. The value is deserialised into the typed struct; a wrong type names the key and its line.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::date::Date;
use crate::diagnostics::{Diagnostic, Location, nth_line, suggest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

impl Format {
    fn delimiter(self) -> &'static str {
        match self {
            Format::Toml => "+++",
            Format::Yaml => "---",
        }
    }
}

/// A Markdown file cut into its front matter and its body.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    /// Line number (1-based) of the first line of `front`.
    pub front_line: usize,
    pub body: &'a str,
    /// Line number (1-based) of the first line of `body`.
    pub body_line: usize,
}

/// Finds the front matter block at the very top of `text`.
pub fn split<'a>(text: &'a str, file: &str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or("").trim_end();
    let format = match first_line {
        "+++" => Format::Toml,
        "---" => Format::Yaml,
        _ => {
            return Err(
                Diagnostic::error("frontmatter/missing", "missing front matter")
                    .at_offset(file, text, 0, 1)
                    .hint(
                        "start the file with a front matter block: a line `+++`, then \
                     `title = \"...\"`, then a line `+++` (or the same with `---` and YAML)",
                    ),
            );
        }
    };
    let delimiter = format.delimiter();
    let front_start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = front_start;
    // The block's first line is line 2 of the file.
    for (index, line) in text[front_start..].split_inclusive('\n').enumerate() {
        if line.trim_end() == delimiter {
            let body_start = offset + line.len();
            return Ok(Split {
                format,
                front: &text[front_start..offset],
                front_line: 2,
                body: &text[body_start..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        "frontmatter/unclosed",
        format!("front matter opened with `{delimiter}` is never closed"),
    )
    .at_offset(file, text, 0, 1)
    .hint(format!(
        "add a line with just `{delimiter}` after the last front matter key"
    )))
}

/// Page fields, in the order the reference lists them.
pub const PAGE_FIELDS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "lastmod",
    "draft",
    "slug",
    "path",
    "aliases",
    "weight",
    "template",
    "authors",
    "summary",
    "taxonomies",
    "featured",
    "image",
    "in_search_index",
    "snippets",
    "extra",
];

pub const SECTION_FIELDS: &[&str] = &[
    "title",
    "description",
    "draft",
    "sort_by",
    "weight",
    "template",
    "page_template",
    "paginate_by",
    "transparent",
    "render",
    "aliases",
    "in_search_index",
    "extra",
];

/// What a page's front matter may say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageMeta {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<Date>,
    #[serde(alias = "lastmod")]
    pub updated: Option<Date>,
    pub draft: bool,
    pub slug: Option<String>,
    pub path: Option<String>,
    pub aliases: Vec<String>,
    pub weight: Option<i64>,
    pub template: Option<String>,
    pub authors: Vec<String>,
    pub summary: Option<String>,
    pub taxonomies: BTreeMap<String, Vec<String>>,
    pub featured: bool,
    pub image: Option<String>,
    #[serde(default = "yes")]
    pub in_search_index: bool,
    /// `galley test` settings for every block of the page (`[snippets]`: test, k8s...).
    pub snippets: Option<crate::snippets::PageSnippets>,
    pub extra: Map<String, Value>,
    /// Where each key is written, for errors found after loading.
    #[serde(skip)]
    pub keys: KeyLocations,
}

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first.
    #[default]
    Date,
    /// Lightest first, then by title.
    Weight,
    Title,
    /// Source order (file names).
    None,
}

/// What a section's `_index.md` front matter may say.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SectionMeta {
    pub title: Option<String>,
    pub description: Option<String>,
    pub draft: bool,
    pub sort_by: SortBy,
    pub weight: Option<i64>,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub paginate_by: Option<usize>,
    /// Pages of a transparent section are also listed by its parent (Zola's semantics).
    pub transparent: bool,
    /// `false`: the section gets no page of its own, only its pages are rendered.
    pub render: bool,
    pub aliases: Vec<String>,
    pub in_search_index: bool,
    pub extra: Map<String, Value>,
    /// Where each key is written, for errors found after loading.
    #[serde(skip)]
    pub keys: KeyLocations,
}

impl Default for SectionMeta {
    fn default() -> Self {
        SectionMeta {
            title: None,
            description: None,
            draft: false,
            sort_by: SortBy::Date,
            weight: None,
            template: None,
            page_template: None,
            paginate_by: None,
            transparent: false,
            render: true,
            aliases: Vec::new(),
            in_search_index: true,
            extra: Map::new(),
            keys: KeyLocations::default(),
        }
    }
}

/// Where the top-level keys of a front matter block are written. Some mistakes only show once
/// everything is loaded (a `template` no template folder has); this lets their errors still
/// point at the key's line.
#[derive(Debug, Clone, Default)]
pub struct KeyLocations(Vec<(String, Location, Option<String>)>);

impl KeyLocations {
    fn of<'k>(keys: impl Iterator<Item = &'k String>, split: &Split, file: &str) -> Self {
        let located = keys
            .filter_map(|key| {
                let offset = key_offset(split.front, key, split.format)?;
                let location = Location::in_text(file, split.front, offset, split.front_line);
                let line = nth_line(split.front, location.line + 1 - split.front_line);
                Some((key.clone(), location, line.map(str::to_owned)))
            })
            .collect();
        KeyLocations(located)
    }

    /// Points `diagnostic` at `key`, when the block has it.
    pub fn point(&self, key: &str, diagnostic: Diagnostic) -> Diagnostic {
        match self.0.iter().find(|(k, _, _)| k == key) {
            Some((_, location, line)) => {
                let mut diagnostic = diagnostic.at(location.clone()).with_width(key.len());
                diagnostic.source_line = line.clone();
                diagnostic
            }
            None => diagnostic,
        }
    }
}

fn yes() -> bool {
    true
}

/// Parses a page's front matter. `taxonomies` are the site's taxonomy names, accepted as
/// top-level keys the way Hugo writes them (`tags = ["a"]`).
pub fn parse_page(split: &Split, file: &str, taxonomies: &[&str]) -> Result<PageMeta, Diagnostic> {
    let mut map = parse_map(split, file)?;
    check_keys(&map, PAGE_FIELDS, taxonomies, split, file)?;
    // `lastmod` is Hugo's name for `updated`: with both, serde would only say "duplicate field
    // `updated`", naming a key the file may not even spell that way.
    if map.contains_key("updated") && map.contains_key("lastmod") {
        return Err(at_key(
            Diagnostic::error(
                "frontmatter/duplicate-field",
                "`updated` and `lastmod` are the same field (`lastmod` is Hugo's name for it)",
            )
            .hint("keep one of them"),
            "lastmod",
            split,
            file,
        ));
    }
    // Hugo-style top-level taxonomy lists move under `taxonomies`.
    let mut hoisted = Map::new();
    for name in taxonomies {
        if let Some(value) = map.remove(*name) {
            hoisted.insert((*name).to_owned(), value);
        }
    }
    if !hoisted.is_empty() {
        let table = map
            .entry("taxonomies")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(table) = table {
            for (name, value) in hoisted {
                table.entry(name).or_insert(value);
            }
        }
    }
    let keys = KeyLocations::of(map.keys(), split, file);
    let mut meta: PageMeta = typed(map, split, file)?;
    meta.keys = keys;
    // An empty slug would make the page's URL its section's (`/blog//`): refuse it here, where
    // the key's line is known.
    if meta
        .slug
        .as_deref()
        .is_some_and(|slug| slug.trim().trim_matches('/').is_empty())
    {
        return Err(at_key(
            Diagnostic::error("frontmatter/slug", "`slug` is empty"),
            "slug",
            split,
            file,
        )
        .hint("remove `slug` to use the file name, or give it a value such as \"my-post\""));
    }
    for name in meta.taxonomies.keys() {
        if !taxonomies.contains(&name.as_str()) {
            let known = if taxonomies.is_empty() {
                "this site declares no taxonomies".to_owned()
            } else {
                format!("this site's taxonomies are: {}", taxonomies.join(", "))
            };
            return Err(at_key(
                Diagnostic::error("frontmatter/taxonomy", format!("unknown taxonomy `{name}`"))
                    .hint(format!(
                        "{known}; declare it in site.toml under [[taxonomies]]"
                    )),
                name,
                split,
                file,
            ));
        }
    }
    Ok(meta)
}

pub fn parse_section(split: &Split, file: &str) -> Result<SectionMeta, Diagnostic> {
    let map = parse_map(split, file)?;
    check_keys(&map, SECTION_FIELDS, &[], split, file)?;
    let keys = KeyLocations::of(map.keys(), split, file);
    let mut meta: SectionMeta = typed(map, split, file)?;
    meta.keys = keys;
    Ok(meta)
}

fn parse_map(split: &Split, file: &str) -> Result<Map<String, Value>, Diagnostic> {
    let value = match split.format {
        Format::Toml => {
            let table: toml::Table = toml::from_str(split.front).map_err(|error| {
                let offset = error.span().map_or(0, |span| span.start);
                Diagnostic::error(
                    "frontmatter/toml",
                    format!("invalid TOML front matter: {}", error.message().trim_end()),
                )
                .at_offset(file, split.front, offset, split.front_line)
                .hint("TOML front matter is `key = value` lines; strings need double quotes")
            })?;
            toml_to_json(toml::Value::Table(table))
        }
        Format::Yaml => {
            if split.front.trim().is_empty() {
                Value::Object(Map::new())
            } else {
                serde_saphyr::from_str::<Value>(split.front).map_err(|error| {
                    let message = first_line(&error.to_string());
                    let diagnostic = Diagnostic::error(
                        "frontmatter/yaml",
                        format!("invalid YAML front matter: {message}"),
                    )
                    .hint("YAML front matter is `key: value` lines, indented with spaces");
                    match error.location() {
                        Some(location) => {
                            let line = location.line() as usize;
                            let column = location.column() as usize;
                            locate(diagnostic, split, file, line, column)
                        }
                        None => diagnostic.at_offset(file, split.front, 0, split.front_line),
                    }
                })?
            }
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(Diagnostic::error(
            "frontmatter/shape",
            format!(
                "front matter must be a table of keys, not a {}",
                json_kind(&other)
            ),
        )
        .at_offset(file, split.front, 0, split.front_line)
        .hint("write one `key = value` (TOML) or `key: value` (YAML) per line")),
    }
}

fn check_keys(
    map: &Map<String, Value>,
    allowed: &[&str],
    taxonomies: &[&str],
    split: &Split,
    file: &str,
) -> Result<(), Diagnostic> {
    for key in map.keys() {
        if allowed.contains(&key.as_str()) || taxonomies.contains(&key.as_str()) {
            continue;
        }
        let candidates = allowed.iter().chain(taxonomies).copied();
        let mut hint = match suggest(key, candidates) {
            Some(close) => format!("did you mean `{close}`? "),
            None => String::new(),
        };
        hint.push_str(&format!(
            "allowed fields: {}; put anything else under `extra`",
            allowed
                .iter()
                .filter(|k| **k != "lastmod")
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Err(at_key(
            Diagnostic::error(
                "frontmatter/unknown-field",
                format!("unknown front matter field `{key}`"),
            )
            .hint(hint),
            key,
            split,
            file,
        ));
    }
    Ok(())
}

fn typed<T: serde::de::DeserializeOwned>(
    map: Map<String, Value>,
    split: &Split,
    file: &str,
) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(Value::Object(map)).map_err(|error| {
        let path = error.path().to_string();
        let key = path.split(['.', '[']).next().unwrap_or("").to_owned();
        let message = first_line(&error.inner().to_string());
        at_key(
            Diagnostic::error(
                "frontmatter/type",
                format!("invalid value for `{path}`: {message}"),
            ),
            &key,
            split,
            file,
        )
    })
}

/// Points `diagnostic` at the line where `key` is defined, or at the block's first line.
fn at_key(diagnostic: Diagnostic, key: &str, split: &Split, file: &str) -> Diagnostic {
    let offset = key_offset(split.front, key, split.format).unwrap_or(0);
    diagnostic
        .at_offset(file, split.front, offset, split.front_line)
        .with_width(key.len())
}

fn locate(
    diagnostic: Diagnostic,
    split: &Split,
    file: &str,
    line: usize,
    column: usize,
) -> Diagnostic {
    let line = line.max(1);
    let location = crate::diagnostics::Location::new(file, line + split.front_line - 1, column);
    let mut diagnostic = diagnostic.at(location);
    diagnostic.source_line = nth_line(split.front, line).map(str::to_owned);
    diagnostic
}

/// Byte offset of a top-level `key` in the block: `key =` for TOML, `key:` for YAML, or a
/// `[key]` table header.
fn key_offset(front: &str, key: &str, format: Format) -> Option<usize> {
    if key.is_empty() {
        return None;
    }
    let mut offset = 0;
    for line in front.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let unquoted = trimmed.trim_start_matches(['"', '\'']);
        if let Some(rest) = unquoted.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            let separator = match format {
                Format::Toml => rest.starts_with('='),
                Format::Yaml => rest.starts_with(':'),
            };
            if separator {
                return Some(offset + indent);
            }
        }
        if format == Format::Toml && trimmed.trim_end() == format!("[{key}]") {
            return Some(offset + indent + 1);
        }
        offset += line.len();
    }
    None
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "table",
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::{Format, parse_page, parse_section, split};

    const TAXONOMIES: &[&str] = &["tags", "categories"];

    fn page(text: &str) -> Result<super::PageMeta, crate::diagnostics::Diagnostic> {
        let split = split(text, "a.md")?;
        parse_page(&split, "a.md", TAXONOMIES)
    }

    #[test]
    fn splits_toml_and_records_body_line() {
        let s = split("+++\ntitle = \"x\"\n+++\nbody\n", "a.md").unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.front, "title = \"x\"\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn splits_yaml_with_crlf_line_endings() {
        let s = split("---\r\ntitle: x\r\n---\r\nbody", "a.md").unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(s.body, "body");
    }

    #[test]
    fn missing_front_matter_has_a_hint() {
        let error = split("# Title\n", "a.md").unwrap_err();
        assert_eq!(error.code, "frontmatter/missing");
        assert!(error.hint.unwrap().contains("+++"));
    }

    #[test]
    fn unclosed_block_says_which_delimiter() {
        let error = split("+++\ntitle = \"x\"\nbody\n", "a.md").unwrap_err();
        assert!(error.message.contains("never closed"));
        assert!(error.hint.unwrap().contains("`+++`"));
    }

    #[test]
    fn toml_fields_and_zola_taxonomies() {
        let meta = page(
            "+++\ntitle = \"T\"\ndate = 2026-01-02T03:04:05Z\n[taxonomies]\ntags = [\"a\"]\n+++\n",
        )
        .unwrap();
        assert_eq!(meta.title.as_deref(), Some("T"));
        assert_eq!(meta.date.unwrap().rfc3339(), "2026-01-02T03:04:05Z");
        assert_eq!(meta.taxonomies["tags"], vec!["a"]);
        assert!(meta.in_search_index);
    }

    #[test]
    fn yaml_fields_and_hugo_top_level_taxonomies() {
        let meta =
            page("---\ntitle: T\ndate: 2026-01-02\ntags: [a, b]\ncategories:\n  - Guide\n---\n")
                .unwrap();
        assert_eq!(meta.taxonomies["tags"], vec!["a", "b"]);
        assert_eq!(meta.taxonomies["categories"], vec!["Guide"]);
        assert_eq!(meta.date.unwrap().rfc3339(), "2026-01-02T00:00:00Z");
    }

    #[test]
    fn unknown_field_is_reported_at_its_line_with_a_suggestion() {
        let error = page("+++\ntitle = \"T\"\ndescripton = \"d\"\n+++\n").unwrap_err();
        assert_eq!(error.location.as_ref().unwrap().line, 3);
        assert!(
            error
                .hint
                .as_ref()
                .unwrap()
                .contains("did you mean `description`")
        );
    }

    #[test]
    fn hugo_lastmod_is_updated() {
        let meta = page("---\ntitle: T\nlastmod: 2026-02-03\n---\n").unwrap();
        assert_eq!(meta.updated.unwrap().rfc3339(), "2026-02-03T00:00:00Z");
    }

    #[test]
    fn updated_and_lastmod_together_are_one_field_given_twice() {
        let error =
            page("---\ntitle: T\nupdated: 2026-01-01\nlastmod: 2026-02-03\n---\n").unwrap_err();
        assert_eq!(error.code, "frontmatter/duplicate-field");
        assert!(error.message.contains("same field"), "{}", error.message);
        assert_eq!(error.hint.as_deref(), Some("keep one of them"));
        assert_eq!(error.location.as_ref().unwrap().line, 4);
    }

    #[test]
    fn empty_slug_is_an_error_at_its_line() {
        for slug in ["\"\"", "\" / \""] {
            let error = page(&format!("+++\ntitle = \"T\"\nslug = {slug}\n+++\n")).unwrap_err();
            assert_eq!(error.code, "frontmatter/slug");
            let location = error.location.as_ref().unwrap();
            assert_eq!((location.line, location.column), (3, 1), "{slug}");
        }
    }

    #[test]
    fn anything_goes_under_extra() {
        let meta = page("+++\ntitle = \"T\"\n[extra]\nwhatever = 1\n+++\n").unwrap();
        assert_eq!(meta.extra["whatever"], 1);
    }

    #[test]
    fn wrong_type_names_the_key_and_line() {
        let error = page("+++\ntitle = \"T\"\ndraft = \"yes\"\n+++\n").unwrap_err();
        assert!(error.message.contains("`draft`"), "{}", error.message);
        assert_eq!(error.location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn bad_date_string_is_a_type_error_on_its_line() {
        let error = page("---\ntitle: T\ndate: 14/03/2026\n---\n").unwrap_err();
        assert!(error.message.contains("YYYY-MM-DD"), "{}", error.message);
        assert_eq!(error.location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn invalid_toml_points_into_the_file() {
        let error = page("+++\ntitle = \"T\"\ndate = \n+++\n").unwrap_err();
        assert_eq!(error.code, "frontmatter/toml");
        assert_eq!(error.location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn invalid_yaml_points_into_the_file() {
        let error = page("---\ntitle: T\ntags: [a, b\n---\n").unwrap_err();
        assert_eq!(error.code, "frontmatter/yaml");
        assert!(error.location.as_ref().unwrap().line >= 3);
    }

    #[test]
    fn undeclared_taxonomy_is_an_error() {
        let error = page("+++\ntitle = \"T\"\n[taxonomies]\nseries = [\"x\"]\n+++\n").unwrap_err();
        assert!(error.message.contains("series"));
        assert!(error.hint.unwrap().contains("tags, categories"));
    }

    #[test]
    fn section_fields() {
        let s = split(
            "+++\nsort_by = \"weight\"\npaginate_by = 5\n+++\n",
            "_index.md",
        )
        .unwrap();
        let meta = parse_section(&s, "_index.md").unwrap();
        assert_eq!(meta.sort_by, super::SortBy::Weight);
        assert_eq!(meta.paginate_by, Some(5));
        assert!(meta.render);
    }
}
