//! `galley build` on fixture sites: what a successful build produces.

use crate::harness::{Run, Site, galley, snapshot, well_formed_xml};

#[test]
fn zola_style_site_builds_unchanged() {
    let site = Site::fixture("zola-style");
    site.build().stderr_has("Built 3 pages");
    let first = site.output("blog/first/index.html");
    assert!(first.contains("<h2 id=\"setup\">"), "{first}");
    assert!(
        first.contains("<h2 id=\"setup-1\">"),
        "duplicate headings get -1: {first}"
    );
    assert!(
        first.contains("href=\"https://example.org/blog/second/#setup\""),
        "@/ link resolved: {first}"
    );
    assert!(
        first.contains("<span class=\"code-name\">deploy.yaml</span>"),
        "{first}"
    );
    let second = site.output("blog/second/index.html");
    assert!(
        second.contains("href=\"https://example.org/blog/first/#setup-1\""),
        "{second}"
    );
}

#[test]
fn sections_paginate_newest_first() {
    let site = Site::fixture("zola-style");
    site.build();
    let page1 = site.output("blog/index.html");
    let page2 = site.output("blog/page/2/index.html");
    let (second, first) = (
        page1.find("Second post").unwrap(),
        page1.find("First post").unwrap(),
    );
    assert!(second < first, "newest first: {page1}");
    assert!(
        page1.contains("rel=\"next\" href=\"/blog/page/2/\""),
        "{page1}"
    );
    assert!(page2.contains("A bundle"), "{page2}");
}

#[test]
fn yaml_front_matter_and_hugo_taxonomies_are_understood() {
    let site = Site::fixture("zola-style");
    site.build();
    let rust = site.output("tags/rust/index.html");
    assert!(
        rust.contains("Second post") && rust.contains("First post"),
        "{rust}"
    );
    let guide = site.output("categories/guide/index.html");
    assert!(guide.contains("Second post"), "{guide}");
}

#[test]
fn bundle_assets_are_copied_beside_their_page() {
    let site = Site::fixture("zola-style");
    site.build();
    assert!(site.has_output("blog/bundle/diagram.svg"));
    assert_eq!(
        site.output("blog/bundle/manifest.yaml"),
        "kind: ConfigMap\n"
    );
}

#[test]
fn feeds_and_sitemap_are_well_formed_and_complete() {
    let site = Site::fixture("zola-style");
    site.build();
    for feed in [
        "rss.xml",
        "atom.xml",
        "tags/rust/rss.xml",
        "tags/yaml/atom.xml",
    ] {
        well_formed_xml(&site.output(feed));
    }
    let atom = site.output("atom.xml");
    assert_eq!(atom.matches("<entry>").count(), 3, "{atom}");
    let sitemap = site.output("sitemap.xml");
    well_formed_xml(&sitemap);
    for url in [
        "https://example.org/blog/first/",
        "https://example.org/tags/rust/",
        "https://example.org/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} missing from sitemap"
        );
    }
    assert!(
        site.output("robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
}

#[test]
fn aliases_redirect_to_the_page() {
    let site = Site::fixture("zola-style");
    site.build();
    let alias = site.output("old/first/index.html");
    assert!(
        alias.contains("url=https://example.org/blog/first/"),
        "{alias}"
    );
}

#[test]
fn search_index_lists_every_page() {
    let site = Site::fixture("zola-style");
    site.build();
    let index: serde_json::Value = serde_json::from_str(&site.output("search_index.json")).unwrap();
    let titles: Vec<&str> = index
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["A bundle", "First post", "Second post"]);
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::fixture("zola-style");
    site.write(
        "content/blog/wip.md",
        "+++\ntitle = \"WIP\"\ndraft = true\n+++\nsoon\n",
    );
    site.build();
    assert!(!site.has_output("blog/wip/index.html"));
    site.galley(&["build", "--drafts"]).success();
    assert!(site.has_output("blog/wip/index.html"));
}

