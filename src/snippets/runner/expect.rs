//! Expected output: the lines a post shows after a command, compared with what it printed.
//! A line that is just `...` stands for any number of lines; `[..]` inside a line stands for
//! any text. Trailing whitespace and trailing blank lines are ignored.

/// `Err((line of the expected text, 1-based; message))` on the first mismatch.
pub fn compare(expected: &str, actual: &str) -> Result<(), (usize, String)> {
    let expected: Vec<&str> = trimmed_lines(expected);
    let actual: Vec<&str> = trimmed_lines(actual);
    if matches(&expected, &actual) {
        return Ok(());
    }
    // Point at the first expected line that no prefix alignment can satisfy.
    let mut a = 0;
    for (e, line) in expected.iter().enumerate() {
        if *line == "..." {
            return Err((e + 1, "the output after `...` does not match".to_owned()));
        }
        match actual.get(a) {
            Some(got) if line_matches(line, got) => a += 1,
            Some(got) => return Err((e + 1, format!("expected `{line}`, got `{got}`"))),
            None => return Err((e + 1, format!("expected `{line}`, but the output ended"))),
        }
    }
    Err((
        expected.len().max(1),
        format!(
            "unexpected extra output: `{}`",
            actual.get(a).unwrap_or(&"")
        ),
    ))
}

fn trimmed_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn matches(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((line, rest)) => {
            actual.first().is_some_and(|got| line_matches(line, got)) && matches(rest, &actual[1..])
        }
    }
}

/// One line, with `[..]` wildcards.
pub fn line_matches(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    if parts.is_empty() {
        return rest.is_empty();
    }
    for (i, part) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        if last {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::{compare, line_matches};

    #[test]
    fn wildcards_inside_lines() {
        assert!(line_matches("pod/web-[..] created", "pod/web-7d9f created"));
        assert!(line_matches("[..]", "anything"));
        assert!(!line_matches("a[..]c", "ab"));
        assert!(line_matches("exact", "exact"));
    }

    #[test]
    fn elided_lines() {
        assert!(compare("first\n...\nlast\n", "first\nx\ny\nlast\n").is_ok());
        assert!(compare("first\n...\n", "first\n").is_ok());
        assert!(compare("a\nb\n", "a\nb\n\n").is_ok());
        let (line, message) = compare("a\nb\n", "a\nc\n").unwrap_err();
        assert_eq!(line, 2);
        assert!(message.contains("expected `b`, got `c`"));
    }
}
