//! Renderings of a [`Report`]: for people (rustc-style diagnostics, the skipped blocks with
//! their reasons, the blocks without a schema, then the closing line
//! `N passed, N failed, N skipped`), and for CI: JSON, JUnit XML, GitHub workflow commands.

use std::fmt::Write;

use super::{Counts, Report, Verdict};

/// `N passed, N failed, N skipped`: the closing line CI systems read.
pub fn summary_line(counts: &Counts) -> String {
    format!(
        "{} passed, {} failed, {} skipped",
        counts.passed, counts.failed, counts.skipped
    )
}

/// The terminal report. `quiet` keeps only the failures and the closing line.
pub fn human(report: &Report, color: bool, quiet: bool) -> String {
    let mut out = String::new();
    for warning in &report.warnings {
        let _ = writeln!(out, "{}\n", warning.render(color));
    }
    for page in &report.pages {
        for block in &page.blocks {
            if block.verdict.is_failure() {
                for diagnostic in &block.diagnostics {
                    let _ = writeln!(out, "{}\n", diagnostic.render(color));
                }
            }
        }
    }
    let counts = report.counts();
    if !quiet {
        let mut skipped = String::new();
        let mut no_schema = String::new();
        for page in &report.pages {
            for block in &page.blocks {
                match &block.verdict {
                    Verdict::Skipped { reason } => {
                        let _ = writeln!(
                            skipped,
                            "  {}:{} ({}): {reason}",
                            page.file,
                            block.fence_line,
                            lang(&block.lang)
                        );
                    }
                    Verdict::SyntaxOnly { reason } => {
                        let _ = writeln!(no_schema, "  {}:{}: {reason}", page.file, block.line);
                    }
                    _ => {}
                }
            }
        }
        if !skipped.is_empty() {
            let _ = writeln!(out, "skipped:\n{skipped}");
        }
        if !no_schema.is_empty() {
            let _ = writeln!(
                out,
                "syntax checked only (no schema; add one with [snippets] schema_dirs or crds):\n{no_schema}"
            );
        }
        if counts.cached > 0 {
            let _ = writeln!(
                out,
                "{} of {} results from .galley-cache/",
                counts.cached,
                counts.passed + counts.failed + counts.skipped
            );
        }
    }
    out.push_str(&summary_line(&counts));
    out.push('\n');
    out
}

fn lang(lang: &str) -> &str {
    if lang.is_empty() { "no language" } else { lang }
}

/// The whole report as JSON: `{"pages": [...], "summary": {...}}`.
pub fn json(report: &Report) -> String {
    let value = serde_json::json!({
        "pages": report.pages,
        "warnings": report.warnings,
        "summary": report.counts(),
    });
    let mut text = serde_json::to_string_pretty(&value).expect("a report serializes");
    text.push('\n');
    text
}

/// JUnit XML: a test suite per file, a test case per block.
pub fn junit(report: &Report) -> String {
    let counts = report.counts();
    let total = counts.passed + counts.failed + counts.skipped;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"galley test\" tests=\"{total}\" failures=\"{}\" skipped=\"{}\">",
        counts.failed, counts.skipped
    );
    for page in &report.pages {
        let failures = page
            .blocks
            .iter()
            .filter(|b| b.verdict.is_failure())
            .count();
        let skipped = page
            .blocks
            .iter()
            .filter(|b| matches!(b.verdict, Verdict::Skipped { .. }))
            .count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
            xml(&page.file),
            page.blocks.len()
        );
        for block in &page.blocks {
            let name = format!(
                "{}:{} block {} ({})",
                page.file,
                block.line,
                block.index + 1,
                lang(&block.lang)
            );
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&page.file),
                xml(&name)
            );
            match &block.verdict {
                Verdict::Failed => {
                    let first = block.diagnostics.iter().find(|d| d.is_error());
                    let message = first.map_or(String::new(), |d| d.message.clone());
                    let body: Vec<String> =
                        block.diagnostics.iter().map(|d| d.to_string()).collect();
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        xml(&message),
                        xml(first.map_or("", |d| d.code.as_str())),
                        xml(&body.join("\n"))
                    );
                }
                Verdict::Skipped { reason } => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(reason)
                    );
                }
                Verdict::SyntaxOnly { reason } => {
                    let _ = writeln!(
                        out,
                        ">\n      <system-out>{}</system-out>\n    </testcase>",
                        xml(reason)
                    );
                }
                Verdict::Passed => out.push_str("/>\n"),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// GitHub Actions workflow commands: an `::error` per problem (shown on the pull request's
/// diff), a `::notice` per block without a schema, then the closing line.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for warning in &report.warnings {
        let _ = writeln!(out, "{}", warning.render_github());
    }
    for page in &report.pages {
        for block in &page.blocks {
            match &block.verdict {
                Verdict::Failed => {
                    for diagnostic in block.diagnostics.iter().filter(|d| d.is_error()) {
                        let _ = writeln!(out, "{}", diagnostic.render_github());
                    }
                }
                Verdict::SyntaxOnly { reason } => {
                    let diagnostic = crate::diagnostics::Diagnostic::new(
                        crate::diagnostics::Severity::Note,
                        "snippet/no-schema",
                        reason.clone(),
                    )
                    .at(crate::diagnostics::Location::new(
                        page.file.clone(),
                        block.line,
                        1,
                    ));
                    let _ = writeln!(out, "{}", diagnostic.render_github());
                }
                _ => {}
            }
        }
    }
    out.push_str(&summary_line(&report.counts()));
    out.push('\n');
    out
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
