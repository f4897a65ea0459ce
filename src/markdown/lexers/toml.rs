//! TOML, with the scopes of syntect's TOML syntax: tables and arrays of tables, keys (bare,
//! quoted, dotted), strings (basic, literal, and their multi-line forms, which span lines),
//! numbers, booleans, dates and times, arrays and inline tables (which may span lines).

use super::html::Html;
use super::{is_space, lines, span_while};

const ROOT: &str = "hl-source hl-toml";
const COMMENT: &str = "hl-comment hl-line hl-number-sign hl-toml";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-toml";
const TABLE_BEGIN: &str = "hl-punctuation hl-definition hl-table hl-begin hl-toml";
const TABLE_END: &str = "hl-punctuation hl-definition hl-table hl-end hl-toml";
const TABLE: &str = "hl-meta hl-tag hl-table hl-toml";
const ARRAY_TABLE_BEGIN: &str = "hl-punctuation hl-definition hl-table hl-array hl-begin hl-toml";
const ARRAY_TABLE_END: &str = "hl-punctuation hl-definition hl-table hl-array hl-end hl-toml";
const ARRAY_TABLE: &str = "hl-meta hl-tag hl-table hl-array hl-toml";
const TABLE_NAME: &str = "hl-entity hl-name hl-table hl-toml";
const KEY: &str = "hl-meta hl-tag hl-key hl-toml";
const KEY_NAME: &str = "hl-entity hl-name hl-tag hl-toml";
const DOT: &str = "hl-punctuation hl-separator hl-key hl-toml";
const KEY_VALUE: &str = "hl-punctuation hl-definition hl-key-value hl-toml";
const BASIC: &str = "hl-string hl-quoted hl-double hl-basic hl-toml";
const LITERAL: &str = "hl-string hl-quoted hl-single hl-literal hl-toml";
const BASIC_BLOCK: &str = "hl-string hl-quoted hl-triple hl-basic hl-block hl-toml";
const LITERAL_BLOCK: &str = "hl-string hl-quoted hl-triple hl-literal hl-block hl-toml";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-toml";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-toml";
const ESCAPE: &str = "hl-constant hl-character hl-escape hl-toml";
const INTEGER: &str = "hl-constant hl-numeric hl-integer hl-toml";
const FLOAT: &str = "hl-constant hl-numeric hl-float hl-toml";
const LANGUAGE: &str = "hl-constant hl-language hl-toml";
const DATETIME: &str = "hl-constant hl-other hl-datetime hl-toml";
const ARRAY_BEGIN: &str = "hl-punctuation hl-definition hl-array hl-begin hl-toml";
const ARRAY_END: &str = "hl-punctuation hl-definition hl-array hl-end hl-toml";
const ARRAY_SEPARATOR: &str = "hl-punctuation hl-separator hl-array hl-toml";
const INLINE_BEGIN: &str = "hl-punctuation hl-definition hl-inline-table hl-begin hl-toml";
const INLINE_END: &str = "hl-punctuation hl-definition hl-inline-table hl-end hl-toml";
const INLINE_SEPARATOR: &str = "hl-punctuation hl-separator hl-inline-table hl-toml";

struct Lexer<'a, 'h> {
    html: &'h mut Html<'a>,
    line: &'a [u8],
    /// Open arrays (`[`) and inline tables (`{`), which may span lines.
    nest: Vec<u8>,
    /// A multi-line string open at the end of the line: basic (`"""`) or literal (`'''`).
    open: Option<u8>,
}

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut lexer = Lexer {
        html: &mut html,
        line: b"",
        nest: Vec::new(),
        open: None,
    };
    for line in lines(code) {
        lexer.html.start(line);
        lexer.line = line.as_bytes();
        lexer.run();
        lexer.html.finish();
    }
    html.into_lines()
}

fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl Lexer<'_, '_> {
    fn run(&mut self) {
        let line = self.line;
        let mut i = 0;
        if let Some(quote) = self.open {
            i = self.string_body(0, quote, true);
            if self.open.is_some() {
                return;
            }
        }
        let mut expect_key = self.nest.is_empty() && i == 0;
        while i < line.len() {
            let b = line[i];
            if is_space(b) {
                i += 1;
                continue;
            }
            if b == b'#' {
                self.html.text(i);
                self.html.open(COMMENT);
                self.html.token(i + 1, COMMENT_MARK);
                self.html.text(line.len());
                self.html.close();
                return;
            }
            if self.nest.is_empty() && expect_key && b == b'[' {
                i = self.table(i);
                expect_key = false;
                continue;
            }
            if expect_key && b != b'}' {
                i = self.key(i);
                expect_key = false;
                continue;
            }
            i = match b {
                b'=' => {
                    self.html.text(i);
                    self.html.token(i + 1, KEY_VALUE);
                    i + 1
                }
                b'[' | b'{' => {
                    self.nest.push(b);
                    self.html.text(i);
                    self.html
                        .token(i + 1, if b == b'[' { ARRAY_BEGIN } else { INLINE_BEGIN });
                    expect_key = b == b'{';
                    i + 1
                }
                b']' | b'}' => {
                    self.nest.pop();
                    self.html.text(i);
                    self.html
                        .token(i + 1, if b == b']' { ARRAY_END } else { INLINE_END });
                    i + 1
                }
                b',' => {
                    let inline = self.nest.last() == Some(&b'{');
                    expect_key = inline;
                    self.html.text(i);
                    self.html.token(
                        i + 1,
                        if inline {
                            INLINE_SEPARATOR
                        } else {
                            ARRAY_SEPARATOR
                        },
                    );
                    i + 1
                }
                b'"' | b'\'' => self.string(i),
                _ => self.scalar(i),
            };
        }
    }

    /// `[table]` or `[[array.of.tables]]` from `i`.
    fn table(&mut self, i: usize) -> usize {
        let line = self.line;
        let array = line.get(i + 1) == Some(&b'[');
        let (begin, end_mark, meta) = if array {
            (ARRAY_TABLE_BEGIN, ARRAY_TABLE_END, ARRAY_TABLE)
        } else {
            (TABLE_BEGIN, TABLE_END, TABLE)
        };
        let open_len = if array { 2 } else { 1 };
        self.html.text(i);
        self.html.token(i + open_len, begin);
        self.html.open(meta);
        let mut j = i + open_len;
        while j < line.len() && line[j] != b']' {
            j = self.key_part(j, TABLE_NAME).unwrap_or(j + 1);
        }
        self.html.text(j);
        self.html.close();
        let close_len = if array && line.get(j + 1) == Some(&b']') {
            2
        } else {
            1
        };
        self.html.token(j + close_len, end_mark);
        (j + close_len).min(line.len())
    }

    /// A key (bare, quoted or dotted) from `i`, up to its `=`.
    fn key(&mut self, i: usize) -> usize {
        let line = self.line;
        self.html.text(i);
        self.html.open(KEY);
        let mut j = i;
        while j < line.len() && line[j] != b'=' {
            j = match self.key_part(j, KEY_NAME) {
                Some(next) => next,
                None if matches!(line[j], b' ' | b'\t') => j + 1,
                None => break,
            };
        }
        let mut end = j;
        while end > i && is_space(line[end - 1]) {
            end -= 1;
        }
        self.html.text(end);
        self.html.close();
        j.max(i + 1)
    }

    /// One part of a dotted key or table name at `j` (a bare or quoted name, bare ones of class
    /// `name`, or a `.`); returns where it ends, or `None` if none starts there.
    fn key_part(&mut self, j: usize, name: &'static str) -> Option<usize> {
        let line = self.line;
        match line[j] {
            b'"' | b'\'' => Some(self.quoted_key(j)),
            b'.' => {
                self.html.text(j);
                self.html.token(j + 1, DOT);
                Some(j + 1)
            }
            b if is_bare(b) => {
                let end = span_while(line, j, is_bare);
                self.html.text(j);
                self.html.token(end, name);
                Some(end)
            }
            _ => None,
        }
    }

    /// A quoted part of a key or table name, on one line.
    fn quoted_key(&mut self, i: usize) -> usize {
        let line = self.line;
        let quote = line[i];
        let mut j = i + 1;
        while j < line.len() && line[j] != quote {
            j += if quote == b'"' && line[j] == b'\\' {
                2
            } else {
                1
            };
        }
        let end = (j + 1).min(line.len());
        self.html.text(i);
        self.html.open(if quote == b'"' { BASIC } else { LITERAL });
        self.html.token(i + 1, STRING_BEGIN);
        self.html.text(j);
        self.html.token(end, STRING_END);
        self.html.close();
        end
    }

    /// A string value from its opening quote at `i`.
    fn string(&mut self, i: usize) -> usize {
        let line = self.line;
        let quote = line[i];
        let triple = line.get(i + 1) == Some(&quote) && line.get(i + 2) == Some(&quote);
        let class = match (quote == b'"', triple) {
            (true, false) => BASIC,
            (false, false) => LITERAL,
            (true, true) => BASIC_BLOCK,
            (false, true) => LITERAL_BLOCK,
        };
        let len = if triple { 3 } else { 1 };
        self.html.text(i);
        self.html.open(class);
        self.html.token(i + len, STRING_BEGIN);
        self.string_body(i + len, quote, triple)
    }

    /// Inside a string (its span open) from `i`.
    fn string_body(&mut self, i: usize, quote: u8, triple: bool) -> usize {
        let line = self.line;
        let mut j = i;
        while j < line.len() {
            let b = line[j];
            if b == b'\\' && quote == b'"' {
                self.html.text(j);
                self.html.token(j + 2, ESCAPE);
                j += 2;
                continue;
            }
            if b == quote
                && (!triple || (line.get(j + 1) == Some(&b) && line.get(j + 2) == Some(&b)))
            {
                // A multi-line string may end with up to two more quotes of its own.
                let mut end = j + if triple { 3 } else { 1 };
                if triple {
                    let extra = span_while(line, end, |c| c == quote) - end;
                    end += extra.min(2);
                }
                self.html.text(end - if triple { 3 } else { 1 });
                self.html.token(end, STRING_END);
                self.html.close();
                self.open = None;
                return end;
            }
            j += 1;
        }
        if triple {
            self.open = Some(quote);
        } else {
            self.html.text(line.len());
            self.html.close();
        }
        line.len()
    }

    /// A bare value from `i`: a number, boolean, date or time (anything else is left as text).
    fn scalar(&mut self, i: usize) -> usize {
        let line = self.line;
        let end = span_while(line, i, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'.' | b':')
        });
        // A date-time may have a space instead of the `T`: `1979-05-27 07:32:00Z`.
        let end = if end > i
            && is_date(&line[i..end])
            && line.get(end) == Some(&b' ')
            && line.get(end + 1).is_some_and(u8::is_ascii_digit)
            && line.get(end + 3) == Some(&b':')
        {
            span_while(line, end + 1, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.' | b':')
            })
        } else {
            end
        };
        if end == i {
            return i + 1;
        }
        let text = &line[i..end];
        let class = match text {
            b"true" | b"false" => Some(LANGUAGE),
            b"inf" | b"+inf" | b"-inf" | b"nan" | b"+nan" | b"-nan" => Some(FLOAT),
            _ if is_date(text) || is_time(text) => Some(DATETIME),
            _ => number(text),
        };
        if let Some(class) = class {
            self.html.text(i);
            self.html.token(end, class);
        }
        end
    }
}

