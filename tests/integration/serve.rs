//! `galley serve` against a temporary copy of a fixture site: edits reach the browser, broken
//! files show an error while the last good build stays served, nothing outside the site is
//! served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::harness::{Site, galley};

/// A running `galley serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    /// The server's stderr, line by line. Kept open for the server's lifetime: dropping it
    /// would close the pipe the server writes its rebuild lines to.
    log: Receiver<String>,
    /// What the server printed up to and including its `Serving at` line.
    pub startup: Vec<String>,
}

impl Server {
    pub fn start(site: &Site, extra: &[&str]) -> Server {
        Server::start_on(site, 0, extra)
    }

    /// Starts on a given port (0: any free one).
    pub fn start_on(site: &Site, port: u16, extra: &[&str]) -> Server {
        let port = port.to_string();
        let mut command = galley();
        command
            .arg("--root")
            .arg(site.path())
            .args(["serve", "--port", &port])
            .args(extra);
        Server::spawn(command)
    }

    /// Starts the way a writer does: `galley serve` run inside the site, without `--root`.
    pub fn start_inside(site: &Site) -> Server {
        let mut command = galley();
        command
            .current_dir(site.path())
            .args(["serve", "--port", "0"]);
        Server::spawn(command)
    }

    fn spawn(mut command: Command) -> Server {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("start galley serve");
        let stderr = child.stderr.take().expect("piped stderr");
        let (lines, log) = channel();
        // The guard exists before anything can fail, so a server that never starts is killed.
        let mut server = Server {
            child,
            port: 0,
            log,
            startup: Vec::new(),
        };
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let line = server
                .log
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("galley serve did not start");
            server.startup.push(line.clone());
            if let Some(rest) = line.split("Serving at http://127.0.0.1:").nth(1) {
                server.port = rest
                    .split(['/', ' '])
                    .next()
                    .unwrap()
                    .parse()
                    .expect("a port number");
                return server;
            }
        }
    }

    /// `GET path`, returning the status code and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.request("GET", path, &[]);
        (status, body)
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        // A caller's Host header replaces the default one.
        let default_host = format!("127.0.0.1:{}", self.port);
        let host = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map_or(default_host.as_str(), |(_, v)| v);
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        for (name, value) in headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
        {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_owned(), body.to_owned())
    }

    /// A live-reload connection, past its `hello` message.
    pub fn live_reload(&self) -> LiveReload {
        let url = format!("ws://127.0.0.1:{}/__galley/livereload", self.port);
        let (mut socket, _) = tungstenite::connect(url).expect("connect to the live-reload socket");
        if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
        }
        let hello = read_message(&mut socket);
        assert_eq!(hello["type"], "hello", "{hello}");
        LiveReload { socket }
    }

    pub fn manifest(&self) -> serde_json::Value {
        let (status, body) = self.get("/__galley/manifest");
        assert_eq!(status, 200);
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["files"].clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct LiveReload {
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
}

impl LiveReload {
    /// The next message of the given type, skipping others.
    #[track_caller]
    pub fn next(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let message = read_message(&mut self.socket);
            if message["type"] == kind {
                return message;
            }
        }
    }
}

fn read_message(
    socket: &mut tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
) -> serde_json::Value {
    loop {
        match socket.read().expect("a live-reload message within 20 s") {
            tungstenite::Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            tungstenite::Message::Close(_) => panic!("live-reload socket closed"),
            _ => {}
        }
    }
}

/// Writes a file the way editors do: to a temporary name, then renamed over the original.
fn save(site: &Site, relative: &str, contents: &str) {
    let path = site.path().join(relative);
    let temporary = path.with_file_name(format!(
        ".{}.swp",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&temporary, contents).unwrap();
    std::fs::rename(&temporary, &path).unwrap();
}

#[test]
fn an_edit_is_served_and_announced() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let mut reload = server.live_reload();
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    save(
        &site,
        "content/blog/second.md",
        &text.replace("Steps.", "Brand new steps."),
    );
    reload.next("reload");
    let (status, body) = server.get("/blog/second/");
    assert_eq!(status, 200);
    assert!(body.contains("Brand new steps."), "{body}");
    assert!(
        body.contains("/__galley/livereload.js"),
        "the live-reload script is injected"
    );
}

