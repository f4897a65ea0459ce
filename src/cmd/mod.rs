//! One file per subcommand: glue between the command line and the library. Commands print
//! their own progress and summaries; errors travel up to `crate::run`.

mod build;
mod check;
mod init;
mod new;
mod serve;
mod test;

use crate::cli::{Cli, Command};
use crate::diagnostics::Result;

pub fn run(cli: Cli) -> Result<()> {
    match &cli.command {
        Command::Build(args) => build::run(&cli, args),
        Command::Serve(args) => serve::run(&cli, args),
        Command::Check(args) => check::run(&cli, args),
        Command::Init(args) => init::run(&cli, args),
        Command::New(args) => new::run(&cli, args),
        Command::Test(args) => test::run(&cli, args),
    }
}
