//! `galley init` and `galley new post`: a new site works at once; nothing is ever overwritten.
//! Also `--minify`, which must not change what readers see or copy.

use crate::harness::{Run, Site, galley};

fn init(site: &Site, dir: &str) -> Run {
    let mut command = galley();
    command.current_dir(site.path()).args(["init", dir]);
    Run::of(command)
}

#[test]
fn a_new_site_builds_and_passes_its_checks() {
    let holder = Site::empty();
    init(&holder, "notes")
        .success()
        .stderr_has("Created a site in notes");
    let root = holder.path().join("notes");
    for file in [
        "site.toml",
        "content/blog/hello-galley.md",
        "themes/default/templates/page.html",
        ".github/workflows/pages.yml",
        ".gitignore",
    ] {
        assert!(root.join(file).is_file(), "{file} missing");
    }
    let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
    assert!(config.contains("title = \"Notes\""), "{config}");
    let mut check = galley();
    check.arg("--root").arg(&root).arg("check");
    let run = Run::of(check).success();
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("warning["),
        "a new site has nothing to warn about:\n{}",
        run.stdout
    );
}

#[test]
fn init_refuses_a_folder_that_holds_a_site() {
    let site = Site::fixture("zola-style");
    let before = std::fs::read(site.path().join("site.toml")).unwrap();
    init(&site, ".")
        .exit(1)
        .stderr_has("already has site.toml")
        .stderr_has("refusing to overwrite");
    assert_eq!(
        std::fs::read(site.path().join("site.toml")).unwrap(),
        before
    );
}

#[test]
fn new_post_fills_in_date_slug_and_draft_and_never_overwrites() {
    let site = Site::fixture("zola-style");
    site.galley(&["new", "post", "Tuning PgBouncer: pools & limits"])
        .success()
        .stderr_has("content/blog/tuning-pgbouncer-pools-limits.md");
    let text = std::fs::read_to_string(
        site.path()
            .join("content/blog/tuning-pgbouncer-pools-limits.md"),
    )
    .unwrap();
    assert!(
        text.contains("title = \"Tuning PgBouncer: pools & limits\""),
        "{text}"
    );
    assert!(
        text.contains("slug = \"tuning-pgbouncer-pools-limits\""),
        "{text}"
    );
    assert!(text.contains("draft = true"), "{text}");
    assert!(has_a_date_with_offset(&text), "{text}");
    site.galley(&["build"]).success();
    assert!(
        !site.has_output("blog/tuning-pgbouncer-pools-limits/index.html"),
        "drafts stay out"
    );
    site.galley(&["build", "--drafts"]).success();
    assert!(site.has_output("blog/tuning-pgbouncer-pools-limits/index.html"));

    std::fs::write(
        site.path()
            .join("content/blog/tuning-pgbouncer-pools-limits.md"),
        "mine",
    )
    .unwrap();
    site.galley(&["new", "post", "Tuning PgBouncer: pools & limits"])
        .exit(1)
        .stderr_has("refusing to overwrite");
    assert_eq!(
        std::fs::read_to_string(
            site.path()
                .join("content/blog/tuning-pgbouncer-pools-limits.md")
        )
        .unwrap(),
        "mine"
    );
}

/// `date = 2026-12-08T01:02:03+01:00`: now, with the local offset.
fn has_a_date_with_offset(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("date = 20").is_some_and(|rest| {
            let offset = &rest[rest.len().saturating_sub(6)..];
            offset.len() == 6
                && offset.starts_with(['+', '-'])
                && offset.as_bytes()[3] == b':'
                && rest.contains('T')
        })
    })
}

#[test]
fn init_keeps_the_archetype_a_template_for_new_posts() {
    let holder = Site::empty();
    init(&holder, "notes").success();
    let root = holder.path().join("notes");
    let archetype = std::fs::read_to_string(root.join("archetypes/default.md")).unwrap();
    assert!(archetype.contains("date = {{ date }}"), "{archetype}");
    assert!(archetype.contains("{{ title"), "{archetype}");
    let mut new = galley();
    new.arg("--root")
        .arg(&root)
        .args(["new", "post", "Later post"]);
    Run::of(new).success();
    let text = std::fs::read_to_string(root.join("content/blog/later-post.md")).unwrap();
    assert!(text.contains("title = \"Later post\""), "{text}");
    assert!(has_a_date_with_offset(&text), "{text}");
}

