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
                "remove or rename the key; see the configuration reference in the README"
            } else if message.starts_with("missing field") {
                "add the key to site.toml"
            } else {
                "site.toml must be valid TOML"
            };
            Diagnostic::error("config", format!("invalid site configuration: {message}"))
                .at_offset(display, text, offset, 1)
                .hint(hint)
        })?;
        config.validate(text, display)?;
        Ok(config)
    }

    fn validate(&mut self, text: &str, display: &str) -> Result<()> {
        let at_key = |key: &str, diagnostic: Diagnostic| {
            let offset = find_key(text, key).unwrap_or(0);
            diagnostic.at_offset(display, text, offset, 1)
        };
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return Err(at_key(
                "base_url",
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
                return Err(at_key(
                    "taxonomies",
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

/// Byte offset of `key` at the start of a line (possibly indented) in a TOML text.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    None
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
