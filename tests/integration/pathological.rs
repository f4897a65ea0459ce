//! Pathological inputs: huge, deep, binary, vanishing and looping content. Each one either
//! builds or fails with a clear message; none panics, overflows the stack, hangs or takes
//! unbounded memory. Memory is the child's own peak RSS (`wait4`), checked against a generous
//! bound that a linear build stays far below; no test asserts a duration (the time limits only
//! catch hangs).

use std::fmt::Write;
use std::time::Duration;

use crate::harness::{Measured, Run, Site, galley, run_measured};

/// Far above what any of these builds needs, far below what a quadratic blow-up would take.
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;
/// Only catches hangs: these builds take seconds, even in a debug build.
const TIME_LIMIT: Duration = Duration::from_secs(300);

fn build(site: &Site) -> Measured {
    let mut command = galley();
    command.arg("--root").arg(site.path()).arg("build");
    run_measured(command, TIME_LIMIT)
}

/// No panic, no abort (stack overflow), no signal: exit 0, or exit 1 with a diagnostic.
#[track_caller]
fn clean_outcome(measured: &Measured) -> &Run {
    let run = &measured.run;
    for crash in [
        "panicked at",
        "stack overflow",
        "killed by signal",
        "RUST_BACKTRACE",
    ] {
        assert!(
            !run.stderr.contains(crash),
            "galley crashed ({crash}):\n{}",
            tail(&run.stderr)
        );
    }
    assert!(
        matches!(run.code, Some(0 | 1)),
        "exit code {:?}:\n{}",
        run.code,
        tail(&run.stderr)
    );
    if run.code == Some(1) {
        assert!(run.stderr.contains("error["), "{}", tail(&run.stderr));
    }
    assert!(
        measured.peak_rss_kib < MEMORY_LIMIT_KIB,
        "peak RSS {} MiB",
        measured.peak_rss_kib / 1024
    );
    run
}

#[track_caller]
fn builds(measured: &Measured) {
    let run = clean_outcome(measured);
    assert_eq!(run.code, Some(0), "{}", tail(&run.stderr));
}

#[track_caller]
fn fails_with(measured: &Measured, needle: &str) {
    let run = clean_outcome(measured);
    assert_eq!(run.code, Some(1), "{}", tail(&run.stderr));
    assert!(run.stderr.contains(needle), "{}", tail(&run.stderr));
}

