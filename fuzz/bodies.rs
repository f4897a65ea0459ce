//! The bodies of the fuzz targets, shared by `cargo fuzz` (`fuzz/fuzz_targets/*.rs`) and by the
//! regression replay in `cargo test` (`tests/integration/fuzz_replay.rs`), so a crash found by
//! the fuzzer is replayed by exactly the code that found it.
//!
//! Each body takes arbitrary bytes, turns them into the input galley reads (the first byte
//! chooses options, so one corpus reaches every setting), and checks more than "no panic":
//! errors must render, and escaping invariants must hold on what renders.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use galley::config::{Config, HighlightConfig, MarkdownConfig};
use galley::content::frontmatter;
use galley::diagnostics::Diagnostic;
use galley::markdown::fence::FenceInfo;
use galley::markdown::highlight::{Highlighter, escape};
use galley::markdown::{Heading, Input, Links, MarkdownRenderer, code_blocks};
use galley::snippets::extract::Dialect;
use galley::snippets::schema::Schemas;
use galley::snippets::{
    Context, Lang, Outcome, Snippet, SnippetConfig, TestMode, Verdict, annotations, apply_mode,
    runner, shell, yaml,
};

const TAXONOMIES: &[&str] = &["tags", "categories"];

/// Every diagnostic galley can produce must render without panicking (carets, source lines and
/// columns are computed from offsets into arbitrary text).
fn render_diagnostic(diagnostic: &Diagnostic) {
    let _ = diagnostic.render(false);
    let _ = diagnostic.render(true);
    let _ = diagnostic.render_github();
}

/// Front matter splitting and parsing. First byte: 0 = the bytes as they are, 1 = wrapped in
/// `+++` lines (TOML), 2 = wrapped in `---` lines (YAML), 3 = as they are.
pub fn frontmatter(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let text = match mode & 3 {
        1 => format!("+++\n{raw}\n+++\nbody\n"),
        2 => format!("---\n{raw}\n---\nbody\n"),
        _ => raw.to_owned(),
    };
    let file = "content/fuzz.md";
    let split = match frontmatter::split(&text, file) {
        Ok(split) => split,
        Err(diagnostic) => return render_diagnostic(&diagnostic),
    };
    assert!(
        text.ends_with(split.body),
        "the body is the end of the file"
    );
    assert!(
        split.body_line >= 3,
        "the body starts after two delimiter lines"
    );
    if let Err(diagnostic) = frontmatter::parse_page(&split, file, TAXONOMIES) {
        render_diagnostic(&diagnostic);
    }
    if let Err(diagnostic) = frontmatter::parse_section(&split, file) {
        render_diagnostic(&diagnostic);
    }
}

/// `@/x.md` links resolve; anything else is a broken link (an error path worth fuzzing too).
struct AnyMarkdownFile;

impl Links for AnyMarkdownFile {
    fn resolve(&self, target: &str) -> Option<String> {
        target
            .ends_with(".md")
            .then(|| format!("https://example.org/{}/", target.trim_end_matches(".md")))
    }
}

fn highlighter() -> &'static Highlighter {
    static HIGHLIGHTER: OnceLock<Highlighter> = OnceLock::new();
    HIGHLIGHTER.get_or_init(|| {
        Highlighter::new(&HighlightConfig::default()).expect("the default highlighting themes")
    })
}

