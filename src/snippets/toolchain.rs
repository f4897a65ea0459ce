//! Go and Python: checked by the language's own toolchain when it is installed (`gofmt -e`,
//! `python3`'s compiler), in one process per language for the whole run: spawning a process
//! per block would cost more than every other check together.
//!
//! Go fragments are wrapped: a block without `package` gets `package main` (declarations) or
//! `package main` + `func _() {` (statements); the error lines are shifted back. Python
//! `>>>` sessions keep only their `>>> ` and `... ` lines. A missing toolchain makes its blocks
//! "skipped" with the reason and the package to install, never "passed". The processes run in
//! the same sandbox as `run` blocks (cleared environment, time limit), so a user's
//! `PYTHONPATH` or a hung toolchain cannot change or stall the verdicts.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::extract::Lang;
use super::runner::sandbox::{self, Limits};
use super::{Finding, Outcome, Snippet};

/// A checker process is killed (with its process group) if it hangs; its output is small.
const LIMITS: Limits = Limits {
    timeout: Duration::from_secs(120),
    output_limit: 16 << 20,
};

/// What identifies the installed Go and Python, as their cache keys need it: upgrading a
/// toolchain can change its verdicts, so its blocks must be checked again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toolchains {
    /// `go version`'s answer (gofmt comes with it), or "go: missing".
    pub go: String,
    /// `python3 --version`'s answer, or "python3: missing".
    pub python: String,
}

impl Toolchains {
    /// Asks the toolchains the `snippets` need (`go version`, `python3 --version`), through
    /// the sandbox the checks use, so the same PATH decides which one answers. Both run at
    /// once, and not at all for languages without blocks. An answer already in `known` (from
    /// an earlier check by the same process) is reused: `galley serve` checks the edited page
    /// on every save, and a pyenv `python3` shim alone takes tens of milliseconds to answer.
    pub fn installed(snippets: &[Snippet], known: &Toolchains) -> Toolchains {
        let wants =
            |lang: Lang, answer: &str| answer.is_empty() && snippets.iter().any(|s| s.lang == lang);
        let (go, python) = (
            wants(Lang::Go, &known.go),
            wants(Lang::Python, &known.python),
        );
        std::thread::scope(|scope| {
            let go = scope.spawn(move || go.then(|| version("go", &["version"])));
            let python = if python {
                version("python3", &["--version"])
            } else {
                known.python.clone()
            };
            Toolchains {
                go: go.join().ok().flatten().unwrap_or_else(|| known.go.clone()),
                python,
            }
        })
    }

    /// The part of a block's cache key that names its toolchain (empty for other languages).
    pub fn of(&self, lang: &Lang) -> &str {
        match lang {
            Lang::Go => &self.go,
            Lang::Python => &self.python,
            _ => "",
        }
    }
}

/// A tool's version line, or "missing": a toolchain installed later must not reuse the
/// "not installed" verdicts (those are never cached either).
fn version(program: &str, args: &[&str]) -> String {
    let limits = Limits {
        timeout: Duration::from_secs(10),
        output_limit: 4096,
    };
    match sandbox::run(program, args, &std::env::temp_dir(), limits) {
        Ok(ran) if ran.status == Some(0) => format!("{program}: {}", ran.output.trim()),
        _ => format!("{program}: missing"),
    }
}

/// Checks Go and Python blocks; one outcome per snippet, in order.
pub fn check_batch(snippets: &[&Snippet]) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; snippets.len()];
    let mut go = Vec::new();
    let mut python = Vec::new();
    for (i, snippet) in snippets.iter().enumerate() {
        match &snippet.annotations {
            Err(finding) => {
                outcomes[i] = Some(Outcome::failed("invalid annotation", vec![finding.clone()]))
            }
            Ok(a) => match &a.test {
                super::TestMode::Skip(reason) => {
                    outcomes[i] = Some(Outcome::skipped(reason.clone()))
                }
                _ if snippet.lang == Lang::Go => go.push(i),
                _ => python.push(i),
            },
        }
    }
    if !go.is_empty() {
        let results = check_go(
            &go.iter()
                .map(|&i| snippets[i].code.as_str())
                .collect::<Vec<_>>(),
        );
        for (i, outcome) in go.into_iter().zip(results) {
            outcomes[i] = Some(outcome);
        }
    }
    if !python.is_empty() {
        let results = check_python(
            &python
                .iter()
                .map(|&i| snippets[i].code.as_str())
                .collect::<Vec<_>>(),
        );
        for (i, outcome) in python.into_iter().zip(results) {
            outcomes[i] = Some(outcome);
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.expect("every block handled"))
        .collect()
}

