//! Markdown -> HTML fragment, table of contents, summary, word count, and the list of internal
//! links and heading ids (for anchor checks). Never touches the disk.
//!
//! One pass over pulldown-cmark's events:
//! 1. headings are buffered to compute their id (slug, unique in the page, `{#custom}` wins),
//!    then emitted with an anchor link;
//! 2. fenced code blocks are buffered and replaced by highlighted HTML ([`code`]);
//! 3. `@/path.md#anchor` links are resolved to URLs through [`Links`];
//! 4. `<!-- more -->` and the first paragraph are marked, to cut the summary out of the HTML;
//! 5. raw HTML passes through, or is escaped when `[markdown] unsafe_html = false`.

pub mod code;
pub mod fence;
pub mod highlight;
pub mod lexers;
pub mod rebase;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use self::fence::FenceInfo;
use self::highlight::{Highlighter, escape};
use crate::config::MarkdownConfig;
use crate::diagnostics::{Diagnostic, LineIndex, Location};
use crate::slug::{UniqueIds, slugify};

// Markers end with a newline so pulldown-cmark's writer keeps its usual spacing around them.
const SUMMARY_MARK: &str = "<!--galley:summary-->\n";
const PARAGRAPH_START: &str = "<!--galley:p-->\n";
const PARAGRAPH_END: &str = "<!--galley:/p-->\n";

/// Resolves the target of an `@/` link (`blog/x.md`, without `@/` and anchor) to a URL.
pub trait Links: Sync {
    fn resolve(&self, target: &str) -> Option<String>;

    /// Why `target` does not resolve, when there is more to say than "no such page".
    fn why_missing(&self, _target: &str) -> Option<String> {
        None
    }
}

/// The settings shared by every page of a build.
pub struct MarkdownRenderer<'a> {
    pub config: &'a MarkdownConfig,
    pub highlighter: &'a Highlighter,
    pub line_numbers_default: bool,
}

/// One document to render.
pub struct Input<'a> {
    pub body: &'a str,
    /// The file, as shown in messages.
    pub file: &'a str,
    /// Line number of `body`'s first line in the file.
    pub first_line: usize,
    pub links: &'a dyn Links,
    /// How much plain text to keep for the search index.
    pub plain_text_limit: usize,
    /// HTML badges for code blocks, by block index (from `galley test`).
    pub badges: &'a [(usize, String)],
}

/// A heading, nested under the previous heading of a lower level.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<Heading>,
}

/// An `@/` link found in the document, for the anchor check once every page is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    pub target: String,
    pub anchor: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    /// The HTML before `<!-- more -->`, if the document has the marker.
    pub summary: Option<String>,
    pub first_paragraph: Option<String>,
    pub toc: Vec<Heading>,
    /// Every id a link may point at: headings and footnotes.
    pub ids: Vec<String>,
    pub word_count: usize,
    pub internal_links: Vec<InternalLink>,
    pub plain_text: String,
    pub code_blocks: usize,
    pub warnings: Vec<Diagnostic>,
}

/// A fenced code block as written, for `galley test`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub info: Result<FenceInfo, String>,
    pub code: String,
    /// Line (in the document) of the opening fence.
    pub fence_line: usize,
    /// Line of the first line of code: the fence line plus one.
    pub first_line: usize,
    /// Columns of indentation before the fence (a block inside a list item).
    pub indent: usize,
}

