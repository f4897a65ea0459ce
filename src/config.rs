//! `site.toml` -> [`Config`]: the only reader of the site's configuration file.
//!
//! Every table is `deny_unknown_fields`: a typo such as `tittle` fails the build with the key's
//! line and column and the list of keys that exist, instead of being silently ignored.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Error, Result};

/// The validated configuration of one site.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL the site is published at; always ends with `/` after loading.
    pub base_url: String,
    #[serde(default)]
    pub author: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// Folder name under `themes/`; empty for a site that only uses its own `templates/`.
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Default page size for sections that do not set their own `paginate_by`; 0 disables.
    #[serde(default)]
    pub paginate_by: usize,
    #[serde(default)]
    pub highlighting: HighlightConfig,
    #[serde(default)]
    pub feeds: FeedConfig,
    #[serde(default)]
    pub markdown: MarkdownConfig,
    #[serde(default)]
    pub search: SearchConfig,
    #[serde(default)]
    pub check: CheckConfig,
    /// `galley test`: Kubernetes version, schema folders, run limits, default annotations.
    #[serde(default)]
    pub snippets: crate::snippets::SnippetConfig,
    /// Free-form values passed to templates as `config.extra`.
    #[serde(default)]
    pub extra: toml::Table,
    /// The file as read, so checks made after parsing can point at a key's line.
    #[serde(skip)]
    source: ConfigSource,
}

/// site.toml's name as shown to the user, and its text.
#[derive(Debug, Clone, Default)]
struct ConfigSource {
    display: String,
    text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxonomyConfig {
    pub name: String,
    /// Emit RSS/Atom feeds for each term of this taxonomy.
    #[serde(default)]
    pub feed: bool,
    /// Page size of term pages; falls back to the site's `paginate_by`.
    #[serde(default)]
    pub paginate_by: Option<usize>,
    /// Optional description per term name, shown by themes (e.g. "Choose a track").
    #[serde(default)]
    pub descriptions: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct HighlightConfig {
    pub enabled: bool,
    pub light_theme: String,
    pub dark_theme: String,
    /// Show line numbers on every block unless the block says otherwise.
    pub line_numbers: bool,
}

impl Default for HighlightConfig {
    fn default() -> Self {
        HighlightConfig {
            enabled: true,
            light_theme: "InspiredGitHub".into(),
            dark_theme: "Monokai Extended".into(),
            line_numbers: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedConfig {
    pub rss: bool,
    pub atom: bool,
    /// How many of the newest pages a feed lists.
    pub limit: usize,
    /// Put the whole page in each entry instead of its summary.
    pub full_content: bool,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig {
            rss: true,
            atom: true,
            limit: 20,
            full_content: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Curly quotes, en and em dashes, ellipses.
    pub smart_punctuation: bool,
    /// Raw HTML in Markdown passes through (posts embed `<img>`); `false` escapes it.
    pub unsafe_html: bool,
    /// Append a `#` link to every heading.
    pub heading_anchors: bool,
    /// Words per minute used for `reading_time`.
    pub words_per_minute: usize,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            smart_punctuation: true,
            unsafe_html: true,
            heading_anchors: true,
            words_per_minute: 220,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    pub enabled: bool,
    /// Body text kept per page in `search_index.json`; bounds the index on large sites.
    pub max_body_chars: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            max_body_chars: 1500,
        }
    }
}

/// What a `galley check` rule does when it finds something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Off,
    Warn,
    Error,
}

/// `[check]`: the front-matter lint rules of `galley check`, and how it treats external links.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// A page without `description` (search engines and link previews show it).
    pub missing_description: RuleLevel,
    /// A title longer than 70 characters (cut off in search results).
    pub long_title: RuleLevel,
    /// A non-draft page dated in the future (it would appear before its time).
    pub future_date: RuleLevel,
    /// An `image` that is neither a file of the page bundle nor a static file.
    pub missing_image: RuleLevel,
    /// A tag used by a single page: often a typo of another tag.
    pub single_use_tag: RuleLevel,
    /// Requests in flight at once across all domains (`--external`).
    pub external_concurrency: usize,
    /// Pause between two requests to the same domain, in milliseconds.
    pub external_delay_ms: u64,
    /// Timeout of one request, in seconds; a timeout is a warning, not a failure.
    pub external_timeout_s: u64,
    /// How long a checked URL's result is reused, in hours (cache in .galley-cache/).
    pub external_cache_hours: u64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            missing_description: RuleLevel::Warn,
            long_title: RuleLevel::Warn,
            future_date: RuleLevel::Warn,
            missing_image: RuleLevel::Error,
            single_use_tag: RuleLevel::Warn,
            external_concurrency: 8,
            external_delay_ms: 250,
            external_timeout_s: 10,
            external_cache_hours: 24,
        }
    }
}

