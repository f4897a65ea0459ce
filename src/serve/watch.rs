//! Watching and rebuilding: file events, gathered into one batch per save (see
//! [`super::debounce`]), become [`Change`]s, the site is rebuilt incrementally, the new snapshot
//! is published, then browsers are told.
//!
//! Folders created while serving are watched too: the site's own folders (`content/`,
//! `static/`...) when they appear, and every file already inside a new folder when its
//! creation is reported, since files written before the watch on it existed report nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::event::{EventKind, MetadataKind, ModifyKind, RenameMode};
use notify::{Event, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use super::debounce::{MOST, QUIET, next_batch};
use super::state::{DiagnosticView, Message, Shared, Snapshot};
use crate::content::walk::is_ignored_name;
use crate::diagnostics::{Diagnostic, Error, Result, stderr_color};
use crate::site::{Change, Paths, Site, SiteOptions, classify};

/// The folders of a site that are watched, recursively, whenever they exist.
const SOURCE_FOLDERS: [&str; 4] = ["content", "templates", "static", "themes"];

/// What the rebuild thread prints.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub quiet: bool,
    /// Each rebuild's phases (`galley serve --timings`).
    pub timings: bool,
}

/// `  phases: markdown 1.2 ms, templates 3.4 ms, ...` for one rebuild.
fn phases(timings: &crate::site::Timings) -> String {
    let each: Vec<String> = timings
        .phases
        .iter()
        .map(|(phase, took)| format!("{phase} {:.1} ms", took.as_secs_f64() * 1000.0))
        .collect();
    format!("  phases: {}", each.join(", "))
}

type SharedWatcher = Arc<Mutex<Box<dyn Watcher + Send>>>;

/// Keeps the watcher alive; dropping it stops watching.
pub struct WatchGuard {
    _watcher: SharedWatcher,
}

/// Starts watching the site's sources and a thread that rebuilds on every change.
pub fn start(
    site: Option<Site>,
    options: SiteOptions,
    shared: Arc<Shared>,
    poll: bool,
    terminal: Terminal,
) -> Result<WatchGuard> {
    let (sender, events) = channel::<notify::Result<Event>>();
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        // The poller compares modification times in whole seconds: without comparing
        // contents, a second save within the same second as the first would be missed.
        let config = notify::Config::default()
            .with_poll_interval(Duration::from_millis(200))
            .with_compare_contents(true);
        Box::new(PollWatcher::new(sender, config).map_err(watch_error)?)
    } else {
        Box::new(RecommendedWatcher::new(sender, notify::Config::default()).map_err(watch_error)?)
    };
    for (folder, mode) in watched_folders(&options) {
        watcher.watch(&folder, mode).map_err(watch_error)?;
    }
    let watcher: SharedWatcher = Arc::new(Mutex::new(watcher));
    let folders = Folders {
        root: options.root.clone(),
        watcher: watcher.clone(),
    };
    std::thread::Builder::new()
        .name("galley-rebuild".into())
        .spawn(move || rebuild_loop(site, options, shared, events, folders, terminal))
        .map_err(|e| Error::io("start the rebuild thread for", Path::new("."), e))?;
    Ok(WatchGuard { _watcher: watcher })
}

/// The site's folders that exist (recursively), the root itself (not recursively: it reports
/// the site's folders when they are created, and site.toml), and the folder of site.toml.
fn watched_folders(options: &SiteOptions) -> Vec<(PathBuf, RecursiveMode)> {
    let root = &options.root;
    let mut folders: Vec<(PathBuf, RecursiveMode)> = SOURCE_FOLDERS
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .map(|d| (d, RecursiveMode::Recursive))
        .collect();
    folders.push((root.clone(), RecursiveMode::NonRecursive));
    let config_dir = options
        .config_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(root);
    if config_dir != root {
        folders.push((config_dir.to_path_buf(), RecursiveMode::NonRecursive));
    }
    folders
}

/// Watches the site's folders that appear after the start.
struct Folders {
    root: PathBuf,
    watcher: SharedWatcher,
}

impl Folders {
    /// Starts watching `folder` if it is one of the site's folders, just created.
    fn adopt(&self, folder: &Path) -> std::result::Result<(), notify::Error> {
        let is_source = folder.parent() == Some(self.root.as_path())
            && folder
                .file_name()
                .is_some_and(|name| SOURCE_FOLDERS.iter().any(|s| name == *s));
        if !is_source {
            return Ok(());
        }
        self.watcher
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .watch(folder, RecursiveMode::Recursive)
    }
}

fn watch_error(error: notify::Error) -> Error {
    watch_diagnostic(Diagnostic::error, &error).into()
}

/// A watch that failed while serving: the server goes on with what it watches.
fn watch_warning(error: &notify::Error) {
    eprintln!(
        "{}",
        watch_diagnostic(Diagnostic::warning, error).render(stderr_color())
    );
}

