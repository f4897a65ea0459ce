//! Dockerfiles: instructions, flags, `FROM ... AS stage`, variables, the JSON (exec) form, and
//! the shell form of `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` highlighted as shell
//! (continuation lines and `RUN <<EOF` heredoc scripts included), through the shell lexer.
//!
//! syntect's Dockerfile syntax leaves a `RUN` command plain; the instructions, comments,
//! strings and stage names get its scopes here.

use super::html::Html;
use super::shell::Shell;
use super::{is_space, lines, span_while};

const ROOT: &str = "hl-source hl-dockerfile";
const COMMENT: &str = "hl-comment hl-line hl-number-sign hl-dockerfile";
const COMMENT_MARK: &str = "hl-punctuation hl-definition hl-comment hl-dockerfile";
const INSTRUCTION: &str = "hl-keyword hl-control hl-dockerfile";
const STAGE: &str = "hl-variable hl-stage-name";
const TAG: &str = "hl-entity hl-name hl-enum hl-tag-digest";
const OPTION: &str = "hl-variable hl-parameter hl-option hl-dockerfile";
const OPTION_MARK: &str = "hl-punctuation hl-definition hl-parameter hl-dockerfile";
const ASSIGNMENT: &str = "hl-keyword hl-operator hl-assignment hl-dockerfile";
const NAME: &str = "hl-variable hl-other hl-dockerfile";
const DOUBLE: &str = "hl-string hl-quoted hl-double hl-dockerfile";
const SINGLE: &str = "hl-string hl-quoted hl-single hl-dockerfile";
const STRING_BEGIN: &str = "hl-punctuation hl-definition hl-string hl-begin hl-dockerfile";
const STRING_END: &str = "hl-punctuation hl-definition hl-string hl-end hl-dockerfile";
const EXPANSION: &str = "hl-meta hl-group hl-expansion hl-parameter hl-dockerfile";
const VARIABLE_MARK: &str = "hl-punctuation hl-definition hl-variable hl-dockerfile";
const VARIABLE: &str = "hl-variable hl-other hl-readwrite hl-dockerfile";
const ARRAY_BEGIN: &str = "hl-punctuation hl-section hl-array hl-begin hl-dockerfile";
const ARRAY_END: &str = "hl-punctuation hl-section hl-array hl-end hl-dockerfile";
const SEPARATOR: &str = "hl-punctuation hl-separator hl-array hl-dockerfile";
const CONTINUATION: &str = "hl-punctuation hl-separator hl-continuation hl-line hl-dockerfile";
const HEREDOC: &str = "hl-string hl-unquoted hl-heredoc hl-dockerfile";
const HEREDOC_TOKEN: &str = "hl-keyword hl-control hl-heredoc-token hl-dockerfile";

const INSTRUCTIONS: &[&[u8]] = &[
    b"ADD",
    b"ARG",
    b"CMD",
    b"COPY",
    b"ENTRYPOINT",
    b"ENV",
    b"EXPOSE",
    b"FROM",
    b"HEALTHCHECK",
    b"LABEL",
    b"MAINTAINER",
    b"ONBUILD",
    b"RUN",
    b"SHELL",
    b"STOPSIGNAL",
    b"USER",
    b"VOLUME",
    b"WORKDIR",
];

/// What a continued line (after a `\`) belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Continued {
    No,
    /// Shell form: the shell lexer carries its own state.
    Shell,
    /// Any other instruction's arguments (`ENV`, `LABEL`, the JSON form...).
    Arguments {
        from: bool,
    },
}

pub fn highlight(code: &str) -> Vec<String> {
    let mut html = Html::new(ROOT, code);
    let mut shell = Shell::new(&mut html);
    shell.script_heredocs = true;
    let mut continued = Continued::No;
    // A `COPY <<EOF` file's terminator while its body is being read.
    let mut heredoc: Option<Vec<u8>> = None;
    let mut pending_heredoc: Option<Vec<u8>> = None;
    for line in lines(code) {
        shell.html.start(line);
        let bytes = line.as_bytes();
        if let Some(delimiter) = &heredoc {
            if bytes.strip_suffix(b"\r").unwrap_or(bytes) == delimiter.as_slice() {
                shell.html.open(HEREDOC);
                shell.html.token(bytes.len(), HEREDOC_TOKEN);
                shell.html.close();
                heredoc = None;
            } else {
                shell.html.token(bytes.len(), HEREDOC);
            }
        } else if continued == Continued::Shell
            && bytes.get(span_while(bytes, 0, is_space)) == Some(&b'#')
        {
            // Docker drops comment lines inside a continued instruction; it goes on after them.
            comment(shell.html, span_while(bytes, 0, is_space));
        } else if continued == Continued::Shell || shell.goes_on() {
            shell.line(line, 0);
            if !shell.goes_on() {
                continued = Continued::No;
            }
        } else {
            let indent = span_while(bytes, 0, is_space);
            if bytes.get(indent) == Some(&b'#') {
                comment(shell.html, indent);
            } else if let Continued::Arguments { from } = continued {
                continued = arguments(shell.html, bytes, indent, from, &mut pending_heredoc);
            } else {
                continued = instruction(&mut shell, line, indent, &mut pending_heredoc);
            }
        }
        shell.html.finish();
        if pending_heredoc.is_some() && continued == Continued::No {
            heredoc = pending_heredoc.take();
        }
    }
    html.into_lines()
}