pub fn parser_options(config: &MarkdownConfig) -> Options {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM;
    if config.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// Every fenced code block of a document, with the line of its first code line
/// (`first_line` is the document's first line in its file).
pub fn code_blocks(body: &str, config: &MarkdownConfig, first_line: usize) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<CodeBlock> = None;
    let lines = LineIndex::new(body);
    for (event, range) in Parser::new_ext(body, parser_options(config)).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let (line, column) = lines.line_col(range.start);
                let fence_line = line + first_line - 1;
                current = Some(CodeBlock {
                    info: FenceInfo::parse(&info),
                    code: String::new(),
                    fence_line,
                    first_line: fence_line + 1,
                    indent: column - 1,
                });
            }
            Event::Text(text) => {
                if let Some(block) = current.as_mut() {
                    block.code.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

impl MarkdownRenderer<'_> {
    pub fn render(&self, input: &Input) -> Result<Rendered, Vec<Diagnostic>> {
        let mut pass = Pass::new(self, input);
        let mut events =
            Parser::new_ext(input.body, parser_options(self.config)).into_offset_iter();
        let mut output: Vec<Event> = Vec::new();
        while let Some((event, range)) = events.next() {
            match event {
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    // A heading's events skip this loop, so its links are resolved here: an
                    // `@/` link in a heading is checked like any other.
                    let inner =
                        collect_until(&mut events, |e| matches!(e, Event::End(TagEnd::Heading(_))))
                            .into_iter()
                            .map(|(event, range)| pass.resolve_link(event, range.start))
                            .collect();
                    output.push(pass.heading(level, id, &classes, &attrs, inner));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let text =
                        collect_until(&mut events, |e| matches!(e, Event::End(TagEnd::CodeBlock)))
                            .into_iter()
                            .map(|(event, _)| event)
                            .collect();
                    output.push(pass.code_block(kind, text, range.start));
                }
                Event::Start(Tag::Link { .. } | Tag::Image { .. }) => {
                    pass.depth += 1;
                    output.push(pass.resolve_link(event, range.start));
                }
                Event::Start(Tag::Paragraph) if pass.depth == 0 && !pass.seen_paragraph => {
                    pass.seen_paragraph = true;
                    pass.in_first_paragraph = true;
                    pass.depth += 1;
                    output.push(Event::Html(PARAGRAPH_START.into()));
                    output.push(Event::Start(Tag::Paragraph));
                }
                Event::End(TagEnd::Paragraph) if pass.depth == 1 && pass.in_first_paragraph => {
                    pass.end_block();
                    pass.in_first_paragraph = false;
                    pass.depth -= 1;
                    output.push(Event::End(TagEnd::Paragraph));
                    output.push(Event::Html(PARAGRAPH_END.into()));
                }
                // An HTML block's wrapper is not nesting: `<!-- more -->` inside one is top level.
                Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => output.push(event),
                // A line break separates words in the plain text (the search index), or
                // "storage and\nquery" would be indexed as "storage andquery".
                Event::SoftBreak | Event::HardBreak => {
                    pass.end_block();
                    output.push(event);
                }
                Event::Start(tag) => {
                    if let Tag::FootnoteDefinition(name) = &tag {
                        pass.ids.push(name.to_string());
                    }
                    pass.depth += 1;
                    output.push(Event::Start(tag));
                }
                Event::End(tag) => {
                    if !matches!(
                        tag,
                        TagEnd::Emphasis
                            | TagEnd::Strong
                            | TagEnd::Strikethrough
                            | TagEnd::Link
                            | TagEnd::Image
                    ) {
                        pass.end_block();
                    }
                    pass.depth = pass.depth.saturating_sub(1);
                    output.push(Event::End(tag));
                }
                Event::Html(html) | Event::InlineHtml(html) if is_more_marker(&html) => {
                    if pass.depth == 0 && !pass.seen_more {
                        pass.seen_more = true;
                        output.push(Event::Html(SUMMARY_MARK.into()));
                    }
                }
                Event::Html(html) if !self.config.unsafe_html => output.push(Event::Text(html)),
                Event::InlineHtml(html) if !self.config.unsafe_html => {
                    output.push(Event::Text(html))
                }
                Event::Text(text) => {
                    pass.text(&text);
                    output.push(Event::Text(text));
                }
                Event::Code(text) => {
                    pass.text(&text);
                    output.push(Event::Code(text));
                }
                other => output.push(other),
            }
        }
        pass.finish(output)
    }
}

/// The state of one document's pass.
struct Pass<'r, 'i> {
    renderer: &'r MarkdownRenderer<'r>,
    input: &'i Input<'i>,
    ids: Vec<String>,
    unique: UniqueIds,
    headings: Vec<(u8, String, String)>,
    internal_links: Vec<InternalLink>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    plain_text: String,
    word_count: usize,
    code_blocks: usize,
    depth: usize,
    seen_paragraph: bool,
    in_first_paragraph: bool,
    seen_more: bool,
    block_ended: bool,
    /// Built on the first location asked for (most documents need none).
    lines: std::cell::OnceCell<LineIndex<'i>>,
}

