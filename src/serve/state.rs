//! What the server shares between its request handlers and its rebuild thread: the snapshot of
//! the last good build (swapped whole, so a response never mixes two builds) and the channel
//! that tells browsers to reload.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::diagnostics::Diagnostic;
use crate::output::Output;

/// One build, as served.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last good output (empty until a build succeeds).
    pub output: Output,
    /// The error of the last rebuild, shown as an overlay until a rebuild succeeds.
    pub error: Option<Vec<DiagnosticView>>,
    /// Increases with every rebuild, good or bad.
    pub version: u64,
}

/// A diagnostic as the browser overlay shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosticView {
    pub code: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub hint: Option<String>,
    /// The whole diagnostic as the terminal prints it (without colour).
    pub text: String,
}

impl From<&Diagnostic> for DiagnosticView {
    fn from(d: &Diagnostic) -> Self {
        DiagnosticView {
            code: d.code.clone(),
            message: d.message.clone(),
            file: d.location.as_ref().map(|l| l.file.clone()),
            line: d.location.as_ref().map(|l| l.line),
            column: d.location.as_ref().map(|l| l.column),
            hint: d.hint.clone(),
            text: d.render(false),
        }
    }
}

/// A message to every connected browser.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Message {
    /// Sent on connect: a page reloads when it reconnects to a restarted server.
    Hello {
        server: String,
        version: u64,
        error: Option<Vec<DiagnosticView>>,
    },
    Reload {
        version: u64,
    },
    /// Only stylesheets changed: swap them in place.
    Css {
        version: u64,
    },
    Error {
        version: u64,
        diagnostics: Vec<DiagnosticView>,
    },
}

pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    events: broadcast::Sender<String>,
    /// The base URL's path (`/` or `/docs/`).
    pub prefix: String,
    /// Canonical site root: files copied from elsewhere (a symlink out) are never served.
    pub root: PathBuf,
    /// Identifies this server process to reconnecting browsers.
    pub server_id: String,
    /// Host names requests may name (`Host` header, port stripped); `None` accepts any.
    /// On loopback only local names are accepted, so a web page that points a domain of its own
    /// at 127.0.0.1 (DNS rebinding) cannot read the site through the visitor's browser.
    pub allowed_hosts: Option<Vec<String>>,
}

impl Shared {
    pub fn new(prefix: String, root: PathBuf, allowed_hosts: Option<Vec<String>>) -> Arc<Shared> {
        let (events, _) = broadcast::channel(64);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Arc::new(Shared {
            snapshot: RwLock::new(Arc::new(Snapshot::default())),
            events,
            prefix,
            root,
            server_id: format!("{}-{nanos}", std::process::id()),
            allowed_hosts,
        })
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Puts a new snapshot in place, then tells browsers: never before.
    pub fn publish(&self, snapshot: Snapshot, message: Message) {
        *self
            .snapshot
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(snapshot);
        self.send(&message);
    }

    pub fn send(&self, message: &Message) {
        if let Ok(text) = serde_json::to_string(message) {
            // No receiver (no open page) is fine.
            let _ = self.events.send(text);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.events.subscribe()
    }

    /// Whether a request's `Host` header names this server.
    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        let Some(allowed) = &self.allowed_hosts else {
            return true;
        };
        let Some(host) = host else { return false };
        let name = match host.strip_prefix('[') {
            Some(rest) => rest
                .split(']')
                .next()
                .map(|h| format!("[{h}]"))
                .unwrap_or_default(),
            None => host.split(':').next().unwrap_or_default().to_owned(),
        };
        allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
    }

    pub fn hello(&self) -> Message {
        let snapshot = self.snapshot();
        Message::Hello {
            server: self.server_id.clone(),
            version: snapshot.version,
            error: snapshot.error.clone(),
        }
    }
}
