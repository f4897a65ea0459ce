//! The bodies of the fuzz targets, shared by `cargo fuzz` (`fuzz/fuzz_targets/*.rs`) and by the
//! regression replay in `cargo test` (`tests/integration/fuzz_replay.rs`), so a crash found by
//! the fuzzer is replayed by exactly the code that found it.
//!
//! Each body takes arbitrary bytes, turns them into the input galley reads (the first byte
//! chooses options, so one corpus reaches every setting), and checks more than "no panic":
//! errors must render, and escaping invariants must hold on what renders.

#![allow(dead_code)]

use std::sync::OnceLock;

use galley::config::{Config, HighlightConfig, MarkdownConfig};
use galley::content::frontmatter;
use galley::diagnostics::Diagnostic;
use galley::markdown::fence::FenceInfo;
use galley::markdown::highlight::{Highlighter, escape};
use galley::markdown::{Heading, Input, Links, MarkdownRenderer, code_blocks};

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
