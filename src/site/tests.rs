//! Incremental rebuilds must equal full builds: random edit sequences on a fixture site, each
//! step compared byte for byte with a fresh build of the same files (or both must fail).

use std::path::{Path, PathBuf};

use super::{Change, Mode, Site, SiteOptions, classify};

/// A small deterministic generator (xorshift), so a failing sequence can be replayed by seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zola-style");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

fn options(root: &Path) -> SiteOptions {
    SiteOptions {
        root: root.to_path_buf(),
        config_path: root.join("site.toml"),
        base_url: Some("http://127.0.0.1:1111/".into()),
        drafts: false,
        mode: Mode::Serve,
        snippets: super::SnippetMode::Off,
        cache: false,
    }
}

fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    site.output
        .files()
        .map(|f| (f.path.clone(), f.read().unwrap().into_owned()))
        .collect()
}

/// Replaces the value of a front matter key (`key = value` in TOML, `key: value` in YAML).
fn set_line(path: &Path, key: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let toml = text.starts_with("+++");
    let quoted = if value.parse::<i64>().is_ok() {
        value.to_owned()
    } else {
        format!("\"{value}\"")
    };
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with(&format!("{key} =")) || line.starts_with(&format!("{key}:")) {
                if toml {
                    format!("{key} = {quoted}")
                } else {
                    format!("{key}: {value}")
                }
            } else {
                line.to_owned()
            }
        })
        .collect();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// One random edit; returns the files it touched.
fn edit(rng: &mut Rng, root: &Path, step: usize) -> Vec<PathBuf> {
    let posts = [
        "content/blog/first.md",
        "content/blog/second.md",
        "content/blog/bundle/index.md",
    ];
    let post = root.join(posts[rng.below(posts.len())]);
    let replace = |path: &Path, from: &str, to: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    };
    match rng.below(11) {
        0..=2 => {
            let mut text = std::fs::read_to_string(&post).unwrap();
            text.push_str(&format!("\nA new paragraph number {step} with *words*.\n"));
            std::fs::write(&post, text).unwrap();
        }
        3 => {
            let text = std::fs::read_to_string(&post).unwrap();
            let text = match text.find("description") {
                Some(_) => {
                    text.replacen("description = \"", &format!("description = \"v{step} "), 1)
                }
                None if text.starts_with("+++") => {
                    text.replacen("+++\n", &format!("+++\ndescription = \"d{step}\"\n"), 1)
                }
                None => text.replacen("---\n", &format!("---\ndescription: d{step}\n"), 1),
            };
            std::fs::write(&post, text).unwrap();
        }
        4 => set_line(&post, "title", &format!("Title {step}")),
        5 => {
            let name = root.join(format!("content/blog/new-{step}.md"));
            let tags = if rng.below(2) == 0 {
                "[\"rust\"]"
            } else {
                "[\"fresh\"]"
            };
            std::fs::write(&name, format!("+++\ntitle = \"New {step}\"\ndate = 2026-03-{:02}\n[taxonomies]\ntags = {tags}\n+++\nHello.\n", 1 + step % 27)).unwrap();
            return vec![name];
        }
        6 => {
            let news: Vec<PathBuf> = std::fs::read_dir(root.join("content/blog"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("new-"))
                .collect();
            if let Some(victim) = news.first() {
                std::fs::remove_file(victim).unwrap();
                return vec![victim.clone()];
            }
            return vec![];
        }
        7 => {
            let template = root.join("templates/page.html");
            replace(&template, "<h1>", &format!("<h1 data-step=\"{step}\">"));
            return vec![template];
        }
        8 => {
            let css = root.join("static/style.css");
            std::fs::write(&css, format!("body {{ color: #{:06x}; }}\n", step * 4099)).unwrap();
            return vec![css];
        }
        9 => {
            let text = std::fs::read_to_string(&post).unwrap();
            let swapped = if text.contains("\"yaml\"") {
                text.replacen("\"yaml\"", "\"ops\"", 1)
            } else {
                text.replacen("\"ops\"", "\"yaml\"", 1)
            };
            std::fs::write(&post, swapped).unwrap();
        }
        _ => {
            let section = root.join("content/blog/_index.md");
            set_line(&section, "paginate_by", &(1 + step % 3).to_string());
            return vec![section];
        }
    }
    vec![post]
}

#[test]
fn random_edit_sequences_rebuild_exactly_like_full_builds() {
    for seed in [7_u64, 1234, 99_991] {
        let dir = fixture_copy();
        let root = dir.path();
        let opts = options(root);
        let mut site = Site::load(&opts).unwrap();
        let mut rng = Rng(seed);
        for step in 0..40 {
            let touched = edit(&mut rng, root, step);
            let paths = site.paths.clone();
            let changes: Vec<Change> = touched.iter().filter_map(|p| classify(p, &paths)).collect();
            let incremental = site.rebuild(&changes);
            let fresh = Site::load(&opts);
            match (&incremental, &fresh) {
                (Ok(_), Ok(fresh)) => {
                    let (a, b) = (files(&site), files(fresh));
                    let names = |v: &[(String, Vec<u8>)]| {
                        v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()
                    };
                    assert_eq!(
                        names(&a),
                        names(&b),
                        "seed {seed} step {step}: file lists differ"
                    );
                    for ((path, x), (_, y)) in a.iter().zip(&b) {
                        assert!(
                            x == y,
                            "seed {seed} step {step}: {path} differs after {changes:?}:\n--- incremental\n{}\n--- full\n{}",
                            String::from_utf8_lossy(x),
                            String::from_utf8_lossy(y)
                        );
                    }
                }
                (Err(_), Err(_)) => {}
                _ => panic!(
                    "seed {seed} step {step}: incremental {:?} but full {:?} after {changes:?}",
                    incremental
                        .as_ref()
                        .map(|_| "ok")
                        .map_err(|e| e.to_string()),
                    fresh.as_ref().map(|_| "ok").map_err(|e| e.to_string())
                ),
            }
        }
    }
}

#[test]
fn a_body_edit_re_renders_only_what_shows_the_page() {
    let dir = fixture_copy();
    let root = dir.path();
    let mut site = Site::load(&options(root)).unwrap();
    let post = root.join("content/blog/second.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, format!("{text}\nOne more line.\n")).unwrap();
    let change = classify(&post, &site.paths.clone()).unwrap();
    let rebuilt = site.rebuild(&[change]).unwrap();
    assert!(!rebuilt.full);
    // The page, the blog pager showing it, its two terms, the two taxonomy lists, and its
    // neighbour; the home page looks the blog up (`get_section`), so it is re-rendered too.
    assert!(rebuilt.jobs < 12, "re-rendered {} jobs", rebuilt.jobs);
    assert!(
        site.output
            .get("blog/second/index.html")
            .unwrap()
            .read()
            .unwrap()
            .windows(8)
            .any(|w| w == b"One more")
    );
}

#[test]
fn a_stylesheet_edit_is_css_only_in_serve_mode() {
    let dir = fixture_copy();
    let root = dir.path();
    let mut site = Site::load(&options(root)).unwrap();
    let css = root.join("static/style.css");
    std::fs::write(&css, "body { color: red; }\n").unwrap();
    let change = classify(&css, &site.paths.clone()).unwrap();
    let rebuilt = site.rebuild(&[change]).unwrap();
    assert!(rebuilt.css_only);
    assert_eq!(rebuilt.jobs, 0);
}
