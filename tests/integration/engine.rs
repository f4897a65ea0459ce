//! The site engine's less travelled paths: links inside headings, a site's own 404 page, and the
//! site's static files winning over the theme's.

use crate::harness::Site;

#[test]
fn internal_link_in_a_heading_is_resolved() {
    let site = Site::fixture("zola-style");
    let text = std::fs::read_to_string(site.path().join("content/blog/first.md")).unwrap();
    site.write(
        "content/blog/first.md",
        format!("{text}\n## See [the second](@/blog/second.md#setup)\n"),
    );
    site.build();
    let page = site.output("blog/first/index.html");
    assert!(
        page.contains("<a href=\"https://example.org/blog/second/#setup\">the second</a>"),
        "{page}"
    );
}

#[test]
fn site_404_template_is_written_at_404_html() {
    let site = Site::fixture("zola-style");
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block content %}<h1>Lost at {{ current_path }}</h1>{% endblock content %}",
    );
    site.build();
    let page = site.output("404.html");
    assert!(page.contains("<h1>Lost at /404.html</h1>"), "{page}");
    assert!(!page.contains("Page not found"), "{page}");
}

#[test]
fn site_static_file_overrides_the_theme_file_of_the_same_path() {
    let site = Site::fixture("zola-style");
    site.write("themes/t/static/style.css", "/* theme */\n");
    site.write("themes/t/static/img/only-theme.svg", "<svg/>\n");
    site.write("static/style.css", "/* site */\n");
    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    site.write("site.toml", format!("theme = \"t\"\n{config}"));
    site.build();
    assert_eq!(site.output("style.css"), "/* site */\n");
    assert_eq!(site.output("img/only-theme.svg"), "<svg/>\n");
}
