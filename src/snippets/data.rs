//! Data formats: JSON and TOML syntax, with line and column.

use super::{Finding, Outcome};
use crate::diagnostics::line_col;

pub fn check_json(code: &str) -> Outcome {
    match serde_json::from_str::<serde::de::IgnoredAny>(code) {
        Ok(_) => Outcome::passed("syntax: json"),
        Err(error) => {
            let message = error.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m)
                .to_owned();
            // serde_json counts columns in bytes; diagnostics count characters.
            let line = error.line().max(1);
            let column = super::char_column(code, line, error.column());
            Outcome::failed(
                "invalid JSON",
                vec![
                    Finding::error(
                        "json/syntax",
                        format!("invalid JSON: {message}"),
                        line,
                        column.max(1),
                    )
                    .hint("JSON allows no comments, trailing commas or `...` elisions"),
                ],
            )
        }
    }
}

pub fn check_toml(code: &str) -> Outcome {
    if let Some(outcome) = super::depth::refuse(code, super::depth::Nesting::Brackets) {
        return outcome;
    }
    match toml::from_str::<toml::Table>(code) {
        Ok(_) => Outcome::passed("syntax: toml"),
        Err(error) => {
            let (line, column) = line_col(code, error.span().map_or(0, |s| s.start));
            Outcome::failed(
                "invalid TOML",
                vec![Finding::error(
                    "toml/syntax",
                    format!("invalid TOML: {}", error.message().trim_end()),
                    line,
                    column,
                )],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{check_json, check_toml};
    use crate::snippets::Verdict;

    #[test]
    fn deep_nesting_fails_without_a_stack_overflow() {
        let toml = format!("a = {}", "[".repeat(5_000));
        assert_eq!(check_toml(&toml).findings[0].code, "snippet/too-deep");
        let json = "[".repeat(5_000);
        assert_eq!(check_json(&json).verdict, Verdict::Failed);
    }

    #[test]
    fn json_errors_have_positions() {
        assert_eq!(check_json("{\"a\": [1, 2]}\n").verdict, Verdict::Passed);
        let outcome = check_json("{\"é\": 1,}\n");
        assert_eq!(outcome.findings[0].column, 9);
        let outcome = check_json("{\n  \"a\": 1,\n}\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(outcome.findings[0].line, 3);
    }

    #[test]
    fn toml_errors_have_positions() {
        assert_eq!(
            check_toml("a = 1\n[b]\nc = \"x\"\n").verdict,
            Verdict::Passed
        );
        let outcome = check_toml("a = 1\nb = \n");
        assert_eq!(outcome.findings[0].line, 2);
        let outcome = check_toml("a = 1\na = 2\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
    }
}
