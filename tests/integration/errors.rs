//! Bad input: every user error names the file, line and column, says what is wrong, hints at
//! the fix, exits with 1 (2 for usage errors), and leaves the previous `public/` untouched.

use crate::harness::{Run, Site};

/// Builds the fixture once (the "previous site"), applies `break_it`, builds again, and checks
/// the failure left the previous output byte-for-byte in place.
fn fails_keeping_previous_output(break_it: impl FnOnce(&Site)) -> Run {
    let site = Site::fixture("zola-style");
    site.build();
    let before = site.snapshot();
    break_it(&site);
    let run = site.galley(&["build"]);
    assert_ne!(run.code, Some(0), "the build should fail:\n{}", run.stderr);
    assert!(before == site.snapshot(), "a failed build changed public/");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

#[test]
fn invalid_toml_front_matter() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\ndate = \n+++\nbody\n",
        );
    })
    .exit(1)
    .stderr_has("error[frontmatter/toml]: invalid TOML front matter")
    .stderr_has("content/blog/first.md:3:");
}

#[test]
fn invalid_yaml_front_matter() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/second.md",
            "---\ntitle: Second\ntags: [rust\n---\nbody\n",
        );
    })
    .exit(1)
    .stderr_has("error[frontmatter/yaml]")
    .stderr_has("content/blog/second.md:");
}

#[test]
fn unclosed_front_matter() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\n\nNo closing line.\n",
        );
    })
    .exit(1)
    .stderr_has("front matter opened with `+++` is never closed")
    .stderr_has("content/blog/first.md:1:1")
    .stderr_has("add a line with just `+++`");
}

#[test]
fn unknown_front_matter_field() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\ntagz = [\"x\"]\n+++\nbody\n",
        );
    })
    .exit(1)
    .stderr_has("unknown front matter field `tagz`")
    .stderr_has("content/blog/first.md:3:1")
    .stderr_has("did you mean `tags`?");
}

#[test]
fn non_utf8_file() {
    fails_keeping_previous_output(|site| {
        site.write("content/blog/first.md", b"+++\ntitle = \"caf\xe9\"\n+++\n");
    })
    .exit(1)
    .stderr_has("content/blog/first.md is not valid UTF-8")
    .stderr_has("content/blog/first.md:2:")
    .stderr_has("save the file as UTF-8");
}

/// Adds `line` to site.toml after its `paginate_by` line (line 6), before any table.
fn add_config_line(site: &Site, line: &str) {
    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let config = config.replace("paginate_by = 2\n", &format!("paginate_by = 2\n{line}\n"));
    site.write("site.toml", config);
}

#[test]
fn missing_theme_points_at_the_theme_key_and_lists_the_themes() {
    fails_keeping_previous_output(|site| {
        site.write("themes/other/templates/page.html", "");
        site.write("themes/plain/templates/page.html", "");
        add_config_line(site, "theme = \"nope\"");
    })
    .exit(1)
    .stderr_has("theme `nope` not found")
    .stderr_has("site.toml:7:1")
    .stderr_has("themes available: other, plain");
}

#[test]
fn unknown_highlighting_theme_points_at_its_key() {
    fails_keeping_previous_output(|site| {
        add_config_line(site, "highlighting.dark_theme = \"Monokai Extendd\"");
    })
    .exit(1)
    .stderr_has("unknown highlighting theme \"Monokai Extendd\"")
    .stderr_has("site.toml:7:14")
    .stderr_has("did you mean \"Monokai Extended\"?");
}

#[test]
fn missing_template_named_in_front_matter_points_at_the_key() {
    fails_keeping_previous_output(|site| {
        let text = std::fs::read_to_string(site.path().join("content/blog/first.md")).unwrap();
        let title = "title = \"First post\"\n";
        let text = text.replacen(title, &format!("{title}template = \"pgae.html\"\n"), 1);
        site.write("content/blog/first.md", text);
    })
    .exit(1)
    .stderr_has("template `pgae.html` not found")
    .stderr_has("content/blog/first.md:3:1")
    .stderr_has("did you mean `page.html`?");
}

#[test]
fn missing_page_template_of_a_section_points_at_the_section_key() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/_index.md",
            "+++\ntitle = \"Blog\"\n\npage_template = \"post.html\"\n+++\n",
        );
    })
    .exit(1)
    .stderr_has("template `post.html` not found")
    .stderr_has("content/blog/_index.md:4:1");
}

#[test]
fn empty_slug_points_at_the_key() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\nslug = \"\"\n+++\nbody\n",
        );
    })
    .exit(1)
    .stderr_has("`slug` is empty")
    .stderr_has("content/blog/first.md:3:1");
}

