//! Syntax highlighting: syntect with two-face's extra syntaxes, CSS classes instead of inline
//! colours, and one generated stylesheet holding a light and a dark theme.
//!
//! The syntax set is a pre-compiled dump, loaded once per process (about 2 ms) and shared by
//! every thread; highlighting a block never rebuilds it.
//!
//! syntect is the one costly step of rendering Markdown (the fast lexers cover the common
//! languages), so what it produced is kept in a [`BlockCache`]; `site::cache` stores that
//! between builds. This module never touches the disk.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::highlighting::Theme;
use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::LazyThemeSet;

use super::lexers;
use crate::config::HighlightConfig;
use crate::diagnostics::{Diagnostic, Result, suggest};

/// Prefix of every class the highlighter emits (`hl-keyword`), so theme CSS cannot collide.
pub const CLASS_PREFIX: &str = "hl-";
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed {
    prefix: CLASS_PREFIX,
};

/// Names writers use that the syntax set knows under another name.
const ALIASES: &[(&str, &str)] = &[
    ("console", "bash"),
    ("shell", "bash"),
    ("shell-session", "bash"),
    ("terminal", "bash"),
    ("cli", "bash"),
    ("zsh", "bash"),
    ("sh", "bash"),
    ("yml", "yaml"),
    ("docker", "Dockerfile"),
    ("dockerfile", "Dockerfile"),
    ("containerfile", "Dockerfile"),
    ("hcl", "Terraform"),
    ("terraform", "Terraform"),
    ("tf", "Terraform"),
    ("promql", "sql"),
    ("rego", "Rego"),
    ("golang", "go"),
    ("py", "python"),
    ("rs", "rust"),
    ("jsonc", "json"),
    ("conf", "ini"),
    ("sysctl", "ini"),
    ("properties", "ini"),
    ("make", "makefile"),
    ("patch", "diff"),
    ("psql", "sql"),
    ("postgresql", "sql"),
    ("nginx", "nginx"),
    ("text", "Plain Text"),
    ("txt", "Plain Text"),
    ("plain", "Plain Text"),
    ("output", "Plain Text"),
];

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

fn themes() -> &'static LazyThemeSet {
    static SET: OnceLock<LazyThemeSet> = OnceLock::new();
    SET.get_or_init(|| LazyThemeSet::from(two_face::theme::extra()))
}

/// The highlighter of one build: the syntax set and the two themes site.toml names.
pub struct Highlighter {
    enabled: bool,
    light: &'static Theme,
    dark: &'static Theme,
    /// Hash of everything besides a block's code and syntax that its highlighted HTML could
    /// depend on: galley's build id (a new galley may highlight differently) and the settings.
    settings: blake3::Hash,
    cache: BlockCache,
}

/// A cache key: the hash of a block's code, its syntax and the highlighter's settings.
pub type BlockKey = [u8; 32];

/// syntect's highlighted lines of blocks seen before, shared by the threads of a build.
///
/// Only syntect's output goes in: the fast lexers are quicker than a lookup would be. Entries
/// loaded from an earlier build are remembered as used or not, so a saved cache keeps only
/// what the current site still has.
#[derive(Default)]
pub struct BlockCache {
    entries: Mutex<CacheEntries>,
}

#[derive(Default)]
struct CacheEntries {
    blocks: HashMap<BlockKey, CachedBlock>,
    /// Blocks highlighted by this process, not loaded.
    added: usize,
}

struct CachedBlock {
    lines: Vec<String>,
    used: bool,
}

impl BlockCache {
    /// A cache holding blocks stored by an earlier build, none of them used yet.
    pub fn from_stored(stored: Vec<(BlockKey, Vec<String>)>) -> BlockCache {
        let blocks = stored
            .into_iter()
            .map(|(key, lines)| (key, CachedBlock { lines, used: false }))
            .collect();
        BlockCache {
            entries: Mutex::new(CacheEntries { blocks, added: 0 }),
        }
    }

    /// How many blocks were highlighted afresh since the cache was made.
    pub fn added(&self) -> usize {
        self.lock().added
    }

    /// The blocks worth storing (used or added since loading), sorted by key so the same
    /// site always gives the same file.
    pub fn to_store(&self) -> Vec<(BlockKey, Vec<String>)> {
        let entries = self.lock();
        let mut kept: Vec<(BlockKey, Vec<String>)> = entries
            .blocks
            .iter()
            .filter(|(_, block)| block.used)
            .map(|(key, block)| (*key, block.lines.clone()))
            .collect();
        kept.sort_unstable_by_key(|block| block.0);
        kept
    }

