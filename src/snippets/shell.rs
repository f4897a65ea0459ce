//! Shell: bash and sh scripts, and the commands of console sessions, parsed with brush-parser
//! (which agrees with `bash -n` on syntax errors) after `<placeholder>` tokens are replaced.
//!
//! brush-parser does not know every construct (`select`): when it rejects a script and the
//! shell itself is installed, `bash -n` (or `sh -n`) has the last word, so a rare construct is
//! never a false failure. That costs a process only for the blocks brush rejects.
//!
//! Console blocks (`console`, `shell-session`): only the lines after a `$ ` prompt are code,
//! with their `\` continuation lines and here-document bodies; output lines are blanked so
//! error lines still match the block's.

use super::brush_tokens;
use super::depth::{self, Nesting};
use super::extract::Dialect;
use super::{Finding, Outcome};

/// brush-parser backtracks through every reading of an unclosed `(` (subshell or arithmetic),
/// which doubles its time with each one: 24 of them took minutes. This many unclosed groups
/// (counted by [`brush_tokens`], among the tokens its parser would get) are reported without
/// asking it (the real shell still has the last word).
const UNCLOSED_LIMIT: usize = 8;

/// `<your-token>` -> `_your-token_`: same width, so columns stay right, and a valid word.
pub fn replace_placeholders(code: &str) -> String {
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < code.len() {
        if bytes[i] == b'<' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_alphabetic() {
            let rest = &code[i + 1..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "_-.:/ ".contains(c)))
                .unwrap_or(rest.len());
            if rest[end..].starts_with('>') && !rest[..end].ends_with(' ') && end > 0 {
                // `<<EOF` never gets here (its second `<` is not a letter).
                out.push('_');
                out.push_str(&rest[..end].replace(' ', "_"));
                out.push('_');
                i += end + 2;
                continue;
            }
        }
        let c = code[i..].chars().next().expect("in bounds");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Parses a script; `Err` is (line, column, message), 1-based.
pub fn parse(code: &str, dialect: Dialect) -> Result<(), (usize, usize, String)> {
    if let Some((line, column, c)) = control_character(code.trim_end()) {
        // brush-parser 0.4's here-document tokenizer can allocate without bound on such bytes
        // (the fuzzer's shapes); `parse_confirmed` lets the real shell decide instead.
        return Err((
            line,
            column,
            format!("control character U+{:04X} in the script", u32::from(c)),
        ));
    }
    let options = brush_parser::ParserOptions {
        sh_mode: dialect == Dialect::Sh,
        ..brush_parser::ParserOptions::default()
    };
    let tamed = tame_fd_numbers(code);
    let reading = brush_tokens::read(&tamed, options.sh_mode);
    if let Some(found) = reading.untrusted {
        // Its tokenizer would allocate without bound on this here-document (see
        // `brush_tokens`); the real shell decides instead, as for a control character.
        return Err((found.line, found.column, found.why.to_owned()));
    }
    let open = reading.open_groups.len();
    if let Some(&(line, column)) = reading.open_groups.first()
        && open >= UNCLOSED_LIMIT
    {
        return Err((
            line,
            column,
            format!(
                "syntax error: this `(` is never closed ({open} groups are still open at the end)"
            ),
        ));
    }
    if let Some((line, column)) = unclosed_subscript(&tamed) {
        // brush-parser's word grammar tries every reading of a subscript it cannot close, and
        // each one nested in another doubles the work (`a[${m[}${m[}${m[}${m[}` took seconds,
        // the fuzzer's longer words minutes). No working script holds even one (bash reports a
        // bad substitution when it expands it): the real shell decides instead.
        return Err((
            line,
            column,
            "this `[` is never closed inside its `${…}`".to_owned(),
        ));
    }
    let mut parser = brush_parser::Parser::new(std::io::BufReader::new(tamed.as_bytes()), &options);
    // brush-parser 0.4 has more `unwrap`s on malformed input than the one tamed above (the
    // fuzzer found one in its tokenizer, on an unterminated here-document): a panic there is
    // "brush cannot parse this", which `parse_confirmed` then asks the real shell about.
    let parsed = quietly(|| parser.parse_program());
    let last_line = code.trim_end().lines().count().max(1);
    let Ok(parsed) = parsed else {
        return Err((
            last_line,
            1,
            "syntax error: the shell parser gave up on this script".to_owned(),
        ));
    };
    match parsed {
        Ok(_) => Ok(()),
        Err(error) => {
            let (line, column, message) = match &error {
                brush_parser::ParseError::ParsingNear(position) => (
                    position.line,
                    position.column,
                    format!("syntax error near {}", describe(code, position.line, position.column)),
                ),
                brush_parser::ParseError::ParsingAtEndOfInput => (
                    last_line,
                    code.trim_end().lines().last().map_or(1, |l| l.chars().count() + 1),
                    "syntax error: unexpected end of input (an unclosed `if`, loop, `{`, `(` or quote?)"
                        .to_owned(),
                ),
                brush_parser::ParseError::Tokenizing { inner, position } => {
                    let (line, column) = position
                        .as_ref()
                        .map_or((last_line, 1), |p| (p.line, p.column));
                    (line, column, format!("syntax error: {inner}"))
                }
            };
            Err((line.clamp(1, last_line), column.max(1), message))
        }
    }
}

/// The first control character of `code` other than a tab or a line end (line, column, it).
fn control_character(code: &str) -> Option<(usize, usize, char)> {
    code.lines().enumerate().find_map(|(n, line)| {
        line.chars()
            .enumerate()
            .find(|&(_, c)| c.is_control() && c != '\t')
            .map(|(column, c)| (n + 1, column + 1, c))
    })
}

thread_local! {
    /// Set while brush-parser runs on this thread: a panic there is expected and caught.
    static EXPECTED_PANIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic without letting the panic hook print it: the hook would print
/// a message (and with `RUST_BACKTRACE` set, symbolise a backtrace, which costs seconds and
/// hundreds of megabytes each time) for what is only "brush cannot parse this". Panics on
/// other threads, or outside `f`, still reach the previous hook.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTED_PANIC.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    EXPECTED_PANIC.with(|expected| expected.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    EXPECTED_PANIC.with(|expected| expected.set(false));
    result
}

/// The `[` of the first `${name[` whose subscript is not closed inside its expansion, or of
/// the first `$[` (arithmetic) whose brackets do not balance (line, column). Quotes and
/// comments are not skipped: one too many only asks the real shell.
fn unclosed_subscript(code: &str) -> Option<(usize, usize)> {
    let mut rest = code;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        let subscript = match after.strip_prefix('{') {
            Some(expansion) => {
                let name = expansion
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(expansion.len());
                (name > 0).then(|| &expansion[name..])
            }
            None => Some(after),
        };
        if let Some(subscript) = subscript.filter(|s| s.starts_with('['))
            && !subscript_closes(&subscript[1..])
        {
            let before = &code[..code.len() - subscript.len()];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            return Some((line, column));
        }
        rest = after;
    }
    None
}