#[test]
fn base_url_with_a_path_prefix_reaches_every_link() {
    let site = Site::fixture("zola-style");
    site.galley(&["build", "--base-url", "https://example.org/docs/"])
        .success();
    let page = site.output("blog/first/index.html");
    assert!(page.contains("href=\"/docs/tags/rust/\""), "{page}");
    assert!(page.contains("https://example.org/docs/style."), "{page}");
    assert!(
        site.output("atom.xml")
            .contains("https://example.org/docs/blog/first/")
    );
    assert!(
        site.output("sitemap.xml")
            .contains("<loc>https://example.org/docs/blog/first/</loc>")
    );
    assert!(
        site.output("search_index.json")
            .contains("\"url\":\"/docs/blog/first/\"")
    );
    assert!(
        site.output("blog/index.html")
            .contains("href=\"/docs/blog/page/2/\"")
    );
}

/// Builds `site` into `out` with `threads` rayon threads.
fn build_into(site: &Site, out: &std::path::Path, threads: &str) -> Vec<(String, Vec<u8>)> {
    let mut command = galley();
    command
        .env("RAYON_NUM_THREADS", threads)
        .arg("--root")
        .arg(site.path())
        .args(["build", "--output"])
        .arg(out);
    Run::of(command).success();
    snapshot(out)
}

/// Sets the modification time of every source file of `site` to `seconds` after the epoch.
fn touch_sources(site: &Site, seconds: u64) {
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    for dir in ["content", "themes", "static", "templates"] {
        let dir = site.path().join(dir);
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(dir) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let file = std::fs::File::options()
                    .write(true)
                    .open(entry.path())
                    .unwrap();
                file.set_modified(when).unwrap();
            }
        }
    }
    let config = std::fs::File::options()
        .write(true)
        .open(site.path().join("site.toml"))
        .unwrap();
    config.set_modified(when).unwrap();
}

#[track_caller]
fn assert_same_tree(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)], what: &str) {
    let paths =
        |tree: &[(String, Vec<u8>)]| tree.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(paths(a), paths(b), "{what}: different files");
    for ((path, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let at = x
                .iter()
                .zip(y)
                .position(|(p, q)| p != q)
                .unwrap_or(x.len().min(y.len()));
            let around = |bytes: &[u8]| {
                String::from_utf8_lossy(&bytes[at.saturating_sub(60)..(at + 60).min(bytes.len())])
                    .into_owned()
            };
            panic!(
                "{what}: {path} differs at byte {at}:\n{}\n---\n{}",
                around(x),
                around(y)
            );
        }
    }
}

#[test]
fn builds_are_byte_identical_across_folders_mtimes_thread_counts_and_caches() {
    // The bundled blog: highlighting, feeds, taxonomies, search index, fingerprinted assets.
    let site = Site::bundled_blog();
    touch_sources(&site, 1_000_000_000);
    let cold = build_into(&site, &site.path().join("one"), "1");
    assert!(
        site.path().join(".galley-cache").is_dir(),
        "the first build leaves a cache for the second to reuse"
    );
    touch_sources(&site, 1_700_000_000);
    let warm = build_into(&site, &site.path().join("elsewhere/two"), "2");
    assert_same_tree(
        &cold,
        &warm,
        "cold cache, 1 thread vs warm cache, 2 threads, touched sources",
    );
    // The same sources in another folder, with a cold cache of their own.
    let copy = Site::bundled_blog();
    let other = build_into(&copy, &copy.path().join("public"), "2");
    assert_same_tree(&cold, &other, "another site folder");
}

#[test]
fn static_files_are_fingerprinted() {
    let site = Site::fixture("zola-style");
    site.build();
    let page = site.output("index.html");
    let start = page.find("https://example.org/style.").unwrap();
    let name = &page[start + "https://example.org/".len()..];
    let name = &name[..name.find('"').unwrap()];
    assert_eq!(site.output(name), site.output("style.css"));
}

#[test]
fn a_rebuild_links_unchanged_files_and_writes_changed_ones() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::fixture("zola-style");
    site.build();
    let inode = |relative: &str| {
        std::fs::metadata(site.path().join("public").join(relative))
            .unwrap()
            .ino()
    };
    let (second, bundle) = (
        inode("blog/second/index.html"),
        inode("blog/bundle/index.html"),
    );
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    site.write(
        "content/blog/second.md",
        text.replace("Steps.", "New steps."),
    );
    site.build();
    assert_eq!(
        inode("blog/bundle/index.html"),
        bundle,
        "an unchanged page is the same file"
    );
    assert_ne!(
        inode("blog/second/index.html"),
        second,
        "an edited page is a new file"
    );
    assert!(site.output("blog/second/index.html").contains("New steps."));
    let mut command = galley();
    command
        .arg("--root")
        .arg(site.path())
        .args(["build", "--no-cache", "--output"])
        .arg(site.path().join("clean"));
    Run::of(command).success();
    assert_eq!(site.snapshot(), snapshot(&site.path().join("clean")));
}

