//! Bash (sh, zsh), and console sessions (`$ ` or `# ` prompt lines are shell, other lines output),
//! with the scopes of syntect's Bash syntax: command names, builtins, options, quoting,
//! expansions (`$x`, `${x:-y}`, `$(...)`, `$((...))`, backticks), keywords, redirections and
//! heredocs.
//!
//! Nesting (`"$(echo "${a:-$(b)}")"`) is an explicit stack of contexts, so deep input cannot
//! overflow the call stack. Each context remembers how many spans were open when it began and
//! closes back to that depth when it ends, so a span never outlives its construct.

use super::html::Html;
use super::{is_space, lines, span_while};

const ROOT: &str = "hl-source hl-shell hl-bash";
const COMMENT: &str = "hl-comment hl-line hl-number-sign hl-shell";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-begin hl-shell";
const CALL: &str = "hl-meta hl-function-call hl-shell";
const COMMAND: &str = "hl-variable hl-function hl-shell";
const BUILTIN: &str = "hl-support hl-function hl-shell";
const ARGUMENTS: &str = "hl-meta hl-function-call hl-arguments hl-shell";
const OPTION: &str = "hl-variable hl-parameter hl-option hl-shell";
const OPTION_MARK: &str = "hl-punctuation hl-definition hl-parameter hl-shell";
const OPTION_ASSIGN: &str = "hl-keyword hl-operator hl-assignment hl-option hl-shell";
const END_OF_OPTIONS: &str = "hl-keyword hl-operator hl-end-of-options hl-shell";
const DOUBLE: &str = "hl-string hl-quoted hl-double hl-shell";
const SINGLE: &str = "hl-string hl-quoted hl-single hl-shell";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-shell";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-shell";
const ESCAPE: &str = "hl-constant hl-character hl-escape hl-shell";
const PARAMETER: &str = "hl-meta hl-group hl-expansion hl-parameter hl-shell";
const VARIABLE_MARK: &str = "hl-punctuation hl-definition hl-variable hl-shell";
const VARIABLE: &str = "hl-variable hl-other hl-readwrite hl-shell";
const SPECIAL: &str = "hl-variable hl-language hl-shell";
const PARAMETER_BEGIN: &str =
    "hl-punctuation hl-section hl-expansion hl-parameter hl-begin hl-shell";
const PARAMETER_END: &str = "hl-punctuation hl-section hl-expansion hl-parameter hl-end hl-shell";
const PARAMETER_OPERATOR: &str = "hl-keyword hl-operator hl-assignment hl-shell";
const SUBSTITUTION: &str = "hl-meta hl-group hl-expansion hl-command hl-parens hl-shell";
const BACKTICKS: &str = "hl-meta hl-group hl-expansion hl-command hl-backticks hl-shell";
const ARITHMETIC: &str = "hl-meta hl-group hl-expansion hl-arithmetic hl-shell";
const PARENS_BEGIN: &str = "hl-punctuation hl-section hl-parens hl-begin hl-shell";
const PARENS_END: &str = "hl-punctuation hl-section hl-parens hl-end hl-shell";
const GROUP_BEGIN: &str = "hl-punctuation hl-section hl-group hl-begin hl-shell";
const GROUP_END: &str = "hl-punctuation hl-section hl-group hl-end hl-shell";
const BRACE_BEGIN: &str = "hl-punctuation hl-section hl-braces hl-begin hl-shell";
const BRACE_END: &str = "hl-punctuation hl-section hl-braces hl-end hl-shell";
const NUMBER: &str = "hl-constant hl-numeric hl-integer hl-decimal hl-shell";
const ARITHMETIC_OPERATOR: &str = "hl-keyword hl-operator hl-arithmetic hl-shell";
const CONDITIONAL: &str = "hl-keyword hl-control hl-conditional hl-shell";
const LOOP: &str = "hl-keyword hl-control hl-loop hl-shell";
const IN: &str = "hl-keyword hl-control hl-in hl-shell";
const FLOW: &str = "hl-keyword hl-control hl-flow hl-shell";
const FUNCTION: &str = "hl-storage hl-type hl-function hl-shell";
const FUNCTION_NAME: &str = "hl-entity hl-name hl-function hl-shell";
const MODIFIER: &str = "hl-storage hl-modifier hl-shell";
const ASSIGNED: &str = "hl-variable hl-other hl-readwrite hl-assignment hl-shell";
const ASSIGNMENT: &str = "hl-keyword hl-operator hl-assignment hl-shell";
const VALUE: &str = "hl-string hl-unquoted hl-shell";
const PIPE: &str = "hl-keyword hl-operator hl-logical hl-pipe hl-shell";
const LOGICAL: &str = "hl-keyword hl-operator hl-logical hl-shell";
const SEPARATOR: &str = "hl-keyword hl-operator hl-logical hl-continue hl-shell";
const CASE_END: &str = "hl-punctuation hl-terminator hl-case hl-clause hl-shell";
const PATTERN_END: &str = "hl-keyword hl-control hl-conditional hl-patterns hl-end hl-shell";
const REDIRECTION: &str = "hl-keyword hl-operator hl-assignment hl-redirection hl-shell";
const DESCRIPTOR: &str = "hl-constant hl-numeric hl-integer hl-decimal hl-file-descriptor hl-shell";
const HEREDOC: &str = "hl-string hl-unquoted hl-heredoc hl-shell";
const HEREDOC_TOKEN: &str = "hl-keyword hl-control hl-heredoc-token hl-shell";
const TEST_BEGIN: &str = "hl-support hl-function hl-double-brace hl-begin hl-shell";
const TEST_END: &str = "hl-support hl-function hl-double-brace hl-end hl-shell";
const TEST_SINGLE_BEGIN: &str = "hl-support hl-function hl-test hl-begin hl-shell";
const TEST_SINGLE_END: &str = "hl-support hl-function hl-test hl-end hl-shell";
const INDEX_BEGIN: &str = "hl-punctuation hl-section hl-braces hl-begin hl-shell";
const INDEX_END: &str = "hl-punctuation hl-section hl-braces hl-end hl-shell";
const ARRAY_ALL: &str = "hl-variable hl-language hl-array hl-shell";
const GLOB: &str = "hl-keyword hl-operator hl-regexp hl-quantifier hl-shell";
const TILDE: &str = "hl-variable hl-language hl-tilde hl-shell";
const CONTINUATION: &str = "hl-punctuation hl-separator hl-continuation hl-line hl-shell";
/// The `$ ` or `# ` of a console session's prompt line.
const PROMPT: &str = "hl-punctuation hl-separator hl-prompt hl-shell-session";

