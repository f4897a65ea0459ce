//! YAML, with the scopes of syntect's YAML syntax: keys are `entity.name.tag` inside a plain
//! scalar, values are typed (numbers, booleans, null, timestamps) or strings, block scalars (`|`, `>-`) and
//! quoted strings may span lines, and flow collections (`[a, b]`, `{a: 1}`) may too.
//!
//! One deliberate difference: a quoted key's text is also `entity.name.tag` (syntect leaves it a
//! plain string), so every key of a manifest reads as a key.

use super::html::Html;
use super::{is_space, lines, span_while};

const ROOT: &str = "hl-source hl-yaml";
const DOC_BEGIN: &str = "hl-entity hl-other hl-document hl-begin hl-yaml";
const DOC_END: &str = "hl-entity hl-other hl-document hl-end hl-yaml";
const COMMENT: &str = "hl-comment hl-line hl-number-sign hl-yaml";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-line hl-number-sign hl-yaml";
const PLAIN_OUT: &str = "hl-string hl-unquoted hl-plain hl-out hl-yaml";
const PLAIN_IN: &str = "hl-string hl-unquoted hl-plain hl-in hl-yaml";
const KEY: &str = "hl-entity hl-name hl-tag hl-yaml";
const KEY_VALUE: &str = "hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml";
const DOUBLE: &str = "hl-string hl-quoted hl-double hl-yaml";
const SINGLE: &str = "hl-string hl-quoted hl-single hl-yaml";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-yaml";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-yaml";
const ESCAPE: &str = "hl-constant hl-character hl-escape hl-double-quoted hl-yaml";
const SINGLE_ESCAPE: &str = "hl-constant hl-character hl-escape hl-single-quoted hl-yaml";
const INTEGER: &str = "hl-constant hl-numeric hl-integer hl-decimal hl-yaml";
const HEX: &str = "hl-constant hl-numeric hl-integer hl-hexadecimal hl-yaml";
const OCTAL: &str = "hl-constant hl-numeric hl-integer hl-octal hl-yaml";
const FLOAT: &str = "hl-constant hl-numeric hl-float hl-decimal hl-yaml";
const DECIMAL_POINT: &str = "hl-punctuation hl-separator hl-decimal hl-yaml";
const BOOLEAN: &str = "hl-constant hl-language hl-boolean hl-yaml";
const NULL: &str = "hl-constant hl-language hl-null hl-yaml";
const MERGE: &str = "hl-constant hl-language hl-merge hl-yaml";
const TIMESTAMP: &str = "hl-constant hl-other hl-timestamp hl-yaml";
const PROPERTY: &str = "hl-meta hl-property hl-yaml";
const ANCHOR: &str = "hl-keyword hl-control hl-property hl-anchor hl-yaml";
const ANCHOR_MARK: &str = "hl-punctuation hl-definition hl-anchor hl-yaml";
const ANCHOR_NAME: &str = "hl-entity hl-name hl-other hl-anchor hl-yaml";
const ALIAS: &str = "hl-keyword hl-control hl-flow hl-alias hl-yaml";
const ALIAS_MARK: &str = "hl-punctuation hl-definition hl-alias hl-yaml";
const ALIAS_NAME: &str = "hl-variable hl-other hl-alias hl-yaml";
const TAG: &str = "hl-storage hl-type hl-tag-handle hl-yaml";
const LITERAL: &str = "hl-keyword hl-control hl-flow hl-block-scalar hl-literal hl-yaml";
const FOLDED: &str = "hl-keyword hl-control hl-flow hl-block-scalar hl-folded hl-yaml";
const CHOMPING: &str = "hl-storage hl-modifier hl-chomping-indicator hl-yaml";
const INDENTATION: &str = "hl-constant hl-numeric hl-indentation-indicator hl-yaml";
const BLOCK: &str = "hl-string hl-unquoted hl-block hl-yaml";
const ITEM: &str = "hl-punctuation hl-definition hl-block hl-sequence hl-item hl-yaml";
const EXPLICIT_KEY: &str = "hl-punctuation hl-definition hl-key-value hl-begin hl-yaml";
const SEQUENCE_BEGIN: &str = "hl-punctuation hl-definition hl-sequence hl-begin hl-yaml";
const SEQUENCE_END: &str = "hl-punctuation hl-definition hl-sequence hl-end hl-yaml";
const SEQUENCE_SEPARATOR: &str = "hl-punctuation hl-separator hl-sequence hl-yaml";
const MAPPING_BEGIN: &str = "hl-punctuation hl-definition hl-mapping hl-begin hl-yaml";
const MAPPING_END: &str = "hl-punctuation hl-definition hl-mapping hl-end hl-yaml";
const MAPPING_SEPARATOR: &str = "hl-punctuation hl-separator hl-mapping hl-yaml";

