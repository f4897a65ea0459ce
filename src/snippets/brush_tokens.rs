//! A script as brush-parser 0.4's tokenizer reads it, replayed before brush sees the script,
//! for the two guards in front of it:
//!
//! 1. **Here-documents it cannot be trusted with.** brush keeps a here-document's delimiter as
//!    the word after `<<`, its leading ASCII whitespace trimmed and every quote character
//!    removed. When that leaves nothing (`<<""`, `<<''`, `<<""""`, `<<"'"`, a form feed, or,
//!    inside `$(…)`, the blank brush keeps in front of a word: `$(cat <<  x)`, `$(cat << )`)
//!    and the input ends while the tokenizer still waits for that here-document's body, its
//!    end-of-input step matches the empty delimiter without consuming anything, queues an empty
//!    token and goes round again: memory grows until the process dies (the `shell` fuzz
//!    target's out-of-memory inputs). A delimiter that is not empty cannot loop: a match
//!    consumes what it matched, and an empty token matches nothing. Which scripts end in that
//!    state is not worth telling apart: an empty delimiter is never what an author meant, and
//!    the real shell still checks the script.
//! 2. **The `(` its parser would backtrack over.** Each unclosed `(` operator doubles the time
//!    brush's parser takes (subshell or arithmetic?); the guard counts the `(` and `)` operator
//!    tokens the parser would be given. Counting them here rather than in a scan of its own
//!    matters: a `<<` in quotes or in arithmetic starts no here-document, and a scan that
//!    thought it did skipped the rest of the script as a body and missed the `(` (two timeouts
//!    of the third `shell` fuzz run).
//!
//! The replay follows brush's tokenizer closely (tokenizer.rs: `next_token_until`,
//! `delimit_current_token`, `consume_nested_construct`), because which `<<` is an operator and
//! what its word is depend on all of it: quotes, `\` escapes and line continuations, comments,
//! `$(…)`, `$((…))`, `$[…]` and `${…}` (here-documents inside them count), backquotes and
//! extended globs (raw text), arithmetic (where `<<` is a shift), and here-document bodies
//! (skipped to the line that ends them, so an apostrophe in a body opens no quote). It keeps
//! brush's queue too: the tokens after a here-document's word reach the construct reading
//! them only after the body, which changes where a `$(…)` ends. It computes no text brush
//! rebuilds (a word holding `$(…)`): such a word as a delimiter is not trusted either.

use std::collections::VecDeque;

use brush_parser::unquote_str;

/// A here-document operator brush-parser should not be given: 1-based line and column (in
/// characters) of its `<<`, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub line: usize,
    pub column: usize,
    pub why: &'static str,
}

/// What the replay found.
#[derive(Debug, Default)]
pub struct Reading {
    /// The first here-document brush-parser cannot be trusted with; the replay stops there.
    pub untrusted: Option<Untrusted>,
    /// The `(` operators still open at the end (line and column, the outermost first): what
    /// brush's parser would backtrack over. Counted up to where brush's tokenizer stops, even
    /// when that is an error: a guard may ask the real shell about a few scripts too many.
    pub open_groups: Vec<(usize, usize)>,
}

/// Replays brush-parser's tokenizer on `script`. `sh_mode` is brush's own option: without it
/// `<<<` is one operator (a here-string), with it `<<` and `<`.
pub fn read(script: &str, sh_mode: bool) -> Reading {
    let mut scan = Scan {
        chars: script.chars().collect(),
        at: 0,
        position: (1, 1),
        sh_mode,
        arithmetic: false,
        here: Here::None,
        tags: Vec::new(),
        queue: VecDeque::new(),
        groups: Vec::new(),
    };
    let untrusted = match scan.program() {
        Err(Stop::Untrusted(found)) => Some(found),
        Ok(()) | Err(Stop::BrushGivesUp) => None,
    };
    Reading {
        untrusted,
        open_groups: scan.groups,
    }
}

/// Why a scan ends before the end of the script.
enum Stop {
    Untrusted(Untrusted),
    /// brush-parser stops with an error (or a caught panic) here: an unterminated quote or
    /// expansion, a missing delimiter. It reads nothing after it, so nothing after it can loop.
    BrushGivesUp,
}

type Position = (usize, usize);

/// How a token ended (brush's `TokenEndReason`, as far as the scan needs it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// By a blank or by the start of the next token.
    Delimited,
    /// By the character that closes the enclosing `$(`, `$[` or `${` (not consumed).
    Closing,
    Input,
}