    fn get(&self, key: &BlockKey) -> Option<Vec<String>> {
        let mut entries = self.lock();
        let block = entries.blocks.get_mut(key)?;
        block.used = true;
        Some(block.lines.clone())
    }

    fn insert(&self, key: BlockKey, lines: &[String]) {
        let mut entries = self.lock();
        if entries.blocks.contains_key(&key) {
            // Another thread highlighted the same block meanwhile.
            return;
        }
        let lines = lines.to_vec();
        entries
            .blocks
            .insert(key, CachedBlock { lines, used: true });
        entries.added += 1;
    }

    /// The entries; a thread that panicked while holding the lock left them whole (every
    /// change is a single insert or flag), so a poisoned lock is still usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, CacheEntries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Highlighter {
    pub fn new(config: &HighlightConfig) -> Result<Highlighter> {
        let theme = |name: &str, key: &str| {
            themes().get(name).ok_or_else(|| {
                let names: Vec<&str> = themes().theme_names().collect();
                let mut hint = String::new();
                if let Some(close) = suggest(name, names.iter().copied()) {
                    hint.push_str(&format!("did you mean {close:?}? "));
                }
                hint.push_str(&format!("available themes: {}", names.join(", ")));
                Diagnostic::error(
                    "config/highlighting",
                    format!("unknown highlighting theme {name:?} in [highlighting] {key}"),
                )
                .hint(hint)
            })
        };
        Ok(Highlighter {
            enabled: config.enabled,
            light: theme(&config.light_theme, "light_theme")?,
            dark: theme(&config.dark_theme, "dark_theme")?,
            settings: settings_hash(config),
            cache: BlockCache::default(),
        })
    }

    /// Uses `cache` for syntect's output from now on.
    pub fn set_cache(&mut self, cache: BlockCache) {
        self.cache = cache;
    }

    pub fn cache(&self) -> &BlockCache {
        &self.cache
    }

    /// The syntax for a fence's language, through the alias table; `None` if unknown.
    pub fn syntax(&self, lang: &str) -> Option<&'static SyntaxReference> {
        let set = syntaxes();
        let lang = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lang)
            .map_or(lang, |(_, name)| *name);
        set.find_syntax_by_token(lang)
            .or_else(|| set.find_syntax_by_name(lang))
    }

    /// Highlighted HTML of each line of `code`, every line self-contained (spans closed at its
    /// end and reopened on the next), so lines can be numbered, marked or hidden one by one.
    /// The fence's language picks a fast lexer when there is one ([`lexers`]), else `syntax`.
    pub fn highlight_lines(
        &self,
        code: &str,
        lang: Option<&str>,
        syntax: Option<&SyntaxReference>,
    ) -> Vec<String> {
        if self.enabled
            && let Some(lines) = lang.and_then(|lang| lexers::highlight(lang, code))
        {
            return lines;
        }
        let Some(syntax) = syntax.filter(|_| self.enabled) else {
            return LinesWithEndings::from(code)
                .map(|line| escape(line.trim_end_matches('\n')))
                .collect();
        };
        let key = self.block_key(code, syntax);
        if let Some(lines) = self.cache.get(&key) {
            return lines;
        }
        let lines = syntect_lines(code, syntax);
        self.cache.insert(key, &lines);
        lines
    }

    /// The key of a block's syntect output. The syntax (what the fence's language resolves
    /// to through the alias table) rather than the language as written, since that is what
    /// the output depends on: `rs` and `rust` share entries.
    fn block_key(&self, code: &str, syntax: &SyntaxReference) -> BlockKey {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.settings.as_bytes());
        hash_field(&mut hasher, syntax.name.as_bytes());
        hash_field(&mut hasher, code.as_bytes());
        *hasher.finalize().as_bytes()
    }

    /// The stylesheet for highlighted code: the light theme by default, the dark one when the
    /// system prefers it (unless the page forces light) or when `<html class="dark">`.
    ///
    /// One rule per line, and the dark rules nested under their condition instead of each
    /// selector repeating it: the stylesheet counts against the theme's CSS+JS budget (issue 3),
    /// and syntect's own output spends a third of its bytes on indentation and prefixes.
    pub fn stylesheet(&self) -> String {
        let light = css_for_theme_with_class_style(self.light, STYLE).unwrap_or_default();
        let dark =
            compact_rules(&css_for_theme_with_class_style(self.dark, STYLE).unwrap_or_default());
        let mut css = String::from("/* Generated by galley from the [highlighting] themes. */\n");
        css.push_str(&compact_rules(&light));
        css.push_str("@media (prefers-color-scheme: dark) {\nhtml:not(.light) {\n");
        css.push_str(&dark);
        css.push_str("}\n}\nhtml.dark {\n");
        css.push_str(&dark);
        css.push_str("}\n");
        css
    }
}