/// Whether the subscript `text` starts in (just after its `[`) is closed by its own `]`
/// before the `}` that ends its expansion: brackets and `${…}` nested in it are balanced first,
/// as brush's grammar balances them.
fn subscript_closes(text: &str) -> bool {
    let (mut brackets, mut braces) = (1usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => brackets += 1,
            ']' => {
                brackets -= 1;
                if brackets == 0 {
                    return true;
                }
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                braces += 1;
            }
            '}' if braces == 0 => return false,
            '}' => braces -= 1,
            _ => {}
        }
    }
    false
}

/// brush-parser 0.4 panics (`unwrap` on an overflowing parse) on a file-descriptor number
/// too large for an `i32` (`echo 99999999999<x`), which bash accepts. Such a number's first
/// digit becomes `_`: the same width, and a plain word, so the syntax verdict is bash's.
fn tame_fd_numbers(code: &str) -> std::borrow::Cow<'_, str> {
    let bytes = code.as_bytes();
    let mut tamed: Option<Vec<u8>> = None;
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        let end = start
            + bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        if matches!(bytes.get(end), Some(b'<' | b'>')) && code[start..end].parse::<i32>().is_err() {
            tamed.get_or_insert_with(|| bytes.to_vec())[start] = b'_';
        }
        start = end;
    }
    match tamed {
        // Only an ASCII digit was replaced by an ASCII byte: still UTF-8.
        Some(bytes) => String::from_utf8(bytes).expect("still UTF-8").into(),
        None => code.into(),
    }
}

