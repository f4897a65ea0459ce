//! Python, with the scopes of syntect's Python syntax: keywords, `def`/`class` and their names,
//! parameters, decorators, builtins, calls, strings with prefixes (`f`, `r`, `b`), f-string
//! interpolation, triple-quoted strings and docstrings (which span lines), numbers.

use super::html::Html;
use super::{Numbers, is_word, lines, number, span_while};

const ROOT: &str = "hl-source hl-python";
const COMMENT: &str = "hl-comment hl-line hl-number-sign hl-python";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-python";
const DOCSTRING: &str = "hl-comment hl-block hl-documentation hl-python";
const DOCSTRING_BEGIN: &str = "hl-punctuation hl-definition hl-comment hl-begin hl-python";
const DOCSTRING_END: &str = "hl-punctuation hl-definition hl-comment hl-end hl-python";
const DOUBLE: &str = "hl-string hl-quoted hl-double hl-python";
const SINGLE: &str = "hl-string hl-quoted hl-single hl-python";
const DOUBLE_BLOCK: &str = "hl-string hl-quoted hl-double hl-block hl-python";
const SINGLE_BLOCK: &str = "hl-string hl-quoted hl-single hl-block hl-python";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-python";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-python";
const PREFIX: &str = "hl-storage hl-type hl-string hl-python";
const ESCAPE: &str = "hl-constant hl-character hl-escape hl-python";
const PLACEHOLDER: &str = "hl-constant hl-other hl-placeholder hl-python";
const PLACEHOLDER_BEGIN: &str = "hl-punctuation hl-definition hl-placeholder hl-begin hl-python";
const PLACEHOLDER_END: &str = "hl-punctuation hl-definition hl-placeholder hl-end hl-python";
const INTERPOLATION: &str = "hl-meta hl-interpolation hl-python";
const INTERPOLATION_BEGIN: &str = "hl-punctuation hl-section hl-interpolation hl-begin hl-python";
const INTERPOLATION_END: &str = "hl-punctuation hl-section hl-interpolation hl-end hl-python";
const FORMAT_SPEC: &str = "hl-constant hl-other hl-format-spec hl-python";
const CONVERSION: &str = "hl-storage hl-modifier hl-conversion hl-python";
const INTEGER: &str = "hl-constant hl-numeric hl-integer hl-decimal hl-python";
const HEX: &str = "hl-constant hl-numeric hl-integer hl-hexadecimal hl-python";
const BASE: &str = "hl-punctuation hl-definition hl-numeric hl-base hl-python";
const FLOAT: &str = "hl-constant hl-numeric hl-float hl-decimal hl-python";
const DECIMAL_POINT: &str = "hl-punctuation hl-separator hl-decimal hl-python";
const NUMBERS: Numbers = Numbers {
    integer: INTEGER,
    hex: HEX,
    base: BASE,
    float: FLOAT,
    decimal_point: DECIMAL_POINT,
};
const LANGUAGE: &str = "hl-constant hl-language hl-python";
const SELF: &str = "hl-variable hl-language hl-python";
const IMPORT: &str = "hl-keyword hl-control hl-import hl-python";
const IMPORT_FROM: &str = "hl-keyword hl-control hl-import hl-from hl-python";
const CONDITIONAL: &str = "hl-keyword hl-control hl-conditional hl-python";
const LOOP: &str = "hl-keyword hl-control hl-loop hl-python";
const FLOW: &str = "hl-keyword hl-control hl-flow hl-python";
const EXCEPTION: &str = "hl-keyword hl-control hl-exception hl-python";
const OTHER_KEYWORD: &str = "hl-keyword hl-other hl-python";
const LOGICAL: &str = "hl-keyword hl-operator hl-logical hl-python";
const MODIFIER: &str = "hl-storage hl-modifier hl-python";
const FUNCTION: &str = "hl-storage hl-type hl-function hl-python";
const CLASS: &str = "hl-storage hl-type hl-class hl-python";
const LAMBDA: &str = "hl-storage hl-type hl-function hl-inline hl-python";
const DECLARATION_FUNCTION: &str = "hl-keyword hl-declaration hl-function hl-python";
const DECLARATION_CLASS: &str = "hl-keyword hl-declaration hl-class hl-python";
const FUNCTION_NAME: &str = "hl-entity hl-name hl-function hl-python";
const CLASS_NAME: &str = "hl-entity hl-name hl-class hl-python";
const INHERITED: &str = "hl-entity hl-other hl-inherited-class hl-python";
const PARAMETER: &str = "hl-variable hl-parameter hl-python";
const CALL: &str = "hl-variable hl-function hl-python";
const FUNCTION_CALL: &str = "hl-meta hl-function-call hl-python";
const ARGUMENTS: &str = "hl-meta hl-function-call hl-arguments hl-python";
const CONSTANT: &str = "hl-variable hl-other hl-constant hl-python";
const MAGIC_VARIABLE: &str = "hl-support hl-variable hl-magic hl-python";
const MAGIC_FUNCTION: &str = "hl-support hl-function hl-magic hl-python";
const BUILTIN_FUNCTION: &str = "hl-support hl-function hl-builtin hl-python";
const BUILTIN_TYPE: &str = "hl-support hl-type hl-python";
const EXCEPTION_TYPE: &str = "hl-support hl-type hl-exception hl-python";
const DECORATOR: &str = "hl-meta hl-annotation hl-python";
const DECORATOR_MARK: &str = "hl-punctuation hl-definition hl-annotation hl-python";
const DECORATOR_NAME: &str = "hl-variable hl-annotation hl-function hl-python";
const ARITHMETIC: &str = "hl-keyword hl-operator hl-arithmetic hl-python";
const COMPARISON: &str = "hl-keyword hl-operator hl-comparison hl-python";
const ASSIGNMENT: &str = "hl-keyword hl-operator hl-assignment hl-python";
const ANNOTATION: &str = "hl-punctuation hl-separator hl-annotation hl-python";
const RETURN_ANNOTATION: &str = "hl-punctuation hl-separator hl-annotation hl-return hl-python";
const ACCESSOR: &str = "hl-punctuation hl-accessor hl-dot hl-python";
const SEPARATOR: &str = "hl-punctuation hl-separator hl-python";
const BLOCK: &str = "hl-punctuation hl-section hl-block hl-python";
const GROUP_BEGIN: &str = "hl-punctuation hl-section hl-group hl-begin hl-python";
const GROUP_END: &str = "hl-punctuation hl-section hl-group hl-end hl-python";

