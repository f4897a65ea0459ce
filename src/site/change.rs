//! What a changed file means for the site: a pure function from a path to a [`Change`], so the
//! watcher's noise (editor swap files, the output folder, `.git/`) never reaches a rebuild.

use std::path::{Component, Path};

use super::Paths;
use crate::content::walk::is_ignored_name;

/// One changed file, by what depends on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// `site.toml`: everything is rebuilt.
    Config,
    /// A template of the site or the theme: every page may render differently.
    Template(String),
    /// A file under the site's or the theme's `static/`: copied alone.
    Static(String),
    /// A page (`blog/x.md`, `blog/x/index.md`), relative to `content/`.
    Page(String),
    /// A section's `_index.md`, relative to `content/`.
    Section(String),
    /// Any other file under `content/` (an image beside a post), relative to `content/`.
    Asset(String),
    /// Something else of the theme (its config, a README): rebuilt from scratch to be safe.
    Theme(String),
}

impl Change {
    /// How the change reads in the terminal's rebuild line.
    pub fn describe(&self) -> String {
        match self {
            Change::Config => "site.toml".into(),
            Change::Page(p) | Change::Section(p) | Change::Asset(p) => format!("content/{p}"),
            Change::Template(p) | Change::Static(p) | Change::Theme(p) => p.clone(),
        }
    }
}

/// Classifies a changed path; `None` for files no build reads (editor leftovers, hidden
/// folders, anything outside the watched folders).
pub fn classify(path: &Path, paths: &Paths) -> Option<Change> {
    // Only what lies under the site root is judged: the root itself may be anywhere, even in
    // a hidden folder.
    if has_ignored_component(path.strip_prefix(&paths.root).unwrap_or(path)) {
        return None;
    }
    if path == paths.config {
        return Some(Change::Config);
    }
    if let Some(relative) = under(path, &paths.content) {
        return Some(
            if relative.ends_with("/_index.md") || relative == "_index.md" {
                Change::Section(relative)
            } else if relative.ends_with(".md") {
                Change::Page(relative)
            } else {
                Change::Asset(relative)
            },
        );
    }
    let shown = super::display(&paths.root, path);
    if under(path, &paths.templates).is_some() {
        return Some(Change::Template(shown));
    }
    if under(path, &paths.static_dir).is_some() {
        return Some(Change::Static(shown));
    }
    if let Some(theme) = &paths.theme {
        if under(path, &theme.join("templates")).is_some() {
            return Some(Change::Template(shown));
        }
        if under(path, &theme.join("static")).is_some() {
            return Some(Change::Static(shown));
        }
        if under(path, theme).is_some() {
            return Some(Change::Theme(shown));
        }
    }
    None
}

/// `path` relative to `dir` with `/` separators, if it is inside.
fn under(path: &Path, dir: &Path) -> Option<String> {
    let relative = path.strip_prefix(dir).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn has_ignored_component(path: &Path) -> bool {
    path.components().any(|c| match c {
        Component::Normal(name) => is_ignored_name(&name.to_string_lossy()),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{Change, classify};
    use crate::site::Paths;

    fn paths() -> Paths {
        let root = PathBuf::from("/site");
        Paths {
            config: root.join("site.toml"),
            content: root.join("content"),
            static_dir: root.join("static"),
            templates: root.join("templates"),
            theme: Some(root.join("themes/default")),
            root,
        }
    }

    fn at(path: &str) -> Option<Change> {
        classify(Path::new(path), &paths())
    }

    #[test]
    fn content_files_are_pages_sections_or_assets() {
        assert_eq!(
            at("/site/content/blog/x.md"),
            Some(Change::Page("blog/x.md".into()))
        );
        assert_eq!(
            at("/site/content/blog/b/index.md"),
            Some(Change::Page("blog/b/index.md".into()))
        );
        assert_eq!(
            at("/site/content/blog/_index.md"),
            Some(Change::Section("blog/_index.md".into()))
        );
        assert_eq!(
            at("/site/content/_index.md"),
            Some(Change::Section("_index.md".into()))
        );
        assert_eq!(
            at("/site/content/blog/b/cover.svg"),
            Some(Change::Asset("blog/b/cover.svg".into()))
        );
    }

    #[test]
    fn templates_and_static_files_of_site_and_theme() {
        assert_eq!(
            at("/site/templates/page.html"),
            Some(Change::Template("templates/page.html".into()))
        );
        assert_eq!(
            at("/site/themes/default/templates/base.html"),
            Some(Change::Template(
                "themes/default/templates/base.html".into()
            ))
        );
        assert_eq!(
            at("/site/static/x.css"),
            Some(Change::Static("static/x.css".into()))
        );
        assert_eq!(
            at("/site/themes/default/static/main.js"),
            Some(Change::Static("themes/default/static/main.js".into()))
        );
        assert_eq!(
            at("/site/themes/default/theme.toml"),
            Some(Change::Theme("themes/default/theme.toml".into()))
        );
        assert_eq!(at("/site/site.toml"), Some(Change::Config));
    }

    #[test]
    fn a_site_inside_a_hidden_folder_still_works() {
        let root = PathBuf::from("/tmp/.tmpAbc/site");
        let paths = Paths {
            config: root.join("site.toml"),
            content: root.join("content"),
            static_dir: root.join("static"),
            templates: root.join("templates"),
            theme: None,
            root,
        };
        assert_eq!(
            classify(Path::new("/tmp/.tmpAbc/site/content/a.md"), &paths),
            Some(Change::Page("a.md".into()))
        );
    }

    #[test]
    fn editor_leftovers_and_unwatched_places_are_ignored() {
        for path in [
            "/site/content/blog/.x.md.swp",
            "/site/content/blog/x.md~",
            "/site/content/blog/#x.md#",
            "/site/content/4913",
            "/site/content/.git/index",
            "/site/content/x.md___jb_tmp___",
            "/site/public/index.html",
            "/site/themes/other/templates/x.html",
            "/elsewhere/site.toml",
        ] {
            assert_eq!(at(path), None, "{path}");
        }
    }
}
