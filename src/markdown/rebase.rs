//! Relative URLs of an HTML fragment made absolute against the page it was written for.
//!
//! A page's Markdown may say `![d](diagram.svg)`, `[next](../second/)` or `[x](#setup)`: right on
//! the page itself, wrong once its summary is shown on a section page, a taxonomy page or in a
//! feed, where a browser (or a feed reader) resolves them against another URL. Summaries are
//! therefore rebased onto the page's permalink when they leave the page.

use lol_html::{RewriteStrSettings, element, rewrite_str};

/// Attributes holding one URL (`srcset` holds several and is handled apart).
const URL_ATTRIBUTES: &[&str] = &["href", "src", "poster"];

/// `html` with every relative `href`, `src`, `srcset` and `poster` resolved against
/// `permalink` (an absolute URL ending with `/`, as page permalinks do). Absolute URLs,
/// root-relative ones (`/x/`, already carrying the base path) and `mailto:`-like ones are kept.
pub fn rebase(html: &str, permalink: &str) -> String {
    // Most summaries hold no attribute at all: skip the rewriter for them.
    if !(html.contains("href") || html.contains("src") || html.contains("poster")) {
        return html.to_owned();
    }
    let settings = RewriteStrSettings::new().append_element_content_handler(element!("*", |el| {
        for name in URL_ATTRIBUTES {
            if let Some(value) = el.get_attribute(name)
                && is_relative(value.trim())
            {
                el.set_attribute(name, &join(permalink, value.trim()))?;
            }
        }
        if let Some(value) = el.get_attribute("srcset") {
            el.set_attribute("srcset", &rebase_srcset(&value, permalink))?;
        }
        Ok(())
    }));
    // The rewriter fails only on memory limits we do not set or handler errors (an invalid
    // attribute name, impossible here); the fragment is then better shown as written.
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_owned())
}

/// `a.png 1x, b.png 2x`: each candidate's URL rebased, its descriptor kept.
fn rebase_srcset(srcset: &str, permalink: &str) -> String {
    srcset
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, descriptor) = candidate
                .split_once(char::is_whitespace)
                .unwrap_or((candidate, ""));
            let url = if is_relative(url) {
                join(permalink, url)
            } else {
                url.to_owned()
            };
            match descriptor.trim() {
                "" => url,
                descriptor => format!("{url} {descriptor}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A URL resolved against its document's address: not empty, not root-relative or
/// protocol-relative, and without a scheme (`https:`, `mailto:`...).
fn is_relative(url: &str) -> bool {
    if url.is_empty() || url.starts_with('/') {
        return false;
    }
    let scheme_end = url.find(':');
    let path_start = url.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (Some(colon), Some(path)) => colon > path,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// `https://e.org/blog/x/` + `../y/#a` -> `https://e.org/blog/y/#a`, as a browser resolves it.
fn join(permalink: &str, relative: &str) -> String {
    let (origin, path) = split_origin(permalink);
    let (relative_path, suffix) = relative
        .find(['?', '#'])
        .map_or((relative, ""), |i| relative.split_at(i));
    if relative_path.is_empty() {
        // `#x` or `?q`: the page itself.
        return format!("{permalink}{suffix}");
    }
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let joined = remove_dot_segments(&format!("{dir}{relative_path}"));
    format!("{origin}{joined}{suffix}")
}

/// Resolves `.` and `..` segments of a URL path the way browsers do (never above the root),
/// keeping a trailing slash: `/a/b/../c/` -> `/a/c/`.
pub fn remove_dot_segments(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut normal = format!("/{}", parts.join("/"));
    if trailing && normal != "/" {
        normal.push('/');
    }
    normal
}

/// `https://e.org/docs/x/` -> (`https://e.org`, `/docs/x/`).
fn split_origin(url: &str) -> (&str, &str) {
    let host_start = url.find("://").map_or(0, |i| i + 3);
    match url[host_start..].find('/') {
        Some(i) => url.split_at(host_start + i),
        None => (url, "/"),
    }
}

#[cfg(test)]
mod tests {
    use super::rebase;

    const PAGE: &str = "https://example.org/docs/blog/bundle/";

    #[test]
    fn relative_urls_resolve_against_the_page() {
        assert_eq!(
            rebase(
                r##"<p><img src="diagram.svg" alt="d"> <a href="./manifest.yaml">m</a> <a href="../second/#setup">s</a> <a href="#top">t</a></p>"##,
                PAGE
            ),
            concat!(
                r#"<p><img src="https://example.org/docs/blog/bundle/diagram.svg" alt="d"> "#,
                r#"<a href="https://example.org/docs/blog/bundle/manifest.yaml">m</a> "#,
                r##"<a href="https://example.org/docs/blog/second/#setup">s</a> "##,
                r##"<a href="https://example.org/docs/blog/bundle/#top">t</a></p>"##
            )
        );
    }

    #[test]
    fn absolute_and_special_urls_are_kept() {
        let html = r#"<a href="/docs/x/">a</a><a href="https://other.org/y">b</a><a href="mailto:a@b.c">c</a><a href="//cdn.example/z">d</a>"#;
        assert_eq!(rebase(html, PAGE), html);
        assert_eq!(rebase("<p>no links</p>", PAGE), "<p>no links</p>");
    }

    #[test]
    fn srcset_candidates_keep_their_descriptors() {
        assert_eq!(
            rebase(r#"<img srcset="a.png 1x, /b.png 2x">"#, PAGE),
            r#"<img srcset="https://example.org/docs/blog/bundle/a.png 1x, /b.png 2x">"#
        );
    }

    #[test]
    fn dot_segments_never_climb_above_the_root() {
        assert_eq!(
            rebase(r#"<a href="../../../../x">x</a>"#, PAGE),
            r#"<a href="https://example.org/x">x</a>"#
        );
    }
}