#[test]
fn an_edit_is_seen_when_serve_runs_inside_the_site_without_root() {
    let site = Site::fixture("zola-style");
    let server = Server::start_inside(&site);
    let mut reload = server.live_reload();
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    save(
        &site,
        "content/blog/second.md",
        &text.replace("Steps.", "Edited in place."),
    );
    reload.next("reload");
    assert!(server.get("/blog/second/").1.contains("Edited in place."));
}

#[test]
fn editor_temporary_files_do_not_trigger_rebuilds() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let before = server.get("/__galley/status").1;
    site.write("content/blog/.second.md.swp", "junk");
    site.write("content/blog/second.md~", "junk");
    site.write("content/4913", "");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        server.get("/__galley/status").1,
        before,
        "no rebuild happened"
    );
}

#[test]
fn a_broken_file_shows_the_error_and_keeps_the_last_good_page() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let mut reload = server.live_reload();
    let good = std::fs::read_to_string(site.path().join("content/blog/first.md")).unwrap();
    save(
        &site,
        "content/blog/first.md",
        &good.replacen("title = \"First post\"", "title = \"First post", 1),
    );
    let error = reload.next("error");
    let first = &error["diagnostics"][0];
    assert_eq!(first["file"], "content/blog/first.md", "{error}");
    assert_eq!(first["line"], 2, "{error}");
    let (status, body) = server.get("/blog/first/");
    assert_eq!(status, 200);
    assert!(
        body.contains("<h1>First post</h1>"),
        "still the last good page: {body}"
    );
    let status = server.get("/__galley/status").1;
    assert!(status.contains("content/blog/first.md"), "{status}");

    save(&site, "content/blog/first.md", &good);
    reload.next("reload");
    assert!(server.get("/__galley/status").1.contains("\"error\":null"));
}

#[test]
fn a_deleted_page_disappears_from_listings() {
    let site = Site::fixture("zola-style");
    site.write(
        "content/blog/extra.md",
        "+++\ntitle = \"Extra post\"\ndate = 2026-05-01\n+++\nhi\n",
    );
    let server = Server::start(&site, &[]);
    assert!(server.get("/blog/").1.contains("Extra post"));
    let mut reload = server.live_reload();
    site.remove("content/blog/extra.md");
    reload.next("reload");
    assert!(!server.get("/blog/").1.contains("Extra post"));
    assert_eq!(server.get("/blog/extra/").0, 404);
}

#[test]
fn incremental_output_equals_a_fresh_server() {
    let site = Site::fixture("zola-style");
    let base = ["--base-url", "http://galley.test/"];
    let server = Server::start(&site, &base);
    let mut reload = server.live_reload();
    let edits: [(&str, &str, &str); 4] = [
        ("content/blog/second.md", "Steps.", "Steps, more of them."),
        (
            "content/blog/first.md",
            "description = \"The first one\"",
            "description = \"The very first one\"",
        ),
        ("templates/page.html", "<h1>", "<h1 class=\"t\">"),
        (
            "content/blog/bundle/index.md",
            "tags = [\"yaml\"]",
            "tags = [\"yaml\", \"rust\"]",
        ),
    ];
    for (file, from, to) in edits {
        let text = std::fs::read_to_string(site.path().join(file)).unwrap();
        save(&site, file, &text.replacen(from, to, 1));
        reload.next("reload");
        let fresh = Server::start(&site, &base);
        assert_eq!(server.manifest(), fresh.manifest(), "after editing {file}");
    }
}

