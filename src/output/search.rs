//! `search_index.json`: what the theme's client-side search looks through.
//!
//! One object per page: title, description, URL, tags, heading titles and the start of the body
//! text. The body is cut at `[search] max_body_chars` (on a character boundary), which bounds
//! the index on large sites; titles, headings and tags are always complete.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SearchDocument {
    pub title: String,
    pub description: String,
    pub url: String,
    pub date: Option<String>,
    pub tags: Vec<String>,
    pub headings: Vec<String>,
    pub body: String,
}

pub fn index(documents: &[SearchDocument], max_body_chars: usize) -> String {
    let fragments: Vec<String> = documents
        .iter()
        .map(|doc| fragment(doc, max_body_chars))
        .collect();
    join(fragments.iter().map(String::as_str))
}

/// One document as it appears in the index, so a rebuild can keep the fragments of the pages
/// it did not touch and [`join`] them again: the result is byte for byte what [`index`] gives.
pub fn fragment(document: &SearchDocument, max_body_chars: usize) -> String {
    let bounded = SearchDocument {
        body: truncate(&document.body, max_body_chars),
        ..document.clone()
    };
    // Serialising plain strings cannot fail; an empty object is the harmless fallback.
    let json = serde_json::to_string(&bounded).unwrap_or_else(|_| "{}".into());
    script_safe(&json)
}

/// The index made of [`fragment`]s, in order: a JSON array, as `serde_json` writes one.
pub fn join<'a>(fragments: impl Iterator<Item = &'a str>) -> String {
    let mut json = String::from("[");
    for (i, fragment) in fragments.enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(fragment);
    }
    json.push(']');
    json
}

/// JSON that can be inlined in a `<script>`: every `<` as `\u003c`, so neither `</script>` nor
/// `<!--` can end or confuse the element. Still the same JSON value.
pub fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{SearchDocument, fragment, index, join};

    #[test]
    fn body_is_bounded_and_script_safe() {
        let doc = SearchDocument {
            title: "</script><b>".into(),
            description: String::new(),
            url: "/a/".into(),
            date: None,
            tags: vec!["k8s".into()],
            headings: vec!["Intro".into()],
            body: "é".repeat(100),
        };
        let json = index(&[doc], 10);
        assert!(
            json.contains(&format!("\"body\":\"{}\"", "é".repeat(10))),
            "{json}"
        );
        assert!(!json.contains("</script>"), "{json}");
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed[0]["title"], "</script><b>");
    }

    #[test]
    fn joined_fragments_are_the_index_serde_writes() {
        let doc = |title: &str| SearchDocument {
            title: title.into(),
            description: "d <i>".into(),
            url: "/a/".into(),
            date: Some("2026-01-01T00:00:00Z".into()),
            tags: vec![],
            headings: vec![],
            body: "body".into(),
        };
        let docs = [doc("one"), doc("two </script>")];
        let whole = super::script_safe(&serde_json::to_string(&docs).unwrap());
        assert_eq!(index(&docs, 100), whole);
        let parts: Vec<String> = docs.iter().map(|d| fragment(d, 100)).collect();
        assert_eq!(join(parts.iter().map(String::as_str)), whole);
        assert_eq!(index(&[], 100), "[]");
    }
}