const BUILTINS: &[&[u8]] = &[
    b"alias",
    b"bg",
    b"bind",
    b"builtin",
    b"caller",
    b"cd",
    b"command",
    b"compgen",
    b"complete",
    b"dirs",
    b"disown",
    b"echo",
    b"enable",
    b"eval",
    b"exec",
    b"exit",
    b"false",
    b"fc",
    b"fg",
    b"getopts",
    b"hash",
    b"help",
    b"history",
    b"jobs",
    b"kill",
    b"let",
    b"logout",
    b"mapfile",
    b"popd",
    b"printf",
    b"pushd",
    b"pwd",
    b"read",
    b"readarray",
    b"set",
    b"shift",
    b"shopt",
    b"source",
    b"suspend",
    b"test",
    b"times",
    b"trap",
    b"true",
    b"type",
    b"ulimit",
    b"umask",
    b"unalias",
    b"unset",
    b"wait",
    b".",
    b":",
];

/// Where a command list ends.
#[derive(Clone, Copy, PartialEq)]
enum End {
    /// The block (or a heredoc body run as a script).
    Block,
    /// `)` of `$(`, `<(` or a subshell.
    Paren,
    /// The closing backtick.
    Backtick,
}

/// Where a command is in its words.
#[derive(Clone, Copy, PartialEq)]
enum Word {
    /// Expecting a command name, a keyword or an assignment.
    Start,
    /// After the command name, or after a keyword that ends a compound command (`done`).
    Args,
    /// After `local`, `export`...: names and assignments.
    Declarations,
    /// After `for`/`select`: the loop variable, then `in`.
    LoopVariable,
    LoopIn,
    /// After `case`: the word, then `in`, then patterns.
    CaseSubject,
    CaseIn,
    /// After `function`: the name.
    FunctionName,
    /// Inside `name=( ... )`.
    Array,
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    List {
        end: End,
        word: Word,
        /// Inside a word (after a segment that did not end it).
        in_word: bool,
        /// Plain `(` opened inside this list and not yet closed.
        parens: u32,
        /// Nesting of `case ... esac`, where `pattern)` starts a clause.
        cases: u32,
        /// Spans open inside the list's own; a command's spans close back to it.
        inner: usize,
        /// Spans open when the current word began (an assignment's value closes with it).
        word_depth: usize,
        outer: usize,
    },
    Double {
        outer: usize,
    },
    Single {
        ansi: bool,
        outer: usize,
    },
    Parameter {
        name_done: bool,
        outer: usize,
    },
    Arithmetic {
        parens: u32,
        outer: usize,
    },
}

fn list(end: End, inner: usize, outer: usize) -> Context {
    Context::List {
        end,
        word: Word::Start,
        in_word: false,
        parens: 0,
        cases: 0,
        inner,
        word_depth: inner,
        outer,
    }
}

struct Heredoc {
    delimiter: Vec<u8>,
    strip_tabs: bool,
    expand: bool,
    /// A Dockerfile's `RUN <<EOF`: the body is a script, lexed as commands.
    script: bool,
}

/// Bytes that end a word.
fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\r' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// Bytes that end a run of plain word text.
fn is_special(b: u8) -> bool {
    is_meta(b) || matches!(b, b'\'' | b'"' | b'$' | b'`' | b'\\')
}

