//! The bundled blog (site.toml, content/, themes/default/): its structure after `galley build`.
//! Every post is reachable from the archive and from its taxonomy pages, feeds and sitemap are
//! complete, the search index has every post, no internal link or anchor is broken, and the
//! theme stays within its CSS+JS budget.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::{Site, read, repo_root, well_formed_xml};

const BASE_URL: &str = "https://platformproof.example/";
/// What the whole site may ship in stylesheets and scripts, uncompressed.
const CSS_JS_BUDGET: usize = 50_000;

/// One post of content/blog/, read from its source.
struct Post {
    /// `blog/x.md` or `blog/x/index.md`.
    relative: String,
    permalink: String,
    title: String,
    /// Taxonomy name -> terms.
    taxonomies: BTreeMap<String, Vec<String>>,
}

fn posts() -> Vec<Post> {
    let blog = repo_root().join("content/blog");
    let mut posts = Vec::new();
    for entry in walkdir::WalkDir::new(&blog).sort_by_file_name() {
        let entry = entry.expect("walk content/blog");
        let path = entry.path();
        let relative = path
            .strip_prefix(repo_root().join("content"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let slug = if relative.ends_with("/index.md") {
            path.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        } else if relative.ends_with(".md") && !relative.ends_with("_index.md") {
            path.file_stem().unwrap().to_string_lossy().into_owned()
        } else {
            continue;
        };
        let front: toml::Table = {
            let text = read(path);
            let block = text
                .split("+++")
                .nth(1)
                .unwrap_or_else(|| panic!("{relative} has no TOML front matter"));
            toml::from_str(block).unwrap_or_else(|e| panic!("{relative}: {e}"))
        };
        let mut taxonomies = BTreeMap::new();
        if let Some(table) = front.get("taxonomies").and_then(|t| t.as_table()) {
            for (name, terms) in table {
                let terms = terms
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect();
                taxonomies.insert(name.clone(), terms);
            }
        }
        posts.push(Post {
            relative,
            permalink: format!("{BASE_URL}blog/{slug}/"),
            title: front["title"].as_str().unwrap().to_owned(),
            taxonomies,
        });
    }
    assert!(
        posts.len() >= 20,
        "the bundled blog has {} posts",
        posts.len()
    );
    posts
}

fn built_blog() -> Site {
    let site = Site::bundled_blog();
    site.build();
    site
}

/// The HTML of a listing and of every later page of it (following `rel="next"`).
fn listing_pages(site: &Site, path: &str) -> Vec<String> {
    let mut pages = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next.take() {
        let html = site.output(&format!("{}index.html", path.trim_start_matches('/')));
        next = find_rel_next(&html);
        pages.push(html);
        assert!(pages.len() < 100, "{path}: pagination does not end");
    }
    pages
}

fn find_rel_next(html: &str) -> Option<String> {
    let at = html.find("rel=\"next\" href=\"")?;
    let rest = &html[at + "rel=\"next\" href=\"".len()..];
    let url = &rest[..rest.find('"')?];
    Some(
        url.trim_start_matches(BASE_URL.trim_end_matches('/'))
            .to_owned(),
    )
}

/// Every value of `attribute="..."` in `html`, entity-decoded for `&amp;`.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| rest[..end].replace("&amp;", "&"))
        })
        .collect()
}

