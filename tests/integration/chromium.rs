//! A headless Chromium driven over the Chrome DevTools Protocol. The browser tests load sites
//! from a real `galley serve` (`crate::serve::Server`).
//!
//! Why CDP and not WebDriver: one small synchronous dependency (a WebSocket), no async runtime
//! and no chromedriver process, and CDP has what the tests need and WebDriver lacks: exact
//! viewport emulation, `prefers-color-scheme` emulation and full-page screenshots.
//!
//! Everything here is bounded: the browser is killed on drop and every wait has a deadline.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// One browser at a time: the machine has two cores, and parallel Chromiums only make every
/// test slower and flakier.
static ONE_BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Held by every browser test for its whole run.
pub fn browser_lock() -> std::sync::MutexGuard<'static, ()> {
    ONE_BROWSER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How long any single wait (launch, page load, a condition) may take.
const DEADLINE: Duration = Duration::from_secs(30);

/// The Chromium binary: `$GALLEY_CHROMIUM`, else Debian's `/usr/bin/chromium`, else one on PATH.
/// Panics with an install hint when there is none: the browser tests must not pass silently.
pub fn chromium_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("GALLEY_CHROMIUM") {
        return PathBuf::from(path);
    }
    let candidates = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let found = std::iter::once(PathBuf::from("/usr/bin/chromium"))
        .chain(
            candidates
                .iter()
                .flat_map(|name| path_dirs.iter().map(move |dir| dir.join(name))),
        )
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "the browser tests need headless Chromium, and none was found \
             (looked for /usr/bin/chromium and {} on PATH).\n\
             Install it with: sudo apt-get install -y chromium chromium-driver\n\
             or point GALLEY_CHROMIUM at a Chromium or Chrome binary.",
            candidates.join(", ")
        )
    })
}

