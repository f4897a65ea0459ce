//! Go, with the scopes of syntect's Go syntax: keywords, declarations (`func`, `type`, `var`,
//! `:=`), builtin types and functions, calls, members, strings with `%v` placeholders, raw
//! strings and block comments (which may span lines), runes and numbers.
//!
//! Types in declarations (`x int`, `p *Pair`, `[]string`, `) error {`) are found from the token
//! before them, which covers gofmt-formatted code; syntect's grammar does the same by context.

use super::html::Html;
use super::{Numbers, find, is_word, lines, number, span_while};

const ROOT: &str = "hl-source hl-go";
const LINE_COMMENT: &str = "hl-comment hl-line hl-go";
const BLOCK_COMMENT: &str = "hl-comment hl-block hl-go";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-go";
const COMMENT_BEGIN: &str = "hl-punctuation hl-definition hl-comment hl-begin hl-go";
const COMMENT_END: &str = "hl-punctuation hl-definition hl-comment hl-end hl-go";
const STRING: &str = "hl-string hl-quoted hl-double hl-go";
const RAW: &str = "hl-string hl-quoted hl-other hl-go";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-go";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-go";
const ESCAPE: &str = "hl-constant hl-character hl-escape hl-go";
const PLACEHOLDER: &str = "hl-constant hl-other hl-placeholder hl-go";
const RUNE: &str = "hl-constant hl-character hl-go";
const INTEGER: &str = "hl-constant hl-numeric hl-integer hl-decimal hl-go";
const HEX: &str = "hl-constant hl-numeric hl-integer hl-hexadecimal hl-go";
const BASE: &str = "hl-punctuation hl-definition hl-numeric hl-base hl-go";
const FLOAT: &str = "hl-constant hl-numeric hl-float hl-decimal hl-go";
const DECIMAL_POINT: &str = "hl-punctuation hl-separator hl-decimal hl-go";
const NUMBERS: Numbers = Numbers {
    integer: INTEGER,
    hex: HEX,
    base: BASE,
    float: FLOAT,
    decimal_point: DECIMAL_POINT,
};
const CONTROL: &str = "hl-keyword hl-control hl-go";
const PACKAGE: &str = "hl-keyword hl-other hl-package hl-go";
const IMPORT: &str = "hl-keyword hl-other hl-import hl-go";
const FUNC: &str = "hl-storage hl-type hl-keyword hl-function hl-go";
const TYPE_KEYWORD: &str = "hl-storage hl-type hl-keyword hl-type hl-go";
const STRUCT: &str = "hl-storage hl-type hl-keyword hl-struct hl-go";
const INTERFACE: &str = "hl-storage hl-type hl-keyword hl-interface hl-go";
const MAP: &str = "hl-storage hl-type hl-keyword hl-map hl-go";
const CHAN: &str = "hl-storage hl-type hl-keyword hl-chan hl-go";
const VAR: &str = "hl-storage hl-type hl-keyword hl-var hl-go";
const CONST: &str = "hl-storage hl-type hl-keyword hl-const hl-go";
const LANGUAGE: &str = "hl-constant hl-language hl-go";
const TYPE: &str = "hl-storage hl-type hl-go";
const BUILTIN_TYPE: &str = "hl-support hl-type hl-builtin hl-go";
const CALL: &str = "hl-variable hl-function hl-go";
const BUILTIN_FUNCTION: &str = "hl-support hl-function hl-builtin hl-go";
const FUNCTION_NAME: &str = "hl-entity hl-name hl-function hl-go";
const TYPE_NAME: &str = "hl-entity hl-name hl-type hl-go";
const VARIABLE: &str = "hl-variable hl-other hl-go";
const MEMBER: &str = "hl-variable hl-other hl-member hl-go";
const FIELD: &str = "hl-variable hl-other hl-member hl-declaration hl-go";
const DECLARATION: &str = "hl-variable hl-declaration hl-go";
const PARAMETER: &str = "hl-variable hl-parameter hl-go";
const BLANK: &str = "hl-variable hl-language hl-blank hl-go";
const OPERATOR: &str = "hl-keyword hl-operator hl-go";
const ASSIGNMENT: &str = "hl-keyword hl-operator hl-assignment hl-go";
const PARENS_BEGIN: &str = "hl-punctuation hl-section hl-parens hl-begin hl-go";
const PARENS_END: &str = "hl-punctuation hl-section hl-parens hl-end hl-go";
const BRACKETS_BEGIN: &str = "hl-punctuation hl-section hl-brackets hl-begin hl-go";
const BRACKETS_END: &str = "hl-punctuation hl-section hl-brackets hl-end hl-go";
const BRACES_BEGIN: &str = "hl-punctuation hl-section hl-braces hl-begin hl-go";
const BRACES_END: &str = "hl-punctuation hl-section hl-braces hl-end hl-go";
const SEPARATOR: &str = "hl-punctuation hl-separator hl-go";
const ACCESSOR: &str = "hl-punctuation hl-accessor hl-dot hl-go";
const TERMINATOR: &str = "hl-punctuation hl-terminator hl-go";