#[test]
fn every_post_is_in_the_archive_and_on_each_of_its_taxonomy_pages() {
    let site = built_blog();
    let archive = site.output("archive/index.html");
    let blog: String = listing_pages(&site, "/blog/").concat();
    for post in posts() {
        let link = format!("href=\"{}\"", post.permalink);
        assert!(
            archive.contains(&link),
            "{} is not in the archive",
            post.relative
        );
        assert!(
            blog.contains(&link),
            "{} is not in the /blog/ listing",
            post.relative
        );
        assert!(site.has_output(&format!(
            "{}index.html",
            post.permalink.trim_start_matches(BASE_URL)
        )));
        for taxonomy in ["tags", "categories", "tracks"] {
            let terms = post
                .taxonomies
                .get(taxonomy)
                .unwrap_or_else(|| panic!("{} has no {taxonomy}", post.relative));
            assert!(!terms.is_empty(), "{} has no {taxonomy}", post.relative);
            for term in terms {
                let path = format!("/{taxonomy}/{}/", galley::slug::slugify(term));
                let pages = listing_pages(&site, &path).concat();
                assert!(
                    pages.contains(&link),
                    "{} is not listed on {path}",
                    post.relative
                );
                let list = site.output(&format!("{taxonomy}/index.html"));
                assert!(
                    list.contains(&format!(
                        "href=\"{}{}\"",
                        BASE_URL,
                        path.trim_start_matches('/')
                    )),
                    "{path} is not on /{taxonomy}/"
                );
            }
        }
    }
}

#[test]
fn archive_groups_posts_by_year_and_month_newest_first() {
    let site = built_blog();
    let archive = site.output("archive/index.html");
    let years: Vec<&str> = archive
        .match_indices("<h2 id=\"y")
        .map(|(at, _)| &archive[at + 9..at + 13])
        .collect();
    assert_eq!(years, ["2026", "2025"], "{archive}");
    let months: Vec<&str> = archive
        .match_indices("<h3 id=\"m")
        .map(|(at, _)| &archive[at + 9..at + 16])
        .collect();
    let mut sorted = months.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(months, sorted, "each month once, newest first");
}

#[test]
fn feeds_are_well_formed_and_list_every_post() {
    let site = built_blog();
    let posts = posts();
    let rss = site.output("rss.xml");
    let atom = site.output("atom.xml");
    well_formed_xml(&rss);
    well_formed_xml(&atom);
    assert_eq!(
        rss.matches("<item>").count(),
        posts.len(),
        "feeds.limit in site.toml must keep every post"
    );
    assert_eq!(atom.matches("<entry>").count(), posts.len());
    for post in &posts {
        assert!(
            rss.contains(&format!("<link>{}</link>", post.permalink)),
            "{} missing from rss.xml",
            post.relative
        );
        assert!(
            atom.contains(&format!("href=\"{}\"", post.permalink)),
            "{} missing from atom.xml",
            post.relative
        );
    }
    // Every track and tag has its own feed, linked from its page's <head>.
    for post in &posts {
        for taxonomy in ["tracks", "tags"] {
            for term in &post.taxonomies[taxonomy] {
                let dir = format!("{taxonomy}/{}/", galley::slug::slugify(term));
                let feed = site.output(&format!("{dir}atom.xml"));
                well_formed_xml(&feed);
                assert!(
                    feed.contains(&format!("href=\"{}\"", post.permalink)),
                    "{} missing from {dir}atom.xml",
                    post.relative
                );
                well_formed_xml(&site.output(&format!("{dir}rss.xml")));
                let page = site.output(&format!("{dir}index.html"));
                assert!(page.contains(&format!("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Platform Proof — {term}\" href=\"{BASE_URL}{dir}atom.xml\">")), "{dir}: no feed link");
            }
        }
    }
}

#[test]
fn sitemap_lists_every_page_the_site_renders() {
    let site = built_blog();
    let sitemap = site.output("sitemap.xml");
    well_formed_xml(&sitemap);
    let listed: BTreeSet<&str> = sitemap
        .match_indices("<loc>")
        .map(|(at, _)| {
            let rest = &sitemap[at + 5..];
            &rest[..rest.find("</loc>").unwrap()]
        })
        .collect();
    for post in posts() {
        assert!(
            listed.contains(post.permalink.as_str()),
            "{} missing from the sitemap",
            post.relative
        );
    }
    for (path, bytes) in site.snapshot() {
        let Some(dir) = path.strip_suffix("index.html") else {
            continue;
        };
        let html = String::from_utf8_lossy(&bytes);
        if html.contains("http-equiv=\"refresh\"") || dir.contains("page/") {
            continue; // alias redirects and later pages of a listing are not canonical URLs
        }
        let url = format!("{BASE_URL}{}", dir.replace('\\', "/"));
        assert!(
            listed.contains(url.as_str()),
            "{url} is rendered but not in the sitemap"
        );
    }
}