fn comment(html: &mut Html, i: usize) {
    html.text(i);
    html.open(COMMENT);
    html.token(i + 1, COMMENT_MARK);
    html.text(usize::MAX);
    html.close();
}

/// An instruction line from its first word at `i`; returns whether the next line continues it.
fn instruction<'a>(
    shell: &mut Shell<'a, '_>,
    line: &'a str,
    mut i: usize,
    heredoc: &mut Option<Vec<u8>>,
) -> Continued {
    let bytes = line.as_bytes();
    loop {
        let end = span_while(bytes, i, |b| b.is_ascii_alphabetic());
        let word = bytes[i..end].to_ascii_uppercase();
        if !INSTRUCTIONS.contains(&word.as_slice()) {
            return arguments(shell.html, bytes, i, false, heredoc);
        }
        shell.html.text(i);
        shell.html.token(end, INSTRUCTION);
        i = span_while(bytes, end, is_space);
        match word.as_slice() {
            // `ONBUILD RUN ...`: the instruction it wraps follows.
            b"ONBUILD" => continue,
            b"RUN" | b"CMD" | b"ENTRYPOINT" | b"HEALTHCHECK" => {
                i = flags(shell.html, bytes, i);
                if word == b"HEALTHCHECK" {
                    let cmd = span_while(bytes, i, |b| b.is_ascii_alphabetic());
                    if !bytes[i..cmd].eq_ignore_ascii_case(b"CMD") {
                        return arguments(shell.html, bytes, i, false, heredoc);
                    }
                    shell.html.text(i);
                    shell.html.token(cmd, INSTRUCTION);
                    i = span_while(bytes, cmd, is_space);
                }
                if bytes.get(i) == Some(&b'[') {
                    return arguments(shell.html, bytes, i, false, heredoc);
                }
                shell.line(line, i);
                return if shell.goes_on() {
                    Continued::Shell
                } else {
                    Continued::No
                };
            }
            b"FROM" => return arguments(shell.html, bytes, i, true, heredoc),
            _ => return arguments(shell.html, bytes, i, false, heredoc),
        }
    }
}

/// `--mount=type=cache,target=/go/pkg/mod` flags from `i`; returns where the rest starts.
fn flags(html: &mut Html, line: &[u8], mut i: usize) -> usize {
    while line[i.min(line.len())..].starts_with(b"--") {
        let name = span_while(line, i + 2, |b| b.is_ascii_alphanumeric() || b == b'-');
        html.text(i);
        html.open(OPTION);
        html.token(i + 2, OPTION_MARK);
        html.text(name);
        html.close();
        let mut end = name;
        if line.get(name) == Some(&b'=') {
            html.token(name + 1, ASSIGNMENT);
            end = span_while(line, name + 1, |b| !is_space(b));
            if &line[i + 2..name] == b"from" && !line[name + 1..end].contains(&b'$') {
                // `COPY --from=build`: a stage (or an image), as syntect marks it.
                html.token(end, STAGE);
            } else {
                value(html, line, name + 1, end);
            }
        }
        i = span_while(line, end, is_space);
    }
    i
}