const BUILTIN_TYPES: &[&[u8]] = &[
    b"any",
    b"bool",
    b"byte",
    b"comparable",
    b"complex64",
    b"complex128",
    b"error",
    b"float32",
    b"float64",
    b"int",
    b"int8",
    b"int16",
    b"int32",
    b"int64",
    b"rune",
    b"string",
    b"uint",
    b"uint8",
    b"uint16",
    b"uint32",
    b"uint64",
    b"uintptr",
];
const BUILTIN_FUNCTIONS: &[&[u8]] = &[
    b"append", b"cap", b"clear", b"close", b"complex", b"copy", b"delete", b"imag", b"len",
    b"make", b"max", b"min", b"new", b"panic", b"print", b"println", b"real", b"recover",
];

/// What the previous token was, for telling a type from a value.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    Other,
    /// An identifier (a name being declared, most of the time, when another follows it).
    Name,
    /// `func`, `type`, `var`, `const`: the next name is declared.
    Declares(&'static str),
    /// `*` or `]` or `chan` or `map[...]` directly before a name: a type.
    TypePrefix,
    /// `)` followed by a space: a result type may come.
    CloseParen,
    /// `.`: a member.
    Dot,
    /// The package of a qualified type (`time` in `time.Duration`).
    TypePackage,
    /// The name of a function being declared: its parameters follow.
    FunctionName,
}

/// A `{` of a struct or interface body, where each line declares a field or method.
#[derive(Clone, Copy, PartialEq)]
enum Brace {
    Body,
    Block,
}

struct Lexer<'a, 'h> {
    html: &'h mut Html<'a>,
    line: &'a [u8],
    prev: Prev,
    braces: Vec<Brace>,
    /// The last keyword was `struct` or `interface`: the next `{` opens a body.
    body_next: bool,
    /// Inside the parameter or result lists of a `func` signature (paren depth).
    signature: u32,
    /// After `func` and before the function's name (if it has one).
    name_pending: bool,
    in_comment: bool,
    in_raw: bool,
}

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut lexer = Lexer {
        html: &mut html,
        line: b"",
        prev: Prev::Other,
        braces: Vec::new(),
        body_next: false,
        signature: 0,
        name_pending: false,
        in_comment: false,
        in_raw: false,
    };
    for line in lines(code) {
        lexer.html.start(line);
        lexer.line = line.as_bytes();
        lexer.run();
        lexer.html.finish();
    }
    html.into_lines()
}

impl Lexer<'_, '_> {
    fn run(&mut self) {
        let line = self.line;
        let mut i = 0;
        if self.in_comment {
            i = self.comment_rest(0);
        } else if self.in_raw {
            i = self.raw_rest(0);
        }
        // A field or method per line in a struct or interface body; and a new line is a new
        // statement (Go inserts the semicolons), so what came before says nothing of its names.
        let mut line_start = true;
        if !matches!(self.prev, Prev::Declares(_)) {
            self.prev = Prev::Other;
        }
        while i < line.len() {
            let b = line[i];
            if b == b' ' || b == b'\t' || b == b'\r' {
                i += 1;
                continue;
            }
            let start = line_start;
            line_start = false;
            i = match b {
                b'/' if line.get(i + 1) == Some(&b'/') => {
                    self.html.text(i);
                    self.html.open(LINE_COMMENT);
                    self.html.token(i + 2, COMMENT_MARK);
                    self.html.text(line.len());
                    self.html.close();
                    line.len()
                }
                b'/' if line.get(i + 1) == Some(&b'*') => {
                    self.html.text(i);
                    self.html.open(BLOCK_COMMENT);
                    self.html.token(i + 2, COMMENT_BEGIN);
                    self.in_comment = true;
                    self.comment_rest(i + 2)
                }
                b'"' => self.string(i),
                b'`' => {
                    self.html.text(i);
                    self.html.open(RAW);
                    self.html.token(i + 1, STRING_BEGIN);
                    self.in_raw = true;
                    self.prev = Prev::Other;
                    self.raw_rest(i + 1)
                }
                b'\'' => self.rune(i),
                b'0'..=b'9' => self.number(i),
                b'.' if line.get(i + 1).is_some_and(u8::is_ascii_digit) => self.number(i),
                b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => self.word(i, start),
                _ => self.punctuation(i),
            };
        }
    }