#[derive(Debug)]
struct Token {
    text: String,
    operator: bool,
    start: Position,
    /// Holds `$(…)`, `$[…]` or `${…}`, whose text brush rebuilds from the inner tokens.
    expansion: bool,
    end: End,
}

/// brush's `HereState`.
#[derive(Debug, Default)]
enum Here {
    #[default]
    None,
    /// A `<<` or `<<-` operator is ending; it is the token being delimited.
    Operator {
        strip_tabs: bool,
    },
    /// The next token is the word of this operator.
    Word {
        strip_tabs: bool,
        operator: Token,
    },
    /// Tokens until the next newline token, then the bodies.
    RestOfLine,
    Bodies,
}

/// A here-document whose word has been read.
struct Tag {
    /// The line that ends the body, with its `\n`, as brush matches it.
    end: String,
    strip_tabs: bool,
    /// The operator and the word, then the tokens up to the next here-document's operator or
    /// the newline: queued when the body ends.
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    AnsiC,
    Double,
}

struct Scan {
    chars: Vec<char>,
    at: usize,
    position: Position,
    sh_mode: bool,
    /// Inside `((…))`, `$((…))` or `$[…]`, where `<<` is a shift.
    arithmetic: bool,
    here: Here,
    /// Here-documents whose bodies have not been read, in order.
    tags: Vec<Tag>,
    /// Tokens read already, handed out before any new one.
    queue: VecDeque<Token>,
    /// Where the `(` operators the parser gets and no `)` closed yet are.
    groups: Vec<Position>,
}

