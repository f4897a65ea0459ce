//! Live reload in a real browser: an edit shows up without touching the page, a broken file
//! shows an overlay until it is fixed, a stylesheet edit applies without a reload, and a page
//! reconnects to a restarted server.

use crate::chromium::{Browser, browser_lock};
use crate::harness::Site;
use crate::serve::{Server, wait_until_served};

/// The fixture, with a page long enough to scroll.
fn site() -> Site {
    let site = Site::fixture("zola-style");
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    let filler: String = (1..=120)
        .map(|i| format!("Paragraph {i} of filler, so the page scrolls.\n\n"))
        .collect();
    site.write("content/blog/second.md", format!("{text}\n{filler}"));
    site
}

fn edit(site: &Site, file: &str, from: &str, to: &str) {
    let path = site.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn url(server: &Server, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", server.port)
}

#[test]
fn an_edit_appears_without_a_manual_reload_and_keeps_the_scroll_position() {
    let _guard = browser_lock();
    let site = site();
    let server = Server::start(&site, &[]);
    let mut browser = Browser::launch();
    browser.set_viewport(1000, 700);
    browser.goto(&url(&server, "/blog/second/"));
    browser.wait_for(
        "sessionStorage.getItem('galley-server')",
        "the live-reload connection",
    );
    browser.eval("window.scrollTo(0, 900); true");
    std::thread::sleep(std::time::Duration::from_millis(300));
    edit(
        &site,
        "content/blog/second.md",
        "Steps.",
        "Freshly edited steps.",
    );
    browser.wait_for(
        "document.body.innerText.includes('Freshly edited steps.')",
        "the edit to appear",
    );
    browser.wait_for(
        "Math.abs(window.scrollY - 900) < 5",
        "the scroll position to come back",
    );
}

#[test]
fn a_broken_file_shows_an_overlay_until_it_is_fixed() {
    let _guard = browser_lock();
    let site = site();
    let server = Server::start(&site, &[]);
    let mut browser = Browser::launch();
    browser.goto(&url(&server, "/blog/second/"));
    browser.wait_for(
        "sessionStorage.getItem('galley-server')",
        "the live-reload connection",
    );
    edit(
        &site,
        "content/blog/second.md",
        "title: Second post",
        "title: [Second post",
    );
    browser.wait_for(
        "document.getElementById('galley-error-overlay')",
        "the error overlay",
    );
    let overlay = browser.eval_string("document.getElementById('galley-error-overlay').innerText");
    assert!(
        overlay.contains("frontmatter/yaml") && overlay.contains("content/blog/second.md:"),
        "{overlay}"
    );
    assert!(
        browser
            .eval_string("document.body.innerText")
            .contains("Second post"),
        "the last good page stays"
    );

    edit(
        &site,
        "content/blog/second.md",
        "title: [Second post",
        "title: Second post, fixed",
    );
    browser.wait_for(
        "document.body.innerText.includes('Second post, fixed')",
        "the fixed page",
    );
    assert_eq!(
        browser.eval("document.getElementById('galley-error-overlay') === null"),
        serde_json::json!(true)
    );
}

#[test]
fn a_stylesheet_edit_applies_without_a_reload() {
    let _guard = browser_lock();
    let site = site();
    let server = Server::start(&site, &[]);
    let mut browser = Browser::launch();
    browser.goto(&url(&server, "/blog/second/"));
    browser.wait_for(
        "sessionStorage.getItem('galley-server')",
        "the live-reload connection",
    );
    browser.eval("window.__notReloaded = 42; true");
    std::fs::write(
        site.path().join("static/style.css"),
        "body { color: rgb(1, 2, 3); }\n",
    )
    .unwrap();
    browser.wait_for(
        "getComputedStyle(document.body).color === 'rgb(1, 2, 3)'",
        "the new stylesheet",
    );
    assert_eq!(
        browser.eval("window.__notReloaded"),
        serde_json::json!(42),
        "the page was not reloaded"
    );
}

#[test]
fn a_page_reconnects_to_a_restarted_server() {
    let _guard = browser_lock();
    let site = site();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let server = Server::start_on(&site, port, &[]);
    let mut browser = Browser::launch();
    browser.goto(&url(&server, "/blog/second/"));
    browser.wait_for("sessionStorage.getItem('galley-server')", "the first hello");
    browser.eval("window.__beforeRestart = true; true");
    drop(server);
    edit(
        &site,
        "content/blog/second.md",
        "Steps.",
        "Edited while the server was down.",
    );
    let _restarted = Server::start_on(&site, port, &[]);
    browser.wait_for(
        "window.__beforeRestart === undefined",
        "a reload after the restart",
    );
    browser.wait_for(
        "document.body.innerText.includes('Edited while the server was down.')",
        "the new content",
    );
}

/// Wraps the page's `WebSocket` before any script runs, so the test can cut the live-reload
/// connection and keep it down (reconnection attempts go to a closed port meanwhile).
const CUTTABLE_SOCKETS: &str = r#"(() => {
  const Real = window.WebSocket;
  window.__sockets = [];
  window.__offline = false;
  window.WebSocket = function (url, protocols) {
    const socket = new Real(window.__offline ? "ws://127.0.0.1:9/" : url, protocols);
    window.__sockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Real.prototype;
})();"#;

#[test]
fn a_page_that_missed_a_rebuild_reloads_when_it_reconnects() {
    let _guard = browser_lock();
    let site = site();
    let server = Server::start(&site, &[]);
    let mut browser = Browser::launch();
    browser.call(
        "Page.addScriptToEvaluateOnNewDocument",
        serde_json::json!({ "source": CUTTABLE_SOCKETS }),
    );
    browser.goto(&url(&server, "/blog/second/"));
    browser.wait_for("sessionStorage.getItem('galley-server')", "the first hello");
    browser.eval(
        "window.__beforeMiss = true; window.__offline = true; \
         window.__sockets.forEach(s => s.close()); true",
    );
    edit(
        &site,
        "content/blog/second.md",
        "Steps.",
        "Rebuilt while the page was offline.",
    );
    // The rebuild happens, and its reload message goes nowhere.
    wait_until_served(
        &server,
        "/blog/second/",
        "Rebuilt while the page was offline.",
    );
    assert_eq!(
        browser.eval("window.__beforeMiss === true"),
        serde_json::json!(true),
        "the page cannot have heard of the rebuild"
    );
    browser.eval("window.__offline = false; true");
    // Same server, newer build: the hello on reconnection must bring the page up to date.
    browser.wait_for(
        "window.__beforeMiss === undefined",
        "a reload after the reconnection",
    );
    browser.wait_for(
        "document.body.innerText.includes('Rebuilt while the page was offline.')",
        "the new content",
    );
}
