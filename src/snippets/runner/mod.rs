//! `run` blocks: executed, page by page, in a [`sandbox`].
//!
//! - The blocks of one page run in order in one temporary folder (a post can write a file in
//!   one block and use it in the next); the folder is removed afterwards, and folders a killed
//!   galley left behind are swept by the next run ([`workdir`]). Pages run in parallel.
//! - A process a block started that left its process group (`setsid`, a daemon) is found and
//!   killed when the block ends ([`escapees`]), and fails the block.
//! - `console`: the `$ command`s (with their `\` continuation lines and here-documents) run in
//!   one bash process, so `cd` and `export` carry over; the lines after a command, up to the
//!   next prompt, are its expected output
//!   ([`expect`]: `...` elides lines, `[..]` elides text). A command shown without output is
//!   not compared, but must succeed.
//! - `bash`/`sh`/`python`: the block runs as a script; when the next block is a `text` or
//!   `output` block, that block is its expected output (a mismatch is reported there).
//! - A block whose syntax check failed is not run.

pub mod capture;
pub mod escapees;
pub mod expect;
pub mod sandbox;
pub mod workdir;

use std::sync::Once;
use std::time::Duration;

use rayon::prelude::*;

use self::sandbox::{Limits, Ran};
use self::workdir::RunDir;
use super::extract::{Dialect, Lang};
use super::{Finding, Outcome, Snippet, SnippetConfig, Verdict};

const DEFAULT_TIMEOUT: u64 = 10;
const DEFAULT_OUTPUT_LIMIT: usize = 64 * 1024;

/// Runs every `run` block and replaces its outcome (and its output block's) with the result.
pub fn run_pages(
    snippets: &[Snippet],
    outcomes: &mut [Option<(Outcome, bool)>],
    settings: &SnippetConfig,
) {
    let mut pages: Vec<Vec<usize>> = Vec::new();
    for (i, snippet) in snippets.iter().enumerate() {
        if !snippet.annotations.as_ref().is_ok_and(|a| a.run) {
            continue;
        }
        match pages.last_mut() {
            Some(page) if snippets[page[0]].file == snippet.file => page.push(i),
            _ => pages.push(vec![i]),
        }
    }
    let syntax_ok = |i: usize| {
        outcomes[i]
            .as_ref()
            .is_some_and(|(o, _)| matches!(o.verdict, Verdict::Passed | Verdict::SyntaxOnly { .. }))
    };
    let pages: Vec<Vec<usize>> = pages
        .into_iter()
        .map(|page| page.into_iter().filter(|&i| syntax_ok(i)).collect())
        .filter(|page: &Vec<usize>| !page.is_empty())
        .collect();
    if !pages.is_empty() {
        // Once per galley process: a long-lived `serve` need not scan the folder on every edit.
        static SWEEP: Once = Once::new();
        SWEEP.call_once(|| {
            workdir::sweep(&std::env::temp_dir());
        });
    }
    let results: Vec<Vec<(usize, Outcome)>> = pages
        .par_iter()
        .map(|page| run_page(snippets, page, settings))
        .collect();
    for (i, outcome) in results.into_iter().flatten() {
        outcomes[i] = Some((outcome, false));
    }
}

fn run_page(
    snippets: &[Snippet],
    page: &[usize],
    settings: &SnippetConfig,
) -> Vec<(usize, Outcome)> {
    let dir = match RunDir::create() {
        Ok(dir) => dir,
        Err(error) => {
            return page
                .iter()
                .map(|&i| {
                    (
                        i,
                        Outcome::skipped(format!("cannot create a temporary folder: {error}")),
                    )
                })
                .collect();
        }
    };
    let mut results = Vec::new();
    for &i in page {
        let snippet = &snippets[i];
        let timeout = snippet
            .annotations
            .as_ref()
            .ok()
            .and_then(|a| a.timeout)
            .or(settings.timeout)
            .unwrap_or(DEFAULT_TIMEOUT);
        let limits = Limits {
            timeout: Duration::from_secs(timeout),
            output_limit: settings.output_limit.unwrap_or(DEFAULT_OUTPUT_LIMIT),
        };
        let output_block = snippets
            .get(i + 1)
            .filter(|next| next.file == snippet.file && next.index == snippet.index + 1)
            .filter(|next| next.lang == Lang::Output)
            .map(|_| i + 1);
        match &snippet.lang {
            Lang::Console => results.push((i, run_console(snippet, dir.path(), limits))),
            Lang::Shell(dialect) => {
                let program = match dialect {
                    Dialect::Bash => "bash",
                    Dialect::Sh => "sh",
                };
                let args: Vec<&str> = match dialect {
                    Dialect::Bash => vec!["--noprofile", "--norc", "-c", &snippet.code],
                    Dialect::Sh => vec!["-c", &snippet.code],
                };
                results.extend(run_script(
                    snippets,
                    i,
                    output_block,
                    program,
                    &args,
                    dir.path(),
                    limits,
                ));
            }
            Lang::Python => {
                let args = ["-I", "-c", snippet.code.as_str()];
                results.extend(run_script(
                    snippets,
                    i,
                    output_block,
                    "python3",
                    &args,
                    dir.path(),
                    limits,
                ));
            }
            other => results.push((
                i,
                Outcome::failed(
                    "cannot run",
                    vec![
                        Finding::error(
                            "run/unsupported",
                            format!("`run` is not supported for {other:?} blocks"),
                            0,
                            1,
                        )
                        .hint("`run` works on console, bash, sh and python blocks"),
                    ],
                ),
            )),
        }
    }
    results
}

