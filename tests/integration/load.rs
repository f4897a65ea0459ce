//! `galley serve` under load and churn, on 127.0.0.1 only: 200 keep-alive connections send
//! 50,000 requests in all while a post is rewritten twenty times a second (and a template now
//! and then). No request may fail, and every HTML page must be complete and come from a single
//! build: the edited post carries its edit number in its title and twice in its body, and the
//! server marks each page's live-reload script with the build it serves, so a page cut short,
//! mixing two edits, or showing another edit than the other pages of its build, shows. The
//! clients must have seen several builds, or the edits proved nothing. The test stops by
//! itself after its requests.
//!
//! Then request paths that try to leave the site in ways the unit tests of `serve::request`
//! cannot see (they never pass through the HTTP parser): absolute URLs in the request line,
//! double encoding, backslashes, overlong UTF-8, symlinks out of the site.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::Site;
use crate::serve::Server;

const CONNECTIONS: usize = 200;
const REQUESTS: usize = 50_000;

/// A minimal HTTP/1.1 client on one keep-alive connection.
struct Connection {
    reader: BufReader<TcpStream>,
    port: u16,
}

impl Connection {
    fn open(port: u16) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            reader: BufReader::new(stream),
            port,
        })
    }

    /// Sends `GET path` and reads the whole response: status and body.
    fn get(&mut self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        );
        self.reader.get_mut().write_all(request.as_bytes())?;
        let mut status_line = String::new();
        self.reader.read_line(&mut status_line)?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut length = None;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| std::io::Error::other("no Content-Length"))?;
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body)?;
        Ok((status, body))
    }
}

fn post(build: usize) -> String {
    format!(
        "+++\ntitle = \"First post build-{build}-\"\ndescription = \"The first one\"\n\
         date = 2026-01-10\naliases = [\"/old/first/\"]\n\n[taxonomies]\ntags = [\"rust\", \"yaml\"]\n\
         categories = [\"Guide\"]\n+++\nIntro build-{build}- [the second](@/blog/second.md#setup).\n\n\
         <!-- more -->\n\n## Setup\n\n{}\n\n## Setup\n\nEnd build-{build}-.\n",
        "Filler text. ".repeat(200)
    )
}