    fn comment_rest(&mut self, i: usize) -> usize {
        match find(self.line, i, b"*/") {
            Some(end) => {
                self.html.text(end);
                self.html.token(end + 2, COMMENT_END);
                self.html.close();
                self.in_comment = false;
                end + 2
            }
            None => self.line.len(),
        }
    }

    fn raw_rest(&mut self, i: usize) -> usize {
        match self.line[i.min(self.line.len())..]
            .iter()
            .position(|&b| b == b'`')
        {
            Some(p) => {
                let end = i + p;
                self.html.text(end);
                self.html.token(end + 1, STRING_END);
                self.html.close();
                self.in_raw = false;
                end + 1
            }
            None => self.line.len(),
        }
    }

    /// An interpreted string literal, with escapes and `fmt` placeholders; ends with its line.
    fn string(&mut self, i: usize) -> usize {
        let line = self.line;
        self.prev = Prev::Other;
        self.html.text(i);
        self.html.open(STRING);
        self.html.token(i + 1, STRING_BEGIN);
        let mut j = i + 1;
        while j < line.len() {
            match line[j] {
                b'\\' => {
                    self.html.text(j);
                    self.html.token(j + 2, ESCAPE);
                    j += 2;
                }
                b'%' => {
                    let end = placeholder(line, j);
                    if end > j + 1 {
                        self.html.text(j);
                        self.html.token(end, PLACEHOLDER);
                    }
                    j = end.max(j + 1);
                }
                b'"' => {
                    self.html.text(j);
                    self.html.token(j + 1, STRING_END);
                    self.html.close();
                    return j + 1;
                }
                _ => j += 1,
            }
        }
        self.html.text(line.len());
        self.html.close();
        line.len()
    }

    fn rune(&mut self, i: usize) -> usize {
        let line = self.line;
        let mut j = i + 1;
        while j < line.len() && line[j] != b'\'' {
            j += if line[j] == b'\\' { 2 } else { 1 };
        }
        let end = (j + 1).min(line.len());
        self.html.text(i);
        self.html.token(end, RUNE);
        self.prev = Prev::Other;
        end
    }

    fn number(&mut self, i: usize) -> usize {
        self.prev = Prev::Other;
        number(self.html, self.line, i, b"xX", &NUMBERS)
    }