impl Scan {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        self.position = if c == '\n' {
            (self.position.0 + 1, 1)
        } else {
            (self.position.0, self.position.1 + 1)
        };
        Some(c)
    }

    /// The whole script: the tokens brush's parser gets, until the end of the input.
    fn program(&mut self) -> Result<(), Stop> {
        loop {
            let token = self.next(None, false)?;
            match token.text.as_str() {
                "(" if token.operator => self.groups.push(token.start),
                ")" if token.operator => {
                    self.groups.pop();
                }
                _ => {}
            }
            if token.end == End::Input {
                return Ok(());
            }
        }
    }

    /// The next token a caller sees (brush's `next_token_until(closing, include_space)`):
    /// a queued one, or one read now that the here-document state does not hold back.
    fn next(&mut self, closing: Option<char>, include_space: bool) -> Result<Token, Stop> {
        loop {
            if let Some(token) = self.queue.pop_front() {
                return Ok(token);
            }
            if self.peek().is_none() && !matches!(self.here, Here::None) {
                // A here-document is unfinished: brush reports it (its delimiters are all
                // non-empty, or the scan would have stopped at the empty one).
                return Err(Stop::BrushGivesUp);
            }
            if matches!(self.here, Here::Bodies) {
                self.body()?;
                continue;
            }
            let token = self.read(closing, include_space)?;
            if let Some(token) = self.delimit(token)? {
                return Ok(token);
            }
        }
    }

    /// What brush's `delimit_current_token` does with `token`: hands it out, or holds it
    /// back as a here-document's operator, word or rest of line.
    fn delimit(&mut self, token: Token) -> Result<Option<Token>, Stop> {
        if token.text.is_empty() {
            return Ok(Some(token));
        }
        match std::mem::take(&mut self.here) {
            Here::None => return Ok(Some(token)),
            Here::Operator { strip_tabs } => {
                self.here = Here::Word {
                    strip_tabs,
                    operator: token,
                };
            }
            Here::Word {
                strip_tabs,
                operator,
            } => {
                let end = delimiter(&operator, &token)?;
                self.tags.push(Tag {
                    end,
                    strip_tabs,
                    tokens: vec![operator, token],
                });
                self.here = Here::RestOfLine;
            }
            Here::RestOfLine => {
                self.here = if token.text == "\n" {
                    Here::Bodies
                } else {
                    Here::RestOfLine
                };
                let Some(tag) = self.tags.last_mut() else {
                    return Err(Stop::BrushGivesUp);
                };
                tag.tokens.push(token);
            }
            // Not reached: in that state `next` reads bodies, not tokens.
            Here::Bodies => return Err(Stop::BrushGivesUp),
        }
        Ok(None)
    }

    /// The body of the first pending here-document, read raw as brush does: it ends after a
    /// line equal to the delimiter (leading tabs removed for `<<-`). Then that here-document's
    /// tokens are handed out.
    fn body(&mut self) -> Result<(), Stop> {
        let tag = self.tags.remove(0);
        let mut body = String::new();
        loop {
            match self.bump() {
                None => return Err(Stop::BrushGivesUp),
                Some('\t') if tag.strip_tabs && (body.is_empty() || body.ends_with('\n')) => {}
                Some(c) => {
                    body.push(c);
                    if c == '\n' && ends_body(&body, &tag.end) {
                        break;
                    }
                }
            }
        }
        self.queue.extend(tag.tokens);
        if self.tags.is_empty() {
            self.here = Here::None;
        }
        Ok(())
    }

    /// Reads one token, in the order of brush's branches, which decides what a character
    /// means; `closing` ends the token unquoted, `include_space` keeps a leading blank.
    fn read(&mut self, closing: Option<char>, include_space: bool) -> Result<Token, Stop> {
        let mut token = Token {
            text: String::new(),
            operator: false,
            start: self.position,
            expansion: false,
            end: End::Input,
        };
        let mut quote = Quote::None;
        let mut escaped = false;
        while let Some(c) = self.peek() {
            let unquoted = !escaped && quote == Quote::None;
            if unquoted && closing == Some(c) {
                token.end = End::Closing;
                return Ok(token);
            }
            if token.operator {
                if self.is_operator(&format!("{}{c}", token.text)) {
                    self.push(&mut token);
                    continue;
                }
                self.operator_ends(&token.text, c);
                token.end = End::Delimited;
                return Ok(token);
            }
            match (quote, c) {
                _ if escaped => {
                    escaped = false;
                    self.push(&mut token);
                }
                (Quote::None | Quote::Double | Quote::AnsiC, '\\') => {
                    self.bump();
                    if self.peek() == Some('\n') {
                        self.bump(); // a line continuation: neither character is kept
                    } else {
                        escaped = true;
                        token.text.push('\\');
                    }
                }
                (Quote::None, '\'' | '"') => {
                    quote = match c {
                        '"' => Quote::Double,
                        _ if token.text.ends_with('$') => Quote::AnsiC,
                        _ => Quote::Single,
                    };
                    self.push(&mut token);
                }
                (Quote::Single | Quote::AnsiC, '\'') | (Quote::Double, '"') => {
                    quote = Quote::None;
                    self.push(&mut token);
                }
                (Quote::None | Quote::Double, '$') => self.dollar(&mut token)?,
                (Quote::None | Quote::Double, '`') => self.backquotes(&mut token)?,
                (Quote::None, '(') if token.text.ends_with(['@', '!', '?', '+', '*']) => {
                    self.extended_glob(&mut token)?;
                }
                (Quote::None, c) if "&();\n|<>".contains(c) => {
                    if !token.text.is_empty() {
                        token.end = End::Delimited;
                        return Ok(token);
                    }
                    token.operator = true;
                    self.push(&mut token);
                }
                (Quote::None, ' ' | '\t') => {
                    if !token.text.is_empty() {
                        self.bump();
                        token.end = End::Delimited;
                        return Ok(token);
                    }
                    if include_space {
                        self.push(&mut token);
                    } else {
                        self.bump();
                    }
                }
                _ if !token.text.is_empty() || closing == Some('}') => self.push(&mut token),
                (_, '#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                _ => self.push(&mut token),
            }
        }
        if escaped || quote != Quote::None {
            return Err(Stop::BrushGivesUp); // an unterminated quote or escape
        }
        Ok(token)
    }

    /// Consumes the next character into `token`, which starts there if it is empty.
    fn push(&mut self, token: &mut Token) {
        if token.text.is_empty() {
            token.start = self.position;
        }
        if let Some(c) = self.bump() {
            token.text.push(c);
        }
    }

    /// brush's operators; `<<<` and the other bash ones only outside sh mode.
    fn is_operator(&self, text: &str) -> bool {
        let bash_only = matches!(text, "<<<" | "&>" | "&>>" | ";;&" | ";&" | "|&");
        (bash_only && !self.sh_mode)
            || matches!(
                text,
                "&" | "&&"
                    | "("
                    | ")"
                    | ";"
                    | ";;"
                    | "\n"
                    | "|"
                    | "||"
                    | "<"
                    | ">"
                    | ">|"
                    | "<<"
                    | ">>"
                    | "<&"
                    | ">&"
                    | "<<-"
                    | "<>"
            )
    }

    /// An operator is ended by `next`, which does not extend it: a here-document or
    /// arithmetic (`((`) starts, or arithmetic ends, as in brush.
    fn operator_ends(&mut self, operator: &str, next: char) {
        if self.arithmetic {
            if operator == ")" && next == ')' {
                self.arithmetic = false;
            }
        } else if operator == "<<" || operator == "<<-" {
            self.here = Here::Operator {
                strip_tabs: operator == "<<-",
            };
        } else if operator == "(" && next == '(' {
            self.arithmetic = true;
        }
    }

    /// `$(…)`, `$((…))`, `$[…]`, `${…}`, or a plain `$`.
    fn dollar(&mut self, token: &mut Token) -> Result<(), Stop> {
        self.push(token);
        match self.peek() {
            Some('(') => {
                self.push(token);
                token.expansion = true;
                let arithmetic = self.peek() == Some('(');
                if arithmetic {
                    self.push(token);
                    self.arithmetic = true;
                }
                self.nested(')', if arithmetic { 2 } else { 1 })?;
                if arithmetic {
                    self.arithmetic = false;
                }
            }
            Some('[') => {
                self.push(token);
                token.expansion = true;
                self.arithmetic = true;
                self.nested(']', 1)?;
                self.arithmetic = false;
            }
            Some('{') => {
                self.push(token);
                token.expansion = true;
                self.braces()?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The tokens of `$(…)`, `$((…))` or `$[…]` up to the `closing` that balances the opening
    /// (`nesting` of them are open; brush counts a `(` operator, never a `[`), blanks kept at
    /// the start of tokens as brush keeps them.
    fn nested(&mut self, closing: char, mut nesting: u32) -> Result<(), Stop> {
        loop {
            let token = self.next(Some(closing), true)?;
            if closing == ')' && token.operator && token.text == "(" {
                nesting += 1;
            }
            match token.end {
                End::Closing => {
                    // brush takes the next character for the closing one, whatever it is.
                    self.bump().ok_or(Stop::BrushGivesUp)?;
                    nesting -= 1;
                    if nesting == 0 {
                        return Ok(());
                    }
                }
                End::Input => return Err(Stop::BrushGivesUp),
                End::Delimited => {}
            }
        }
    }

    /// The tokens of `${…}` up to its first unquoted `}`.
    fn braces(&mut self) -> Result<(), Stop> {
        loop {
            match self.next(Some('}'), false)?.end {
                End::Closing => {
                    self.bump().ok_or(Stop::BrushGivesUp)?;
                    return Ok(());
                }
                End::Input => return Err(Stop::BrushGivesUp),
                End::Delimited => {}
            }
        }
    }

    /// A backquoted command: raw text up to the next unescaped backquote.
    fn backquotes(&mut self, token: &mut Token) -> Result<(), Stop> {
        self.push(token);
        let mut escaped = false;
        loop {
            let c = self.peek().ok_or(Stop::BrushGivesUp)?;
            self.push(token);
            match c {
                '`' if !escaped => return Ok(()),
                '\\' if !escaped => escaped = true,
                _ => escaped = false,
            }
        }
    }

    /// An extended glob (`@(…)`, `!(…)`…): raw text up to the balancing `)`.
    fn extended_glob(&mut self, token: &mut Token) -> Result<(), Stop> {
        self.push(token);
        let mut depth = 1;
        let mut escaped = false;
        while depth > 0 {
            let c = self.peek().ok_or(Stop::BrushGivesUp)?;
            self.push(token);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
        }
        Ok(())
    }
}

/// The line that ends the body of `operator` `word`, with its `\n`, as brush computes it; an
/// error when brush cannot be trusted with it.
fn delimiter(operator: &Token, word: &Token) -> Result<String, Stop> {
    let untrusted = |why| {
        let (line, column) = operator.start;
        Stop::Untrusted(Untrusted { line, column, why })
    };
    if word.text == "\n" {
        return Err(Stop::BrushGivesUp); // "missing here tag"
    }
    if word.expansion {
        return Err(untrusted("a here-document delimiter with an expansion"));
    }
    let tag = format!("{}\n", word.text.trim_ascii_start());
    let end = if tag.contains(['\\', '\'', '"']) {
        unquote_str(&tag)
    } else {
        tag
    };
    if end == "\n" {
        return Err(untrusted("a here-document with an empty delimiter"));
    }
    Ok(end)
}

/// Whether `body`, read up to a `\n`, now ends with the line `end` (brush's
/// `remove_here_end_tag`).
fn ends_body(body: &str, end: &str) -> bool {
    body.strip_suffix(end)
        .is_some_and(|before| before.is_empty() || before.ends_with('\n'))
}

#[cfg(test)]
mod tests {
    use super::{Untrusted, read};

    fn untrusted(script: &str, sh_mode: bool) -> Option<Untrusted> {
        read(script, sh_mode).untrusted
    }

    /// Where the untrusted here-document of a bash script starts, if it has one.
    fn found(script: &str) -> Option<(usize, usize)> {
        untrusted(script, false).map(|found| (found.line, found.column))
    }

    #[test]
    fn delimiters_empty_after_quote_removal_are_not_trusted() {
        for script in [
            "cat <<\"\"\n",
            "cat <<''\n",
            "cat <<\"\"\"\"\n",
            "cat <<\"'\"\n",
            "cat <<'\"'\n",
            "cat <<-\"\"\n",
            "cat <<'' \n",
            "cat <<\"\"",
        ] {
            assert_eq!(found(script), Some((1, 5)), "{script:?}");
        }
        let found = untrusted("cat <<''\n", false).expect("untrusted");
        assert_eq!(found.why, "a here-document with an empty delimiter");
    }

    #[test]
    fn line_continuations_and_whitespace_brush_trims_count_as_nothing() {
        assert_eq!(found("cat <<\\\n''\n"), Some((1, 5)));
        assert_eq!(found("cat <<\"\\\n\"\n"), Some((1, 5)));
        // A form feed or carriage return is part of brush's word, then trimmed from it.
        assert_eq!(found("cat <<\u{c}\n"), Some((1, 5)));
        assert_eq!(found("cat <<\r ''\n"), Some((1, 5)));
    }

    #[test]
    fn inside_a_command_substitution_a_kept_blank_is_the_whole_word() {
        // brush keeps one blank in front of a word inside `$(…)`: the second blank, or the
        // closing `)`, ends a word holding nothing but it.
        assert_eq!(found("x=$(cat <<  EOF)\n"), Some((1, 9)));
        assert_eq!(found("x=$(cat << )\n"), Some((1, 9)));
        assert_eq!(found("echo \"$(cat <<'')\"\n"), Some((1, 13)));
        assert_eq!(found("echo ${x:-$(cat <<\"\")}\n"), Some((1, 17)));
        // At the top level the blanks are skipped, as bash does.
        assert_eq!(found("cat <<  EOF\nbody\nEOF\n"), None);
        assert_eq!(found("x=$(cat << EOF\nbody\nEOF\n)\n"), None);
    }

    #[test]
    fn every_here_document_of_a_line_and_of_the_script_is_checked() {
        assert_eq!(found("cat <<a <<''\nx\na\n\n"), Some((1, 9)));
        assert_eq!(
            found("echo ok\ncat <<EOF\nit's\nEOF\n  cat <<\"\"\n"),
            Some((5, 7))
        );
    }

    #[test]
    fn delimiters_brush_rebuilds_are_not_trusted() {
        // brush takes the first token inside `$(…)` for the delimiter, so only an empty one
        // leaves the word itself, whose text it rebuilds.
        let found = untrusted("cat <<$()\nx\n$()\n", false).expect("untrusted");
        assert_eq!((found.line, found.column), (1, 5));
        assert_eq!(found.why, "a here-document delimiter with an expansion");
    }

    #[test]
    fn ordinary_here_documents_go_through_brush() {
        for script in [
            "cat <<EOF\nbody\nEOF\n",
            "cat <<'EOF'\n$not expanded\nEOF\n",
            "cat <<-\"EOF\"\n\tbody\n\tEOF\n",
            "cat <<EOF | grep x\nx\nEOF\n",
            "cat <<a <<b\n1\na\n2\nb\n",
            "cat <<<\"\"\n",
            "cat <<<''\n",
            "x=$(cat <<EOF\nbody\nEOF\n)\necho \"$x\"\n",
            "cat <<EOF\n",
        ] {
            assert_eq!(found(script), None, "{script:?}");
        }
        // In sh mode `<<<` is `<<` and `<`: a here-document whose delimiter is `<`.
        assert!(untrusted("cat <<<''\n", true).is_none());
    }

    #[test]
    fn quotes_comments_bodies_and_arithmetic_hold_no_operators() {
        for script in [
            "echo '<<\"\"' \"<<''\"\n",
            "echo \\<<''\n",
            "# cat <<''\n",
            "echo `cat <<\"\"`\n",
            "cat <<EOF\ncat <<''\nEOF\n",
            "echo $((1 <<'' 2))\n",
            "((x = 1 <<\"\" 2))\n",
        ] {
            assert_eq!(found(script), None, "{script:?}");
        }
    }
}