#[test]
fn new_post_fills_in_what_the_archetype_lacks() {
    let site = Site::fixture("zola-style");
    site.write(
        "archetypes/default.md",
        "+++\ntitle = {{ title | json_encode | safe }}\n[taxonomies]\ntags = []\n+++\nBody\n",
    );
    site.galley(&["new", "post", "Bare one"]).success();
    let text = std::fs::read_to_string(site.path().join("content/blog/bare-one.md")).unwrap();
    assert!(has_a_date_with_offset(&text), "{text}");
    assert!(text.contains("slug = \"bare-one\""), "{text}");
    assert!(text.contains("draft = true"), "{text}");
    site.galley(&["build", "--drafts"]).success();
    assert!(site.has_output("blog/bare-one/index.html"));

    site.write("archetypes/notes.md", "No front matter at all.\n");
    site.galley(&["new", "post", "Plain", "--section", "notes"])
        .success();
    let text = std::fs::read_to_string(site.path().join("content/notes/plain.md")).unwrap();
    assert!(text.starts_with("+++\ntitle = \"Plain\"\n"), "{text}");
    assert!(text.contains("draft = true"), "{text}");
}

#[test]
fn new_post_refuses_a_section_outside_content() {
    let site = Site::fixture("zola-style");
    for section in ["../..", "../escape", "blog/../../x", "/etc", "a\\b"] {
        site.galley(&["new", "post", "Escape", "--section", section])
            .exit(2)
            .stderr_has("is not a folder inside content/")
            .stderr_has("--section blog");
    }
    assert!(!site.path().join("escape.md").exists());
    assert!(!site.path().parent().unwrap().join("escape.md").exists());
}

#[test]
fn new_post_uses_the_sections_archetype_first() {
    let site = Site::fixture("zola-style");
    site.write(
        "archetypes/default.md",
        "+++\ntitle = {{ title | json_encode | safe }}\ndraft = true\n+++\ndefault\n",
    );
    site.write("archetypes/notes.md", "+++\ntitle = {{ title | json_encode | safe }}\ndate = {{ date }}\ndraft = true\n+++\nA note in {{ section }}.\n");
    site.galley(&["new", "post", "Quick one", "--section", "notes"])
        .success();
    let text = std::fs::read_to_string(site.path().join("content/notes/quick-one.md")).unwrap();
    assert!(text.contains("A note in notes."), "{text}");
    site.galley(&["new", "post", "Other", "--section", "essays"])
        .success();
    assert!(
        std::fs::read_to_string(site.path().join("content/essays/other.md"))
            .unwrap()
            .contains("default")
    );
}

#[test]
fn an_archetype_that_gives_invalid_front_matter_is_refused() {
    let site = Site::fixture("zola-style");
    site.write(
        "archetypes/default.md",
        "+++\ntitle = {{ title | json_encode | safe }}\nauthor = \"me\"\n+++\n",
    );
    site.galley(&["new", "post", "X"])
        .exit(1)
        .stderr_has("unknown front matter field `author`")
        .stderr_has("fix the archetype archetypes/default.md");
    assert!(!site.path().join("content/blog/x.md").exists());
}

#[test]
fn minify_shrinks_html_but_keeps_code_and_scripts() {
    let site = Site::fixture("zola-style");
    let text = std::fs::read_to_string(site.path().join("content/blog/first.md")).unwrap();
    site.write("content/blog/first.md", format!("{text}\n<script>let  spaced =  '  kept  ';</script>\n\n```text\n  indented    line\n```\n"));
    site.galley(&["build"]).success();
    let plain = site.output("blog/first/index.html");
    site.galley(&["build", "--minify"]).success();
    let minified = site.output("blog/first/index.html");
    assert!(
        minified.len() < plain.len(),
        "{} >= {}",
        minified.len(),
        plain.len()
    );
    assert!(
        minified.contains("let  spaced =  '  kept  ';"),
        "{minified}"
    );
    assert!(minified.contains("  indented    line"), "{minified}");
    let pre =
        |html: &str| html[html.find("<pre").unwrap()..html.find("</pre>").unwrap()].to_owned();
    assert_eq!(pre(&plain), pre(&minified));
}

