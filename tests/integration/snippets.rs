//! `galley test` on fixture sites, through the real binary.
//!
//! The labelled corpus is `tests/fixtures/snippets/`: every fenced block of its pages is
//! preceded by an `<!-- expect: ... -->` comment giving its verdict and, for a failure, every
//! error it must produce as `code@line[:column]` (line 1 is the block's first code line, 0 its
//! fence). `every_labelled_snippet_gets_its_verdict_and_lines` checks all of them; to add a
//! case, add a block and its comment to one of the pages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::harness::Site;
use serde_json::Value;

/// A site with one page whose body is `body`.
fn with_page(body: &str) -> Site {
    let site = Site::empty();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/\"\n",
    );
    site.write(
        "content/blog/post.md",
        format!("+++\ntitle = \"Post\"\n+++\n{body}"),
    );
    site
}

/// `galley --root <site>`, ready for more arguments.
fn galley(site: &Site) -> std::process::Command {
    let mut command = crate::harness::galley();
    command.arg("--root").arg(site.path());
    command
}

/// `galley test --format json <args>`: the report and the exit code.
fn json(site: &Site, args: &[&str]) -> (Value, i32) {
    let output = galley(site)
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
                let errors: Vec<(String, Option<usize>, Option<usize>)> = words
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
                // A defect is labelled with the finding it must produce and where: "some
                // failure" would let a checker fail for the wrong reason, or at the wrong line.
                let where_ = format!("{display}:{fence_line}: {label}");
                if verdict == "failed" {
                    assert!(
                        !errors.is_empty(),
                        "{where_}: a failed label names its findings (code@line[:column])"
                    );
                }
                assert!(
                    errors.iter().all(|(_, line, _)| line.is_some()),
                    "{where_}: every expected finding has a line"
                );
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
    let readme = std::fs::read_to_string(site.path().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("hold {} code blocks", expected.len())),
        "the corpus README must give the real count: {}",
        expected.len()
    );
    let (report, code) = json(&site, &["--no-cache"]);
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
            if want != "failed" {
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

const VALID_DEPLOYMENT: &str = "```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n```\n";

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_passing_site_exits_0_with_the_closing_line() {
    let site = with_page(VALID_DEPLOYMENT);
    let output = galley(&site).arg("test").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).ends_with("1 passed, 0 failed, 0 skipped\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_typo_is_reported_at_its_line_and_column_with_a_suggestion() {
    let page = VALID_DEPLOYMENT.replace("  selector:", "  replcas: 2\n  selector:");
    let site = with_page(&page);
    let output = galley(&site).arg("test").output().unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    // Front matter takes lines 1-3, the fence line 4, so `replcas` is on line 10.
    assert!(
        text.contains("error[k8s/unknown-field]: unknown field \"replcas\" in Deployment.spec (did you mean \"replicas\"?)"),
        "{text}"
    );
    assert!(text.contains("--> content/blog/post.md:10:3"), "{text}");
    assert!(text.contains("^^^^^^^"), "{text}");
    assert!(text.ends_with("0 passed, 1 failed, 0 skipped\n"), "{text}");
}

#[test]
fn usage_errors_exit_2() {
    let site = with_page(VALID_DEPLOYMENT);
    let output = galley(&site)
        .args(["test", "--lang", "cobol"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = galley(&site)
        .args(["test", "content/blog/nope.md"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such file"));
    let output = galley(&site)
        .args(["test", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn github_format_writes_workflow_commands() {
    let site = with_page("```json\n{\"a\": 1,}\n```\n");
    let output = galley(&site)
        .args(["test", "--format", "github"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text.starts_with(
            "::error file=content/blog/post.md,line=5,col=9,title=json/syntax::invalid JSON"
        ),
        "{text}"
    );
    assert!(text.ends_with("0 passed, 1 failed, 0 skipped\n"), "{text}");
}

#[test]
fn junit_report_goes_to_a_file_and_is_well_formed() {
    let site = Site::fixture("snippets");
    let report = site.path().join("junit.xml");
    let output = galley(&site)
        .args(["test", "--no-run", "--format", "junit", "--output"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let xml = std::fs::read_to_string(&report).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut skipped) = (0, 0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    "skipped" => skipped += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert!(cases >= 200, "{cases} test cases");
    assert!(
        failures > 50 && skipped > 3,
        "{failures} failures, {skipped} skipped"
    );
    // The closing line still goes to stdout for the CI log.
    assert!(stdout(&output).contains(" passed, "), "{}", stdout(&output));
}

#[test]
fn the_cache_rechecks_only_changed_blocks() {
    let body = format!("{VALID_DEPLOYMENT}\n```bash\necho one\n```\n");
    let site = with_page(&body);
    let cached = |report: &Value| -> Vec<bool> {
        report["pages"][0]["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["cached"].as_bool().unwrap())
            .collect()
    };
    let (first, _) = json(&site, &[]);
    assert_eq!(cached(&first), [false, false]);
    assert!(site.path().join(".galley-cache/snippets.json").is_file());
    let (second, code) = json(&site, &[]);
    assert_eq!(code, 0);
    assert_eq!(cached(&second), [true, true]);
    // A line added above both blocks moves them; only the edited block is checked again.
    let page = site.path().join("content/blog/post.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replacen("+++\n```", "+++\nIntro.\n\n```", 1)
            .replace("echo one", "echo two"),
    )
    .unwrap();
    let (third, _) = json(&site, &[]);
    assert_eq!(cached(&third), [true, false]);
    assert_eq!(third["pages"][0]["blocks"][0]["line"], 7);
    let (fourth, _) = json(&site, &["--no-cache"]);
    assert_eq!(cached(&fourth), [false, false]);
}

#[test]
fn cached_failures_still_point_at_the_right_line() {
    let site = with_page("```toml\na = 1\nb = \n```\n");
    let (first, _) = json(&site, &[]);
    assert_eq!(
        first["pages"][0]["blocks"][0]["diagnostics"][0]["location"]["line"],
        6
    );
    let page = site.path().join("content/blog/post.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replacen("+++\n```", "+++\n\n\n```", 1)).unwrap();
    let (second, code) = json(&site, &[]);
    assert_eq!(code, 1);
    let block = &second["pages"][0]["blocks"][0];
    assert_eq!(block["cached"], true);
    assert_eq!(block["diagnostics"][0]["location"]["line"], 8);
}

#[test]
fn language_and_path_filters() {
    let site = Site::fixture("snippets");
    let (report, _) = json(&site, &["--no-run", "--lang", "json,toml"]);
    let langs: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["blocks"].as_array().unwrap())
        .map(|b| b["lang"].as_str().unwrap())
        .collect();
    assert_eq!(langs.len(), 17, "{langs:?}");
    assert!(
        langs.iter().all(|l| *l == "json" || *l == "toml"),
        "{langs:?}"
    );
    let (report, _) = json(&site, &["--no-run", "content/data.md", "content/run.md"]);
    let files: Vec<&str> = report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["content/data.md", "content/run.md"]);
}

#[test]
fn no_run_checks_run_blocks_without_executing_them() {
    let site = with_page("```console,run\n$ echo hello\ngoodbye\n```\n");
    let (report, code) = json(&site, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        report["pages"][0]["blocks"][0]["diagnostics"][0]["code"],
        "run/output"
    );
    let (report, code) = json(&site, &["--no-run"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["pages"][0]["blocks"][0]["badge"],
        "syntax: console (bash)"
    );
}

#[test]
fn drafts_are_checked_only_with_the_flag() {
    let site = with_page("```json\n{}\n```\n");
    let page = site.path().join("content/blog/post.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replace("title = \"Post\"", "title = \"Post\"\ndraft = true"),
    )
    .unwrap();
    let (report, _) = json(&site, &[]);
    assert_eq!(report["summary"]["passed"], 0);
    let (report, _) = json(&site, &["--drafts"]);
    assert_eq!(report["summary"]["passed"], 1);
}

#[test]
fn page_front_matter_and_site_settings_apply_to_every_block() {
    let site = with_page("```yaml\nspec:\n  replicas: 2\n```\n");
    let page = site.path().join("content/blog/post.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replace(
            "title = \"Post\"",
            "title = \"Post\"\n[snippets]\ntest = \"skip\"\nreason = \"draft examples\"",
        ),
    )
    .unwrap();
    let (report, code) = json(&site, &[]);
    assert_eq!(code, 0);
    assert_eq!(report["pages"][0]["blocks"][0]["reason"], "draft examples");
    let config = site.path().join("site.toml");
    std::fs::write(
        &config,
        "title = \"T\"\nbase_url = \"https://example.org/\"\n[snippets]\nk8s = \"1.12\"\n",
    )
    .unwrap();
    let output = galley(&site).arg("test").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("1.25, 1.26"));
}

#[test]
fn a_run_block_cannot_see_galleys_environment() {
    let site = with_page(
        "```console,run\n$ echo \"token=[$GALLEY_SECRET_TOKEN] home=$HOME\" | sed 's|/tmp/[^ ]*|TMP|'\ntoken=[] home=TMP\n```\n",
    );
    let output = galley(&site)
        .arg("test")
        .env("GALLEY_SECRET_TOKEN", "hunter2")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains("hunter2"));
}

/// Every block's verdict and badge, in order: what two reports must agree on.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["blocks"].as_array().unwrap())
        .map(|b| {
            (
                b["verdict"].as_str().unwrap().to_owned(),
                b["badge"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_bare_skip_is_an_unknown_annotation_at_the_fence() {
    let site = with_page("```yaml skip\na: 1\n```\n\n```yaml,k8=1.30\nb: 2\n```\n");
    let output = galley(&site).arg("test").output().unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error[snippet/unknown-annotation]: unknown annotation `skip`"),
        "{text}"
    );
    assert!(text.contains("--> content/blog/post.md:4:1"), "{text}");
    assert!(text.contains("did you mean `test=skip`?"), "{text}");
    assert!(text.contains("did you mean `k8s=1.30`?"), "{text}");
    assert!(text.contains("--> content/blog/post.md:8:1"), "{text}");
    assert!(text.ends_with("0 passed, 2 failed, 0 skipped\n"), "{text}");
}

#[test]
fn pathological_nesting_is_reported_without_crashing_or_hanging() {
    let body = format!(
        "```yaml\na: {}\n```\n\n```bash\necho start\n((((((((((((((((((((((((\n```\n\n```rust\nfn f() {{ {} }}\n```\n\n```json\n{}\n```\n",
        "[".repeat(5_000),
        "(".repeat(5_000),
        "[".repeat(5_000),
    );
    let site = with_page(&body);
    let (report, code) = json(&site, &["--no-cache"]);
    assert_eq!(code, 1, "{report}");
    let codes: Vec<(&str, u64)> = report["pages"][0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let d = &b["diagnostics"][0];
            (
                d["code"].as_str().unwrap(),
                d["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes[..3],
        [
            ("snippet/too-deep", 5),
            ("bash/syntax", 10),
            ("snippet/too-deep", 14)
        ],
        "{report}"
    );
    assert_eq!(codes[3].0, "json/syntax", "serde_json has its own limit");
}

#[test]
fn no_run_never_replays_what_a_run_found() {
    let site = with_page("```bash,run\necho hi\n```\n\n```text\nhi\n```\n");
    let (ran, code) = json(&site, &[]);
    assert_eq!(code, 0, "{ran}");
    let (fresh, _) = json(&site, &["--no-run", "--no-cache"]);
    let (cached, _) = json(&site, &["--no-run"]);
    assert_ne!(
        verdicts(&ran),
        verdicts(&fresh),
        "the run compared the output"
    );
    assert_eq!(verdicts(&cached), verdicts(&fresh));
}

#[test]
fn build_check_with_no_cache_neither_reads_nor_writes_the_snippet_cache() {
    let site = with_page("```json\n{\"a\": 1}\n```\n");
    for template in ["index.html", "page.html", "section.html"] {
        site.write(&format!("templates/{template}"), "ok");
    }
    let file = site.path().join(".galley-cache/snippets.json");
    site.galley(&["build", "--check", "--no-cache"]).success();
    assert!(!file.exists(), "--no-cache wrote the snippet cache");
    // A cache saying the block failed must not be read either.
    json(&site, &[]);
    let poisoned = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"verdict\":\"passed\"", "\"verdict\":\"failed\"");
    std::fs::write(&file, &poisoned).unwrap();
    let (report, code) = json(&site, &[]);
    assert_eq!(
        code, 1,
        "the poisoned entry is read without --no-cache: {report}"
    );
    site.galley(&["build", "--check", "--no-cache"]).success();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), poisoned);
}

#[test]
fn a_damaged_cache_file_is_an_empty_cache_and_is_rewritten() {
    let body = format!("{VALID_DEPLOYMENT}\n```toml\na = \n```\n");
    let site = with_page(&body);
    let file = site.path().join(".galley-cache/snippets.json");
    let (first, code) = json(&site, &[]);
    assert_eq!(code, 1);
    let whole = std::fs::read(&file).unwrap();
    for damaged in [
        whole[..whole.len() / 2].to_vec(),
        b"\xff\x00garbage{[".to_vec(),
    ] {
        std::fs::write(&file, &damaged).unwrap();
        let (report, code) = json(&site, &[]);
        assert_eq!(code, 1);
        assert_eq!(verdicts(&report), verdicts(&first));
        assert_eq!(
            report["pages"][0]["blocks"][1]["diagnostics"],
            first["pages"][0]["blocks"][1]["diagnostics"]
        );
        let rewritten: Value = serde_json::from_slice(&std::fs::read(&file).unwrap())
            .expect("the cache is valid JSON again");
        assert_eq!(rewritten["entries"].as_object().unwrap().len(), 2);
        let (again, _) = json(&site, &[]);
        assert_eq!(again["pages"][0]["blocks"][0]["cached"], true);
    }
}