fn default_language() -> String {
    "en".into()
}

impl Config {
    /// Reads and validates `path`; `display` is how the path is shown in messages.
    pub fn load(path: &Path, display: &str) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => Error::usage(
                format!("no site configuration at {display}"),
                "run galley in a site folder, or point at one with --root DIR (or --config FILE)",
            ),
            std::io::ErrorKind::InvalidData => {
                Diagnostic::error("config/encoding", format!("{display} is not valid UTF-8"))
                    .hint("save the file as UTF-8")
                    .into()
            }
            _ => Error::io("read", path, error),
        })?;
        Config::parse(&text, display)
    }

    pub fn parse(text: &str, display: &str) -> Result<Config> {
        let mut config: Config = toml::from_str(text).map_err(|error| {
            let message = error.message().trim_end().to_owned();
            let offset = error.span().map_or(0, |span| span.start);
            let hint = if message.starts_with("unknown field") {
                "remove or rename the key; every key is listed in content/docs/configuration.md"
            } else if message.starts_with("missing field") {
                "add the key to site.toml"
            } else {
                "site.toml must be valid TOML"
            };
            Diagnostic::error("config", format!("invalid site configuration: {message}"))
                .at_offset(display, text, offset, 1)
                .hint(hint)
        })?;
        config.source = ConfigSource {
            display: display.to_owned(),
            text: text.to_owned(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Points `diagnostic` at a key of site.toml, named by its path (`["highlighting",
    /// "light_theme"]`); at the file's first line when the file does not have the key.
    pub fn at_key(&self, path: &[&str], diagnostic: Diagnostic) -> Diagnostic {
        let ConfigSource { display, text } = &self.source;
        let span = key_span(text, path).unwrap_or(0..1);
        diagnostic
            .at_offset(display, text, span.start, 1)
            .with_width(span.len())
    }

    fn validate(&mut self) -> Result<()> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(self
                .at_key(
                    &["base_url"],
                    Diagnostic::error(
                        "config",
                        format!(
                            "base_url must be an absolute http(s) URL, not {:?}",
                            self.base_url
                        ),
                    )
                    .hint("for example base_url = \"https://example.org/\""),
                )
                .into());
        }
        self.set_base_url(&self.base_url.clone());
        let mut seen = std::collections::BTreeSet::new();
        for taxonomy in &self.taxonomies {
            if crate::slug::slugify(&taxonomy.name) != taxonomy.name || !seen.insert(&taxonomy.name)
            {
                return Err(self
                    .at_key(
                        &["taxonomies"],
                        Diagnostic::error(
                            "config",
                            format!("taxonomy name {:?} is invalid or repeated", taxonomy.name),
                        )
                        .hint("taxonomy names are unique lowercase slugs such as \"tags\""),
                    )
                    .into());
            }
        }
        Ok(())
    }

    /// Replaces the base URL (the `--base-url` flag, or the serve address), normalised to end
    /// with exactly one `/`.
    pub fn set_base_url(&mut self, base_url: &str) {
        self.base_url = format!("{}/", base_url.trim_end_matches('/'));
    }

    /// The path part of the base URL (`/` or `/docs/`), which every site-relative URL carries.
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
    }

    /// Absolute URL of a site path such as `/blog/x/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }

    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }
}

/// Byte range of the key at `path` in a TOML text, however it is written: `key = ...` under a
/// `[table]` header, a dotted `table.key = ...`, or inside an inline table.
fn key_span(text: &str, path: &[&str]) -> Option<std::ops::Range<usize>> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let (last, tables) = path.split_last()?;
    let mut table = root.get_ref();
    for name in tables {
        let (_, value) = table.iter().find(|(key, _)| key.get_ref() == name)?;
        table = match value.get_ref() {
            toml::de::DeValue::Table(inner) => inner,
            _ => return None,
        };
    }
    let (key, _) = table.iter().find(|(key, _)| key.get_ref() == last)?;
    Some(key.span())
}

#[cfg(test)]
mod tests {
    use super::Config;

    const MINIMAL: &str = "title = \"T\"\nbase_url = \"https://example.org\"\n";

    #[test]
    fn minimal_config_gets_defaults_and_a_trailing_slash() {
        let config = Config::parse(MINIMAL, "site.toml").unwrap();
        assert_eq!(config.base_url, "https://example.org/");
        assert_eq!(config.language, "en");
        assert!(config.feeds.rss && config.feeds.atom);
        assert_eq!(config.base_path(), "/");
    }

