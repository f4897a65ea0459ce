//! Scaffolding: `galley init` (a new site that builds and passes `galley check` at once) and
//! `galley new post` (a post from an archetype). Neither ever overwrites a file.
//!
//! The new site's files live in `src/scaffold/` and the default theme is embedded from
//! `themes/default/` by `build.rs`, so an installed galley needs no repository beside it.

use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Error, Result};

mod front_matter;

include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// The files of a new site, relative to its folder. `{{ title }}`, `{{ author }}` and
/// `{{ date }}` are replaced by plain text substitution (not a template engine: the sample
/// posts show Helm templates in code blocks, which must stay as written).
const SITE_FILES: &[(&str, &str)] = &[
    ("site.toml", include_str!("scaffold/site.toml")),
    (
        "content/_index.md",
        include_str!("scaffold/content/_index.md"),
    ),
    (
        "content/about.md",
        include_str!("scaffold/content/about.md"),
    ),
    (
        "content/archive.md",
        include_str!("scaffold/content/archive.md"),
    ),
    (
        "content/search.md",
        include_str!("scaffold/content/search.md"),
    ),
    (
        "content/blog/_index.md",
        include_str!("scaffold/content/blog/_index.md"),
    ),
    (
        "content/blog/hello-galley.md",
        include_str!("scaffold/content/blog/hello-galley.md"),
    ),
    (
        "content/blog/writing-tested-posts.md",
        include_str!("scaffold/content/blog/writing-tested-posts.md"),
    ),
    (
        "archetypes/default.md",
        include_str!("scaffold/archetypes/default.md"),
    ),
    (
        ".github/workflows/pages.yml",
        include_str!("scaffold/pages.yml"),
    ),
    (".gitignore", include_str!("scaffold/gitignore")),
];

/// The archetype used when a site has none.
const DEFAULT_ARCHETYPE: &str = include_str!("scaffold/archetypes/default.md");

