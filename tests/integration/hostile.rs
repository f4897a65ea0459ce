//! Hostile content: titles, descriptions and tags written to break out of their context
//! (`<script>`, quotes, `&`, control characters, right-to-left overrides) are escaped in every
//! output that carries them, checked on the built files: HTML (Tera autoescape, in text and in
//! attributes), RSS and Atom (well-formed XML), the sitemap, and the search index (valid JSON
//! that cannot close a `<script>`). Raw HTML in Markdown passes by default and is escaped with
//! `[markdown] unsafe_html = false`. Content cannot make galley write outside the output folder.

use crate::harness::{Site, snapshot, well_formed_xml};

const SCRIPT: &str = "<script>alert(1)</script>";
/// U+202E RIGHT-TO-LEFT OVERRIDE and U+200F RIGHT-TO-LEFT MARK.
const RTL: &str = "\u{202e}\u{200f}";

/// A page template that puts the title and description in attributes as well as in text.
const PAGE_TEMPLATE: &str = r#"{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock title %}
{% block content %}<meta name="description" content="{{ page.description }}">
<h1 title="{{ page.title }}">{{ page.title }}</h1><p class="d">{{ page.description }}</p>
{{ page.content | safe }}
{% for tag in page.taxonomies.tags | default(value=[]) %}<a href="{{ tag.path }}" title="{{ tag.name }}">{{ tag.name }}</a>{% endfor %}
{% endblock content %}
"#;

fn hostile_site() -> Site {
    let site = Site::fixture("zola-style");
    site.write("templates/page.html", PAGE_TEMPLATE);
    // TOML basic strings spell control characters as escapes; the RTL characters are raw.
    site.write(
        "content/blog/hostile.md",
        format!(
            "+++\ntitle = \"{SCRIPT} & \\\"quoted\\\" \\u0001\\u0007 {RTL}evil\"\n\
             description = \"desc {SCRIPT} ' \\\" & \\u0002{RTL}\"\ndate = 2026-03-01\n\
             [taxonomies]\ntags = [\"<script>tag</script>\", \"a&b\", \"\\\"q\\\"\", \"{RTL}rtl\"]\n+++\n\
             Body with <img src=\"ok.png\" alt=\"kept\"> and <script>inline()</script>.\n\n\
             <div class=\"raw\">block</div>\n"
        ),
    );
    site
}

/// Every HTML file of the build.
fn html_files(site: &Site) -> Vec<(String, String)> {
    snapshot(&site.path().join("public"))
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).expect("UTF-8 HTML")))
        .collect()
}

