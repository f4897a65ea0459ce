//! `galley test`: every fenced code block of every page checked, each problem reported at its
//! line and column in the Markdown file. The only module that spawns processes.
//!
//! 1. [`extract`] lists the blocks of the library's pages and sections (in `code_blocks()`
//!    order, the order the renderer sees them) and resolves their annotations: fence info
//!    string, then the page's `[snippets]` front matter, then site.toml's `[snippets]`.
//! 2. [`cache`] answers the blocks it has seen before (same code, annotations, checker and
//!    schema versions), so a rerun checks only what changed.
//! 3. The other blocks are checked in parallel, each by its language's checker: [`yaml`]
//!    (plus [`k8s`] for Kubernetes manifests and custom resources, [`schemastore`] for
//!    workflows, actions, dependabot and compose files), [`shell`], [`data`] (JSON, TOML),
//!    [`toolchain`] (Go, Python: batched through the installed toolchain), and [`parsers`]
//!    (Rust, HCL, SQL, PromQL, Dockerfile).
//! 4. [`runner`] executes the blocks annotated `run`, page by page, in a sandbox.
//! 5. The results form a [`Report`], which [`report`] renders for people and for CI.
//!
//! # The library API
//!
//! ```text
//! let report = galley::snippets::check(&library, &config, &CheckOptions::new(root))?;
//! for page in &report.pages {            // pages and sections, sorted by file
//!     for block in &page.blocks {        // block.index = position in code_blocks()
//!         block.verdict;                 // Passed / Failed / Skipped { reason } / SyntaxOnly { reason }
//!         block.badge;                   // "validated: Kubernetes 1.37 apps/v1 Deployment"
//!         block.diagnostics;             // rustc-style diagnostics with file:line:col
//!     }
//! }
//! report.counts();                       // passed / failed / skipped, as in the closing line
//! report.badges(&page.source.display);   // (block index, badge HTML) for the renderer
//! ```
//!
//! A long-lived caller (`galley serve`) keeps a [`Checker`] instead: compiled schemas and the
//! result cache stay in memory between checks.
//! `check` returns `Err` only for problems that stop the whole run (an unreadable schema
//! folder, a bad `[snippets]` table); a failing snippet is a [`Verdict::Failed`] in the report.

pub mod annotations;
mod brush_tokens;
pub mod cache;
pub mod data;
pub mod depth;
pub mod extract;
pub mod k8s;
pub mod parsers;
pub mod report;
pub mod runner;
pub mod schema;
pub mod schemastore;
pub mod shell;
pub mod toolchain;
pub mod yaml;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use self::annotations::{Annotations, TestMode};
pub use self::extract::{Lang, Snippet};
use crate::config::Config;
use crate::content::Library;
use crate::diagnostics::{Diagnostic, Location, Result, Severity, nth_line};

/// Site-wide settings: the `[snippets]` table of site.toml.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SnippetConfig {
    /// Kubernetes version manifests are validated against, such as "1.37" (default: the newest
    /// vendored version).
    pub k8s: Option<String>,
    /// Folders of JSON Schemas for custom resources in kubeconform's naming
    /// (`{kind}_{version}.json`, lower case, optionally in a folder per API group), relative to
    /// the site root.
    pub schema_dirs: Vec<String>,
    /// CustomResourceDefinition manifests (files or folders of YAML), relative to the site root.
    pub crds: Vec<String>,
    /// Default `test=` annotation of every block (`fragment`, `skip`...).
    pub test: Option<String>,
    /// Reason shown for `test = "skip"`.
    pub reason: Option<String>,
    /// Execute every block whose language can run, as if annotated `run`.
    pub run: Option<bool>,
    /// Time limit of one `run` block, in seconds (default 10).
    pub timeout: Option<u64>,
    /// Most bytes of output a `run` block may print (default 65536).
    pub output_limit: Option<usize>,
}

