//! galley: a static site generator for technical blogs whose code examples are tested.
//!
//! The pipeline (see ARCHITECTURE.md): `config` reads site.toml, `content` loads the
//! library, `markdown` renders it, `templates` lays it out, `output` writes it; `site` is the
//! one place that knows that order. `cmd` holds one file of glue per subcommand.

// Functions that fail with a `Diagnostic` carry a large error value; those paths run once per
// broken input file, where the size costs nothing and the direct type reads better.
#![allow(clippy::result_large_err)]

pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod links;
pub mod markdown;
pub mod output;
pub mod report;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod slug;
pub mod snippets;
pub mod templates;

use crate::diagnostics::{Error, sort_diagnostics, stderr_color};

/// Runs a parsed command line and returns the process exit code. The only place that prints
/// errors.
pub fn run(cli: cli::Cli) -> u8 {
    match cmd::run(cli) {
        Ok(()) => 0,
        Err(error) => {
            report(&error);
            error.exit_code()
        }
    }
}

fn report(error: &Error) {
    let color = stderr_color();
    let mut diagnostics = error.diagnostics.clone();
    sort_diagnostics(&mut diagnostics);
    for diagnostic in &diagnostics {
        eprintln!("{}", diagnostic.render(color));
    }
}
