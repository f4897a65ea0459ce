//! Languages checked by a parser crate, in process: Rust (syn), HCL/Terraform (hcl-edit), SQL
//! (sqlparser: PostgreSQL, then MySQL, then generic), PromQL (promql-parser) and Dockerfiles
//! (a small instruction-level parser of our own: the grammar is line-based).

use super::depth::{self, Nesting};
use super::{Finding, Outcome};

pub fn check_rust(code: &str) -> Outcome {
    if let Some(outcome) = depth::refuse(code, Nesting::Brackets) {
        return outcome;
    }
    let Err(file_error) = syn::parse_file(code) else {
        return Outcome::passed("syntax: rust");
    };
    // Most posts show statements, not whole files: try them as a function body.
    let wrapped = format!("fn __galley() {{\n{code}\n}}\n");
    let Err(body_error) = syn::parse_file(&wrapped) else {
        return Outcome::passed("syntax: rust (statements)");
    };
    let file_at = file_error.span().start();
    let body_at = body_error.span().start();
    // Report the reading that got further into the block.
    let (line, column, message) = if body_at.line.saturating_sub(1) > file_at.line {
        (body_at.line - 1, body_at.column + 1, body_error.to_string())
    } else {
        (file_at.line, file_at.column + 1, file_error.to_string())
    };
    let line = line.clamp(1, code.lines().count().max(1));
    Outcome::failed(
        "invalid Rust",
        vec![Finding::error(
            "rust/syntax",
            format!("invalid Rust: {message}"),
            line,
            column,
        )],
    )
}

pub fn check_hcl(code: &str) -> Outcome {
    if let Some(outcome) = depth::refuse(code, Nesting::Brackets) {
        return outcome;
    }
    match hcl_edit::parser::parse_body(code) {
        Ok(_) => Outcome::passed("syntax: hcl"),
        Err(error) => {
            let location = error.location();
            Outcome::failed(
                "invalid HCL",
                vec![Finding::error(
                    "hcl/syntax",
                    format!("invalid HCL: {}", error.message()),
                    location.line(),
                    location.column(),
                )],
            )
        }
    }
}