/// Per-page settings: the `[snippets]` table of a page's front matter.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct PageSnippets {
    pub test: Option<String>,
    pub reason: Option<String>,
    pub k8s: Option<String>,
    pub schema: Option<String>,
    pub run: Option<bool>,
    pub timeout: Option<u64>,
}

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site root: `.galley-cache/`, schema folders and CRDs are found from here.
    pub root: PathBuf,
    /// Only files at or under these paths (relative to the root, or absolute); empty: all.
    pub paths: Vec<PathBuf>,
    /// Only these sources, by their path under content/ (`blog/x.md`): for callers that
    /// already know them, so no path is resolved on disk. `None`: no restriction.
    pub sources: Option<std::collections::HashSet<String>>,
    /// Only blocks of these languages (aliases accepted: `yml`, `sh`...); empty: all.
    pub langs: Vec<String>,
    pub use_cache: bool,
    /// Execute `run` blocks (`--no-run` turns this off).
    pub run: bool,
}

impl CheckOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        CheckOptions {
            root: root.into(),
            paths: Vec::new(),
            sources: None,
            langs: Vec::new(),
            use_cache: true,
            run: true,
        }
    }
}

/// How one block fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    Passed,
    Failed,
    Skipped {
        reason: String,
    },
    /// The syntax is valid but no schema was available (a custom resource without a schema):
    /// counted with the passed blocks, reported separately, never called valid.
    SyntaxOnly {
        reason: String,
    },
}

impl Verdict {
    pub fn is_failure(&self) -> bool {
        matches!(self, Verdict::Failed)
    }

    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Skipped { .. } => "skipped",
            Verdict::SyntaxOnly { .. } => "syntax-only",
        }
    }
}

/// One problem inside a block, positioned relative to the block so it survives edits above it
/// (which is what makes it cacheable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub message: String,
    /// 1-based line within the block's code; 0 means the fence line itself.
    pub line: usize,
    /// 1-based column within the code line, in characters.
    pub column: usize,
    pub width: usize,
    pub hint: Option<String>,
    /// False for notes that explain rather than fail.
    pub error: bool,
}

impl Finding {
    pub fn error(code: &str, message: impl Into<String>, line: usize, column: usize) -> Finding {
        Finding {
            code: code.to_owned(),
            message: message.into(),
            line,
            column: column.max(1),
            width: 1,
            hint: None,
            error: true,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    pub fn width(mut self, width: usize) -> Finding {
        self.width = width.max(1);
        self
    }
}

/// The result of checking one block, before it is placed in its file: what the cache stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    pub badge: String,
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn passed(badge: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Passed,
            badge: badge.into(),
            findings: Vec::new(),
        }
    }

    pub fn skipped(reason: impl Into<String>) -> Outcome {
        let reason = reason.into();
        Outcome {
            badge: format!("skipped: {reason}"),
            verdict: Verdict::Skipped { reason },
            findings: Vec::new(),
        }
    }

    pub fn failed(badge: impl Into<String>, findings: Vec<Finding>) -> Outcome {
        Outcome {
            verdict: Verdict::Failed,
            badge: badge.into(),
            findings,
        }
    }

    /// Failed when any finding is an error, otherwise passed with `badge`.
    pub fn from_findings(badge: impl Into<String>, findings: Vec<Finding>) -> Outcome {
        let verdict = if findings.iter().any(|f| f.error) {
            Verdict::Failed
        } else {
            Verdict::Passed
        };
        Outcome {
            verdict,
            badge: badge.into(),
            findings,
        }
    }
}

/// One block's result, placed in its file.
#[derive(Debug, Clone, Serialize)]
pub struct BlockResult {
    /// Position among the page's fenced blocks, in `markdown::code_blocks()` order.
    pub index: usize,
    pub lang: String,
    /// File line of the opening fence.
    pub fence_line: usize,
    /// File line of the first code line.
    pub line: usize,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// A short label for the rendered page: "validated: Kubernetes 1.37 apps/v1 Deployment".
    pub badge: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the result came from `.galley-cache/`.
    pub cached: bool,
}

impl BlockResult {
    /// The badge as HTML for the code block's title bar (escaped).
    pub fn badge_html(&self) -> String {
        let badge = crate::markdown::highlight::escape(&self.badge);
        // The title repeats the label: narrow screens cut the badge short.
        format!(
            "<span class=\"code-test code-test-{}\" title=\"galley test: {badge}\">{badge}</span>",
            self.verdict.label(),
        )
    }
}

/// The blocks of one page or section.
#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    /// As shown to the user: `content/blog/x.md`.
    pub file: String,
    pub blocks: Vec<BlockResult>,
}

