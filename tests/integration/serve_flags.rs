//! `galley serve`'s flags and HTTP answers that no edit is needed to see: drafts, the address
//! it listens on, `--base-url`, methods, `HEAD` and the site's own 404 page.

use crate::harness::Site;
use crate::serve::Server;

const DRAFT: &str =
    "+++\ntitle = \"Work in progress\"\ndate = 2026-03-01\ndraft = true\n+++\nNot yet.\n";

#[test]
fn drafts_are_served_only_with_the_drafts_flag() {
    let site = Site::fixture("zola-style");
    site.write("content/blog/wip.md", DRAFT);
    let without = Server::start(&site, &[]);
    assert_eq!(without.get("/blog/wip/").0, 404);
    assert!(!without.get("/blog/").1.contains("Work in progress"));
    let with = Server::start(&site, &["--drafts"]);
    let (status, body) = with.get("/blog/wip/");
    assert_eq!(status, 200);
    assert!(body.contains("Not yet."), "{body}");
}

/// An address of this machine that is not loopback, if it has one (the source address of a
/// route outwards; connecting a UDP socket sends nothing).
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn by_default_only_this_machine_can_connect() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let serving = server.startup.last().unwrap();
    assert!(
        serving.starts_with("Serving at http://127.0.0.1:"),
        "{serving}"
    );
    assert!(
        !server.startup.iter().any(|l| l.contains("warning")),
        "no warning on loopback: {:?}",
        server.startup
    );
    if let Some(ip) = non_loopback_address() {
        assert!(
            std::net::TcpStream::connect((ip, server.port)).is_err(),
            "{ip}:{} accepted a connection",
            server.port
        );
    }
}

#[test]
fn binding_every_address_warns() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &["--bind", "0.0.0.0"]);
    let warning = server
        .startup
        .iter()
        .find(|l| l.starts_with("warning:"))
        .unwrap_or_else(|| panic!("no warning on stderr: {:?}", server.startup));
    assert!(
        warning.contains("0.0.0.0") && warning.contains("drafts"),
        "{warning}"
    );
    if let Some(ip) = non_loopback_address() {
        assert!(
            std::net::TcpStream::connect((ip, server.port)).is_ok(),
            "the warning is true: {ip} can connect"
        );
    }
}

#[test]
fn methods_other_than_get_and_head_are_refused() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let (status, head, _) = server.request(method, "/blog/first/", &[("Content-Length", "0")]);
        assert_eq!(status, 405, "{method}");
        assert!(
            head.to_lowercase().contains("allow: get, head"),
            "{method}: {head}"
        );
    }
}

#[test]
fn head_sends_the_length_get_would_send_and_no_body() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let length = |head: &str| -> Option<usize> {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
    };
    for path in ["/blog/first/", "/style.css", "/no/such/page/"] {
        let (get_status, get_head, body) = server.request("GET", path, &[]);
        let (head_status, head, nothing) = server.request("HEAD", path, &[]);
        assert_eq!(head_status, get_status, "{path}");
        assert_eq!(length(&get_head), Some(body.len()), "{path}: {get_head}");
        assert_eq!(length(&head), Some(body.len()), "{path}: {head}");
        assert!(nothing.is_empty(), "{path}: HEAD sent a body");
    }
}

#[test]
fn a_missing_page_gets_the_sites_own_404_page() {
    let site = Site::fixture("zola-style");
    site.write(
        "templates/404.html",
        "<!doctype html><html><body><h1>Lost in the fixture</h1></body></html>",
    );
    let server = Server::start(&site, &[]);
    for path in ["/no/such/page/", "/blog/missing.html", "/nope.css"] {
        let (status, head, body) = server.request("GET", path, &[]);
        assert_eq!(status, 404, "{path}");
        assert!(
            body.contains("<h1>Lost in the fixture</h1>"),
            "{path}: {body}"
        );
        assert!(
            head.to_lowercase().contains("content-type: text/html"),
            "{path}: {head}"
        );
    }
}

#[test]
fn base_url_rewrites_links_and_is_served_under_its_path() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &["--base-url", "http://galley.test/docs/"]);
    let serving = server.startup.last().unwrap();
    assert!(serving.contains("/docs/"), "{serving}");
    let (status, body) = server.get("/docs/blog/first/");
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("http://galley.test/docs/blog/second/"),
        "links carry the base URL: {body}"
    );
    assert!(!body.contains("https://example.org"), "{body}");
    assert_eq!(server.get("/blog/first/").0, 404, "outside the base path");
    let host = [("Host", "galley.test")];
    assert_eq!(
        server.request("GET", "/docs/blog/first/", &host).0,
        200,
        "the base URL's host is answered"
    );
}