#[test]
fn traversal_attempts_are_refused() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/blog/..%2f..%2fsite.toml",
        "/..%5csite.toml",
        "/blog/%2e%2e/%2e%2e/site.toml",
    ] {
        let (status, body) = server.get(path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("base_url"), "{path} leaked site.toml");
    }
    assert_eq!(server.get("/%252e%252e/site.toml").0, 404);
}

#[test]
fn symlinks_out_of_the_site_are_not_served() {
    let site = Site::fixture("zola-style");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "top secret").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        site.path().join("static/secret.txt"),
    )
    .unwrap();
    let server = Server::start(&site, &[]);
    let (status, body) = server.get("/secret.txt");
    assert_eq!(status, 404);
    assert!(!body.contains("top secret"));
}

#[test]
fn missing_pages_get_the_404_page_and_head_works() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let (status, _) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    let (status, head, body) = server.request("HEAD", "/blog/first/", &[]);
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase().contains("content-type: text/html"),
        "{head}"
    );
    assert!(body.is_empty());
    let (_, head, _) = server.request("GET", "/style.css", &[]);
    assert!(
        head.to_lowercase().contains("content-type: text/css"),
        "{head}"
    );
}

#[test]
fn cross_origin_live_reload_is_refused() {
    use tungstenite::client::IntoClientRequest;
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let handshake = |origin: &str| {
        let mut request = format!("ws://127.0.0.1:{}/__galley/livereload", server.port)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        tungstenite::connect(request)
    };
    match handshake("http://evil.example") {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        other => panic!(
            "a foreign origin connected: {:?}",
            other.map(|_| "connected")
        ),
    }
    assert!(
        handshake(&format!("http://127.0.0.1:{}", server.port)).is_ok(),
        "the site's own pages may connect"
    );
}

#[test]
fn a_taken_port_is_a_clear_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let site = Site::fixture("zola-style");
    site.galley(&["serve", "--port", &port])
        .exit(2)
        .stderr_has(&format!("port {port} is already in use"))
        .stderr_has("--port");
}

#[test]
fn a_site_that_does_not_build_yet_is_served_once_fixed() {
    let site = Site::fixture("zola-style");
    let good = std::fs::read_to_string(site.path().join("templates/page.html")).unwrap();
    site.write("templates/page.html", "{{ page.title }");
    let server = Server::start(&site, &[]);
    let (status, body) = server.get("/blog/first/");
    assert_eq!(status, 503);
    assert!(body.contains("/__galley/livereload.js"));
    let mut reload = server.live_reload();
    save(&site, "templates/page.html", &good);
    reload.next("reload");
    assert_eq!(server.get("/blog/first/").0, 200);
}

#[test]
fn every_open_page_is_told_to_reload() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let mut first = server.live_reload();
    let mut second = server.live_reload();
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    save(
        &site,
        "content/blog/second.md",
        &text.replace("Steps.", "Two tabs."),
    );
    let a = first.next("reload");
    let b = second.next("reload");
    assert_eq!(a["version"], b["version"]);
}

#[test]
fn requests_for_other_host_names_are_refused() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let rebinding = format!("evil.example:{}", server.port);
    let (status, _, body) = server.request("GET", "/blog/first/", &[("Host", rebinding.as_str())]);
    assert_eq!(status, 421);
    assert!(!body.contains("First post"));
    let local = format!("localhost:{}", server.port);
    assert_eq!(
        server
            .request("GET", "/blog/first/", &[("Host", local.as_str())])
            .0,
        200
    );
}

#[test]
fn a_failing_snippet_in_the_edited_page_shows_as_an_error() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let mut reload = server.live_reload();
    let text = std::fs::read_to_string(site.path().join("content/blog/second.md")).unwrap();
    let manifest = "\n```yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  tpye: ClusterIP\n  ports:\n    - port: 80\n```\n";
    save(
        &site,
        "content/blog/second.md",
        &format!("{text}{manifest}"),
    );
    let error = reload.next("error");
    let first = &error["diagnostics"][0];
    assert_eq!(first["code"], "k8s/unknown-field", "{error}");
    assert_eq!(first["file"], "content/blog/second.md", "{error}");
    assert!(
        !server.get("/blog/second/").1.contains("tpye"),
        "the last good page is still served"
    );
}

