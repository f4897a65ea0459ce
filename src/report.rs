//! Reports of checks (`galley check`, `galley test`) in the formats CI systems read: human
//! (rustc-style diagnostics and a closing line), JSON, JUnit XML and GitHub workflow commands.

use std::fmt::Write;

use serde::Serialize;

use crate::cli::ReportFormat;
use crate::diagnostics::{Diagnostic, Severity};

/// The counts every report ends with.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    /// `12 passed, 1 failed, 3 skipped`: the closing line of every format but JSON.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Renders `diagnostics` and `totals` for the suite `name` (`galley check`).
pub fn render(
    format: ReportFormat,
    name: &str,
    diagnostics: &[Diagnostic],
    totals: Totals,
    color: bool,
) -> String {
    match format {
        ReportFormat::Human => human(diagnostics, totals, color),
        ReportFormat::Github => {
            let mut out = String::new();
            for diagnostic in diagnostics {
                out.push_str(&diagnostic.render_github());
                out.push('\n');
            }
            out.push_str(&totals.line());
            out.push('\n');
            out
        }
        ReportFormat::Json => {
            let report =
                serde_json::json!({ "suite": name, "totals": totals, "diagnostics": diagnostics });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        }
        ReportFormat::Junit => junit(name, diagnostics, totals),
    }
}

fn human(diagnostics: &[Diagnostic], totals: Totals, color: bool) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        out.push_str(&diagnostic.render(color));
        out.push_str("\n\n");
    }
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    if warnings > 0 {
        let _ = write!(
            out,
            "{warnings} warning{}; ",
            if warnings == 1 { "" } else { "s" }
        );
    }
    out.push_str(&totals.line());
    out.push('\n');
    out
}

/// One test case per diagnostic (a failure for an error, a pass with output for a warning),
/// one case standing for every check that passed silently, and one skipped case standing for
/// the skipped checks. The suite's `tests`, `failures` and `skipped` count exactly the cases
/// listed, as JUnit readers recount them; the closing line, with the counts of checks, is the
/// suite's `system-out`.
fn junit(name: &str, diagnostics: &[Diagnostic], totals: Totals) -> String {
    let escape = crate::output::sitemap::escape_xml;
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let silent = totals.passed.saturating_sub(warnings);
    let cases = diagnostics.len() + usize::from(silent > 0) + usize::from(totals.skipped > 0);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuite name=\"{}\" tests=\"{cases}\" failures=\"{errors}\" errors=\"0\" skipped=\"{}\">",
        escape(name),
        usize::from(totals.skipped > 0),
    );
    for diagnostic in diagnostics {
        let location = diagnostic
            .location
            .as_ref()
            .map(|l| l.to_string())
            .unwrap_or_default();
        let _ = write!(
            xml,
            "  <testcase classname=\"{}\" name=\"{}\"",
            escape(&diagnostic.code),
            escape(&location)
        );
        let text = escape(&diagnostic.render(false));
        if diagnostic.is_error() {
            let _ = writeln!(
                xml,
                ">\n    <failure message=\"{}\">{text}</failure>\n  </testcase>",
                escape(&diagnostic.message)
            );
        } else {
            let _ = writeln!(xml, ">\n    <system-out>{text}</system-out>\n  </testcase>");
        }
    }
    if silent > 0 {
        let _ = writeln!(
            xml,
            "  <testcase classname=\"galley\" name=\"{silent} other checks passed\"/>"
        );
    }
    if totals.skipped > 0 {
        let _ = writeln!(
            xml,
            "  <testcase classname=\"galley\" name=\"{0} checks skipped\">\n    <skipped message=\"{0} checks skipped\"/>\n  </testcase>",
            totals.skipped
        );
    }
    let _ = writeln!(xml, "  <system-out>{}</system-out>", totals.line());
    xml.push_str("</testsuite>\n");
    xml
}

/// The counts a JUnit suite declares and the cases it lists: `(tests, failures, skipped)` of
/// the `<testsuite>` attributes, then of its `<testcase>`, `<failure>` and `<skipped>` elements.
#[cfg(test)]
fn junit_counts(xml: &str) -> ([usize; 3], [usize; 3]) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut declared, mut listed) = ([0; 3], [0; 3]);
    loop {
        match reader.read_event().expect("well-formed JUnit XML") {
            Event::Eof => return (declared, listed),
            Event::Start(tag) | Event::Empty(tag) => match tag.local_name().as_ref() {
                "testsuite" => {
                    for attribute in tag.attributes().flatten() {
                        let value = attribute.value.parse().unwrap_or(0);
                        match attribute.key.as_ref() {
                            "tests" => declared[0] = value,
                            "failures" => declared[1] = value,
                            "skipped" => declared[2] = value,
                            _ => {}
                        }
                    }
                }
                "testcase" => listed[0] += 1,
                "failure" => listed[1] += 1,
                "skipped" => listed[2] += 1,
                _ => {}
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Totals, render};
    use crate::cli::ReportFormat;
    use crate::diagnostics::{Diagnostic, Location};

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error("check/broken-link", "broken <link> & more").at(Location::new(
                "content/a.md",
                3,
                4,
            )),
        ]
    }

    #[test]
    fn every_format_ends_with_the_totals() {
        let totals = Totals {
            passed: 5,
            failed: 1,
            skipped: 2,
        };
        for format in [ReportFormat::Human, ReportFormat::Github] {
            assert!(
                render(format, "galley check", &sample(), totals, false)
                    .trim_end()
                    .ends_with("5 passed, 1 failed, 2 skipped")
            );
        }
        let json: serde_json::Value = serde_json::from_str(&render(
            ReportFormat::Json,
            "galley check",
            &sample(),
            totals,
            false,
        ))
        .unwrap();
        assert_eq!(json["totals"]["failed"], 1);
        assert_eq!(json["diagnostics"][0]["location"]["line"], 3);
    }

    #[test]
    fn junit_is_well_formed_and_counts_failures() {
        let xml = render(
            ReportFormat::Junit,
            "galley check",
            &sample(),
            Totals {
                passed: 5,
                failed: 1,
                skipped: 2,
            },
            false,
        );
        assert!(xml.contains("failures=\"1\""), "{xml}");
        assert!(xml.contains("broken &lt;link&gt; &amp; more"), "{xml}");
        assert!(xml.contains("5 passed, 1 failed, 2 skipped"), "{xml}");
    }

    #[test]
    fn junit_declares_the_cases_it_lists() {
        let mut diagnostics = sample();
        diagnostics.push(Diagnostic::error("check/broken-link", "another"));
        diagnostics.push(Diagnostic::new(
            crate::diagnostics::Severity::Warning,
            "lint/long-title",
            "long",
        ));
        for (passed, skipped) in [(5, 2), (1, 0), (0, 3), (0, 0)] {
            let totals = Totals {
                passed,
                failed: 2,
                skipped,
            };
            let xml = render(
                ReportFormat::Junit,
                "galley check",
                &diagnostics,
                totals,
                false,
            );
            let (declared, listed) = super::junit_counts(&xml);
            assert_eq!(declared, listed, "{xml}");
            assert_eq!(declared[1], 2, "{xml}");
        }
    }
}
