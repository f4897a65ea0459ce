//! Watching and rebuilding: file events (debounced by a few tens of milliseconds, so an
//! editor's write-then-rename save is one change) become [`Change`]s, the site is rebuilt
//! incrementally, the new snapshot is published, then browsers are told.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{EventKind, MetadataKind, ModifyKind};
use notify_debouncer_full::notify::{PollWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, new_debouncer, new_debouncer_opt,
};

use super::state::{DiagnosticView, Message, Shared, Snapshot};
use crate::diagnostics::{Diagnostic, Error, Result, stderr_color};
use crate::site::{Change, Paths, Site, SiteOptions, classify};

/// How long the debouncer waits for an editor to finish saving.
const DEBOUNCE: Duration = Duration::from_millis(30);

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

/// Keeps the watcher alive; dropping it stops watching.
pub struct WatchGuard {
    _watcher: Box<dyn std::any::Any + Send>,
}

/// Starts watching the site's sources and a thread that rebuilds on every change.
pub fn start(
    site: Option<Site>,
    options: SiteOptions,
    shared: Arc<Shared>,
    poll: bool,
    terminal: Terminal,
) -> Result<WatchGuard> {
    let (sender, events) = channel::<DebounceEventResult>();
    let folders = watched_folders(&options);
    let watcher: Box<dyn std::any::Any + Send> = if poll {
        let config = notify_debouncer_full::notify::Config::default()
            .with_poll_interval(Duration::from_millis(200));
        let mut debouncer = new_debouncer_opt::<_, PollWatcher, _>(
            DEBOUNCE,
            None,
            sender,
            notify_debouncer_full::NoCache,
            config,
        )
        .map_err(watch_error)?;
        for (folder, mode) in &folders {
            debouncer.watch(folder, *mode).map_err(watch_error)?;
        }
        Box::new(debouncer)
    } else {
        let mut debouncer = new_debouncer(DEBOUNCE, None, sender).map_err(watch_error)?;
        for (folder, mode) in &folders {
            debouncer.watch(folder, *mode).map_err(watch_error)?;
        }
        Box::new(debouncer)
    };
    std::thread::Builder::new()
        .name("galley-rebuild".into())
        .spawn(move || rebuild_loop(site, options, shared, events, terminal))
        .map_err(|e| Error::io("start the rebuild thread for", Path::new("."), e))?;
    Ok(WatchGuard { _watcher: watcher })
}

/// The folders a site reads (those that exist), and the folder of site.toml (not recursively:
/// only the file itself matters there).
fn watched_folders(options: &SiteOptions) -> Vec<(PathBuf, RecursiveMode)> {
    let root = &options.root;
    let mut folders: Vec<(PathBuf, RecursiveMode)> = ["content", "templates", "static", "themes"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .map(|d| (d, RecursiveMode::Recursive))
        .collect();
    let config_dir = options
        .config_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(root);
    folders.push((config_dir.to_path_buf(), RecursiveMode::NonRecursive));
    folders
}

fn watch_error(error: notify_debouncer_full::notify::Error) -> Error {
    Diagnostic::error(
        "serve/watch",
        format!("cannot watch the site's files: {error}"),
    )
    .hint("on network or container file systems, try `galley serve --poll`")
    .into()
}

fn rebuild_loop(
    mut site: Option<Site>,
    options: SiteOptions,
    shared: Arc<Shared>,
    events: Receiver<DebounceEventResult>,
    terminal: Terminal,
) {
    let fallback_paths = Paths::guess(&options);
    while let Ok(batch) = events.recv() {
        // Several batches may be waiting (a `git checkout`): take them all as one change.
        let mut batches = vec![batch];
        batches.extend(events.try_iter());
        let started = Instant::now();
        let paths = site.as_ref().map_or(&fallback_paths, |s| &s.paths).clone();
        let changes = changes_in(&batches, &paths);
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

/// The distinct changes in a set of debounced event batches, in a stable order.
fn changes_in(batches: &[DebounceEventResult], paths: &Paths) -> Vec<Change> {
    let mut changes = BTreeSet::new();
    for batch in batches {
        let Ok(events) = batch else { continue };
        for event in events.iter().filter(|e| relevant(e)) {
            for path in &event.paths {
                if let Some(change) = classify(path, paths) {
                    changes.insert(change);
                }
            }
        }
    }
    changes.into_iter().collect()
}

/// Creations, content or name changes and removals. Reads (`Access`) are not changes: on
/// Linux merely opening a watched file reports one, and the build reads every file.
fn relevant(event: &DebouncedEvent) -> bool {
    matches!(
        event.kind,
        EventKind::Create(_)
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any | ModifyKind::Name(_))
            | EventKind::Modify(ModifyKind::Metadata(MetadataKind::WriteTime))
    )
}

fn describe(changes: &[Change]) -> String {
    let mut shown: Vec<String> = changes.iter().take(3).map(Change::describe).collect();
    if changes.len() > 3 {
        shown.push(format!("and {} more", changes.len() - 3));
    }
    shown.join(", ")
}