/// Waits (bounded) until `path` is served with `needle` in its body.
#[track_caller]
pub fn wait_until_served(server: &Server, path: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = server.get(path);
        if status == 200 && body.contains(needle) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} never showed {needle:?}; last answer {status}:\n{body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The build version the server is at (every rebuild, good or bad, adds one).
fn version(server: &Server) -> u64 {
    let body = server.get("/__galley/status").1;
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["version"]
        .as_u64()
        .expect("a version number")
}

/// Edits another file and waits until it is served: every event before it has been handled,
/// so the version then counts all the rebuilds that happened. The edit is a rename over the
/// file, one event, so it is always one rebuild itself.
fn rebuilds_settled(server: &Server, site: &Site) -> u64 {
    let path = site.path().join("content/blog/first.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let marker = format!("Sentinel {}.", version(server));
    let temporary = site.path().join("content/blog/first.md.tmp");
    std::fs::write(
        &temporary,
        text.replacen("Again.", &format!("Again. {marker}"), 1),
    )
    .unwrap();
    std::fs::rename(&temporary, &path).unwrap();
    wait_until_served(server, "/blog/first/", &marker);
    version(server)
}

/// The longest pause between the steps of a save, as this thread saw it.
struct Pauses {
    last: Instant,
    longest: Duration,
}

impl Pauses {
    fn step(&mut self) {
        let now = Instant::now();
        self.longest = self.longest.max(now - self.last);
        self.last = now;
    }
}

/// How many rebuilds one save causes. `save(attempt, pauses)` changes files, marking each
/// step, and returns what /blog/second/ shows once it is applied. A loaded machine may stop
/// this thread mid-save for longer than the debouncer's quiet period, which honestly is two
/// saves: such an attempt does not count, and the save is made again (five times at most).
fn rebuilds_for(server: &Server, site: &Site, save: impl Fn(u32, &mut Pauses) -> String) -> u64 {
    // The debouncer's quiet period (serve/debounce.rs QUIET).
    const TIGHT: Duration = Duration::from_millis(20);
    let mut longest = Vec::new();
    for attempt in 1..=5 {
        let before = rebuilds_settled(server, site);
        let mut pauses = Pauses {
            last: Instant::now(),
            longest: Duration::ZERO,
        };
        let shown = save(attempt, &mut pauses);
        wait_until_served(server, "/blog/second/", &shown);
        let after = rebuilds_settled(server, site);
        if pauses.longest < TIGHT {
            return after - before - 1;
        }
        longest.push(pauses.longest);
    }
    panic!("every attempt paused mid-save for longer than {TIGHT:?}: {longest:?}");
}

#[test]
fn a_folder_created_while_serving_is_watched() {
    folder_created_while_serving(&[]);
}

#[test]
fn a_folder_created_while_polling_is_watched() {
    folder_created_while_serving(&["--poll"]);
}

#[test]
fn a_site_folder_created_while_serving_is_watched() {
    // A bare site with no content/ yet.
    let site = Site::empty();
    site.write(
        "site.toml",
        "title = \"Bare\"\nbase_url = \"https://example.org\"\n",
    );
    let page = "<!doctype html><html><body>{{ page.content | safe }}</body></html>";
    let list =
        "<!doctype html><html><body>{{ section.title | default(value='home') }}</body></html>";
    site.write("templates/page.html", page);
    site.write("templates/index.html", list);
    site.write("templates/section.html", list);
    let server = Server::start(&site, &[]);
    assert_eq!(server.get("/").0, 200);
    site.write("content/first.md", "+++\ntitle = \"First\"\n+++\nHello.\n");
    wait_until_served(&server, "/first/", "Hello.");
    site.write(
        "content/first.md",
        "+++\ntitle = \"First\"\n+++\nChanged.\n",
    );
    wait_until_served(&server, "/first/", "Changed.");
}

fn folder_created_while_serving(flags: &[&str]) {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, flags);
    site.write(
        "content/new-section/_index.md",
        "+++\ntitle = \"New section\"\n+++\n",
    );
    site.write(
        "content/new-section/deeper/post.md",
        "+++\ntitle = \"New post\"\ndate = 2026-06-01\n+++\nFirst words.\n",
    );
    wait_until_served(&server, "/new-section/deeper/post/", "First words.");
    std::fs::write(
        site.path().join("content/new-section/deeper/post.md"),
        "+++\ntitle = \"New post\"\ndate = 2026-06-01\n+++\nSecond words.\n",
    )
    .unwrap();
    wait_until_served(&server, "/new-section/deeper/post/", "Second words.");
}

#[test]
fn a_burst_of_writes_is_one_rebuild() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let path = site.path().join("content/blog/second.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let burst = |attempt: u32, pauses: &mut Pauses| {
        for n in 1..=5 {
            std::fs::write(
                &path,
                text.replace("Steps.", &format!("Burst {attempt}-{n}.")),
            )
            .unwrap();
            std::thread::sleep(Duration::from_millis(10));
            pauses.step();
        }
        format!("Burst {attempt}-5.")
    };
    assert_eq!(rebuilds_for(&server, &site, burst), 1);
}