const BUILTIN_FUNCTIONS: &[&[u8]] = &[
    b"abs",
    b"aiter",
    b"all",
    b"anext",
    b"any",
    b"ascii",
    b"bin",
    b"breakpoint",
    b"callable",
    b"chr",
    b"classmethod",
    b"compile",
    b"delattr",
    b"dir",
    b"divmod",
    b"enumerate",
    b"eval",
    b"exec",
    b"filter",
    b"format",
    b"getattr",
    b"globals",
    b"hasattr",
    b"hash",
    b"help",
    b"hex",
    b"id",
    b"input",
    b"isinstance",
    b"issubclass",
    b"iter",
    b"len",
    b"locals",
    b"map",
    b"max",
    b"min",
    b"next",
    b"oct",
    b"open",
    b"ord",
    b"pow",
    b"print",
    b"property",
    b"range",
    b"repr",
    b"reversed",
    b"round",
    b"setattr",
    b"sorted",
    b"staticmethod",
    b"sum",
    b"super",
    b"type",
    b"vars",
    b"zip",
    b"__import__",
];
const BUILTIN_TYPES: &[&[u8]] = &[
    b"bool",
    b"bytearray",
    b"bytes",
    b"complex",
    b"dict",
    b"float",
    b"frozenset",
    b"int",
    b"list",
    b"memoryview",
    b"object",
    b"set",
    b"slice",
    b"str",
    b"tuple",
];
/// Python's builtin exception and warning classes (user-defined `*Error` classes are not).
const BUILTIN_EXCEPTIONS: &[&[u8]] = &[
    b"ArithmeticError",
    b"AssertionError",
    b"AttributeError",
    b"BaseException",
    b"BaseExceptionGroup",
    b"BlockingIOError",
    b"BrokenPipeError",
    b"BufferError",
    b"BytesWarning",
    b"ChildProcessError",
    b"ConnectionAbortedError",
    b"ConnectionError",
    b"ConnectionRefusedError",
    b"ConnectionResetError",
    b"DeprecationWarning",
    b"EOFError",
    b"EncodingWarning",
    b"EnvironmentError",
    b"Exception",
    b"ExceptionGroup",
    b"FileExistsError",
    b"FileNotFoundError",
    b"FloatingPointError",
    b"FutureWarning",
    b"GeneratorExit",
    b"IOError",
    b"ImportError",
    b"ImportWarning",
    b"IndentationError",
    b"IndexError",
    b"InterruptedError",
    b"IsADirectoryError",
    b"KeyError",
    b"KeyboardInterrupt",
    b"LookupError",
    b"MemoryError",
    b"ModuleNotFoundError",
    b"NameError",
    b"NotADirectoryError",
    b"NotImplementedError",
    b"OSError",
    b"OverflowError",
    b"PendingDeprecationWarning",
    b"PermissionError",
    b"ProcessLookupError",
    b"RecursionError",
    b"ReferenceError",
    b"ResourceWarning",
    b"RuntimeError",
    b"RuntimeWarning",
    b"StopAsyncIteration",
    b"StopIteration",
    b"SyntaxError",
    b"SyntaxWarning",
    b"SystemError",
    b"SystemExit",
    b"TabError",
    b"TimeoutError",
    b"TypeError",
    b"UnboundLocalError",
    b"UnicodeDecodeError",
    b"UnicodeEncodeError",
    b"UnicodeError",
    b"UnicodeTranslateError",
    b"UnicodeWarning",
    b"UserWarning",
    b"ValueError",
    b"Warning",
    b"ZeroDivisionError",
];

