//! `galley serve`: the site built into memory, served on 127.0.0.1, rebuilt on every save and
//! reloaded in the browser.
//!
//! 1. bind the port first (a taken port is reported before any work);
//! 2. build the site (a failure is shown in the browser, the server stays up);
//! 3. watch the sources on a thread that rebuilds incrementally and publishes snapshots;
//! 4. serve snapshots over HTTP, with a live-reload WebSocket.

mod debounce;
mod http;
mod request;
mod state;
mod watch;

use std::net::{IpAddr, SocketAddr};

use self::state::{DiagnosticView, Shared, Snapshot};
use crate::diagnostics::{Diagnostic, Error, Result, stderr_color};
use crate::site::{Site, SiteOptions};
use watch::Terminal;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    /// 0 picks a free port (printed on start).
    pub port: u16,
    pub open: bool,
    /// Use a polling watcher (network and container file systems).
    pub poll: bool,
    pub quiet: bool,
    /// Print each rebuild's phases.
    pub timings: bool,
}

pub fn run(site_options: SiteOptions, options: ServeOptions) -> Result<()> {
    let listener = std::net::TcpListener::bind(SocketAddr::new(options.bind, options.port))
        .map_err(|error| bind_error(&options, error))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("configure", std::path::Path::new("the listening socket"), e))?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::io("read", std::path::Path::new("the listening address"), e))?;
    let host = if options.bind.is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        address.ip().to_string()
    };
    let local = format!("http://{host}:{}/", address.port());
    let mut site_options = site_options;
    let base_url = site_options
        .base_url
        .get_or_insert_with(|| local.clone())
        .clone();
    let prefix = base_path(&base_url);

    let root =
        std::fs::canonicalize(&site_options.root).unwrap_or_else(|_| site_options.root.clone());
    let allowed_hosts = options.bind.is_loopback().then(|| {
        let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .map(String::from)
            .to_vec();
        hosts.push(host.clone());
        if let Some(custom) = base_url
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or("").to_owned())
        {
            hosts.push(custom);
        }
        hosts
    });
    let shared = Shared::new(prefix.clone(), root, allowed_hosts);
    let site = match Site::load(&site_options) {
        Ok(site) => {
            if !options.quiet {
                let counts = site.counts();
                eprintln!(
                    "Built {} pages, {} sections, {} taxonomy pages in memory",
                    counts.pages, counts.sections, counts.taxonomy_pages
                );
            }
            shared.publish(
                Snapshot {
                    output: site.output.clone(),
                    error: None,
                    version: 1,
                },
                state::Message::Reload { version: 1 },
            );
            Some(site)
        }
        Err(error) => {
            eprintln!("The site does not build yet; serving the error until it does:");
            for diagnostic in &error.diagnostics {
                eprintln!("{}", diagnostic.render(stderr_color()));
            }
            let views = error.diagnostics.iter().map(DiagnosticView::from).collect();
            shared.publish(
                Snapshot {
                    output: Default::default(),
                    error: Some(views),
                    version: 1,
                },
                state::Message::Reload { version: 1 },
            );
            None
        }
    };
    let _watch = watch::start(
        site,
        site_options,
        shared.clone(),
        options.poll,
        Terminal {
            quiet: options.quiet,
            timings: options.timings,
        },
    )?;

    let url = format!("http://{host}:{}{prefix}", address.port());
    if options.bind.is_unspecified() || !options.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} — anyone who can reach this machine on port {} can read the site and its drafts",
            options.bind,
            address.port()
        );
    }
    eprintln!("Serving at {url} (Ctrl+C to stop)");
    if options.open {
        open_browser(&url);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start", std::path::Path::new("the HTTP runtime"), e))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::io("listen on", std::path::Path::new(&url), e))?;
        axum::serve(listener, http::router(shared))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| Error::io("serve", std::path::Path::new(&url), e))
    })
}

fn bind_error(options: &ServeOptions, error: std::io::Error) -> Error {
    let address = SocketAddr::new(options.bind, options.port);
    match error.kind() {
        std::io::ErrorKind::AddrInUse => Error::usage(
            format!(
                "port {} is already in use on {}",
                options.port, options.bind
            ),
            format!(
                "stop the other server, or choose another port: --port {}",
                options.port.wrapping_add(1).max(1024)
            ),
        ),
        std::io::ErrorKind::AddrNotAvailable => Error::usage(
            format!("cannot listen on {address}: this machine has no such address"),
            "use --bind 127.0.0.1 (the default) or an address of this machine",
        ),
        _ => Diagnostic::error("serve/bind", format!("cannot listen on {address}: {error}"))
            .hint("try another --port")
            .into(),
    }
}

/// The path part of a base URL: `/` or `/docs/`.
fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or("", |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    format!("{}/", path.trim_end_matches('/'))
}

/// Opens the default browser; failing to is not an error worth stopping for.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not start a browser ({opener}); open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::base_path;

    #[test]
    fn base_paths() {
        assert_eq!(base_path("http://127.0.0.1:1111/"), "/");
        assert_eq!(base_path("https://example.org/docs"), "/docs/");
        assert_eq!(base_path("https://example.org/docs/"), "/docs/");
    }
}