#[test]
fn search_index_contains_every_post_with_its_text() {
    let site = built_blog();
    let index: serde_json::Value =
        serde_json::from_str(&site.output("search_index.json")).expect("valid JSON");
    let documents = index.as_array().expect("an array");
    for post in posts() {
        let url = post
            .permalink
            .trim_start_matches(BASE_URL.trim_end_matches('/'));
        let document = documents
            .iter()
            .find(|d| d["url"] == url)
            .unwrap_or_else(|| panic!("{} is not in the search index", post.relative));
        assert_eq!(document["title"], post.title.as_str());
        assert!(
            document["body"].as_str().is_some_and(|b| b.len() > 500),
            "{} has no body text",
            post.relative
        );
        assert!(
            document["headings"]
                .as_array()
                .is_some_and(|h| !h.is_empty())
        );
    }
    // Words far into a long post are found: the body is not cut after its first sections.
    let dns = documents
        .iter()
        .find(|d| d["url"] == "/blog/dns-troubleshooting/")
        .unwrap();
    let body = dns["body"].as_str().unwrap();
    let at = body
        .find("networkaddress.cache.ttl")
        .expect("the last section of the DNS post is indexed");
    assert!(body[..at].chars().count() > 5000, "a word beyond the start");
    // ...and the index stays bounded: each body at most `max_body_chars`, the whole file small
    // enough to fetch on a phone.
    let config: toml::Table = toml::from_str(&read(&repo_root().join("site.toml"))).unwrap();
    let max_body_chars = config["search"]["max_body_chars"].as_integer().unwrap() as usize;
    assert!(
        (8000..=10_000).contains(&max_body_chars),
        "{max_body_chars}"
    );
    for document in documents {
        let chars = document["body"].as_str().unwrap_or("").chars().count();
        assert!(
            chars <= max_body_chars,
            "{}: {chars} chars",
            document["url"]
        );
    }
    let bytes = site.output("search_index.json").len();
    assert!(bytes < 400_000, "search_index.json is {bytes} bytes");
    let urls: Vec<&str> = documents.iter().filter_map(|d| d["url"].as_str()).collect();
    assert!(
        !urls.contains(&"/search/") && !urls.contains(&"/archive/"),
        "utility pages stay out: {urls:?}"
    );
}

/// Every `href`/`src` that points into the site (`/...` or the base URL) names a file the build
/// produced, and every `#fragment` names an id on its target page.
#[test]
fn no_internal_link_or_anchor_is_broken() {
    let site = built_blog();
    let public = site.path().join("public");
    let files = site.snapshot();
    let produced: BTreeSet<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (path, bytes) in &files {
        if path.ends_with(".html") {
            ids.insert(
                path,
                attribute_values(&String::from_utf8_lossy(bytes), "id")
                    .into_iter()
                    .collect(),
            );
        }
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        let links = attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"));
        for link in links {
            let local = if let Some(rest) = link.strip_prefix(BASE_URL) {
                rest.to_owned()
            } else if link.starts_with('/') && !link.starts_with("//") {
                link.trim_start_matches('/').to_owned()
            } else if let Some(fragment) = link.strip_prefix('#') {
                if !ids[path.as_str()].contains(fragment) && !fragment.is_empty() {
                    broken.push(format!("{path}: #{fragment} is not an id on the page"));
                }
                checked += 1;
                continue;
            } else {
                continue; // external, mailto:, or relative to a bundle (checked by the engine)
            };
            checked += 1;
            let (target, fragment) = local.split_once('#').unwrap_or((&local, ""));
            let target = target.split('?').next().unwrap_or("");
            let file = if target.is_empty() || target.ends_with('/') {
                format!("{target}index.html")
            } else {
                target.to_owned()
            };
            if !produced.contains(file.as_str()) {
                broken.push(format!("{path}: {link} -> no file {file}"));
            } else if !fragment.is_empty()
                && !ids
                    .get(file.as_str())
                    .is_some_and(|set| set.contains(fragment))
            {
                broken.push(format!("{path}: {link} -> no id {fragment:?} in {file}"));
            }
        }
    }
    assert!(
        checked > 1000,
        "only {checked} links checked: is the checker looking at the right output?"
    );
    assert!(
        broken.is_empty(),
        "{} broken links in {}:\n{}",
        broken.len(),
        public.display(),
        broken.join("\n")
    );
}