/// What a line can leave open for the next.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Normal,
    /// A block scalar's content: lines indented more than `parent` (the column of its key or
    /// list dash; -1 at the document level).
    Block {
        parent: isize,
    },
    /// A quoted scalar whose closing quote is on a later line (its span is open).
    Quoted {
        double: bool,
    },
}

struct Lexer<'a, 'h> {
    html: &'h mut Html<'a>,
    line: &'a [u8],
    state: State,
    /// Open flow brackets (`[` or `{`), which may span lines.
    flow: Vec<u8>,
}

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut lexer = Lexer {
        html: &mut html,
        line: b"",
        state: State::Normal,
        flow: Vec::new(),
    };
    for line in lines(code) {
        lexer.html.start(line);
        lexer.line = line.as_bytes();
        lexer.line();
        lexer.html.finish();
    }
    html.into_lines()
}

impl Lexer<'_, '_> {
    fn line(&mut self) {
        let line = self.line;
        let indent = span_while(line, 0, |b| b == b' ');
        let mut i = 0;
        match self.state {
            State::Block { parent } => {
                let blank = span_while(line, indent, is_space) == line.len();
                if blank || indent as isize > parent {
                    self.html.token(line.len(), BLOCK);
                    return;
                }
                self.state = State::Normal;
            }
            State::Quoted { double } => {
                i = self.quoted_rest(i, double);
                if self.state != State::Normal {
                    return;
                }
                self.after_value(i);
                return;
            }
            State::Normal => {}
        }
        if !self.flow.is_empty() {
            self.flow(indent);
            return;
        }
        i = indent;
        let marker = |m: &[u8]| line.starts_with(m) && line.get(3).is_none_or(|&b| is_space(b));
        let mut parent = indent as isize - 1;
        if marker(b"---") {
            self.html.token(3, DOC_BEGIN);
            i = 3;
            parent = -1;
        } else if marker(b"...") {
            self.html.token(3, DOC_END);
            i = 3;
        }
        loop {
            i = span_while(line, i, is_space);
            match line.get(i) {
                Some(b'-' | b'?') if line.get(i + 1).is_none_or(|&b| is_space(b)) => {
                    self.html.text(i);
                    let class = if line[i] == b'-' { ITEM } else { EXPLICIT_KEY };
                    self.html.token(i + 1, class);
                    parent = i as isize;
                    i += 1;
                }
                _ => break,
            }
        }
        self.node(i, parent);
    }

    /// A block-context node at `i`: a key and its value, or a value alone. `parent` is the
    /// column a block scalar's lines must be indented beyond if this node is one.
    fn node(&mut self, i: usize, parent: isize) {
        let line = self.line;
        match line.get(i) {
            None => {}
            Some(b'#') => self.comment(i),
            Some(&q @ (b'"' | b'\'')) => {
                if let Some(close) = quoted_end(line, i, q == b'"')
                    && let Some(colon) = key_colon(line, close + 1)
                {
                    self.quoted_key(i, close, q == b'"');
                    self.html.text(colon);
                    self.html.token(colon + 1, KEY_VALUE);
                    self.value(colon + 1, i as isize);
                } else {
                    self.value(i, parent);
                }
            }
            Some(b'[' | b'{' | b'&' | b'*' | b'!' | b'|' | b'>') => self.value(i, parent),
            Some(_) => match plain_key(line, i) {
                Some((key_end, colon)) => {
                    self.html.text(i);
                    if &line[i..key_end] == b"<<" {
                        // The merge key (`<<: *defaults`).
                        self.html.token(key_end, MERGE);
                    } else {
                        self.html.open(PLAIN_OUT);
                        self.html.token(key_end, KEY);
                        self.html.close();
                    }
                    self.html.text(colon);
                    self.html.token(colon + 1, KEY_VALUE);
                    self.value(colon + 1, i as isize);
                }
                None => self.value(i, parent),
            },
        }
    }