#[test]
fn each_editor_save_pattern_is_exactly_one_rebuild() {
    let site = Site::fixture("zola-style");
    let server = Server::start(&site, &[]);
    let dir = site.path().join("content/blog");
    let page = dir.join("second.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let saved =
        |attempt: u32, pattern: &str| text.replace("Steps.", &format!("{pattern} {attempt}."));

    // Write to a temporary file, then rename it over the original (VS Code, JetBrains, Emacs).
    let rename_over = |attempt: u32, pauses: &mut Pauses| {
        std::fs::write(dir.join("second.md.tmp"), saved(attempt, "Renamed")).unwrap();
        pauses.step();
        std::fs::rename(dir.join("second.md.tmp"), &page).unwrap();
        pauses.step();
        format!("Renamed {attempt}.")
    };
    assert_eq!(rebuilds_for(&server, &site, rename_over), 1, "rename over");

    // vim: probe the folder with `4913`, move the original to a `~` backup, write the new
    // file, drop the backup; a `.swp` file is written all along.
    let vim = |attempt: u32, pauses: &mut Pauses| {
        std::fs::write(dir.join(".second.md.swp"), "swap").unwrap();
        pauses.step();
        std::fs::write(dir.join("4913"), "").unwrap();
        pauses.step();
        std::fs::remove_file(dir.join("4913")).unwrap();
        pauses.step();
        std::fs::rename(&page, dir.join("second.md~")).unwrap();
        pauses.step();
        std::fs::write(&page, saved(attempt, "Vim")).unwrap();
        pauses.step();
        std::fs::remove_file(dir.join("second.md~")).unwrap();
        pauses.step();
        std::fs::remove_file(dir.join(".second.md.swp")).unwrap();
        pauses.step();
        format!("Vim {attempt}.")
    };
    assert_eq!(rebuilds_for(&server, &site, vim), 1, "vim");

    // Git's own files and editor leftovers alone never rebuild anything.
    let before = rebuilds_settled(&server, &site);
    site.write(".git/index", "index");
    site.write("content/.git/index", "index");
    site.write("content/blog/.second.md.swp", "swap");
    site.write("content/blog/second.md~", "backup");
    assert_eq!(
        rebuilds_settled(&server, &site),
        before + 1,
        "only the sentinel"
    );
}