    fn word(&mut self, i: usize, line_start: bool) -> usize {
        let line = self.line;
        let end = span_while(line, i, |b| is_word(b) || b >= 0x80);
        let word = &line[i..end];
        let keyword = match word {
            b"break" | b"case" | b"continue" | b"default" | b"defer" | b"else" | b"fallthrough"
            | b"for" | b"go" | b"goto" | b"if" | b"range" | b"return" | b"select" | b"switch" => {
                Some((CONTROL, Prev::Other))
            }
            b"package" => Some((PACKAGE, Prev::Other)),
            b"import" => Some((IMPORT, Prev::Other)),
            b"func" => Some((FUNC, Prev::Declares(FUNCTION_NAME))),
            b"type" => Some((TYPE_KEYWORD, Prev::Declares(TYPE_NAME))),
            b"var" => Some((VAR, Prev::Declares(DECLARATION))),
            b"const" => Some((CONST, Prev::Declares(DECLARATION))),
            b"struct" | b"interface" => {
                self.body_next = true;
                Some((
                    if word == b"struct" { STRUCT } else { INTERFACE },
                    Prev::Other,
                ))
            }
            b"map" => Some((MAP, Prev::Other)),
            b"chan" => Some((CHAN, Prev::TypePrefix)),
            b"true" | b"false" | b"nil" | b"iota" => Some((LANGUAGE, Prev::Other)),
            _ => None,
        };
        self.html.text(i);
        if let Some((class, prev)) = keyword {
            self.html.token(end, class);
            if word == b"func" {
                self.signature = 0;
                self.name_pending = true;
            }
            self.prev = prev;
            return end;
        }
        let next = span_while(line, end, |b| b == b' ' || b == b'\t');
        let after = line.get(next).copied();
        let in_body = self.braces.last() == Some(&Brace::Body);
        if word == b"_" {
            self.html.token(end, BLANK);
            self.prev = Prev::Other;
            return end;
        }
        if self.name_pending && self.signature == 0 && after == Some(b'(') {
            self.html.token(end, FUNCTION_NAME);
            self.name_pending = false;
            self.prev = Prev::FunctionName;
            return end;
        }
        if after == Some(b'{') && next == end && !matches!(self.prev, Prev::Dot) {
            // A composite literal: `Config{...}`, `[]string{...}`.
            if BUILTIN_TYPES.contains(&word) {
                self.builtin_type(end);
            } else {
                self.html.token(end, TYPE);
            }
            self.prev = Prev::Other;
            return end;
        }
        if after == Some(b'(') && next == end && !matches!(self.prev, Prev::Declares(_)) {
            // A call (or a conversion to a builtin type).
            self.html.open(CALL);
            if BUILTIN_FUNCTIONS.contains(&word) {
                self.html.token(end, BUILTIN_FUNCTION);
            } else if BUILTIN_TYPES.contains(&word) {
                self.html.token(end, BUILTIN_TYPE);
            } else {
                self.html.text(end);
            }
            self.html.close();
            self.prev = Prev::Other;
            return end;
        }
        let class = match self.prev {
            _ if BUILTIN_TYPES.contains(&word) => {
                self.builtin_type(end);
                self.prev = Prev::Name;
                return end;
            }
            Prev::Declares(class) => class,
            Prev::Dot if after == Some(b'{') && next == end => TYPE,
            Prev::Dot => MEMBER,
            // The package of a qualified type; in a signature every qualified name is a type,
            // as parameter names never are qualified (`func(context.Context) error`).
            Prev::TypePrefix | Prev::Name | Prev::CloseParen | Prev::Other
                if after == Some(b'.') && (self.prev != Prev::Other || self.signature > 0) =>
            {
                self.html.token(end, VARIABLE);
                self.prev = Prev::TypePackage;
                return end;
            }
            Prev::TypePrefix | Prev::Name | Prev::CloseParen | Prev::TypePackage => TYPE,
            Prev::FunctionName => VARIABLE,
            Prev::Other if in_body && line_start => FIELD,
            Prev::Other if self.signature > 0 && after != Some(b'.') => PARAMETER,
            Prev::Other if declares(line, end) => DECLARATION,
            Prev::Other => VARIABLE,
        };
        self.html.token(end, class);
        self.prev = match self.prev {
            Prev::Declares(_) if word_after_is_name(line, next) => Prev::Name,
            Prev::Dot
            | Prev::TypePrefix
            | Prev::CloseParen
            | Prev::Name
            | Prev::TypePackage
            | Prev::FunctionName => Prev::Other,
            _ if after.is_some_and(|b| is_word(b) || b == b'*' || b == b'[') && next > end => {
                Prev::Name
            }
            _ => Prev::Other,
        };
        end
    }

    /// A builtin type name up to `end`, in a type's span as syntect nests it.
    fn builtin_type(&mut self, end: usize) {
        self.html.open(TYPE);
        self.html.token(end, BUILTIN_TYPE);
        self.html.close();
    }

