//! The command line: clap types, and their conversion into the option structs commands take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "galley",
    version,
    about = "A static site generator whose code examples are tested"
)]
pub struct Cli {
    /// The site folder (holding site.toml and content/).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The configuration file [default: ROOT/site.toml].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print errors only.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder.
    Build(BuildArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Output folder [default: ROOT/public].
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Publish under another base URL than site.toml's (e.g. https://example.org/docs/).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include pages and sections marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Print the time spent in each phase.
    #[arg(long)]
    pub timings: bool,
}

impl Cli {
    /// The configuration file: `--config`, or `site.toml` in the root.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.root.join("site.toml"))
    }
}