/// The build numbers a page mentions (`build-N-`), deduplicated.
fn builds_in(html: &str) -> Vec<usize> {
    let mut found: Vec<usize> = html
        .match_indices("build-")
        .filter_map(|(at, _)| {
            let rest = &html[at + "build-".len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            rest[digits.len()..]
                .starts_with('-')
                .then(|| digits.parse().ok())
                .flatten()
        })
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The build a whole page comes from: the version on its live-reload script (there must be
/// exactly one), and the edit of the post it shows, if it shows the post.
fn build_of(path: &str, html: &str) -> Result<(u64, Option<usize>), String> {
    if !html.trim_end().ends_with("</html>") {
        return Err(format!("{path}: an incomplete page:\n{html}"));
    }
    let versions: Vec<u64> = html
        .match_indices("data-version=\"")
        .filter_map(|(at, found)| {
            let rest = &html[at + found.len()..];
            rest[..rest.find('"')?].parse().ok()
        })
        .collect();
    let [version] = versions[..] else {
        return Err(format!("{path}: build versions {versions:?}:\n{html}"));
    };
    match builds_in(html)[..] {
        [] => Ok((version, None)),
        [edit] => Ok((version, Some(edit))),
        ref edits => Err(format!("{path} mixes edits {edits:?}:\n{html}")),
    }
}

/// Which edit each build served, across every client: one build shows one edit everywhere.
#[derive(Default)]
struct Builds {
    edits: Mutex<HashMap<u64, Option<usize>>>,
}

impl Builds {
    fn record(&self, path: &str, (version, edit): (u64, Option<usize>)) -> Result<(), String> {
        let mut edits = self.edits.lock().unwrap();
        let known = edits.entry(version).or_insert(edit);
        match (*known, edit) {
            (Some(a), Some(b)) if a != b => Err(format!(
                "{path}: build {version} shows edit {b}, other pages of it edit {a}"
            )),
            (None, Some(_)) => {
                *known = edit;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

#[test]
fn serve_answers_every_request_with_a_whole_page_while_files_change() {
    let site = Site::fixture("zola-style");
    site.write("content/blog/first.md", post(0));
    let server = Server::start(&site, &[]);
    let port = server.port;

    let done = Arc::new(AtomicBool::new(false));
    let edits = Arc::new(AtomicUsize::new(0));
    let editor = {
        let (done, edits) = (done.clone(), edits.clone());
        let root = site.path().to_path_buf();
        std::thread::spawn(move || {
            let page = root.join("content/blog/first.md");
            let template = root.join("templates/page.html");
            let original = std::fs::read_to_string(&template).unwrap();
            let mut build = 0;
            while !done.load(Ordering::Relaxed) {
                build += 1;
                if build % 2 == 0 {
                    // Like an editor that saves through a temporary file and a rename.
                    let temporary = root.join("content/blog/.first.md.swp");
                    std::fs::write(&temporary, post(build)).unwrap();
                    std::fs::rename(&temporary, &page).unwrap();
                } else {
                    // Like one that truncates and rewrites in place: a rebuild may read a
                    // half-written file, fail, and keep serving the last good build.
                    std::fs::write(&page, post(build)).unwrap();
                }
                if build % 10 == 0 {
                    // Through a rename: a template caught between truncation and writing is
                    // empty, and an empty template is valid and renders empty pages, so no
                    // server could promise whole pages from one written in place.
                    let marked = original.replace("<h1>", &format!("<h1 data-t=\"{build}\">"));
                    let temporary = root.join("templates/.page.html.tmp");
                    std::fs::write(&temporary, marked).unwrap();
                    std::fs::rename(&temporary, &template).unwrap();
                }
                edits.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    let paths = [
        "/blog/first/",
        "/blog/",
        "/",
        "/blog/second/",
        "/tags/rust/",
        "/rss.xml",
        "/style.css",
        "/no/such/page/",
    ];
    let next = Arc::new(AtomicUsize::new(0));
    let builds = Arc::new(Builds::default());
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let next = next.clone();
            let builds = builds.clone();
            std::thread::spawn(move || -> Result<usize, String> {
                let mut connection = Connection::open(port).map_err(|e| format!("connect: {e}"))?;
                let mut pages = 0;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= REQUESTS {
                        return Ok(pages);
                    }
                    let path = paths[n % paths.len()];
                    let (status, body) = connection
                        .get(path)
                        .map_err(|e| format!("request {n} ({path}): {e}"))?;
                    let expected = if path == "/no/such/page/" { 404 } else { 200 };
                    if status != expected {
                        return Err(format!("{path}: status {status}"));
                    }
                    if path.ends_with('/') {
                        let html = String::from_utf8(body).map_err(|e| format!("{path}: {e}"))?;
                        builds.record(path, build_of(path, &html)?)?;
                        pages += 1;
                    }
                }
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut pages = 0;
    for client in clients {
        match client.join().expect("a client thread") {
            Ok(n) => pages += n,
            Err(failure) => failures.push(failure),
        }
    }
    done.store(true, Ordering::Relaxed);
    editor.join().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {CONNECTIONS} connections failed; first: {}",
        failures.len(),
        failures[0]
    );
    let edits = edits.load(Ordering::Relaxed);
    let seen = builds.edits.lock().unwrap().clone();
    let shown: BTreeSet<usize> = seen.values().flatten().copied().collect();
    eprintln!(
        "{REQUESTS} requests, {pages} whole pages checked, {edits} edits meanwhile, \
         {} builds showing {} edits seen",
        seen.len(),
        shown.len()
    );
    assert!(edits > 5, "the files changed while the requests ran");
    assert!(
        seen.len() >= 2 && shown.len() >= 2,
        "the clients saw builds {seen:?}: the pages never changed under them"
    );

    // After the churn, the server settles on the last edit.
    let last = std::fs::read_to_string(site.path().join("content/blog/first.md")).unwrap();
    let wanted = builds_in(&last);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, body) = server.get("/blog/first/");
        if builds_in(&body) == wanted {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never caught up with the last edit"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends a raw request line and returns the status code (0 if the server closed the
/// connection without answering, which also refuses).
fn raw_status(port: u16, request_line: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = request_line.to_vec();
    request.extend_from_slice(
        format!("\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    stream.write_all(&request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[test]
fn escape_attempts_through_the_http_parser_are_refused() {
    let site = Site::fixture("zola-style");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "top secret").unwrap();
    std::fs::create_dir(outside.path().join("dir")).unwrap();
    std::fs::write(outside.path().join("dir/inner.txt"), "top secret").unwrap();
    // A symlinked folder in static/, and a symlinked bundle asset in content/.
    std::os::unix::fs::symlink(
        outside.path().join("dir"),
        site.path().join("static/linked"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.path().join("content/blog/bundle/secret.txt"),
    )
    .unwrap();
    let server = Server::start(&site, &[]);
    let port = server.port;
    let attempts: &[&[u8]] = &[
        b"GET http://127.0.0.1/../site.toml HTTP/1.1",
        b"GET http://127.0.0.1/%2e%2e/site.toml HTTP/1.1",
        b"GET http://evil.example/../../site.toml HTTP/1.1",
        b"GET /%252e%252e/%252e%252e/site.toml HTTP/1.1",
        b"GET /%25252e%25252e/site.toml HTTP/1.1",
        b"GET /..\\site.toml HTTP/1.1",
        b"GET /blog\\..\\..\\site.toml HTTP/1.1",
        b"GET /%5c..%5csite.toml HTTP/1.1",
        b"GET /%c0%ae%c0%ae/site.toml HTTP/1.1",
        b"GET /%e0%80%ae%e0%80%ae/site.toml HTTP/1.1",
        b"GET /%c0%af../site.toml HTTP/1.1",
        b"GET /%2E%2e/site.toml HTTP/1.1",
        b"GET /.%2e/site.toml HTTP/1.1",
        b"GET /..;/site.toml HTTP/1.1",
        b"GET /blog/%00/../../site.toml HTTP/1.1",
        b"GET /\xc0\xae\xc0\xae/site.toml HTTP/1.1",
        b"GET ../site.toml HTTP/1.1",
        b"GET * HTTP/1.1",
        b"GET //site.toml HTTP/1.1",
        b"GET /linked/inner.txt HTTP/1.1",
        b"GET /blog/bundle/secret.txt HTTP/1.1",
        b"GET /content/blog/first.md HTTP/1.1",
        b"GET /site.toml HTTP/1.1",
    ];
    for attempt in attempts {
        let shown = String::from_utf8_lossy(attempt);
        let (status, response) = raw_status(port, attempt);
        assert!(
            matches!(status, 0 | 400 | 404),
            "{shown}: status {status}\n{response}"
        );
        assert!(!response.contains("base_url"), "{shown} leaked site.toml");
        assert!(
            !response.contains("top secret"),
            "{shown} leaked a file outside the site"
        );
        assert!(
            !response.contains("+++"),
            "{shown} leaked a Markdown source"
        );
    }
    // The server is still up and well.
    assert_eq!(server.get("/blog/first/").0, 200);
}