/// What the previous significant token was.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    Other,
    Def,
    Class,
    /// The name after `def`: its parameter list follows.
    FunctionName,
    ClassName,
    Dot,
    At,
}

/// What an open bracket is, for the names inside it.
#[derive(Clone, Copy, PartialEq)]
enum Bracket {
    Parameters,
    Bases,
    /// A call's arguments, in a span opened at this depth.
    Call(usize),
    Other,
}

/// A string still open at the end of a line.
#[derive(Clone, Copy, PartialEq)]
struct Open {
    quote: u8,
    triple: bool,
    raw: bool,
    format: bool,
    docstring: bool,
}

struct Lexer<'a, 'h> {
    html: &'h mut Html<'a>,
    line: &'a [u8],
    prev: Prev,
    brackets: Vec<Bracket>,
    string: Option<Open>,
    /// In a parameter list, before the `:` or `=` of the current parameter.
    expecting_parameter: bool,
    /// Inside a dotted call target (`os.environ.get(`), all of which is in the call's span,
    /// opened at this depth.
    chain: Option<usize>,
}

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut lexer = Lexer {
        html: &mut html,
        line: b"",
        prev: Prev::Other,
        brackets: Vec::new(),
        string: None,
        expecting_parameter: false,
        chain: None,
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
        if let Some(open) = self.string {
            i = self.string_body(0, open);
        }
        let mut statement_start = self.brackets.is_empty();
        while i < line.len() {
            let b = line[i];
            if matches!(b, b' ' | b'\t' | b'\r' | b'\x0c') {
                i += 1;
                continue;
            }
            let at_start = statement_start;
            statement_start = false;
            i = match b {
                b'#' => {
                    self.html.text(i);
                    self.html.open(COMMENT);
                    self.html.token(i + 1, COMMENT_MARK);
                    self.html.text(line.len());
                    self.html.close();
                    line.len()
                }
                b'"' | b'\'' => self.string(i, i, at_start),
                b'0'..=b'9' => self.number(i),
                b'.' if line.get(i + 1).is_some_and(u8::is_ascii_digit) => self.number(i),
                b'@' if at_start => {
                    self.html.text(i);
                    self.html.open(DECORATOR);
                    self.html.token(i + 1, DECORATOR_MARK);
                    let end = span_while(line, i + 1, |c| is_word(c) || c == b'.' || c >= 0x80);
                    if BUILTIN_FUNCTIONS.contains(&&line[i + 1..end]) {
                        self.html.token(end, BUILTIN_FUNCTION);
                    } else {
                        self.html.token(end, DECORATOR_NAME);
                    }
                    self.html.close();
                    self.prev = Prev::At;
                    end
                }
                b if is_word(b) || b >= 0x80 => self.word(i),
                _ => self.punctuation(i),
            };
        }
        if let Some(depth) = self.chain.take() {
            self.html.text(line.len());
            self.html.close_to(depth);
        }
        if self.brackets.is_empty() && self.string.is_none() {
            self.prev = Prev::Other;
        }
    }

    /// A string whose prefix starts at `start` and quote is at `i`.
    fn string(&mut self, start: usize, i: usize, at_start: bool) -> usize {
        let line = self.line;
        let prefix = line[start..i].to_ascii_lowercase();
        let quote = line[i];
        let triple = line.get(i + 1) == Some(&quote) && line.get(i + 2) == Some(&quote);
        let open = Open {
            quote,
            triple,
            raw: prefix.contains(&b'r'),
            format: prefix.contains(&b'f'),
            docstring: triple && at_start && prefix.is_empty(),
        };
        self.html.text(start);
        self.html.token(i, PREFIX);
        let quote_end = i + if triple { 3 } else { 1 };
        if open.docstring {
            self.html.open(DOCSTRING);
            self.html.token(quote_end, DOCSTRING_BEGIN);
        } else {
            self.html.open(string_class(open));
            self.html.token(quote_end, STRING_BEGIN);
        }
        self.prev = Prev::Other;
        self.string_body(quote_end, open)
    }

    /// Inside a string (its span open) from `i`: to its closing quote, or to the end of the line
    /// for a triple-quoted string (or one continued with `\`).
    fn string_body(&mut self, i: usize, open: Open) -> usize {
        let line = self.line;
        let braces = open.format || !open.raw && !open.docstring;
        let mut j = i;
        while j < line.len() {
            let b = line[j];
            if b == open.quote
                && (!open.triple || (line.get(j + 1) == Some(&b) && line.get(j + 2) == Some(&b)))
            {
                let end = j + if open.triple { 3 } else { 1 };
                self.html.text(j);
                let mark = if open.docstring {
                    DOCSTRING_END
                } else {
                    STRING_END
                };
                self.html.token(end, mark);
                self.html.close();
                self.string = None;
                return end;
            }
            match b {
                b'\\' if !open.raw => {
                    self.html.text(j);
                    self.html.token(j + 2, ESCAPE);
                    j += 2;
                }
                b'\\' => j += 2,
                // `{{` and `}}` stand for braces in f-strings and in `str.format` templates.
                b'{' | b'}' if braces && line.get(j + 1) == Some(&b) => {
                    self.html.text(j);
                    self.html.token(j + 2, ESCAPE);
                    j += 2;
                }
                b'{' if open.format => j = self.interpolation(j, open),
                b'{' if braces => j = self.format_placeholder(j, open.quote),
                b'%' if !open.format && !open.docstring => {
                    let end = placeholder(line, j);
                    if end > j + 1 {
                        self.html.text(j);
                        self.html.token(end, PLACEHOLDER);
                    }
                    j = end.max(j + 1);
                }
                _ => j += 1,
            }
        }
        // A one-line string goes on only after a `\`; otherwise it ends (unterminated) here.
        let continued = open.triple || line.last() == Some(&b'\\');
        if continued {
            self.string = Some(open);
        } else {
            self.html.text(line.len());
            self.html.close();
            self.string = None;
        }
        line.len()
    }

    /// `{expression!r:spec}` in an f-string, from its `{` at `i`, on one line. As in syntect,
    /// the string's span closes around it: the expression is code, not string.
    fn interpolation(&mut self, i: usize, open: Open) -> usize {
        let line = self.line;
        let quote = open.quote;
        self.html.text(i);
        self.html.close();
        self.html.open(INTERPOLATION);
        self.html.token(i + 1, INTERPOLATION_BEGIN);
        let mut j = i + 1;
        let mut depth = 0u32;
        while j < line.len() {
            let b = line[j];
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    j += 1;
                }
                b')' | b']' => {
                    depth = depth.saturating_sub(1);
                    j += 1;
                }
                b'}' if depth > 0 => {
                    depth -= 1;
                    j += 1;
                }
                b'}' => break,
                b'!' if depth == 0 && line.get(j + 1) != Some(&b'=') => {
                    self.html.text(j);
                    self.html.token(j + 2, CONVERSION);
                    j += 2;
                }
                b':' if depth == 0 => {
                    let end = span_while(line, j, |c| c != b'}' && c != quote);
                    self.html.text(j);
                    self.html.token(end, FORMAT_SPEC);
                    j = end;
                }
                b'\'' | b'"' if b != quote => {
                    let end = line[j + 1..]
                        .iter()
                        .position(|&c| c == b)
                        .map_or(line.len(), |p| j + 2 + p);
                    self.html.text(j);
                    self.html
                        .token(end, if b == b'"' { DOUBLE } else { SINGLE });
                    j = end;
                }
                _ if b == quote => break,
                b'0'..=b'9' => {
                    let end = span_while(line, j, |c| is_word(c) || c == b'.');
                    self.html.text(j);
                    self.html.token(end, INTEGER);
                    j = end;
                }
                _ if is_word(b) => {
                    let end = span_while(line, j, is_word);
                    let word = &line[j..end];
                    let class = match word {
                        b"True" | b"False" | b"None" => Some(LANGUAGE),
                        b"self" | b"cls" => Some(SELF),
                        _ if line.get(end) == Some(&b'(') => Some(CALL),
                        _ => None,
                    };
                    if let Some(class) = class {
                        self.html.text(j);
                        self.html.token(end, class);
                    }
                    j = end;
                }
                b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' => {
                    self.html.text(j);
                    self.html.token(j + 1, ARITHMETIC);
                    j += 1;
                }
                _ => j += 1,
            }
        }
        if line.get(j) == Some(&b'}') {
            self.html.text(j);
            self.html.token(j + 1, INTERPOLATION_END);
            j += 1;
        }
        self.html.text(j);
        self.html.close();
        self.html.open(string_class(open));
        j
    }

    /// A `str.format` replacement field (`{}`, `{0}`, `{name!r:>10}`, `{a[1].b}`) from its `{`
    /// at `i`, if one is there; otherwise the `{` is text.
    fn format_placeholder(&mut self, i: usize, quote: u8) -> usize {
        let line = self.line;
        let field = span_while(line, i + 1, |b| is_word(b) || b"[].".contains(&b));
        let mut conversion = field;
        if line.get(field) == Some(&b'!') && line.get(field + 1).is_some_and(|b| b"rsa".contains(b))
        {
            conversion = field + 2;
        }
        let mut close = conversion;
        if line.get(conversion) == Some(&b':') {
            close = span_while(line, conversion, |b| !b"{}\\".contains(&b) && b != quote);
        }
        if line.get(close) != Some(&b'}') {
            return i + 1;
        }
        self.html.text(i);
        self.html.open(PLACEHOLDER);
        self.html.token(i + 1, PLACEHOLDER_BEGIN);
        self.html.text(field);
        self.html.token(conversion, CONVERSION);
        self.html.token(close, FORMAT_SPEC);
        self.html.token(close + 1, PLACEHOLDER_END);
        self.html.close();
        close + 1
    }

    fn number(&mut self, i: usize) -> usize {
        self.prev = Prev::Other;
        number(self.html, self.line, i, b"xXoObB", &NUMBERS)
    }

    fn word(&mut self, i: usize) -> usize {
        let line = self.line;
        let end = span_while(line, i, |b| is_word(b) || b >= 0x80);
        // A string prefix: `f"..."`, `rb'...'`.
        if end - i <= 2
            && matches!(line.get(end), Some(b'"' | b'\''))
            && line[i..end].iter().all(|b| b"rRbBfFuU".contains(b))
        {
            return self.string(i, end, false);
        }
        let word = &line[i..end];
        let keyword = match word {
            b"import" => Some(IMPORT),
            b"from" => Some(IMPORT_FROM),
            b"if" | b"elif" | b"else" => Some(CONDITIONAL),
            b"for" | b"while" => Some(LOOP),
            b"return" | b"yield" | b"pass" | b"break" | b"continue" | b"raise" | b"with" => {
                Some(FLOW)
            }
            b"try" | b"except" | b"finally" => Some(EXCEPTION),
            b"as" | b"del" | b"assert" | b"await" => Some(OTHER_KEYWORD),
            b"and" | b"or" | b"not" | b"is" | b"in" => Some(LOGICAL),
            b"global" | b"nonlocal" | b"async" => Some(MODIFIER),
            b"True" | b"False" | b"None" | b"NotImplemented" | b"Ellipsis" | b"__debug__" => {
                Some(LANGUAGE)
            }
            _ => None,
        };
        self.html.text(i);
        if let Some(class) = keyword {
            self.html.token(end, class);
            self.prev = Prev::Other;
            return end;
        }
        match word {
            b"def" | b"class" | b"lambda" => {
                let (outer, inner) = match word {
                    b"def" => (FUNCTION, DECLARATION_FUNCTION),
                    b"class" => (CLASS, DECLARATION_CLASS),
                    _ => (LAMBDA, DECLARATION_FUNCTION),
                };
                self.html.open(outer);
                self.html.token(end, inner);
                self.html.close();
                self.prev = match word {
                    b"def" => Prev::Def,
                    b"class" => Prev::Class,
                    _ => Prev::Other,
                };
                return end;
            }
            _ => {}
        }
        let next = span_while(line, end, |b| b == b' ');
        let after = line.get(next).copied();
        let bracket = self.brackets.last().copied();
        if self.chain.is_none() && self.prev != Prev::Dot && after == Some(b'.') {
            let mut j = end;
            while line.get(j) == Some(&b'.') && line.get(j + 1).is_some_and(|&b| is_word(b)) {
                j = span_while(line, j + 1, is_word);
            }
            if line.get(j) == Some(&b'(') {
                self.chain = Some(self.html.depth());
                self.html.open(FUNCTION_CALL);
            }
        }
        let class = match self.prev {
            Prev::Def => {
                self.prev = Prev::FunctionName;
                if word.starts_with(b"__") && word.ends_with(b"__") {
                    self.html.open(FUNCTION_NAME);
                    self.html.token(end, MAGIC_FUNCTION);
                    self.html.close();
                } else {
                    self.html.token(end, FUNCTION_NAME);
                }
                return end;
            }
            Prev::Class => {
                self.prev = Prev::ClassName;
                self.html.token(end, CLASS_NAME);
                return end;
            }
            _ if bracket == Some(Bracket::Parameters) && self.expecting_parameter => {
                self.expecting_parameter = false;
                Some(PARAMETER)
            }
            _ if word == b"self" || word == b"cls" => Some(SELF),
            _ if bracket == Some(Bracket::Bases)
                && after != Some(b'.')
                && self.prev != Prev::Dot =>
            {
                Some(INHERITED)
            }
            _ if matches!(bracket, Some(Bracket::Call(_)))
                && after == Some(b'=')
                && line.get(next + 1) != Some(&b'=') =>
            {
                Some(PARAMETER)
            }
            _ if after == Some(b'(') && next == end => {
                let chain = self.chain.take();
                if chain.is_none() {
                    self.html.open(FUNCTION_CALL);
                }
                self.html.open(CALL);
                if self.prev != Prev::Dot && BUILTIN_FUNCTIONS.contains(&word) {
                    self.html.token(end, BUILTIN_FUNCTION);
                } else if self.prev != Prev::Dot && BUILTIN_TYPES.contains(&word) {
                    self.html.token(end, BUILTIN_TYPE);
                } else if self.prev != Prev::Dot && is_exception(word) {
                    self.html.token(end, EXCEPTION_TYPE);
                } else {
                    self.html.text(end);
                }
                self.html.close();
                match chain {
                    Some(depth) => self.html.close_to(depth),
                    None => self.html.close(),
                }
                self.prev = Prev::Other;
                return end;
            }
            _ if word.starts_with(b"__") && word.ends_with(b"__") && word.len() > 4 => {
                Some(MAGIC_VARIABLE)
            }
            _ if is_constant(word) => Some(CONSTANT),
            Prev::Dot => None,
            _ if BUILTIN_FUNCTIONS.contains(&word) => Some(BUILTIN_FUNCTION),
            _ if BUILTIN_TYPES.contains(&word) => Some(BUILTIN_TYPE),
            _ if is_exception(word) => Some(EXCEPTION_TYPE),
            _ => None,
        };
        match class {
            Some(class) => self.html.token(end, class),
            None => self.html.text(end),
        }
        self.prev = Prev::Other;
        end
    }

    fn punctuation(&mut self, i: usize) -> usize {
        let line = self.line;
        let b = line[i];
        let run = |set: &[u8]| span_while(line, i, |c| set.contains(&c));
        let (end, class) = match b {
            b'(' | b'[' | b'{' => {
                let kind = match (b, self.prev) {
                    (b'(', Prev::FunctionName) => {
                        self.expecting_parameter = true;
                        Bracket::Parameters
                    }
                    (b'(', Prev::ClassName) => Bracket::Bases,
                    (b'(', _) if i > 0 && (is_word(line[i - 1]) || line[i - 1] == b')') => {
                        self.html.text(i);
                        let depth = self.html.depth();
                        self.html.open(ARGUMENTS);
                        Bracket::Call(depth)
                    }
                    _ => Bracket::Other,
                };
                self.brackets.push(kind);
                (i + 1, GROUP_BEGIN)
            }
            b')' | b']' | b'}' => {
                if let Some(Bracket::Call(depth)) = self.brackets.pop() {
                    self.html.text(i);
                    self.html.token(i + 1, GROUP_END);
                    self.html.close_to(depth);
                    self.prev = Prev::Other;
                    return i + 1;
                }
                (i + 1, GROUP_END)
            }
            b',' => {
                if self.brackets.last() == Some(&Bracket::Parameters) {
                    self.expecting_parameter = true;
                }
                (i + 1, SEPARATOR)
            }
            b'.' => {
                self.html.text(i);
                self.html.token(i + 1, ACCESSOR);
                self.prev = Prev::Dot;
                return i + 1;
            }
            b':' if line.get(i + 1) == Some(&b'=') => (i + 2, ASSIGNMENT),
            b':' => {
                let in_parameters = self.brackets.last() == Some(&Bracket::Parameters);
                let class = if in_parameters || self.brackets.is_empty() && !ends_block(line, i) {
                    ANNOTATION
                } else if self.brackets.is_empty() {
                    BLOCK
                } else {
                    SEPARATOR
                };
                (i + 1, class)
            }
            b'-' if line.get(i + 1) == Some(&b'>') => (i + 2, RETURN_ANNOTATION),
            b'*' if self.brackets.last() == Some(&Bracket::Parameters) => (run(b"*"), ARITHMETIC),
            b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^'
            | b'~' | b'@' => {
                let end = run(b"=!<>+-*/%&|^~@");
                let op = &line[i..end];
                let class = match op {
                    b"==" | b"!=" | b"<" | b">" | b"<=" | b">=" => COMPARISON,
                    _ if op.ends_with(b"=") => ASSIGNMENT,
                    _ => ARITHMETIC,
                };
                (end, class)
            }
            b';' => (i + 1, SEPARATOR),
            _ => {
                self.prev = Prev::Other;
                return i + 1;
            }
        };
        self.html.text(i);
        self.html.token(end, class);
        self.prev = Prev::Other;
        end
    }
}