impl<'r, 'i> Pass<'r, 'i> {
    fn new(renderer: &'r MarkdownRenderer<'r>, input: &'i Input<'i>) -> Self {
        let mut unique = UniqueIds::default();
        // Custom ids are reserved first, so generated ids step around them. Only a body with
        // `{#` can have one: the others skip this second parse.
        if input.body.contains("{#") {
            for event in Parser::new_ext(input.body, parser_options(renderer.config)) {
                if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
                    unique.reserve(&id);
                }
            }
        }
        Pass {
            renderer,
            input,
            ids: Vec::new(),
            unique,
            headings: Vec::new(),
            internal_links: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            plain_text: String::new(),
            word_count: 0,
            code_blocks: 0,
            depth: 0,
            seen_paragraph: false,
            in_first_paragraph: false,
            seen_more: false,
            block_ended: false,
            lines: std::cell::OnceCell::new(),
        }
    }

    fn location(&self, offset: usize) -> Location {
        let lines = self.lines.get_or_init(|| LineIndex::new(self.input.body));
        let (line, column) = lines.line_col(offset);
        Location::new(self.input.file, line + self.input.first_line - 1, column)
    }

    fn text(&mut self, text: &str) {
        self.word_count += text.split_whitespace().count();
        if self.plain_text.len() < self.input.plain_text_limit {
            if self.block_ended && !self.plain_text.is_empty() {
                self.plain_text.push(' ');
            }
            self.block_ended = false;
            self.plain_text.push_str(text);
        }
    }

    /// Text of two blocks is separated by a space in the plain text; inline pieces are not.
    fn end_block(&mut self) {
        self.block_ended = true;
    }

    fn heading<'a>(
        &mut self,
        level: HeadingLevel,
        custom_id: Option<CowStr<'a>>,
        classes: &[CowStr<'a>],
        attrs: &[(CowStr<'a>, Option<CowStr<'a>>)],
        inner: Vec<Event<'a>>,
    ) -> Event<'a> {
        let mut title = String::new();
        for event in &inner {
            if let Event::Text(t) | Event::Code(t) = event {
                title.push_str(t);
            }
        }
        self.end_block();
        self.text(&title);
        self.end_block();
        let id = match custom_id {
            Some(id) => id.to_string(),
            None => self.unique.claim(&slugify(&title)),
        };
        let number = level as u8;
        self.ids.push(id.clone());
        self.headings.push((number, id.clone(), title.clone()));

        let mut html = format!("<h{number} id=\"{}\"", escape(&id));
        if !classes.is_empty() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            html.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
        }
        for (key, value) in attrs {
            html.push_str(&format!(
                " {}=\"{}\"",
                escape(key),
                escape(value.as_deref().unwrap_or(""))
            ));
        }
        html.push('>');
        // The heading's events bypass the main loop, so raw HTML is escaped here too.
        let unsafe_html = self.renderer.config.unsafe_html;
        let inner = inner.into_iter().map(|event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) if !unsafe_html => Event::Text(raw),
            other => other,
        });
        pulldown_cmark::html::push_html(&mut html, inner);
        if self.renderer.config.heading_anchors {
            html.push_str(&format!(
                "<a class=\"heading-anchor\" href=\"#{}\" aria-label=\"Link to this section: {}\">#</a>",
                escape(&id),
                escape(&title)
            ));
        }
        html.push_str(&format!("</h{number}>\n"));
        Event::Html(html.into())
    }

    fn code_block<'a>(
        &mut self,
        kind: CodeBlockKind<'a>,
        inner: Vec<Event<'a>>,
        offset: usize,
    ) -> Event<'a> {
        let mut code = String::new();
        for event in inner {
            if let Event::Text(text) = event {
                code.push_str(&text);
            }
        }
        self.word_count += code.split_whitespace().count();
        let info = match &kind {
            CodeBlockKind::Fenced(info) => FenceInfo::parse(info).unwrap_or_else(|message| {
                self.errors.push(
                    Diagnostic::error("markdown/info-string", message)
                        .at(self.location(offset))
                        .hint("quote values that contain commas: reason=\"a, b\""),
                );
                FenceInfo::default()
            }),
            CodeBlockKind::Indented => FenceInfo::default(),
        };
        let index = self.code_blocks;
        self.code_blocks += 1;
        let badge = self
            .input
            .badges
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, b)| b.as_str());
        let block = code::Block {
            info: &info,
            code: &code,
            line_numbers_default: self.renderer.line_numbers_default,
            badge,
        };
        let (html, unknown) = code::render(self.renderer.highlighter, &block);
        if unknown {
            let lang = info.lang.as_deref().unwrap_or_default();
            self.warnings.push(
                Diagnostic::warning(
                    "markdown/unknown-language",
                    format!("no syntax highlighting for language `{lang}`"),
                )
                .at(self.location(offset))
                .hint("the block is shown as plain text; check the language name after the ```"),
            );
        }
        Event::Html(html.into())
    }

    /// A link or image start with its `@/` destination resolved; any other event unchanged.
    fn resolve_link<'a>(&mut self, event: Event<'a>, offset: usize) -> Event<'a> {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: self.link(dest_url, offset),
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: self.link(dest_url, offset),
                title,
                id,
            }),
            other => other,
        }
    }

    /// Resolves `@/` links; any other destination is left as written.
    fn link<'a>(&mut self, dest: CowStr<'a>, offset: usize) -> CowStr<'a> {
        let Some(target) = dest.strip_prefix("@/") else {
            return dest;
        };
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor.to_owned())),
            None => (target, None),
        };
        match self.input.links.resolve(path) {
            Some(url) => {
                let location = self.location(offset);
                self.internal_links.push(InternalLink {
                    target: path.to_owned(),
                    anchor: anchor.clone(),
                    location,
                });
                match anchor {
                    Some(anchor) => format!("{url}#{anchor}").into(),
                    None => url.into(),
                }
            }
            None => {
                let diagnostic = match self.input.links.why_missing(path) {
                    Some(why) => Diagnostic::error("link/draft", format!("broken internal link: `{path}` {why}"))
                        .hint("publish it (remove `draft = true`), or build with --drafts"),
                    None => Diagnostic::error("link/missing-page", format!("broken internal link: no page `{path}`"))
                        .hint("`@/` links name a file under content/, like @/blog/post.md or @/blog/_index.md"),
                };
                self.errors.push(diagnostic.at(self.location(offset)));
                dest
            }
        }
    }

    fn finish(self, events: Vec<Event>) -> Result<Rendered, Vec<Diagnostic>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let mut html = String::with_capacity(self.input.body.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        let first_paragraph = html.find(PARAGRAPH_START).and_then(|start| {
            let from = start + PARAGRAPH_START.len();
            html[from..]
                .find(PARAGRAPH_END)
                .map(|end| html[from..from + end].trim().to_owned())
        });
        let html = html
            .replacen(PARAGRAPH_START, "", 1)
            .replacen(PARAGRAPH_END, "", 1);
        let (html, summary) = match html.find(SUMMARY_MARK) {
            Some(cut) => {
                let summary = html[..cut].trim_end().to_owned();
                (html.replacen(SUMMARY_MARK, "", 1), Some(summary))
            }
            None => (html, None),
        };
        Ok(Rendered {
            html,
            summary,
            first_paragraph,
            toc: nest(self.headings),
            ids: self.ids,
            word_count: self.word_count,
            internal_links: self.internal_links,
            plain_text: self.plain_text,
            code_blocks: self.code_blocks,
            warnings: self.warnings,
        })
    }
}

fn is_more_marker(html: &str) -> bool {
    // `<!--->` both starts with `<!--` and ends with `-->`: strip, never slice by length.
    html.trim()
        .strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inner| inner.trim() == "more")
}

/// Takes events up to and including the one `is_end` accepts, returning those before it with
/// their byte ranges (a link inside a heading needs its own position for its error).
fn collect_until<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    is_end: impl Fn(&Event) -> bool,
) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    let mut inner = Vec::new();
    for (event, range) in events.by_ref() {
        if is_end(&event) {
            break;
        }
        inner.push((event, range));
    }
    inner
}

/// Turns a flat list of headings into a tree: each heading holds the deeper ones that follow.
fn nest(flat: Vec<(u8, String, String)>) -> Vec<Heading> {
    let mut roots: Vec<Heading> = Vec::new();
    for (level, id, title) in flat {
        let heading = Heading {
            level,
            id,
            title,
            children: Vec::new(),
        };
        let mut siblings = &mut roots;
        while siblings.last().is_some_and(|last| last.level < level) {
            siblings = &mut siblings.last_mut().expect("checked above").children;
        }
        siblings.push(heading);
    }
    roots
}

#[cfg(test)]
mod tests;
