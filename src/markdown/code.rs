//! Code blocks: a fenced block's text and info string -> the HTML figure themes style.
//!
//! ```html
//! <figure class="code-block" data-lang="yaml">
//!   <figcaption class="code-header"><span class="code-name">deploy.yaml</span><span class="code-lang">yaml</span></figcaption>
//!   <pre class="hl-code" data-lang="yaml"><code class="language-yaml" data-lang="yaml">…</code></pre>
//! </figure>
//! ```
//! The text inside `<code>` is the fence's content, escaped and nothing else: no expansion,
//! no rewriting. Lines are wrapped in `<span class="line">` only when line numbers or
//! highlighted lines ask for it.

use std::fmt::Write;

use super::fence::FenceInfo;
use super::highlight::{Highlighter, escape};

/// What the renderer needs to know about one block.
pub struct Block<'a> {
    pub info: &'a FenceInfo,
    pub code: &'a str,
    pub line_numbers_default: bool,
    /// Extra HTML for the title bar (the `galley test` badge), already escaped.
    pub badge: Option<&'a str>,
}

/// Renders a block; the flag says whether its language was unknown (shown as plain text).
pub fn render(highlighter: &Highlighter, block: &Block) -> (String, bool) {
    let lang = block.info.lang.as_deref();
    let syntax = lang.and_then(|l| highlighter.syntax(l));
    let unknown = lang.is_some() && syntax.is_none();
    let lines = highlighter.highlight_lines(block.code, lang, syntax);

    let linenos = block.info.linenos(block.line_numbers_default);
    let start = block.info.linenostart();
    let marked = block.info.hl_lines();
    let hidden = block.info.hide_lines();
    let per_line = linenos || !marked.is_empty() || !hidden.is_empty();

    let lang_attr = lang.map(escape).unwrap_or_default();
    let mut html = String::with_capacity(block.code.len() * 2 + 200);
    html.push_str("<figure class=\"code-block\"");
    if lang.is_some() {
        let _ = write!(html, " data-lang=\"{lang_attr}\"");
    }
    html.push('>');
    if lang.is_some() || block.info.name().is_some() || block.badge.is_some() {
        html.push_str("<figcaption class=\"code-header\">");
        if let Some(name) = block.info.name() {
            let _ = write!(html, "<span class=\"code-name\">{}</span>", escape(name));
        }
        if lang.is_some() {
            let _ = write!(html, "<span class=\"code-lang\">{lang_attr}</span>");
        }
        if let Some(badge) = block.badge {
            html.push_str(badge);
        }
        html.push_str("</figcaption>");
    }
    html.push_str("<pre class=\"hl-code\"");
    if lang.is_some() {
        let _ = write!(html, " data-lang=\"{lang_attr}\"");
    }
    if linenos {
        html.push_str(" data-linenos");
    }
    html.push_str("><code");
    if lang.is_some() {
        let _ = write!(
            html,
            " class=\"language-{lang_attr}\" data-lang=\"{lang_attr}\""
        );
    }
    for attr in block.info.passthrough() {
        let key: String = attr
            .key
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if key.is_empty() {
            continue;
        }
        let _ = write!(
            html,
            " data-{}=\"{}\"",
            key.to_ascii_lowercase(),
            escape(attr.value.as_deref().unwrap_or(""))
        );
    }
    html.push('>');
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        if !per_line {
            html.push_str(line);
            html.push('\n');
            continue;
        }
        if hidden.iter().any(|r| r.contains(&number)) {
            continue;
        }
        let mark = marked.iter().any(|r| r.contains(&number));
        html.push_str(if mark {
            "<span class=\"line hl\">"
        } else {
            "<span class=\"line\">"
        });
        if linenos {
            let _ = write!(
                html,
                "<span class=\"ln\" aria-hidden=\"true\">{}</span>",
                // `linenostart` is the author's number: a huge one must not overflow.
                start.saturating_add(i)
            );
        }
        html.push_str(line);
        html.push_str("</span>\n");
    }
    html.push_str("</code></pre></figure>\n");
    (html, unknown)
}

#[cfg(test)]
mod tests {
    use super::{Block, render};
    use crate::config::HighlightConfig;
    use crate::markdown::fence::FenceInfo;
    use crate::markdown::highlight::Highlighter;

    fn html(info: &str, code: &str) -> (String, bool) {
        let highlighter = Highlighter::new(&HighlightConfig::default()).unwrap();
        let info = FenceInfo::parse(info).unwrap();
        render(
            &highlighter,
            &Block {
                info: &info,
                code,
                line_numbers_default: false,
                badge: None,
            },
        )
    }

    #[test]
    fn title_bar_has_name_and_language() {
        let (html, unknown) = html("yaml,name=deploy.yaml", "a: 1\n");
        assert!(!unknown);
        assert!(
            html.contains("<span class=\"code-name\">deploy.yaml</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"code-lang\">yaml</span>"),
            "{html}"
        );
    }

    #[test]
    fn line_numbers_and_marked_lines() {
        let (html, _) = html("bash,linenos,linenostart=10,hl_lines=2", "a\nb\n");
        assert!(
            html.contains("<span class=\"ln\" aria-hidden=\"true\">10</span>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<span class=\"line hl\"><span class=\"ln\" aria-hidden=\"true\">11</span>"
            ),
            "{html}"
        );
    }

    #[test]
    fn the_largest_linenostart_does_not_overflow() {
        let (html, _) = html(
            &format!("bash,linenos,linenostart={}", usize::MAX),
            "a\nb\n",
        );
        let number = format!(
            "<span class=\"ln\" aria-hidden=\"true\">{}</span>",
            usize::MAX
        );
        assert_eq!(html.matches(&number).count(), 2, "{html}");
    }

    #[test]
    fn hidden_lines_are_not_rendered() {
        let (html, _) = html("text,hide_lines=1", "secret\nshown\n");
        assert!(!html.contains("secret"));
        assert!(html.contains("shown"));
    }

    #[test]
    fn unknown_language_is_plain_escaped_text() {
        let (html, unknown) = html("nosuchlang", "<x>\n");
        assert!(unknown);
        assert!(html.contains("&lt;x&gt;"));
    }

    #[test]
    fn unused_attributes_become_data_attributes() {
        let (html, _) = html("sh,copy=false,test=skip", "ls\n");
        assert!(html.contains("data-copy=\"false\""), "{html}");
        assert!(!html.contains("data-test"), "{html}");
    }
}