    /// A value from `i` in block context: properties, then a scalar, a block scalar header or a
    /// flow collection, then an optional comment.
    fn value(&mut self, i: usize, parent: isize) {
        let line = self.line;
        let i = self.properties(i);
        match line.get(i) {
            None => {}
            Some(b'#') => self.comment(i),
            Some(&q @ (b'"' | b'\'')) => {
                let end = self.quoted(i, q == b'"');
                if self.state == State::Normal {
                    self.after_value(end);
                }
            }
            Some(b'[' | b'{') => self.flow(i),
            Some(&b @ (b'|' | b'>')) => {
                self.html.text(i);
                self.html
                    .token(i + 1, if b == b'|' { LITERAL } else { FOLDED });
                let mut j = i + 1;
                while let Some(&c) = line.get(j) {
                    match c {
                        b'+' | b'-' => self.html.token(j + 1, CHOMPING),
                        b'1'..=b'9' => self.html.token(j + 1, INDENTATION),
                        _ => break,
                    }
                    j += 1;
                }
                self.after_value(j);
                self.state = State::Block { parent };
            }
            Some(_) => {
                let end = plain_end(line, i, false);
                self.scalar(i, end, PLAIN_OUT);
                self.after_value(end);
            }
        }
    }

    /// Anchors (`&a`), aliases (`*a`) and tags (`!!str`) before a value; returns where the value
    /// starts.
    fn properties(&mut self, mut i: usize) -> usize {
        let line = self.line;
        loop {
            i = span_while(line, i, is_space);
            let Some(&b) = line.get(i) else { return i };
            if !matches!(b, b'&' | b'*' | b'!') {
                return i;
            }
            let end = span_while(line, i + 1, |c| {
                !is_space(c) && !matches!(c, b',' | b'[' | b']' | b'{' | b'}')
            });
            self.html.text(i);
            match b {
                b'&' => {
                    self.html.open(PROPERTY);
                    self.html.open(ANCHOR);
                    self.html.token(i + 1, ANCHOR_MARK);
                    self.html.close();
                    self.html.token(end, ANCHOR_NAME);
                    self.html.close();
                }
                b'*' => {
                    self.html.open(ALIAS);
                    self.html.token(i + 1, ALIAS_MARK);
                    self.html.close();
                    self.html.token(end, ALIAS_NAME);
                }
                _ => {
                    self.html.open(PROPERTY);
                    self.html.token(end, TAG);
                    self.html.close();
                }
            }
            i = end;
        }
    }

    /// What may follow a complete value on its line: spaces and a comment. Anything else (not
    /// valid YAML) is left as text.
    fn after_value(&mut self, i: usize) {
        let line = self.line;
        let mut j = i;
        while j < line.len() {
            if line[j] == b'#' && (j == 0 || is_space(line[j - 1])) {
                self.comment(j);
                return;
            }
            j += 1;
        }
    }

    fn comment(&mut self, i: usize) {
        self.html.text(i);
        self.html.open(COMMENT);
        self.html.token(i + 1, COMMENT_MARK);
        self.html.text(self.line.len());
        self.html.close();
    }

    /// A plain scalar `line[i..end]` (trailing spaces excluded from the token), typed if it is
    /// a number, boolean or null.
    fn scalar(&mut self, i: usize, end: usize, string: &'static str) {
        let mut end = end;
        while end > i && is_space(self.line[end - 1]) {
            end -= 1;
        }
        let text = &self.line[i..end];
        self.html.text(i);
        match scalar_type(text) {
            Scalar::Float(point) => {
                self.html.open(FLOAT);
                if let Some(point) = point {
                    self.html.text(i + point);
                    self.html.token(i + point + 1, DECIMAL_POINT);
                }
                self.html.text(end);
                self.html.close();
            }
            Scalar::Other(class) => self.html.token(end, class),
            Scalar::String => self.html.token(end, string),
        }
    }

    /// A quoted key from its opening quote at `i` to its closing quote at `close`.
    fn quoted_key(&mut self, i: usize, close: usize, double: bool) {
        self.html.text(i);
        self.html.open(if double { DOUBLE } else { SINGLE });
        self.html.token(i + 1, STRING_BEGIN);
        self.html.token(close, KEY);
        self.html.token(close + 1, STRING_END);
        self.html.close();
    }