pub(super) struct Shell<'a, 'h> {
    pub html: &'h mut Html<'a>,
    line: &'a [u8],
    stack: Vec<Context>,
    /// Heredocs started on the current line, and those whose bodies are being read.
    pending: Vec<Heredoc>,
    heredocs: Vec<Heredoc>,
    /// The line ended with a `\`: the command goes on.
    continued: bool,
    /// Heredocs at the start of a command are scripts (Dockerfile `RUN <<EOF`).
    pub script_heredocs: bool,
}

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut shell = Shell::new(&mut html);
    for line in lines(code) {
        shell.html.start(line);
        shell.line(line, 0);
        shell.html.finish();
    }
    html.into_lines()
}

/// A console session: prompt lines (and what continues them: a `\`, open quotes, a heredoc)
/// are shell; every other line is output, left plain.
pub fn highlight_session(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut shell = Shell::new(&mut html);
    for line in lines(code) {
        shell.html.start(line);
        let bytes = line.as_bytes();
        if shell.goes_on() {
            shell.line(line, 0);
        } else if let Some(prompt) = prompt(bytes) {
            shell.html.token(prompt, PROMPT);
            shell.line(line, prompt);
        }
        shell.html.finish();
    }
    html.into_lines()
}

/// The length of a prompt (`$ `, `# `, or a lone `$`) at the start of a console line.
fn prompt(line: &[u8]) -> Option<usize> {
    match line {
        [b'$' | b'#', b' ', ..] | [b'$'] => Some(1),
        _ => None,
    }
}

impl<'a, 'h> Shell<'a, 'h> {
    pub fn new(html: &'h mut Html<'a>) -> Shell<'a, 'h> {
        let depth = html.depth();
        Shell {
            html,
            line: b"",
            stack: vec![list(End::Block, depth, depth)],
            pending: Vec::new(),
            heredocs: Vec::new(),
            continued: false,
            script_heredocs: false,
        }
    }

    /// Whether the next line continues what this one started (a `\`, a quote, a `$(`, a
    /// heredoc).
    pub fn goes_on(&self) -> bool {
        self.continued || self.stack.len() > 1 || !self.heredocs.is_empty()
    }

    /// Lexes `line` from byte `from` (the caller has started the line in `html`).
    pub fn line(&mut self, line: &'a str, from: usize) {
        self.line = line.as_bytes();
        if !self.heredocs.is_empty() && self.heredoc_line(from) {
            return;
        }
        self.continued = false;
        let mut i = from;
        while i < self.line.len() {
            let top = *self.stack.last().expect("the block's list is never popped");
            let next = match top {
                Context::List { .. } => self.list(i),
                Context::Double { .. } => self.double(i),
                Context::Single { ansi, .. } => self.single(i, ansi),
                Context::Parameter { name_done, .. } => self.parameter(i, name_done),
                Context::Arithmetic { parens, .. } => self.arithmetic(i, parens),
            };
            // Every step consumes at least one byte or changes the context; this keeps a
            // mistake in a step from ever looping forever.
            i = if next > i || *self.stack.last().unwrap() != top {
                next
            } else {
                i + 1
            };
        }
        if matches!(self.stack.last(), Some(Context::List { .. })) && !self.continued {
            self.end_word(self.line.len());
            self.end_command(self.line.len());
        }
        self.heredocs.append(&mut self.pending);
    }

    /// A line while heredoc bodies are pending: its terminator, a body line, or (for a script
    /// heredoc) a command line, which it leaves to the caller. Returns whether the line is done.
    fn heredoc_line(&mut self, from: usize) -> bool {
        let line = self.line;
        let heredoc = &self.heredocs[0];
        let mut start = from;
        if heredoc.strip_tabs {
            start = span_while(line, start, |b| b == b'\t');
        }
        let text = &line[start..];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text == heredoc.delimiter.as_slice() {
            self.html.text(start);
            self.html.open(HEREDOC);
            self.html.token(start + text.len(), HEREDOC_TOKEN);
            self.html.close();
            self.heredocs.remove(0);
            return true;
        }
        if heredoc.script {
            return false;
        }
        let expand = heredoc.expand;
        let depth = self.html.depth();
        self.html.text(from);
        self.html.open(HEREDOC);
        let mut i = from;
        while i < line.len() {
            match line[i] {
                b'$' if expand => i = self.simple_expansion(i),
                b'\\' if expand => i += 2,
                _ => i += 1,
            }
        }
        self.html.text(line.len());
        self.html.close_to(depth);
        true
    }

    /// `$name`, `${...}` or `$(...)` inside a heredoc body, on one line and without nesting.
    fn simple_expansion(&mut self, i: usize) -> usize {
        let line = self.line;
        let (close, class, begin, end_class) = match line.get(i + 1) {
            Some(b'{') => (b'}', PARAMETER, PARAMETER_BEGIN, PARAMETER_END),
            Some(b'(') => (b')', SUBSTITUTION, PARENS_BEGIN, PARENS_END),
            _ => return self.variable(i),
        };
        let Some(end) = line[i + 2..].iter().position(|&b| b == close) else {
            return i + 2;
        };
        let end = i + 2 + end;
        self.html.text(i);
        self.html.open(class);
        self.html.token(i + 1, VARIABLE_MARK);
        self.html.token(i + 2, begin);
        if close == b'}' {
            self.html.token(end, VARIABLE);
        }
        self.html.text(end);
        self.html.token(end + 1, end_class);
        self.html.close();
        end + 1
    }

