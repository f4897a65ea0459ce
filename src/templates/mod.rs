//! Templates: Tera loading, the views that are the theme API, filters and functions.
//!
//! Templates come from `themes/<theme>/templates/`, overridden file by file by the site's
//! `templates/`. Every Tera error becomes a diagnostic naming the template file, its line and
//! column, and the page being rendered.

pub mod escape;
pub mod functions;
pub mod layout;
pub mod views;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use tera::{Context, Tera};
use walkdir::WalkDir;

pub use self::functions::{Lookup, SharedLookup};
use crate::diagnostics::{Diagnostic, Error, Location, Result, nth_line, suggest};

/// A folder of templates and how to show its files in messages.
#[derive(Debug, Clone)]
pub struct TemplateDir {
    pub path: PathBuf,
    /// `themes/default/templates`.
    pub display: String,
}

/// The loaded templates of one site.
pub struct Templates {
    tera: Tera,
    /// Template name -> (file as shown to the user, its text).
    files: BTreeMap<String, (String, String)>,
    lookup: SharedLookup,
}

impl Templates {
    /// Loads every file of `dirs`, later folders overriding earlier ones by name.
    pub fn load(dirs: &[TemplateDir]) -> Result<Templates> {
        let mut files: BTreeMap<String, (String, String)> = BTreeMap::new();
        for dir in dirs.iter().filter(|d| d.path.is_dir()) {
            for entry in WalkDir::new(&dir.path).sort_by_file_name() {
                let entry = entry.map_err(|e| crate::content::walk::walk_error(&dir.path, e))?;
                let name_os = entry.file_name().to_string_lossy();
                if !entry.file_type().is_file() || crate::content::walk::is_ignored_name(&name_os) {
                    continue;
                }
                let relative = relative_name(&dir.path, entry.path());
                let display = format!("{}/{relative}", dir.display);
                let text = std::fs::read_to_string(entry.path()).map_err(|error| {
                    Diagnostic::error("template/read", format!("cannot read {display}: {error}"))
                        .hint("templates must be UTF-8 text files")
                })?;
                files.insert(relative, (display, text));
            }
        }
        let lookup: SharedLookup = Arc::new(RwLock::new(Arc::new(Lookup::default())));
        let mut tera = Tera::new();
        tera.set_escape_fn(escape::html);
        functions::register(&mut tera, &lookup);
        let mut templates = Templates {
            tera: Tera::new(),
            files,
            lookup,
        };
        let sources: Vec<(&str, &str)> = templates
            .files
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()))
            .collect();
        tera.add_raw_templates(sources)
            .map_err(|e| templates.error(&e, None))?;
        templates.tera = tera;
        Ok(templates)
    }

    /// Every template: its name and text.
    pub fn sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .map(|(name, (_, text))| (name.as_str(), text.as_str()))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// The first of `names` that exists.
    pub fn first_of<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names.iter().copied().find(|n| self.contains(n))
    }

    /// Replaces what `get_page`, `get_url` and friends see.
    pub fn set_lookup(&self, lookup: Lookup) {
        let mut slot = self
            .lookup
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Arc::new(lookup);
    }

    /// Sets a value every template sees (`config`).
    pub fn set_global(&mut self, key: &'static str, value: tera::Value) {
        self.tera.global_context().insert_value(key, value);
    }

    /// Renders `name` for the page or section `rendering` (as shown to the user).
    pub fn render(&self, name: &str, context: &Context, rendering: &str) -> Result<String> {
        if !self.contains(name) {
            return Err(self.missing(name, rendering).into());
        }
        self.tera
            .render(name, context)
            .map_err(|e| self.error(&e, Some(rendering)))
    }

    /// A "template not found" diagnostic listing what exists.
    pub fn missing(&self, name: &str, rendering: &str) -> Diagnostic {
        let names: Vec<&str> = self.files.keys().map(String::as_str).collect();
        let mut hint = match suggest(name, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`? "),
            None => String::new(),
        };
        if names.is_empty() {
            hint.push_str(
                "no templates were found: check `theme` in site.toml or add a templates/ folder",
            );
        } else {
            hint.push_str(&format!("templates available: {}", names.join(", ")));
        }
        Diagnostic::error(
            "template/missing",
            format!("template `{name}` not found (needed by {rendering})"),
        )
        .hint(hint)
    }

    fn error(&self, error: &tera::Error, rendering: Option<&str>) -> Error {
        let while_rendering = rendering
            .map(|r| format!(" (while rendering {r})"))
            .unwrap_or_default();
        let diagnostic = match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                let (file, text) = self
                    .files
                    .get(report.filename())
                    .map(|(display, text)| (display.as_str(), text.as_str()))
                    .unwrap_or((report.filename(), ""));
                let span = report.span();
                let mut message = report.message().to_owned();
                let mut cause = std::error::Error::source(error);
                while let Some(inner) = cause {
                    message.push_str(": ");
                    message.push_str(&inner.to_string());
                    cause = inner.source();
                }
                let code = match error.kind() {
                    tera::ErrorKind::SyntaxError(_) => "template/syntax",
                    _ => "template/render",
                };
                let mut d = Diagnostic::error(code, format!("{message}{while_rendering}"))
                    .at(Location::new(file, span.start_line, span.start_col + 1))
                    .with_width(span.range.len().max(1))
                    .hint(match code {
                        "template/syntax" => "check the tags around this point: {{ }} for values, {% %} for statements",
                        _ => "the template context is documented in content/docs/templates.md; use `| default(value=...)` for optional fields",
                    });
                d.source_line = nth_line(text, span.start_line).map(str::to_owned);
                d
            }
            _ => Diagnostic::error("template", format!("{error}{while_rendering}"))
                .hint("the template context is documented in content/docs/templates.md"),
        };
        diagnostic.into()
    }
}

fn relative_name(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::{TemplateDir, Templates};

    fn dir(files: &[(&str, &str)]) -> (tempfile::TempDir, TemplateDir) {
        let tmp = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = tmp.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let display = "templates".to_owned();
        let path = tmp.path().to_path_buf();
        (tmp, TemplateDir { path, display })
    }

    #[test]
    fn site_templates_override_theme_templates() {
        let (_a, theme) = dir(&[("page.html", "theme"), ("base.html", "base")]);
        let (_b, site) = dir(&[("page.html", "site")]);
        let templates = Templates::load(&[theme, site]).unwrap();
        let out = templates
            .render("page.html", &tera::Context::new(), "x.md")
            .unwrap();
        assert_eq!(out, "site");
        assert!(templates.contains("base.html"));
    }

    #[test]
    fn syntax_error_names_template_line_and_column() {
        let (_a, theme) = dir(&[("page.html", "ok\n{{ y }\n")]);
        let error = Templates::load(&[theme]).err().unwrap();
        let d = &error.diagnostics[0];
        assert_eq!(d.code, "template/syntax");
        let location = d.location.as_ref().unwrap();
        assert_eq!(
            (location.file.as_str(), location.line),
            ("templates/page.html", 2)
        );
        assert_eq!(d.source_line.as_deref(), Some("{{ y }"));
    }

    #[test]
    fn missing_variable_names_the_page_and_the_fields() {
        let (_a, theme) = dir(&[("page.html", "{{ page.titel }}")]);
        let templates = Templates::load(&[theme]).unwrap();
        let mut context = tera::Context::new();
        context.insert("page", &serde_json::json!({"title": "x"}));
        let error = templates
            .render("page.html", &context, "content/a.md")
            .unwrap_err();
        let d = &error.diagnostics[0];
        assert!(d.message.contains("titel"), "{}", d.message);
        assert!(
            d.message.contains("Available fields: title"),
            "{}",
            d.message
        );
        assert!(d.message.contains("content/a.md"), "{}", d.message);
    }

    #[test]
    fn missing_template_suggests_a_close_name() {
        let (_a, theme) = dir(&[("page.html", "")]);
        let templates = Templates::load(&[theme]).unwrap();
        let error = templates
            .render("pgae.html", &tera::Context::new(), "a.md")
            .unwrap_err();
        assert!(
            error.diagnostics[0]
                .hint
                .as_ref()
                .unwrap()
                .contains("did you mean `page.html`")
        );
    }
}