/// syntect's highlighting of a block, line by line (see [`Highlighter::highlight_lines`]).
fn syntect_lines(code: &str, syntax: &SyntaxReference) -> Vec<String> {
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut lines = Vec::new();
    for line in LinesWithEndings::from(code) {
        let mut html = String::with_capacity(line.len() * 4);
        for scope in stack.as_slice() {
            open_span(&mut html, *scope);
        }
        let reopened = stack.len();
        let highlighted = state
            .parse_line(line, set)
            .ok()
            .and_then(|ops| line_tokens_to_classed_spans(line, &ops, STYLE, &mut stack).ok());
        // Spans still open at the end of the line: the scopes left on the stack, which
        // syntect's span writer mirrors push for push.
        let open = match highlighted {
            Some((spans, _)) => {
                html.push_str(&spans);
                stack.len()
            }
            None => {
                // A syntax that fails on this line leaves the rest of the block plain.
                html.push_str(&escape(line));
                state = ParseState::new(syntaxes().find_syntax_plain_text());
                stack = ScopeStack::new();
                reopened
            }
        };
        // The line's `\n` is its last character but may sit inside spans (a line comment's
        // scope ends after it): drop it wherever it landed, or the block gains a blank line.
        if html.contains('\n') {
            html.retain(|c| c != '\n');
        }
        for _ in 0..open {
            html.push_str("</span>");
        }
        lines.push(html);
    }
    lines
}

/// The part of every block key that is the same for a whole build.
fn settings_hash(config: &HighlightConfig) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new();
    hash_field(&mut hasher, env!("GALLEY_BUILD_ID").as_bytes());
    hash_field(&mut hasher, &[u8::from(config.enabled)]);
    hash_field(&mut hasher, config.light_theme.as_bytes());
    hash_field(&mut hasher, config.dark_theme.as_bytes());
    hasher.finalize()
}