/// The toolchain-missing outcome, recognisable so it is never cached.
pub fn missing(tool: &str, package: &str) -> Outcome {
    Outcome::skipped(format!(
        "{tool} is not installed (Debian: apt-get install {package})"
    ))
}

/// A Go block as a file: the text, and for each line of the file the block's line (0 for the
/// lines the wrapping added).
pub fn wrap_go(code: &str) -> (String, Vec<usize>) {
    let lines: Vec<&str> = code.lines().collect();
    let numbered = |range: std::ops::Range<usize>| range.map(|i| i + 1);
    let has_package = lines.iter().any(|l| l.trim_start().starts_with("package "));
    if has_package {
        return (code.to_owned(), numbered(0..lines.len()).collect());
    }
    let declarations = lines.iter().all(|l| {
        let t = l.trim_end();
        t.is_empty()
            || l.starts_with(char::is_whitespace)
            || t.starts_with("//")
            || t.starts_with('}')
            || t.starts_with(')')
            || ["func ", "type ", "import", "var ", "const "]
                .iter()
                .any(|k| t.starts_with(k))
    });
    if declarations {
        let map = std::iter::once(0).chain(numbered(0..lines.len())).collect();
        return (format!("package main\n{code}"), map);
    }
    // Statements: the leading imports stay at file level, the rest goes into a function.
    let mut imports = 0;
    let mut in_block = false;
    for line in &lines {
        let t = line.trim();
        if in_block {
            in_block = t != ")";
        } else if t.starts_with("import (") {
            in_block = true;
        } else if !(t.starts_with("import ") || t.is_empty() || t.starts_with("//")) {
            break;
        }
        imports += 1;
    }
    let mut text = String::from("package main\n");
    for line in &lines[..imports] {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("func _() {\n");
    for line in &lines[imports..] {
        text.push_str(line);
        text.push('\n');
    }
    text.push_str("}\n");
    let map = std::iter::once(0)
        .chain(numbered(0..imports))
        .chain(std::iter::once(0))
        .chain(numbered(imports..lines.len()))
        .chain(std::iter::once(0))
        .collect();
    (text, map)
}

fn check_go(codes: &[&str]) -> Vec<Outcome> {
    let Ok(dir) = tempfile::tempdir() else {
        return codes
            .iter()
            .map(|_| Outcome::skipped("cannot create a temporary folder"))
            .collect();
    };
    let mut offsets = Vec::new();
    let mut paths = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let (text, map) = wrap_go(code);
        let path = dir.path().join(format!("b{i}.go"));
        if std::fs::write(&path, text).is_err() {
            return codes
                .iter()
                .map(|_| Outcome::skipped("cannot write a temporary file"))
                .collect();
        }
        offsets.push(map);
        paths.push(path);
    }
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["-e", "-l"];
    args.extend(names.iter().map(String::as_str));
    let stderr = match sandbox::run("gofmt", &args, dir.path(), LIMITS) {
        // `-l` lists badly formatted files on the same pipe: those lines have no `.go:LINE:`.
        Ok(ran) if !ran.timed_out => ran.output,
        Ok(_) => {
            return codes
                .iter()
                .map(|_| Outcome::skipped("gofmt did not finish in 120 s"))
                .collect();
        }
        Err(_) => {
            return codes
                .iter()
                .map(|_| missing("gofmt", "golang-go"))
                .collect();
        }
    };
    let mut findings: Vec<Vec<Finding>> = vec![Vec::new(); codes.len()];
    for line in stderr.lines() {
        // /tmp/x/b3.go:4:2: expected ';', found x
        let Some((index, rest)) = parse_go_error(dir.path(), line) else {
            continue;
        };
        let mut parts = rest.splitn(3, ':');
        let (Some(l), Some(c), Some(message)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(l), Ok(c)) = (l.parse::<usize>(), c.parse::<usize>()) else {
            continue;
        };
        // gofmt's later errors in a block are mostly cascades of the first.
        if !findings[index].is_empty() {
            continue;
        }
        let last = codes[index].lines().count().max(1);
        let line_in_block = offsets[index]
            .get(l.saturating_sub(1))
            .copied()
            .filter(|&n| n > 0)
            .unwrap_or(last)
            .clamp(1, last);
        findings[index].push(Finding::error(
            "go/syntax",
            format!("invalid Go: {}", message.trim()),
            line_in_block,
            // gofmt counts columns in bytes.
            super::char_column(codes[index], line_in_block, c),
        ));
    }
    findings
        .into_iter()
        .map(|f| Outcome::from_findings("syntax: go (gofmt)", f))
        .collect()
}

