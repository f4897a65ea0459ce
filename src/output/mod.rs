//! Output: the files a build produces, held in memory until one module writes them.
//!
//! Rendering produces [`OutputFile`]s; [`writer`] is the only code that writes under the
//! output folder, and does it atomically. `galley serve` keeps the same [`Output`] in memory
//! instead. Feeds, the sitemap and the search index are generated here from plain entries, not
//! from templates, so they are always well-formed.

pub mod feeds;
pub mod minify;
pub mod search;
pub mod sitemap;
pub mod writer;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostics::{Collector, Diagnostic, Result};

/// Where a file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    Bytes(Vec<u8>),
    /// A static file or bundle asset, copied from disk at write time.
    Copy(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, with `/`: `blog/x/index.html`.
    pub path: String,
    pub contents: Contents,
    /// What produced it (a source file or a generator), for collision messages.
    pub origin: String,
}

impl OutputFile {
    pub fn bytes(
        path: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
        origin: impl Into<String>,
    ) -> Self {
        OutputFile {
            path: path.into(),
            contents: Contents::Bytes(bytes.into()),
            origin: origin.into(),
        }
    }

    pub fn copy(path: impl Into<String>, source: PathBuf, origin: impl Into<String>) -> Self {
        OutputFile {
            path: path.into(),
            contents: Contents::Copy(source),
            origin: origin.into(),
        }
    }

    /// The bytes, reading copied files from disk.
    pub fn read(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        match &self.contents {
            Contents::Bytes(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Contents::Copy(source) => std::fs::read(source).map(std::borrow::Cow::Owned),
        }
    }
}

/// How an insert resolves a path that is already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precedence {
    /// Rendered pages, feeds...: a second file at the same path is an error.
    Unique,
    /// Static files: a later one (the site's) replaces an earlier one (the theme's).
    Override,
    /// Content assets and generated defaults: yield to anything already there.
    Fallback,
}

/// Every file of a build, sorted by path. Files are shared, so cloning an `Output` to patch it
/// during a rebuild costs a pointer per file.
#[derive(Debug, Default, Clone)]
pub struct Output {
    files: BTreeMap<String, Arc<OutputFile>>,
}

impl Output {
    pub fn insert(
        &mut self,
        file: impl Into<Arc<OutputFile>>,
        precedence: Precedence,
        errors: &mut Collector,
    ) {
        let file = file.into();
        match (self.files.get(&file.path), precedence) {
            (Some(existing), Precedence::Unique) => errors.push(
                Diagnostic::error(
                    "output/collision",
                    format!(
                        "{} and {} both produce /{}",
                        existing.origin, file.origin, file.path
                    ),
                )
                .hint("give one of them another `slug`, `path` or alias"),
            ),
            (Some(_), Precedence::Fallback) => {}
            _ => {
                self.files.insert(file.path.clone(), file);
            }
        }
    }

    pub fn get(&self, path: &str) -> Option<&Arc<OutputFile>> {
        self.files.get(path)
    }

    pub fn files(&self) -> impl Iterator<Item = &OutputFile> {
        self.files.values().map(Arc::as_ref)
    }

    /// The files as shared handles: merging layers shares them instead of copying their bytes.
    pub fn shared_files(&self) -> impl Iterator<Item = &Arc<OutputFile>> {
        self.files.values()
    }

    /// Replaces or adds a file without collision checks (an incremental rebuild re-rendering a
    /// file it produced before).
    pub fn replace(&mut self, file: OutputFile) {
        self.files.insert(file.path.clone(), Arc::new(file));
    }

    pub fn remove(&mut self, path: &str) -> Option<Arc<OutputFile>> {
        self.files.remove(path)
    }

    /// Keeps only the files `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &OutputFile) -> bool) {
        self.files.retain(|path, file| keep(path, file));
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

/// Collects output files, reporting collisions as diagnostics.
#[derive(Default)]
pub struct OutputBuilder {
    pub output: Output,
    pub errors: Collector,
}

impl OutputBuilder {
    pub fn add(&mut self, file: impl Into<Arc<OutputFile>>) {
        self.add_with(file, Precedence::Unique);
    }

    pub fn add_with(&mut self, file: impl Into<Arc<OutputFile>>, precedence: Precedence) {
        let file = file.into();
        // A `slug`, `path` or alias with `..`, or a term with an empty slug, would otherwise
        // be written outside the output folder or over another file. Checked here, where every
        // layer is merged, because layers drop their own insert errors.
        if !is_plain_relative(&file.path) {
            self.errors.push(
                Diagnostic::error(
                    "output/path",
                    format!(
                        "{} would be written to `{}`: not a path inside the output folder",
                        file.origin, file.path
                    ),
                )
                .hint("a slug, path, alias or taxonomy term must not be empty or contain `..` or `.` segments"),
            );
            return;
        }
        self.output.insert(file, precedence, &mut self.errors);
    }

    pub fn finish(self) -> Result<Output> {
        self.errors.finish()?;
        Ok(self.output)
    }
}

/// Whether `path` names a file strictly inside the output folder: relative, every segment
/// non-empty and neither `.` nor `..`.
fn is_plain_relative(path: &str) -> bool {
    path.split('/')
        .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// The file a site path is written to: `/blog/x/` -> `blog/x/index.html`, `/feed.xml` ->
/// `feed.xml`.
pub fn file_for_path(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else if trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{Output, OutputBuilder, OutputFile, Precedence, file_for_path};
    use crate::diagnostics::Collector;

    #[test]
    fn paths_that_leave_the_output_folder_are_refused() {
        let mut builder = OutputBuilder::default();
        for path in [
            "blog/../../x/index.html",
            "/etc/x",
            "tags//index.html",
            "./a",
            "a/",
        ] {
            builder.add(OutputFile::bytes(path, "x", "content/a.md"));
        }
        assert!(builder.output.is_empty());
        let error = builder.finish().unwrap_err();
        assert_eq!(error.diagnostics.len(), 5);
        assert!(error.diagnostics[0].message.contains("content/a.md"));
    }

    #[test]
    fn paths_map_to_index_files() {
        assert_eq!(file_for_path("/"), "index.html");
        assert_eq!(file_for_path("/blog/x/"), "blog/x/index.html");
        assert_eq!(file_for_path("/feed.xml"), "feed.xml");
    }

    #[test]
    fn collisions_are_errors_overrides_replace_fallbacks_yield() {
        let mut output = Output::default();
        let mut errors = Collector::default();
        output.insert(
            OutputFile::bytes("a", "theme", "theme"),
            Precedence::Override,
            &mut errors,
        );
        output.insert(
            OutputFile::bytes("a", "site", "site"),
            Precedence::Override,
            &mut errors,
        );
        output.insert(
            OutputFile::bytes("a", "asset", "asset"),
            Precedence::Fallback,
            &mut errors,
        );
        assert_eq!(output.get("a").unwrap().origin, "site");
        output.insert(
            OutputFile::bytes("b", "1", "content/x.md"),
            Precedence::Unique,
            &mut errors,
        );
        output.insert(
            OutputFile::bytes("b", "2", "content/y.md"),
            Precedence::Unique,
            &mut errors,
        );
        let error = errors.finish().unwrap_err();
        assert!(
            error.diagnostics[0]
                .message
                .contains("content/x.md and content/y.md both produce /b")
        );
    }
}