/// `1979-05-27...`
fn is_date(text: &[u8]) -> bool {
    text.len() >= 10
        && text[..4].iter().all(u8::is_ascii_digit)
        && text[4] == b'-'
        && text[5..7].iter().all(u8::is_ascii_digit)
        && text[7] == b'-'
        && text[8..10].iter().all(u8::is_ascii_digit)
}

/// `07:32:00...`
fn is_time(text: &[u8]) -> bool {
    text.len() >= 8
        && text[..2].iter().all(u8::is_ascii_digit)
        && text[2] == b':'
        && text[3..5].iter().all(u8::is_ascii_digit)
        && text[5] == b':'
}

fn number(text: &[u8]) -> Option<&'static str> {
    let digits = text
        .strip_prefix(b"+")
        .or(text.strip_prefix(b"-"))
        .unwrap_or(text);
    if let Some(rest) = digits
        .strip_prefix(b"0x")
        .or(digits.strip_prefix(b"0o"))
        .or(digits.strip_prefix(b"0b"))
    {
        return (!rest.is_empty() && rest.iter().all(|b| b.is_ascii_hexdigit() || *b == b'_'))
            .then_some(INTEGER);
    }
    if digits.is_empty() || !digits[0].is_ascii_digit() {
        return None;
    }
    let mut float = false;
    for (k, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' | b'_' => {}
            b'.' => float = true,
            b'e' | b'E' => float = true,
            b'+' | b'-' if k > 0 && matches!(digits[k - 1], b'e' | b'E') => {}
            _ => return None,
        }
    }
    Some(if float { FLOAT } else { INTEGER })
}