/// The Markdown pipeline: rendering (headings and their ids, code blocks and their info
/// strings, links, summary), code block extraction for `galley test`, and info-string parsing.
/// First byte: bit 0 smart punctuation, bit 1 raw HTML allowed, bit 2 heading anchors, bit 3
/// line numbers, high nibble the plain-text limit.
pub fn markdown(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = std::str::from_utf8(rest) else {
        return;
    };
    let config = MarkdownConfig {
        smart_punctuation: flags & 1 != 0,
        unsafe_html: flags & 2 != 0,
        heading_anchors: flags & 4 != 0,
        words_per_minute: 220,
    };
    let renderer = MarkdownRenderer {
        config: &config,
        highlighter: highlighter(),
        line_numbers_default: flags & 8 != 0,
    };
    let badges = [(0, "<span class=\"badge\">checked</span>".to_owned())];
    let result = renderer.render(&Input {
        body,
        file: "content/fuzz.md",
        first_line: 3,
        links: &AnyMarkdownFile,
        plain_text_limit: usize::from(flags >> 4) * 64,
        badges: &badges,
    });
    match result {
        Ok(rendered) => {
            if !config.unsafe_html {
                let lower = rendered.html.to_ascii_lowercase();
                for tag in ["<script", "<iframe", "<style", "<object", "<embed"] {
                    assert!(
                        !lower.contains(tag),
                        "unsafe_html = false let {tag} through:\n{}",
                        rendered.html
                    );
                }
            }
            // Ids may hold anything an author writes (`{#"x"}`), but only escaped in HTML.
            let mut headings: Vec<&Heading> = rendered.toc.iter().collect();
            while let Some(heading) = headings.pop() {
                let attribute = format!("<h{} id=\"{}\"", heading.level, escape(&heading.id));
                assert!(
                    rendered.html.contains(&attribute),
                    "heading id {:?} not escaped:\n{}",
                    heading.id,
                    rendered.html
                );
                headings.extend(&heading.children);
            }
            let _ = serde_json::to_string(&rendered.toc).expect("the toc serialises");
            for warning in &rendered.warnings {
                render_diagnostic(warning);
            }
        }
        Err(diagnostics) => diagnostics.iter().for_each(render_diagnostic),
    }
    for block in code_blocks(body, &config, 3) {
        assert!(block.first_line > block.fence_line);
        if let Ok(info) = &block.info {
            let _ = (info.hl_lines(), info.hide_lines(), info.linenostart());
            let _ = (info.name(), info.linenos(false), info.passthrough().count());
        }
    }
    // Info strings on their own, since most fuzzed documents have no fence.
    for line in body.lines().take(64) {
        if let Ok(info) = FenceInfo::parse(line) {
            let _ = (info.hl_lines(), info.hide_lines(), info.linenostart());
        }
    }
}

/// `site.toml` parsing and validation.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text, "site.toml") {
        Ok(mut config) => {
            assert!(config.base_url.ends_with('/'), "{}", config.base_url);
            let _ = (config.base_path(), config.permalink("/blog/x/"));
            let base = config.base_url.clone();
            config.set_base_url(&base);
            assert_eq!(config.base_url, base, "normalising twice changes nothing");
        }
        Err(error) => error.diagnostics.iter().for_each(render_diagnostic),
    }
}

/// The snippet fixture site (`tests/fixtures/snippets/`): its schema folder and CRD give the
/// `yaml` target custom resources to validate. Found from either crate's manifest folder
/// (the repository root for `cargo test`, `fuzz/` for `cargo fuzz`).
fn snippet_fixture() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("tests/fixtures/snippets"))
        .find(|dir| dir.is_dir())
        .expect("tests/fixtures/snippets/ above the manifest folder")
}

fn snippet_settings() -> &'static SnippetConfig {
    static SETTINGS: OnceLock<SnippetConfig> = OnceLock::new();
    SETTINGS.get_or_init(|| SnippetConfig {
        schema_dirs: vec!["schemas".to_owned()],
        crds: vec!["crds".to_owned()],
        ..SnippetConfig::default()
    })
}

/// Loaded once: schemas compile on first use and stay cached, as in one `galley test` run.
fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        Schemas::load(&snippet_fixture(), snippet_settings()).expect("the fixture's schemas")
    })
}

/// A block of `code` under the fence `info`, as `snippets::extract` makes it: the fence on
/// line 4 of `content/fuzz.md`, after a three-line front matter.
fn snippet(info: &str, lang: Lang, code: &str) -> Snippet {
    let fence = FenceInfo::parse(info).expect("the fuzz targets' info strings parse");
    let annotations =
        annotations::resolve(&fence, None, snippet_settings(), &schemas().k8s_versions());
    Snippet {
        file: "content/fuzz.md".to_owned(),
        index: 0,
        lang,
        lang_name: fence.lang.clone().unwrap_or_default(),
        code: code.to_owned(),
        info: fence,
        annotations,
        fence_line: 4,
        first_line: 5,
        indent: 0,
        body: Arc::from(format!("```{info}\n{code}```\n")),
        body_line: 4,
    }
}

