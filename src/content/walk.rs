//! Discovery: which files under `content/` are sections, pages, bundle assets and plain assets.
//!
//! The walk is sorted by file name, so everything downstream sees the same order on every file
//! system. Hidden entries and editor leftovers (`.swp`, `~`, `#x#`) are ignored.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Error, Result};

/// What the walk found, every path relative to `content/` with `/` separators.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Folders holding an `_index.md`, as `blog/_index.md`.
    pub sections: Vec<String>,
    /// Markdown pages: `blog/x.md`, or `blog/x/index.md` for a bundle.
    pub pages: Vec<String>,
    /// Files inside a bundle folder, grouped by the bundle's `index.md`.
    pub bundle_assets: Vec<(String, Vec<String>)>,
    /// Other non-Markdown files, copied to the same relative path in the output.
    pub assets: Vec<String>,
}

/// Whether a file name looks like an editor's temporary or backup file.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name.contains("___jb_tmp___")
        || name.contains("___jb_old___")
}

pub fn discover(content_dir: &Path) -> Result<Discovered> {
    let mut found = Discovered::default();
    if !content_dir.is_dir() {
        return Ok(found);
    }
    let mut bundle_dirs: Vec<String> = Vec::new();
    let walker = WalkDir::new(content_dir)
        .sort_by_file_name()
        .follow_links(true)
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0 || !is_ignored_name(&entry.file_name().to_string_lossy())
        });
    for entry in walker {
        let entry = entry.map_err(|error| walk_error(content_dir, error))?;
        let relative = relative_path(content_dir, entry.path());
        if entry.file_type().is_dir() {
            // A folder with `index.md` and no `_index.md` is a page bundle. Known before its
            // files are visited, because `cover.svg` sorts before `index.md`.
            let dir = entry.path();
            if entry.depth() > 0
                && dir.join("index.md").is_file()
                && !dir.join("_index.md").exists()
            {
                bundle_dirs.push(format!("{relative}/"));
            }
            continue;
        }
        // Reading a FIFO blocks until something writes to it, and a socket or device is no
        // page or asset: refuse them instead of hanging the build.
        if !entry.file_type().is_file() {
            return Err(Diagnostic::error(
                "content/not-a-file",
                format!("content/{relative} is not a regular file"),
            )
            .hint("content/ may hold only files and folders: remove the FIFO, socket or device")
            .into());
        }
        if let Some(bundle) = bundle_dirs
            .iter()
            .rev()
            .find(|dir| relative.starts_with(dir.as_str()))
        {
            let asset = &relative[bundle.len()..];
            let index = format!("{bundle}index.md");
            if asset == "index.md" {
                found.pages.push(relative);
            } else {
                match found
                    .bundle_assets
                    .iter_mut()
                    .find(|(page, _)| *page == index)
                {
                    Some((_, assets)) => assets.push(asset.to_owned()),
                    None => found.bundle_assets.push((index, vec![asset.to_owned()])),
                }
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if name == "_index.md" {
            found.sections.push(relative);
        } else if name.ends_with(".md") {
            found.pages.push(relative);
        } else {
            found.assets.push(relative);
        }
    }
    Ok(found)
}

fn relative_path(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A walk failure as a user-facing error (a symlink loop gets its own message).
pub fn walk_error(content_dir: &Path, error: walkdir::Error) -> Error {
    let path: PathBuf = error
        .path()
        .map_or_else(|| content_dir.to_path_buf(), Path::to_path_buf);
    if error.loop_ancestor().is_some() {
        return Diagnostic::error(
            "content/symlink-loop",
            format!("symbolic link loop at {}", path.display()),
        )
        .hint("remove the link that points back to one of its parent folders")
        .into();
    }
    match error.into_io_error() {
        Some(io) => Error::io("read", &path, io),
        None => Diagnostic::error("io", format!("cannot walk {}", path.display())).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{discover, is_ignored_name};

    #[test]
    fn editor_leftovers_are_ignored() {
        for name in [
            ".x.md.swp",
            "x.md~",
            "#x.md#",
            "4913",
            ".git",
            "x.md___jb_tmp___",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("x.md"));
    }

    #[test]
    fn classifies_sections_pages_bundles_and_assets() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "_index.md",
            "about.md",
            "blog/_index.md",
            "blog/b.md",
            "blog/a/index.md",
            "blog/a/cover.svg",
            "blog/a/files/x.yaml",
            "blog/.draft.md.swp",
            "images/logo.png",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let found = discover(root).unwrap();
        assert_eq!(found.sections, ["_index.md", "blog/_index.md"]);
        assert_eq!(found.pages, ["about.md", "blog/a/index.md", "blog/b.md"]);
        assert_eq!(
            found.bundle_assets,
            [(
                "blog/a/index.md".to_owned(),
                vec!["cover.svg".to_owned(), "files/x.yaml".to_owned()]
            )]
        );
        assert_eq!(found.assets, ["images/logo.png"]);
    }
}
