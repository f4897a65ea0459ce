//! `sitemap.xml` (sitemaps.org protocol) and `robots.txt`.

/// One URL of the sitemap.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SitemapEntry {
    pub permalink: String,
    /// RFC 3339 date of the last change, when known.
    pub lastmod: Option<String>,
}

/// The sitemap, entries sorted and deduplicated by URL.
pub fn sitemap(entries: &[SitemapEntry]) -> String {
    let mut entries = entries.to_vec();
    entries.sort();
    entries.dedup_by(|a, b| a.permalink == b.permalink);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for entry in &entries {
        xml.push_str("  <url>\n    <loc>");
        xml.push_str(&escape_xml(&entry.permalink));
        xml.push_str("</loc>\n");
        if let Some(lastmod) = &entry.lastmod {
            xml.push_str("    <lastmod>");
            xml.push_str(&escape_xml(lastmod));
            xml.push_str("</lastmod>\n");
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

pub fn robots(base_url: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n")
}

pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in super::feeds::clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{SitemapEntry, sitemap};

    #[test]
    fn sorted_deduplicated_and_escaped() {
        let entry = |url: &str| SitemapEntry {
            permalink: url.into(),
            lastmod: None,
        };
        let xml = sitemap(&[
            entry("https://e.org/b/?x=1&y=2"),
            entry("https://e.org/a/"),
            entry("https://e.org/a/"),
        ]);
        assert_eq!(xml.matches("<url>").count(), 2);
        assert!(xml.find("/a/").unwrap() < xml.find("/b/").unwrap());
        assert!(xml.contains("x=1&amp;y=2"));
    }
}
