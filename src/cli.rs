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
    /// Serve the site with live reload while you write.
    Serve(ServeArgs),
    /// Check the rendered site: links, anchors, ids, feeds, front matter (and, with
    /// --external, links to other sites).
    Check(CheckArgs),
    /// Create a new site: configuration, two posts, the default theme, a GitHub Pages workflow.
    Init(InitArgs),
    /// Create a new post from an archetype.
    New(NewArgs),
    /// Check every code block of every page: syntax, Kubernetes and other schemas, `run`.
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder of the new site (created if missing; must not hold a site already).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The site's title [default: from the folder's name].
    #[arg(long)]
    pub title: Option<String>,
}

/// What `galley new` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    Post,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// What to create.
    #[arg(value_enum)]
    pub kind: NewKind,
    /// The title; the file name is its slug.
    pub title: String,
    /// The section (folder under content/) to create it in.
    #[arg(long, default_value = "blog")]
    pub section: String,
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// rustc-style diagnostics and a closing line.
    Human,
    /// One JSON document on stdout.
    Json,
    /// JUnit XML (to --output FILE, or stdout).
    Junit,
    /// GitHub Actions workflow commands, shown as annotations on the pull request.
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also fetch links to other sites (polite, cached in .galley-cache/).
    #[arg(long)]
    pub external: bool,
    /// Check under another base URL than site.toml's.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout (JUnit is usually wanted in a file).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not check code blocks (`galley test`'s checks).
    #[arg(long)]
    pub no_snippets: bool,
    /// Check code blocks without executing `run` blocks.
    #[arg(long)]
    pub no_run: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; 0.0.0.0 exposes the site (and its drafts) to your network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Include pages and sections marked `draft = true`.
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Use this base URL instead of the local address (links then point there).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Poll for changes instead of using file-system events (NFS, WSL, some containers).
    #[arg(long)]
    pub poll: bool,
    /// After each rebuild, print the time each phase took.
    #[arg(long)]
    pub timings: bool,
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
    /// Minify HTML and inline CSS (JavaScript and the text of <pre> are left alone).
    #[arg(long)]
    pub minify: bool,
    /// Check every code block first (as `galley test` does): a failing block fails the build,
    /// the others get a badge saying what they were checked against.
    #[arg(long)]
    pub check: bool,
    /// With --check: do not execute `run` blocks (their syntax is still checked).
    #[arg(long, requires = "check")]
    pub no_run: bool,
    /// Highlight every code block afresh, without reading or writing the highlight cache in
    /// .galley-cache/, and write the output without the previous build's copy kept there.
    #[arg(long)]
    pub no_cache: bool,
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

impl Cli {
    /// The configuration file: `--config`, or `site.toml` in the root.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.root.join("site.toml"))
    }
}