    /// The innermost context, which is a list whenever `list` runs.
    fn top(&mut self) -> &mut Context {
        self.stack
            .last_mut()
            .expect("the block's list is never popped")
    }

    fn set_word(&mut self, new: Word) {
        if let Context::List { word, .. } = self.top() {
            *word = new;
        }
    }

    /// Pops the innermost context (never the block's own list) and closes its spans.
    fn pop(&mut self) {
        if self.stack.len() > 1 {
            let outer = match self.stack.pop() {
                Some(
                    Context::List { outer, .. }
                    | Context::Double { outer }
                    | Context::Single { outer, .. }
                    | Context::Parameter { outer, .. }
                    | Context::Arithmetic { outer, .. },
                ) => outer,
                None => 0,
            };
            self.html.close_to(outer);
        }
    }

    /// Ends the word being read at `at`, closing an assignment's value.
    fn end_word(&mut self, at: usize) {
        if let Context::List {
            in_word,
            word_depth,
            ..
        } = *self.top()
            && in_word
        {
            self.html.text(at);
            self.html.close_to(word_depth);
            if let Context::List { in_word, .. } = self.top() {
                *in_word = false;
            }
        }
    }

    /// Ends a simple command at `at`: its spans close, and a command name may follow.
    fn end_command(&mut self, at: usize) {
        self.html.text(at);
        if let Context::List {
            inner,
            word,
            in_word,
            ..
        } = self.top()
        {
            *word = Word::Start;
            *in_word = false;
            let inner = *inner;
            self.html.close_to(inner);
        }
    }

    /// Marks the start of a word: what it opens from here closes when it ends.
    fn begin_word(&mut self) {
        let depth = self.html.depth();
        if let Context::List {
            in_word,
            word_depth,
            ..
        } = self.top()
            && !*in_word
        {
            *in_word = true;
            *word_depth = depth;
        }
    }

    /// One step inside a command list from `i`; returns where the next starts.
    fn list(&mut self, i: usize) -> usize {
        let line = self.line;
        let Context::List {
            end,
            word,
            in_word,
            parens,
            ..
        } = *self.top()
        else {
            return i + 1;
        };
        match line[i] {
            b' ' | b'\t' | b'\r' => {
                self.end_word(i);
                i + 1
            }
            b'#' if !in_word => {
                self.html.text(i);
                self.html.open(COMMENT);
                self.html.token(i + 1, COMMENT_MARK);
                self.html.text(line.len());
                self.html.close();
                line.len()
            }
            b'\\' if i + 1 == line.len() => {
                self.end_word(i);
                self.html.text(i);
                self.html.token(i + 1, CONTINUATION);
                self.continued = true;
                i + 1
            }
            b';' | b'&' | b'|' => self.operator(i),
            b'<' | b'>' => self.redirection(i, i),
            b'0'..=b'9' if !in_word => {
                let digits = span_while(line, i, |c| c.is_ascii_digit());
                if matches!(line.get(digits), Some(b'<' | b'>')) {
                    self.redirection(i, digits)
                } else {
                    self.word(i)
                }
            }
            b'(' => {
                self.end_word(i);
                self.html.text(i);
                if word == Word::Start && line.get(i + 1) == Some(&b'(') {
                    let outer = self.html.depth();
                    self.html.open(ARITHMETIC);
                    self.html.token(i + 2, PARENS_BEGIN);
                    self.set_word(Word::Args);
                    self.stack.push(Context::Arithmetic { parens: 0, outer });
                    return i + 2;
                }
                self.html.token(i + 1, PARENS_BEGIN);
                if word == Word::Start {
                    let depth = self.html.depth();
                    self.stack.push(list(End::Paren, depth, depth));
                } else if let Context::List { parens, .. } = self.top() {
                    *parens += 1;
                }
                i + 1
            }
            b')' => {
                self.end_word(i);
                if parens > 0 {
                    self.html.text(i);
                    self.html.token(i + 1, PARENS_END);
                    if let Context::List { parens, word, .. } = self.top() {
                        *parens -= 1;
                        if *word == Word::Array {
                            *word = Word::Start;
                        }
                    }
                } else if end == End::Paren {
                    self.end_command(i);
                    self.html.text(i);
                    self.html.token(i + 1, PARENS_END);
                    self.pop();
                } else {
                    self.html.text(i);
                    self.html.token(i + 1, PATTERN_END);
                    self.set_word(Word::Start);
                }
                i + 1
            }
            b'`' if end == End::Backtick => {
                self.end_word(i);
                self.end_command(i);
                self.html.text(i);
                self.html.token(i + 1, GROUP_END);
                self.pop();
                i + 1
            }
            _ if !in_word => self.word(i),
            _ => self.segment(i),
        }
    }

