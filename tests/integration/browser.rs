//! The bundled blog in headless Chromium: the dark-mode toggle, the copy button, search, and
//! screenshots of the main pages in `test-artifacts/screenshots/` for a person to look at.
//!
//! These tests need Chromium (Debian's `chromium` package). Without it they fail with an
//! install hint; they are never skipped.

use std::path::PathBuf;

use crate::chromium::{Browser, browser_lock};
use crate::harness::{Site, repo_root};
use crate::serve::Server;

/// A post whose first code block is a named YAML file.
const POST: &str = "blog/tekton-pipelines/";
const POST_SOURCE: &str = "content/blog/tekton-pipelines/index.md";

/// The bundled blog, served by `galley serve`.
struct ServedBlog {
    /// Kept alive while the server watches it.
    _site: Site,
    server: Server,
}

impl ServedBlog {
    fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.server.port,
            path.trim_start_matches('/')
        )
    }
}

/// The one place that decides how the tests get a running site: `galley serve` on a copy of
/// the bundled blog.
fn serve_blog() -> ServedBlog {
    let site = Site::bundled_blog();
    let server = Server::start(&site, &[]);
    ServedBlog {
        _site: site,
        server,
    }
}

fn screenshot_dir() -> PathBuf {
    repo_root().join("test-artifacts/screenshots")
}

/// The contents of the first fenced code block of a Markdown file, as written.
fn first_code_block(markdown: &str) -> String {
    let mut lines = markdown.lines().skip_while(|l| !l.starts_with("```"));
    lines.next().expect("a code block");
    let mut code: Vec<&str> = Vec::new();
    for line in lines {
        if line.starts_with("```") {
            break;
        }
        code.push(line);
    }
    code.join("\n")
}

#[test]
fn dark_mode_toggle_switches_and_survives_a_reload() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let mut browser = Browser::launch();
    browser.set_color_scheme("light");
    browser.goto(&blog.url("/"));
    let background = "getComputedStyle(document.body).backgroundColor";
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        ""
    );
    assert_eq!(browser.eval_string(background), "rgb(255, 255, 255)");
    assert_eq!(
        browser.eval_string(
            "document.querySelector('[data-theme-toggle]').getAttribute('aria-pressed')"
        ),
        "false"
    );

    browser.click("[data-theme-toggle]");
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        "dark"
    );
    assert_eq!(browser.eval_string("localStorage.getItem('theme')"), "dark");
    assert_eq!(
        browser.eval_string(
            "document.querySelector('[data-theme-toggle]').getAttribute('aria-pressed')"
        ),
        "true"
    );
    assert_eq!(
        browser.eval_string(background),
        "rgb(11, 17, 25)",
        "the dark palette applies"
    );

    // The choice is remembered: on reload, and on another page.
    browser.reload();
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        "dark"
    );
    browser.goto(&blog.url(POST));
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        "dark"
    );
    assert_eq!(browser.eval_string(background), "rgb(11, 17, 25)");
    let code_background = "getComputedStyle(document.querySelector('pre.hl-code')).backgroundColor";
    assert_eq!(
        browser.eval_string(code_background),
        "rgb(17, 27, 39)",
        "highlight.css follows html.dark"
    );

    // And a reader on a dark system who picks light gets light.
    browser.set_color_scheme("dark");
    browser.click("[data-theme-toggle]");
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        "light"
    );
    browser.reload();
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        "light"
    );
    assert_eq!(browser.eval_string(background), "rgb(255, 255, 255)");
}

#[test]
fn dark_system_preference_is_followed_without_a_saved_choice() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let mut browser = Browser::launch();
    browser.set_color_scheme("dark");
    browser.goto(&blog.url(POST));
    assert_eq!(
        browser.eval_string("document.documentElement.className"),
        ""
    );
    assert_eq!(
        browser.eval_string("getComputedStyle(document.body).backgroundColor"),
        "rgb(11, 17, 25)"
    );
    assert_eq!(
        browser.eval_string(
            "document.querySelector('[data-theme-toggle]').getAttribute('aria-pressed')"
        ),
        "true"
    );
}

