//! `Html`: the classed HTML of one code block, built line by line from positions in the source.
//!
//! Lexers never copy text themselves: they say "the source up to byte `end` of this line is a
//! token of class C" (or plain text inside whatever spans are open), and `Html` copies that slice,
//! escaped. Positions only move forward and the rest of a line is flushed when it ends, so every
//! byte of the block reaches the output exactly once and in order, whatever a lexer gets wrong.
//!
//! Spans still open when a line ends (a string or comment that goes on) are closed there and
//! reopened at the start of the next line, so each line is self-contained HTML.

/// The classed HTML lines of one block.
pub struct Html<'a> {
    /// Classes of the span around every line (`hl-source hl-yaml`), as syntect emits it: some
    /// themes colour a token only inside its language (`.hl-source.hl-yaml .hl-entity`).
    root: &'static str,
    lines: Vec<String>,
    line: &'a str,
    pos: usize,
    out: String,
    /// Classes of the spans open inside `root`, outermost first.
    stack: Vec<&'static str>,
}

impl<'a> Html<'a> {
    pub fn new(root: &'static str, code: &str) -> Html<'a> {
        Html {
            root,
            lines: Vec::with_capacity(code.len() / 32 + 1),
            line: "",
            pos: 0,
            out: String::new(),
            stack: Vec::new(),
        }
    }

    /// Starts a line (without its `\n`), reopening the spans the previous one left open.
    pub fn start(&mut self, line: &'a str) {
        self.line = line;
        self.pos = 0;
        // Markup is several times the text; the previous line's length is the best guess of
        // this one's, and growing a string by doubling costs more than a generous start.
        let previous = self.lines.last().map_or(0, String::len);
        self.out = String::with_capacity((line.len() * 6).max(previous) + 64);
        push_open(&mut self.out, self.root);
        for class in &self.stack {
            push_open(&mut self.out, class);
        }
    }

    /// Ends the line: the rest of it is plain text inside the open spans, which stay open for the
    /// next line (a lexer closes what does not go on with [`Html::close_to`]).
    pub fn finish(&mut self) {
        self.text(self.line.len());
        for _ in 0..=self.stack.len() {
            self.out.push_str("</span>");
        }
        self.lines.push(std::mem::take(&mut self.out));
    }

    pub fn into_lines(self) -> Vec<String> {
        self.lines
    }

    /// The source up to `end` as text of the open spans.
    pub fn text(&mut self, end: usize) {
        let end = self.clamp(end);
        escape_into(&mut self.out, &self.line[self.pos..end]);
        self.pos = end;
    }

    /// The source up to `end` as one span of `class`; nothing if that is empty.
    pub fn token(&mut self, end: usize, class: &'static str) {
        let end = self.clamp(end);
        if end > self.pos {
            push_open(&mut self.out, class);
            escape_into(&mut self.out, &self.line[self.pos..end]);
            self.out.push_str("</span>");
            self.pos = end;
        }
    }

    /// Opens a span that later text and tokens go into, until [`Html::close`].
    pub fn open(&mut self, class: &'static str) {
        push_open(&mut self.out, class);
        self.stack.push(class);
    }

    /// Closes the innermost open span, if any.
    pub fn close(&mut self) {
        if self.stack.pop().is_some() {
            self.out.push_str("</span>");
        }
    }

    /// How many spans are open (to close back to a known depth).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    pub fn close_to(&mut self, depth: usize) {
        while self.stack.len() > depth {
            self.close();
        }
    }

    /// `end` kept within the line, never behind the current position, and on a char boundary
    /// (lexers work on bytes; a position inside a UTF-8 sequence moves to its end).
    fn clamp(&self, end: usize) -> usize {
        let mut end = end.clamp(self.pos, self.line.len());
        while !self.line.is_char_boundary(end) {
            end += 1;
        }
        end
    }
}

fn push_open(out: &mut String, class: &str) {
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
}

/// The same escaping as [`crate::markdown::highlight::escape`], a slice at a time.
pub fn escape_into(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}
