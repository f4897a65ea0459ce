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

/// As `galley serve` builds: code blocks checked, badges in the HTML.
fn serve_options(root: &Path) -> SiteOptions {
    SiteOptions {
        snippets: super::SnippetMode::Check { run: false },
        ..options(root)
    }
}

fn files(site: &Site) -> Vec<(String, Vec<u8>)> {
    site.output
        .files()
        .map(|f| (f.path.clone(), f.read().unwrap().into_owned()))
        .collect()
}

/// Replaces the value of a key (`key = value` in TOML, `key: value` in YAML) on the lines
/// that start with it.
fn set_line(path: &Path, key: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let toml = text.starts_with("+++") || path.ends_with("site.toml");
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

fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// Takes `line` (in the TOML or YAML spelling the page uses) out of a page's front matter
/// when it is there, else adds it at the top.
fn toggle_front_matter(path: &Path, toml_line: &str, yaml_line: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let (fence, line) = if text.starts_with("+++") {
        ("+++\n", toml_line)
    } else {
        ("---\n", yaml_line)
    };
    let line = format!("{line}\n");
    let text = if text.contains(&line) {
        text.replacen(&line, "", 1)
    } else {
        text.replacen(fence, &format!("{fence}{line}"), 1)
    };
    std::fs::write(path, text).unwrap();
}

/// Undoes one of the edits that break the site or take a linked page away (invalid front
/// matter, a post made a draft, the second post set aside), so the sequences spend most of
/// their steps on a site that builds, and each break is followed by its fix.
fn undo_a_break(rng: &mut Rng, root: &Path) -> Option<PathBuf> {
    let second = root.join("content/blog/second.md");
    if !second.is_file() {
        std::fs::rename(root.join("second.md.aside"), &second).unwrap();
        return Some(second);
    }
    for post in POSTS.iter().map(|p| root.join(p)) {
        let text = std::fs::read_to_string(&post).unwrap();
        for (toml, yaml) in [BROKEN, DRAFT] {
            if text.contains(&format!("{toml}\n")) || text.contains(&format!("{yaml}\n")) {
                if rng.below(2) == 0 {
                    toggle_front_matter(&post, toml, yaml);
                    return Some(post);
                }
                return None;
            }
        }
    }
    None
}

const POSTS: [&str; 3] = [
    "content/blog/first.md",
    "content/blog/second.md",
    "content/blog/bundle/index.md",
];
/// Invalid front matter, in TOML and in YAML.
const BROKEN: (&str, &str) = ("oops = = 1", "oops: [1");
const DRAFT: (&str, &str) = ("draft = true", "draft: true");

/// Pages the edits created (`new-N.md`, `moved-N.md`), sorted so the choice is seeded.
fn extra_pages(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ["content/blog", "content/notes"]
        .iter()
        .filter_map(|dir| std::fs::read_dir(root.join(dir)).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("new-") || name.starts_with("moved-")
        })
        .collect();
    found.sort();
    found
}

/// The fixture, plus what lets the test see snippet badges in the page template.
fn prepare(root: &Path) {
    replace(
        &root.join("templates/page.html"),
        "{{ page.content | safe }}",
        "{{ page.content | safe }}<p class=\"checked\">{{ page.checked | join(sep=\", \") }}</p>",
    );
}

