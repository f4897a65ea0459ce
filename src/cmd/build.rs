//! `galley build`: build the site and write it atomically to the output folder.

use std::time::{Duration, Instant};

use crate::cli::{BuildArgs, Cli};
use crate::diagnostics::{Result, stderr_color};
use crate::output::minify::minify_output;
use crate::output::writer::{check_output_dir, recover, write_atomic};
use crate::site::{Mode, Site, SiteOptions, SnippetMode};

pub fn run(cli: &Cli, args: &BuildArgs) -> Result<()> {
    let started = Instant::now();
    let options = SiteOptions {
        root: cli.root.clone(),
        config_path: cli.config_path(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        mode: Mode::Build,
        snippets: if args.check {
            SnippetMode::Check { run: !args.no_run }
        } else {
            SnippetMode::Off
        },
        cache: !args.no_cache,
    };
    let output_dir = args
        .output
        .clone()
        .unwrap_or_else(|| cli.root.join("public"));
    recover(&output_dir);
    let spinner = spinner(cli.quiet);
    let loaded = Site::load(&options);
    spinner.finish_and_clear();
    let mut site = loaded?;
    check_output_dir(&output_dir, &site.paths.sources())?;
    if args.minify {
        let minify_started = Instant::now();
        minify_output(&mut site.output);
        site.timings
            .phases
            .push(("minify", minify_started.elapsed()));
    }
    let write_started = Instant::now();
    // The previous output, kept so an unchanged build rewrites nothing (see output::writer).
    let spare = options
        .cache
        .then(|| cli.root.join(".galley-cache").join("previous-output"));
    let stats = write_atomic(&site.output, &output_dir, spare.as_deref())?;
    site.timings.phases.push(("write", write_started.elapsed()));

    let color = stderr_color();
    for warning in &site.warnings {
        eprintln!("{}", warning.render(color));
    }
    if !cli.quiet {
        let counts = site.counts();
        let feeds = site
            .output
            .paths()
            .filter(|p| p.ends_with("rss.xml") || p.ends_with("atom.xml"))
            .count();
        eprintln!(
            "Built {} pages, {} sections, {} taxonomy pages, {} feeds: {} files, {} KiB in {} ms -> {}",
            counts.pages,
            counts.sections,
            counts.taxonomy_pages,
            feeds,
            stats.files,
            stats.bytes / 1024,
            started.elapsed().as_millis(),
            output_dir.display()
        );
    }
    if let Some(report) = site.snippet_report.as_ref().filter(|_| !cli.quiet) {
        let counts = report.counts();
        eprintln!(
            "Checked {} code blocks: {} passed ({} against no schema), {} skipped",
            counts.passed + counts.failed + counts.skipped,
            counts.passed,
            counts.syntax_only,
            counts.skipped
        );
    }
    if args.timings {
        let total: f64 = site
            .timings
            .phases
            .iter()
            .map(|(_, d)| d.as_secs_f64())
            .sum();
        for (phase, duration) in &site.timings.phases {
            let share = if total > 0.0 {
                duration.as_secs_f64() / total * 100.0
            } else {
                0.0
            };
            eprintln!(
                "  {phase:<10} {:>8.1} ms  {share:>5.1}%",
                duration.as_secs_f64() * 1000.0
            );
        }
    }
    Ok(())
}

/// A spinner on a terminal (indicatif draws nothing when stderr is not one, as in CI).
fn spinner(quiet: bool) -> indicatif::ProgressBar {
    if quiet || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner().with_message("building");
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}
