//! The highlight cache in `.galley-cache/` (syntect's output for code blocks the fast lexers do
//! not handle): a warm build reuses it, and whatever changes (a block, a page, a template,
//! site.toml, the URL a link points to) or however the cache is damaged, the output is byte for
//! byte what a clean `--no-cache` build produces.

use crate::harness::{Run, Site, galley, snapshot};

/// Builds warm into `public/` and clean into `clean/`, and asserts both trees are identical.
fn assert_warm_equals_clean(site: &Site, after: &str) {
    site.build();
    let mut command = galley();
    command
        .arg("--root")
        .arg(site.path())
        .args(["build", "--no-cache", "--output"])
        .arg(site.path().join("clean"));
    Run::of(command).success();
    let warm = snapshot(&site.path().join("public"));
    let clean = snapshot(&site.path().join("clean"));
    let names =
        |tree: &[(String, Vec<u8>)]| tree.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&warm),
        names(&clean),
        "after {after}: different files"
    );
    for ((name, a), (_, b)) in warm.iter().zip(&clean) {
        assert!(a == b, "after {after}: {name} differs from a clean build");
    }
}

fn cache_file(site: &Site) -> std::path::PathBuf {
    site.path().join(".galley-cache/highlight.bin")
}

/// The zola-style fixture plus a post whose blocks go through syntect (Rust, SQL, HCL) beside
/// one a fast lexer handles (YAML).
fn site_with_syntect_blocks() -> Site {
    let site = Site::fixture("zola-style");
    site.write(
        "content/blog/code.md",
        "+++\ntitle = \"Code\"\ndate = 2026-01-12\n+++\nSome code.\n\n\
         ```rust\nfn main() {\n    // a comment\n    println!(\"hi\");\n}\n```\n\n\
         ```sql,linenos\nSELECT name FROM users WHERE id = 1;\n```\n\n\
         ```hcl\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n```\n\n\
         ```yaml\na: 1\n```\n",
    );
    site
}

fn edit(site: &Site, relative: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path().join(relative)).unwrap();
    assert!(text.contains(from), "{relative} has no {from:?}");
    site.write(relative, text.replacen(from, to, 1));
}

#[test]
fn a_build_with_nothing_changed_reuses_the_cache_untouched() {
    let site = site_with_syntect_blocks();
    site.build();
    let written = std::fs::read(cache_file(&site)).expect("a build writes the highlight cache");
    let modified = std::fs::metadata(cache_file(&site))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_warm_equals_clean(&site, "no change");
    // Every syntect block came from the cache, so there was nothing new to save.
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), written);
    assert_eq!(
        std::fs::metadata(cache_file(&site))
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
}

#[test]
fn blocks_the_fast_lexers_handle_are_never_cached() {
    // The fixture's only block is YAML: nothing for syntect, so no cache file at all.
    let site = Site::fixture("zola-style");
    site.build();
    assert!(site.output("blog/first/index.html").contains("hl-"));
    assert!(!cache_file(&site).exists());
}

#[test]
fn warm_builds_match_clean_builds_after_every_kind_of_edit() {
    let site = site_with_syntect_blocks();
    site.build();

    edit(
        &site,
        "content/blog/code.md",
        "println!(\"hi\");",
        "println!(\"hello\"); // greet",
    );
    assert_warm_equals_clean(&site, "a Rust block edit");
    assert!(site.output("blog/code/index.html").contains("greet"));

    edit(&site, "content/blog/code.md", "```sql,linenos", "```sql");
    assert_warm_equals_clean(&site, "a block's fence options");

    edit(
        &site,
        "content/blog/first.md",
        "Again.",
        "Again, and *again*.",
    );
    assert_warm_equals_clean(&site, "a page body edit");

    edit(
        &site,
        "templates/page.html",
        "min</p>",
        "minutes to read</p>",
    );
    assert_warm_equals_clean(&site, "a template edit");

    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        format!("{config}\n[markdown]\nsmart_punctuation = true\n\n[highlighting]\nline_numbers = true\n"),
    );
    assert_warm_equals_clean(&site, "site.toml's Markdown and highlighting settings");

    edit(
        &site,
        "site.toml",
        "line_numbers = true",
        "line_numbers = true\nlight_theme = \"Nord\"",
    );
    assert_warm_equals_clean(&site, "another highlighting theme");

    edit(
        &site,
        "site.toml",
        "line_numbers = true",
        "line_numbers = true\nenabled = false",
    );
    assert_warm_equals_clean(&site, "highlighting turned off");
    assert!(!site.output("blog/code/index.html").contains("hl-source"));

    // first.md links to second.md: moving second.md changes first.md's HTML, though first.md
    // itself is untouched.
    edit(
        &site,
        "content/blog/second.md",
        "---\n",
        "---\nslug: deuxieme\n",
    );
    assert_warm_equals_clean(&site, "moving a page other pages link to");
    assert!(
        site.output("blog/first/index.html")
            .contains("/blog/deuxieme/#setup")
    );

    site.remove("content/blog/bundle");
    edit(
        &site,
        "content/blog/second.md",
        "[bundle](@/blog/bundle/index.md)",
        "bundle",
    );
    assert_warm_equals_clean(&site, "deleting a page");

    // Static files are copied, and the previous output's copy is compared, not trusted: the
    // same size and name with other bytes is still a change.
    site.write("static/notes.txt", "aaaa");
    assert_warm_equals_clean(&site, "adding a static file");
    site.build();
    site.write("static/notes.txt", "bbbb");
    assert_warm_equals_clean(&site, "a static file edit of the same size");
    assert_eq!(site.output("notes.txt"), "bbbb");
}

#[test]
fn a_damaged_or_missing_cache_is_rebuilt_and_the_output_is_unchanged() {
    let site = site_with_syntect_blocks();
    site.build();
    let good = std::fs::read(cache_file(&site)).unwrap();

    std::fs::write(cache_file(&site), &good[..good.len() / 2]).unwrap();
    assert_warm_equals_clean(&site, "truncating the cache");
    assert_eq!(
        std::fs::read(cache_file(&site)).unwrap(),
        good,
        "the cache is rewritten whole"
    );

    // One byte changed near the end, inside the highlighted HTML the file mostly holds: it
    // would still decode, so only a checksum can tell.
    let mut flipped = good.clone();
    let near_end = flipped.len() - 10;
    flipped[near_end] ^= 0x20;
    std::fs::write(cache_file(&site), &flipped).unwrap();
    assert_warm_equals_clean(&site, "changing one byte of the cache");
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), good);

    std::fs::write(cache_file(&site), b"\xff\xfe not a cache at all").unwrap();
    assert_warm_equals_clean(&site, "garbling the cache");
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), good);

    std::fs::remove_dir_all(site.path().join(".galley-cache")).unwrap();
    assert_warm_equals_clean(&site, "deleting the cache folder");
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), good);
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let site = site_with_syntect_blocks();
    site.galley(&["build", "--no-cache"]).success();
    assert!(!cache_file(&site).exists());
    // A cache whose every entry is stale (written before a block changed) is left as it was.
    site.build();
    let written = std::fs::read(cache_file(&site)).unwrap();
    edit(&site, "content/blog/code.md", "SELECT name", "SELECT email");
    site.galley(&["build", "--no-cache"]).success();
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), written);
    assert!(site.output("blog/code/index.html").contains("email"));
}