#[test]
fn updated_and_lastmod_together_say_they_are_one_field() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "---\ntitle: First\nupdated: 2026-01-01\nlastmod: 2026-01-02\n---\nbody\n",
        );
    })
    .exit(1)
    .stderr_has("`updated` and `lastmod` are the same field")
    .stderr_has("content/blog/first.md:4:1")
    .stderr_has("keep one of them");
}

#[test]
fn template_extending_a_missing_parent() {
    fails_keeping_previous_output(|site| {
        site.write(
            "templates/page.html",
            "{% extends \"bse.html\" %}\n{% block content %}{% endblock content %}\n",
        );
    })
    .exit(1)
    .stderr_has("error[template/missing-parent]")
    .stderr_has("templates/page.html:1:13")
    .stderr_has("did you mean `base.html`?");
}

#[test]
fn template_using_an_unknown_filter() {
    fails_keeping_previous_output(|site| {
        site.write("templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title | shout }}\n{% endblock content %}\n");
    })
    .exit(1)
    .stderr_has("Unknown filter `shout`")
    .stderr_has("templates/page.html:3:")
    .stderr_has("content/docs/templates.md");
}

#[test]
fn broken_internal_link_in_a_heading() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\n+++\n\n## See [x](@/blog/nope.md)\n",
        );
    })
    .exit(1)
    .stderr_has("broken internal link: no page `blog/nope.md`")
    .stderr_has("content/blog/first.md:5:8");
}

#[test]
fn template_syntax_error() {
    fails_keeping_previous_output(|site| {
        site.write("templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title }\n{% endblock content %}\n");
    })
    .exit(1)
    .stderr_has("error[template/syntax]")
    .stderr_has("templates/page.html:3:");
}

#[test]
fn template_referring_to_a_missing_variable() {
    fails_keeping_previous_output(|site| {
        site.write("templates/page.html", "{% extends \"base.html\" %}\n{% block content %}\n{{ page.titel }}\n{% endblock content %}\n");
    })
    .exit(1)
    .stderr_has("Field `titel` is not defined")
    .stderr_has("Available fields:")
    .stderr_has("templates/page.html:3:")
    .stderr_has("while rendering content/blog/");
}

#[test]
fn two_pages_with_the_same_output_path() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/copy.md",
            "+++\ntitle = \"Copy\"\nslug = \"first\"\n+++\n",
        );
    })
    .exit(1)
    .stderr_has("both render to /blog/first/")
    .stderr_has("content/blog/copy.md")
    .stderr_has("content/blog/first.md");
}

#[test]
fn two_pages_claiming_the_same_alias() {
    // first.md already has aliases = ["/old/first/"].
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/copy.md",
            "+++\ntitle = \"Copy\"\naliases = [\"/old/first/\"]\n+++\n",
        );
    })
    .exit(1)
    .stderr_has("both produce /old/first/index.html")
    .stderr_has("an alias of content/blog/copy.md")
    .stderr_has("an alias of content/blog/first.md");
}

#[test]
fn unknown_config_key() {
    fails_keeping_previous_output(|site| {
        let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
        site.write("site.toml", config.replace("title =", "tittle ="));
    })
    .exit(1)
    .stderr_has("unknown field `tittle`")
    .stderr_has("site.toml:1:1")
    .stderr_has("`title`");
}

#[test]
fn broken_internal_link() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\n+++\n\nSee [x](@/blog/nope.md).\n",
        );
    })
    .exit(1)
    .stderr_has("broken internal link: no page `blog/nope.md`")
    .stderr_has("content/blog/first.md:5:5");
}

#[test]
fn broken_internal_anchor() {
    fails_keeping_previous_output(|site| {
        site.write(
            "content/blog/first.md",
            "+++\ntitle = \"First\"\n+++\n\nSee [x](@/blog/second.md#stup).\n",
        );
    })
    .exit(1)
    .stderr_has("`blog/second.md` has no anchor `#stup`")
    .stderr_has("content/blog/first.md:5:5")
    .stderr_has("did you mean #setup?");
}

#[test]
fn not_a_site_folder_is_a_usage_error() {
    let site = Site::empty();
    site.galley(&["build"])
        .exit(2)
        .stderr_has("no site configuration at")
        .stderr_has("--root");
}

#[test]
fn unknown_flag_is_a_usage_error() {
    Site::empty().galley(&["build", "--frobnicate"]).exit(2);
}

#[test]
fn output_inside_content_is_refused() {
    let site = Site::fixture("zola-style");
    let out = site.path().join("content/out");
    site.galley(&["build", "--output", out.to_str().unwrap()])
        .exit(2)
        .stderr_has("overlaps the source folder");
    assert!(!out.exists());
}
