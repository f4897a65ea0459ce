//! Diagnostics: every problem galley reports to a user, and the one error type of the crate.
//!
//! A [`Diagnostic`] says what is wrong, where (file, line, column, and the text of that line so
//! the terminal can draw a caret), and how to fix it. An [`Error`] is one or more diagnostics plus
//! the exit code they map to. Rendering happens once, at the top (`crate::run`); nothing below
//! `cmd/` prints errors itself.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How serious a diagnostic is. Only errors fail a command.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A position in a source file, 1-based, columns counted in characters.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// Path as the user knows it: relative to the site root when the file is inside it.
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<String>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The location of byte `offset` in `text`, which starts at line `first_line` of `file`.
    pub fn in_text(file: impl Into<String>, text: &str, offset: usize, first_line: usize) -> Self {
        let (line, column) = line_col(text, offset);
        Location::new(file, line + first_line - 1, column)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One problem, with enough context to fix it without opening another tool.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, greppable kind such as `frontmatter/toml` or `link/missing-anchor`.
    pub code: String,
    pub message: String,
    pub location: Option<Location>,
    /// The text of the line at `location`, so renderers can show it with a caret.
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least one).
    pub width: usize,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: code.into(),
            message: message.into(),
            location: None,
            source_line: None,
            width: 1,
            hint: None,
        }
    }

    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, message)
    }

    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, message)
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Attaches a location and the line of `text` it points into (for the caret display).
    /// `text` is the whole file, or a part of it starting at `first_line`.
    pub fn at_offset(self, file: &str, text: &str, offset: usize, first_line: usize) -> Self {
        let location = Location::in_text(file, text, offset, first_line);
        let line_text = nth_line(text, location.line + 1 - first_line).map(str::to_owned);
        let mut diagnostic = self.at(location);
        diagnostic.source_line = line_text;
        diagnostic
    }

    pub fn with_source_line(mut self, line: impl Into<String>) -> Self {
        self.source_line = Some(line.into());
        self
    }

    pub fn with_width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic the way rustc does: header, `--> file:line:col`, the source line
    /// with a caret, then the hint.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let mut title = level.clone().primary_title(self.message.as_str());
        if !self.code.is_empty() {
            title = title.id(self.code.as_str());
        }
        let mut group = Group::with_title(title);
        if let Some(location) = &self.location {
            match &self.source_line {
                Some(line) => {
                    let start = char_to_byte(line, location.column - 1);
                    let end = char_to_byte(line, location.column - 1 + self.width).max(start);
                    group = group.element(
                        Snippet::source(line.as_str())
                            .line_start(location.line)
                            .path(location.file.as_str())
                            .annotation(AnnotationKind::Primary.span(start..end)),
                    );
                }
                None => {
                    group = group.element(
                        annotate_snippets::Origin::path(location.file.as_str())
                            .line(location.line)
                            .char_column(location.column),
                    );
                }
            }
        }
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }

    /// One GitHub Actions workflow command, so the problem shows on the pull request's diff.
    pub fn render_github(&self) -> String {
        let command = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = Vec::new();
        if let Some(location) = &self.location {
            properties.push(format!("file={}", escape_github_property(&location.file)));
            properties.push(format!("line={}", location.line));
            properties.push(format!("col={}", location.column));
        }
        if !self.code.is_empty() {
            properties.push(format!("title={}", escape_github_property(&self.code)));
        }
        let mut message = self.message.clone();
        if let Some(hint) = &self.hint {
            message.push_str("\nhelp: ");
            message.push_str(hint);
        }
        format!(
            "::{command} {}::{}",
            properties.join(","),
            escape_github_data(&message)
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Which exit code an error maps to (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad content, configuration, template, or a failed check: exit code 1.
    Failure,
    /// The command line itself is wrong (bad flag, not a site folder): exit code 2.
    Usage,
}

/// The crate's error: one or more diagnostics, and the exit code they lead to.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub diagnostics: Vec<Diagnostic>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Usage,
            diagnostics: vec![Diagnostic::error("usage", message).hint(hint)],
        }
    }

    pub fn many(diagnostics: Vec<Diagnostic>) -> Self {
        Error {
            kind: ErrorKind::Failure,
            diagnostics,
        }
    }

    /// A failure the command has already reported (a check's findings): exit code 1, nothing
    /// more to print.
    pub fn reported() -> Self {
        Error {
            kind: ErrorKind::Failure,
            diagnostics: Vec::new(),
        }
    }

    /// A failed file-system operation on `path`, which the user can act on.
    pub fn io(action: &str, path: &Path, error: std::io::Error) -> Self {
        Diagnostic::error("io", format!("cannot {action} {}: {error}", path.display())).into()
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Failure => 1,
            ErrorKind::Usage => 2,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::many(vec![diagnostic])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Collects diagnostics from many independent steps, so one build reports every broken page
/// instead of stopping at the first.
#[derive(Debug, Default)]
pub struct Collector {
    diagnostics: Vec<Diagnostic>,
}

impl Collector {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(diagnostics);
    }

    /// Keeps the value of an `Ok`, records the diagnostics of an `Err`.
    pub fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.diagnostics.extend(error.diagnostics);
                None
            }
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// `Err` when any error was collected; otherwise the warnings, for the caller to report.
    pub fn finish(mut self) -> Result<Vec<Diagnostic>> {
        sort_diagnostics(&mut self.diagnostics);
        if self.has_errors() {
            Err(Error::many(self.diagnostics))
        } else {
            Ok(self.diagnostics)
        }
    }
}