fn tail(text: &str) -> &str {
    let cut = text.len().saturating_sub(4000);
    let cut = (cut..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    &text[cut..]
}

fn page(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = 2026-03-01\n+++\n{body}")
}

#[test]
fn a_20_mb_markdown_file_builds() {
    let site = Site::fixture("zola-style");
    let mut body = String::with_capacity(21 << 20);
    let mut section = 0;
    while body.len() < 20 << 20 {
        section += 1;
        let _ = write!(
            body,
            "## Part {section}\n\nA paragraph with *emphasis*, **strong**, `code`, a [link](https://example.org/{section}) \
             and a footnote[^n{section}]. It goes on for a while so the document is mostly prose, \
             the way a very long post is.\n\n- item one\n- item two with `kubectl get pods`\n  - nested\n\n\
             > A quote, with a [link to a post](@/blog/second.md#setup).\n\n\
             | col | value |\n|-----|-------|\n| a | {section} |\n\n\
             [^n{section}]: The footnote.\n\n"
        );
        if section % 50 == 0 {
            body.push_str("```yaml\nkind: ConfigMap\nmetadata:\n  name: x\n```\n\n");
        }
        for _ in 0..8 {
            body.push_str(
                "Plain sentences follow, words and words and more words, to make the file long. \
                 Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n",
            );
        }
        body.push('\n');
    }
    site.write("content/blog/huge.md", page("Huge", &body));
    let measured = build(&site);
    builds(&measured);
    let html = site.output("blog/huge/index.html");
    assert!(html.ends_with("</html>\n") || html.ends_with("</html>"));
    assert!(html.contains(&format!("id=\"part-{section}\"")));
    // The search index keeps a bounded excerpt, not 20 MB.
    let index = std::fs::metadata(site.path().join("public/search_index.json")).unwrap();
    assert!(
        index.len() < 1 << 20,
        "search index is {} bytes",
        index.len()
    );
}

#[test]
fn a_100_000_line_code_block_builds() {
    let site = Site::fixture("zola-style");
    let mut code = String::with_capacity(4 << 20);
    for i in 0..100_000 {
        let _ = writeln!(code, "  key_{i}: \"value <{i}> & more\"");
    }
    site.write(
        "content/blog/code.md",
        page("Code", &format!("Intro.\n\n```yaml,linenos\n{code}```\n")),
    );
    let measured = build(&site);
    builds(&measured);
    let html = site.output("blog/code/index.html");
    assert!(
        html.contains("&lt;99999&gt; &amp; more"),
        "escaped to the end"
    );
    assert_eq!(html.matches("<span class=\"ln\"").count(), 100_000);
}

#[test]
fn ten_thousand_headings_build_with_unique_ids() {
    let site = Site::fixture("zola-style");
    let mut body = String::new();
    for i in 0..10_000 {
        let level = "#".repeat(1 + i % 6);
        // The same title every time: ids must be made unique, in linear time.
        let _ = write!(body, "{level} Step\n\nText {i}.\n\n");
    }
    site.write("content/blog/headings.md", page("Headings", &body));
    let measured = build(&site);
    builds(&measured);
    let html = site.output("blog/headings/index.html");
    assert!(html.contains("id=\"step\""));
    assert!(html.contains("id=\"step-9999\""));
}

#[test]
fn five_thousand_deep_nesting_builds_or_fails_cleanly() {
    const DEPTH: usize = 5_000;
    let cases = [
        ("blockquotes", format!("{} deep\n", "> ".repeat(DEPTH))),
        ("lists", format!("{}deep\n", "- ".repeat(DEPTH))),
        ("ordered", format!("{}deep\n", "1. ".repeat(DEPTH))),
        ("mixed", format!("{}deep\n", "> - 1. ".repeat(DEPTH / 3))),
        (
            "indented-lists",
            (0..DEPTH)
                .map(|i| format!("{}- level {i}\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "brackets",
            format!("{}x{}\n", "[".repeat(DEPTH), "](y)".repeat(DEPTH)),
        ),
        (
            "emphasis",
            format!("{}x{}\n", "*a ".repeat(DEPTH), " a*".repeat(DEPTH)),
        ),
        (
            "html",
            format!("{}x{}\n", "<div>".repeat(DEPTH), "</div>".repeat(DEPTH)),
        ),
    ];
    for (name, body) in cases {
        let site = Site::fixture("zola-style");
        site.write(&format!("content/blog/{name}.md"), page(name, &body));
        let measured = build(&site);
        clean_outcome(&measured);
        assert_eq!(
            measured.run.code,
            Some(0),
            "{name}: {}",
            tail(&measured.run.stderr)
        );
    }
}

#[test]
fn a_1_mb_front_matter_builds() {
    let site = Site::fixture("zola-style");
    let mut toml = String::from("+++\ntitle = \"Big TOML\"\ndate = 2026-03-01\n\n[extra]\n");
    let mut i = 0;
    while toml.len() < 1 << 20 {
        let _ = writeln!(
            toml,
            "key_{i} = \"a value that takes some room, number {i}\""
        );
        i += 1;
    }
    toml.push_str("+++\nBody.\n");
    site.write("content/blog/big-toml.md", toml);

    let mut yaml = String::from("---\ntitle: Big YAML\ndate: 2026-03-01\ndescription: |\n");
    while yaml.len() < 1 << 20 {
        yaml.push_str("  a long description line, again and again and again\n");
    }
    yaml.push_str("extra:\n  list:\n");
    for i in 0..2_000 {
        let _ = writeln!(yaml, "    - {{ name: n{i}, values: [1, 2, 3] }}");
    }
    yaml.push_str("---\nBody.\n");
    site.write("content/blog/big-yaml.md", yaml);
    let measured = build(&site);
    builds(&measured);
    assert!(site.output("blog/big-toml/index.html").contains("Big TOML"));
}

#[test]
fn deeply_nested_front_matter_builds_or_fails_cleanly() {
    const DEPTH: usize = 100_000;
    let cases = [
        (
            "toml-arrays",
            format!(
                "+++\ntitle = \"T\"\n[extra]\nx = {}{}\n+++\n",
                "[".repeat(DEPTH),
                "]".repeat(DEPTH)
            ),
        ),
        (
            "toml-tables",
            format!(
                "+++\ntitle = \"T\"\n[extra]\nx = {}1{}\n+++\n",
                "{a = ".repeat(DEPTH),
                "}".repeat(DEPTH)
            ),
        ),
        (
            "yaml-flow",
            format!(
                "---\ntitle: T\nextra:\n  x: {}{}\n---\n",
                "[".repeat(DEPTH),
                "]".repeat(DEPTH)
            ),
        ),
        (
            "yaml-block",
            format!(
                "---\ntitle: T\nextra:\n{}\n---\n",
                (0..2_000)
                    .map(|i| format!("{}k{i}:", " ".repeat(2 * (i + 1))))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        ),
    ];
    for (name, text) in cases {
        let site = Site::fixture("zola-style");
        site.write(&format!("content/blog/{name}.md"), text);
        let measured = build(&site);
        clean_outcome(&measured);
    }
}

/// Deterministic pseudo-random bytes (xorshift), so a failure reproduces.
fn garbage(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

#[test]
fn binary_garbage_named_md_is_a_clear_error() {
    let site = Site::fixture("zola-style");
    site.write("content/blog/garbage.md", garbage(64 * 1024, 42));
    let measured = build(&site);
    fails_with(&measured, "content/blog/garbage.md is not valid UTF-8");
    assert!(
        measured
            .run
            .stderr
            .contains("a binary file must not have a .md extension")
    );

    // Garbage behind a valid front matter that happens to be UTF-8 (control characters, NUL)
    // builds: it is text, however strange.
    let strange: String = garbage(64 * 1024, 7)
        .into_iter()
        .map(|b| char::from(b & 0x7f))
        .collect();
    site.write("content/blog/garbage.md", page("Strange", &strange));
    builds(&build(&site));
}

#[test]
fn a_symlink_loop_in_content_is_a_clear_error() {
    let site = Site::fixture("zola-style");
    std::os::unix::fs::symlink("..", site.path().join("content/blog/loop")).unwrap();
    fails_with(&build(&site), "symbolic link loop");

    // A link that points at itself is a loop too, not a crash or a hang.
    let site = Site::fixture("zola-style");
    std::os::unix::fs::symlink("self.md", site.path().join("content/blog/self.md")).unwrap();
    let measured = build(&site);
    fails_with(&measured, "content/blog/self.md");
}

#[test]
fn a_dangling_symlink_is_a_clear_error() {
    // A file that existed when it was linked and is gone now: the state a deletion between
    // discovery and reading leaves behind, made deterministic.
    let site = Site::fixture("zola-style");
    std::os::unix::fs::symlink("gone.md", site.path().join("content/blog/dangling.md")).unwrap();
    fails_with(&build(&site), "content/blog/dangling.md");
}

#[test]
fn a_fifo_named_md_does_not_hang_the_build() {
    // Reading a FIFO blocks until someone writes to it: a build that opened it would hang.
    let site = Site::fixture("zola-style");
    let fifo = site.path().join("content/blog/pipe.md");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
    let mut command = galley();
    command.arg("--root").arg(site.path()).arg("build");
    let measured = run_measured(command, Duration::from_secs(60));
    fails_with(&measured, "content/blog/pipe.md");
}

#[test]
fn files_deleted_while_building_never_crash_the_build() {
    // The race between discovery and reading cannot be made deterministic from outside the
    // process (the unit test `content::tests::a_page_deleted_after_discovery_is_a_clear_error`
    // drives that exact path); here many builds run while pages appear and vanish, and each
    // must succeed or fail with a diagnostic.
    let site = Site::fixture("zola-style");
    for i in 0..200 {
        site.write(
            &format!("content/blog/churn-{i}.md"),
            page(&format!("Churn {i}"), "Body.\n"),
        );
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        let dir = site.path().join("content/blog");
        std::thread::spawn(move || {
            let mut round = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let path = dir.join(format!("churn-{}.md", round % 200));
                if (round / 200).is_multiple_of(2) {
                    let _ = std::fs::remove_file(&path);
                } else {
                    let _ = std::fs::write(&path, page("Back", "Again.\n"));
                }
                round += 1;
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    let mut outcomes = [0usize; 2];
    for _ in 0..30 {
        let measured = build(&site);
        let run = clean_outcome(&measured);
        outcomes[usize::from(run.code == Some(1))] += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().unwrap();
    assert!(outcomes[0] + outcomes[1] == 30);
}