    /// A quoted scalar from its opening quote at `i`; returns the position after it, or leaves
    /// the state `Quoted` if it goes on past the line.
    fn quoted(&mut self, i: usize, double: bool) -> usize {
        self.html.text(i);
        self.html.open(if double { DOUBLE } else { SINGLE });
        self.html.token(i + 1, STRING_BEGIN);
        self.quoted_rest(i + 1, double)
    }

    /// Inside a quoted scalar (its span open) from `i`.
    fn quoted_rest(&mut self, mut i: usize, double: bool) -> usize {
        let line = self.line;
        while i < line.len() {
            match line[i] {
                b'\\' if double => {
                    self.html.text(i);
                    self.html.token(i + 2, ESCAPE);
                    i += 2;
                }
                b'\'' if !double && line.get(i + 1) == Some(&b'\'') => {
                    self.html.text(i);
                    self.html.token(i + 2, SINGLE_ESCAPE);
                    i += 2;
                }
                b'"' if double => return self.close_quote(i),
                b'\'' if !double => return self.close_quote(i),
                _ => i += 1,
            }
        }
        self.state = State::Quoted { double };
        line.len()
    }

    fn close_quote(&mut self, i: usize) -> usize {
        self.html.text(i);
        self.html.token(i + 1, STRING_END);
        self.html.close();
        self.state = State::Normal;
        i + 1
    }

    /// Inside flow collections (or at the `[`/`{` that opens one) from `i` to the end of the line.
    fn flow(&mut self, mut i: usize) {
        let line = self.line;
        while i < line.len() {
            if self.flow.is_empty() && !matches!(line[i], b'[' | b'{') {
                self.after_value(i);
                return;
            }
            let b = line[i];
            match b {
                b' ' | b'\t' | b'\r' => i += 1,
                b'[' | b'{' => {
                    self.flow.push(b);
                    self.html.text(i);
                    let class = if b == b'[' {
                        SEQUENCE_BEGIN
                    } else {
                        MAPPING_BEGIN
                    };
                    self.html.token(i + 1, class);
                    i += 1;
                }
                b']' | b'}' => {
                    self.flow.pop();
                    self.html.text(i);
                    let class = if b == b']' { SEQUENCE_END } else { MAPPING_END };
                    self.html.token(i + 1, class);
                    i += 1;
                }
                b',' => {
                    self.html.text(i);
                    let class = if self.flow.last() == Some(&b'[') {
                        SEQUENCE_SEPARATOR
                    } else {
                        MAPPING_SEPARATOR
                    };
                    self.html.token(i + 1, class);
                    i += 1;
                }
                b':' => {
                    self.html.text(i);
                    self.html.token(i + 1, KEY_VALUE);
                    i += 1;
                }
                b'#' if i == 0 || is_space(line[i - 1]) => {
                    self.comment(i);
                    return;
                }
                b'&' | b'*' | b'!' => i = self.properties(i),
                b'"' | b'\'' => {
                    let double = b == b'"';
                    match quoted_end(line, i, double) {
                        Some(close) if key_colon_flow(line, close + 1) => {
                            self.quoted_key(i, close, double);
                            i = close + 1;
                        }
                        _ => {
                            i = self.quoted(i, double);
                            if self.state != State::Normal {
                                return;
                            }
                        }
                    }
                }
                _ => {
                    let end = plain_end(line, i, true);
                    let end = end.max(i + 1);
                    if key_colon_flow(line, end) {
                        let mut key_end = end;
                        while key_end > i && is_space(line[key_end - 1]) {
                            key_end -= 1;
                        }
                        self.html.text(i);
                        self.html.open(PLAIN_IN);
                        self.html.token(key_end, KEY);
                        self.html.close();
                    } else {
                        self.scalar(i, end, PLAIN_IN);
                    }
                    i = end;
                }
            }
        }
    }
}

/// The closing quote of the quoted scalar opening at `i`, if it is on this line.
fn quoted_end(line: &[u8], i: usize, double: bool) -> Option<usize> {
    let mut j = i + 1;
    while j < line.len() {
        match line[j] {
            b'\\' if double => j += 2,
            b'"' if double => return Some(j),
            b'\'' if !double => {
                if line.get(j + 1) == Some(&b'\'') {
                    j += 2;
                } else {
                    return Some(j);
                }
            }
            _ => j += 1,
        }
    }
    None
}

/// The `:` that makes what ends at `i` a block-context key: after optional spaces, followed
/// by a space or the end of the line.
fn key_colon(line: &[u8], i: usize) -> Option<usize> {
    let j = span_while(line, i, is_space);
    (line.get(j) == Some(&b':') && line.get(j + 1).is_none_or(|&b| is_space(b))).then_some(j)
}