/// Every stylesheet and script the built site ships (the theme's, and the generated
/// `highlight.css`) adds up to less than 50,000 bytes uncompressed, inline scripts included.
/// galley writes each asset twice, under its plain and its fingerprinted name: each is
/// counted once.
#[test]
fn site_css_and_js_stay_under_50_kb() {
    let site = built_blog();
    let mut distinct = BTreeMap::new();
    let mut inline = 0;
    for (path, bytes) in site.snapshot() {
        if path.ends_with(".css") || path.ends_with(".js") {
            distinct.insert(bytes, path);
        } else if path.ends_with(".html") {
            let html = String::from_utf8_lossy(&bytes);
            let page: usize = html
                .match_indices("<script>")
                .map(|(at, _)| html[at..].find("</script>").unwrap_or(0))
                .sum();
            inline = inline.max(page);
        }
    }
    assert!(
        distinct.values().any(|p| p.starts_with("highlight")),
        "highlight.css is counted"
    );
    let total: usize = distinct.keys().map(Vec::len).sum::<usize>() + inline;
    let sizes: Vec<String> = distinct
        .iter()
        .map(|(bytes, path)| format!("{path}: {}", bytes.len()))
        .collect();
    assert!(
        total < CSS_JS_BUDGET,
        "the site ships {total} bytes of CSS+JS:\n{}",
        sizes.join("\n")
    );
}

/// Scripts never block rendering, and every page carries the metadata readers' tools use.
#[test]
fn pages_have_deferred_scripts_feeds_canonical_and_social_metadata() {
    let site = built_blog();
    for path in [
        "index.html",
        "blog/tekton-pipelines/index.html",
        "tracks/observability/index.html",
        "search/index.html",
        "archive/index.html",
    ] {
        let html = site.output(path);
        for script in html
            .match_indices("<script src=")
            .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap()])
        {
            assert!(
                script.contains(" defer"),
                "{path}: {script} blocks rendering"
            );
        }
        for needle in [
            "<link rel=\"canonical\" href=\"https://platformproof.example/",
            "<link rel=\"alternate\" type=\"application/atom+xml\"",
            "<link rel=\"alternate\" type=\"application/rss+xml\"",
            "<meta property=\"og:title\"",
            "<meta property=\"og:description\"",
            "<meta name=\"twitter:card\"",
            "<link rel=\"icon\"",
            "<a class=\"skip-link\" href=\"#main\"",
            "<main id=\"main\"",
            "<nav class=\"site-nav\" aria-label=\"Main\">",
        ] {
            assert!(html.contains(needle), "{path} lacks {needle}");
        }
        assert!(
            !html.contains("://fonts.") && !html.contains("cdn"),
            "{path} loads something external"
        );
    }
    let post = site.output("blog/tekton-pipelines/index.html");
    assert!(post.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(post.contains("<meta property=\"og:image\" content=\"https://platformproof.example/blog/tekton-pipelines/cover.png\">"), "a PNG social card");
    assert!(post.contains("<meta property=\"og:image:alt\" content=\"A push webhook creates"));
    assert!(
        post.contains(
            "<time datetime=\"2026-02-17T10:00:00Z\">February 17, 2026, 10:00 UTC</time>"
        ),
        "date with time"
    );
    assert!(post.contains("href=\"https://github.com/galley-ssg/galley/edit/main/content/blog/tekton-pipelines/index.md\""), "edit link");
    assert!(
        post.contains("class=\"track-nav\""),
        "previous/next in the track"
    );
    assert!(post.contains("<nav class=\"toc\""), "table of contents");
}

