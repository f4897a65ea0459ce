//! Reading rendered HTML for `galley check`: every reference a page makes (`href`, `src`,
//! `srcset`) and every id it defines, with byte offsets for locations.

use std::cell::RefCell;

use lol_html::{HtmlRewriter, Settings, element};

/// One reference from a page to a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub url: String,
    /// The attribute it came from (`href`, `src`, `srcset`).
    pub attribute: &'static str,
    /// Byte offset of the element in the page.
    pub offset: usize,
}

/// What one page references and defines.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    pub references: Vec<Reference>,
    /// Every `id` (and `<a name>`), with its offset, in document order.
    pub ids: Vec<(String, usize)>,
}

/// Scans a page; malformed HTML is scanned as far as browsers would read it.
pub fn scan(html: &str) -> Scan {
    let references = RefCell::new(Vec::new());
    let ids = RefCell::new(Vec::new());
    let reference = |element: &lol_html::html_content::Element, attribute: &'static str| {
        if let Some(value) = element.get_attribute(attribute) {
            let offset = element.source_location().bytes().start;
            if attribute == "srcset" {
                for candidate in value.split(',') {
                    if let Some(url) = candidate.split_whitespace().next() {
                        references.borrow_mut().push(Reference {
                            url: url.to_owned(),
                            attribute,
                            offset,
                        });
                    }
                }
            } else {
                references.borrow_mut().push(Reference {
                    url: value.trim().to_owned(),
                    attribute,
                    offset,
                });
            }
        }
    };
    let settings = Settings::new()
        .append_element_content_handler(element!("[id]", |el| {
            if let Some(id) = el.get_attribute("id") {
                ids.borrow_mut().push((id, el.source_location().bytes().start));
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a[name]", |el| {
            // `<a id="x" name="x">` (the old spelling kept for old browsers) is one anchor.
            if let Some(name) = el.get_attribute("name")
                && el.get_attribute("id").as_deref() != Some(name.as_str())
            {
                ids.borrow_mut().push((name, el.source_location().bytes().start));
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a[href], area[href], link[href]", |el| {
            // Hints to the browser are not links a reader follows.
            let rel = el.get_attribute("rel").unwrap_or_default();
            if !rel.split_whitespace().any(|r| matches!(r, "preconnect" | "dns-prefetch")) {
                reference(el, "href");
            }
            Ok(())
        }))
        .append_element_content_handler(element!(
            "img[src], script[src], source[src], iframe[src], video[src], audio[src], track[src], embed[src]",
            |el| {
                reference(el, "src");
                Ok(())
            }
        ))
        .append_element_content_handler(element!("img[srcset], source[srcset]", |el| {
            reference(el, "srcset");
            Ok(())
        }))
        .append_element_content_handler(element!("video[poster]", |el| {
            reference(el, "poster");
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    // The rewriter only fails on memory limits we do not set, or handler errors we never return.
    let _ = rewriter.write(html.as_bytes());
    let _ = rewriter.end();
    Scan {
        references: references.into_inner(),
        ids: ids.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn finds_references_of_every_kind_and_ids() {
        let html = r##"<h2 id="a">A</h2><a href="/x/#a">x</a><img src="/i.png" srcset="/i-2x.png 2x, /i-3x.png 3x">
            <link rel="preconnect" href="https://cdn.example"><link rel="stylesheet" href="/s.css"><a name="old"></a>
            <script src="/app.js"></script>"##;
        let found = scan(html);
        let urls: Vec<&str> = found.references.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "/x/#a",
                "/i.png",
                "/i-2x.png",
                "/i-3x.png",
                "/s.css",
                "/app.js"
            ]
        );
        let ids: Vec<&str> = found.ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["a", "old"]);
        assert_eq!(found.references[0].offset, html.find("<a href").unwrap());
    }

    #[test]
    fn id_and_name_on_one_element_are_one_anchor() {
        let found = scan(r#"<a id="x" name="x"></a><a id="y" name="z"></a>"#);
        let ids: Vec<&str> = found.ids.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["x", "y", "z"]);
    }
}