/// Whether what ends at `i` is a key inside a flow collection (a `:` follows).
fn key_colon_flow(line: &[u8], i: usize) -> bool {
    let j = span_while(line, i, is_space);
    line.get(j) == Some(&b':')
}

/// A plain key starting at `i`: the end of its text and the position of its `:`.
fn plain_key(line: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    while j < line.len() {
        match line[j] {
            b':' if line.get(j + 1).is_none_or(|&b| is_space(b)) => {
                let mut end = j;
                while end > i && is_space(line[end - 1]) {
                    end -= 1;
                }
                return Some((end, j));
            }
            b'#' if j > i && is_space(line[j - 1]) => return None,
            _ => j += 1,
        }
    }
    None
}

/// The end of a plain scalar starting at `i`: a comment, the end of the line, and in a flow
/// collection also `,[]{}` and a `:` followed by a space or a flow indicator.
fn plain_end(line: &[u8], i: usize, in_flow: bool) -> usize {
    let mut j = i;
    while j < line.len() {
        let b = line[j];
        if b == b'#' && j > i && is_space(line[j - 1]) {
            return j;
        }
        if in_flow {
            if matches!(b, b',' | b'[' | b']' | b'{' | b'}') {
                return j;
            }
            if b == b':'
                && line
                    .get(j + 1)
                    .is_none_or(|&c| is_space(c) || matches!(c, b',' | b'[' | b']' | b'{' | b'}'))
            {
                return j;
            }
        }
        j += 1;
    }
    j
}

enum Scalar {
    /// A float, with the position of its decimal point.
    Float(Option<usize>),
    Other(&'static str),
    String,
}

/// The YAML 1.2 core schema's reading of a plain scalar.
fn scalar_type(text: &[u8]) -> Scalar {
    match text {
        b"true" | b"True" | b"TRUE" | b"false" | b"False" | b"FALSE" => {
            return Scalar::Other(BOOLEAN);
        }
        b"null" | b"Null" | b"NULL" | b"~" => return Scalar::Other(NULL),
        _ => {}
    }
    if is_timestamp(text) {
        return Scalar::Other(TIMESTAMP);
    }
    if let Some(hex) = text.strip_prefix(b"0x")
        && !hex.is_empty()
        && hex.iter().all(u8::is_ascii_hexdigit)
    {
        return Scalar::Other(HEX);
    }
    if let Some(octal) = text.strip_prefix(b"0o")
        && !octal.is_empty()
        && octal.iter().all(|b| (b'0'..=b'7').contains(b))
    {
        return Scalar::Other(OCTAL);
    }
    match number(text) {
        Some((false, _)) => Scalar::Other(INTEGER),
        Some((true, point)) => Scalar::Float(point),
        None => Scalar::String,
    }
}

/// A date (`2024-01-31`) or a date and time (`2024-01-31T09:30:00Z`, `...T09:30:00.5+02:00`), as
/// YAML's timestamp type reads them.
fn is_timestamp(text: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| {
        text.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, b: u8| text.get(i) == Some(&b);
    let date = digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10);
    if !date {
        return false;
    }
    if text.len() == 10 {
        return true;
    }
    // Then `T`, hours and minutes; seconds, fraction and zone are digits and `:.+-Z` only.
    (at(10, b'T') || at(10, b't'))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && text[16..]
            .iter()
            .all(|b| b.is_ascii_digit() || b":.+-Zz".contains(b))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`: whether it is a float, and where its
/// decimal point is.
fn number(text: &[u8]) -> Option<(bool, Option<usize>)> {
    let mut i = usize::from(matches!(text.first(), Some(b'-' | b'+')));
    let digits = span_while(text, i, |b| b.is_ascii_digit());
    let mut any = digits > i;
    i = digits;
    let mut point = None;
    if text.get(i) == Some(&b'.') {
        point = Some(i);
        let end = span_while(text, i + 1, |b| b.is_ascii_digit());
        any |= end > i + 1;
        i = end;
    }
    if !any {
        return None;
    }
    let mut float = point.is_some();
    if matches!(text.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(text.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let end = span_while(text, j, |b| b.is_ascii_digit());
        if end == j {
            return None;
        }
        i = end;
        float = true;
    }
    (i == text.len()).then_some((float, point))
}