#[test]
fn copy_button_puts_the_code_on_the_clipboard() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let expected = first_code_block(
        &std::fs::read_to_string(repo_root().join(POST_SOURCE)).expect("read the post"),
    );
    let mut browser = Browser::launch();
    browser.goto(&blog.url(POST));
    // Capture what the page writes instead of touching the machine's clipboard.
    browser.eval(
        "window.__copied = null; Object.defineProperty(navigator, 'clipboard', { configurable: true, \
         value: { writeText: (text) => { window.__copied = text; return Promise.resolve(); } } }); true",
    );
    let buttons =
        browser.eval("document.querySelectorAll('figure.code-block .copy-button').length");
    let blocks = browser.eval("document.querySelectorAll('figure.code-block').length");
    assert_eq!(buttons, blocks, "every code block has a copy button");

    browser.click("figure.code-block .copy-button");
    browser.wait_for(
        "window.__copied !== null",
        "the copy button to write to the clipboard",
    );
    assert_eq!(browser.eval_string("window.__copied"), expected);
    assert_eq!(
        browser.eval_string("document.querySelector('.copy-button').textContent"),
        "Copied"
    );
}

#[test]
fn copy_button_copies_only_the_commands_of_a_console_session() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let mut browser = Browser::launch();
    browser.goto(&blog.url("blog/dns-troubleshooting/"));
    browser.eval(
        "window.__copied = null; Object.defineProperty(navigator, 'clipboard', { configurable: true, \
         value: { writeText: (text) => { window.__copied = text; return Promise.resolve(); } } }); true",
    );
    let session =
        browser.eval_string("document.querySelector('pre[data-lang=console] code').textContent");
    let commands: Vec<&str> = session
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .collect();
    assert!(!commands.is_empty(), "{session}");
    browser.click("pre[data-lang=console] ~ .copy-button, figure[data-lang=console] .copy-button");
    browser.wait_for(
        "window.__copied !== null",
        "the copy button to write to the clipboard",
    );
    assert_eq!(browser.eval_string("window.__copied"), commands.join("\n"));
}

#[test]
fn search_finds_a_known_word_and_is_keyboard_driven() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let mut browser = Browser::launch();

    // "/" on any page opens the search page, which focuses its box.
    browser.goto(&blog.url("/"));
    browser.press("/");
    browser.wait_for(
        "location.pathname === '/search/'",
        "the search page to open",
    );
    browser.wait_for_load();
    browser.wait_for(
        "document.activeElement && document.activeElement.id === 'search-input'",
        "the search box to be focused",
    );

    browser.type_text("pgbouncer");
    browser.wait_for(
        "document.querySelectorAll('#search-results li').length > 0",
        "search results",
    );
    let first = browser.eval_string(
        "document.querySelector('#search-results li .search-result-title').textContent",
    );
    assert!(first.contains("PgBouncer"), "first result: {first}");
    assert_eq!(
        browser.eval_string(
            "document.querySelector('#search-results li').getAttribute('aria-selected')"
        ),
        "true"
    );
    assert!(
        browser
            .eval_string("document.querySelector('[data-search-status]').textContent")
            .contains("for “pgbouncer”")
    );

    // A word no post contains says so.
    browser.eval("const i = document.getElementById('search-input'); i.value = ''; true");
    browser.type_text("xylophonequartz");
    browser.wait_for(
        "document.querySelector('[data-search-status]').textContent.startsWith('No posts')",
        "the no-result message",
    );

    // Arrow keys move the selection; Enter opens it.
    browser.eval("const j = document.getElementById('search-input'); j.value = ''; true");
    browser.type_text("kubernetes");
    browser.wait_for(
        "document.querySelectorAll('#search-results li').length > 2",
        "several results",
    );
    browser.press("ArrowDown");
    let second = browser.eval_string("document.querySelectorAll('#search-results li a')[1].href");
    assert_eq!(
        browser.eval_string(
            "document.getElementById('search-input').getAttribute('aria-activedescendant')"
        ),
        "search-result-1"
    );
    browser.press("Enter");
    let expected = second.clone();
    browser.wait_for(
        &format!(
            "location.href === {}",
            serde_json::to_string(&expected).unwrap()
        ),
        "Enter to open the selected result",
    );
}