/// What holds for every checker's outcome: findings point inside the block (the fence line,
/// a code line, or the line just after the last for "unexpected end"), the verdict agrees
/// with the findings, and every finding renders as a diagnostic.
fn check_outcome(snippet: &Snippet, outcome: &Outcome) {
    let lines = snippet.code.lines().count();
    for finding in &outcome.findings {
        assert!(
            finding.line <= lines + 1,
            "{} at line {} of a {lines}-line block",
            finding.code,
            finding.line
        );
        assert!(finding.column >= 1 && finding.width >= 1);
        render_diagnostic(&snippet.diagnostic(finding));
    }
    if outcome.findings.iter().any(|f| f.error) {
        assert!(
            matches!(outcome.verdict, Verdict::Failed),
            "an error finding in a block that {:?}",
            outcome.verdict
        );
    }
}

/// Fence info strings the `yaml` target chooses from with its first byte: the annotations
/// that change what a YAML block is validated against.
const YAML_FENCES: &[&str] = &[
    "yaml",
    "yaml,test=fragment",
    "yaml,k8s=1.25",
    "yml,test=fail",
    "yaml,name=.github/workflows/ci.yml",
    "yaml,name=action.yml",
    "yaml,name=dependabot.yml",
    "yaml,name=compose.yaml",
    "yaml,schema=github-workflow",
    "yaml,schema=compose",
    "yaml,schema=schemas/example.com/widget_v1.json",
    "yaml,test=fragment,k8s=1.30",
];

/// A ```yaml block through `galley test`'s YAML checking: `...` elisions, saphyr parsing,
/// conversion to JSON with positions, then Kubernetes (built-in and custom resources),
/// SchemaStore or `schema=` validation, as `test=` and `name=` direct. First byte: the fence.
pub fn yaml(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(code) = std::str::from_utf8(rest) else {
        return;
    };
    let info = YAML_FENCES[usize::from(choice) % YAML_FENCES.len()];
    let snippet = snippet(info, Lang::Yaml, code);
    let annotations = snippet.annotations.clone().expect("valid annotations");
    let context = Context {
        schemas: schemas(),
        settings: snippet_settings(),
    };
    let relaxed = annotations.test == TestMode::Fragment;
    let outcome = apply_mode(
        &snippet,
        yaml::check(&snippet, &annotations, relaxed, &context),
    );
    check_outcome(&snippet, &outcome);
    // The parser on its own, without the habits check in front of it.
    if let Ok(documents) = yaml::parse(&yaml::prepare(code).text) {
        for document in &documents {
            let _ = document.key_span("/metadata/name");
            let _ = document.sub("/items/0");
        }
    }
}

/// bash, sh and console blocks. First byte: 0 bash, 1 sh, 2 console (3 is bash too).
///
/// brush-parser does the work in process. What `galley test` does next when brush rejects a
/// script (asking `bash -n`) costs a process per input, so it is run only on scripts brush
/// accepts, where it spawns nothing: a rejected script's error position and message are
/// checked from `shell::parse`, which is where they are computed.
pub fn shell(data: &[u8]) {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(code) = std::str::from_utf8(rest) else {
        return;
    };
    let replaced = shell::replace_placeholders(code);
    assert_eq!(replaced.len(), code.len(), "placeholders keep their width");
    let (info, lang, script) = match choice & 3 {
        1 => ("sh", Lang::Shell(Dialect::Sh), replaced),
        2 => {
            let (script, _) = shell::console_script(code);
            assert_eq!(
                script.lines().count(),
                code.lines().count(),
                "a console script keeps the block's lines"
            );
            // The runner's split of the same block into commands and expected output.
            let mut last = 0;
            for command in runner::commands(code) {
                assert!(command.line > last && command.expected_line > command.line);
                last = command.line;
            }
            (
                "console",
                Lang::Console,
                shell::replace_placeholders(&script),
            )
        }
        _ => ("bash", Lang::Shell(Dialect::Bash), replaced),
    };
    let dialect = match lang {
        Lang::Shell(dialect) => dialect,
        _ => Dialect::Bash,
    };
    let snippet = snippet(info, lang.clone(), code);
    match shell::parse(&script, dialect) {
        Ok(()) => {
            let outcome = match lang {
                Lang::Console => shell::check_console(code),
                _ => shell::check_script(code, dialect),
            };
            check_outcome(&snippet, &outcome);
        }
        Err((line, column, message)) => {
            let lines = script.trim_end().lines().count().max(1);
            assert!(
                line >= 1 && line <= lines && column >= 1,
                "{message} at {line}:{column}"
            );
            let finding = galley::snippets::Finding::error("bash/syntax", message, line, column);
            render_diagnostic(&snippet.diagnostic(&finding));
        }
    }
}