impl PageReport {
    /// `(block index, badge HTML)`, in the shape `markdown::Input::badges` takes.
    pub fn badges(&self) -> Vec<(usize, String)> {
        self.blocks
            .iter()
            .map(|b| (b.index, b.badge_html()))
            .collect()
    }
}

/// Passed, failed and skipped blocks, as in the closing line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Includes the syntax-only blocks.
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub syntax_only: usize,
    pub cached: usize,
}

/// Everything `galley test` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub pages: Vec<PageReport>,
    /// Problems outside any block (an unreadable CRD file...), reported but not counted.
    pub warnings: Vec<Diagnostic>,
}

impl Report {
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for block in self.pages.iter().flat_map(|p| &p.blocks) {
            match block.verdict {
                Verdict::Passed => counts.passed += 1,
                Verdict::SyntaxOnly { .. } => {
                    counts.passed += 1;
                    counts.syntax_only += 1;
                }
                Verdict::Failed => counts.failed += 1,
                Verdict::Skipped { .. } => counts.skipped += 1,
            }
            counts.cached += usize::from(block.cached);
        }
        counts
    }

    pub fn has_failures(&self) -> bool {
        self.pages
            .iter()
            .flat_map(|p| &p.blocks)
            .any(|b| b.verdict.is_failure())
    }

    /// Every error diagnostic, sorted by file and line (for `galley build --check`).
    pub fn errors(&self) -> Vec<Diagnostic> {
        let mut errors: Vec<Diagnostic> = self
            .pages
            .iter()
            .flat_map(|p| &p.blocks)
            .filter(|b| b.verdict.is_failure())
            .flat_map(|b| b.diagnostics.iter().filter(|d| d.is_error()).cloned())
            .collect();
        crate::diagnostics::sort_diagnostics(&mut errors);
        errors
    }

    /// `(block index, badge HTML)` for one file, in the shape `markdown::Input::badges` takes.
    pub fn badges(&self, file: &str) -> Vec<(usize, String)> {
        self.pages
            .iter()
            .filter(|p| p.file == file)
            .flat_map(PageReport::badges)
            .collect()
    }
}

/// Checks every selected block of `library`. See the module documentation.
pub fn check(library: &Library, config: &Config, options: &CheckOptions) -> Result<Report> {
    Checker::new(&options.root, config, options.use_cache)?.check(library, config, options)
}

/// What stays loaded between checks: the schemas (each compiled on first use) and the result
/// cache. Make a new one when site.toml or a schema folder changes.
pub struct Checker {
    schemas: schema::Schemas,
    cache: cache::Cache,
    /// The toolchain versions asked so far, for the cache keys: once per process.
    toolchains: toolchain::Toolchains,
}

impl Checker {
    pub fn new(root: &Path, config: &Config, use_cache: bool) -> Result<Checker> {
        Ok(Checker {
            schemas: schema::Schemas::load(root, &config.snippets)?,
            cache: if use_cache {
                cache::Cache::open(root)
            } else {
                cache::Cache::disabled()
            },
            toolchains: toolchain::Toolchains::default(),
        })
    }

    /// Checks every block `options` selects (its `use_cache` is the checker's own).
    pub fn check(
        &mut self,
        library: &Library,
        config: &Config,
        options: &CheckOptions,
    ) -> Result<Report> {
        let Checker {
            schemas,
            cache,
            toolchains,
        } = self;
        check_with(library, config, options, schemas, cache, toolchains)
    }
}