/// One headless Chromium with one tab, killed when dropped.
pub struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch() -> Browser {
        let binary = chromium_binary();
        let profile = tempfile::tempdir().expect("create a Chromium profile folder");
        let mut child = Command::new(&binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));

        // Chromium prints its DevTools address on stderr; keep draining stderr afterwards so
        // the pipe never fills and blocks the browser.
        let stderr = child.stderr.take().expect("piped stderr");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sender = Some(sender);
            let mut seen = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    if let Some(sender) = sender.take() {
                        let _ = sender.send(Ok(url.trim().to_owned()));
                    }
                } else if sender.is_some() && seen.len() < 4000 {
                    seen.push_str(&line);
                    seen.push('\n');
                }
            }
            if let Some(sender) = sender {
                let _ = sender.send(Err(seen));
            }
        });
        let url = match receiver.recv_timeout(DEADLINE) {
            Ok(Ok(url)) => url,
            Ok(Err(stderr)) => {
                let _ = child.kill();
                panic!(
                    "{} exited before opening DevTools:\n{stderr}",
                    binary.display()
                )
            }
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "{} did not open DevTools within {DEADLINE:?}",
                    binary.display()
                )
            }
        };
        let (socket, _) = tungstenite::connect(url.as_str()).expect("connect to DevTools");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(DEADLINE))
                .expect("set a read timeout");
        }
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = browser.send(None, "Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().expect("a target id").to_owned();
        let attached = browser.send(
            None,
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        browser.call("Page.enable", json!({}));
        browser.call("Runtime.enable", json!({}));
        browser.set_viewport(1280, 900);
        browser
    }

    /// Sends one command (to the browser, or to the tab's session) and returns its result,
    /// skipping the events that arrive in between.
    fn send(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_send(session, method, params)
            .unwrap_or_else(|error| panic!("{method} failed: {error}"))
    }

    /// Like `send`, with DevTools' error answer as `Err`.
    fn try_send(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .unwrap_or_else(|e| panic!("send {method}: {e}"));
        let started = Instant::now();
        loop {
            assert!(
                started.elapsed() < DEADLINE,
                "{method}: no answer within {DEADLINE:?}"
            );
            let reply = match self.socket.read() {
                Ok(Message::Text(text)) => text,
                Ok(_) => continue,
                Err(e) => panic!("{method}: DevTools connection failed: {e}"),
            };
            let reply: Value = serde_json::from_str(reply.as_str()).expect("DevTools sends JSON");
            if reply["id"].as_u64() != Some(id) {
                continue;
            }
            if let Some(error) = reply.get("error") {
                return Err(error.clone());
            }
            return Ok(reply["result"].clone());
        }
    }

    /// A command for the tab.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(Some(&session), method, params)
    }

    /// Loads `url` and waits until the document and its deferred scripts are done.
    pub fn goto(&mut self, url: &str) {
        let result = self.call("Page.navigate", json!({"url": url}));
        if let Some(error) = result.get("errorText").and_then(Value::as_str) {
            panic!("cannot load {url}: {error}");
        }
        self.wait_for_load();
    }

    pub fn reload(&mut self) {
        self.call("Page.reload", json!({}));
        std::thread::sleep(Duration::from_millis(100));
        self.wait_for_load();
    }

    pub fn wait_for_load(&mut self) {
        self.wait_for("document.readyState === 'complete'", "the page to load");
    }

    /// Evaluates a JavaScript expression in the page (awaiting promises) and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "awaitPromise": true, "returnByValue": true}),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("JavaScript failed: {expression}\n{exception}");
        }
        result["result"]["value"].clone()
    }

    pub fn eval_string(&mut self, expression: &str) -> String {
        match self.eval(expression) {
            Value::String(s) => s,
            other => panic!("{expression} is not a string: {other}"),
        }
    }

    /// Whether `check` evaluates to `true`; an evaluation cut short by the page navigating
    /// (a live reload landing mid-poll) is "not yet".
    fn holds(&mut self, check: &str) -> bool {
        let session = self.session.clone();
        let params = json!({"expression": check, "awaitPromise": true, "returnByValue": true});
        match self.try_send(Some(&session), "Runtime.evaluate", params) {
            Ok(result) => result["result"]["value"] == json!(true),
            Err(error) if error.to_string().contains("navigated") => false,
            Err(error) => panic!("Runtime.evaluate failed: {error}"),
        }
    }

    /// Polls `condition` (a JavaScript expression) until it is truthy.
    #[track_caller]
    pub fn wait_for(&mut self, condition: &str, what: &str) {
        let started = Instant::now();
        // Mid-reload the document may have no body yet: a throwing condition is "not yet".
        let check = format!(
            "(() => {{ try {{ return Boolean({condition}); }} catch (e) {{ return false; }} }})()"
        );
        while !self.holds(&check) {
            assert!(
                started.elapsed() < DEADLINE,
                "timed out waiting for {what} ({condition})"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the middle of the first element matching `selector` with real mouse events.
    #[track_caller]
    pub fn click(&mut self, selector: &str) {
        let selector_js = serde_json::to_string(selector).expect("a JSON string");
        let point = self.eval(&format!(
            "(() => {{ const e = document.querySelector({selector_js}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        let (x, y) = match point.as_array().map(Vec::as_slice) {
            Some([x, y]) => (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0)),
            _ => panic!("no element matches {selector}"),
        };
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    /// Types text into the focused element, as an input method would.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }

    /// Presses and releases one key: "/", "ArrowDown", "ArrowUp", "Enter" or "Escape".
    pub fn press(&mut self, key: &str) {
        let (code, key_code, text) = match key {
            "/" => ("Slash", 191, Some("/")),
            "ArrowDown" => ("ArrowDown", 40, None),
            "ArrowUp" => ("ArrowUp", 38, None),
            "Enter" => ("Enter", 13, Some("\r")),
            "Escape" => ("Escape", 27, None),
            other => panic!("press: no key code known for {other:?}"),
        };
        let mut down =
            json!({"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": key_code});
        if let Some(text) = text {
            down["text"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": key_code}),
        );
    }

    /// Emulates a screen `width` CSS pixels wide (a phone below 500).
    pub fn set_viewport(&mut self, width: u32, height: u32) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}),
        );
    }

    /// Emulates the system colour scheme: "light" or "dark".
    pub fn set_color_scheme(&mut self, scheme: &str) {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Saves a PNG of the page from the top, at most `max_height` CSS pixels tall.
    pub fn screenshot(&mut self, path: &Path, max_height: u32) {
        let width = self
            .eval("document.documentElement.clientWidth")
            .as_f64()
            .unwrap_or(1280.0);
        let height = self
            .eval("document.documentElement.scrollHeight")
            .as_f64()
            .unwrap_or(900.0)
            .min(f64::from(max_height));
        // Lazy images below the fold would be blank: load them all first.
        self.eval(
            "Promise.all(Array.from(document.images, (img) => { img.loading = 'eager'; \
             return img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; }); })).then(() => true)",
        );
        self.eval("window.scrollTo(0, 0)");
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
            }),
        );
        let data = shot["data"].as_str().expect("screenshot data");
        let png = data_encoding::BASE64
            .decode(data.as_bytes())
            .expect("screenshot is base64");
        std::fs::create_dir_all(path.parent().expect("a folder"))
            .expect("create the screenshot folder");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
