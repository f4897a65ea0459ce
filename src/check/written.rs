//! Where each URL of a Markdown document is written, so a problem found in the rendered page
//! is reported at the link in the source rather than at the first place its text appears
//! (which may be prose, a code span, another link, or a different occurrence of the same link).
//!
//! The document is parsed the way it was rendered; links and images give their destination,
//! raw HTML its `href`/`src`/`srcset` attributes. A reference of the rendered page is matched
//! to the source by URL and rank: the third `/x/` in the page's content is the third `/x/`
//! written in its Markdown.

use percent_encoding::percent_decode_str;
use pulldown_cmark::{Event, Options, Parser, Tag};

/// One URL as written in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The URL in a form shared with rendered HTML (entities and percent-escapes decoded).
    url: String,
    /// Byte offset in the document, and width in characters, of what to underline.
    pub offset: usize,
    pub width: usize,
}

/// Every URL written in one document, in document order.
#[derive(Debug, Default)]
pub struct WrittenUrls {
    urls: Vec<Written>,
}

impl WrittenUrls {
    pub fn of(body: &str, options: Options) -> WrittenUrls {
        let mut urls = Vec::new();
        for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
            match event {
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    let written = &body[range.clone()];
                    // `[text](url)` holds its URL; a reference link `[text][ref]` does not,
                    // and is underlined whole.
                    let (offset, width) = match written.rfind(dest_url.as_ref()) {
                        Some(at) if !dest_url.is_empty() => {
                            (range.start + at, dest_url.chars().count())
                        }
                        _ => (
                            range.start,
                            written.lines().next().unwrap_or("").chars().count(),
                        ),
                    };
                    urls.push(Written {
                        url: comparable(&dest_url),
                        offset,
                        width,
                    });
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    for reference in super::html::scan(&html).references {
                        let at = html[reference.offset..]
                            .find(&reference.url)
                            .map_or(reference.offset, |i| reference.offset + i);
                        urls.push(Written {
                            url: comparable(&reference.url),
                            offset: range.start + at,
                            width: reference.url.chars().count(),
                        });
                    }
                }
                _ => {}
            }
        }
        WrittenUrls { urls }
    }

    /// The `rank`-th (from 0) place where `url`, as found in rendered HTML, is written; the
    /// last one when the page holds more than the source (a template repeated it).
    pub fn find(&self, url: &str, rank: usize) -> Option<&Written> {
        let url = comparable(url);
        let mut matching = self.urls.iter().filter(|w| w.url == url);
        let mut last = None;
        for _ in 0..=rank {
            match matching.next() {
                Some(found) => last = Some(found),
                None => break,
            }
        }
        last
    }
}

/// Rendered HTML escapes `&` and percent-encodes what a URL may not hold; Markdown and raw
/// HTML may write either form. Both sides are compared decoded.
fn comparable(url: &str) -> String {
    let unescaped = url
        .trim()
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    percent_decode_str(&unescaped)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::WrittenUrls;
    use pulldown_cmark::Options;

    fn place(body: &str, url: &str, rank: usize) -> Option<(usize, usize)> {
        WrittenUrls::of(body, Options::ENABLE_TABLES)
            .find(url, rank)
            .map(|w| (w.offset, w.width))
    }

    #[test]
    fn the_nth_link_to_a_url_is_the_nth_written() {
        let body = "Text `/x/` and [a](/y/) [x](/x/).\n\n- [x](/x/)\n";
        let first = body.find("(/x/)").unwrap() + 1;
        let second = body.rfind("(/x/)").unwrap() + 1;
        assert_eq!(place(body, "/x/", 0), Some((first, 3)));
        assert_eq!(place(body, "/x/", 1), Some((second, 3)));
        assert_eq!(place(body, "/x/", 5), Some((second, 3)));
        assert_eq!(place(body, "/z/", 0), None);
    }

    #[test]
    fn links_in_tables_images_and_raw_html() {
        let body = "| a | b |\n|---|---|\n| [t](/t/) | ![i](i.png) |\n\n<a href=\"/h/?a=1&amp;b=2\">h</a>\n";
        assert_eq!(place(body, "/t/", 0), Some((body.find("/t/").unwrap(), 3)));
        assert_eq!(
            place(body, "i.png", 0),
            Some((body.find("i.png").unwrap(), 5))
        );
        assert_eq!(
            place(body, "/h/?a=1&amp;b=2", 0),
            Some((body.find("/h/").unwrap(), 15))
        );
    }

    #[test]
    fn a_reference_link_points_at_its_text() {
        let body = "See [the docs][d].\n\n[d]: /docs/\n";
        assert_eq!(
            place(body, "/docs/", 0),
            Some((body.find("[the docs]").unwrap(), "[the docs][d]".len()))
        );
    }
}
