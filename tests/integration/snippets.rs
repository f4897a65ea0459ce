//! `galley test` on fixture sites, through the real binary.
//!
//! The labelled corpus is `tests/fixtures/snippets/`: every fenced block of its pages is
//! preceded by an `<!-- expect: ... -->` comment giving its verdict and, for a failure, every
//! error it must produce as `code@line[:column]` (line 1 is the block's first code line, 0 its
//! fence). `every_labelled_snippet_gets_its_verdict_and_lines` checks all of them; to add a
//! case, add a block and its comment to one of the pages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A copy of a fixture site in a temporary folder, so caches and `run` blocks never touch
/// the repository.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn fixture(name: &str) -> Site {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_dir(&source, dir.path());
        Site { dir }
    }

    /// A site with one page whose body is `body`.
    fn with_page(body: &str) -> Site {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir_all(dir.path().join("content/blog")).unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "title = \"T\"\nbase_url = \"https://example.org/\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("content/blog/post.md"),
            format!("+++\ntitle = \"Post\"\n+++\n{body}"),
        )
        .unwrap();
        Site { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn galley(&self) -> Command {
        let mut command = Command::cargo_bin("galley").expect("the galley binary");
        command.arg("--root").arg(self.path()).env("NO_COLOR", "1");
        command
    }

    fn json(&self, args: &[&str]) -> (Value, i32) {
        let output = self
            .galley()
            .arg("test")
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "galley test --format json printed no JSON ({e}):\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (report, output.status.code().unwrap_or(-1))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// One labelled block: where it is and what must happen to it.
#[derive(Debug)]
struct Expectation {
    lang: String,
    verdict: String,
    /// (code, file line, column) of every expected error; `None` line: anywhere in the block.
    errors: Vec<(String, Option<usize>, Option<usize>)>,
}

/// `(file, first code line)` -> expectation, from the `<!-- expect: -->` comments.
fn expectations(site: &Path) -> BTreeMap<(String, usize), Expectation> {
    let mut found = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(site.join("content"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let display = format!("content/{}", file.file_name().unwrap().to_string_lossy());
        let lines: Vec<&str> = text.lines().collect();
        let mut pending: Option<&str> = None;
        let mut in_fence = false;
        for (i, line) in lines.iter().enumerate() {
            if in_fence {
                in_fence = !line.starts_with("```");
                continue;
            }
            if let Some(rest) = line.strip_prefix("<!-- expect: ") {
                pending = Some(rest.trim_end_matches("-->").trim());
            } else if let Some(info) = line.strip_prefix("```") {
                in_fence = true;
                let label = pending.take().unwrap_or_else(|| {
                    panic!(
                        "{display}:{}: a block without an <!-- expect: --> comment",
                        i + 1
                    )
                });
                let fence_line = i + 1;
                let first = fence_line + 1;
                let mut words = label.split_whitespace();
                let verdict = words.next().unwrap().to_owned();
                let errors = words
                    .map(|word| {
                        let (code, place) = word.split_once('@').unwrap_or((word, ""));
                        let mut parts = place.split(':').map(|p| p.parse::<usize>().ok());
                        let line = parts
                            .next()
                            .flatten()
                            .map(|l| if l == 0 { fence_line } else { first + l - 1 });
                        let column = parts.next().flatten();
                        (code.to_owned(), line, column)
                    })
                    .collect();
                let lang = info.split([',', ' ']).next().unwrap_or("").to_owned();
                found.insert(
                    (display.clone(), first),
                    Expectation {
                        lang,
                        verdict,
                        errors,
                    },
                );
            }
        }
    }
    found
}

#[test]
fn every_labelled_snippet_gets_its_verdict_and_lines() {
    let site = Site::fixture("snippets");
    let expected = expectations(site.path());
    assert!(
        expected.len() >= 200,
        "the corpus has {} snippets, fewer than 200",
        expected.len()
    );
    let (report, code) = site.json(&["--no-cache"]);
    assert_eq!(
        code, 1,
        "the corpus has failing blocks, so the exit code is 1"
    );

    let missing_tool = |lang: &str| match lang {
        "go" => !on_path("gofmt"),
        "python" | "py" => !on_path("python3"),
        _ => false,
    };
    let mut problems = Vec::new();
    let mut seen = 0;
    for page in report["pages"].as_array().unwrap() {
        let file = page["file"].as_str().unwrap();
        for block in page["blocks"].as_array().unwrap() {
            seen += 1;
            let line = block["line"].as_u64().unwrap() as usize;
            let Some(expectation) = expected.get(&(file.to_owned(), line)) else {
                problems.push(format!("{file}:{line}: a block the corpus does not label"));
                continue;
            };
            let verdict = block["verdict"].as_str().unwrap();
            let want = if missing_tool(&expectation.lang) {
                "skipped"
            } else {
                expectation.verdict.as_str()
            };
            let errors: Vec<(String, usize, usize)> = block["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["severity"] == "error")
                .map(|d| {
                    let location = &d["location"];
                    (
                        d["code"].as_str().unwrap().to_owned(),
                        location["line"].as_u64().unwrap() as usize,
                        location["column"].as_u64().unwrap() as usize,
                    )
                })
                .collect();
            let shown = || {
                errors
                    .iter()
                    .map(|(c, l, col)| format!("{c}@{l}:{col}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            if verdict != want {
                problems.push(format!(
                    "{file}:{line}: expected {want}, got {verdict} {}",
                    shown()
                ));
                continue;
            }
            if want != "failed" || expectation.errors.is_empty() {
                continue;
            }
            let matches = |(code, l, c): &(String, Option<usize>, Option<usize>),
                           (gc, gl, gcol): &(String, usize, usize)| {
                code == gc && l.is_none_or(|l| l == *gl) && c.is_none_or(|c| c == *gcol)
            };
            let all_expected_found = expectation
                .errors
                .iter()
                .all(|e| errors.iter().any(|g| matches(e, g)));
            let nothing_else = errors
                .iter()
                .all(|g| expectation.errors.iter().any(|e| matches(e, g)));
            if !all_expected_found || !nothing_else {
                problems.push(format!(
                    "{file}:{line}: expected errors {:?}, got {}",
                    expectation.errors,
                    shown()
                ));
            }
        }
    }
    assert_eq!(
        seen,
        expected.len(),
        "every labelled block is in the report"
    );
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
