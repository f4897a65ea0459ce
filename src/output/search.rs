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
    let bounded: Vec<SearchDocument> = documents
        .iter()
        .map(|doc| SearchDocument {
            body: truncate(&doc.body, max_body_chars),
            ..doc.clone()
        })
        .collect();
    // Serialising plain strings cannot fail; an empty index is the harmless fallback.
    let json = serde_json::to_string(&bounded).unwrap_or_else(|_| "[]".into());
    script_safe(&json)
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
    use super::{SearchDocument, index};

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
}
