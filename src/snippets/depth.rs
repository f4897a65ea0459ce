//! How deeply a block nests, measured by a cheap scan before any parser sees it.
//!
//! The parsers galley uses (saphyr, syn, hcl-edit, sqlparser, brush) and its own YAML -> JSON
//! conversion recurse once per level of nesting: 5,000 nested `[` overflow the thread's stack,
//! and a stack overflow aborts the whole process (unlike a panic, it cannot be caught), so one
//! hostile or broken block would take `galley test` and `galley serve` down with it. No real
//! example nests anywhere near [`MAX_DEPTH`] levels, so a deeper block is reported, not parsed.

use super::{Finding, Outcome};

/// Deeper than this, a block is not parsed.
pub const MAX_DEPTH: usize = 256;

/// What counts as a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// `(`, `[` and `{`.
    Brackets,
    /// Brackets, plus YAML's block structure: each deeper indentation and each `- ` that opens
    /// a sequence item on the same line.
    Yaml,
}

/// The 1-based line and column (in characters) where the nesting first goes deeper than
/// [`MAX_DEPTH`], if it does. Brackets inside strings and comments count too: the scan is an
/// upper bound, which is all a guard needs.
pub fn too_deep(code: &str, nesting: Nesting) -> Option<(usize, usize)> {
    let mut brackets = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut block = 0;
        if nesting == Nesting::Yaml && !line.trim().is_empty() {
            let indent = line.len() - line.trim_start_matches(' ').len();
            while indents.last().is_some_and(|&top| top >= indent) {
                indents.pop();
            }
            indents.push(indent);
            let mut rest = line.trim_start_matches(' ');
            let mut dashes = 0;
            while let Some(after) = rest.strip_prefix("- ") {
                dashes += 1;
                rest = after.trim_start_matches(' ');
            }
            block = indents.len() + dashes;
            if block > MAX_DEPTH {
                return Some((n + 1, indent + 1));
            }
        }
        for (column, c) in line.chars().enumerate() {
            match c {
                '(' | '[' | '{' => {
                    brackets += 1;
                    if brackets + block > MAX_DEPTH {
                        return Some((n + 1, column + 1));
                    }
                }
                ')' | ']' | '}' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// A failed outcome for a block nested deeper than [`MAX_DEPTH`], or `None` to go on checking.
pub fn refuse(code: &str, nesting: Nesting) -> Option<Outcome> {
    let finding = finding(code, nesting)?;
    Some(Outcome::failed(
        "not checked: nested too deeply",
        vec![finding],
    ))
}

/// The finding of [`refuse`], for checkers that report findings rather than outcomes.
pub fn finding(code: &str, nesting: Nesting) -> Option<Finding> {
    let (line, column) = too_deep(code, nesting)?;
    Some(
        Finding::error(
            "snippet/too-deep",
            format!("nesting deeper than {MAX_DEPTH} levels; not checked"),
            line,
            column,
        )
        .hint(
            "galley does not parse blocks nested this deeply (no real example does); \
             mark the block test=skip if it is meant to be",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, Nesting, too_deep};

    #[test]
    fn brackets_deeper_than_the_limit_are_found_where_they_cross_it() {
        let code = format!("x\n  {}", "[".repeat(5_000));
        assert_eq!(too_deep(&code, Nesting::Brackets), Some((2, MAX_DEPTH + 3)));
        let closed = "{}".repeat(5_000);
        assert_eq!(too_deep(&closed, Nesting::Brackets), None);
        let at_the_limit = "(".repeat(MAX_DEPTH);
        assert_eq!(too_deep(&at_the_limit, Nesting::Brackets), None);
    }

    #[test]
    fn yaml_indentation_and_sequence_dashes_are_levels() {
        let indented: String = (0..400)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert_eq!(
            too_deep(&indented, Nesting::Yaml),
            Some((MAX_DEPTH + 1, MAX_DEPTH + 1))
        );
        assert_eq!(too_deep(&indented, Nesting::Brackets), None);
        let dashes = format!("{}x\n", "- ".repeat(400));
        assert!(too_deep(&dashes, Nesting::Yaml).is_some());
        let flat = "a:\n  b: [1, {c: 2}]\nd:\n  - e\n  - f\n".repeat(1_000);
        assert_eq!(too_deep(&flat, Nesting::Yaml), None);
    }
}
