//! JSON (and JSONC: `//` and `/* */` comments), with the scopes of syntect's JSON syntax.

use super::html::Html;
use super::{find, is_word, lines, span_while};

const ROOT: &str = "hl-source hl-json";
const KEY: &str = "hl-meta hl-mapping hl-key hl-json";
const STRING: &str = "hl-string hl-quoted hl-double hl-json";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-json";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-json";
const ESCAPE: &str = "hl-constant hl-character hl-escape hl-json";
const INTEGER: &str = "hl-constant hl-numeric hl-integer hl-decimal hl-json";
const FLOAT: &str = "hl-constant hl-numeric hl-float hl-decimal hl-json";
const DECIMAL_POINT: &str = "hl-punctuation hl-separator hl-decimal hl-json";
const LANGUAGE: &str = "hl-constant hl-language hl-json";
const MAPPING_BEGIN: &str = "hl-punctuation hl-section hl-mapping hl-begin hl-json";
const MAPPING_END: &str = "hl-punctuation hl-section hl-mapping hl-end hl-json";
const SEQUENCE_BEGIN: &str = "hl-punctuation hl-section hl-sequence hl-begin hl-json";
const SEQUENCE_END: &str = "hl-punctuation hl-section hl-sequence hl-end hl-json";
const KEY_VALUE: &str = "hl-punctuation hl-separator hl-mapping hl-key-value hl-json";
const PAIR: &str = "hl-punctuation hl-separator hl-mapping hl-pair hl-json";
const ITEM: &str = "hl-punctuation hl-separator hl-sequence hl-json";
const LINE_COMMENT: &str = "hl-comment hl-line hl-double-slash hl-js";
const BLOCK_COMMENT: &str = "hl-comment hl-block hl-js";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-js";

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    // Open brackets, to tell a mapping's `,` from a sequence's; the only state besides a block
    // comment that a line can leave open.
    let mut brackets: Vec<u8> = Vec::new();
    let mut in_comment = false;
    for line in lines(code) {
        html.start(line);
        let bytes = line.as_bytes();
        let mut i = 0;
        if in_comment {
            i = block_comment_rest(&mut html, bytes, 0, &mut in_comment);
        }
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'"' => i = string(&mut html, bytes, i),
                b'{' | b'[' => {
                    brackets.push(b);
                    html.text(i);
                    html.token(
                        i + 1,
                        if b == b'{' {
                            MAPPING_BEGIN
                        } else {
                            SEQUENCE_BEGIN
                        },
                    );
                    i += 1;
                }
                b'}' | b']' => {
                    brackets.pop();
                    html.text(i);
                    html.token(i + 1, if b == b'}' { MAPPING_END } else { SEQUENCE_END });
                    i += 1;
                }
                b':' => {
                    html.text(i);
                    html.token(i + 1, KEY_VALUE);
                    i += 1;
                }
                b',' => {
                    html.text(i);
                    let class = if brackets.last() == Some(&b'[') {
                        ITEM
                    } else {
                        PAIR
                    };
                    html.token(i + 1, class);
                    i += 1;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    html.text(i);
                    html.open(LINE_COMMENT);
                    html.token(i + 2, COMMENT_MARK);
                    html.text(bytes.len());
                    html.close();
                    i = bytes.len();
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    html.text(i);
                    html.open(BLOCK_COMMENT);
                    html.token(i + 2, COMMENT_MARK);
                    in_comment = true;
                    i = block_comment_rest(&mut html, bytes, i + 2, &mut in_comment);
                }
                b'-' | b'0'..=b'9' => i = number(&mut html, bytes, i),
                b'a'..=b'z' => {
                    let end = span_while(bytes, i, is_word);
                    let word = &bytes[i..end];
                    if matches!(word, b"true" | b"false" | b"null") {
                        html.text(i);
                        html.token(end, LANGUAGE);
                    }
                    i = end;
                }
                _ => i += 1,
            }
        }
        html.finish();
    }
    html.into_lines()
}

/// Inside a block comment (its span open) from `i`: up to and including `*/`, or the line.
fn block_comment_rest(html: &mut Html, line: &[u8], i: usize, open: &mut bool) -> usize {
    match find(line, i, b"*/") {
        Some(end) => {
            html.text(end);
            html.token(end + 2, COMMENT_MARK);
            html.close();
            *open = false;
            end + 2
        }
        None => line.len(),
    }
}

/// A string from its opening quote at `i`; a key if a `:` follows. JSON strings never span
/// lines, so one left open ends with its line.
fn string(html: &mut Html, line: &[u8], i: usize) -> usize {
    let mut end = i + 1;
    let mut closed = false;
    while end < line.len() {
        match line[end] {
            b'\\' => end += 2,
            b'"' => {
                closed = true;
                break;
            }
            _ => end += 1,
        }
    }
    let end = end.min(line.len());
    let after = span_while(line, end + 1, |b| b == b' ' || b == b'\t');
    let key = closed && line.get(after) == Some(&b':');
    html.text(i);
    if key {
        html.open(KEY);
    }
    html.open(STRING);
    html.token(i + 1, STRING_BEGIN);
    let mut j = i + 1;
    while j < end {
        if line[j] == b'\\' {
            html.text(j);
            html.token(j + 2, ESCAPE);
            j += 2;
        } else {
            j += 1;
        }
    }
    html.text(end);
    html.token(end + 1, STRING_END);
    html.close();
    if key {
        html.close();
    }
    end + 1
}

/// A number from `i` (a `-` or a digit); a lone `-` is left as text.
fn number(html: &mut Html, line: &[u8], i: usize) -> usize {
    let digits = |j| span_while(line, j, |b| b.is_ascii_digit());
    let start = i + usize::from(line[i] == b'-');
    let mut end = digits(start);
    if end == start {
        return end.max(i + 1);
    }
    let mut point = None;
    if line.get(end) == Some(&b'.') {
        point = Some(end);
        end = digits(end + 1);
    }
    let float = point.is_some() || matches!(line.get(end), Some(b'e' | b'E'));
    if matches!(line.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(line.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        end = digits(j);
    }
    html.text(i);
    if float {
        html.open(FLOAT);
        if let Some(point) = point {
            html.text(point);
            html.token(point + 1, DECIMAL_POINT);
        }
        html.text(end);
        html.close();
    } else {
        html.token(end, INTEGER);
    }
    end
}