    fn punctuation(&mut self, i: usize) -> usize {
        let line = self.line;
        let b = line[i];
        let next = line.get(i + 1).copied();
        let (len, class, prev) = match b {
            b'(' => {
                // gofmt writes `func (r *T) Name(` for a method and `func(` for a literal,
                // which has no name to wait for.
                if self.prev == Prev::Declares(FUNCTION_NAME) && i > 0 && line[i - 1] != b' ' {
                    self.name_pending = false;
                }
                if matches!(
                    self.prev,
                    Prev::Declares(FUNCTION_NAME) | Prev::FunctionName
                ) || self.signature > 0
                {
                    self.signature += 1;
                }
                // A type assertion, `x.(T)`, holds a type.
                let prev = if self.prev == Prev::Dot {
                    Prev::TypePrefix
                } else {
                    Prev::Other
                };
                (1, PARENS_BEGIN, prev)
            }
            b')' => {
                let prev = if self.signature > 0 {
                    self.signature -= 1;
                    if line.get(i + 1) == Some(&b' ') {
                        Prev::CloseParen
                    } else {
                        Prev::Other
                    }
                } else {
                    Prev::Other
                };
                (1, PARENS_END, prev)
            }
            b'[' => (1, BRACKETS_BEGIN, Prev::Other),
            b']' => {
                let prev = if next.is_some_and(|c| is_word(c) || c == b'*') {
                    Prev::TypePrefix
                } else {
                    Prev::Other
                };
                (1, BRACKETS_END, prev)
            }
            b'{' => {
                self.braces.push(if self.body_next {
                    Brace::Body
                } else {
                    Brace::Block
                });
                self.body_next = false;
                self.signature = 0;
                self.name_pending = false;
                (1, BRACES_BEGIN, Prev::Other)
            }
            b'}' => {
                self.braces.pop();
                (1, BRACES_END, Prev::Other)
            }
            b',' => (1, SEPARATOR, Prev::Other),
            b';' => (1, TERMINATOR, Prev::Other),
            b'.' => {
                let len = if line[i..].starts_with(b"...") { 3 } else { 1 };
                let prev = if len == 3 || self.prev == Prev::TypePackage {
                    Prev::TypePrefix
                } else {
                    Prev::Dot
                };
                (len, ACCESSOR, prev)
            }
            b'*' if next.is_some_and(|c| is_word(c) || c == b'[')
                && (i == 0 || !is_word(line[i - 1]) && line[i - 1] != b')') =>
            {
                (1, OPERATOR, Prev::TypePrefix)
            }
            b'&' if next == Some(b'^') => (2, OPERATOR, Prev::Other),
            _ if b"+-*/%&|^<>=!:~".contains(&b) => {
                let len = span_while(line, i, |c| b"+-*/%&|^<>=!:~".contains(&c)) - i;
                let op = &line[i..i + len];
                let assignment = op == b":="
                    || op == b"="
                    || (op.len() >= 2
                        && op.ends_with(b"=")
                        && !matches!(op, b"==" | b"!=" | b"<=" | b">="));
                let class = if assignment {
                    ASSIGNMENT
                } else if op == b":" {
                    SEPARATOR
                } else {
                    OPERATOR
                };
                (len, class, Prev::Other)
            }
            _ => {
                self.prev = Prev::Other;
                return i + 1;
            }
        };
        self.html.text(i);
        self.html.token(i + len, class);
        self.prev = prev;
        i + len
    }
}

/// Whether the name ending at `end` is declared by `:=` (`a, err := f()`).
fn declares(line: &[u8], end: usize) -> bool {
    let mut j = end;
    loop {
        j = span_while(line, j, |b| b == b' ');
        match line.get(j) {
            Some(b':') => return line.get(j + 1) == Some(&b'='),
            Some(b',') => {
                j = span_while(line, j + 1, |b| b == b' ');
                let name = span_while(line, j, is_word);
                if name == j {
                    return false;
                }
                j = name;
            }
            _ => return false,
        }
    }
}

/// Whether a name follows at `i` (the type in `var x int`).
fn word_after_is_name(line: &[u8], i: usize) -> bool {
    line.get(i)
        .is_some_and(|&b| is_word(b) || b == b'*' || b == b'[')
}

/// The end of a `fmt` verb starting with `%` at `i` (`%v`, `%-8.3f`, `%+v`, `%%`).
fn placeholder(line: &[u8], i: usize) -> usize {
    let j = span_while(line, i + 1, |b| b"+-# 0".contains(&b));
    let j = span_while(line, j, |b| b.is_ascii_digit() || b == b'.' || b == b'*');
    match line.get(j) {
        Some(b) if b.is_ascii_alphabetic() || *b == b'%' => j + 1,
        _ => i + 1,
    }
}