#[test]
fn hostile_titles_descriptions_and_tags_are_escaped_in_html() {
    let site = hostile_site();
    site.build();
    let page = site.output("blog/hostile/index.html");
    assert!(
        page.contains(
            "<h1 title=\"&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; &quot;quoted&quot;"
        ) || page
            .contains("<h1 title=\"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;"),
        "{page}"
    );
    assert!(page.contains("content=\"desc &lt;script&gt;"), "{page}");
    assert!(page.contains("&lt;script&gt;tag"), "{page}");
    assert!(page.contains("a&amp;b"), "{page}");
    // The only scripts in any page are the ones the Markdown body wrote on purpose (raw HTML
    // is allowed by default): none comes from a title, a description or a tag.
    for (path, html) in html_files(&site) {
        let scripts = html.matches("<script").count();
        let expected = usize::from(path == "blog/hostile/index.html");
        assert_eq!(scripts, expected, "{path}:\n{html}");
        assert!(!html.contains("<script>alert"), "{path}");
        assert!(!html.contains("<script>tag"), "{path}");
    }
    // Term URLs are slugs: no markup, quotes or bidirectional controls reach a path.
    let tags: Vec<String> = std::fs::read_dir(site.path().join("public/tags"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for tag in &tags {
        assert!(
            tag.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
            "{tags:?}"
        );
    }
}

#[test]
fn hostile_metadata_gives_well_formed_feeds_and_sitemap() {
    let site = hostile_site();
    site.build();
    for feed in [
        "rss.xml",
        "atom.xml",
        "tags/a-b/rss.xml",
        "tags/a-b/atom.xml",
    ] {
        let xml = site.output(feed);
        well_formed_xml(&xml);
        assert!(!xml.contains("<script>"), "{feed}: {xml}");
        assert!(!xml.contains('\u{1}') && !xml.contains('\u{7}'), "{feed}");
        assert!(
            xml.contains("evil"),
            "{feed}: the title is kept, minus what XML forbids"
        );
    }
    let rss = site.output("rss.xml");
    assert!(
        rss.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"),
        "{rss}"
    );
    let sitemap = site.output("sitemap.xml");
    well_formed_xml(&sitemap);
    assert!(sitemap.contains("<loc>https://example.org/blog/hostile/</loc>"));
}

#[test]
fn hostile_metadata_gives_a_search_index_that_cannot_close_a_script() {
    let site = hostile_site();
    site.build();
    let json = site.output("search_index.json");
    assert!(!json.contains("</script"), "{json}");
    assert!(!json.to_ascii_lowercase().contains("</"), "{json}");
    let index: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let entry = index
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"].as_str().unwrap().ends_with("/blog/hostile/"))
        .expect("the hostile page is indexed");
    let title = entry["title"].as_str().unwrap();
    assert!(
        title.starts_with(SCRIPT),
        "the value round-trips: {title:?}"
    );
    assert!(title.contains('\u{1}') && title.contains(RTL), "{title:?}");
}

#[test]
fn raw_html_passes_by_default() {
    let site = hostile_site();
    site.build();
    let page = site.output("blog/hostile/index.html");
    assert!(page.contains("<img src=\"ok.png\" alt=\"kept\">"), "{page}");
    assert!(page.contains("<script>inline()</script>"), "{page}");
    assert!(page.contains("<div class=\"raw\">block</div>"), "{page}");
}

#[test]
fn unsafe_html_false_escapes_raw_html_everywhere() {
    let site = hostile_site();
    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        config.replacen("[extra]", "[markdown]\nunsafe_html = false\n\n[extra]", 1),
    );
    site.write(
        "content/blog/headings.md",
        "+++\ntitle = \"Headings\"\ndate = 2026-03-02\n+++\n\
         ## Heading <script>inheading()</script> <img src=x onerror=alert(1)>\n\n\
         Text <b onclick=\"x()\">bold</b>.\n\n\
         - item <iframe src=\"https://evil.example\"></iframe>\n\n\
         > quote <script>quoted()</script>\n\n\
         | table <script>cell()</script> |\n|---|\n| x |\n",
    );
    site.build();
    for (path, html) in html_files(&site) {
        for tag in [
            "<script",
            "<img src=x",
            "<iframe",
            "<b onclick",
            "<div class=\"raw\"",
        ] {
            assert!(!html.contains(tag), "{path} contains {tag}:\n{html}");
        }
    }
    let page = site.output("blog/hostile/index.html");
    assert!(
        page.contains("&lt;script&gt;inline()&lt;/script&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;img src=\"ok.png\""), "{page}");
    let headings = site.output("blog/headings/index.html");
    assert!(
        headings.contains("&lt;script&gt;inheading()&lt;/script&gt;"),
        "{headings}"
    );
}

#[test]
fn content_cannot_write_outside_the_output_folder() {
    let cases = [
        ("slug", "slug = \"../../../escaped-slug\""),
        ("path", "path = \"../../../escaped-path/\""),
        ("alias", "aliases = [\"/../../../escaped-alias/\"]"),
    ];
    for (name, line) in cases {
        let site = Site::fixture("zola-style");
        // The site sits two levels down, so `../../..` from public/blog/ would leave it.
        site.write(
            &format!("content/blog/{name}.md"),
            format!("+++\ntitle = \"T\"\ndate = 2026-03-01\n{line}\n+++\nBody.\n"),
        );
        let run = site.galley(&["build"]);
        let parent = site.path().parent().unwrap();
        for escaped in ["escaped-slug", "escaped-path", "escaped-alias"] {
            assert!(
                !parent.join(escaped).exists() && !site.path().join(escaped).exists(),
                "{name}: galley wrote {escaped} outside the output folder"
            );
        }
        let run = run.exit(1).stderr_has(&format!("content/blog/{name}.md"));
        assert!(
            run.stderr.contains("not a path inside the output folder"),
            "{}",
            run.stderr
        );
        assert!(!site.has_output("index.html"), "nothing was written");
    }
}

#[test]
fn a_tag_with_an_empty_slug_does_not_overwrite_the_tag_list() {
    let site = Site::fixture("zola-style");
    site.write(
        "content/blog/punctuation.md",
        "+++\ntitle = \"P\"\ndate = 2026-03-01\n[taxonomies]\ntags = [\"&&&\"]\n+++\nBody.\n",
    );
    let run = site.galley(&["build"]);
    if run.code == Some(0) {
        let list = site.output("tags/index.html");
        assert!(
            list.contains("<h1>tags</h1>"),
            "the list page survives: {list}"
        );
    } else {
        run.exit(1)
            .stderr_has("the tags term \"&&&\"")
            .stderr_has("not a path inside the output folder");
    }
}

/// The URLs a feed or sitemap lists, as written (XML-escaped): the text of `<loc>`, `<link>`,
/// `<guid>` and `<id>`, and every `href="..."`.
fn listed_urls(xml: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for (open, close) in [
        ("<loc>", "</loc>"),
        ("<link>", "</link>"),
        ("<guid>", "</guid>"),
        ("<id>", "</id>"),
        ("href=\"", "\""),
    ] {
        for piece in xml.split(open).skip(1) {
            urls.push(piece.split(close).next().unwrap_or_default().to_owned());
        }
    }
    urls
}

fn unescape_xml(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[test]
fn page_paths_with_markup_characters_are_escaped_uris_in_sitemap_and_feeds() {
    let site = Site::fixture("zola-style");
    let post = |file: &str, date: &str, extra: &str| {
        site.write(
            file,
            format!("+++\ntitle = \"T\"\ndate = 2026-03-{date}\n{extra}+++\nBody.\n"),
        );
    };
    post("content/blog/a&b \"c\".md", "01", "");
    post(
        "content/blog/s.md",
        "02",
        "slug = \"x&y \\\"z\\\" <w> q\"\n",
    );
    post(
        "content/blog/p.md",
        "03",
        "path = \"odd/p&q \\\"r\\\" <s> t\"\n",
    );
    site.build();
    let public = site.path().join("public");
    assert!(public.join("blog/x&y \"z\" <w> q/index.html").is_file());
    for file in ["sitemap.xml", "rss.xml", "atom.xml"] {
        let xml = site.output(file);
        well_formed_xml(&xml);
        let urls = listed_urls(&xml);
        for page in ["x&y", "p&q", "a-b-c"] {
            assert!(
                urls.iter().any(|u| unescape_xml(u).contains(page)),
                "{file} lists {page}: {urls:?}"
            );
        }
        for written in &urls {
            let url = unescape_xml(written);
            // RFC 3986: unreserved, reserved and percent-escapes only (no space, quote or <).
            assert!(
                url.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b)),
                "{file}: {url} is not a valid URI"
            );
            // Decoded, it names a file of the build.
            let decoded = percent_encoding::percent_decode_str(&url)
                .decode_utf8()
                .expect("UTF-8 once decoded")
                .into_owned();
            let Some(path) = decoded.strip_prefix("https://example.org/") else {
                continue;
            };
            let path = path.split('#').next().unwrap_or_default();
            let target = if path.is_empty() || path.ends_with('/') {
                public.join(path).join("index.html")
            } else {
                public.join(path)
            };
            assert!(target.exists(), "{file}: {url} names nothing ({decoded})");
        }
    }
    let sitemap = site.output("sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/blog/x&amp;y%20%22z%22%20%3Cw%3E%20q/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn control_characters_never_reach_html_feeds_or_sitemap() {
    let site = Site::fixture("zola-style");
    site.write("templates/page.html", PAGE_TEMPLATE);
    // Every C0 control, spelt as TOML escapes, in the title, the description and a tag.
    let controls: String = (1..0x20).map(|c| format!("\\u{c:04X}")).collect();
    site.write(
        "content/blog/controls.md",
        format!(
            "+++\ntitle = \"ctl{controls}title\"\ndescription = \"ctl{controls}desc\"\n\
             date = 2026-03-01\n[taxonomies]\ntags = [\"ctl{controls}tag\"]\n+++\nBody.\n"
        ),
    );
    site.build();
    let forbidden = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}');
    let page = site.output("blog/controls/index.html");
    assert!(page.contains("<h1 title=\"ctl"), "{page}");
    for (path, html) in html_files(&site) {
        assert!(
            !html.contains(forbidden),
            "{path} holds a control character: {:?}",
            html.chars().filter(|&c| forbidden(c)).collect::<Vec<_>>()
        );
    }
    for file in ["sitemap.xml", "rss.xml", "atom.xml"] {
        let xml = site.output(file);
        well_formed_xml(&xml);
        assert!(
            !xml.contains(|c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r')),
            "{file}"
        );
    }
    assert!(site.output("rss.xml").contains("ctl"), "the title is kept");
}