fn describe(code: &str, line: usize, column: usize) -> String {
    let token: String = code
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .chars()
        .skip(column.saturating_sub(1))
        .take_while(|c| !c.is_whitespace())
        .collect();
    if token.is_empty() {
        "the end of the line".to_owned()
    } else {
        format!("`{token}`")
    }
}

/// Parses with brush-parser; a rejection is confirmed by the real shell when it is installed.
fn parse_confirmed(script: &str, dialect: Dialect) -> Result<(), (usize, usize, String)> {
    let error = match parse(script, dialect) {
        Ok(()) => return Ok(()),
        Err(error) => error,
    };
    let shell = match dialect {
        Dialect::Bash => "bash",
        Dialect::Sh => "sh",
    };
    let limits = super::runner::sandbox::Limits {
        timeout: std::time::Duration::from_secs(10),
        output_limit: 64 * 1024,
    };
    match super::runner::sandbox::run(shell, &["-n", "-c", script], &std::env::temp_dir(), limits) {
        Ok(ran) if ran.status == Some(0) => Ok(()),
        _ => Err(error),
    }
}

pub fn check_script(code: &str, dialect: Dialect) -> Outcome {
    let name = match dialect {
        Dialect::Bash => "bash",
        Dialect::Sh => "sh",
    };
    if let Some(outcome) = depth::refuse(code, Nesting::Brackets) {
        return outcome;
    }
    if let Some((line, _)) = code
        .lines()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
        .filter(|(_, l)| l.starts_with("$ "))
    {
        return Outcome::failed(
            "language mismatch",
            vec![
                Finding::error(
                    "shell/prompt",
                    format!(
                        "a `$ ` prompt in a {name} block: this is a shell session, not a script"
                    ),
                    line + 1,
                    1,
                )
                .hint("use ```console for commands with prompts and output"),
            ],
        );
    }
    match parse_confirmed(&replace_placeholders(code), dialect) {
        Ok(()) => Outcome::passed(format!("syntax: {name}")),
        Err((line, column, message)) => Outcome::failed(
            format!("invalid {name}"),
            vec![Finding::error(
                &format!("{name}/syntax"),
                message,
                line,
                column,
            )],
        ),
    }
}

/// The commands of a console session, as a script whose lines match the block's.
pub fn console_script(code: &str) -> (String, usize) {
    let mut script = String::with_capacity(code.len());
    let mut commands = 0;
    let mut continuing = false;
    let mut heredoc: Option<String> = None;
    for line in code.lines() {
        if let Some(end) = &heredoc {
            script.push_str(line);
            script.push('\n');
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let command = if continuing {
            Some(line.to_owned())
        } else {
            line.strip_prefix("$ ")
                .or_else(|| (line == "$").then_some(""))
                .map(|rest| format!("  {rest}"))
        };
        match command {
            Some(command) => {
                commands += 1;
                continuing = command.ends_with('\\');
                heredoc = heredoc_end(&command);
                script.push_str(&command);
            }
            None => continuing = false,
        }
        script.push('\n');
    }
    (script, commands)
}

fn heredoc_end(command: &str) -> Option<String> {
    let at = command.find("<<")?;
    let rest = command[at + 2..]
        .trim_start_matches(['-', '~'])
        .trim_start();
    let word: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty() && !rest.starts_with('<')).then_some(word)
}