    #[test]
    fn unknown_key_names_the_key_its_line_and_the_known_keys() {
        let text = format!("{MINIMAL}tittle = \"x\"\n");
        let error = Config::parse(&text, "site.toml").unwrap_err();
        let diagnostic = &error.diagnostics[0];
        assert!(
            diagnostic.message.contains("unknown field `tittle`"),
            "{}",
            diagnostic.message
        );
        assert!(
            diagnostic.message.contains("`title`"),
            "{}",
            diagnostic.message
        );
        assert_eq!(diagnostic.location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn unknown_key_in_a_nested_table_is_reported() {
        let text = format!("{MINIMAL}[feeds]\nrsss = true\n");
        let error = Config::parse(&text, "site.toml").unwrap_err();
        assert!(error.diagnostics[0].message.contains("rsss"));
        assert_eq!(error.diagnostics[0].location.as_ref().unwrap().line, 4);
    }

    #[test]
    fn unknown_key_hint_points_at_the_configuration_reference() {
        let text = format!("{MINIMAL}tittle = \"x\"\n");
        let error = Config::parse(&text, "site.toml").unwrap_err();
        let hint = error.diagnostics[0].hint.as_deref().unwrap();
        assert!(hint.contains("content/docs/configuration.md"), "{hint}");
    }

    /// The keys a table accepts, as serde lists them for an unknown one.
    fn keys_of(table: &str) -> Vec<String> {
        let text = match table {
            "" => format!("{MINIMAL}zzz = 1\n"),
            "taxonomies" => format!("{MINIMAL}[[taxonomies]]\nname = \"t\"\nzzz = 1\n"),
            _ => format!("{MINIMAL}[{table}]\nzzz = 1\n"),
        };
        let error = Config::parse(&text, "site.toml").unwrap_err();
        let message = &error.diagnostics[0].message;
        let (_, expected) = message.split_once("expected").expect(message);
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn configuration_reference_lists_every_key() {
        let reference = include_str!("../content/docs/configuration.md");
        let tables = [
            "",
            "taxonomies",
            "highlighting",
            "feeds",
            "markdown",
            "search",
            "check",
            "snippets",
        ];
        for table in tables {
            let keys = keys_of(table);
            assert!(!keys.is_empty(), "{table}: {keys:?}");
            for key in keys {
                assert!(
                    reference.contains(&format!("| `{key}` |")),
                    "content/docs/configuration.md does not list `{key}` of [{table}]"
                );
            }
        }
    }

    #[test]
    fn keys_are_found_however_they_are_written() {
        let text = "title = \"T\"\nmarkdown.heading_anchors = true\nfeeds = { rss = true }\n\
                    [highlighting]\nlight_theme = \"y\"\n";
        let at = |path: &[&str]| super::key_span(text, path).map(|span| &text[span]);
        assert_eq!(at(&["title"]), Some("title"));
        assert_eq!(at(&["highlighting", "light_theme"]), Some("light_theme"));
        assert_eq!(
            at(&["markdown", "heading_anchors"]),
            Some("heading_anchors")
        );
        assert_eq!(at(&["feeds", "rss"]), Some("rss"));
        assert_eq!(at(&["theme"]), None);
    }

    #[test]
    fn at_key_points_at_the_line_and_column_of_the_key() {
        let text = format!("{MINIMAL}\n[highlighting]\n  light_theme = \"Nope\"\n");
        let config = Config::parse(&text, "site.toml").unwrap();
        let d = config.at_key(
            &["highlighting", "light_theme"],
            crate::diagnostics::Diagnostic::error("x", "y"),
        );
        let location = d.location.as_ref().unwrap();
        assert_eq!((location.line, location.column), (5, 3));
        assert_eq!(d.source_line.as_deref(), Some("  light_theme = \"Nope\""));
        assert_eq!(d.width, "light_theme".len());
    }

    #[test]
    fn relative_base_url_is_rejected_at_its_line() {
        let error = Config::parse("title = \"T\"\nbase_url = \"/x\"\n", "site.toml").unwrap_err();
        assert_eq!(error.diagnostics[0].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn base_path_keeps_a_project_prefix() {
        let mut config = Config::parse(MINIMAL, "site.toml").unwrap();
        config.set_base_url("https://example.org/docs");
        assert_eq!(config.base_url, "https://example.org/docs/");
        assert_eq!(config.base_path(), "/docs/");
        assert_eq!(
            config.permalink("/blog/x/"),
            "https://example.org/docs/blog/x/"
        );
    }
}