/// The numbers of `Built N pages, N sections, N taxonomy pages, N feeds: N files, N KiB`.
fn summary_numbers(stderr: &str) -> Vec<u64> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("Built "))
        .unwrap_or_else(|| panic!("no summary line in:\n{stderr}"));
    let before_time = &line[..line.find(" in ").expect("the build time")];
    before_time
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn the_summary_counts_what_the_build_wrote() {
    let site = Site::fixture("zola-style");
    let run = site.build();
    let files = site.snapshot();
    let feeds = files
        .iter()
        .filter(|(p, _)| p.ends_with("rss.xml") || p.ends_with("atom.xml"))
        .count() as u64;
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    // 3 pages (first, second, bundle), 2 sections (home, blog), 5 taxonomy pages (tags,
    // tags/rust, tags/yaml, categories, categories/guide).
    assert_eq!(
        summary_numbers(&run.stderr),
        [3, 2, 5, feeds, files.len() as u64, (bytes / 1024) as u64],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(" -> "), "{}", run.stderr);
}

#[test]
fn timings_print_one_line_per_phase() {
    let site = Site::fixture("zola-style");
    let run = site.galley(&["build", "--timings"]).success();
    let phases: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(fields.len(), 4, "phase line {l:?}");
            assert!(
                fields[1].parse::<f64>().is_ok() && fields[2] == "ms",
                "{l:?}"
            );
            assert!(
                fields[3].trim_end_matches('%').parse::<f64>().is_ok(),
                "{l:?}"
            );
            fields[0]
        })
        .collect();
    for phase in ["load", "markdown", "templates", "write"] {
        assert!(
            phases.contains(&phase),
            "no {phase} line in:\n{}",
            run.stderr
        );
    }
    let plain = site.galley(&["build"]).success();
    assert!(
        !plain.stderr.lines().any(|l| l.starts_with("  ")),
        "phases only with --timings:\n{}",
        plain.stderr
    );
}

#[test]
fn quiet_prints_nothing_on_success() {
    let site = Site::fixture("zola-style");
    let run = site.galley(&["--quiet", "build"]).success();
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert!(site.has_output("index.html"));
}

#[test]
fn off_a_terminal_the_output_is_plain_lines() {
    // What CI sees: stderr is a pipe, so no progress bar (no carriage returns, no escapes),
    // even with colours allowed.
    let site = Site::fixture("zola-style");
    let mut command = galley();
    command
        .env_remove("NO_COLOR")
        .arg("--root")
        .arg(site.path())
        .arg("build");
    let run = Run::of(command).success();
    assert!(
        !run.stderr.contains('\r') && !run.stderr.contains('\x1b'),
        "{:?}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

/// Runs galley on a pseudo-terminal (through util-linux's `script`), returning what it drew.
fn on_a_terminal(site: &Site, args: &str, no_color: bool) -> String {
    let galley = env!("CARGO_BIN_EXE_galley");
    let mut command = std::process::Command::new("script");
    command
        .args(["-q", "-c"])
        .arg(format!("{galley} --root {} {args}", site.path().display()))
        .arg("/dev/null")
        .env_remove("NO_COLOR");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command
        .output()
        .expect("`script` (util-linux) runs a command on a terminal: apt-get install util-linux");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn no_color_turns_escapes_off_on_a_terminal() {
    let site = Site::fixture("zola-style");
    site.write(
        "content/blog/broken.md",
        "+++\ntitle = \"B\"\ndescription = \"d\"\n+++\n[x](/nowhere/)\n",
    );
    // On a terminal, diagnostics are coloured...
    let coloured = on_a_terminal(&site, "check --no-snippets", false);
    assert!(coloured.contains("nowhere"), "{coloured}");
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    // ...and NO_COLOR turns every escape off, the build's progress included.
    for args in ["check --no-snippets", "build"] {
        let plain = on_a_terminal(&site, args, true);
        assert!(
            plain.contains("nowhere") || plain.contains("Built "),
            "{plain}"
        );
        assert!(!plain.contains('\x1b'), "{args}: {plain:?}");
    }
}