fn parse_go_error<'a>(dir: &Path, line: &'a str) -> Option<(usize, &'a str)> {
    let prefix = format!("{}/b", dir.display());
    let rest = line.strip_prefix(&prefix)?;
    let (number, rest) = rest.split_once(".go:")?;
    Some((number.parse().ok()?, rest))
}

/// `>>> ` sessions -> their code lines; other blocks unchanged (line numbers kept).
pub fn python_source(code: &str) -> String {
    if !code.lines().any(|l| l.starts_with(">>> ")) {
        return code.to_owned();
    }
    code.lines()
        .map(|l| {
            l.strip_prefix(">>> ")
                .or_else(|| l.strip_prefix("... "))
                .or_else(|| (l == ">>>" || l == "...").then_some(""))
                .unwrap_or("")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

const PYTHON_CHECKER: &str = r#"
import json, sys
for i, path in enumerate(sys.argv[1:]):
    try:
        with open(path, encoding="utf-8") as f:
            compile(f.read(), path, "exec", dont_inherit=True)
    except SyntaxError as e:
        print(json.dumps({"i": i, "line": e.lineno or 1, "col": e.offset or 1, "msg": e.msg}))
    except ValueError as e:
        print(json.dumps({"i": i, "line": 1, "col": 1, "msg": str(e)}))
"#;

fn check_python(codes: &[&str]) -> Vec<Outcome> {
    let Ok(dir) = tempfile::tempdir() else {
        return codes
            .iter()
            .map(|_| Outcome::skipped("cannot create a temporary folder"))
            .collect();
    };
    let mut paths = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let path = dir.path().join(format!("b{i}.py"));
        let written = std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(python_source(code).as_bytes()));
        if written.is_err() {
            return codes
                .iter()
                .map(|_| Outcome::skipped("cannot write a temporary file"))
                .collect();
        }
        paths.push(path);
    }
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["-I", "-c", PYTHON_CHECKER];
    args.extend(names.iter().map(String::as_str));
    let output = match sandbox::run("python3", &args, dir.path(), LIMITS) {
        Ok(ran) if ran.status == Some(0) => ran.output,
        Ok(ran) if ran.timed_out => {
            return codes
                .iter()
                .map(|_| Outcome::skipped("python3 did not finish in 120 s"))
                .collect();
        }
        _ => {
            return codes
                .iter()
                .map(|_| missing("python3", "python3"))
                .collect();
        }
    };
    let mut findings: Vec<Vec<Finding>> = vec![Vec::new(); codes.len()];
    for line in output.lines() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let index = value["i"].as_u64().unwrap_or(0) as usize;
        if index < codes.len() {
            findings[index].push(Finding::error(
                "python/syntax",
                format!(
                    "invalid Python: {}",
                    value["msg"].as_str().unwrap_or("syntax error")
                ),
                value["line"].as_u64().unwrap_or(1) as usize,
                value["col"].as_u64().unwrap_or(1) as usize,
            ));
        }
    }
    findings
        .into_iter()
        .map(|f| Outcome::from_findings("syntax: python", f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{python_source, wrap_go};

    #[test]
    fn go_fragments_are_wrapped() {
        assert_eq!(wrap_go("package x\n").1, [1]);
        assert_eq!(
            wrap_go("func main() {\n\tfmt.Println(1)\n}\n").1,
            [0, 1, 2, 3]
        );
        let (text, map) = wrap_go("import \"fmt\"\nx := 1\nfmt.Println(x)\n");
        assert_eq!(
            text,
            "package main\nimport \"fmt\"\nfunc _() {\nx := 1\nfmt.Println(x)\n}\n"
        );
        assert_eq!(map, [0, 1, 0, 2, 3, 0]);
    }

    #[test]
    fn python_sessions_keep_their_code() {
        assert_eq!(python_source(">>> x = 1\n>>> x\n1\n"), "x = 1\nx\n");
        assert_eq!(python_source("print(1)\n"), "print(1)\n");
    }
}