/// One random edit; returns the files it touched (as the watcher would report them).
fn edit(rng: &mut Rng, root: &Path, step: usize) -> Vec<PathBuf> {
    if let Some(fixed) = undo_a_break(rng, root) {
        return vec![fixed];
    }
    // The second post may be set aside (edit 21).
    let posts: Vec<PathBuf> = POSTS
        .iter()
        .map(|p| root.join(p))
        .filter(|p| p.is_file())
        .collect();
    let post = posts[rng.below(posts.len())].clone();
    let site_toml = root.join("site.toml");
    match rng.below(24) {
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
            let block = if rng.below(2) == 0 {
                "\n```json\n{\"a\": 1}\n```\n"
            } else {
                ""
            };
            std::fs::write(&name, format!("+++\ntitle = \"New {step}\"\ndate = 2026-03-{:02}\n[taxonomies]\ntags = {tags}\n+++\nHello, see [the first](@/blog/first.md).\n{block}", 1 + step % 27)).unwrap();
            return vec![name];
        }
        6 => {
            let extras = extra_pages(root);
            if extras.is_empty() {
                return vec![];
            }
            let victim = extras[rng.below(extras.len())].clone();
            std::fs::remove_file(&victim).unwrap();
            return vec![victim];
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
        10 => {
            let section = root.join("content/blog/_index.md");
            set_line(&section, "paginate_by", &(1 + step % 3).to_string());
            return vec![section];
        }
        11 => {
            set_line(&site_toml, "title", &format!("Site {step}"));
            return vec![site_toml];
        }
        12 => {
            set_line(&site_toml, "paginate_by", &(1 + step % 4).to_string());
            return vec![site_toml];
        }
        13 => {
            let (a, b) = (
                "taxonomies = [{ name = \"tags\", feed = true }, { name = \"categories\" }]",
                "taxonomies = [{ name = \"tags\", paginate_by = 1 }, { name = \"categories\", feed = true }, { name = \"series\" }]",
            );
            let text = std::fs::read_to_string(&site_toml).unwrap();
            let text = if text.contains(a) {
                text.replacen(a, b, 1)
            } else {
                text.replacen(b, a, 1)
            };
            std::fs::write(&site_toml, text).unwrap();
            return vec![site_toml];
        }
        14 => {
            // Badges name the Kubernetes version: this changes every manifest's badge.
            let table = "\n[snippets]\nk8s = \"1.29\"\n";
            let text = std::fs::read_to_string(&site_toml).unwrap();
            let text = match text.strip_suffix(table) {
                Some(before) => before.to_owned(),
                None => text + table,
            };
            std::fs::write(&site_toml, text).unwrap();
            return vec![site_toml];
        }
        15 => {
            let base = root.join("templates/base.html");
            replace(&base, "<body>", &format!("<body data-base=\"{step}\">"));
            return vec![base];
        }
        16 => {
            let names = [
                "section.html",
                "taxonomy_single.html",
                "taxonomy_list.html",
                "index.html",
            ];
            let template = root.join("templates").join(names[rng.below(names.len())]);
            replace(
                &template,
                "{% block content %}",
                &format!("{{% block content %}}<i>{step}</i>"),
            );
            return vec![template];
        }
        17 => {
            let extras = extra_pages(root);
            let target = if extras.is_empty() || rng.below(3) == 0 {
                post
            } else {
                extras[rng.below(extras.len())].clone()
            };
            toggle_front_matter(&target, DRAFT.0, DRAFT.1);
            return vec![target];
        }
        18 => {
            // Invalid front matter breaks the build; `undo_a_break` fixes it.
            toggle_front_matter(&post, BROKEN.0, BROKEN.1);
        }
        19 => {
            let extras = extra_pages(root);
            if extras.is_empty() {
                return vec![];
            }
            let from = extras[rng.below(extras.len())].clone();
            let dir = if root.join("content/notes/_index.md").is_file() && rng.below(2) == 0 {
                "content/notes"
            } else {
                "content/blog"
            };
            let to = root.join(format!("{dir}/moved-{step}.md"));
            std::fs::rename(&from, &to).unwrap();
            return vec![from, to];
        }
        20 => {
            let notes = root.join("content/notes");
            std::fs::create_dir_all(&notes).unwrap();
            let index = notes.join("_index.md");
            let page = notes.join(format!("new-{step}.md"));
            std::fs::write(
                &index,
                format!("+++\ntitle = \"Notes {step}\"\nsort_by = \"date\"\n+++\n"),
            )
            .unwrap();
            std::fs::write(
                &page,
                format!("+++\ntitle = \"Note {step}\"\ndate = 2026-04-01\n+++\nA note.\n"),
            )
            .unwrap();
            return vec![index, page];
        }
        21 => {
            // The second post is linked to by the first and listed by its section and terms.
            let second = root.join("content/blog/second.md");
            let aside = root.join("second.md.aside");
            // `undo_a_break` puts it back.
            std::fs::rename(&second, &aside).unwrap();
            return vec![second];
        }
        22 => {
            let mut text = std::fs::read_to_string(&post).unwrap();
            text.push_str(&format!(
                "\n```yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{step}\n```\n"
            ));
            std::fs::write(&post, text).unwrap();
        }
        _ => {
            // Reading the whole list, not just the pager's, makes every pager show an edit.
            let template = root.join("templates/section.html");
            let whole = "<b>{{ section.pages | length }} {{ section.pages[0].word_count }}</b>";
            let text = std::fs::read_to_string(&template).unwrap();
            let text = if text.contains(whole) {
                text.replacen(whole, "", 1)
            } else {
                text.replacen("<h1>", &format!("{whole}<h1>"), 1)
            };
            std::fs::write(&template, text).unwrap();
            return vec![template];
        }
    }
    vec![post]
}

/// Applies a seeded edit sequence, rebuilding incrementally after each edit and comparing the
/// output with a fresh build of the same files (or both must fail).
fn check_edit_sequence(seed: u64, steps: usize) {
    let dir = fixture_copy();
    let root = dir.path();
    prepare(root);
    let opts = serve_options(root);
    let mut site = Site::load(&opts).unwrap();
    let mut rng = Rng(seed);
    for step in 0..steps {
        let touched = edit(&mut rng, root, step);
        let paths = site.paths.clone();
        let changes: Vec<Change> = touched.iter().filter_map(|p| classify(p, &paths)).collect();
        let incremental = site.rebuild(&changes);
        let fresh = Site::load(&opts);
        match (&incremental, &fresh) {
            (Ok(_), Ok(fresh)) => {
                let (a, b) = (files(&site), files(fresh));
                let names =
                    |v: &[(String, Vec<u8>)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
                assert_eq!(
                    names(&a),
                    names(&b),
                    "seed {seed} step {step}: file lists differ after {changes:?}"
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

#[test]
fn random_edit_sequences_rebuild_exactly_like_full_builds() {
    for seed in [7_u64, 1234, 99_991, 31_337] {
        check_edit_sequence(seed, 50);
    }
}

/// The bug the random sequences first found: a site.toml edit rebuilt everything, then put
/// the previous snippet badges back over the fresh ones.
#[test]
fn a_site_toml_edit_shows_the_fresh_snippet_badges() {
    let dir = fixture_copy();
    let root = dir.path();
    let mut site = Site::load(&serve_options(root)).unwrap();
    let site_toml = root.join("site.toml");
    let text = std::fs::read_to_string(&site_toml).unwrap();
    std::fs::write(&site_toml, text + "\n[snippets]\nk8s = \"1.29\"\n").unwrap();
    let change = classify(&site_toml, &site.paths.clone()).unwrap();
    site.rebuild(&[change]).unwrap();
    let page = site
        .output
        .get("blog/first/index.html")
        .unwrap()
        .read()
        .unwrap();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Kubernetes 1.29"), "{page}");
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
