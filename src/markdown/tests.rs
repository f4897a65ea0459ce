use super::{Input, Links, MarkdownRenderer, Rendered, code_blocks};
use crate::config::{HighlightConfig, MarkdownConfig};
use crate::diagnostics::Diagnostic;
use crate::markdown::highlight::Highlighter;

struct Site;

impl Links for Site {
    fn resolve(&self, target: &str) -> Option<String> {
        (target == "blog/other.md").then(|| "https://example.org/blog/other/".to_owned())
    }
}

fn render_with(config: &MarkdownConfig, body: &str) -> Result<Rendered, Vec<Diagnostic>> {
    let highlighter = Highlighter::new(&HighlightConfig::default()).unwrap();
    let renderer = MarkdownRenderer {
        config,
        highlighter: &highlighter,
        line_numbers_default: false,
    };
    renderer.render(&Input {
        body,
        file: "content/a.md",
        first_line: 5,
        links: &Site,
        plain_text_limit: 10_000,
        badges: &[],
    })
}

fn render(body: &str) -> Rendered {
    render_with(&MarkdownConfig::default(), body).unwrap()
}

#[test]
fn headings_get_unique_slug_ids_and_anchor_links() {
    let out = render("## Usage\n\ntext\n\n## Usage\n\n### Why env vars leak?\n");
    assert!(
        out.html
            .contains("<h2 id=\"usage\">Usage<a class=\"heading-anchor\" href=\"#usage\""),
        "{}",
        out.html
    );
    assert!(out.html.contains("<h2 id=\"usage-1\">"), "{}", out.html);
    assert!(
        out.html.contains("<h3 id=\"why-env-vars-leak\">"),
        "{}",
        out.html
    );
    assert_eq!(out.ids, ["usage", "usage-1", "why-env-vars-leak"]);
}

#[test]
fn custom_heading_ids_win_and_are_reserved() {
    let out = render("## Intro\n\n## Other {#intro}\n");
    assert_eq!(out.ids, ["intro-1", "intro"]);
}

#[test]
fn toc_is_a_tree() {
    let out = render("## A\n### A1\n### A2\n## B\n#### B1\n");
    assert_eq!(out.toc.len(), 2);
    assert_eq!(out.toc[0].children.len(), 2);
    assert_eq!(out.toc[1].children[0].title, "B1");
}

#[test]
fn summary_is_everything_before_the_more_marker() {
    let out = render("First *para*.\n\nSecond.\n\n<!-- more -->\n\nRest.\n");
    assert_eq!(
        out.summary.as_deref(),
        Some("<p>First <em>para</em>.</p>\n<p>Second.</p>")
    );
    assert!(!out.html.contains("galley:"), "{}", out.html);
    assert!(out.html.contains("<p>Rest.</p>"));
    assert_eq!(
        out.first_paragraph.as_deref(),
        Some("<p>First <em>para</em>.</p>")
    );
}

#[test]
fn no_marker_means_no_summary_but_a_first_paragraph() {
    let out = render("## Title\n\nThe first one.\n\nAnother.\n");
    assert_eq!(out.summary, None);
    assert_eq!(
        out.first_paragraph.as_deref(),
        Some("<p>The first one.</p>")
    );
}

#[test]
fn internal_links_resolve_with_their_anchor() {
    let out = render("See [other](@/blog/other.md#setup).\n");
    assert!(
        out.html
            .contains("href=\"https://example.org/blog/other/#setup\""),
        "{}",
        out.html
    );
    assert_eq!(out.internal_links[0].anchor.as_deref(), Some("setup"));
    assert_eq!(out.internal_links[0].location.line, 5);
}

#[test]
fn internal_links_in_headings_resolve_and_are_recorded() {
    let out = render("text\n\n## See [other](@/blog/other.md#setup)\n");
    assert!(
        out.html
            .contains("<a href=\"https://example.org/blog/other/#setup\">other</a>"),
        "{}",
        out.html
    );
    assert_eq!(out.ids, ["see-other"]);
    let link = &out.internal_links[0];
    assert_eq!(link.anchor.as_deref(), Some("setup"));
    assert_eq!((link.location.line, link.location.column), (7, 8));
}

