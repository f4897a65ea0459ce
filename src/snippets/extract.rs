//! Extraction: the library's pages and sections -> the [`Snippet`]s to check, in file order and,
//! within a file, in `markdown::code_blocks()` order (so block indexes match the renderer's).

use std::sync::Arc;

use super::annotations::{self, Annotations};
use super::{CheckOptions, Finding, PageSnippets, path_selects};
use crate::config::Config;
use crate::content::{Library, Source};
use crate::diagnostics::Result;
use crate::markdown::code_blocks;
use crate::markdown::fence::FenceInfo;

/// The shell a script is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Bash,
    Sh,
}

/// A block's language, as far as checking goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lang {
    Yaml,
    Json,
    Toml,
    Shell(Dialect),
    /// A shell session: `$ command` lines and their output.
    Console,
    Go,
    Python,
    Rust,
    Hcl,
    Sql,
    Promql,
    Dockerfile,
    /// `text`, `output`: free text, or the expected output of the `run` block before it.
    Output,
    /// A language galley has no checker for (`ini`, `rego`, `diff`...).
    NotCode(String),
    None,
}

impl Lang {
    /// Maps a fence language (lower case, aliases included) to a checker.
    pub fn from_fence(lang: Option<&str>) -> Lang {
        let Some(lang) = lang else {
            return Lang::None;
        };
        match lang {
            "yaml" | "yml" => Lang::Yaml,
            "json" => Lang::Json,
            "toml" => Lang::Toml,
            "bash" | "shell" => Lang::Shell(Dialect::Bash),
            "sh" => Lang::Shell(Dialect::Sh),
            "console" | "shell-session" | "shellsession" | "terminal" => Lang::Console,
            "go" | "golang" => Lang::Go,
            "python" | "py" | "python3" => Lang::Python,
            "rust" | "rs" => Lang::Rust,
            "hcl" | "terraform" | "tf" => Lang::Hcl,
            "sql" | "postgresql" | "postgres" | "psql" | "mysql" => Lang::Sql,
            "promql" => Lang::Promql,
            "dockerfile" | "docker" | "containerfile" => Lang::Dockerfile,
            "text" | "txt" | "plain" | "plaintext" | "output" => Lang::Output,
            other => Lang::NotCode(other.to_owned()),
        }
    }

    /// Whether `--lang filter` selects this language (`shell` selects bash and sh).
    pub fn matches_filter(&self, filter: &str) -> bool {
        let wanted = Lang::from_fence(Some(&filter.to_lowercase()));
        match (self, &wanted) {
            (Lang::Shell(_), Lang::Shell(_)) => filter != "sh" || *self == wanted,
            _ => *self == wanted,
        }
    }
}

/// One fenced code block, with everything needed to check it and to place its findings.
#[derive(Debug, Clone)]
pub struct Snippet {
    /// The file as shown to the user: `content/blog/x.md`.
    pub file: String,
    /// Index among the file's fenced blocks (the renderer's order).
    pub index: usize,
    pub lang: Lang,
    /// The language as written on the fence (`yml`), or empty.
    pub lang_name: String,
    pub code: String,
    pub info: FenceInfo,
    pub annotations: std::result::Result<Annotations, Finding>,
    pub fence_line: usize,
    pub first_line: usize,
    pub indent: usize,
    /// The file's Markdown body and its first line, for the source lines of diagnostics.
    pub body: Arc<str>,
    pub body_line: usize,
}

impl Snippet {
    /// The `name=` (or `title=`) of the block: a file name such as `.github/workflows/ci.yml`.
    pub fn name(&self) -> Option<&str> {
        self.info.name()
    }
}

/// Every selected block of the library, sorted by file then block index.
pub fn snippets(
    library: &Library,
    config: &Config,
    options: &CheckOptions,
    k8s_versions: &[String],
) -> Result<Vec<Snippet>> {
    let mut sources: Vec<(&Source, Option<&PageSnippets>)> = library
        .pages
        .iter()
        .map(|p| (&p.source, p.meta.snippets.as_ref()))
        .chain(
            library
                .sections
                .iter()
                .filter_map(|s| s.source.as_ref().map(|src| (src, None))),
        )
        .filter(|(source, _)| {
            options
                .sources
                .as_ref()
                .is_none_or(|only| only.contains(&source.relative))
        })
        .filter(|(source, _)| {
            options.paths.is_empty()
                || options
                    .paths
                    .iter()
                    .any(|p| path_selects(&options.root, p, &source.absolute))
        })
        .collect();
    sources.sort_by(|a, b| a.0.display.cmp(&b.0.display));

    let mut snippets = Vec::new();
    for (source, page) in sources {
        let body: Arc<str> = Arc::from(source.body.as_str());
        let blocks = code_blocks(&source.body, &config.markdown, source.body_line);
        for (index, block) in blocks.into_iter().enumerate() {
            let (info, annotations) = match block.info {
                Ok(info) => {
                    let annotations =
                        annotations::resolve(&info, page, &config.snippets, k8s_versions);
                    (info, annotations)
                }
                Err(message) => (
                    FenceInfo::default(),
                    Err(Finding::error("markdown/info-string", message, 0, 1)
                        .hint("quote values that contain commas: reason=\"a, b\"")),
                ),
            };
            let lang = Lang::from_fence(info.lang.as_deref());
            if !options.langs.is_empty() && !options.langs.iter().any(|l| lang.matches_filter(l)) {
                continue;
            }
            snippets.push(Snippet {
                file: source.display.clone(),
                index,
                lang_name: info.lang.clone().unwrap_or_default(),
                lang,
                code: block.code,
                info,
                annotations,
                fence_line: block.fence_line,
                first_line: block.first_line,
                indent: block.indent,
                body: Arc::clone(&body),
                body_line: source.body_line,
            });
        }
    }
    Ok(snippets)
}

#[cfg(test)]
mod tests {
    use super::{Dialect, Lang};

    #[test]
    fn aliases_map_to_checkers() {
        assert_eq!(Lang::from_fence(Some("yml")), Lang::Yaml);
        assert_eq!(Lang::from_fence(Some("sh")), Lang::Shell(Dialect::Sh));
        assert_eq!(Lang::from_fence(Some("shell-session")), Lang::Console);
        assert_eq!(Lang::from_fence(Some("terraform")), Lang::Hcl);
        assert_eq!(
            Lang::from_fence(Some("rego")),
            Lang::NotCode("rego".to_owned())
        );
        assert_eq!(Lang::from_fence(None), Lang::None);
    }

    #[test]
    fn lang_filter_accepts_aliases() {
        assert!(Lang::Yaml.matches_filter("yml"));
        assert!(Lang::Shell(Dialect::Sh).matches_filter("bash"));
        assert!(!Lang::Shell(Dialect::Bash).matches_filter("sh"));
        assert!(!Lang::Json.matches_filter("yaml"));
    }
}