fn string_class(open: Open) -> &'static str {
    match (open.quote == b'"', open.triple) {
        (true, false) => DOUBLE,
        (false, false) => SINGLE,
        (true, true) => DOUBLE_BLOCK,
        (false, true) => SINGLE_BLOCK,
    }
}

/// Whether the `:` at `i` ends a block header (`if x:`, `def f():`), rather than annotating a
/// variable (`x: int = 3`): only spaces or a comment follow it.
fn ends_block(line: &[u8], i: usize) -> bool {
    let j = span_while(line, i + 1, |b| b == b' ' || b == b'\t' || b == b'\r');
    j == line.len() || line[j] == b'#' || {
        // `if x: return y` on one line, or a lambda: a keyword starts the header.
        let first = span_while(line, 0, |b| b == b' ' || b == b'\t');
        let word = &line[first..span_while(line, first, is_word)];
        matches!(
            word,
            b"if"
                | b"elif"
                | b"else"
                | b"for"
                | b"while"
                | b"try"
                | b"except"
                | b"finally"
                | b"with"
                | b"def"
                | b"class"
                | b"async"
                | b"lambda"
                | b"match"
                | b"case"
        )
    }
}

/// `MAX_RETRIES`: a name in capitals, by convention a constant.
fn is_constant(word: &[u8]) -> bool {
    word.iter().any(u8::is_ascii_uppercase)
        && word
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

/// Builtin exception names: `ValueError`, `KeyboardInterrupt`...
fn is_exception(word: &[u8]) -> bool {
    BUILTIN_EXCEPTIONS.contains(&word)
}

/// The end of a `%` placeholder starting at `i` (`%s`, `%(name)s`, `%-8.3f`).
fn placeholder(line: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    if line.get(j) == Some(&b'(') {
        match line[j..].iter().position(|&b| b == b')') {
            Some(p) => j += p + 1,
            None => return i + 1,
        }
    }
    let j = span_while(line, j, |b| b"+-# 0".contains(&b));
    let j = span_while(line, j, |b| b.is_ascii_digit() || b == b'.' || b == b'*');
    match line.get(j) {
        Some(b) if b"sdifFeEgGxXorcab%".contains(b) => j + 1,
        _ => i + 1,
    }
}