#[test]
fn broken_internal_link_in_a_heading_is_an_error_at_its_position() {
    let errors = render_with(
        &MarkdownConfig::default(),
        "ok\n\n## See [x](@/blog/nope.md)\n",
    )
    .unwrap_err();
    assert_eq!(errors[0].code, "link/missing-page");
    let location = errors[0].location.as_ref().unwrap();
    assert_eq!(
        (location.file.as_str(), location.line, location.column),
        ("content/a.md", 7, 8)
    );
}

#[test]
fn broken_internal_link_is_an_error_at_its_line() {
    let errors = render_with(
        &MarkdownConfig::default(),
        "ok\n\nsee [x](@/blog/nope.md)\n",
    )
    .unwrap_err();
    assert_eq!(errors[0].code, "link/missing-page");
    let location = errors[0].location.as_ref().unwrap();
    assert_eq!(
        (location.file.as_str(), location.line, location.column),
        ("content/a.md", 7, 5)
    );
}

#[test]
fn code_block_text_is_byte_exact_and_escaped() {
    let out = render("```text\n{{ not_expanded }} <b> &amp;\n```\n");
    assert!(
        out.html.contains("{{ not_expanded }} &lt;b&gt; &amp;amp;"),
        "{}",
        out.html
    );
}

#[test]
fn unknown_language_warns_but_renders() {
    let out = render("```klingon\nqapla'\n```\n");
    assert_eq!(out.warnings[0].code, "markdown/unknown-language");
    assert!(out.html.contains("qapla"));
}

#[test]
fn raw_html_passes_or_is_escaped() {
    let body = "<img src=\"x.png\" style=\"width:50%\">\n\ntext <b>bold</b>\n";
    assert!(render(body).html.contains("<img src=\"x.png\""));
    let safe = MarkdownConfig {
        unsafe_html: false,
        ..MarkdownConfig::default()
    };
    let out = render_with(&safe, body).unwrap();
    assert!(out.html.contains("&lt;img"), "{}", out.html);
    assert!(out.html.contains("&lt;b&gt;bold"), "{}", out.html);
}

#[test]
fn raw_html_in_a_heading_is_escaped_when_unsafe_html_is_off() {
    let safe = MarkdownConfig {
        unsafe_html: false,
        ..MarkdownConfig::default()
    };
    let out = render_with(&safe, "## Hi <script>x()</script>\n").unwrap();
    assert!(!out.html.contains("<script>"), "{}", out.html);
    assert!(out.html.contains("&lt;script&gt;x()"), "{}", out.html);
}

#[test]
fn gfm_features() {
    let out = render(
        "> [!NOTE]\n> careful\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ x[^1]\n\n[^1]: note\n",
    );
    assert!(out.html.contains("markdown-alert-note"), "{}", out.html);
    assert!(out.html.contains("<table>"));
    assert!(out.html.contains("checkbox"));
    assert!(out.html.contains("<del>old</del>"));
    assert!(out.ids.contains(&"1".to_owned()));
}

#[test]
fn word_count_includes_prose_and_code() {
    assert_eq!(
        render("one two three\n\n```sh\nls -la\n```\n").word_count,
        5
    );
}

#[test]
fn code_blocks_report_the_line_of_their_first_code_line() {
    let body = "intro\n\n- item\n\n  ```yaml,test=fragment\n  a: 1\n  ```\n";
    let blocks = code_blocks(body, &MarkdownConfig::default(), 10);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].fence_line, 14);
    assert_eq!(blocks[0].first_line, 15);
    assert_eq!(blocks[0].indent, 2);
    assert_eq!(blocks[0].code, "a: 1\n");
    assert_eq!(
        blocks[0].info.as_ref().unwrap().get("test"),
        Some("fragment")
    );
}

#[test]
fn plain_text_separates_blocks_but_not_inline_pieces() {
    let out = render("Intro linking to [the second](https://x.org).\n\n## Setup\n\nAgain *now*.\n");
    assert_eq!(
        out.plain_text,
        "Intro linking to the second. Setup Again now."
    );
}

#[test]
fn short_comments_that_overlap_the_more_marker_do_not_panic() {
    for body in ["<!--->\n", "<!-->\n", "a <!---> b\n", "<!-- more -->\n"] {
        render(body);
    }
}

#[test]
fn plain_text_keeps_a_space_at_line_breaks() {
    let out = render("a storage and\nquery engine,  \nthen more\n");
    assert_eq!(out.plain_text, "a storage and query engine, then more");
}
