//! `galley serve`: glue from the command line to `crate::serve`.

use crate::cli::{Cli, ServeArgs};
use crate::diagnostics::Result;
use crate::serve::{ServeOptions, run as serve};
use crate::site::{Mode, SiteOptions, SnippetMode};

pub fn run(cli: &Cli, args: &ServeArgs) -> Result<()> {
    let site = SiteOptions {
        root: cli.root.clone(),
        config_path: cli.config_path(),
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
    };
    serve(site, options)
}