fn watch_diagnostic(
    severity: fn(&'static str, String) -> Diagnostic,
    error: &notify::Error,
) -> Diagnostic {
    severity(
        "serve/watch",
        format!("cannot watch the site's files: {error}"),
    )
    .hint("on network or container file systems, try `galley serve --poll`")
}

fn rebuild_loop(
    mut site: Option<Site>,
    options: SiteOptions,
    shared: Arc<Shared>,
    events: Receiver<notify::Result<Event>>,
    folders: Folders,
    terminal: Terminal,
) {
    let fallback_paths = Paths::guess(&options);
    loop {
        let paths = site.as_ref().map_or(&fallback_paths, |s| &s.paths).clone();
        let counts = |event: &notify::Result<Event>| match event {
            Ok(event) => counts(event, &paths, &folders.root),
            // The watcher itself failed (too many watched files...): say so, keep going.
            Err(error) => {
                watch_warning(error);
                false
            }
        };
        let Some(batch) = next_batch(&events, counts, QUIET, MOST) else {
            return;
        };
        let started = Instant::now();
        let changes = changes_in(&batch, &paths, &folders);
        if changes.is_empty() {
            continue;
        }
        let what = describe(&changes);
        let version = shared.snapshot().version + 1;
        // A bug in galley must not stop rebuilds for the rest of the session: a panic is
        // reported like an error, and the next change rebuilds from scratch.
        let attempt =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match site.as_mut() {
                Some(site) => site
                    .rebuild(&changes)
                    .map(|rebuilt| (rebuilt.jobs, rebuilt.css_only, rebuilt.full)),
                None => Site::load(&options).map(|fresh| {
                    let jobs = fresh.counts().pages;
                    site = Some(fresh);
                    (jobs, false, true)
                }),
            }));
        let result = attempt.unwrap_or_else(|panic| {
            site = None;
            let what = panic.downcast_ref::<&str>().map(|s| (*s).to_owned()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default();
            Err(Diagnostic::error("internal", format!("galley crashed while rebuilding: {what}"))
                .hint("this is a bug in galley: please report it with the file you saved; the next save rebuilds from scratch")
                .into())
        });
        match (result, site.as_ref()) {
            (Ok((jobs, css_only, full)), Some(built)) => {
                let message = if css_only {
                    Message::Css { version }
                } else {
                    Message::Reload { version }
                };
                shared.publish(
                    Snapshot {
                        output: built.output.clone(),
                        error: None,
                        version,
                    },
                    message,
                );
                if terminal.timings {
                    eprintln!("{}", phases(&built.timings));
                }
                if !terminal.quiet {
                    let elapsed = started.elapsed().as_millis();
                    if css_only {
                        eprintln!("updated stylesheets in {elapsed} ms ({what})");
                    } else if full {
                        eprintln!("rebuilt the whole site ({jobs} pages) in {elapsed} ms ({what})");
                    } else {
                        let noun = if jobs == 1 { "page" } else { "pages" };
                        eprintln!("rebuilt {jobs} {noun} in {elapsed} ms ({what})");
                    }
                }
            }
            (Ok(_), None) => {}
            (Err(error), _) => {
                let color = stderr_color();
                eprintln!("rebuild failed ({what}); still serving the last good build:");
                for diagnostic in &error.diagnostics {
                    eprintln!("{}", diagnostic.render(color));
                }
                let views: Vec<DiagnosticView> =
                    error.diagnostics.iter().map(DiagnosticView::from).collect();
                let previous = shared.snapshot();
                let snapshot = Snapshot {
                    output: previous.output.clone(),
                    error: Some(views.clone()),
                    version,
                };
                shared.publish(
                    snapshot,
                    Message::Error {
                        version,
                        diagnostics: views,
                    },
                );
            }
        }
    }
}

/// Whether an event may change the site: a change to a file the site reads, or one of the
/// site's folders appearing.
fn counts(event: &Event, paths: &Paths, root: &Path) -> bool {
    relevant(event.kind)
        && event.paths.iter().any(|path| {
            classify(path, paths).is_some()
                || (path.parent() == Some(root)
                    && path
                        .file_name()
                        .is_some_and(|name| SOURCE_FOLDERS.iter().any(|s| name == *s)))
        })
}

/// The distinct changes in a batch of events, in a stable order. A folder that appeared is
/// watched (if it is one of the site's) and read whole: its files may have been written
/// before any watch on it existed.
fn changes_in(batch: &[notify::Result<Event>], paths: &Paths, folders: &Folders) -> Vec<Change> {
    let mut changes = BTreeSet::new();
    for event in batch.iter().flatten().filter(|e| relevant(e.kind)) {
        for path in &event.paths {
            if appeared(event.kind) && path.is_dir() {
                if let Err(error) = folders.adopt(path) {
                    watch_warning(&error);
                }
                changes.extend(files_below(path).iter().filter_map(|f| classify(f, paths)));
            }
            changes.extend(classify(path, paths));
        }
    }
    changes.into_iter().collect()
}

/// Creations, content or name changes and removals. Reads (`Access`) are not changes: on
/// Linux merely opening a watched file reports one, and the build reads every file.
fn relevant(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any | ModifyKind::Name(_))
            | EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime))
    )
}

/// Whether an event can mean that something new exists at its path.
fn appeared(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Modify(ModifyKind::Name(
                RenameMode::To | RenameMode::Both | RenameMode::Any
            ))
    )
}

/// Every file below `folder`, editor leftovers and hidden folders left out.
fn files_below(folder: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(folder)
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !is_ignored_name(&entry.file_name().to_string_lossy())
        })
        .filter_map(std::result::Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect()
}

fn describe(changes: &[Change]) -> String {
    let mut shown: Vec<String> = changes.iter().take(3).map(Change::describe).collect();
    if changes.len() > 3 {
        shown.push(format!("and {} more", changes.len() - 3));
    }
    shown.join(", ")
}
