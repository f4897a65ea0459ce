//! Fast highlighting for the languages a platform-engineering blog is made of.
//!
//! syntect runs a TextMate grammar (dozens of regular expressions per line) and highlights about
//! 10,000 lines per second per core, the dominant cost of a cold build (issue 7); these
//! hand-written lexers make one pass over each line's bytes (`cargo run --release --example
//! floor -- CONTENT_DIR --fast` compares the two per language). They emit the class names
//! syntect emits for the same tokens (`ClassStyle::SpacedPrefixed { prefix: "hl-" }`), nested the
//! same way where themes care, so the stylesheet generated from any syntect theme colours them.
//! Every other language still goes through syntect.
//!
//! 1. [`highlight`] picks a lexer by the fence's language (aliases included);
//! 2. the lexer walks the block line by line, carrying what spans lines (a block scalar, a
//!    heredoc, a block comment, open quotes and brackets) in an explicit state, never recursion;
//! 3. [`html::Html`] turns its token positions into escaped, self-contained HTML lines.
//!
//! Whatever the input, the text of the output is the input: lexers only choose where spans go.

mod dockerfile;
mod go;
mod html;
mod json;
mod python;
mod shell;
mod toml;
mod yaml;

#[cfg(test)]
mod tests;

use html::Html;

/// Highlighted HTML of each line of `code` (split like `Highlighter::highlight_lines`), or
/// `None` when no fast lexer handles `lang`.
pub fn highlight(lang: &str, code: &str) -> Option<Vec<String>> {
    let lang = lang.to_ascii_lowercase();
    let lines = match lang.as_str() {
        "yaml" | "yml" => yaml::highlight(code),
        "bash" | "sh" | "shell" | "zsh" => shell::highlight(code),
        "console" | "shell-session" | "terminal" => shell::highlight_session(code),
        "go" | "golang" => go::highlight(code),
        "python" | "py" => python::highlight(code),
        "json" | "jsonc" => json::highlight(code),
        "toml" => toml::highlight(code),
        "dockerfile" | "docker" | "containerfile" => dockerfile::highlight(code),
        _ => return None,
    };
    Some(lines)
}

/// The lines of a block as `highlight_lines` splits them: after each `\n`, which is dropped.
fn lines(code: &str) -> impl Iterator<Item = &str> {
    code.split_inclusive('\n')
        .map(|line| line.strip_suffix('\n').unwrap_or(line))
}

/// Bytes that may continue an identifier in most of these languages.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of the run of bytes from `i` for which `f` holds.
fn span_while(line: &[u8], mut i: usize, f: impl Fn(u8) -> bool) -> usize {
    while i < line.len() && f(line[i]) {
        i += 1;
    }
    i
}

/// The first occurrence of `needle` in `line` at or after `from`.
fn find(line: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    line.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The classes a language gives the parts of a number literal.
struct Numbers {
    integer: &'static str,
    hex: &'static str,
    /// The `0x` of a hexadecimal (or octal, binary) literal.
    base: &'static str,
    float: &'static str,
    decimal_point: &'static str,
}

/// A C-style number literal from `i` (a digit, or a `.` before one): `1_000`, `3.14e-2`, or
/// after a `0` one of the letters of `bases` and digits (`0x1F`); a suffix (`10j`, `2i`) goes
/// with it. Returns where it ends.
fn number(html: &mut Html, line: &[u8], i: usize, bases: &[u8], classes: &Numbers) -> usize {
    html.text(i);
    if line[i] == b'0' && line.get(i + 1).is_some_and(|b| bases.contains(b)) {
        let end = span_while(line, i + 2, |b| b.is_ascii_hexdigit() || b == b'_');
        html.open(classes.hex);
        html.token(i + 2, classes.base);
        html.text(end);
        html.close();
        return end;
    }
    let digits = |j| span_while(line, j, |b| b.is_ascii_digit() || b == b'_');
    let mut end = digits(i);
    let mut point = None;
    if line.get(end) == Some(&b'.') {
        point = Some(end);
        end = digits(end + 1);
    }
    let mut float = point.is_some();
    if matches!(line.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(line.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        end = digits(j);
        float = true;
    }
    let end = span_while(line, end, is_word);
    if float {
        html.open(classes.float);
        if let Some(point) = point {
            html.text(point);
            html.token(point + 1, classes.decimal_point);
        }
        html.text(end);
        html.close();
    } else {
        html.token(end, classes.integer);
    }
    end
}

/// Spaces, tabs, and the `\r` of a CRLF line end.
fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}