pub fn check_sql(code: &str) -> Outcome {
    if let Some(outcome) = depth::refuse(code, Nesting::Brackets) {
        return outcome;
    }
    use sqlparser::dialect::{Dialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
    // psql meta-commands (`\d table`) are not SQL: blank them, keeping the line numbers.
    let sql: String = code
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('\\') {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let dialects: [(&str, &dyn Dialect); 3] = [
        ("postgresql", &PostgreSqlDialect {}),
        ("mysql", &MySqlDialect {}),
        ("generic", &GenericDialect {}),
    ];
    let mut first_error = None;
    for (name, dialect) in dialects {
        match sqlparser::parser::Parser::parse_sql(dialect, &sql) {
            Ok(_) => return Outcome::passed(format!("syntax: sql ({name})")),
            Err(error) => {
                first_error.get_or_insert(error.to_string());
            }
        }
    }
    let message = first_error.unwrap_or_default();
    let (line, column) = sql_position(&message);
    let message = message
        .split(" at Line: ")
        .next()
        .unwrap_or(&message)
        .trim_start_matches("sql parser error: ")
        .to_owned();
    Outcome::failed(
        "invalid SQL",
        vec![Finding::error(
            "sql/syntax",
            format!("invalid SQL (PostgreSQL): {message}"),
            line,
            column,
        )],
    )
}

fn sql_position(message: &str) -> (usize, usize) {
    let number_after = |label: &str| {
        message
            .split(label)
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
    };
    (
        number_after("Line: ").unwrap_or(1),
        number_after("Column: ").unwrap_or(1),
    )
}

/// One PromQL expression; `Err` is the parser's message.
pub fn parse_promql(expr: &str) -> Result<(), String> {
    if depth::too_deep(expr, Nesting::Brackets).is_some() {
        return Err(format!(
            "nesting deeper than {} levels; not checked",
            depth::MAX_DEPTH
        ));
    }
    promql_parser::parser::parse(expr).map(drop)
}

pub fn check_promql(code: &str) -> Outcome {
    if let Some(outcome) = depth::refuse(code, Nesting::Brackets) {
        return outcome;
    }
    // Comments are allowed around the expression.
    let expr: String = code
        .lines()
        .map(|l| {
            if l.trim_start().starts_with('#') {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let first = code
        .lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(1, |i| i + 1);
    match parse_promql(expr.trim()) {
        Ok(()) => Outcome::passed("syntax: promql"),
        Err(message) => Outcome::failed(
            "invalid PromQL",
            vec![
                Finding::error(
                    "promql/syntax",
                    format!("invalid PromQL: {}", message.lines().next().unwrap_or("")),
                    first,
                    1,
                )
                .hint("a promql block holds one expression"),
            ],
        ),
    }
}

const DOCKERFILE_INSTRUCTIONS: &[&str] = &[
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// Dockerfile: every logical line (after `\` continuations and here-documents) starts with an
/// instruction, the first one (after `ARG`s) is `FROM`, and instructions get arguments.
pub fn check_dockerfile(code: &str) -> Outcome {
    let mut findings = Vec::new();
    let mut continuing = false;
    let mut heredoc: Option<String> = None;
    let mut seen_from = false;
    for (i, line) in code.lines().enumerate() {
        let number = i + 1;
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let trimmed = line.trim();
        if continuing {
            continuing =
                trimmed.ends_with('\\') || (trimmed.is_empty() || trimmed.starts_with('#'));
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let word: String = trimmed.chars().take_while(|c| !c.is_whitespace()).collect();
        let upper = word.to_uppercase();
        let column = line.len() - line.trim_start().len() + 1;
        if !DOCKERFILE_INSTRUCTIONS.contains(&upper.as_str()) {
            let mut finding = Finding::error(
                "dockerfile/syntax",
                format!("unknown instruction `{word}`"),
                number,
                column,
            )
            .width(word.chars().count());
            if let Some(close) =
                crate::diagnostics::suggest(&upper, DOCKERFILE_INSTRUCTIONS.iter().copied())
            {
                finding = finding.hint(format!("did you mean `{close}`?"));
            } else {
                finding = finding.hint("a line continued with `\\` may be missing its backslash");
            }
            findings.push(finding);
            break;
        }
        let args = trimmed[word.len()..].trim();
        if args.is_empty() {
            findings.push(Finding::error(
                "dockerfile/syntax",
                format!("{upper} needs arguments"),
                number,
                column,
            ));
        }
        if upper == "FROM" {
            seen_from = true;
        } else if !seen_from && upper != "ARG" {
            findings.push(
                Finding::error(
                    "dockerfile/syntax",
                    format!("{upper} before the first FROM"),
                    number,
                    column,
                )
                .hint("a Dockerfile starts with FROM (only ARG may come before it)"),
            );
        }
        if let Some(at) = args.find("<<") {
            let word: String = args[at + 2..]
                .trim_start_matches('-')
                .trim_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !word.is_empty() {
                heredoc = Some(word);
            }
        }
        continuing = trimmed.ends_with('\\');
    }
    Outcome::from_findings("syntax: dockerfile", findings)
}

#[cfg(test)]
mod tests {
    use super::{check_dockerfile, check_hcl, check_promql, check_rust, check_sql};
    use crate::snippets::{Outcome, Verdict};

    #[test]
    fn deep_nesting_is_a_finding_not_a_stack_overflow() {
        type Checker = fn(&str) -> Outcome;
        let checkers: [(&str, Checker); 4] = [
            ("rust", check_rust),
            ("hcl", check_hcl),
            ("sql", check_sql),
            ("promql", check_promql),
        ];
        for (name, check) in checkers {
            for code in [
                format!("x = {}", "[".repeat(5_000)),
                format!("{}1{}", "(".repeat(5_000), ")".repeat(5_000)),
                format!("a = {}", "{".repeat(5_000)),
            ] {
                let outcome = check(&code);
                assert_eq!(outcome.verdict, Verdict::Failed, "{name}");
                assert_eq!(outcome.findings[0].code, "snippet/too-deep", "{name}");
                assert_eq!(outcome.findings[0].line, 1, "{name}");
            }
        }
        assert!(super::parse_promql(&"(".repeat(5_000)).is_err());
    }

    #[test]
    fn rust_files_and_statements() {
        assert_eq!(check_rust("fn main() {}\n").verdict, Verdict::Passed);
        assert_eq!(
            check_rust("let x = 1;\nprintln!(\"{x}\");\n").verdict,
            Verdict::Passed
        );
        let outcome = check_rust("fn main() {\n    let x = ;\n}\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(outcome.findings[0].line, 2);
    }

    #[test]
    fn hcl_and_sql_and_promql() {
        assert_eq!(
            check_hcl("resource \"a\" \"b\" {\n  x = 1\n}\n").verdict,
            Verdict::Passed
        );
        let outcome = check_hcl("resource \"a\" \"b\" {\n  x = \n}\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(
            check_sql("SELECT a FROM t WHERE b = 1;\n").verdict,
            Verdict::Passed
        );
        let outcome = check_sql("SELECT a\nFROM t\nWHERE;\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(outcome.findings[0].line, 3);
        assert_eq!(
            check_promql("sum(rate(http_requests_total[5m])) by (job)\n").verdict,
            Verdict::Passed
        );
        assert_eq!(
            check_promql("sum(rate(http_requests_total[5m]) by (job)\n").verdict,
            Verdict::Failed
        );
    }

    #[test]
    fn dockerfile_instructions() {
        let ok = "FROM alpine:3.20\nRUN apk add --no-cache \\\n    curl\nCOPY . /app\nCMD [\"/app/run\"]\n";
        assert_eq!(check_dockerfile(ok).verdict, Verdict::Passed);
        let outcome = check_dockerfile("FROM alpine\nRUN apk add \\\n    curl\n    jq\n");
        assert_eq!(outcome.verdict, Verdict::Failed);
        assert_eq!(outcome.findings[0].line, 4);
        let outcome = check_dockerfile("FROM alpine\nCOPPY . /app\n");
        assert!(outcome.findings[0].hint.as_ref().unwrap().contains("COPY"));
    }
}