    /// `;`, `;;`, `&`, `&&`, `|`, `||`, `|&`, or the `&>` redirection.
    fn operator(&mut self, i: usize) -> usize {
        let line = self.line;
        let next = line.get(i + 1).copied();
        let (len, class) = match (line[i], next) {
            (b'&', Some(b'>')) => return self.redirection(i, i),
            (b';', Some(b';' | b'&')) => (2, CASE_END),
            (b';', _) => (1, SEPARATOR),
            (b'&', Some(b'&')) | (b'|', Some(b'|')) => (2, LOGICAL),
            (b'&', _) => (1, SEPARATOR),
            (b'|', Some(b'&')) => (2, PIPE),
            _ => (1, PIPE),
        };
        self.end_word(i);
        self.end_command(i);
        self.html.text(i);
        self.html.token(i + len, class);
        i + len
    }

    /// A redirection whose file descriptor (if any) is `line[i..op]`: `>`, `>>`, `2>&1`, `<`,
    /// `<<<`, `&>`, a heredoc `<<EOF`, or a process substitution `<(...)`.
    fn redirection(&mut self, i: usize, op: usize) -> usize {
        let line = self.line;
        self.end_word(i);
        self.html.text(i);
        self.html.token(op, DESCRIPTOR);
        let rest = &line[op..];
        if rest.starts_with(b"<<") && !rest.starts_with(b"<<<") {
            return self.heredoc(op);
        }
        if rest.starts_with(b"<(") || rest.starts_with(b">(") {
            let outer = self.html.depth();
            self.html.open(SUBSTITUTION);
            self.html.token(op + 1, REDIRECTION);
            self.html.token(op + 2, PARENS_BEGIN);
            let inner = self.html.depth();
            self.stack.push(list(End::Paren, inner, outer));
            return op + 2;
        }
        let len = [
            &b"<<<"[..],
            b"&>>",
            b">>",
            b">&",
            b"<&",
            b"&>",
            b">|",
            b"<>",
            b">",
            b"<",
        ]
        .iter()
        .find(|o| rest.starts_with(o))
        .map_or(1, |o| o.len());
        self.html.token(op + len, REDIRECTION);
        let mut end = op + len;
        if rest[len - 1] == b'&' {
            let target = span_while(line, end, |b| b.is_ascii_digit() || b == b'-');
            self.html.token(target, DESCRIPTOR);
            end = target;
        }
        end
    }

    /// `<<EOF`, `<<-EOF`, `<< 'EOF'`, `<<"EOF"`, `<<\EOF`: the operator and delimiter now, the
    /// body from the next line.
    fn heredoc(&mut self, op: usize) -> usize {
        let line = self.line;
        let strip_tabs = line.get(op + 2) == Some(&b'-');
        let op_end = op + 2 + usize::from(strip_tabs);
        let start = span_while(line, op_end, is_space);
        let mut delimiter = Vec::new();
        let mut expand = true;
        let mut end = start;
        while end < line.len() && !is_meta(line[end]) {
            match line[end] {
                q @ (b'\'' | b'"') => {
                    expand = false;
                    let close = line[end + 1..]
                        .iter()
                        .position(|&b| b == q)
                        .map_or(line.len(), |p| end + 1 + p);
                    delimiter.extend_from_slice(&line[end + 1..close]);
                    end = (close + 1).min(line.len());
                }
                b'\\' => {
                    expand = false;
                    end += 1;
                }
                b => {
                    delimiter.push(b);
                    end += 1;
                }
            }
        }
        self.html.open(HEREDOC);
        self.html.token(op_end, REDIRECTION);
        if !delimiter.is_empty() {
            self.html.text(start);
            self.html.token(end, HEREDOC_TOKEN);
            let word = match *self.top() {
                Context::List { word, .. } => word,
                _ => Word::Args,
            };
            self.pending.push(Heredoc {
                delimiter,
                strip_tabs,
                expand,
                script: self.script_heredocs && word == Word::Start,
            });
        }
        self.html.close();
        end.max(op_end)
    }