#[test]
fn screenshots_of_the_main_pages_at_two_widths_in_both_modes() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let dir = screenshot_dir();
    let mut browser = Browser::launch();
    for scheme in ["light", "dark"] {
        browser.set_color_scheme(scheme);
        for width in [1280, 390] {
            browser.set_viewport(width, 900);
            let pages = [
                ("home", blog.url("/")),
                ("post", blog.url(POST)),
                ("search", blog.url("/search/?q=prometheus")),
                ("archive", blog.url("/archive/")),
                ("tracks", blog.url("/tracks/")),
            ];
            for (name, url) in pages {
                browser.goto(&url);
                if name == "search" {
                    browser.wait_for(
                        "document.querySelectorAll('#search-results li').length > 0",
                        "search results",
                    );
                }
                let overflow = browser.eval(
                    "document.documentElement.scrollWidth > document.documentElement.clientWidth",
                );
                assert_eq!(
                    overflow,
                    serde_json::json!(false),
                    "{name} scrolls sideways at {width} px"
                );
                let path = dir.join(format!("{name}-{width}-{scheme}.png"));
                browser.screenshot(&path, 4000);
                assert!(
                    std::fs::metadata(&path)
                        .map(|m| m.len() > 10_000)
                        .unwrap_or(false),
                    "{} is empty",
                    path.display()
                );
            }
        }
    }
}

/// At 390 px a wide table scrolls sideways inside its own wrapper, not the page, and the check
/// badges of code blocks wrap instead of being cut off.
#[test]
fn tables_scroll_in_their_wrapper_and_badges_wrap_at_390_px() {
    let _guard = browser_lock();
    let blog = serve_blog();
    let mut browser = Browser::launch();
    browser.set_viewport(390, 900);
    // Four tables of three or four columns and five checked blocks.
    browser.goto(&blog.url("blog/database-strategy-kubernetes/"));
    browser.wait_for(
        "document.querySelectorAll('.code-test').length > 0",
        "check badges",
    );
    let report = browser.eval(
        r#"(() => {
          const page = document.documentElement;
          const wrappers = [...document.querySelectorAll(".prose table")].map(t => t.parentElement);
          const badges = [...document.querySelectorAll(".code-test")];
          const clipped = b => b.scrollWidth > b.clientWidth
            || b.getBoundingClientRect().right > b.closest("figure").getBoundingClientRect().right + 0.5;
          return {
            page_overflows: page.scrollWidth > page.clientWidth,
            tables: wrappers.length,
            unwrapped: wrappers.filter(w => !w.classList.contains("table-scroll")).length,
            scrolling: wrappers.filter(w => w.scrollWidth > w.clientWidth).length,
            badges: badges.length,
            clipped: badges.filter(clipped).map(b => b.textContent),
          };
        })()"#,
    );
    assert_eq!(report["page_overflows"], false, "{report}");
    assert!(report["tables"].as_u64().unwrap() >= 3, "{report}");
    assert_eq!(report["unwrapped"], 0, "{report}");
    assert!(
        report["scrolling"].as_u64().unwrap() >= 1,
        "a wide table scrolls inside its wrapper: {report}"
    );
    assert!(report["badges"].as_u64().unwrap() >= 3, "{report}");
    assert_eq!(report["clipped"], serde_json::json!([]), "{report}");
}
