//! The escaping of every autoescaped `{{ value }}`: Tera's HTML escaping, after dropping the
//! control characters HTML cannot carry. A title or description may hold U+0001..U+001F (TOML
//! and YAML can spell them); in HTML they are parse errors even as `&#1;`, so, as in the feeds
//! (`output::feeds::clean`), they are dropped. Tab, newline, carriage return and form feed are
//! HTML whitespace and stay.

use std::io::Write;

/// Tera's `EscapeFn`.
pub fn html(input: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rest = input;
    while let Some(at) = rest.find(forbidden) {
        tera::escape_html(&rest[..at], out)?;
        let width = rest[at..].chars().next().map_or(1, char::len_utf8);
        rest = &rest[at + width..];
    }
    tera::escape_html(rest, out)
}

/// [`html`] into a string: for the HTML galley writes around front-matter text itself (a
/// description becomes a listing's `<p>` summary, which templates print with `| safe`).
pub fn html_string(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    html(input, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

/// C0 controls other than HTML whitespace, DEL and the C1 controls.
fn forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')
}

#[cfg(test)]
mod tests {
    use super::html;

    #[test]
    fn control_characters_are_dropped_and_the_rest_escaped() {
        let mut out = Vec::new();
        html("a\u{1}<b>\u{1f}&\t\"c\"\u{7f}\u{85}é\n", &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a&lt;b&gt;&amp;\t&quot;c&quot;é\n"
        );
    }
}