    /// The first segment of a word, read according to where the command is: a keyword, an
    /// assignment, a command name, an option...
    fn word(&mut self, i: usize) -> usize {
        let line = self.line;
        let Context::List { word, cases, .. } = *self.top() else {
            return i + 1;
        };
        let plain_end = span_while(line, i, |b| !is_special(b));
        let whole = line.get(plain_end).is_none_or(|&b| is_meta(b));
        let text = &line[i..plain_end];
        match word {
            Word::Start => {
                if cases > 0 {
                    let end = span_while(line, i, |b| !is_space(b) && b != b')' && b != b';');
                    if line.get(end) == Some(&b')') {
                        self.html.text(end);
                        self.html.token(end + 1, PATTERN_END);
                        return end + 1;
                    }
                }
                if let Some(end) = self.assignment(i) {
                    return end;
                }
                if whole && let Some(end) = self.keyword(i, text) {
                    return end;
                }
                if line.get(plain_end) == Some(&b'(') && line.get(plain_end + 1) == Some(&b')') {
                    self.html.token(plain_end, FUNCTION_NAME);
                    self.html.token(plain_end + 1, PARENS_BEGIN);
                    self.html.token(plain_end + 2, PARENS_END);
                    return plain_end + 2;
                }
                self.html.text(i);
                if plain_end > i {
                    self.html.open(CALL);
                    let builtin = BUILTINS.contains(&text);
                    self.html
                        .token(plain_end, if builtin { BUILTIN } else { COMMAND });
                    self.html.close();
                }
                self.html.open(ARGUMENTS);
                self.set_word(Word::Args);
                self.begin_word();
                if plain_end > i {
                    plain_end
                } else {
                    self.segment(i)
                }
            }
            Word::Args | Word::Declarations => {
                if word == Word::Declarations
                    && let Some(end) = self.assignment(i)
                {
                    return end;
                }
                self.begin_word();
                if whole && (text == b"]]" || text == b"]") {
                    self.html.text(i);
                    let class = if text == b"]" {
                        TEST_SINGLE_END
                    } else {
                        TEST_END
                    };
                    self.html.token(plain_end, class);
                    return plain_end;
                }
                if let Some(end) = self.option(i) {
                    return end;
                }
                if line[i] == b'~' {
                    self.html.text(i);
                    self.html.token(i + 1, TILDE);
                    return i + 1;
                }
                self.segment(i)
            }
            Word::LoopVariable => {
                self.set_word(Word::LoopIn);
                self.begin_word();
                self.segment(i)
            }
            Word::LoopIn | Word::CaseIn => {
                self.begin_word();
                if whole && text == b"in" {
                    self.html.text(i);
                    self.html.token(plain_end, IN);
                    let next = if word == Word::CaseIn {
                        Word::Start
                    } else {
                        Word::Args
                    };
                    self.set_word(next);
                    return plain_end;
                }
                self.set_word(Word::Args);
                self.segment(i)
            }
            Word::CaseSubject => {
                self.set_word(Word::CaseIn);
                self.begin_word();
                self.segment(i)
            }
            Word::FunctionName => {
                self.set_word(Word::Start);
                self.begin_word();
                self.html.text(i);
                self.html.token(plain_end, FUNCTION_NAME);
                plain_end.max(i + 1)
            }
            Word::Array => {
                self.begin_word();
                self.segment(i)
            }
        }
    }

    /// `NAME=value`, `NAME+=value` or `NAME=(...)` at `i`; the value's span stays open until
    /// the word ends.
    fn assignment(&mut self, i: usize) -> Option<usize> {
        let line = self.line;
        if line[i].is_ascii_digit() {
            return None;
        }
        let name = span_while(line, i, |b| b.is_ascii_alphanumeric() || b == b'_');
        let op = match &line[name..] {
            [b'=', ..] => 1,
            [b'+', b'=', ..] => 2,
            _ => return None,
        };
        if name == i {
            return None;
        }
        self.html.text(i);
        self.html.token(name, ASSIGNED);
        self.html.token(name + op, ASSIGNMENT);
        let value = name + op;
        if line.get(value) == Some(&b'(') {
            self.html.token(value + 1, PARENS_BEGIN);
            if let Context::List { parens, word, .. } = self.top() {
                *parens += 1;
                *word = Word::Array;
            }
            return Some(value + 1);
        }
        self.begin_word();
        if line.get(value).is_some_and(|&b| !is_meta(b)) {
            self.html.open(VALUE);
        }
        if line.get(value) == Some(&b'~') {
            self.html.token(value + 1, TILDE);
            return Some(value + 1);
        }
        Some(value)
    }

    /// A keyword that is the whole word `text` at `i`; returns where it ends.
    fn keyword(&mut self, i: usize, text: &[u8]) -> Option<usize> {
        let end = i + text.len();
        let (class, next) = match text {
            b"if" | b"elif" | b"then" | b"else" => (CONDITIONAL, Word::Start),
            b"fi" => (CONDITIONAL, Word::Args),
            b"while" | b"until" | b"do" => (LOOP, Word::Start),
            b"done" => (LOOP, Word::Args),
            b"for" | b"select" => (LOOP, Word::LoopVariable),
            b"case" => (CONDITIONAL, Word::CaseSubject),
            b"esac" => (CONDITIONAL, Word::Args),
            b"function" => (FUNCTION, Word::FunctionName),
            b"return" | b"break" | b"continue" => (FLOW, Word::Args),
            b"local" | b"export" | b"declare" | b"readonly" | b"typeset" => {
                (MODIFIER, Word::Declarations)
            }
            b"!" | b"time" => (LOOP, Word::Start),
            b"{" => (BRACE_BEGIN, Word::Start),
            b"}" => (BRACE_END, Word::Args),
            b"[[" => (TEST_BEGIN, Word::Args),
            b"[" => (TEST_SINGLE_BEGIN, Word::Args),
            _ => return None,
        };
        let class = if text == b"!" || text == b"time" {
            LOGICAL
        } else {
            class
        };
        self.html.text(i);
        self.html.token(end, class);
        if let Context::List { cases, word, .. } = self.top() {
            match text {
                b"case" => *cases += 1,
                b"esac" => *cases = cases.saturating_sub(1),
                _ => {}
            }
            *word = next;
        }
        if matches!(text, b"return" | b"break" | b"continue" | b"[[" | b"[") {
            self.html.open(ARGUMENTS);
        }
        Some(end)
    }

