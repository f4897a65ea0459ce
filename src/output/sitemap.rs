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
        xml.push_str(&escape_xml(&encode_url(&entry.permalink)));
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

/// A permalink as a URI (RFC 3986), as the sitemap protocol and feed readers require:
/// permalinks are built from slugs and `path`s that may hold spaces, quotes, `<`, `>` or any
/// Unicode, which are percent-encoded (as UTF-8). What a URI may hold stays as it is, `&`
/// included (XML escaping comes after), and so does a `%` that already starts an escape, so a
/// base URL written encoded is not encoded twice.
pub fn encode_url(permalink: &str) -> String {
    let bytes = permalink.as_bytes();
    let mut out = String::with_capacity(permalink.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let escape_start = byte == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if escape_start || byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&byte)
        {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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
    use super::{SitemapEntry, encode_url, sitemap};

    #[test]
    fn permalinks_become_uris() {
        assert_eq!(
            encode_url("https://e.org/a&b \"c\" <d>/café/"),
            "https://e.org/a&b%20%22c%22%20%3Cd%3E/caf%C3%A9/"
        );
        assert_eq!(
            encode_url("https://e.org/x%20y/100%/"),
            "https://e.org/x%20y/100%25/"
        );
        assert_eq!(
            encode_url("https://e.org/?q=1#top"),
            "https://e.org/?q=1#top"
        );
    }

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
