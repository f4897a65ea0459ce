//! One file per subcommand: glue between the command line and the library. Commands print
//! their own progress and summaries; errors travel up to `crate::run`.

pub mod test;

use crate::cli::{Cli, Command};
use crate::diagnostics::Result;

pub fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Build(_) => Err(crate::diagnostics::Error::usage("not yet", "")),
        Command::Test(args) => test::run(&cli, args),
    }
}