pub fn check_console(code: &str) -> Outcome {
    let (script, commands) = console_script(code);
    if let Some(outcome) = depth::refuse(&script, Nesting::Brackets) {
        return outcome;
    }
    if commands == 0 {
        return Outcome::skipped("no `$ ` command lines (only output)");
    }
    match parse_confirmed(&replace_placeholders(&script), Dialect::Bash) {
        Ok(()) => Outcome::passed("syntax: console (bash)"),
        Err((line, column, message)) => Outcome::failed(
            "invalid command",
            vec![Finding::error("console/syntax", message, line, column)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{check_console, check_script, console_script, replace_placeholders};
    use crate::snippets::Verdict;
    use crate::snippets::extract::Dialect;

    #[test]
    fn placeholders_keep_their_width() {
        assert_eq!(
            replace_placeholders("curl -H \"Authorization: <your-token>\" <url>"),
            "curl -H \"Authorization: _your-token_\" _url_"
        );
        assert_eq!(replace_placeholders("cat <<EOF\n"), "cat <<EOF\n");
        assert_eq!(replace_placeholders("a < b > c"), "a < b > c");
    }

    #[test]
    fn an_oversized_fd_number_is_checked_not_a_panic() {
        // Found by the `shell` fuzz target: brush-parser unwrapped the overflowing number.
        let outcome = check_script("echo 99999999999999999999999<x\n", Dialect::Bash);
        assert_eq!(outcome.verdict, Verdict::Passed);
        assert_eq!(
            check_script("cat 2>err 99999999999>out\n", Dialect::Sh).verdict,
            Verdict::Passed
        );
    }

    #[test]
    fn bash_errors_have_lines() {
        assert_eq!(
            check_script("echo hi\nfor x in 1 2; do echo $x; done\n", Dialect::Bash).verdict,
            Verdict::Passed
        );
        let outcome = check_script("echo ok\nif true; then\n  echo x\n", Dialect::Bash);
        assert_eq!(outcome.verdict, Verdict::Failed);
        let outcome = check_script("echo ok\necho \"unterminated\n", Dialect::Bash);
        assert_eq!(outcome.verdict, Verdict::Failed);
        let outcome = check_script("ls\nfi\n", Dialect::Bash);
        assert_eq!(outcome.findings[0].line, 2);
    }

    #[test]
    fn console_checks_only_commands() {
        let code =
            "$ kubectl get pods\nNAME   READY   STATUS (weird output\n$ echo \\\n  done\ndone\n";
        let (script, commands) = console_script(code);
        assert_eq!(commands, 3);
        assert_eq!(script.lines().count(), 5);
        assert_eq!(check_console(code).verdict, Verdict::Passed);
        let outcome = check_console("$ ls\noutput\n$ echo 'oops\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(outcome.findings[0].line, 3);
    }

    #[test]
    fn constructs_brush_does_not_know_are_confirmed_by_bash() {
        let outcome = check_script("select opt in a b; do break; done\n", Dialect::Bash);
        let bash = std::process::Command::new("bash")
            .arg("--version")
            .output()
            .is_ok();
        assert_eq!(outcome.verdict == Verdict::Passed, bash);
    }

    #[test]
    fn unclosed_groups_are_reported_without_backtracking() {
        // Without the pre-scan brush-parser took minutes on this line.
        let code = "echo start\n((((((((((((((((((((((((\n";
        let outcome = check_script(code, Dialect::Bash);
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(
            (outcome.findings[0].line, outcome.findings[0].column),
            (2, 1)
        );
        assert!(
            outcome.findings[0].message.contains("never closed"),
            "{outcome:?}"
        );
        let console = format!("$ {}\n", "( ".repeat(30));
        assert_eq!(check_console(&console).verdict, Verdict::Failed);
    }

    #[test]
    fn control_characters_are_left_to_the_real_shell() {
        let code = "cat <<-\u{c}EOF\nx\u{0}\n";
        assert_eq!(
            super::parse(code, Dialect::Bash).unwrap_err(),
            (1, 8, "control character U+000C in the script".to_owned())
        );
        assert_eq!(super::control_character("echo\tok\r\n"), None);
    }

    #[test]
    fn unclosed_subscripts_are_reported_without_backtracking() {
        // The third fuzz run's last timeout, reduced: brush-parser took seconds on this word.
        let code = "echo ok\nx a[${m[}${m[}${m[}${m[}\n";
        let (line, column, message) = super::parse(code, Dialect::Bash).unwrap_err();
        assert_eq!((line, column), (2, 8));
        assert!(message.contains("never closed"), "{message}");
        // The fourth run's shapes: a `]` further on, closing another bracket, is not this
        // one's, and one such expansion is enough.
        let code = "c p[c${r[${m[T[}.}.${r[To}.${or}.)1tKf$\n";
        assert_eq!(super::parse(code, Dialect::Bash).unwrap_err().0, 1);
        let code = "a ${r[ x[1] $[1] }\n";
        assert_eq!(super::parse(code, Dialect::Bash).unwrap_err().1, 6);
        // The same inside arithmetic: `$[` whose brackets do not balance.
        let code = "a $[x[a[[[[1]\n";
        assert_eq!(super::parse(code, Dialect::Bash).unwrap_err().1, 4);
        let closed =
            "echo ${a[0]} ${a[1]} \"${b[@]}\" ${#c[@]} ${d[${e[0]}]} ${f[$i]:-x} $[a[1]+2] $$\n";
        assert_eq!(check_script(closed, Dialect::Bash).verdict, Verdict::Passed);
    }

    #[test]
    fn a_here_document_marker_in_a_comment_hides_no_unclosed_groups() {
        // The fuzzer's shape: `<<` inside a comment made the pre-scan skip the rest of the
        // script as a here-document body, and brush-parser then backtracked for minutes.
        let code = "# prints a << tag\n((((((((((((((((((((((((\n";
        let (line, column, message) = super::parse(code, Dialect::Bash).unwrap_err();
        assert_eq!((line, column), (2, 1));
        assert!(message.contains("24 groups"), "{message}");
        assert_eq!(check_script(code, Dialect::Bash).verdict, Verdict::Failed);
    }

    #[test]
    fn a_here_document_marker_in_quotes_or_arithmetic_hides_no_unclosed_groups() {
        // The third fuzz run's timeouts: the old pre-scan took a `<<` in quotes, or in
        // `((…))`, for a here-document and skipped the rest of the script as its body.
        let parens = "(".repeat(16);
        for (code, at, open) in [
            (format!("x=\"<<tag\"\n{parens}\n"), (2, 1), 16),
            (format!("{{ ((m=1<<x\n{parens}\n"), (1, 3), 18),
        ] {
            let (line, column, message) = super::parse(&code, Dialect::Bash).unwrap_err();
            assert_eq!((line, column), at, "{code:?}");
            assert!(message.contains(&format!("{open} groups")), "{message}");
        }
    }

    #[test]
    fn parentheses_in_quotes_comments_and_heredocs_are_not_groups() {
        let code = "echo '((((((((((' \"((((((((((\" \\(\\(\\(\\(\\(\\(\\(\\(\\(\n\
                    # ((((((((((\ncat <<EOF\n((((((((((\nEOF\nf() { (echo a) ; }\n";
        assert_eq!(super::brush_tokens::read(code, false).open_groups, vec![]);
        assert_eq!(check_script(code, Dialect::Bash).verdict, Verdict::Passed);
    }

    #[test]
    fn deep_nesting_is_a_finding_not_a_stack_overflow() {
        for code in [
            "(".repeat(5_000),
            format!("{}x{}", "{ ".repeat(5_000), "; }".repeat(5_000)),
        ] {
            let outcome = check_script(&code, Dialect::Bash);
            assert_eq!(outcome.verdict, Verdict::Failed);
            assert_eq!(outcome.findings[0].code, "snippet/too-deep");
        }
        let outcome = check_console(&format!("$ echo {}\n", "$(".repeat(5_000)));
        assert_eq!(outcome.findings[0].code, "snippet/too-deep");
    }

    #[test]
    fn console_heredocs_are_input_not_output() {
        let code = "$ cat <<EOF > x.txt\nif (\nEOF\n$ ls\n";
        assert_eq!(check_console(code).verdict, Verdict::Passed);
    }
}
