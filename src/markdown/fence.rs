//! Fence info strings: ```` ```yaml,name=deploy.yaml,hl_lines=3-5,test=fragment ````.
//!
//! The first word is the language; then comma-separated attributes, Zola compatible
//! (`linenos`, `linenostart=N`, `hl_lines=1 3-5`, `hide_lines=...`, `name=...`), plus `title=`
//! and the snippet annotations of `galley test`. Values may be quoted to hold commas:
//! `reason="needs a cluster, not a laptop"`. Hugo's `{linenos=table}` braces are accepted.

use std::ops::RangeInclusive;

/// One `key` or `key=value` attribute, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub key: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FenceInfo {
    /// Lower-cased language, as written (aliases are resolved by the highlighter).
    pub lang: Option<String>,
    pub attrs: Vec<Attr>,
}

/// Attributes the renderer consumes; anything else is passed to the HTML as `data-*`.
pub const RENDER_ATTRS: &[&str] = &[
    "linenos",
    "linenostart",
    "hl_lines",
    "hide_lines",
    "name",
    "title",
];

/// Attributes that belong to `galley test` (never shown as `data-*`).
pub const SNIPPET_ATTRS: &[&str] = &["test", "reason", "k8s", "schema", "run", "timeout"];

impl FenceInfo {
    pub fn parse(info: &str) -> Result<FenceInfo, String> {
        let info = info.trim();
        let lang_end = info.find([',', ' ', '\t', '{']).unwrap_or(info.len());
        let lang = info[..lang_end].trim().to_lowercase();
        let rest = info[lang_end..].trim().trim_start_matches(',').trim();
        let rest = match rest.strip_prefix('{') {
            Some(inner) => inner.strip_suffix('}').ok_or("`{` without a closing `}`")?,
            None => rest,
        };
        let mut attrs = Vec::new();
        for piece in split_outside_quotes(rest)? {
            let piece = piece.trim();
            if piece.is_empty() {
                continue;
            }
            let (key, value) = match piece.split_once('=') {
                Some((key, value)) => (key.trim(), Some(unquote(value.trim()).to_owned())),
                None => (piece, None),
            };
            if key.is_empty() {
                return Err(format!("attribute {piece:?} has no name"));
            }
            attrs.push(Attr {
                key: key.to_owned(),
                value,
            });
        }
        Ok(FenceInfo {
            lang: (!lang.is_empty()).then_some(lang),
            attrs,
        })
    }

    /// `Some(value)` for `key=value`, `Some("")` for a bare `key`, `None` when absent.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .rev()
            .find(|a| a.key == key)
            .map(|a| a.value.as_deref().unwrap_or(""))
    }

    pub fn has(&self, key: &str) -> bool {
        self.attrs.iter().any(|a| a.key == key)
    }

    /// The file name or title shown in the code block's title bar.
    pub fn name(&self) -> Option<&str> {
        self.get("name")
            .or_else(|| self.get("title"))
            .filter(|n| !n.is_empty())
    }

    pub fn linenos(&self, default: bool) -> bool {
        match self.get("linenos") {
            Some("false" | "no" | "off") => false,
            Some(_) => true,
            None => default,
        }
    }

    pub fn linenostart(&self) -> usize {
        self.get("linenostart")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
    }

    /// Highlighted lines, 1-based and relative to `linenostart` like Zola's.
    pub fn hl_lines(&self) -> Vec<RangeInclusive<usize>> {
        self.get("hl_lines").map(parse_ranges).unwrap_or_default()
    }

    pub fn hide_lines(&self) -> Vec<RangeInclusive<usize>> {
        self.get("hide_lines").map(parse_ranges).unwrap_or_default()
    }

    /// Attributes neither the renderer nor `galley test` uses, for `data-*` pass-through.
    pub fn passthrough(&self) -> impl Iterator<Item = &Attr> {
        self.attrs.iter().filter(|a| {
            !RENDER_ATTRS.contains(&a.key.as_str()) && !SNIPPET_ATTRS.contains(&a.key.as_str())
        })
    }
}

/// `1 3-5`, `1,3-5` (Hugo), `[8,"15-17"]` -> ranges; malformed parts are skipped.
fn parse_ranges(text: &str) -> Vec<RangeInclusive<usize>> {
    text.split([' ', ',', '[', ']', '"'])
        .filter(|part| !part.is_empty())
        .filter_map(|part| match part.split_once('-') {
            Some((a, b)) => Some(a.trim().parse().ok()?..=b.trim().parse().ok()?),
            None => part.trim().parse().ok().map(|n| n..=n),
        })
        .collect()
}

fn split_outside_quotes(text: &str) -> Result<Vec<&str>, String> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(q) = quote {
        return Err(format!(
            "unterminated {q} quote in the code block's info string"
        ));
    }
    pieces.push(&text[start..]);
    Ok(pieces)
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::FenceInfo;

    #[test]
    fn language_and_zola_attributes() {
        let info = FenceInfo::parse("yaml,linenos,hl_lines=1 3-5,name=deploy.yaml").unwrap();
        assert_eq!(info.lang.as_deref(), Some("yaml"));
        assert!(info.linenos(false));
        assert_eq!(info.hl_lines(), vec![1..=1, 3..=5]);
        assert_eq!(info.name(), Some("deploy.yaml"));
    }

    #[test]
    fn quoted_values_keep_their_commas() {
        let info =
            FenceInfo::parse(r#"yaml,test=skip,reason="needs a cluster, not a laptop""#).unwrap();
        assert_eq!(info.get("test"), Some("skip"));
        assert_eq!(info.get("reason"), Some("needs a cluster, not a laptop"));
    }

    #[test]
    fn hugo_braces_are_accepted() {
        let info = FenceInfo::parse(r#"go {linenos=table,hl_lines=[8,"15-17"]}"#).unwrap();
        assert_eq!(info.lang.as_deref(), Some("go"));
        assert_eq!(info.hl_lines(), vec![8..=8, 15..=17]);
    }

    #[test]
    fn empty_and_language_only() {
        assert_eq!(FenceInfo::parse("").unwrap(), FenceInfo::default());
        assert_eq!(
            FenceInfo::parse("Rust").unwrap().lang.as_deref(),
            Some("rust")
        );
    }

    #[test]
    fn unknown_attributes_pass_through() {
        let info = FenceInfo::parse("sh,copy=false,test=skip,linenos").unwrap();
        let keys: Vec<_> = info.passthrough().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["copy"]);
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        assert!(FenceInfo::parse("yaml,reason=\"oops").is_err());
    }
}