fn check_with(
    library: &Library,
    config: &Config,
    options: &CheckOptions,
    schemas: &schema::Schemas,
    cache: &mut cache::Cache,
    known: &mut toolchain::Toolchains,
) -> Result<Report> {
    let settings = &config.snippets;
    let snippets = extract::snippets(library, config, options, &schemas.k8s_versions())?;

    // Asking the toolchains their versions costs a process each: only for a cache to key.
    let toolchains = if cache.enabled() {
        *known = toolchain::Toolchains::installed(&snippets, known);
        known.clone()
    } else {
        toolchain::Toolchains::default()
    };
    let keys: Vec<blake3::Hash> = snippets
        .par_iter()
        .map(|s| cache::key(s, schemas, &toolchains))
        .collect();

    // In-process checkers run on rayon's threads; Go and Python blocks are batched into one
    // toolchain process per language.
    let mut outcomes: Vec<Option<(Outcome, bool)>> = snippets
        .iter()
        .zip(&keys)
        .map(|(s, key)| {
            if s.annotations.as_ref().is_ok_and(|a| a.run) && options.run {
                None
            } else {
                cache.get(key).map(|o| (o, true))
            }
        })
        .collect();
    let context = Context { schemas, settings };
    let pending: Vec<usize> = (0..snippets.len())
        .filter(|&i| outcomes[i].is_none())
        .collect();
    let (toolchain_batch, in_process): (Vec<usize>, Vec<usize>) = pending
        .into_iter()
        .partition(|&i| matches!(snippets[i].lang, Lang::Go | Lang::Python));
    // The toolchain processes run while the in-process checkers keep both cores busy.
    let (checked, batch_outcomes) = std::thread::scope(|scope| {
        let batch = scope.spawn(|| {
            let batch: Vec<&Snippet> = toolchain_batch.iter().map(|&i| &snippets[i]).collect();
            toolchain::check_batch(&batch)
        });
        let checked: Vec<(usize, Outcome)> = in_process
            .par_iter()
            .map(|&i| (i, check_in_process(&snippets[i], &context)))
            .collect();
        (
            checked,
            batch.join().expect("the toolchain batch does not panic"),
        )
    });
    for (i, outcome) in checked {
        outcomes[i] = Some((outcome, false));
    }
    for (i, outcome) in toolchain_batch.iter().zip(batch_outcomes) {
        outcomes[*i] = Some((apply_mode(&snippets[*i], outcome), false));
    }

    if options.run {
        runner::run_pages(&snippets, &mut outcomes, settings);
    }

    let mut fresh = Vec::new();
    for ((snippet, key), outcome) in snippets.iter().zip(&keys).zip(&outcomes) {
        if let Some((outcome, false)) = outcome
            && cache::cacheable(snippet, outcome)
        {
            fresh.push((*key, outcome.clone()));
        }
    }
    cache.store(fresh);

    let mut report = Report {
        pages: Vec::new(),
        warnings: schemas.warnings.clone(),
    };
    for (snippet, outcome) in snippets.iter().zip(outcomes) {
        let (outcome, cached) = outcome.expect("every block has an outcome");
        let block = place(snippet, outcome, cached);
        match report.pages.last_mut() {
            Some(page) if page.file == snippet.file => page.blocks.push(block),
            _ => report.pages.push(PageReport {
                file: snippet.file.clone(),
                blocks: vec![block],
            }),
        }
    }
    Ok(report)
}

/// What every checker may consult.
pub struct Context<'a> {
    pub schemas: &'a schema::Schemas,
    pub settings: &'a SnippetConfig,
}

/// Checks a block in this process (Go and Python go to [`toolchain::check_batch`]).
fn check_in_process(snippet: &Snippet, context: &Context) -> Outcome {
    let annotations = match &snippet.annotations {
        Ok(annotations) => annotations,
        Err(finding) => return Outcome::failed("invalid annotation", vec![finding.clone()]),
    };
    if let TestMode::Skip(reason) = &annotations.test {
        return Outcome::skipped(reason.clone());
    }
    let relaxed = annotations.test == TestMode::Fragment;
    let outcome = match &snippet.lang {
        Lang::Yaml => yaml::check(snippet, annotations, relaxed, context),
        Lang::Json => data::check_json(&snippet.code),
        Lang::Toml => data::check_toml(&snippet.code),
        Lang::Shell(dialect) => shell::check_script(&snippet.code, *dialect),
        Lang::Console => shell::check_console(&snippet.code),
        Lang::Go | Lang::Python => unreachable!("Go and Python blocks are checked in a batch"),
        Lang::Rust => parsers::check_rust(&snippet.code),
        Lang::Hcl => parsers::check_hcl(&snippet.code),
        Lang::Sql => parsers::check_sql(&snippet.code),
        Lang::Promql => parsers::check_promql(&snippet.code),
        Lang::Dockerfile => parsers::check_dockerfile(&snippet.code),
        Lang::Output => Outcome::skipped(format!("`{}` blocks are not code", snippet.lang_name)),
        Lang::NotCode(lang) => Outcome::skipped(format!("`{lang}` is not checked")),
        Lang::None => Outcome::skipped("no language on the fence"),
    };
    apply_mode(snippet, outcome)
}

