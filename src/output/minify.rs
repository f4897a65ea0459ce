//! `--minify`: smaller HTML without changing what a reader sees or copies.
//!
//! Conservative on purpose: comments go (conditional comments stay), runs of whitespace in text
//! become one space, and `<style>` blocks lose comments and spaces around punctuation. The text
//! of `<pre>`, `<textarea>`, `<script>` and `<style>`-like raw elements is never collapsed, and
//! JavaScript is never touched: minifiers that rewrite scripts have broken other generators'
//! output. (A full minifier crate was considered; it brings a CSS engine and a JavaScript
//! toolchain, some 400 crates, for this one flag.)

use std::cell::Cell;
use std::rc::Rc;

use lol_html::html_content::ContentType;
use lol_html::{HtmlRewriter, Settings, doc_comments, doc_text, element, text};

/// Minifies one HTML document; returns it unchanged if it cannot be parsed.
pub fn minify_html(html: &str) -> String {
    // Shared with end-tag handlers, which must own what they use.
    let raw_depth = Rc::new(Cell::new(0usize));
    let mut output = Vec::with_capacity(html.len());
    let settings = Settings::new()
        .append_element_content_handler(element!("pre, textarea, script, style", |el| {
            raw_depth.set(raw_depth.get() + 1);
            if let Some(handlers) = el.end_tag_handlers() {
                let depth = Rc::clone(&raw_depth);
                let on_end: lol_html::EndTagHandler<'static> = Box::new(move |_end| {
                    depth.set(depth.get().saturating_sub(1));
                    Ok(())
                });
                handlers.push(on_end);
            }
            Ok(())
        }))
        .append_element_content_handler(text!("style", |chunk| {
            let css = minify_css(chunk.as_str());
            chunk.replace(&css, ContentType::Html);
            Ok(())
        }))
        .append_document_content_handler(doc_comments!(|comment| {
            if !comment.text().trim_start().starts_with("[if") {
                comment.remove();
            }
            Ok(())
        }))
        .append_document_content_handler(doc_text!(|chunk| {
            if raw_depth.get() == 0 {
                let collapsed = collapse_whitespace(chunk.as_str());
                if collapsed != chunk.as_str() {
                    chunk.replace(&collapsed, ContentType::Html);
                }
            }
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |bytes: &[u8]| output.extend_from_slice(bytes));
    if rewriter.write(html.as_bytes()).is_err() || rewriter.end().is_err() {
        return html.to_owned();
    }
    String::from_utf8(output).unwrap_or_else(|_| html.to_owned())
}

/// Runs of ASCII whitespace become one space (a newline when the run had one, so lines of
/// the output stay readable in error messages).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run: Option<bool> = None;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            let newline = run.unwrap_or(false) || c == '\n';
            run = Some(newline);
        } else {
            if let Some(newline) = run.take() {
                out.push(if newline { '\n' } else { ' ' });
            }
            out.push(c);
        }
    }
    if let Some(newline) = run {
        out.push(if newline { '\n' } else { ' ' });
    }
    out
}

/// Drops CSS comments and the spaces around `{ } ; , :` (outside strings).
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                for inner in chars.by_ref() {
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
                pending_space = true;
            }
            c if c.is_whitespace() => pending_space = true,
            '{' | '}' | ';' | ',' | ':' => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                // A space before `:` can matter (`a :hover`); keep it there.
                if c == ':' && pending_space && !out.is_empty() && !out.ends_with(['{', ';', ',']) {
                    out.push(' ');
                }
                out.push(c);
                pending_space = false;
            }
            _ => {
                if pending_space && !out.is_empty() && !out.ends_with(['{', '}', ';', ',', ':']) {
                    out.push(' ');
                }
                pending_space = false;
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// Minifies every HTML file of `output`, in parallel.
pub fn minify_output(output: &mut super::Output) {
    use rayon::prelude::*;
    let html: Vec<super::OutputFile> = output
        .files()
        .filter(|f| f.path.ends_with(".html"))
        .cloned()
        .collect::<Vec<_>>()
        .into_par_iter()
        .filter_map(|file| {
            let super::Contents::Bytes(bytes) = &file.contents else {
                return None;
            };
            let text = std::str::from_utf8(bytes).ok()?;
            Some(super::OutputFile::bytes(
                file.path.clone(),
                minify_html(text),
                file.origin.clone(),
            ))
        })
        .collect();
    for file in html {
        output.replace(file);
    }
}

#[cfg(test)]
mod tests {
    use super::{minify_css, minify_html};

    #[test]
    fn pre_and_scripts_are_left_exactly_as_they_are() {
        let html = "<html><body>\n\n   <p>Some    text</p>\n<pre>  keep\n    this   </pre>\n<script>if (a  <  b) {  x = '  y ' }</script><!-- drop me --></body></html>";
        let out = minify_html(html);
        assert!(out.contains("<pre>  keep\n    this   </pre>"), "{out}");
        assert!(
            out.contains("<script>if (a  <  b) {  x = '  y ' }</script>"),
            "{out}"
        );
        assert!(out.contains("<p>Some text</p>"), "{out}");
        assert!(!out.contains("drop me"), "{out}");
        assert!(out.len() < html.len());
    }

    #[test]
    fn inline_css_is_compacted_outside_strings() {
        // The space before a colon stays: in a selector (`a :hover`) it changes the meaning.
        assert_eq!(
            minify_css("a :hover , b > c {\n  color : red ;\n  content: \"a  ;  b\";\n}\n/* c */"),
            "a :hover,b > c{color :red;content:\"a  ;  b\"}"
        );
        let out = minify_html("<style>\n  body {  margin: 0 ;  }\n</style><pre> x </pre>");
        assert!(out.contains("<style>body{margin:0}</style>"), "{out}");
    }

    #[test]
    fn conditional_comments_stay() {
        assert!(minify_html("<!--[if IE]><p>old</p><![endif]-->").contains("[if IE]"));
    }
}
