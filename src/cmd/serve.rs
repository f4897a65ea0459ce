//! `galley serve`: glue from the command line to `crate::serve`.

use std::path::PathBuf;

use crate::cli::{Cli, ServeArgs};
use crate::diagnostics::Result;
use crate::serve::{ServeOptions, run as serve};
use crate::site::{Mode, SiteOptions, SnippetMode};

pub fn run(cli: &Cli, args: &ServeArgs) -> Result<()> {
    // The watcher reports absolute paths (notify joins relative ones to the working folder),
    // so the site's own paths must be absolute too, or no event would match a source.
    let absolute = |path: PathBuf| std::path::absolute(&path).unwrap_or(path);
    let site = SiteOptions {
        root: absolute(cli.root.clone()),
        config_path: absolute(cli.config_path()),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        mode: Mode::Serve,
        // Schemas and syntax on every save; `run` blocks only in galley test and build --check.
        snippets: SnippetMode::Check { run: false },
        cache: true,
    };
    let options = ServeOptions {
        bind: args.bind,
        port: args.port,
        open: args.open,
        poll: args.poll,
        quiet: cli.quiet,
        timings: args.timings,
    };
    serve(site, options)
}
