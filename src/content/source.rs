//! Source files: one Markdown file read from disk, its front matter parsed, its body kept for
//! rendering with the line number it starts at (so every later error can point into the file).

use std::path::PathBuf;

use super::LoadOptions;
use super::frontmatter::{self, PageMeta, SectionMeta};
use crate::diagnostics::{Diagnostic, Error, Location, Result};

#[derive(Debug, Clone)]
pub struct Source {
    /// Relative to `content/`, with `/`: `blog/x.md`.
    pub relative: String,
    pub absolute: PathBuf,
    /// As shown to the user: relative to the site root, `content/blog/x.md`.
    pub display: String,
    /// The Markdown after the front matter.
    pub body: String,
    /// Line number of the first line of `body` in the file.
    pub body_line: usize,
    /// Hash of the whole file, for caches.
    pub hash: blake3::Hash,
    /// Whether the body has `@/` links, whose URLs its rendering then depends on.
    pub links_out: bool,
}

impl Source {
    pub fn read_page(
        options: &LoadOptions,
        relative: &str,
        taxonomies: &[&str],
    ) -> Result<(Source, PageMeta)> {
        let (text, source) = Source::read(options, relative)?;
        let split = frontmatter::split(&text, &source.display)?;
        let meta = frontmatter::parse_page(&split, &source.display, taxonomies)?;
        Ok((source.with_body(&split), meta))
    }

    pub fn read_section(options: &LoadOptions, relative: &str) -> Result<(Source, SectionMeta)> {
        let (text, source) = Source::read(options, relative)?;
        let split = frontmatter::split(&text, &source.display)?;
        let meta = frontmatter::parse_section(&split, &source.display)?;
        Ok((source.with_body(&split), meta))
    }

    fn read(options: &LoadOptions, relative: &str) -> Result<(String, Source)> {
        let absolute = options.content_dir.join(relative);
        let display = display_path(options, &absolute);
        let bytes = std::fs::read(&absolute).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => Diagnostic::error(
                "io",
                format!("{display} disappeared while the site was being built"),
            )
            .hint("run the build again once the file is back or fully removed")
            .into(),
            _ => Error::io("read", &absolute, error),
        })?;
        let hash = blake3::hash(&bytes);
        let text = String::from_utf8(bytes).map_err(|error| {
            let valid = error.utf8_error().valid_up_to();
            let bytes = error.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let (line, column) = crate::diagnostics::line_col(&prefix, prefix.len());
            Diagnostic::error(
                "content/encoding",
                format!("{display} is not valid UTF-8 (byte {valid} of the file)"),
            )
            .at(Location::new(display.clone(), line, column))
            .hint("save the file as UTF-8; a binary file must not have a .md extension")
        })?;
        let source = Source {
            relative: relative.to_owned(),
            absolute,
            display,
            body: String::new(),
            body_line: 1,
            hash,
            links_out: false,
        };
        Ok((text, source))
    }

    fn with_body(mut self, split: &frontmatter::Split) -> Source {
        self.body = split.body.to_owned();
        self.body_line = split.body_line;
        self.links_out = self.body.contains("@/");
        self
    }
}

fn display_path(options: &LoadOptions, absolute: &std::path::Path) -> String {
    let shown = absolute.strip_prefix(options.root).unwrap_or(absolute);
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::Source;
    use crate::content::LoadOptions;
    use crate::content::walk::discover;

    /// The file is discovered, then removed before it is read: the deterministic form of a
    /// file deleted while the site is being built.
    #[test]
    fn a_page_deleted_after_discovery_is_a_clear_error() {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("content");
        std::fs::create_dir_all(content.join("blog")).unwrap();
        std::fs::write(content.join("blog/gone.md"), "+++\ntitle = \"x\"\n+++\n").unwrap();
        let found = discover(&content).unwrap();
        assert_eq!(found.pages, ["blog/gone.md"]);
        std::fs::remove_file(content.join("blog/gone.md")).unwrap();
        let options = LoadOptions {
            root: root.path(),
            content_dir: &content,
            drafts: false,
        };
        let error = Source::read_page(&options, &found.pages[0], &[]).unwrap_err();
        let message = &error.diagnostics[0].message;
        assert_eq!(
            message,
            "content/blog/gone.md disappeared while the site was being built"
        );
    }
}