    /// `-x`, `--name`, `--name=value`, or a lone `--`, at `i`.
    fn option(&mut self, i: usize) -> Option<usize> {
        let line = self.line;
        if line[i] != b'-' {
            return None;
        }
        let dashes = if line.get(i + 1) == Some(&b'-') { 2 } else { 1 };
        if dashes == 2 && line.get(i + 2).is_none_or(|&b| is_meta(b)) {
            self.html.text(i);
            self.html.token(i + 2, END_OF_OPTIONS);
            return Some(i + 2);
        }
        let name = span_while(line, i + dashes, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
        });
        if name == i + dashes {
            return None;
        }
        self.html.text(i);
        self.html.open(OPTION);
        self.html.token(i + dashes, OPTION_MARK);
        self.html.text(name);
        self.html.close();
        if line.get(name) == Some(&b'=') {
            self.html.token(name + 1, OPTION_ASSIGN);
            return Some(name + 1);
        }
        Some(name)
    }

    /// One segment of a word: quotes, an expansion, an escape, or a run of plain text.
    fn segment(&mut self, i: usize) -> usize {
        self.begin_word();
        if let Some(end) = self.quote_or_expansion(i) {
            return end;
        }
        let line = self.line;
        match line[i] {
            b'\\' => i + 2,
            b'*' => {
                self.html.text(i);
                self.html.token(i + 1, GLOB);
                i + 1
            }
            _ => span_while(line, i, |b| !is_special(b) && b != b'*').max(i + 1),
        }
    }

    /// A quote, `$` expansion or backtick at `i`, pushing its context.
    fn quote_or_expansion(&mut self, i: usize) -> Option<usize> {
        let line = self.line;
        let outer = self.html.depth();
        match line[i] {
            b'\'' => {
                self.html.text(i);
                self.html.open(SINGLE);
                self.html.token(i + 1, STRING_BEGIN);
                self.stack.push(Context::Single { ansi: false, outer });
                Some(i + 1)
            }
            b'"' => {
                self.html.text(i);
                self.html.open(DOUBLE);
                self.html.token(i + 1, STRING_BEGIN);
                self.stack.push(Context::Double { outer });
                Some(i + 1)
            }
            b'`' => {
                self.html.text(i);
                self.html.open(BACKTICKS);
                self.html.token(i + 1, GROUP_BEGIN);
                let inner = self.html.depth();
                self.stack.push(list(End::Backtick, inner, outer));
                Some(i + 1)
            }
            b'$' => Some(self.expansion(i)),
            _ => None,
        }
    }

    /// What starts with `$` at `i`.
    fn expansion(&mut self, i: usize) -> usize {
        let line = self.line;
        let outer = self.html.depth();
        match (line.get(i + 1), line.get(i + 2)) {
            (Some(b'('), Some(b'(')) => {
                self.html.text(i);
                self.html.open(ARITHMETIC);
                self.html.token(i + 1, VARIABLE_MARK);
                self.html.token(i + 3, PARENS_BEGIN);
                self.stack.push(Context::Arithmetic { parens: 0, outer });
                i + 3
            }
            (Some(b'('), _) => {
                self.html.text(i);
                self.html.open(SUBSTITUTION);
                self.html.token(i + 1, VARIABLE_MARK);
                self.html.token(i + 2, PARENS_BEGIN);
                let inner = self.html.depth();
                self.stack.push(list(End::Paren, inner, outer));
                i + 2
            }
            (Some(b'{'), _) => {
                self.html.text(i);
                self.html.open(PARAMETER);
                self.html.token(i + 1, VARIABLE_MARK);
                self.html.token(i + 2, PARAMETER_BEGIN);
                self.stack.push(Context::Parameter {
                    name_done: false,
                    outer,
                });
                i + 2
            }
            (Some(b'\''), _) => {
                self.html.text(i);
                self.html.open(SINGLE);
                self.html.token(i + 2, STRING_BEGIN);
                self.stack.push(Context::Single { ansi: true, outer });
                i + 2
            }
            (Some(b'"'), _) => {
                self.html.text(i);
                self.html.open(DOUBLE);
                self.html.token(i + 2, STRING_BEGIN);
                self.stack.push(Context::Double { outer });
                i + 2
            }
            _ => self.variable(i),
        }
    }

    /// `$name`, `$1`, `$@`...; a lone `$` is text.
    fn variable(&mut self, i: usize) -> usize {
        let line = self.line;
        let (end, class) = match line.get(i + 1) {
            Some(b) if b.is_ascii_alphabetic() || *b == b'_' => (
                span_while(line, i + 1, |b| b.is_ascii_alphanumeric() || b == b'_'),
                VARIABLE,
            ),
            Some(b'0'..=b'9') => (i + 2, VARIABLE),
            Some(b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => (i + 2, SPECIAL),
            _ => return i + 1,
        };
        self.html.text(i);
        self.html.open(PARAMETER);
        self.html.token(i + 1, VARIABLE_MARK);
        self.html.token(end, class);
        self.html.close();
        end
    }

    /// Inside double quotes from `i`.
    fn double(&mut self, i: usize) -> usize {
        let line = self.line;
        let mut j = i;
        while j < line.len() {
            match line[j] {
                b'\\' => {
                    if matches!(line.get(j + 1), Some(b'"' | b'\\' | b'$' | b'`')) {
                        self.html.text(j);
                        self.html.token(j + 2, ESCAPE);
                    }
                    j += 2;
                }
                b'"' => {
                    self.html.text(j);
                    self.html.token(j + 1, STRING_END);
                    self.pop();
                    return j + 1;
                }
                b'$' if line
                    .get(j + 1)
                    .is_some_and(|&b| b.is_ascii_alphanumeric() || b"_{(@*#?$!-".contains(&b)) =>
                {
                    return self.expansion(j);
                }
                b'`' => return self.quote_or_expansion(j).unwrap_or(j + 1),
                _ => j += 1,
            }
        }
        line.len()
    }

    /// Inside single quotes (or `$'...'`, where backslash escapes) from `i`.
    fn single(&mut self, i: usize, ansi: bool) -> usize {
        let line = self.line;
        let mut j = i;
        while j < line.len() {
            match line[j] {
                b'\\' if ansi => {
                    self.html.text(j);
                    self.html.token(j + 2, ESCAPE);
                    j += 2;
                }
                b'\'' => {
                    self.html.text(j);
                    self.html.token(j + 1, STRING_END);
                    self.pop();
                    return j + 1;
                }
                _ => j += 1,
            }
        }
        line.len()
    }

    /// Inside `${...}` from `i`: first the name (with `#` or `!` before it), then operators and
    /// words up to `}`.
    fn parameter(&mut self, i: usize, name_done: bool) -> usize {
        let line = self.line;
        if !name_done {
            if let Some(Context::Parameter { name_done, .. }) = self.stack.last_mut() {
                *name_done = true;
            }
            let mut j = i;
            if matches!(line[j], b'#' | b'!') && line.get(j + 1).is_some_and(|&b| b != b'}') {
                self.html.token(j + 1, ARITHMETIC_OPERATOR);
                j += 1;
            }
            let name = span_while(line, j, |b| b.is_ascii_alphanumeric() || b == b'_');
            let name = if name == j && line.get(j).is_some_and(|b| b"@*#?$!-".contains(b)) {
                j + 1
            } else {
                name
            };
            self.html.token(name, VARIABLE);
            if line.get(name) == Some(&b'[')
                && let Some(close) = line[name..].iter().position(|&b| b == b']')
            {
                let close = name + close;
                self.html.token(name + 1, INDEX_BEGIN);
                if matches!(&line[name + 1..close], b"@" | b"*") {
                    self.html.token(close, ARRAY_ALL);
                }
                self.html.text(close);
                self.html.token(close + 1, INDEX_END);
                return close + 1;
            }
            return name;
        }
        match line[i] {
            b'}' => {
                self.html.text(i);
                self.html.token(i + 1, PARAMETER_END);
                self.pop();
                i + 1
            }
            b':' | b'-' | b'=' | b'+' | b'?' | b'#' | b'%' | b'/' | b'^' | b',' => {
                let run = span_while(line, i, |b| b":-=+?#%/^,".contains(&b)).min(i + 2);
                self.html.text(i);
                self.html.token(run, PARAMETER_OPERATOR);
                run
            }
            b'\\' => i + 2,
            _ => match self.quote_or_expansion(i) {
                Some(end) => end,
                None => span_while(line, i, |b| !b"}\"'$`\\:-=+?#%/^,".contains(&b)).max(i + 1),
            },
        }
    }

    /// Inside `$((...))` or `((...))` from `i`.
    fn arithmetic(&mut self, i: usize, parens: u32) -> usize {
        let line = self.line;
        let b = line[i];
        let set_parens = |stack: &mut Vec<Context>, value: u32| {
            if let Some(Context::Arithmetic { parens, .. }) = stack.last_mut() {
                *parens = value;
            }
        };
        match b {
            b')' if parens == 0 && line.get(i + 1) == Some(&b')') => {
                self.html.text(i);
                self.html.token(i + 2, PARENS_END);
                self.pop();
                i + 2
            }
            b')' => {
                set_parens(&mut self.stack, parens.saturating_sub(1));
                i + 1
            }
            b'(' => {
                set_parens(&mut self.stack, parens + 1);
                i + 1
            }
            b'0'..=b'9' => {
                let end = span_while(line, i, |b| b.is_ascii_alphanumeric() || b == b'#');
                self.html.text(i);
                self.html.token(end, NUMBER);
                end
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let end = span_while(line, i, |b| b.is_ascii_alphanumeric() || b == b'_');
                self.html.text(i);
                self.html.token(end, VARIABLE);
                end
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'!' | b'&' | b'|' | b'^'
            | b'~' | b'?' | b':' | b',' => {
                let end = span_while(line, i, |b| b"+-*/%<>=!&|^~?:,".contains(&b));
                self.html.text(i);
                self.html.token(end, ARITHMETIC_OPERATOR);
                end
            }
            _ => self.quote_or_expansion(i).unwrap_or(i + 1),
        }
    }
}
