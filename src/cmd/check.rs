//! `galley check`: build in memory, check the rendered site, report in the chosen format.

use crate::check::{CheckOptions, check_site};
use crate::cli::{CheckArgs, Cli};
use crate::diagnostics::{Error, Result, stderr_color};
use crate::report::{Totals, render};
use crate::site::{Mode, Site, SiteOptions, SnippetMode};

pub fn run(cli: &Cli, args: &CheckArgs) -> Result<()> {
    let options = SiteOptions {
        root: cli.root.clone(),
        config_path: cli.config_path(),
        base_url: args.base_url.clone(),
        drafts: args.drafts,
        mode: Mode::Build,
        snippets: SnippetMode::Off,
        cache: true,
    };
    let site = Site::load(&options)?;
    let check = CheckOptions {
        external: args.external,
        cache_dir: Some(cli.root.join(".galley-cache")),
    };
    let mut findings = check_site(&site, &check);
    findings
        .diagnostics
        .splice(0..0, site.warnings.iter().cloned());
    if !args.no_snippets {
        let mut snippets = crate::snippets::CheckOptions::new(&cli.root);
        snippets.run = !args.no_run;
        let report = crate::snippets::check(&site.library, &site.config, &snippets)?;
        let counts = report.counts();
        findings.passed += counts.passed;
        findings.failed += counts.failed;
        findings.skipped += counts.skipped;
        findings.diagnostics.extend(report.errors());
        findings.diagnostics.extend(report.warnings);
        crate::diagnostics::sort_diagnostics(&mut findings.diagnostics);
    }
    let totals = Totals {
        passed: findings.passed,
        failed: findings.failed,
        skipped: findings.skipped,
    };
    let color = args.output.is_none() && stderr_color();
    let report = render(
        args.format,
        "galley check",
        &findings.diagnostics,
        totals,
        color,
    );
    match &args.output {
        Some(path) => std::fs::write(path, &report).map_err(|e| Error::io("write", path, e))?,
        None => print!("{report}"),
    }
    if totals.failed > 0 {
        Err(Error::reported())
    } else {
        Ok(())
    }
}
