//! `galley check`: problems in the rendered site are found, located and reported in CI
//! formats; external links are checked against a local server (no test reaches the internet).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::{Run, Site, well_formed_xml};

fn check(site: &Site, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    site.galley(&all)
}

/// Adds `text` at the end of a file of the site.
fn append(site: &Site, file: &str, text: &str) {
    let before = std::fs::read_to_string(site.path().join(file)).unwrap();
    site.write(file, format!("{before}{text}"));
}

/// The fixture with descriptions everywhere, so lint warnings do not blur what a test looks at.
fn clean_site() -> Site {
    let site = Site::fixture("zola-style");
    for (file, at) in [
        ("content/blog/second.md", "title: Second post\n"),
        ("content/blog/bundle/index.md", "title = \"A bundle\"\n"),
    ] {
        let text = std::fs::read_to_string(site.path().join(file)).unwrap();
        let line = if file.ends_with("second.md") {
            "description: The second\n"
        } else {
            "description = \"A bundle\"\n"
        };
        site.write(file, text.replacen(at, &format!("{at}{line}"), 1));
    }
    site
}

#[test]
fn a_clean_site_passes_with_a_closing_line() {
    let run = check(&clean_site(), &[]).success();
    let last = run.stdout.trim_end().lines().last().unwrap().to_owned();
    assert!(last.ends_with("0 failed, 0 skipped"), "{}", run.stdout);
    assert!(!run.stdout.contains("warning["), "{}", run.stdout);
}

#[test]
fn check_writes_nothing_outside_its_cache_folder() {
    let site = clean_site();
    let files = |site: &Site| -> Vec<(String, Vec<u8>)> {
        crate::harness::snapshot(site.path())
            .into_iter()
            .filter(|(path, _)| !path.starts_with(".galley-cache/"))
            .collect()
    };
    let before = files(&site);
    check(&site, &[]).success();
    assert!(
        before == files(&site),
        "galley check wrote outside .galley-cache/"
    );
    assert!(
        site.path().join(".galley-cache").is_dir(),
        "the cache the README documents"
    );
}

#[test]
fn a_broken_link_in_markdown_points_at_its_source_line() {
    let site = clean_site();
    append(
        &site,
        "content/blog/second.md",
        "\nSee [nowhere](/blog/nowhere/).\n",
    );
    check(&site, &[])
        .exit(1)
        .stdout_has("error[check/broken-link]: broken link on /blog/second/: nothing is published at /blog/nowhere/")
        .stdout_has("content/blog/second.md:14:")
        .stdout_has("1 failed");
}

#[test]
fn each_broken_link_points_at_its_own_place_in_the_markdown() {
    // The URL's text appears first in a code span, and the same link twice: in a table cell and
    // in a list item. Each report must name the line and column of its own link.
    let site = clean_site();
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    let full = format!(
        "{text}\nProse about `/blog/nowhere/` first.\n\n| a | b |\n|---|---|\n| x | [gone](/blog/nowhere/) |\n\n- item\n- [gone again](/blog/nowhere/)\n"
    );
    site.write("content/blog/second.md", &full);
    let place = |needle: &str| {
        let line = full.lines().position(|l| l.contains(needle)).unwrap();
        let column = full
            .lines()
            .nth(line)
            .unwrap()
            .find("(/blog/nowhere/)")
            .unwrap()
            + 2;
        format!("content/blog/second.md:{}:{column}", line + 1)
    };
    check(&site, &[])
        .exit(1)
        .stdout_has(&place("[gone]"))
        .stdout_has(&place("[gone again]"))
        .stdout_has("2 failed");
}

