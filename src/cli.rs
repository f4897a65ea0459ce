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
    /// Check every code block of every page: syntax, Kubernetes and other schemas, `run`.
    Test(TestArgs),
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

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Only these files or folders (relative to the site root), e.g. content/blog/dns.md.
    pub paths: Vec<PathBuf>,
    /// Only blocks of these languages (repeatable or comma-separated; aliases such as yml work).
    #[arg(long, value_name = "LANG")]
    pub lang: Vec<String>,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout (for --format junit).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Check every block again instead of reusing results from .galley-cache/.
    #[arg(long)]
    pub no_cache: bool,
    /// Do not execute `run` blocks (their syntax is still checked).
    #[arg(long)]
    pub no_run: bool,
    /// Include pages and sections marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
}

/// Output formats of `galley test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
    Junit,
    Github,
}

impl Cli {
    /// The configuration file: `--config`, or `site.toml` in the root.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.root.join("site.toml"))
    }
}