/// Hashes a field with its length first, so no two sequences of fields hash alike.
fn hash_field(hasher: &mut blake3::Hasher, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// Appends `<span class="hl-a hl-b">` for a scope. The class text of a scope never changes,
/// and re-opening the enclosing scopes on every line asks for it constantly: it is built once
/// per scope and thread.
fn open_span(html: &mut String, scope: Scope) {
    thread_local! {
        static TAGS: std::cell::RefCell<std::collections::HashMap<Scope, String>> = Default::default();
    }
    TAGS.with(|tags| {
        let mut tags = tags.borrow_mut();
        let tag = tags.entry(scope).or_insert_with(|| {
            let mut tag = String::from("<span class=\"");
            for (i, atom) in scope.build_string().split('.').enumerate() {
                if i > 0 {
                    tag.push(' ');
                }
                tag.push_str(CLASS_PREFIX);
                tag.push_str(atom);
            }
            tag.push_str("\">");
            tag
        });
        html.push_str(tag);
    });
}

/// Minimal HTML escaping for code text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// `css` without comments, one rule per line: `.a, .b{color:#111;font-weight:bold}`.
fn compact_rules(css: &str) -> String {
    let css = strip_comments(css);
    let mut out = String::with_capacity(css.len() / 2);
    for rule in css.split('}') {
        let Some((selectors, body)) = rule.split_once('{') else {
            continue;
        };
        let selectors: Vec<&str> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let declarations: Vec<String> = body
            .split(';')
            .filter_map(|d| d.split_once(':'))
            .map(|(name, value)| format!("{}:{}", name.trim(), value.trim()))
            .collect();
        if selectors.is_empty() || declarations.is_empty() {
            continue;
        }
        out.push_str(&selectors.join(", "));
        out.push('{');
        out.push_str(&declarations.join(";"));
        out.push_str("}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Highlighter, lexers};
    use crate::config::HighlightConfig;

    fn highlighter() -> Highlighter {
        Highlighter::new(&HighlightConfig::default()).unwrap()
    }

    #[test]
    fn every_documented_language_has_a_syntax() {
        let h = highlighter();
        for lang in [
            "yaml",
            "yml",
            "bash",
            "sh",
            "shell",
            "console",
            "go",
            "rust",
            "python",
            "json",
            "toml",
            "dockerfile",
            "hcl",
            "terraform",
            "sql",
            "ini",
            "diff",
            "makefile",
            "nginx",
            "promql",
            "rego",
        ] {
            assert!(h.syntax(lang).is_some(), "no syntax for {lang}");
        }
        assert!(h.syntax("no-such-language").is_none());
    }

    #[test]
    fn lines_are_self_contained() {
        let h = highlighter();
        let code = "a: \"multi\n  line\"\nb: 2\n";
        let lines = h.highlight_lines(code, None, h.syntax("yaml"));
        assert_eq!(lines.len(), 3);
        for line in &lines {
            assert_eq!(
                line.matches("<span").count(),
                line.matches("</span>").count(),
                "{line}"
            );
        }
        assert!(lines[0].contains("hl-"), "{}", lines[0]);
    }

    #[test]
    fn lines_never_keep_their_newline() {
        let h = highlighter();
        for (lang, code) in [
            ("rust", "// comment\nfn main() {}\n"),
            ("hcl", "# comment\na = 1\n"),
            ("sql", "-- comment\nselect 1;\n"),
        ] {
            let lines = h.highlight_lines(code, Some(lang), h.syntax(lang));
            assert_eq!(lines.len(), 2, "{lang}");
            for line in &lines {
                assert!(!line.contains('\n'), "{lang}: {line:?}");
            }
        }
    }

    #[test]
    fn fence_languages_with_a_fast_lexer_skip_syntect() {
        let h = highlighter();
        let code = "$ echo hi\nhi\n";
        let console = h.highlight_lines(code, Some("console"), h.syntax("console"));
        assert_eq!(console, lexers::highlight("console", code).unwrap());
        // Output lines of a session stay plain; as bash, `hi` would be a command.
        assert!(!console[1].contains("hl-function"), "{}", console[1]);
        let bash = h.highlight_lines(code, Some("bash"), h.syntax("bash"));
        assert_ne!(console, bash);
        // Other languages still go through syntect.
        let rust = h.highlight_lines("fn main() {}\n", Some("rust"), h.syntax("rust"));
        assert!(rust[0].contains("hl-source hl-rust"), "{}", rust[0]);
    }

    #[test]
    fn disabled_highlighting_skips_the_fast_lexers_too() {
        let config = HighlightConfig {
            enabled: false,
            ..HighlightConfig::default()
        };
        let h = Highlighter::new(&config).unwrap();
        let lines = h.highlight_lines("a: <b>\n", Some("yaml"), h.syntax("yaml"));
        assert_eq!(lines, ["a: &lt;b&gt;"]);
    }

    #[test]
    fn plain_text_is_escaped() {
        let lines = highlighter().highlight_lines("<b>&</b>\n", None, None);
        assert_eq!(lines, ["&lt;b&gt;&amp;&lt;/b&gt;"]);
    }

    #[test]
    fn stylesheet_has_both_themes() {
        let css = highlighter().stylesheet();
        assert!(css.contains("@media (prefers-color-scheme: dark) {\nhtml:not(.light) {\n.hl-"));
        assert!(css.contains("}\nhtml.dark {\n.hl-"));
        assert_eq!(
            css.matches("/*").count(),
            1,
            "only the header comment is left"
        );
        // Every rule is on one line, declarations without padding.
        assert!(css.lines().any(|l| l.starts_with(".hl-comment{color:#")));
    }

    #[test]
    fn unknown_theme_lists_the_available_ones() {
        let config = HighlightConfig {
            light_theme: "Nordd".into(),
            ..HighlightConfig::default()
        };
        let error = Highlighter::new(&config).err().unwrap();
        let diagnostic = &error.diagnostics[0];
        assert!(
            diagnostic
                .hint
                .as_ref()
                .unwrap()
                .contains("did you mean \"Nord\"")
        );
    }
}