/// Why a finished command failed, if it did.
fn failure(ran: &Ran, limits: Limits, line: usize) -> Option<Finding> {
    if ran.timed_out {
        return Some(
            Finding::error(
                "run/timeout",
                format!(
                    "killed after the time limit of {} s",
                    limits.timeout.as_secs()
                ),
                line,
                1,
            )
            .hint("raise it with timeout=SECONDS on the fence, or make the example faster"),
        );
    }
    if ran.truncated {
        return Some(Finding::error(
            "run/output-limit",
            format!(
                "killed after printing more than {} bytes",
                limits.output_limit
            ),
            line,
            1,
        ));
    }
    match ran.status {
        Some(0) => escaped(ran, line),
        status => Some(
            Finding::error(
                "run/exit-status",
                format!(
                    "exited with {}",
                    status.map_or("a signal".to_owned(), |s| format!("status {s}"))
                ),
                line,
                1,
            )
            .hint(format!("its output was:\n{}", tail(&ran.output))),
        ),
    }
}

/// A command that ended, or was killed, while processes it started outside its process group
/// kept its output open: galley stopped waiting for them (and killed those it could).
fn escaped(ran: &Ran, line: usize) -> Option<Finding> {
    if ran.escaped == 0 && !ran.abandoned {
        return None;
    }
    let what = if ran.abandoned {
        "galley stopped reading its output, but could not kill them".to_owned()
    } else {
        format!("galley killed {} of them", ran.escaped)
    };
    Some(
        Finding::error(
            "run/escaped",
            format!(
                "processes it started left its process group (setsid, a daemon) and kept \
                 running with its output open after it ended: {what}"
            ),
            line,
            1,
        )
        .hint(
            "end what the example starts (`kill %1`, `wait`), or detach it from the output: \
             `cmd > /dev/null 2>&1 &`",
        ),
    )
}

fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines.len().saturating_sub(10);
    lines[start..].join("\n")
}

fn spawn_error(error: std::io::Error, program: &str) -> Outcome {
    Outcome::skipped(format!("cannot run {program}: {error}"))
}

/// Marks the end of a command's output in a console block's combined output.
const MARK: &str = "\u{1e}galley-command-end";

/// One console block: its commands run in order in one bash process (so `cd` and `export`
/// carry over, as in the terminal the post shows), each followed by a marker line with its
/// exit status; a failing command stops the block. Each command's output is then compared with
/// the lines shown under it.
fn run_console(snippet: &Snippet, dir: &std::path::Path, limits: Limits) -> Outcome {
    let commands = commands(&snippet.code);
    let mut script = String::new();
    for (i, command) in commands.iter().enumerate() {
        script.push_str(&command.text);
        script.push_str(&format!(
            "\n__galley_status=$?; printf '\\n{MARK} {i} %d\\n' \"$__galley_status\"; \
             [ \"$__galley_status\" -eq 0 ] || exit \"$__galley_status\"\n"
        ));
    }
    let args = ["--noprofile", "--norc", "-c", script.as_str()];
    let ran = match sandbox::run("bash", &args, dir, limits) {
        Ok(ran) => ran,
        Err(error) => return spawn_error(error, "bash"),
    };
    let (outputs, statuses) = split_outputs(&ran.output, commands.len());
    let mut findings = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let Some(status) = statuses[i] else {
            // No marker: the run stopped inside this command.
            let stopped = Ran {
                escaped: 0,
                abandoned: false,
                status: if ran.timed_out || ran.truncated {
                    None
                } else {
                    ran.status
                },
                output: outputs[i].clone(),
                ..ran.clone()
            };
            let finding = failure(&stopped, limits, command.line).unwrap_or_else(|| {
                Finding::error("run/exit-status", "the session ended here", command.line, 1)
            });
            findings.push(finding);
            break;
        };
        let this = Ran {
            status: Some(status),
            output: outputs[i].clone(),
            ..Ran::default()
        };
        if let Some(finding) = failure(&this, limits, command.line) {
            findings.push(finding);
            break;
        }
        if !command.expected.trim().is_empty()
            && let Err((line, message)) = expect::compare(&command.expected, &outputs[i])
        {
            findings.push(
                Finding::error(
                    "run/output",
                    format!("output differs: {message}"),
                    command.expected_line + line - 1,
                    1,
                )
                .hint(format!("the command printed:\n{}", tail(&outputs[i]))),
            );
            break;
        }
    }
    if findings.is_empty()
        && let Some(finding) = escaped(&ran, commands.last().map_or(0, |c| c.line))
    {
        findings.push(finding);
    }
    Outcome::from_findings(format!("ran: {} commands", commands.len()), findings)
}