#[test]
fn the_publishing_docs_show_the_workflow_init_writes() {
    let root = crate::harness::repo_root();
    let docs = std::fs::read_to_string(root.join("content/docs/publishing.md")).unwrap();
    let start = docs
        .find("```yaml,name=.github/workflows/pages.yml\n")
        .expect("the workflow block")
        + "```yaml,name=.github/workflows/pages.yml\n".len();
    let shown = &docs[start..start + docs[start..].find("```").unwrap()];
    let written = std::fs::read_to_string(root.join("src/scaffold/pages.yml")).unwrap();
    let without_comments: String = written
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(shown, without_comments);
}

#[test]
fn the_pages_workflows_pass_the_github_workflow_schema() {
    let root = crate::harness::repo_root();
    for workflow in [".github/workflows/pages.yml", "src/scaffold/pages.yml"] {
        let text = std::fs::read_to_string(root.join(workflow)).unwrap();
        let site = Site::empty();
        site.write(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://example.org/\"\n",
        );
        site.write(
            "content/ci.md",
            format!(
                "+++\ntitle = \"CI\"\n+++\n```yaml,name=.github/workflows/pages.yml\n{text}```\n"
            ),
        );
        let run = site.galley(&["test", "--format", "json"]).success();
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let block = &report["pages"][0]["blocks"][0];
        assert_eq!(block["verdict"], "passed", "{workflow}: {block}");
        assert!(
            block["badge"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("workflow"),
            "{workflow}: {block}"
        );
    }
}

#[test]
fn the_pages_workflow_grants_what_deploying_needs_and_keys_its_cache_on_the_content() {
    let text = std::fs::read_to_string(crate::harness::repo_root().join("src/scaffold/pages.yml"))
        .unwrap();
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    // actions/deploy-pages: `pages: write` and `id-token: write` on the deploying job.
    let deploy = &workflow["jobs"]["deploy"]["permissions"];
    for (scope, access) in [
        ("pages", "write"),
        ("id-token", "write"),
        ("contents", "read"),
    ] {
        assert_eq!(deploy[scope], access, "deploy job, {scope}: {deploy}");
    }
    // The build job runs actions/configure-pages, which reads the Pages site: `pages: read`.
    let build = &workflow["jobs"]["build"];
    assert!(build.get("permissions").is_none(), "{build}");
    assert_eq!(workflow["permissions"]["contents"], "read");
    assert_eq!(workflow["permissions"]["pages"], "read");
    let steps = build["steps"].as_array().unwrap();
    let cache = steps
        .iter()
        .find(|s| {
            s["with"]["path"]
                .as_str()
                .is_some_and(|p| p.starts_with(".galley-cache\n"))
        })
        .expect("a step caching .galley-cache");
    // A fresh runner has no public/ for the previous output to update: caching it is waste.
    let paths: Vec<&str> = cache["with"]["path"].as_str().unwrap().lines().collect();
    assert_eq!(paths, [".galley-cache", "!.galley-cache/previous-output"]);
    assert!(
        cache["uses"]
            .as_str()
            .unwrap()
            .starts_with("actions/cache@"),
        "{cache}"
    );
    let key = cache["with"]["key"].as_str().unwrap();
    for part in [
        "hashFiles(",
        "'content/**'",
        "'site.toml'",
        "'templates/**'",
    ] {
        assert!(key.contains(part), "the cache key lacks {part}: {key}");
    }
    let restore = cache["with"]["restore-keys"].as_str().unwrap();
    assert!(
        key.starts_with(restore) && key != restore,
        "restore-keys must be a prefix of the key: {restore} / {key}"
    );
}