/// Creates a site in `dir` (created if missing); refuses a folder that already holds a site.
/// Returns the files written, relative to `dir`.
pub fn init(dir: &Path, title: Option<&str>) -> Result<Vec<String>> {
    let taken: Vec<&str> = SITE_FILES
        .iter()
        .map(|(path, _)| *path)
        .chain(["themes/default"])
        .filter(|path| dir.join(path).exists())
        .collect();
    if !taken.is_empty() {
        return Err(Diagnostic::error(
            "init/exists",
            format!(
                "{} already has {}: refusing to overwrite",
                dir.display(),
                taken.join(", ")
            ),
        )
        .hint("run galley init in a new or empty folder: galley init my-site")
        .into());
    }
    let title = title
        .map(str::to_owned)
        .unwrap_or_else(|| title_from_folder(dir));
    let today = now_rfc3339();
    let mut written = Vec::new();
    for (relative, text) in SITE_FILES {
        // Archetypes are templates of `galley new`: their `{{ title }}` and `{{ date }}` are
        // the new post's, filled in each time, so init must copy them as they are.
        let text = if relative.starts_with("archetypes/") {
            (*text).to_owned()
        } else {
            text.replace("{{ title }}", &title.replace('"', "\\\""))
                .replace("{{ author }}", &title.replace('"', "\\\""))
                .replace("{{ date }}", &today)
        };
        write_new(&dir.join(relative), text.as_bytes())?;
        written.push((*relative).to_owned());
    }
    for (relative, bytes) in DEFAULT_THEME {
        let path = format!("themes/default/{relative}");
        write_new(&dir.join(&path), bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// What `galley new post` needs.
pub struct NewPost<'a> {
    pub root: &'a Path,
    pub config_path: &'a Path,
    pub section: &'a str,
    pub title: &'a str,
}

/// Writes `content/<section>/<slug>.md` from `archetypes/<section>.md`, else
/// `archetypes/default.md`, else galley's own; returns its path.
pub fn new_post(post: &NewPost) -> Result<PathBuf> {
    let config = crate::config::Config::load(
        post.config_path,
        &crate::site::display(post.root, post.config_path),
    )?;
    let slug = crate::slug::slugify(post.title);
    if slug.is_empty() {
        return Err(Error::usage(
            "the title has no letters or digits to make a file name from",
            "give the post a title, e.g. galley new post \"Tuning PgBouncer\"",
        ));
    }
    let section = section_of(post.section)?;
    let relative = format!("content/{section}/{slug}.md");
    let target = post.root.join(&relative);
    if target.exists() {
        return Err(Diagnostic::error(
            "new/exists",
            format!("{relative} already exists: refusing to overwrite it"),
        )
        .hint("choose another title, or edit the existing post")
        .into());
    }
    let (archetype_name, archetype) = archetype(post.root, section)?;
    let date = now_with_offset();
    let text = render_archetype(
        &archetype,
        &archetype_name,
        post.title,
        &slug,
        &date,
        section,
    )?;
    let text = front_matter::fill_in(&text, post.title, &slug, &date);
    // The result must be a page this site can read: check it before writing anything.
    let taxonomies: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
    let invalid = |d: Diagnostic| {
        Error::from(d.hint(format!(
            "fix the archetype {archetype_name}: this is what it produced"
        )))
    };
    let split = crate::content::frontmatter::split(&text, &archetype_name).map_err(invalid)?;
    crate::content::frontmatter::parse_page(&split, &archetype_name, &taxonomies)
        .map_err(invalid)?;
    write_new(&target, text.as_bytes())?;
    Ok(PathBuf::from(relative))
}

/// The section folder of `--section`, which must stay inside `content/`: `blog` or
/// `notes/2026`, never `../x`, `/etc` or `a\\b`.
fn section_of(section: &str) -> Result<&str> {
    let trimmed = section.trim_matches('/');
    let escapes = section.starts_with('/')
        || section.contains('\\')
        || trimmed
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if escapes {
        return Err(Error::usage(
            format!("--section {section:?} is not a folder inside content/"),
            "name a section folder relative to content/, e.g. --section blog or --section notes/2026",
        ));
    }
    Ok(trimmed)
}

fn archetype(root: &Path, section: &str) -> Result<(String, String)> {
    for name in [
        format!("archetypes/{}.md", section.replace('/', "-")),
        "archetypes/default.md".to_owned(),
    ] {
        let path = root.join(&name);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
            return Ok((name, text));
        }
    }
    Ok((
        "galley's default archetype".to_owned(),
        DEFAULT_ARCHETYPE.to_owned(),
    ))
}

/// Archetypes are Tera templates (like Hugo's are Go templates) with `title`, `slug`, `date`
/// and `section`, and galley's filters (`json_encode` quotes a TOML string safely).
fn render_archetype(
    text: &str,
    name: &str,
    title: &str,
    slug: &str,
    date: &str,
    section: &str,
) -> Result<String> {
    let mut tera = tera::Tera::new();
    let lookup = std::sync::Arc::new(std::sync::RwLock::new(std::sync::Arc::new(
        crate::templates::Lookup::default(),
    )));
    crate::templates::functions::register(&mut tera, &lookup);
    let to_error = |error: tera::Error| -> Error {
        Diagnostic::error(
            "new/archetype",
            format!("cannot use the archetype {name}: {error}"),
        )
        .hint("archetypes are Tera templates; the context has title, slug, date and section")
        .into()
    };
    tera.add_raw_template("archetype", text).map_err(to_error)?;
    let mut context = tera::Context::new();
    context.insert("title", title);
    context.insert("slug", slug);
    context.insert("date", date);
    context.insert("section", section);
    tera.render("archetype", &context).map_err(to_error)
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| {
            if error.kind() == std::io::ErrorKind::AlreadyExists {
                Diagnostic::error(
                    "scaffold/exists",
                    format!(
                        "{} already exists: refusing to overwrite it",
                        path.display()
                    ),
                )
                .into()
            } else {
                Error::io("create", path, error)
            }
        })?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| Error::io("write", path, e))
}

/// `my-platform-notes` -> `My platform notes`.
fn title_from_folder(dir: &Path) -> String {
    let absolute = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(dir)
    };
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let words = name.replace(['-', '_', '.'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "My site".to_owned(),
    }
}

/// Now in the local time zone, with its offset (`2026-12-08T01:02:03+01:00`): a post's date
/// as its author would write it.
fn now_with_offset() -> String {
    jiff::Zoned::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_THEME, title_from_folder};
    use std::path::Path;

    #[test]
    fn the_default_theme_is_embedded() {
        let names: Vec<&str> = DEFAULT_THEME.iter().map(|(n, _)| *n).collect();
        for expected in [
            "templates/base.html",
            "templates/page.html",
            "static/style.css",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
    }

    #[test]
    fn titles_come_from_folder_names() {
        assert_eq!(
            title_from_folder(Path::new("/tmp/my-platform-notes")),
            "My platform notes"
        );
    }
}