#[test]
fn a_broken_link_made_by_a_template_points_at_the_rendered_page() {
    let site = clean_site();
    let base = std::fs::read_to_string(site.path().join("templates/base.html")).unwrap();
    site.write(
        "templates/base.html",
        base.replace("<body>", "<body><a href=\"/missing-page/\">x</a>"),
    );
    let run = check(&site, &[]).exit(1);
    assert!(run.stdout.contains("public/index.html:"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("nothing is published at /missing-page/"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_missing_anchor_suggests_the_closest_id() {
    let site = clean_site();
    append(
        &site,
        "content/blog/second.md",
        "\nBack to [setup](/blog/first/#setpu).\n",
    );
    check(&site, &[])
        .exit(1)
        .stdout_has("/blog/first/ has no id `setpu`")
        .stdout_has("did you mean #setup?");
}

#[test]
fn duplicate_ids_are_reported() {
    let site = clean_site();
    append(
        &site,
        "content/blog/second.md",
        "\n<div id=\"setup\">again</div>\n",
    );
    check(&site, &[])
        .exit(1)
        .stdout_has("duplicate id `setup` on /blog/second/");
}

#[test]
fn id_and_name_on_one_anchor_are_not_a_duplicate() {
    let site = clean_site();
    append(
        &site,
        "content/blog/second.md",
        "\n<a id=\"legacy\" name=\"legacy\"></a>Old anchor.\n",
    );
    check(&site, &[]).success();
}

#[test]
fn links_to_drafts_say_so() {
    let site = clean_site();
    site.write(
        "content/blog/wip.md",
        "+++\ntitle = \"WIP\"\ndescription = \"soon\"\ndraft = true\n+++\nsoon\n",
    );
    append(
        &site,
        "content/blog/second.md",
        "\nComing: [wip](/blog/wip/).\n",
    );
    check(&site, &[])
        .exit(1)
        .stdout_has("links to /blog/wip/, which is a draft (content/blog/wip.md)");
}

#[test]
fn root_relative_links_without_the_base_path_are_caught() {
    let site = clean_site();
    append(&site, "content/blog/second.md", "\nAll [tags](/tags/).\n");
    check(&site, &[]).success();
    check(&site, &["--base-url", "https://example.org/docs/"])
        .exit(1)
        .stdout_has("lacks the site's base path /docs/");
}

#[test]
fn a_site_published_under_a_path_prefix_passes_and_its_broken_links_are_still_caught() {
    // Absolute links of the site (`https://example.org/docs/blog/x/`) used to lose their
    // `/docs/` while being resolved, so every one was reported as lacking it.
    let site = clean_site();
    let run = check(&site, &["--base-url", "https://example.org/docs/"]).success();
    assert!(
        run.stdout.trim_end().ends_with("0 failed, 0 skipped"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    site.write(
        "content/blog/second.md",
        format!(
            "{text}
See [nowhere](https://example.org/docs/blog/nowhere/).
"
        ),
    );
    check(&site, &["--base-url", "https://example.org/docs/"])
        .exit(1)
        .stdout_has("broken link on /blog/second/: nothing is published at /blog/nowhere/")
        .stdout_has("content/blog/second.md:14:")
        .stdout_has("1 failed");
}

#[test]
fn relative_links_in_summaries_work_on_listings_and_in_feeds() {
    // A page whose `<!-- more -->` summary links a sibling, a fragment and `./` a bundle file.
    let site = clean_site();
    site.write(
        "content/blog/third/index.md",
        "+++\ntitle = \"Third\"\ndescription = \"The third\"\ndate = 2026-03-01\n+++\n\
         See [the second](../second/), [below](#later) and ![a picture](./pic.svg).\n\n\
         <!-- more -->\n\n## Later\n\nMore.\n",
    );
    site.write(
        "content/blog/third/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    for base in ["https://example.org/", "https://example.org/docs/"] {
        let run = check(&site, &["--base-url", base]).success();
        assert!(run.stdout.contains("0 failed"), "{}", run.stdout);
    }
    site.build();
    let listing = site.output("blog/index.html");
    for url in [
        "href=\"https://example.org/blog/second/\"",
        "href=\"https://example.org/blog/third/#later\"",
        "src=\"https://example.org/blog/third/pic.svg\"",
    ] {
        assert!(listing.contains(url), "missing {url} in:\n{listing}");
    }
    let feed = site.output("rss.xml");
    assert!(
        feed.contains("src=\"https://example.org/blog/third/pic.svg\""),
        "{feed}"
    );
    // The page itself keeps what its author wrote.
    let page = site.output("blog/third/index.html");
    assert!(page.contains("href=\"../second/\""), "{page}");
}

#[test]
fn malformed_xml_is_reported() {
    let site = clean_site();
    site.write(
        "static/broken.xml",
        "<feed><title>Tom & Jerry</title></feed>\n",
    );
    check(&site, &[])
        .exit(1)
        .stdout_has("/broken.xml is not well-formed XML");
}

#[test]
fn front_matter_rules_warn_or_fail_as_configured() {
    let site = clean_site();
    site.write(
        "content/blog/extra.md",
        "+++\ntitle = \"A title that goes on and on well past the seventy characters search engines show\"\ndate = 2999-01-01\nimage = \"missing.png\"\n[taxonomies]\ntags = [\"rustt\"]\n+++\nx\n",
    );
    let run = check(&site, &[]).exit(1);
    for expected in [
        "warning[lint/missing-description]",
        "warning[lint/long-title]",
        "warning[lint/future-date]",
        "error[lint/missing-image]: image `missing.png` does not exist",
        "warning[lint/single-use-tag]: tag `rustt` is used by this page only",
        "did you mean `rust`, used by 2 pages?",
        "content/blog/extra.md:4:1",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stdout
        );
    }
    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        format!("{config}\n[check]\nmissing_image = \"off\"\nfuture_date = \"error\"\n"),
    );
    let run = check(&site, &[]).exit(1);
    assert!(!run.stdout.contains("missing.png"), "{}", run.stdout);
    assert!(
        run.stdout.contains("error[lint/future-date]"),
        "{}",
        run.stdout
    );
}

#[test]
fn ci_formats() {
    let site = clean_site();
    append(
        &site,
        "content/blog/second.md",
        "\nSee [nowhere](/blog/nowhere/).\n",
    );
    let github = check(&site, &["--format", "github"]).exit(1);
    assert!(
        github
            .stdout
            .contains("::error file=content/blog/second.md,line=14,col="),
        "{}",
        github.stdout
    );
    let json = check(&site, &["--format", "json"]).exit(1);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["totals"]["failed"], 1);
    let junit = site.path().join("junit.xml");
    check(
        &site,
        &["--format", "junit", "--output", junit.to_str().unwrap()],
    )
    .exit(1);
    let xml = std::fs::read_to_string(junit).unwrap();
    well_formed_xml(&xml);
    assert!(xml.contains("failures=\"1\""), "{xml}");
    assert_junit_counts_what_it_lists(&xml);
}

#[test]
fn junit_counts_the_cases_it_lists_with_warnings_and_skipped_checks() {
    let site = clean_site();
    append(
        &site,
        "content/blog/second.md",
        "\nSee [nowhere](/blog/nowhere/) and [away](https://example.com/x).\n",
    );
    site.write(
        "content/blog/extra.md",
        "+++\ntitle = \"Extra\"\n+++\nNo description.\n",
    );
    let junit = site.path().join("junit.xml");
    let run = check(
        &site,
        &["--format", "junit", "--output", junit.to_str().unwrap()],
    )
    .exit(1);
    let xml = std::fs::read_to_string(junit).unwrap();
    well_formed_xml(&xml);
    assert!(xml.contains("<skipped"), "{xml}");
    assert!(xml.contains("<system-out>"), "{xml}");
    assert!(
        xml.contains(" passed, 1 failed, 1 skipped</system-out>"),
        "{xml}{}",
        run.stdout
    );
    assert_junit_counts_what_it_lists(&xml);
}

/// The `tests`, `failures` and `skipped` attributes of the suite equal the numbers of
/// `<testcase>`, `<failure>` and `<skipped>` elements, as JUnit readers recount them.
#[track_caller]
fn assert_junit_counts_what_it_lists(xml: &str) {
    let suite = &xml[xml.find("<testsuite ").unwrap()..];
    let suite = &suite[..suite.find('>').unwrap()];
    let attribute = |name: &str| -> usize {
        let start = suite.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        suite[start..start + suite[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    for (name, element) in [
        ("tests", "<testcase"),
        ("failures", "<failure"),
        ("skipped", "<skipped"),
    ] {
        assert_eq!(
            attribute(name),
            xml.matches(element).count(),
            "{name} vs {element} in:\n{xml}"
        );
    }
}

/// What a [`LinkServer`] saw: requests by path, user agents, and the most requests it was
/// answering at once for each `Host`.
#[derive(Default)]
struct Seen {
    paths: Vec<String>,
    user_agents: Vec<String>,
    in_flight: HashMap<String, usize>,
    max_in_flight: HashMap<String, usize>,
}

/// A web server on 127.0.0.1 answering by path: 200, 301 (to 200 or to 404), 429, 404, a
/// response slower than the check's timeout, and `/pause/*` (200 after a short pause, so
/// requests to one host would overlap if the checker sent them together).
struct LinkServer {
    port: u16,
    seen: Arc<Mutex<Seen>>,
}

impl LinkServer {
    fn start() -> LinkServer {
        LinkServer::start_with(Arc::new(Mutex::new(Seen::default())))
    }

    /// Another server (another host for the checker: host names include the port) sharing
    /// the record of `seen`.
    fn start_with(seen: Arc<Mutex<Seen>>) -> LinkServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let record = record.clone();
                std::thread::spawn(move || answer(stream, port, &record));
            }
        });
        LinkServer { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    fn requests_for(&self, path: &str) -> usize {
        let wanted = format!("/{path}");
        let seen = self.seen.lock().unwrap();
        seen.paths.iter().filter(|p| **p == wanted).count()
    }
}

fn answer(mut stream: std::net::TcpStream, port: u16, seen: &Mutex<Seen>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let (mut host, mut agent) = (String::new(), String::new());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "host" => host = value.trim().to_owned(),
                "user-agent" => agent = value.trim().to_owned(),
                _ => {}
            }
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    {
        let mut seen = seen.lock().unwrap();
        seen.paths.push(path.clone());
        seen.user_agents.push(agent);
        let count = seen.in_flight.entry(host.clone()).or_default();
        *count += 1;
        let now = *count;
        let max = seen.max_in_flight.entry(host.clone()).or_default();
        *max = (*max).max(now);
    }
    let redirect = |to: &str| {
        format!(
            "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:{port}/{to}\r\nContent-Length: 0\r\n\r\n"
        )
    };
    let response = match path.as_str() {
        "/ok" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_owned(),
        "/moved" => redirect("ok"),
        "/moved-gone" => redirect("gone"),
        "/busy" => "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n".to_owned(),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_owned()
        }
        p if p.starts_with("/pause/") => {
            std::thread::sleep(Duration::from_millis(150));
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".to_owned()
        }
        _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_owned(),
    };
    if let Some(count) = seen.lock().unwrap().in_flight.get_mut(&host) {
        *count -= 1;
    }
    // One request per connection: say so, or the client may send its next request on this
    // connection just as it is closed and read a reset instead of an answer.
    let response = response.replacen("\r\n", "\r\nConnection: close\r\n", 1);
    let _ = stream.write_all(response.as_bytes());
}

/// `clean_site()` with these `[check]` settings and a paragraph of links to `urls`.
fn site_linking(urls: &[String], settings: &str) -> Site {
    let site = clean_site();
    append(&site, "site.toml", &format!("\n[check]\n{settings}"));
    let links: Vec<String> = urls.iter().map(|u| format!("[link]({u})")).collect();
    append(
        &site,
        "content/blog/second.md",
        &format!("\n{}\n", links.join(" ")),
    );
    site
}

#[test]
fn external_links_are_checked_politely_and_only_successes_are_cached() {
    let server = LinkServer::start();
    let paths = ["ok", "moved", "busy", "slow", "gone", "moved-gone"];
    let urls: Vec<String> = paths.iter().map(|p| server.url(p)).collect();
    let site = site_linking(&urls, "external_timeout_s = 1\nexternal_delay_ms = 10\n");

    let offline = check(&site, &[]).success();
    assert!(
        offline.stdout.contains("6 skipped"),
        "external links are skipped without --external:\n{}",
        offline.stdout
    );

    let run = check(&site, &["--external"]).exit(1);
    let link = |severity: &str, path: &str, why: &str| {
        format!(
            "{severity}[check/external-link]: external link {}: {why}",
            server.url(path)
        )
    };
    for expected in [
        link("error", "gone", "404 Not Found"),
        link("error", "moved-gone", "404 Not Found"),
        link("warning", "busy", "rate limited"),
        link("warning", "slow", "timed out"),
        "content/blog/second.md:14:".to_owned(),
        "2 failed".to_owned(),
    ] {
        assert!(
            run.stdout.contains(&expected),
            "missing {expected:?} in:\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout.contains("/ok:") && !run.stdout.contains("/moved:"),
        "{}",
        run.stdout
    );
    // A browser-like user agent: some sites answer scripts with 403.
    for agent in &server.seen.lock().unwrap().user_agents {
        assert!(
            agent.starts_with("Mozilla/5.0 (") && agent.contains("Chrome/"),
            "user agent {agent:?}"
        );
    }

    // A second run reuses the successes; failures and doubts are asked again, so a link fixed
    // on the other side (or a passing outage) is not reported for a day.
    check(&site, &["--external"]).exit(1);
    for (path, times) in [
        ("ok", 2),
        ("moved", 1),
        ("gone", 4),
        ("moved-gone", 2),
        ("busy", 2),
    ] {
        assert_eq!(server.requests_for(path), times, "requests for /{path}");
    }
}

#[test]
fn requests_to_one_host_never_overlap() {
    let first = LinkServer::start();
    let second = LinkServer::start_with(first.seen.clone());
    let mut urls = Vec::new();
    for i in 0..4 {
        urls.push(first.url(&format!("pause/{i}")));
        urls.push(second.url(&format!("pause/{i}")));
    }
    let site = site_linking(&urls, "external_delay_ms = 0\nexternal_concurrency = 8\n");
    check(&site, &["--external"]).success();
    let seen = first.seen.lock().unwrap();
    assert_eq!(seen.paths.len(), 8, "{:?}", seen.paths);
    assert_eq!(seen.max_in_flight.len(), 2, "{:?}", seen.max_in_flight);
    for (host, max) in &seen.max_in_flight {
        assert_eq!(*max, 1, "{host} had {max} requests at once");
    }
}

#[test]
fn a_cached_result_older_than_the_configured_time_is_checked_again() {
    let server = LinkServer::start();
    let site = site_linking(&[server.url("ok")], "external_cache_hours = 1\n");
    check(&site, &["--external"]).success();
    check(&site, &["--external"]).success();
    assert_eq!(
        server.requests_for("ok"),
        1,
        "the second run uses the cache"
    );

    // Age the cached result past the hour.
    let cache = site.path().join(".galley-cache/external-links.json");
    let mut entries: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    let entry = &mut entries[server.url("ok")];
    let checked_at = entry["checked_at"].as_u64().expect("a checked_at field");
    entry["checked_at"] = (checked_at - 2 * 3600).into();
    std::fs::write(&cache, entries.to_string()).unwrap();
    check(&site, &["--external"]).success();
    assert_eq!(
        server.requests_for("ok"),
        2,
        "an expired result is checked again"
    );
}

/// The fixture with a Deployment whose `replicas` is misspelt.
fn site_with_a_snippet_typo() -> Site {
    let site = clean_site();
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    let manifest = "```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replcas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n```\n";
    site.write("content/blog/second.md", format!("{text}\n{manifest}"));
    site
}

#[test]
fn check_runs_the_snippet_checks_unless_asked_not_to() {
    let site = site_with_a_snippet_typo();
    check(&site, &[])
        .exit(1)
        .stdout_has("unknown field \"replcas\" in Deployment.spec (did you mean \"replicas\"?)")
        .stdout_has("content/blog/second.md:20:3");
    check(&site, &["--no-snippets"]).success();
}

#[test]
fn build_check_fails_on_a_snippet_and_keeps_the_previous_site() {
    let site = site_with_a_snippet_typo();
    site.galley(&["build"]).success();
    let before = site.snapshot();
    site.galley(&["build", "--check"])
        .exit(1)
        .stderr_has("error[k8s/unknown-field]")
        .stderr_has("content/blog/second.md:20:3");
    assert!(
        before == site.snapshot(),
        "the failed build changed public/"
    );
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    site.write(
        "content/blog/second.md",
        text.replace("replcas", "replicas"),
    );
    site.galley(&["build", "--check"])
        .success()
        .stderr_has("Checked 2 code blocks");
    let page = site.output("blog/second/index.html");
    assert!(
        page.contains(
            "<span class=\"code-test code-test-passed\" title=\"galley test: validated: Kubernetes"
        ),
        "{page}"
    );
}
