//! `galley test [PATHS...]`: check every code block, print the report, exit 1 on a failure.

use crate::cli::{Cli, ReportFormat, TestArgs};
use crate::config::Config;
use crate::content::{Library, LoadOptions};
use crate::diagnostics::{Error, Result, stderr_color};
use crate::snippets::{self, CheckOptions, Lang, report};

pub fn run(cli: &Cli, args: &TestArgs) -> Result<()> {
    let options = check_options(cli, args)?;
    let config_path = cli.config_path();
    let config = Config::load(&config_path, &config_path.display().to_string())?;
    let content_dir = cli.root.join("content");
    let library = Library::load(
        &config,
        &LoadOptions {
            root: &cli.root,
            content_dir: &content_dir,
            drafts: args.drafts,
        },
    )?;
    let report = snippets::check(&library, &config, &options)?;
    let text = match args.format {
        ReportFormat::Human => {
            let color = stderr_color() && std::io::IsTerminal::is_terminal(&std::io::stdout());
            report::human(&report, color, cli.quiet)
        }
        ReportFormat::Json => report::json(&report),
        ReportFormat::Junit => report::junit(&report),
        ReportFormat::Github => report::github(&report),
    };
    match (&args.output, args.format) {
        (Some(path), _) => {
            std::fs::write(path, &text).map_err(|e| Error::io("write", path, e))?;
            if args.format != ReportFormat::Human {
                println!("{}", report::summary_line(&report.counts()));
            }
        }
        (None, _) => print!("{text}"),
    }
    if report.has_failures() {
        // The report above is the explanation; nothing more to print.
        return Err(Error::many(Vec::new()));
    }
    Ok(())
}

/// Validates the command line into [`CheckOptions`]: unknown languages and missing paths are
/// usage errors (exit code 2).
fn check_options(cli: &Cli, args: &TestArgs) -> Result<CheckOptions> {
    let mut langs = Vec::new();
    for lang in args.lang.iter().flat_map(|l| l.split(',')) {
        let lang = lang.trim().to_lowercase();
        if matches!(Lang::from_fence(Some(&lang)), Lang::NotCode(_) | Lang::None) {
            return Err(Error::usage(
                format!("unknown language `{lang}` for --lang"),
                "use yaml, json, toml, bash, sh, console, go, python, rust, hcl, sql, promql, dockerfile or text",
            ));
        }
        langs.push(lang);
    }
    for path in &args.paths {
        let full = if path.is_absolute() {
            path.clone()
        } else {
            cli.root.join(path)
        };
        if !full.exists() {
            return Err(Error::usage(
                format!("no such file or folder: {}", path.display()),
                "paths are relative to the site root, e.g. content/blog/dns.md",
            ));
        }
    }
    Ok(CheckOptions {
        root: cli.root.clone(),
        paths: args.paths.clone(),
        sources: None,
        langs,
        use_cache: !args.no_cache,
        run: !args.no_run,
    })
}