/// Orders diagnostics by file, line and column, so output never depends on thread scheduling.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.line, l.column))
                .unwrap_or_default()
        };
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
}

/// Whether stderr should be coloured: a terminal, and `NO_COLOR` unset (https://no-color.org).
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Line starts of a text, so many offsets can be turned into lines and columns without
/// rescanning the text from its start each time (which is quadratic on a long document with
/// many links or code blocks).
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of every line after the first.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        LineIndex { text, starts }
    }

    /// The same as [`line_col`], in logarithmic time plus the length of the line.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = if line == 0 { 0 } else { self.starts[line - 1] };
        let column = self.text[line_start..offset].chars().count() + 1;
        (line + 1, column)
    }
}

/// The `n`th line (1-based) of `text`, without its line ending.
pub fn nth_line(text: &str, n: usize) -> Option<&str> {
    text.split('\n')
        .nth(n.checked_sub(1)?)
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
}

/// The closest "did you mean" candidate, if one is close enough to be a plausible typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, candidate)| *distance <= (candidate.len().max(word.len()) / 3).max(1))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Edit distance over characters, counting a swap of two neighbours as one edit (optimal
/// string alignment): `setpu` is one typo away from `setup`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

fn escape_github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(text: &str) -> String {
    escape_github_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{Diagnostic, LineIndex, Location, edit_distance, line_col, nth_line, suggest};

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\nçé x";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 4));
    }

    #[test]
    fn line_index_agrees_with_line_col_everywhere() {
        let text = "ab\nçé x\n\n\r\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(index.line_col(offset), line_col(text, offset), "{offset}");
        }
    }

    #[test]
    fn nth_line_strips_carriage_returns() {
        assert_eq!(nth_line("a\r\nb\n", 1), Some("a"));
        assert_eq!(nth_line("a\r\nb\n", 2), Some("b"));
        assert_eq!(nth_line("a", 0), None);
    }

    #[test]
    fn suggestions_find_plausible_typos_only() {
        let keys = ["title", "description", "base_url"];
        assert_eq!(suggest("tittle", keys), Some("title"));
        assert_eq!(suggest("baseurl", keys), Some("base_url"));
        assert_eq!(suggest("zzz", keys), None);
        assert_eq!(edit_distance("replcas", "replicas"), 1);
        assert_eq!(edit_distance("setpu", "setup"), 1);
        assert_eq!(suggest("setpu", ["setup", "usage"]), Some("setup"));
    }

    #[test]
    fn human_rendering_points_at_the_column() {
        let diagnostic = Diagnostic::error("frontmatter/toml", "expected `=`")
            .at(Location::new("content/a.md", 3, 7))
            .with_source_line("title \"x\"")
            .hint("write `key = value`");
        let text = diagnostic.render(false);
        assert!(
            text.contains("error[frontmatter/toml]: expected `=`"),
            "{text}"
        );
        assert!(text.contains("content/a.md:3:7"), "{text}");
        assert!(text.contains("write `key = value`"), "{text}");
    }

    #[test]
    fn github_rendering_escapes_properties_and_newlines() {
        let diagnostic = Diagnostic::error("k8s/unknown-field", "bad\nthing").at(Location::new(
            "content/a,b.md",
            4,
            2,
        ));
        assert_eq!(
            diagnostic.render_github(),
            "::error file=content/a%2Cb.md,line=4,col=2,title=k8s/unknown-field::bad%0Athing"
        );
    }
}
