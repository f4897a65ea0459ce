//! Feeds and the sitemap: well-formed XML, and every URL of the site they list is produced.

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::Findings;
use super::resolve::{Target, resolve};
use crate::diagnostics::{Diagnostic, Location, line_col, nth_line};
use crate::output::Output;

/// Elements whose text is a URL (`<loc>` of sitemaps, `<link>`/`<guid>` of RSS).
const URL_ELEMENTS: &[&str] = &["loc", "link", "guid"];

pub fn check(output: &Output, base_url: &str) -> Findings {
    let mut findings = Findings::default();
    for file in output.files().filter(|f| f.path.ends_with(".xml")) {
        let Ok(bytes) = file.read() else { continue };
        let text = String::from_utf8_lossy(&bytes);
        match urls_in(&text) {
            Err((offset, message)) => {
                let (line, column) = line_col(&text, offset);
                let mut diagnostic = Diagnostic::error(
                    "check/xml",
                    format!("/{} is not well-formed XML: {message}", file.path),
                )
                .at(Location::new(format!("public/{}", file.path), line, column))
                .hint("feeds and sitemaps made by templates must escape &, < and >");
                diagnostic.source_line = nth_line(&text, line).map(str::to_owned);
                findings.fail(diagnostic);
            }
            Ok(urls) => {
                findings.pass();
                for (url, offset) in urls {
                    match resolve(&url, "/", base_url, |k| output.get(k).is_some()) {
                        Target::Internal {
                            key: None, path, ..
                        }
                        | Target::MissingPrefix { path } => {
                            let (line, column) = line_col(&text, offset);
                            findings.fail(
                                Diagnostic::error(
                                    "check/feed-url",
                                    format!(
                                        "/{} lists {url}, which is not published ({path})",
                                        file.path
                                    ),
                                )
                                .at(Location::new(format!("public/{}", file.path), line, column))
                                .hint("feeds and sitemaps may only list pages of this build"),
                            );
                        }
                        Target::Internal { .. } => findings.pass(),
                        Target::External(_) | Target::Other => {}
                    }
                }
            }
        }
    }
    findings
}

/// Parses `text`, returning the URLs it lists (with offsets) or the first syntax error.
fn urls_in(text: &str) -> Result<Vec<(String, usize)>, (usize, String)> {
    let mut reader = Reader::from_str(text);
    let mut urls = Vec::new();
    // The text of the URL element being read, and where it starts. Entity references (`&amp;`)
    // arrive as separate events between pieces of text.
    let mut current: Option<(String, usize)> = None;
    loop {
        let position = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(urls),
            Ok(Event::Start(tag)) => {
                let name = tag.local_name();
                current = URL_ELEMENTS
                    .contains(&name.as_ref())
                    .then(|| (String::new(), position));
            }
            Ok(Event::Empty(tag)) if tag.local_name().as_ref() == "link" => {
                for attribute in tag.attributes().flatten() {
                    if attribute.key.as_ref() == "href" {
                        let value = attribute
                            .normalized_value(XmlVersion::Implicit1_0)
                            .map_err(|e| (position, e.to_string()))?;
                        urls.push((value.into_owned(), position));
                    }
                }
            }
            Ok(Event::Text(content)) => {
                if let Some((url, _)) = current.as_mut() {
                    url.push_str(&content.xml10_content());
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                if let Some((url, _)) = current.as_mut() {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => match reference.as_ref() {
                            "amp" => '&',
                            "lt" => '<',
                            "gt" => '>',
                            "quot" => '"',
                            "apos" => '\'',
                            other => return Err((position, format!("unknown entity &{other};"))),
                        },
                    };
                    url.push(resolved);
                }
            }
            Ok(Event::End(_)) => {
                if let Some((url, start)) = current.take()
                    && !url.trim().is_empty()
                {
                    urls.push((url.trim().to_owned(), start));
                }
            }
            Ok(_) => {}
            Err(error) => return Err((reader.error_position() as usize, error.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::urls_in;

    #[test]
    fn finds_urls_of_sitemaps_rss_and_atom() {
        let sitemap = "<urlset><url><loc>https://e.org/a/</loc></url></urlset>";
        assert_eq!(urls_in(sitemap).unwrap()[0].0, "https://e.org/a/");
        let rss =
            "<rss><channel><item><link>https://e.org/b/?x=1&amp;y=2</link></item></channel></rss>";
        assert_eq!(urls_in(rss).unwrap()[0].0, "https://e.org/b/?x=1&y=2");
        let atom =
            "<feed><entry><link href=\"https://e.org/c/\" rel=\"alternate\"/></entry></feed>";
        assert_eq!(urls_in(atom).unwrap()[0].0, "https://e.org/c/");
    }

    #[test]
    fn reports_malformed_xml() {
        assert!(urls_in("<rss><title>Tom & Jerry</title></rss>").is_err());
        assert!(urls_in("<a><b></a>").is_err());
    }
}