/// Cuts a console block's output at the markers: each command's output and exit status
/// (`None` for the commands whose marker never came).
fn split_outputs(output: &str, count: usize) -> (Vec<String>, Vec<Option<i32>>) {
    let mut outputs = vec![String::new(); count];
    let mut statuses = vec![None; count];
    let mut current = 0;
    for line in output.split_inclusive('\n') {
        if let Some(rest) = line.trim_end().strip_prefix(MARK) {
            let mut parts = rest.split_whitespace();
            let index = parts.next().and_then(|i| i.parse::<usize>().ok());
            let status = parts.next().and_then(|s| s.parse::<i32>().ok());
            if let (Some(index), Some(status)) = (index, status)
                && index < count
            {
                statuses[index] = Some(status);
                current = index + 1;
                continue;
            }
        }
        if current < count {
            outputs[current].push_str(line);
        }
    }
    (outputs, statuses)
}

fn run_script(
    snippets: &[Snippet],
    i: usize,
    output_block: Option<usize>,
    program: &str,
    args: &[&str],
    dir: &std::path::Path,
    limits: Limits,
) -> Vec<(usize, Outcome)> {
    let ran = match sandbox::run(program, args, dir, limits) {
        Ok(ran) => ran,
        Err(error) => return vec![(i, spawn_error(error, program))],
    };
    let last_line = snippets[i].code.lines().count().max(1);
    if let Some(finding) = failure(&ran, limits, last_line) {
        return vec![(i, Outcome::failed("run failed", vec![finding]))];
    }
    let mut results = vec![(i, Outcome::passed(format!("ran with {program}")))];
    if let Some(o) = output_block {
        let outcome = match expect::compare(&snippets[o].code, &ran.output) {
            Ok(()) => Outcome::passed("output of the block above"),
            Err((line, message)) => Outcome::failed(
                "output differs",
                vec![
                    Finding::error("run/output", format!("output differs: {message}"), line, 1)
                        .hint(format!("the block above printed:\n{}", tail(&ran.output))),
                ],
            ),
        };
        results.push((o, outcome));
    }
    results
}

/// A command of a console session.
#[derive(Debug, PartialEq, Eq)]
pub struct ConsoleCommand {
    pub text: String,
    /// Block line of the `$ ` prompt.
    pub line: usize,
    pub expected: String,
    /// Block line of the first expected output line.
    pub expected_line: usize,
}

/// Splits a console block into commands and their expected output.
pub fn commands(code: &str) -> Vec<ConsoleCommand> {
    let mut commands: Vec<ConsoleCommand> = Vec::new();
    let mut lines = code.lines().enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let Some(first) = line
            .strip_prefix("$ ")
            .or_else(|| (line == "$").then_some(""))
        else {
            if let Some(last) = commands.last_mut() {
                last.expected.push_str(line);
                last.expected.push('\n');
            }
            continue;
        };
        let mut text = first.to_owned();
        let mut heredoc = heredoc_end(first);
        while text.ends_with('\\') || heredoc.is_some() {
            let Some((_, next)) = lines.next() else {
                break;
            };
            text.push('\n');
            text.push_str(next);
            if let Some(end) = &heredoc {
                if next.trim() == end {
                    heredoc = None;
                }
            } else if heredoc.is_none() {
                heredoc = heredoc_end(next);
            }
        }
        let expected_line = lines.peek().map_or(i + 2, |(j, _)| j + 1);
        commands.push(ConsoleCommand {
            text,
            line: i + 1,
            expected: String::new(),
            expected_line,
        });
    }
    commands
}

fn heredoc_end(command: &str) -> Option<String> {
    let at = command.find("<<")?;
    let rest = command[at + 2..]
        .trim_start_matches(['-', '~'])
        .trim_start();
    if rest.starts_with('<') {
        return None;
    }
    let word: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::commands;

    #[test]
    fn outputs_are_cut_at_the_markers() {
        let output = format!("a\n\n{MARK} 0 0\nb\n{MARK} 1 3\n", MARK = super::MARK);
        let (outputs, statuses) = super::split_outputs(&output, 3);
        assert_eq!(outputs, ["a\n\n", "b\n", ""]);
        assert_eq!(statuses, [Some(0), Some(3), None]);
    }

    #[test]
    fn console_commands_with_output_continuations_and_heredocs() {
        let code = "$ echo a \\\n  b\na b\n$ cat <<EOF\nx\nEOF\nx\n$ true\n";
        let found = commands(code);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].text, "echo a \\\n  b");
        assert_eq!(found[0].expected, "a b\n");
        assert_eq!(found[0].expected_line, 3);
        assert_eq!(found[1].text, "cat <<EOF\nx\nEOF");
        assert_eq!(found[1].expected, "x\n");
        assert_eq!(found[2].line, 8);
        assert_eq!(found[2].expected, "");
    }
}