/// Every variable the default theme's templates read is documented in the template reference.
#[test]
fn every_template_variable_is_documented() {
    let docs = read(&repo_root().join("content/docs/templates.md"));
    let mut missing = BTreeSet::new();
    for entry in walkdir::WalkDir::new(repo_root().join("themes/default/templates")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = read(entry.path());
        for object in [
            "config",
            "page",
            "section",
            "paginator",
            "taxonomy",
            "term",
            "feed",
            "track",
            "post",
        ] {
            for (at, _) in text.match_indices(&format!("{object}.")) {
                let before = text[..at].chars().last().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || before == '.' {
                    continue;
                }
                // The whole path, so `config.extra.footer_menu` needs `footer_menu` documented,
                // not only `extra`.
                let path: String = text[at + object.len() + 1..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                for field in path.split('.').filter(|f| !f.is_empty()) {
                    if !documented(&docs, field) {
                        missing.insert(format!(
                            "{object}.{path}: {field} ({})",
                            file_name(entry.path())
                        ));
                    }
                }
            }
        }
        for global in ["current_url", "current_path", "feeds"] {
            if text.contains(global) && !docs.contains(&format!("`{global}`")) {
                missing.insert(global.to_owned());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "used by the theme but not in content/docs/templates.md: {missing:?}"
    );
}

/// Whether the reference names `field` in code: `` `field` `` in a table, or as one item of a
/// `{a, b}` field list.
fn documented(docs: &str, field: &str) -> bool {
    [
        format!("`{field}`"),
        format!("{{{field},"),
        format!(", {field},"),
        format!(", {field}}}"),
    ]
    .iter()
    .any(|form| docs.contains(form.as_str()))
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The bundled blog plus a post dated in another offset and a post without a date.
fn blog_with_offset_and_undated_posts() -> Site {
    let site = Site::bundled_blog();
    let taxonomies =
        "[taxonomies]\ntags = [\"dns\"]\ncategories = [\"Guide\"]\ntracks = [\"Data\"]\n";
    site.write(
        "content/blog/written-in-paris.md",
        format!(
            "+++\ntitle = \"Written in Paris\"\ndate = 2026-03-14T09:30:00+02:00\n\
             updated = 2026-03-15T18:05:00-05:00\ndescription = \"An offset date.\"\n{taxonomies}+++\nBody.\n"
        ),
    );
    site.write(
        "content/blog/no-date-yet.md",
        format!(
            "+++\ntitle = \"No date yet\"\ndescription = \"An undated post.\"\n{taxonomies}+++\nBody.\n"
        ),
    );
    site.build();
    site
}

/// A post shows the time its author wrote, with that offset, never the same digits labelled
/// UTC.
#[test]
fn post_times_keep_their_offset() {
    let site = blog_with_offset_and_undated_posts();
    let post = site.output("blog/written-in-paris/index.html");
    assert!(
        post.contains(
            "<time datetime=\"2026-03-14T09:30:00+02:00\">March 14, 2026, 09:30 UTC+02:00</time>"
        ),
        "published time with its offset"
    );
    assert!(
        post.contains(
            "<time datetime=\"2026-03-15T18:05:00-05:00\">March 15, 2026, 18:05 UTC-05:00</time>"
        ),
        "updated time with its offset"
    );
    assert!(!post.contains("09:30 UTC<"), "09:30+02:00 is not 09:30 UTC");
}

/// An undated post does not break the archive's year and month grouping: it is listed once,
/// under "Undated", after every dated post.
#[test]
fn archive_lists_undated_posts_last() {
    let site = blog_with_offset_and_undated_posts();
    let archive = site.output("archive/index.html");
    let link = "href=\"https://platformproof.example/blog/no-date-yet/\"";
    assert_eq!(archive.matches(link).count(), 1, "{archive}");
    let undated = archive
        .find("<h2 id=\"undated\">Undated</h2>")
        .expect("an Undated heading");
    assert!(archive.find(link).unwrap() > undated);
    let last_dated = archive.rfind("<h3 id=\"m").unwrap();
    assert!(last_dated < undated, "Undated comes after every month");
    assert!(
        archive.contains("href=\"https://platformproof.example/blog/written-in-paris/\"")
            && archive.contains("<h3 id=\"m2026-03\">"),
        "the dated posts keep their months"
    );
    well_formed_sections(&archive);
}

/// Every `<section` of the archive is closed, in order.
fn well_formed_sections(html: &str) {
    let mut depth = 0i32;
    for (at, _) in html.match_indices("section") {
        if html[..at].ends_with("</") {
            depth -= 1;
        } else if html[..at].ends_with('<') {
            depth += 1;
        }
        assert!(depth >= 0, "a </section> closes nothing at byte {at}");
    }
    assert_eq!(depth, 0, "unclosed <section>");
}

/// `galley test` passes on the repository's own site, offline (`--no-run`), and no block of a
/// post is skipped silently: each skipped one carries `test=skip,reason="..."` on its fence,
/// unless the checker's toolchain (gofmt, python3) is missing on this machine.
#[test]
fn galley_test_passes_on_the_blog_and_skips_only_annotated_blocks() {
    let site = Site::bundled_blog();
    let run = site
        .galley(&["test", "--no-run", "--format", "json"])
        .success();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["summary"]["passed"].as_u64().unwrap() > 100);
    let mut silent = Vec::new();
    for page in report["pages"].as_array().unwrap() {
        let file = page["file"].as_str().unwrap();
        if !file.starts_with("content/blog/") {
            continue;
        }
        let source = read(&site.path().join(file));
        let lines: Vec<&str> = source.lines().collect();
        for block in page["blocks"].as_array().unwrap() {
            if block["verdict"] != "skipped" {
                continue;
            }
            let line = block["fence_line"].as_u64().unwrap() as usize;
            let fence = lines[line - 1];
            let annotated = fence.contains("test=skip") && fence.contains("reason=\"");
            let no_toolchain = block["reason"]
                .as_str()
                .is_some_and(|r| r.contains("is not installed"));
            if !annotated && !no_toolchain {
                silent.push(format!("{file}:{line}: {fence} ({})", block["reason"]));
            }
        }
    }
    assert!(
        silent.is_empty(),
        "skipped without test=skip,reason=\"...\":\n{}",
        silent.join("\n")
    );
}

/// `galley check` (links, anchors, ids, feeds, front matter and the code blocks) passes on the
/// repository's own site, offline: no `--external`, and `run` blocks are not executed.
#[test]
fn galley_check_passes_on_the_blog() {
    Site::bundled_blog()
        .galley(&["check", "--no-run"])
        .success()
        .stdout_has("0 failed");
}

/// Every post has its own PNG cover (social cards do not render SVG), small, with alt text
/// from `[extra] image_alt`, used as cover, thumbnail and `og:image`.
#[test]
fn every_post_has_a_small_png_cover_with_alt_text() {
    let site = built_blog();
    let home = site.output("index.html");
    for post in posts() {
        let dir = post.permalink.trim_start_matches(BASE_URL);
        let cover = std::fs::read(site.path().join("public").join(dir).join("cover.png"))
            .unwrap_or_else(|_| panic!("{}: no cover.png", post.relative));
        assert!(
            cover.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{}: not a PNG",
            post.relative
        );
        assert!(
            cover.len() < 20_000,
            "{}: {} bytes",
            post.relative,
            cover.len()
        );
        let url = format!("{}cover.png", post.permalink);
        let html = site.output(&format!("{dir}index.html"));
        assert!(
            html.contains(&format!("<meta property=\"og:image\" content=\"{url}\">")),
            "{}: og:image",
            post.relative
        );
        let needle = format!("<img src=\"{url}\" alt=\"");
        let at = html.find(&needle).expect("the cover is shown") + needle.len();
        let alt = &html[at..at + html[at..].find('"').unwrap()];
        assert!(alt.len() > 20, "{}: cover alt {alt:?}", post.relative);
        assert_ne!(alt, post.title, "{}: alt from image_alt", post.relative);
    }
    assert!(!home.contains("alt=\"\""), "thumbnails have alt text");
}