/// The arguments of an instruction from `i`: flags, `KEY=value` pairs, strings, variables, the
/// JSON form, `AS stage` after `FROM`, and a `COPY <<EOF` heredoc. Returns whether a `\` ends
/// the line.
fn arguments(
    html: &mut Html,
    line: &[u8],
    i: usize,
    from: bool,
    heredoc: &mut Option<Vec<u8>>,
) -> Continued {
    let mut i = flags(html, line, i);
    let mut after_as = false;
    let mut first = true;
    while i < line.len() {
        let b = line[i];
        if is_space(b) {
            i += 1;
            continue;
        }
        if b == b'\\' && span_while(line, i + 1, is_space) == line.len() {
            html.text(i);
            html.token(i + 1, CONTINUATION);
            return Continued::Arguments { from };
        }
        let end = match b {
            b'[' | b']' | b',' => {
                let class = match b {
                    b'[' => ARRAY_BEGIN,
                    b']' => ARRAY_END,
                    _ => SEPARATOR,
                };
                html.text(i);
                html.token(i + 1, class);
                i + 1
            }
            b'<' if line.get(i + 1) == Some(&b'<') => {
                let start = span_while(line, i + 2, |c| c == b'-');
                let end = span_while(line, start, |c| !is_space(c));
                let delimiter: Vec<u8> = line[start..end]
                    .iter()
                    .copied()
                    .filter(|&c| c != b'"' && c != b'\'')
                    .collect();
                html.text(i);
                html.open(HEREDOC);
                html.text(start);
                html.token(end, HEREDOC_TOKEN);
                html.close();
                if !delimiter.is_empty() {
                    *heredoc = Some(delimiter);
                }
                end.max(i + 2)
            }
            _ => {
                let end = word_end(line, i);
                let word = &line[i..end];
                if from && word.eq_ignore_ascii_case(b"AS") {
                    html.text(i);
                    html.token(end, INSTRUCTION);
                    after_as = true;
                } else if from && after_as {
                    html.text(i);
                    html.token(end, STAGE);
                } else if from && first {
                    image(html, line, i, end);
                } else if let Some(eq) = word.iter().position(|&c| c == b'=')
                    && eq > 0
                    && word[..eq]
                        .iter()
                        .all(|&c| c.is_ascii_alphanumeric() || b"_.-".contains(&c))
                {
                    html.text(i);
                    html.token(i + eq, NAME);
                    html.token(i + eq + 1, ASSIGNMENT);
                    value(html, line, i + eq + 1, end);
                } else {
                    value(html, line, i, end);
                }
                first = false;
                end.max(i + 1)
            }
        };
        i = end;
    }
    Continued::No
}

/// `golang:1.25`: the tag or digest after the name.
fn image(html: &mut Html, line: &[u8], i: usize, end: usize) {
    let tag = line[i..end]
        .iter()
        .rposition(|&b| b == b':' || b == b'@')
        .filter(|&p| !line[i + p..end].contains(&b'/'));
    match tag {
        Some(p) => {
            value(html, line, i, i + p + 1);
            html.text(i + p + 1);
            html.token(end, TAG);
        }
        None => value(html, line, i, end),
    }
}

/// The end of a word from `i`: a quoted string whole, otherwise up to a space.
fn word_end(line: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < line.len() && !is_space(line[j]) {
        match line[j] {
            q @ (b'"' | b'\'') => {
                j = line[j + 1..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(line.len(), |p| j + 2 + p);
            }
            b'\\' => j += 2,
            b',' | b']' if line[i] == b'"' => return j,
            _ => j += 1,
        }
    }
    j.min(line.len())
}

/// A value `line[i..end]`: strings and `$VAR`/`${VAR}` expansions, the rest as text.
fn value(html: &mut Html, line: &[u8], i: usize, end: usize) {
    let mut j = i;
    while j < end {
        match line[j] {
            q @ (b'"' | b'\'') => {
                let close = line[j + 1..end]
                    .iter()
                    .position(|&c| c == q)
                    .map(|p| j + 1 + p);
                html.text(j);
                html.open(if q == b'"' { DOUBLE } else { SINGLE });
                html.token(j + 1, STRING_BEGIN);
                let stop = close.unwrap_or(end);
                let mut k = j + 1;
                while k < stop {
                    if line[k] == b'$' && q == b'"' {
                        k = expansion(html, line, k, stop);
                    } else {
                        k += 1;
                    }
                }
                if let Some(close) = close {
                    html.text(close);
                    html.token(close + 1, STRING_END);
                }
                html.text(stop.min(end));
                html.close();
                j = close.map_or(end, |c| c + 1);
            }
            b'$' => j = expansion(html, line, j, end),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// `$NAME` or `${NAME...}` at `i`, within `..end`.
fn expansion(html: &mut Html, line: &[u8], i: usize, end: usize) -> usize {
    let braced = line.get(i + 1) == Some(&b'{');
    let name_start = i + 1 + usize::from(braced);
    let name_end = span_while(line, name_start, |b| b.is_ascii_alphanumeric() || b == b'_');
    if name_end == name_start || name_end > end {
        return i + 1;
    }
    html.text(i);
    html.open(EXPANSION);
    html.token(name_start, VARIABLE_MARK);
    html.token(name_end, VARIABLE);
    let mut stop = name_end;
    if braced && let Some(p) = line[name_end..end].iter().position(|&b| b == b'}') {
        stop = name_end + p + 1;
        html.text(stop - 1);
        html.token(stop, VARIABLE_MARK);
    }
    html.close();
    stop
}