/// Applies `test=fail`: a block meant to be wrong passes only if its check failed.
pub fn apply_mode(snippet: &Snippet, mut outcome: Outcome) -> Outcome {
    let Ok(annotations) = &snippet.annotations else {
        return outcome;
    };
    if annotations.test != TestMode::Fail {
        return outcome;
    }
    match outcome.verdict {
        Verdict::Failed => {
            let first = outcome
                .findings
                .iter()
                .find(|f| f.error)
                .map(|f| f.message.clone())
                .unwrap_or_default();
            for finding in &mut outcome.findings {
                finding.error = false;
            }
            Outcome {
                verdict: Verdict::Passed,
                badge: format!("fails as expected: {first}"),
                findings: outcome.findings,
            }
        }
        Verdict::Passed | Verdict::SyntaxOnly { .. } => Outcome::failed(
            "expected to fail",
            vec![
                Finding::error(
                    "snippet/expected-failure",
                    format!(
                        "this block is marked test=fail, but it passed ({})",
                        outcome.badge
                    ),
                    0,
                    1,
                )
                .hint("fix the example so it shows the mistake, or remove test=fail"),
            ],
        ),
        Verdict::Skipped { .. } => outcome,
    }
}

/// Turns block-relative findings into file diagnostics.
fn place(snippet: &Snippet, outcome: Outcome, cached: bool) -> BlockResult {
    let diagnostics = outcome
        .findings
        .iter()
        .map(|finding| snippet.diagnostic(finding))
        .collect();
    BlockResult {
        index: snippet.index,
        lang: snippet.lang_name.clone(),
        fence_line: snippet.fence_line,
        line: snippet.first_line,
        verdict: outcome.verdict,
        badge: outcome.badge,
        diagnostics,
        cached,
    }
}

impl Snippet {
    /// A finding as a diagnostic at its place in the Markdown file.
    pub fn diagnostic(&self, finding: &Finding) -> Diagnostic {
        let (line, column) = if finding.line == 0 {
            (self.fence_line, self.indent + finding.column)
        } else {
            (
                self.first_line + finding.line - 1,
                self.indent + finding.column,
            )
        };
        let severity = if finding.error {
            Severity::Error
        } else {
            Severity::Note
        };
        let mut diagnostic = Diagnostic::new(severity, &finding.code, &finding.message)
            .at(Location::new(self.file.clone(), line, column))
            .with_width(finding.width);
        if let Some(text) = line
            .checked_sub(self.body_line)
            .and_then(|n| nth_line(&self.body, n + 1))
        {
            diagnostic = diagnostic.with_source_line(text);
        }
        if let Some(hint) = &finding.hint {
            diagnostic = diagnostic.hint(hint.clone());
        }
        diagnostic
    }
}

/// A 1-based column counted in bytes (gofmt, serde_json) -> counted in characters.
pub(crate) fn char_column(code: &str, line: usize, byte_column: usize) -> usize {
    let Some(text) = code.lines().nth(line.saturating_sub(1)) else {
        return byte_column.max(1);
    };
    let bytes = byte_column.saturating_sub(1).min(text.len());
    let mut boundary = bytes;
    while !text.is_char_boundary(boundary) {
        boundary -= 1;
    }
    text[..boundary].chars().count() + 1 + byte_column.saturating_sub(1 + text.len())
}

/// Whether `path` (as given on the command line) selects the file `absolute`.
pub(crate) fn path_selects(root: &Path, selector: &Path, absolute: &Path) -> bool {
    let selector = if selector.is_absolute() {
        selector.to_path_buf()
    } else {
        root.join(selector)
    };
    let normalise = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    normalise(absolute).starts_with(normalise(&selector))
}

#[cfg(test)]
mod tests {
    use super::char_column;

    #[test]
    fn byte_columns_become_character_columns() {
        assert_eq!(char_column("ab\n{\"é\": 1,}", 2, 10), 9);
        assert_eq!(char_column("abc", 1, 2), 2);
        assert_eq!(char_column("abc", 1, 4), 4);
        assert_eq!(char_column("abc", 5, 3), 3);
    }
}
