//! The render cache in `.galley-cache/`: a warm build reuses it, and whatever changes (a page, a
//! template, site.toml, the URL a link points to) or however the cache is damaged, the output
//! is byte for byte what a clean `--no-cache` build produces.

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
    site.path().join(".galley-cache/render.bin")
}

fn edit(site: &Site, relative: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path().join(relative)).unwrap();
    assert!(text.contains(from), "{relative} has no {from:?}");
    site.write(relative, text.replacen(from, to, 1));
}

#[test]
fn a_build_with_nothing_changed_reuses_the_cache_untouched() {
    let site = Site::fixture("zola-style");
    site.build();
    let written = std::fs::read(cache_file(&site)).expect("a build writes the render cache");
    let modified = std::fs::metadata(cache_file(&site))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_warm_equals_clean(&site, "no change");
    // Every page came from the cache, so there was nothing new to save.
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
fn warm_builds_match_clean_builds_after_every_kind_of_edit() {
    let site = Site::fixture("zola-style");
    site.build();

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
}

#[test]
fn a_damaged_or_missing_cache_is_rebuilt_and_the_output_is_unchanged() {
    let site = Site::fixture("zola-style");
    site.build();
    let good = std::fs::read(cache_file(&site)).unwrap();

    std::fs::write(cache_file(&site), &good[..good.len() / 2]).unwrap();
    assert_warm_equals_clean(&site, "truncating the cache");
    assert_eq!(
        std::fs::read(cache_file(&site)).unwrap(),
        good,
        "the cache is rewritten whole"
    );

    std::fs::write(cache_file(&site), b"\xff\xfe not a cache at all").unwrap();
    assert_warm_equals_clean(&site, "garbling the cache");
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), good);

    std::fs::remove_dir_all(site.path().join(".galley-cache")).unwrap();
    assert_warm_equals_clean(&site, "deleting the cache folder");
    assert_eq!(std::fs::read(cache_file(&site)).unwrap(), good);
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let site = Site::fixture("zola-style");
    site.galley(&["build", "--no-cache"]).success();
    assert!(!cache_file(&site).exists());
}
